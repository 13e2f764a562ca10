//! `sign-in --flow device` and `profiles` against the simulated tenant: the test approves the
//! device code while the CLI waits; the mailbox is verified over Graph and kept as a profile.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";

fn cli(sim: &RunningSim, data: &Path) -> Command {
    let e = &sim.endpoints;
    let mut c = Command::new(env!("CARGO_BIN_EXE_m365-onboard"));
    c.args([
        "--json",
        "--authority-url",
        &e.authority,
        "--graph-url",
        &e.graph,
    ])
    .arg("--ca-file")
    .arg(&e.ca_file)
    .env("XDG_DATA_HOME", data)
    .env("M365_ONBOARD_SECRET_STORE", "memory")
    .env("HELPDESK_SECRET", SECRET)
    .kill_on_drop(true);
    c
}

/// Runs `sign-in --flow device`, approving the code as `upn`; returns the exit code and JSON.
async fn device_sign_in(sim: &RunningSim, data: &Path, upn: &str, extra: &[&str]) -> (i32, Value) {
    let mut child = cli(sim, data)
        .args(["sign-in", "--tenant", "contoso.test", "--client-id", APP])
        .args(["--client-secret-env", "HELPDESK_SECRET", "--flow", "device"])
        .args(["--channel", "graph-delegated"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let code = loop {
        let line = stderr
            .next_line()
            .await
            .unwrap()
            .expect("a device code on stderr");
        if let Some((_, rest)) = line.split_once("enter the code ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&sim.endpoints.ca_file).unwrap())
                .unwrap(),
        )
        .build()
        .unwrap();
    let res = http
        .post(format!("{}/_sim/device", sim.endpoints.authority))
        .json(&json!({ "user_code": code, "upn": upn, "decision": "approve" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    let status = child.wait().await.unwrap();
    (
        status.code().unwrap(),
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_code_sign_in_adds_a_verified_profile() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();

    let (code, out) = device_sign_in(
        &sim,
        data.path(),
        "alice@contoso.test",
        &["--shared", "support@contoso.test"],
    )
    .await;
    assert_eq!(code, 0, "{out:#}");
    let profile = &out["result"]["profile"];
    assert_eq!(profile["mailbox"]["address"], "support@contoso.test");
    assert_eq!(
        profile["mailbox"]["delegate"]["username"],
        "alice@contoso.test"
    );
    assert_eq!(profile["flow"], "device");
    assert_eq!(out["result"]["checks"][0]["status"], "ok");
    let files: Vec<_> = std::fs::read_dir(data.path().join("net.m365onboard.wizard/profiles"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);

    // The same mailbox again is refused, naming the profile.
    let (code, out) = device_sign_in(
        &sim,
        data.path(),
        "alice@contoso.test",
        &["--shared", "SUPPORT@contoso.test"],
    )
    .await;
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (1, Some("profile.duplicate"))
    );

    // Listed, then deleted.
    let list = cli(&sim, data.path())
        .arg("profiles")
        .output()
        .await
        .unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        list["result"]["profiles"][0]["name"],
        "support@contoso.test"
    );
    let del = cli(&sim, data.path())
        .args(["profiles", "--delete", "support@contoso.test"])
        .output()
        .await
        .unwrap();
    assert!(
        del.status.success(),
        "{}",
        String::from_utf8_lossy(&del.stdout)
    );
    assert_eq!(
        std::fs::read_dir(data.path().join("net.m365onboard.wizard/profiles"))
            .unwrap()
            .count(),
        0
    );
    sim.stop().await;
}
