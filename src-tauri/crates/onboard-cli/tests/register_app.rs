//! `register-app` against the simulated tenant: the admin approves the device code while the CLI
//! waits, the app is created with --apply, its secret is printed once and works; a second run
//! without --apply finds nothing to do.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::{json, Value};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

const TENANT: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the CLI, approves its device code as alice when it prints it, and collects the output.
async fn run_approved(sim: &RunningSim, http: &reqwest::Client, extra: &[&str]) -> Run {
    let e = &sim.endpoints;
    let mut child = Command::new(env!("CARGO_BIN_EXE_m365-onboard"))
        .args(["register-app", "--tenant", TENANT, "--name", "CLI test app"])
        .args(["--server", "zammad-graph", "--fqdn", "help.contoso.test"])
        .args(["--channel", "graph-application"])
        .args(["--authority-url", &e.authority, "--graph-url", &e.graph])
        .arg("--ca-file")
        .arg(&e.ca_file)
        .args(extra)
        .env("M365_ONBOARD_SECRET_STORE", "memory")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    let user_code = loop {
        let line = stderr
            .next_line()
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no device code on stderr: {seen}"));
        seen.push_str(&line);
        seen.push('\n');
        if let Some((_, rest)) = line.split_once("enter the code ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let res = http
        .post(format!("{}/_sim/device", e.authority))
        .json(
            &json!({ "user_code": user_code, "upn": "alice@contoso.test", "decision": "approve" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .await
        .unwrap();
    while let Some(line) = stderr.next_line().await.unwrap() {
        seen.push_str(&line);
        seen.push('\n');
    }
    let status = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait())
        .await
        .unwrap()
        .unwrap();
    Run {
        code: status.code(),
        stdout,
        stderr: seen,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_app_creates_the_app_then_finds_nothing_to_do() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let ca = std::fs::read(&sim.endpoints.ca_file).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();

    let first = run_approved(&sim, &http, &["--apply", "--json"]).await;
    assert_eq!(first.code, Some(0), "{}\n{}", first.stdout, first.stderr);
    let out: Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(out["ok"], true);
    let result = &out["result"];
    assert_eq!(result["plan"]["changes"].as_array().unwrap().len(), 4);
    assert_eq!(
        result["plan"]["desired"]["web_redirect_uris"],
        json!([
            "https://help.contoso.test/api/v1/external_credentials/microsoft_graph/callback",
            "http://localhost"
        ])
    );
    let applied = &result["applied"];
    assert_eq!(applied["tenant_id"], TENANT);
    assert!(applied["secret"]["secret_id"].is_string());
    assert!(
        applied["secret"].get("value").is_none(),
        "the value is only under `secret`"
    );
    let secret = result["secret"].as_str().unwrap();
    assert_eq!(first.stdout.matches(secret).count(), 1, "printed once");
    assert!(!first.stderr.contains(secret));

    // The printed secret is the app's: client credentials succeed with it.
    let client_id = applied["client_id"].as_str().unwrap();
    let res = http
        .post(format!(
            "{}/{TENANT}/oauth2/v2.0/token",
            sim.endpoints.authority
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let second = run_approved(&sim, &http, &[]).await;
    assert_eq!(second.code, Some(0), "{}\n{}", second.stdout, second.stderr);
    assert!(
        second
            .stdout
            .contains("Found the existing app “CLI test app”")
            && second.stdout.contains("Nothing to do"),
        "{}",
        second.stdout
    );
    assert!(!second.stdout.contains("Client secret"));
    sim.stop().await;
}
