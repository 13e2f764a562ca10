//! `check-app` and `consent-url` against the simulated tenant.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use std::process::Command;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";

fn cli(sim: &RunningSim, args: &[&str], secret: &str) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_m365-onboard"))
        .args(["--json", "--authority-url", &sim.endpoints.authority])
        .args(["--graph-url", &sim.endpoints.graph])
        .arg("--ca-file")
        .arg(&sim.endpoints.ca_file)
        .args(args)
        .env("HELPDESK_SECRET", secret)
        .env("M365_ONBOARD_SECRET_STORE", "memory")
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

#[tokio::test(flavor = "multi_thread")]
async fn check_app_reports_each_step_and_the_checklist() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let args = [
        "check-app",
        "--tenant",
        "contoso.test",
        "--client-id",
        APP,
        "--client-secret-env",
        "HELPDESK_SECRET",
        "--channel",
        "graph-application",
    ];
    let (code, json) = cli(&sim, &args, SECRET);
    assert_eq!(code, 0, "{json:#}");
    let steps: Vec<_> = json["result"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["ok", "ok", "skipped"]);
    assert!(json["result"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["granted"] == true));

    let (code, json) = cli(&sim, &args, "abc8Q~wrong-secret");
    assert_eq!(code, 1);
    assert_eq!(
        json["result"]["steps"][1]["diagnosis"]["code"],
        "aadsts.7000215"
    );
    assert!(!json.to_string().contains("abc8Q~wrong-secret"));

    // An offline mistake is refused before anything is sent.
    let (code, json) = cli(&sim, &args, "8e2b5f8a-1c9d-4e3f-a2b1-c0d9e8f7a6b5");
    assert_eq!(
        (code, json["error"]["code"].as_str()),
        (1, Some("client_secret.secret_id"))
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn consent_url_is_built_for_the_cloud() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let (code, json) = cli(
        &sim,
        &[
            "consent-url",
            "--tenant",
            "contoso.test",
            "--client-id",
            APP,
            "--redirect-uri",
            "http://localhost",
            "--state",
            "s1",
        ],
        "",
    );
    assert_eq!(code, 0);
    let url = json["result"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/contoso.test/v2.0/adminconsent?client_id={APP}",
            sim.endpoints.authority
        )),
        "{url}"
    );
    assert!(url.ends_with("&redirect_uri=http%3A%2F%2Flocalhost&state=s1"));
    let (code, json) = cli(
        &sim,
        &[
            "consent-url",
            "--tenant",
            "alice@contoso.test",
            "--client-id",
            APP,
            "--redirect-uri",
            "x",
        ],
        "",
    );
    assert_eq!((code, json["error"]["field"].as_str()), (1, Some("Tenant")));
    sim.stop().await;
}

#[test]
fn mail_server_flags_are_checked_before_anything_is_sent() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_m365-onboard"))
            .arg("--json")
            .args(args)
            .args(["check-app", "--tenant", "contoso.test", "--client-id", APP])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            out.status.code().unwrap(),
            json["error"]["field"].as_str().map(str::to_owned),
        )
    };
    assert_eq!(run(&["--tls", "ssl3"]), (1, Some("--tls".into())));
    assert_eq!(run(&["--imap-tls", "ssl3"]), (1, Some("--imap-tls".into())));
    assert_eq!(run(&["--smtp", "no-port"]), (1, Some("SMTP server".into())));
}
