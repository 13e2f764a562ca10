//! `folders` and `count` over Graph against the simulated tenant, with an app-only token from
//! the environment; and `folders` over IMAP against the real Dovecot, which needs no SMTP server.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[allow(dead_code)]
#[path = "../../onboard/tests/support/mail.rs"]
mod mail;

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use std::process::Command;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
const SUPPORT: &str = "support@contoso.test";

fn cli(sim: &RunningSim, args: &[&str], token: &str, json: bool) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_m365-onboard"));
    if json {
        cmd.arg("--json");
    }
    let out = cmd
        .args(["--authority-url", &sim.endpoints.authority])
        .args(["--graph-url", &sim.endpoints.graph])
        .arg("--ca-file")
        .arg(&sim.endpoints.ca_file)
        .args(args)
        .args(["--mailbox", SUPPORT, "--access-token-env", "GRAPH_TOKEN"])
        .env("GRAPH_TOKEN", token)
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

/// An app-only Graph token (the demo app has Mail.ReadWrite as an application permission).
async fn app_token(sim: &RunningSim) -> String {
    let seed = demo_seed().unwrap();
    let tenant = &seed.tenants[0].id;
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&sim.endpoints.ca_file).unwrap())
                .unwrap(),
        )
        .build()
        .unwrap();
    let body: serde_json::Value = http
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
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn folders_prints_the_tree_and_count_the_archive_split() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let token = app_token(&sim).await;

    let (code, text) = cli(&sim, &["folders"], &token, false);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("\nArchive  (3, "), "{text}");
    assert!(
        text.contains("\n    Tech-Support  (2, "),
        "nested, indented: {text}"
    );

    let (code, json) = cli(&sim, &["folders"], &token, true);
    assert_eq!(code, 0, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let inbox = &v["result"][0];
    assert_eq!(inbox["path"], "Inbox");
    assert_eq!(
        inbox["children"][0]["children"][0]["path"],
        "Inbox/Inquiries/Tech-Support"
    );

    let args = ["count", "--folder", "Inbox", "--before", "2026-11-15"];
    let (code, json) = cli(&sim, &args, &token, true);
    assert_eq!(code, 0, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (
            v["result"]["before"].as_u64(),
            v["result"]["after"].as_u64()
        ),
        (Some(4), Some(4)),
        "{v}"
    );

    let (code, text) = cli(&sim, &["count", "--folder", "Inbox/Nowhere"], &token, false);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("is gone") || text.contains("not found"),
        "{text}"
    );
    sim.stop().await;
}

/// Only the endpoint a command uses is checked: the IMAP tree over Dovecot's plain port with
/// `--tls none` works although the default SMTP server (smtp.office365.com) would not be allowed
/// without TLS; `--imap-tls` says the same for IMAP alone, and `--smtp-tls none` for a remote
/// SMTP host does not stop an IMAP command either.
#[tokio::test(flavor = "multi_thread")]
async fn an_imap_command_checks_only_the_imap_endpoint() {
    let w = mail::MailWorld::start().await;
    let token = w.outlook_token(mail::ALICE).await;
    let imap = format!("127.0.0.1:{}", w.imap);
    let folders = |tls: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_m365-onboard"))
            .args(["--json", "--authority-url", &w.sim.endpoints.authority])
            .args(["--imap", &imap])
            .args(tls)
            .args(["folders", "--via", "imap", "--mailbox", mail::ALICE])
            .args(["--access-token-env", "IMAP_TOKEN"])
            .env("IMAP_TOKEN", token.expose())
            .env("M365_ONBOARD_SECRET_STORE", "memory")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code().unwrap(), text)
    };
    for tls in [
        &["--tls", "none"][..],
        &["--imap-tls", "none"],
        &["--imap-tls", "none", "--smtp-tls", "none"],
    ] {
        let (code, text) = folders(tls);
        assert_eq!(code, 0, "{tls:?}: {text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["result"][0]["path"], "INBOX", "{tls:?}: {v}");
    }
    // The flag for the other protocol does not reach IMAP: the default (implicit TLS) on the
    // plain port fails, and the error is about the IMAP server.
    let (code, text) = folders(&["--smtp-tls", "none"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("127.0.0.1"), "{text}");
    w.stop().await;
}
