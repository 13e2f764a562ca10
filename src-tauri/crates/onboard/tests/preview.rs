//! The read-only preview over Graph against the simulator, the message detail on the real mail
//! corpus and on hostile input, and the fetch test.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use onboard::message::view::MAX_MIME_DEPTH;
use onboard::{
    catalog::CheckStatus,
    mailbox::{graph_fetch_test, graph_message_page, graph_raw_message},
    message::{attachment_bytes, parse_message},
};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::sim::{app_graph_token, sim_cloud};

const ALICE: &str = "alice@contoso.test";

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn pages_come_newest_first_and_the_cursor_continues_them() {
    let (sim, cloud) = sim_cloud().await;
    let token = app_graph_token(&cloud).await;

    let first = graph_message_page(&cloud, &token, ALICE, "inbox", 2, None)
        .await
        .unwrap();
    assert_eq!(first.round_trips, 1);
    assert_eq!(first.messages.len(), 2);
    let cursor = first.next.clone().expect("a second page");
    let second = graph_message_page(&cloud, &token, ALICE, "inbox", 2, Some(&cursor))
        .await
        .unwrap();
    assert_eq!(second.round_trips, 1);
    assert_eq!(second.next, None);

    // Alice's Inbox (seeds/demo.json): three messages, newest on 2026-10-02.
    let all: Vec<_> = first.messages.iter().chain(&second.messages).collect();
    let received: Vec<&str> = all.iter().map(|m| m.received.as_str()).collect();
    assert_eq!(
        received,
        [
            "2026-10-02T08:15:00Z",
            "2026-09-20T14:02:00Z",
            "2026-08-11T09:30:00Z"
        ]
    );
    assert!(!all[0].is_read && all[1].is_read);
    assert!(all[1].has_attachments, "msg_07 has image attachments");
    assert!(all.iter().all(|m| !m.id.is_empty() && !m.from.is_empty()));
    let ids: std::collections::HashSet<_> = all.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), 3);
    // The size, an extended property over Graph, on both pages (the cursor keeps the $expand).
    for m in &all {
        let raw = graph_raw_message(&cloud, &token, ALICE, &m.id)
            .await
            .unwrap();
        assert_eq!(m.size, Some(raw.len() as u64), "{}", m.subject);
    }

    // One GET per page, each with the selected fields and the order.
    let log = sim.sim.log.lock().unwrap().clone();
    let lists: Vec<_> = log
        .iter()
        .filter(|e| e.path.ends_with("/mailFolders/inbox/messages"))
        .collect();
    assert_eq!(lists.len(), 2);
    let q = lists[0].query.as_deref().unwrap_or_default();
    assert!(
        q.contains("$select=id,from,subject,receivedDateTime,hasAttachments,isRead"),
        "{q}"
    );
    assert!(
        q.contains("$orderby=receivedDateTime%20desc") && q.contains("$top=2"),
        "{q}"
    );
    assert!(
        q.contains(
            "$expand=singleValueExtendedProperties($filter=id%20eq%20%27Integer%200x0E08%27)"
        ),
        "{q}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_cursor_that_points_elsewhere_is_refused_before_any_request() {
    let (sim, cloud) = sim_cloud().await;
    let token = app_graph_token(&cloud).await;
    // A listener that would see the token if the cursor were followed.
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let port = trap.local_addr().unwrap().port();
    for cursor in [
        format!("https://127.0.0.1:{port}/v1.0/users/{ALICE}/mailFolders/inbox/messages?$skip=2"),
        format!(
            "{}@127.0.0.1:{port}/v1.0/me/mailFolders/inbox/messages",
            cloud.graph
        ),
        format!("{}/v1.0/users/{ALICE}/sendMail", cloud.graph),
    ] {
        let e = graph_message_page(&cloud, &token, ALICE, "inbox", 2, Some(&cursor))
            .await
            .unwrap_err();
        assert_eq!(e.code, "preview.cursor", "{cursor}");
    }
    assert_eq!(
        trap.accept().unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "nothing connected to the trap"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_preview_session_sends_only_gets() {
    let (sim, cloud) = sim_cloud().await;
    let token = app_graph_token(&cloud).await;
    sim.sim.log.lock().unwrap().clear();

    let page = graph_message_page(&cloud, &token, ALICE, "inbox", 50, None)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 3);
    for m in &page.messages {
        let raw = graph_raw_message(&cloud, &token, ALICE, &m.id)
            .await
            .unwrap();
        let view = parse_message(&raw, false);
        assert!(!view.headers.is_empty(), "{}", m.subject);
        for a in &view.attachments {
            let (name, _, bytes) = attachment_bytes(&raw, a.index).unwrap();
            assert_eq!(
                (name.as_str(), bytes.len() as u64),
                (a.name.as_str(), a.size)
            );
        }
    }
    let step = graph_fetch_test(&cloud, &token, ALICE).await;
    assert_eq!(step.status, CheckStatus::Ok);

    let log = sim.sim.log.lock().unwrap().clone();
    assert!(log.len() >= 5, "{log:?}");
    let not_get: Vec<_> = log.iter().filter(|e| e.method != "GET").collect();
    assert!(not_get.is_empty(), "{not_get:?}");
    // And the read flags are as seeded: the preview marked nothing read.
    let after = graph_message_page(&cloud, &token, ALICE, "inbox", 50, None)
        .await
        .unwrap();
    assert_eq!(after.messages, page.messages);
    sim.stop().await;
}

#[tokio::test]
async fn the_fetch_test_reads_the_newest_inbox_header() {
    let (sim, cloud) = sim_cloud().await;
    let token = app_graph_token(&cloud).await;
    let newest = graph_message_page(&cloud, &token, ALICE, "inbox", 1, None)
        .await
        .unwrap()
        .messages
        .remove(0);
    let step = graph_fetch_test(&cloud, &token, ALICE).await;
    assert_eq!(step.status, CheckStatus::Ok, "{step:?}");
    assert_eq!(
        step.detail,
        format!(
            "Newest: {} from {} (2026-10-02T08:15:00Z)",
            newest.subject, newest.from
        )
    );
    let refused = graph_fetch_test(&cloud, &token, "nobody@contoso.test").await;
    assert_eq!(refused.status, CheckStatus::Failed);
    assert!(refused.diagnosis.is_some());
    sim.stop().await;
}

#[test]
fn every_corpus_message_parses_and_the_malformed_ones_say_so() {
    let files = corpus();
    assert_eq!(files.len(), 18);
    for f in &files {
        let raw = std::fs::read(f).unwrap();
        let view = parse_message(&raw, false);
        let name = f.file_name().unwrap().to_string_lossy();
        assert_eq!(view.raw_size, raw.len() as u64);
        assert!(
            view.text.as_deref().is_some_and(|t| !t.trim().is_empty())
                || view.html_sanitized.is_some()
                || !view.attachments.is_empty(),
            "{name} shows nothing"
        );
        // msg_40 has no From, Date or Subject at all: that is said, not left blank.
        assert!(
            view.headers.iter().any(|(k, _)| k == "From") || !view.notices.is_empty(),
            "{name}: {:?}",
            view.headers
        );
        for a in &view.attachments {
            assert!(
                attachment_bytes(&raw, a.index).is_some(),
                "{name} #{}",
                a.index
            );
        }
    }
    // One corpus message by file name, parsed as the preview does.
    let corpus_view = |name: &str| {
        let file = files.iter().find(|f| f.ends_with(name)).unwrap();
        parse_message(&std::fs::read(file).unwrap(), false)
    };
    // msg_15: multipart without a usable boundary.
    let broken = corpus_view("cpython-msg_15.eml");
    assert!(!broken.notices.is_empty());
    assert!(broken.text.is_some());
    // msg_40 is HTML only; msg_07 carries images.
    let html = corpus_view("cpython-msg_40.eml");
    assert!(html.html_sanitized.is_some());
    let images = corpus_view("cpython-msg_07.eml");
    assert!(images
        .attachments
        .iter()
        .any(|a| a.content_type.starts_with("image/")));
    // thirdparty-019: Thunderbird's HTML shows its embedded PNG (multipart/related, cid:).
    let related = corpus_view("mailparser-thirdparty-019.eml");
    let html = related.html_sanitized.unwrap();
    assert!(
        html.contains(r#"<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQ"#),
        "{html}"
    );
    assert_eq!(related.remote_images, 0);
}

const HOSTILE: &str = "From: Mallory <mallory@evil.test>\r
To: alice@contoso.test\r
Subject: Hostile\r
Date: Mon, 2 Nov 2026 10:00:00 +0000\r
MIME-Version: 1.0\r
Content-Type: text/html; charset=utf-8\r
\r
<html><head><meta http-equiv=\"refresh\" content=\"0;url=http://canary/refresh\"><script>alert('canary')</script></head>\r
<body onload=\"alert(1)\"><p style=\"background:url(http://canary/bg)\">Hello <b style=\"color:red\">Alice</b></p>\r
<a href=\"javascript:alert(1)\">click</a> <a href=\"https://example.test/ok\">ok</a>\r
<form action=\"http://canary/form\"><input name=\"pw\"></form>\r
<iframe src=\"http://canary/frame\"></iframe>\r
<img src=\"http://canary/x.png\" alt=\"pixel\" onerror=\"alert(2)\">\r
</body></html>\r
";

#[test]
fn hostile_html_is_defused_and_the_remote_image_blocked() {
    let view = parse_message(HOSTILE.as_bytes(), false);
    let html = view.html_sanitized.unwrap();
    for bad in [
        "<script",
        "alert",
        "onload",
        "onerror",
        "javascript:",
        "<form",
        "<input",
        "<iframe",
        "url(",
        "<meta",
        "refresh",
        "canary",
    ] {
        assert!(!html.to_ascii_lowercase().contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("Hello") && html.contains("Alice"), "{html}");
    assert!(html.contains("color:red"), "harmless styles stay: {html}");
    assert!(html.contains("https://example.test/ok"), "{html}");
    assert_eq!(view.remote_images, 1);

    let allowed = parse_message(HOSTILE.as_bytes(), true);
    let html = allowed.html_sanitized.unwrap();
    assert!(html.contains("src=\"http://canary/x.png\""), "{html}");
    assert_eq!(allowed.remote_images, 0);
    for bad in ["<script", "onerror", "<iframe", "url(", "<meta"] {
        assert!(!html.to_ascii_lowercase().contains(bad), "{bad} in {html}");
    }
}

fn nested(levels: usize) -> Vec<u8> {
    let mut out = String::from("From: a@example.test\r\nSubject: Nested\r\nMIME-Version: 1.0\r\n");
    for i in 0..levels {
        out.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    out.push_str("Content-Type: text/plain\r\n\r\ndeep inside\r\n");
    for i in (0..levels).rev() {
        out.push_str(&format!("--b{i}--\r\n"));
    }
    out.into_bytes()
}

#[test]
fn deeply_nested_multipart_neither_panics_nor_hangs() {
    for levels in [MAX_MIME_DEPTH, 200, 5_000] {
        let raw = nested(levels);
        let started = Instant::now();
        let view = parse_message(&raw, false);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{levels} levels"
        );
        assert!(
            view.text.is_some_and(|t| t.contains("deep inside")),
            "{levels}"
        );
        if levels > MAX_MIME_DEPTH {
            assert!(!view.notices.is_empty());
        }
        assert_eq!(attachment_bytes(&raw, 0).map(|a| a.0), None);
    }
}
