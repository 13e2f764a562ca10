//! `preview` over Graph (the simulated tenant, an app-only token) and over IMAP (the real
//! Dovecot on the same mailboxes, alice's own token): the page table, the cursor, one message,
//! its raw MIME, and refusals with their exit code.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[allow(dead_code)]
#[path = "../../onboard/tests/support/mail.rs"]
mod mail;

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::Value;
use std::process::Command;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";

/// Runs the CLI with the token in `TOKEN`; exit code and stdout + stderr.
fn cli(endpoints: &[&str], args: &[&str], token: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_m365-onboard"))
        .args(endpoints)
        .args(args)
        .args(["--access-token-env", "TOKEN"])
        .env("TOKEN", token)
        .env("M365_ONBOARD_SECRET_STORE", "memory")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// An app-only Graph token (the demo app has Mail.ReadWrite as an application permission).
async fn app_token(sim: &RunningSim) -> String {
    let tenant = &demo_seed().unwrap().tenants[0].id;
    let ca = std::fs::read(&sim.endpoints.ca_file).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let body: Value = http
        .post(format!(
            "{}/{tenant}/oauth2/v2.0/token",
            sim.endpoints.authority
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn preview_over_graph_pages_shows_a_message_and_its_source() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let token = app_token(&sim).await;
    let ca = sim.endpoints.ca_file.to_str().unwrap();
    let at = [
        "--authority-url",
        &sim.endpoints.authority,
        "--graph-url",
        &sim.endpoints.graph,
        "--ca-file",
        ca,
    ];
    let support = ["--mailbox", "support@contoso.test", "--folder", "Inbox"];
    let run = |extra: &[&str], json: bool| {
        let mut args: Vec<&str> = if json { vec!["--json"] } else { vec![] };
        args.extend(["preview"].iter().chain(&support).chain(extra));
        cli(&at, &args, &token)
    };

    let (code, text) = run(&["--top", "5"], false);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("RECEIVED") && lines[0].contains("SUBJECT"),
        "{text}"
    );
    assert_eq!(
        lines.len(),
        1 + 5 + 2,
        "header, 5 rows, summary, next: {text}"
    );
    assert!(
        text.contains("5 messages") && text.contains("1 round trip"),
        "{text}"
    );
    let cursor = text
        .lines()
        .last()
        .unwrap()
        .strip_prefix("Next page: --cursor ")
        .unwrap();

    let (code, second) = run(&["--top", "5", "--cursor", cursor], true);
    assert_eq!(code, 0, "{second}");
    let second = json(&second);
    assert_eq!(
        second["result"]["messages"].as_array().unwrap().len(),
        3,
        "8 in all"
    );
    assert_eq!(second["result"]["next"], Value::Null);

    // msg_40, the second newest, has no headers at all: show the newest one with a subject.
    let (_, first) = run(&["--top", "5"], true);
    let first = json(&first);
    let newest = first["result"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] != "")
        .unwrap();
    let id = newest["id"].as_str().unwrap();
    let (code, shown) = run(&["--message", id], false);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains(&format!("Subject: {}", newest["subject"].as_str().unwrap())),
        "{shown}"
    );
    let (code, raw) = run(&["--message", id, "--raw"], false);
    assert_eq!(code, 0, "{raw}");
    assert!(
        raw.contains("MIME-Version") || raw.contains("Subject:"),
        "{raw}"
    );

    let (code, refused) = run(
        &[
            "--cursor",
            "https://evil.test/v1.0/me/mailFolders/inbox/messages",
        ],
        true,
    );
    assert_eq!(code, 1);
    assert_eq!(json(&refused)["error"]["code"], "preview.cursor");
    sim.stop().await;
}

/// The flags that point the CLI at the mail world's simulator and Dovecot, and the CA file they
/// name (kept while the flags are used).
fn endpoints(w: &mail::MailWorld) -> (Vec<String>, tempfile::NamedTempFile) {
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), &w.ca_pem).unwrap();
    let flags = [
        "--authority-url",
        &w.sim.endpoints.authority,
        "--graph-url",
        &w.sim.endpoints.graph,
        "--imap",
        &format!("127.0.0.1:{}", w.imaps),
        "--ca-file",
        ca.path().to_str().unwrap(),
    ];
    (flags.iter().map(|f| f.to_string()).collect(), ca)
}

#[tokio::test(flavor = "multi_thread")]
async fn preview_over_imap_reads_the_same_mailbox() {
    let w = mail::MailWorld::start().await;
    let token = w.outlook_token(mail::ALICE).await;
    let (at, _ca) = endpoints(&w);
    let at: Vec<&str> = at.iter().map(String::as_str).collect();
    let alice = [
        "preview",
        "--via",
        "imap",
        "--mailbox",
        mail::ALICE,
        "--folder",
        "INBOX",
    ];

    let (code, text) = cli(&at, &[&["--json"][..], &alice[..]].concat(), token.expose());
    assert_eq!(code, 0, "{text}");
    let page = json(&text);
    let messages = page["result"]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(page["result"]["round_trips"], 2, "EXAMINE and FETCH");
    assert_eq!(messages[0]["subject"], "64423");
    assert!(messages.iter().all(|m| m["size"].as_u64().unwrap() > 0));

    let id = messages[1]["id"].as_str().unwrap();
    let (code, shown) = cli(
        &at,
        &[&alice[..], &["--message", id]].concat(),
        token.expose(),
    );
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("Subject: Here is your dingus fish"),
        "{shown}"
    );
    assert!(shown.contains("Attachment: "), "{shown}");

    let stale = format!("1:{}", id.split_once(':').unwrap().1);
    let (code, refused) = cli(
        &at,
        &[&alice[..], &["--message", &stale]].concat(),
        token.expose(),
    );
    assert_eq!(code, 1);
    assert!(refused.contains("renumbered"), "{refused}");
    w.stop().await;
}

/// A mail whose images point at this computer, one of them at a live loopback server: with
/// `--remote-images` each is refused with its reason before any connection (the server sees no
/// request), in text and in `--json`.
#[tokio::test(flavor = "multi_thread")]
async fn preview_remote_images_refuses_this_computer_with_the_reason() {
    use m365_sim::tenant::mail_store::{SeedFolder, SeedMailbox, SeedMessage};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    // A loopback image server that counts what reaches it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&hits);
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = s.read(&mut [0u8; 2048]).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 3\r\nConnection: close\r\n\r\nPNG")
                .await;
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("images.eml");
    std::fs::write(
        &eml,
        format!(
            "From: Mallory <mallory@evil.test>\r\nTo: support@contoso.test\r\nSubject: Pictures\r\n\
             Date: Mon, 07 Dec 2026 10:00:00 +0000\r\nMessage-ID: <pictures@evil.test>\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
             <p>Look</p><img src=\"http://127.0.0.1:{port}/a.png\"><img src=\"http://0x7f.1/b.png\">\
             <img src=\"http://[::1]/c.png\">\r\n"
        ),
    )
    .unwrap();
    let mut seed = demo_seed().unwrap();
    seed.mailboxes
        .entry("support@contoso.test".into())
        .or_insert(SeedMailbox {
            folders: Vec::new(),
        })
        .folders
        .push(SeedFolder {
            name: "Pictures".into(),
            messages: vec![SeedMessage {
                eml: eml.clone(), // absolute: the seed's base folder does not apply
                received: "2026-12-07T10:00:00Z".parse().unwrap(),
                is_read: false,
            }],
            children: Vec::new(),
            hidden: false,
            generated: 0,
        });
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), seed)
        .await
        .unwrap();
    let token = app_token(&sim).await;
    let ca = sim.endpoints.ca_file.to_str().unwrap();
    let at = [
        "--authority-url",
        &sim.endpoints.authority,
        "--graph-url",
        &sim.endpoints.graph,
        "--ca-file",
        ca,
    ];
    let folder = ["--mailbox", "support@contoso.test", "--folder", "Pictures"];
    let run = |extra: &[&str], json: bool| {
        let mut args: Vec<&str> = if json { vec!["--json"] } else { vec![] };
        args.extend(["preview"].iter().chain(&folder).chain(extra));
        cli(&at, &args, &token)
    };
    let (code, page) = run(&[], true);
    assert_eq!(code, 0, "{page}");
    let id = json(&page)["result"]["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (code, blocked) = run(&["--message", &id], false);
    assert_eq!(code, 0, "{blocked}");
    assert!(blocked.contains("Remote images: 3 blocked"), "{blocked}");

    let (code, text) = run(&["--message", &id, "--remote-images"], false);
    assert_eq!(code, 0, "{text}");
    let expect = [
        format!("Remote image not loaded: http://127.0.0.1:{port}/a.png: points into your local network (127.0.0.1, this computer)"),
        "Remote image not loaded: http://0x7f.1/b.png: points into your local network (127.0.0.1, this computer)".to_owned(),
        "Remote image not loaded: http://[::1]/c.png: points into your local network (::1, this computer)".to_owned(),
    ];
    for line in &expect {
        assert!(text.contains(line.as_str()), "{line}\n---\n{text}");
    }

    let (code, out) = run(&["--message", &id, "--remote-images"], true);
    assert_eq!(code, 0, "{out}");
    let view = &json(&out)["result"];
    assert_eq!(view["remote_images"], 3);
    let summaries: Vec<&str> = view["remote_image_failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, ["points into your local network"; 3]);
    let html = view["html_sanitized"].as_str().unwrap();
    assert!(
        !html.contains("127.0.0.1") && !html.contains("data:image"),
        "{html}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing reached the loopback server"
    );
    sim.stop().await;
}

/// `preview --subject/--search/--has-attachments/--since/--all-folders` over IMAP (the real
/// Dovecot's `UID SEARCH` under `EXAMINE`) and Graph: each filter narrows to what it names,
/// nothing is marked read, and a bad day is refused naming the flag.
#[tokio::test(flavor = "multi_thread")]
async fn preview_searches_over_imap_and_graph() {
    let w = mail::MailWorld::start().await;
    let token = w.outlook_token(mail::ALICE).await;
    let (at, _ca) = endpoints(&w);
    let at: Vec<&str> = at.iter().map(String::as_str).collect();
    let alice = ["--json", "preview", "--via", "imap"];
    let search = |extra: &[&str]| {
        let (code, text) = cli(&at, &[&alice[..], extra].concat(), token.expose());
        (code, json(&text))
    };
    let search_alice = |extra: &[&str]| search(&[&["--mailbox", mail::ALICE][..], extra].concat());
    let subjects = |page: &Value| -> Vec<String> {
        page["result"]["messages"]
            .as_array()
            .unwrap_or_else(|| panic!("{page:#}"))
            .iter()
            .map(|h| h["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = search_alice(&["--folder", "INBOX"]).1;

    let (code, page) = search_alice(&["--folder", "INBOX", "--subject", "dingus"]);
    assert_eq!(code, 0, "{page:#}");
    assert_eq!(subjects(&page), ["Here is your dingus fish"]);
    let (_, page) = search_alice(&["--folder", "INBOX", "--has-attachments"]);
    assert!(
        subjects(&page).contains(&"Here is your dingus fish".to_owned()),
        "{page:#}"
    );
    assert!(!subjects(&page).contains(&"64423".to_owned()), "{page:#}");
    let (_, page) = search_alice(&["--folder", "INBOX", "--since", "2100-01-01"]);
    assert_eq!(subjects(&page), Vec::<String>::new());
    let (_, page) = search_alice(&["--all-folders", "--search", "dingus"]);
    assert!(
        subjects(&page).contains(&"Here is your dingus fish".to_owned()),
        "{page:#}"
    );
    // support@'s nested folders, through alice's Full Access: every folder, each hit's named.
    let support = [
        "--mailbox",
        mail::SUPPORT,
        "--delegate",
        mail::ALICE,
        "--all-folders",
    ];
    let (code, page) = search(&[&support[..], &["--since", "2000-01-01", "--top", "50"]].concat());
    assert_eq!(code, 0, "{page:#}");
    let mut folders: Vec<&str> = page["result"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["folder"].as_str().unwrap())
        .collect();
    folders.dedup();
    assert!(folders.len() > 1, "{page:#}");
    assert!(
        page["result"]["folders_searched"].as_u64().unwrap() > 1,
        "{page:#}"
    );

    let (code, refused) = search_alice(&["--folder", "INBOX", "--since", "2026-13-01"]);
    assert_eq!(code, 1);
    assert_eq!(refused["error"]["code"], "search.date", "{refused:#}");

    // Read-only: the folder lists as before, unread marks included.
    let after = search_alice(&["--folder", "INBOX"]).1;
    assert_eq!(after["result"]["messages"], before["result"]["messages"]);

    // Graph (app-only): the newest subject's first word finds it, and only matching mail.
    let gtoken = app_token(&w.sim).await;
    let graph = [
        "--json",
        "preview",
        "--mailbox",
        mail::SUPPORT,
        "--folder",
        "Inbox",
    ];
    let run = |extra: &[&str]| {
        let (code, text) = cli(&at, &[&graph[..], extra].concat(), &gtoken);
        (code, json(&text))
    };
    let (code, listed) = run(&["--top", "5"]);
    assert_eq!(code, 0, "{listed:#}");
    let newest = listed["result"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"].as_str().is_some_and(|s| s.len() > 3))
        .unwrap()
        .clone();
    let word = newest["subject"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let (code, found) = run(&["--subject", word]);
    assert_eq!(code, 0, "{found:#}");
    let hits = found["result"]["messages"].as_array().unwrap();
    assert!(hits.iter().any(|h| h["id"] == newest["id"]), "{found:#}");
    let lower = word.to_lowercase();
    assert!(
        hits.iter().all(|h| h["subject"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains(&lower)),
        "{found:#}"
    );
    w.stop().await;
}
