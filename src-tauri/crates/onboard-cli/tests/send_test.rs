//! `send-test` and `fetch-test` over Graph against the simulated tenant, with an app-only token
//! from the environment; sent mail goes out through the simulator's SMTP sink.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use m365_sim::exchange::smtp_sink::SmtpSink;
use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::Value;
use std::process::Command;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
const SUPPORT: &str = "support@contoso.test";
const OUTSIDE: &str = "desk@fabrikam.test";

/// Runs the CLI as `mailbox` with `token`; the exit code and stdout and stderr together.
fn cli(sim: &RunningSim, mailbox: &str, args: &[&str], token: &str, json: bool) -> (i32, String) {
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
        .args(["--mailbox", mailbox, "--access-token-env", "GRAPH_TOKEN"])
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

/// An app-only Graph token (the demo app has Mail.Send and Mail.ReadWrite as application
/// permissions).
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
async fn send_test_sends_and_fetch_test_reads_with_exit_codes() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start_for(dir.path(), sim.sim.clone())
        .await
        .unwrap();
    sim.set_outgoing(([127, 0, 0, 1], sink.port).into());
    let token = app_token(&sim).await;

    let (code, text) = cli(
        &sim,
        SUPPORT,
        &["send-test", "--to", OUTSIDE],
        &token,
        false,
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("✓ Send a test mail"), "{text}");
    assert!(
        text.contains(&format!("Sent to {OUTSIDE} via 127.0.0.1")),
        "{text}"
    );
    let mail = sink.messages();
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains(&format!("From: {SUPPORT}\r\nTo: {OUTSIDE}\r\n")),
        "{}",
        mail[0]
    );
    assert!(
        mail[0].contains("Subject: M365 Onboarding test "),
        "{}",
        mail[0]
    );

    let (code, json) = cli(&sim, SUPPORT, &["send-test", "--to", OUTSIDE], &token, true);
    assert_eq!(code, 0, "{json}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["result"]["id"].as_str()),
        (Some(true), Some("send"))
    );

    // A recipient that is no address: exit 1, the field named, nothing sent.
    let (code, json) = cli(
        &sim,
        SUPPORT,
        &["send-test", "--to", "desk at fabrikam"],
        &token,
        true,
    );
    assert_eq!(code, 1, "{json}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["field"], "Test recipient");
    assert_eq!(v["result"]["status"], "failed");
    // A mailbox Graph does not know.
    let (code, text) = cli(&sim, "nobody@contoso.test", &["send-test"], &token, false);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("✗ Send a test mail"), "{text}");
    assert_eq!(sink.messages().len(), 2);

    let (code, json) = cli(&sim, SUPPORT, &["fetch-test"], &token, true);
    assert_eq!(code, 0, "{json}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["result"]["id"], "fetch");
    assert!(
        v["result"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("Newest: "),
        "{v}"
    );
    sink.stop();
    sim.stop().await;
}
