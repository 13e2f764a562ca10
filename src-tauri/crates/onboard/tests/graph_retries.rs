//! Graph faults against the simulator: throttling (429 with Retry-After) and server errors are
//! retried a bounded number of times, read from the simulator's request log.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use onboard::cloud::graph_get::MAX_ATTEMPTS;
use onboard::{cloud::Cloud, mailbox::graph_message_page};
use serde_json::{json, Value};
use support::sim::{app_graph_token, sim_cloud};

const ALICE: &str = "alice@contoso.test";

/// The path of alice's Inbox listing under the simulator's Graph base.
fn inbox(cloud: &Cloud) -> String {
    let base = url::Url::parse(&cloud.graph).unwrap();
    format!(
        "{}/v1.0/users/alice@contoso.test/mailFolders/inbox/messages",
        base.path().trim_end_matches('/')
    )
}

async fn control(cloud: &Cloud, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let client = cloud.http_client().unwrap();
    let mut req = client.request(method, format!("{}{path}", cloud.authority));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

/// The statuses the simulator answered for the Inbox listing, in order.
async fn inbox_statuses(cloud: &Cloud) -> Vec<u64> {
    let log = control(cloud, reqwest::Method::GET, "/_sim/log", None).await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == inbox(cloud).as_str())
        .map(|e| e["status"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn throttling_is_waited_out_and_the_page_comes() {
    let (sim, cloud) = sim_cloud().await;
    let token = app_graph_token(&cloud).await;
    let rule = json!({ "path_prefix": inbox(&cloud), "kind": "status", "status": 429, "retry_after": "1", "times": 2 });
    control(&cloud, reqwest::Method::POST, "/_sim/faults", Some(rule)).await;

    let page = graph_message_page(&cloud, &token, ALICE, "inbox", 5, None)
        .await
        .unwrap();
    assert!(!page.messages.is_empty());
    assert_eq!(inbox_statuses(&cloud).await, [429, 429, 200]);
    sim.stop().await;
}

#[tokio::test]
async fn a_server_that_keeps_failing_is_given_up_on_with_a_diagnosis() {
    let (sim, cloud) = sim_cloud().await;
    let token = app_graph_token(&cloud).await;
    let rule = json!({ "path_prefix": inbox(&cloud), "kind": "status", "status": 503, "retry_after": "0" });
    control(&cloud, reqwest::Method::POST, "/_sim/faults", Some(rule)).await;

    let refused = graph_message_page(&cloud, &token, ALICE, "inbox", 5, None)
        .await
        .unwrap_err();
    assert!(!refused.fix.is_empty(), "{refused:?}");
    let statuses = inbox_statuses(&cloud).await;
    assert_eq!(statuses, vec![503; MAX_ATTEMPTS as usize]);

    // A bad request is not retried.
    control(&cloud, reqwest::Method::DELETE, "/_sim/faults", None).await;
    let rule = json!({ "path_prefix": inbox(&cloud), "kind": "status", "status": 400, "times": 1 });
    control(&cloud, reqwest::Method::POST, "/_sim/faults", Some(rule)).await;
    assert!(graph_message_page(&cloud, &token, ALICE, "inbox", 5, None)
        .await
        .is_err());
    assert_eq!(
        inbox_statuses(&cloud).await.len(),
        MAX_ATTEMPTS as usize + 1
    );
    sim.stop().await;
}
