//! The `/_sim/` control API: fault rules per route, the request log, the clock.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use serde_json::{json, Value};
use support::*;

async fn fault(t: &TestSim, rule: Value) {
    assert_eq!(
        t.http
            .post(t.url("/_sim/faults"))
            .json(&rule)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
}

fn discovery(t: &TestSim) -> String {
    t.url(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"))
}

#[tokio::test]
async fn throttling_applies_as_often_as_asked_with_retry_after() {
    let t = TestSim::start().await;
    fault(&t, json!({ "path_prefix": format!("/{TENANT}/v2.0"), "kind": "status", "status": 429, "retry_after": "2", "times": 2 })).await;
    for _ in 0..2 {
        let res = t.http.get(discovery(&t)).send().await.unwrap();
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "2");
    }
    assert_eq!(
        t.http.get(discovery(&t)).send().await.unwrap().status(),
        200
    );
    t.stop().await;
}

#[tokio::test]
async fn dropped_connections_and_malformed_bodies() {
    let t = TestSim::start().await;
    fault(
        &t,
        json!({ "path_prefix": "/common", "kind": "drop", "times": 1 }),
    )
    .await;
    let outcome = match t
        .http
        .get(t.url("/common/discovery/v2.0/keys"))
        .send()
        .await
    {
        Ok(res) => res.bytes().await.map(drop),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "the connection must break off");
    fault(
        &t,
        json!({ "path_prefix": "/common", "kind": "malformed", "times": 1 }),
    )
    .await;
    let res = t
        .http
        .get(t.url("/common/discovery/v2.0/keys"))
        .send()
        .await
        .unwrap();
    assert!(res.json::<Value>().await.is_err());
    assert_eq!(
        t.http
            .get(t.url("/common/discovery/v2.0/keys"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    t.stop().await;
}

#[tokio::test]
async fn latency_is_added_and_every_request_is_logged() {
    let t = TestSim::start().await;
    fault(
        &t,
        json!({ "path_prefix": "/common", "method": "GET", "kind": "latency", "ms": 300 }),
    )
    .await;
    let started = std::time::Instant::now();
    t.http
        .get(t.url("/common/discovery/v2.0/keys"))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    assert_eq!(
        t.http
            .delete(t.url("/_sim/faults"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    t.http
        .get(t.url("/nosuch.example/discovery/v2.0/keys"))
        .send()
        .await
        .unwrap();

    let log: Value = t
        .http
        .get(t.url("/_sim/log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries: Vec<(String, String, u64)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().into(),
                e["path"].as_str().unwrap().into(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("GET".into(), "/common/discovery/v2.0/keys".into(), 200),
            (
                "GET".into(),
                "/nosuch.example/discovery/v2.0/keys".into(),
                400
            )
        ]
    );
    t.stop().await;
}

#[tokio::test]
async fn the_clock_moves_expiry() {
    let t = TestSim::start().await;
    let (_, cc) = t
        .client_credentials(
            TENANT,
            APP,
            APP_SECRET,
            "https://graph.microsoft.com/.default",
        )
        .await;
    let token = cc["access_token"].as_str().unwrap();
    let active = |t: &TestSim| {
        let req = t
            .http
            .post(t.url("/_sim/introspect"))
            .form(&[("token", token)]);
        async move {
            req.send().await.unwrap().json::<Value>().await.unwrap()["active"]
                .as_bool()
                .unwrap()
        }
    };
    assert!(active(&t).await);
    t.clock(3600).await;
    assert!(!active(&t).await, "expired an hour later");
    t.stop().await;
}

#[tokio::test]
async fn every_issued_token_is_listed_for_leak_scans() {
    let t = TestSim::start().await;
    let tokens = |t: &TestSim| {
        let res = t.http.get(t.url("/_sim/tokens")).send();
        async move { res.await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(tokens(&t).await, json!({ "access": [], "refresh": [] }));
    let first = t.app_token().await;
    let second = t.app_token().await;
    let listed = tokens(&t).await;
    let access = listed["access"].as_array().unwrap();
    assert_eq!(access.len(), 2);
    assert!(access.contains(&json!(first)) && access.contains(&json!(second)));
    t.stop().await;
}
