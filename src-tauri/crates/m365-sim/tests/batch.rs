//! Graph JSON batching (`POST /v1.0/$batch`): the limits that refuse a whole batch, per-request
//! answers, `dependsOn`, throttling per request, and the request log.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use serde_json::{json, Value};
use support::*;

const SUPPORT: &str = "/users/support@contoso.test";

async fn batch(t: &TestSim, token: &str, body: Value) -> (u16, Value) {
    let res = t
        .http
        .post(format!("{}/v1.0/$batch", t.sim.endpoints.graph))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn get(id: &str, url: &str) -> Value {
    json!({ "id": id, "method": "GET", "url": url })
}

/// The answer to request `id`, whatever the order of the responses.
fn answer<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no response {id}: {body}"))
}

async fn fault(t: &TestSim, rule: Value) {
    let res = t
        .http
        .post(t.url("/_sim/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn each_request_is_answered_with_its_own_status_headers_and_body_and_logged() {
    let t = TestSim::start().await;
    let app = t.app_token().await;
    t.http.delete(t.url("/_sim/log")).send().await.unwrap();
    let (status, body) = batch(
        &t,
        &app,
        json!({ "requests": [
            get("1", &format!("{SUPPORT}/mailFolders/inbox?$select=id,displayName")),
            get("2", &format!("{SUPPORT}/mailFolders/no-such-folder")),
            get("3", "/users/bob@contoso.test"),
            get("4", "/me"),
        ] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let inbox = answer(&body, "1");
    assert_eq!(inbox["status"], 200);
    assert_eq!(inbox["body"]["displayName"], "Inbox");
    assert!(
        inbox["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("application/json"),
        "{inbox}"
    );
    assert!(inbox["headers"]["request-id"].is_string(), "{inbox}");
    let missing = answer(&body, "2");
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["body"]["error"]["code"], "ErrorItemNotFound");
    assert_eq!(answer(&body, "3")["status"], 200);
    // An app-only token has no `/me`, in a batch as on its own.
    assert_eq!(answer(&body, "4")["status"], 400, "{body}");

    let log: Value = t
        .http
        .get(t.url("/_sim/log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logged: Vec<(String, u64)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                format!(
                    "{} {}",
                    e["method"].as_str().unwrap(),
                    e["path"].as_str().unwrap()
                ),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    for want in [
        (
            "GET /graph/v1.0/users/support@contoso.test/mailFolders/inbox",
            200,
        ),
        (
            "GET /graph/v1.0/users/support@contoso.test/mailFolders/no-such-folder",
            404,
        ),
        ("GET /graph/v1.0/users/bob@contoso.test", 200),
        ("POST /graph/v1.0/$batch", 200),
    ] {
        assert!(
            logged.contains(&(want.0.to_owned(), want.1)),
            "{want:?} not in {logged:?}"
        );
    }
    t.stop().await;
}

#[tokio::test]
async fn more_than_20_requests_duplicate_ids_and_unknown_dependencies_refuse_the_batch() {
    let t = TestSim::start().await;
    let app = t.app_token().await;
    let many = |n: usize| -> Value {
        let requests: Vec<Value> = (1..=n)
            .map(|i| get(&i.to_string(), "/users/bob@contoso.test"))
            .collect();
        json!({ "requests": requests })
    };
    let (status, body) = batch(&t, &app, many(20)).await;
    assert_eq!(status, 200);
    assert_eq!(body["responses"].as_array().unwrap().len(), 20);

    for refused in [
        many(21),
        json!({ "requests": [] }),
        json!({ "requests": [ get("a", "/users/bob@contoso.test"), get("A", "/users/bob@contoso.test") ] }),
        json!({ "requests": [ { "id": "1", "method": "GET", "url": "/users/bob@contoso.test", "dependsOn": ["9"] } ] }),
        json!({ "requests": [ { "id": "1", "method": "GET" } ] }),
        json!({ "not": "a batch" }),
    ] {
        let (status, body) = batch(&t, &app, refused.clone()).await;
        assert_eq!(status, 400, "{refused}: {body}");
        assert_eq!(body["error"]["code"], "BadRequest", "{body}");
        assert!(
            body["error"]["innerError"]["request-id"].is_string(),
            "{body}"
        );
    }
    t.stop().await;
}

#[tokio::test]
async fn a_request_whose_dependency_failed_is_answered_424() {
    let t = TestSim::start().await;
    let app = t.app_token().await;
    let (status, body) = batch(
        &t,
        &app,
        json!({ "requests": [
            get("1", &format!("{SUPPORT}/mailFolders/inbox")),
            { "id": "2", "method": "GET", "url": format!("{SUPPORT}/mailFolders/gone"), "dependsOn": ["1"] },
            { "id": "3", "method": "GET", "url": format!("{SUPPORT}/mailFolders/inbox"), "dependsOn": ["2"] },
            { "id": "4", "method": "GET", "url": "/users/bob@contoso.test", "dependsOn": ["3"] },
        ] }),
    )
    .await;
    assert_eq!(status, 200);
    let statuses: Vec<u64> = ["1", "2", "3", "4"]
        .iter()
        .map(|id| answer(&body, id)["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 404, 424, 424], "{body}");
    assert_eq!(
        answer(&body, "3")["body"]["error"]["code"],
        "FailedDependency"
    );
    t.stop().await;
}

#[tokio::test]
async fn a_throttled_request_gets_429_with_its_own_retry_after() {
    let t = TestSim::start().await;
    let app = t.app_token().await;
    fault(
        &t,
        json!({ "path_prefix": format!("/graph/v1.0{SUPPORT}/mailFolders/inbox"), "kind": "status",
                "status": 429, "retry_after": "7", "times": 1 }),
    )
    .await;
    let (status, body) = batch(
        &t,
        &app,
        json!({ "requests": [
            get("1", &format!("{SUPPORT}/mailFolders/inbox")),
            get("2", "/users/bob@contoso.test"),
        ] }),
    )
    .await;
    assert_eq!(status, 200, "the batch itself is answered");
    let throttled = answer(&body, "1");
    assert_eq!(throttled["status"], 429, "{body}");
    assert_eq!(throttled["headers"]["retry-after"], "7");
    assert_eq!(throttled["body"]["error"]["code"], "TooManyRequests");
    assert_eq!(answer(&body, "2")["status"], 200);
    t.stop().await;
}

#[tokio::test]
async fn requests_count_against_the_mailbox_concurrency_limit_one_by_one() {
    let t = TestSim::start().await;
    let app = t.app_token().await;
    fault(
        &t,
        json!({ "path_prefix": format!("/graph/v1.0{SUPPORT}"), "kind": "latency", "ms": 400 }),
    )
    .await;
    let items = |chained: bool| -> Value {
        let requests: Vec<Value> = (1..=6)
            .map(|i| {
                let mut r = get(&i.to_string(), &format!("{SUPPORT}/mailFolders/inbox"));
                if chained && i > 1 {
                    r["dependsOn"] = json!([(i - 1).to_string()]);
                }
                r
            })
            .collect();
        json!({ "requests": requests })
    };
    let statuses = |body: &Value| -> Vec<u64> {
        body["responses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_u64().unwrap())
            .collect()
    };
    // One batch alone stays within the limit: Graph hands on four of its requests at a time.
    let (_, alone) = batch(&t, &app, items(false)).await;
    assert!(statuses(&alone).iter().all(|s| *s == 200), "{alone}");
    // Two at once put eight requests on the mailbox: four of them are throttled.
    let (a, b) = tokio::join!(batch(&t, &app, items(false)), batch(&t, &app, items(false)));
    let all: Vec<u64> = [statuses(&a.1), statuses(&b.1)].concat();
    assert!(all.contains(&429), "{all:?}");
    let throttled = [&a.1, &b.1]
        .into_iter()
        .flat_map(|b| b["responses"].as_array().unwrap())
        .find(|r| r["status"] == 429)
        .unwrap();
    assert_eq!(throttled["headers"]["retry-after"], "1");
    assert_eq!(
        throttled["body"]["error"]["message"],
        "Application is over its MailboxConcurrency limit."
    );
    // A `dependsOn` chain runs one request at a time: four chains fit side by side.
    let chains = futures_util::future::join_all((0..4).map(|_| batch(&t, &app, items(true))));
    for (_, body) in chains.await {
        assert!(statuses(&body).iter().all(|s| *s == 200), "{body}");
    }
    t.stop().await;
}
