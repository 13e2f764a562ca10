//! `sign-in --flow device` and `profiles` against the simulated tenant: the test approves the
//! device code while the CLI waits; the mailbox is verified over Graph and kept as a profile.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::Value;
use std::path::Path;
use support::APP;
use tokio::process::Command;

/// The CLI with its secrets in memory (each run forgets them).
fn cli(sim: &RunningSim, data: &Path) -> Command {
    let mut c = support::cli(sim, data);
    c.env("M365_ONBOARD_SECRET_STORE", "memory");
    c
}

/// Runs `sign-in --flow device`, approving the code as `upn`; returns the exit code and JSON.
async fn device_sign_in(sim: &RunningSim, data: &Path, upn: &str, extra: &[&str]) -> (i32, Value) {
    let mut cmd = cli(sim, data);
    cmd.args(["sign-in", "--tenant", "contoso.test", "--client-id", APP])
        .args(["--client-secret-env", "HELPDESK_SECRET", "--flow", "device"])
        .args(["--channel", "graph-delegated"])
        .args(extra);
    support::device_sign_in(cmd, sim, upn).await
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

    // The same mailbox again is refused before anyone signs in, naming the profile.
    let again = cli(&sim, data.path())
        .args(["sign-in", "--tenant", "contoso.test", "--client-id", APP])
        .args(["--flow", "device", "--shared", "SUPPORT@contoso.test"])
        .output()
        .await
        .unwrap();
    let out: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (again.status.code(), out["error"]["code"].as_str()),
        (Some(1), Some("profile.duplicate"))
    );
    assert!(!String::from_utf8_lossy(&again.stderr).contains("enter the code"));

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
