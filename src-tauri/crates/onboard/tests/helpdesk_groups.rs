//! The destination groups from Zammad's REST API, against a local stand-in that answers as
//! Zammad's documentation shows (`GET /api/v1/groups`, `page`/`per_page`, no total), and against
//! local HTTPS servers for the transport failures.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use onboard::{catalog::Diagnosis, platform::Secret, server::zammad_groups};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use support::{Ca, Https};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "aH3xWcl-Zammad-token-0123456789";

/// A group as Zammad's API documentation shows it.
fn group(id: u32, name: &str, active: bool) -> Value {
    json!({
        "id": id, "signature_id": null, "email_address_id": null, "name": name,
        "assignment_timeout": null, "follow_up_possible": "yes", "follow_up_assignment": true,
        "active": active, "note": null, "updated_by_id": 1, "created_by_id": 1,
        "created_at": "2021-11-03T11:57:15.802Z", "updated_at": "2021-11-03T11:57:16.361Z",
        "user_ids": [3, 4, 5]
    })
}

/// Status, content type and body for a request's path-and-query and Authorization header.
type Answer = fn(&str, &str) -> (u16, &'static str, String);

/// A plain-HTTP stand-in on 127.0.0.1 that records each request's target and Authorization.
struct StandIn {
    url: String,
    requests: Arc<Mutex<Vec<(String, String)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl StandIn {
    async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 2048];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tcp.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&request).into_owned();
                    let target = text.split(' ').nth(1).unwrap_or("/").to_owned();
                    let auth = text
                        .lines()
                        .find_map(|l| {
                            l.split_once(':')
                                .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                                .map(|(_, v)| v.trim().to_owned())
                        })
                        .unwrap_or_default();
                    let (status, content_type, body) = answer(&target, &auth);
                    log.lock().unwrap().push((target, auth));
                    let response = format!(
                        "HTTP/1.1 {status} Answer\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tcp.write_all(response.as_bytes()).await;
                    let _ = tcp.shutdown().await;
                });
            }
        });
        Self {
            url,
            requests,
            task,
        }
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn query(target: &str, key: &str) -> Option<usize> {
    url::Url::parse(&format!("http://x{target}"))
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)?
        .1
        .parse()
        .ok()
}

/// Zammad with 205 groups, every 7th inactive, paging as its controllers do (offset by
/// `page` and `per_page`, capped at 500); only the right token may list them.
fn zammad(target: &str, auth: &str) -> (u16, &'static str, String) {
    if auth != format!("Token token={TOKEN}") {
        return (
            401,
            "application/json",
            r#"{"error":"Invalid token!"}"#.into(),
        );
    }
    if !target.starts_with("/api/v1/groups") {
        return (404, "text/html", "<html>Not found</html>".into());
    }
    let per_page = query(target, "per_page").unwrap_or(500).min(500);
    let page = query(target, "page").unwrap_or(1).max(1);
    let all: Vec<Value> = (1..=205u32)
        .map(|id| group(id, &format!("Team {id:03}"), id % 7 != 0))
        .collect();
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    (200, "application/json", Value::Array(items).to_string())
}

fn no_token_in(d: &Diagnosis) {
    let text = serde_json::to_string(d).unwrap();
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn active_groups_are_listed_across_pages_with_the_token() {
    let z = StandIn::start(zammad).await;
    // A Zammad address pasted from the browser: the fragment goes.
    let groups = zammad_groups(
        &format!("{}/#ticket/view/my_tickets", z.url),
        &Secret::new(TOKEN),
        None,
    )
    .await
    .unwrap();
    assert_eq!(groups.len(), 205 - 29, "inactive ones left out");
    assert!(groups.iter().all(|g| g.id.parse::<u32>().unwrap() % 7 != 0));
    assert_eq!(
        (groups[0].id.as_str(), groups[0].name.as_str()),
        ("1", "Team 001")
    );
    assert_eq!(groups.last().unwrap().name, "Team 205");
    let requests = z.requests();
    let targets: Vec<&str> = requests.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/api/v1/groups?page=1&per_page=100",
            "/api/v1/groups?page=2&per_page=100",
            "/api/v1/groups?page=3&per_page=100",
            "/api/v1/groups?page=4&per_page=100",
        ],
        "paged until an empty page"
    );
    assert!(requests
        .iter()
        .all(|(_, auth)| auth == &format!("Token token={TOKEN}")));
}

#[tokio::test]
async fn a_refused_token_names_the_field_and_how_to_make_one() {
    let z = StandIn::start(zammad).await;
    let d = zammad_groups(&z.url, &Secret::new("wrong-token"), None)
        .await
        .unwrap_err();
    assert_eq!(d.code, "zammad.token_refused");
    assert_eq!(d.field.as_deref(), Some("Zammad API token"));
    assert!(d.detail.contains("Invalid token!"), "{}", d.detail);
    assert!(
        d.fix.contains("Profile > Token Access") && d.fix.contains("admin.group"),
        "{}",
        d.fix
    );

    let forbidden = StandIn::start(|_, _| {
        (
            403,
            "application/json",
            format!(r#"{{"error":"Not authorized (token {TOKEN})!"}}"#),
        )
    })
    .await;
    let d = zammad_groups(&forbidden.url, &Secret::new(TOKEN), None)
        .await
        .unwrap_err();
    assert_eq!(
        (d.code.as_str(), d.field.as_deref()),
        ("zammad.token_permission", Some("Zammad API token"))
    );
    assert!(d.detail.contains("admin.group"), "{}", d.detail);
    no_token_in(&d);

    let d = zammad_groups(&z.url, &Secret::new("  "), None)
        .await
        .unwrap_err();
    assert_eq!(d.field.as_deref(), Some("Zammad API token"));
    assert!(z.requests().len() == 1, "an empty token is not sent");
}

#[tokio::test]
async fn other_servers_and_transport_failures_are_the_catalogs() {
    let token = Secret::new(TOKEN);
    // A web page where the API should be, and an address with no Zammad API at all.
    let page =
        StandIn::start(|_, _| (200, "text/html", "<!doctype html><title>Hi</title>".into())).await;
    let d = zammad_groups(&page.url, &token, None).await.unwrap_err();
    assert_eq!(d.code, "zammad.not_zammad");
    no_token_in(&d);
    let z = StandIn::start(zammad).await;
    let d = zammad_groups(&format!("{}/helpdesk", z.url), &token, None)
        .await
        .unwrap_err();
    assert_eq!(d.code, "zammad.not_zammad");
    assert!(d.detail.contains("HTTP 404"), "{}", d.detail);

    // HTTPS with a certificate from a CA only the extra CA setting trusts.
    let ca = Ca::new();
    let https = Https::start(ca.leaf(&["localhost"]), |_| 200).await;
    let url = format!("https://localhost:{}", https.port);
    let d = zammad_groups(&url, &token, None).await.unwrap_err();
    assert!(d.code.starts_with("net.tls"), "{d:#?}");
    no_token_in(&d);
    let d = zammad_groups(&url, &token, Some(&ca.pem))
        .await
        .unwrap_err();
    assert_eq!(d.code, "zammad.not_zammad", "trusted, and then not Zammad");

    // Nobody listening.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let d = zammad_groups(&format!("http://127.0.0.1:{port}"), &token, None)
        .await
        .unwrap_err();
    assert!(d.code.starts_with("net."), "{d:#?}");

    // The token is not sent in the clear to another host.
    let d = zammad_groups("http://helpdesk.example.com", &token, None)
        .await
        .unwrap_err();
    assert_eq!(d.field.as_deref(), Some("Helpdesk URL"));
}

#[tokio::test]
async fn a_server_that_ignores_the_page_ends_the_list() {
    let same = StandIn::start(|_, _| {
        let groups = json!([
            group(1, "Users", true),
            group(2, "Sales", true),
            group(3, "Old", false)
        ]);
        (200, "application/json", groups.to_string())
    })
    .await;
    let groups = zammad_groups(&same.url, &Secret::new(TOKEN), None)
        .await
        .unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Sales", "Users"]);
    assert_eq!(same.requests().len(), 2);
}
