//! The CLI against the simulated tenant: the command with the simulator's URLs and CA, and a
//! device-code sign-in whose code the test approves through the simulator's control API.
#![allow(dead_code)]

use m365_sim::RunningSim;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

pub const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
pub const SECRET: &str = "sandbox~secret-value-not-for-production-0001";

/// `m365-onboard --json` pointed at the simulator, with its profiles under `data` and the app's
/// secret in `HELPDESK_SECRET`.
pub fn cli(sim: &RunningSim, data: &Path) -> Command {
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
    .env("HELPDESK_SECRET", SECRET)
    .kill_on_drop(true);
    c
}

/// `m365-onboard` without a simulator: profiles under `data`, secrets in memory, and no
/// browser. Mailbox reads need an access token from the environment or a profile.
pub fn offline(data: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_m365-onboard"));
    c.env("XDG_DATA_HOME", data)
        .env("M365_ONBOARD_SECRET_STORE", "memory")
        .env("M365_ONBOARD_BROWSER", "false");
    c
}

/// Runs `sign-in` (which must have `--flow device`), approving the code as `upn`; returns the
/// exit code and the JSON.
pub async fn device_sign_in(mut cmd: Command, sim: &RunningSim, upn: &str) -> (i32, Value) {
    let mut child = cmd
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
    let res = http(sim)
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

/// An HTTP client that trusts the simulator's CA.
pub fn http(sim: &RunningSim) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&sim.endpoints.ca_file).unwrap())
                .unwrap(),
        )
        .build()
        .unwrap()
}
