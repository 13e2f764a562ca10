//! `renew-credential` against the simulated tenant, with the profile's secrets in the real
//! keyring (tests/with-session.sh) as between two runs of the CLI: the plan, then --apply (the
//! new secret printed once, kept, proven, the export written again, the profile checked), the
//! doctor content, then --remove-old for the replaced secret only.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::Value;
use std::path::Path;

const ALICE: &str = "alice@contoso.test";
/// An app of its own: a renewal replaces the keyring's secret of the app, which the other
/// tests' profiles (of the demo app) must keep.
const APP: &str = "7e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

fn seed() -> m365_sim::Seed {
    let mut seed = demo_seed().unwrap();
    let mut app = seed.tenants[0].apps[0].clone();
    app.client_id = APP.into();
    app.display_name = "Helpdesk mail (renewal test)".into();
    app.object_id = None;
    app.secrets[0].id = "5b8e9f0a-1c2d-4e3f-9a4b-6c7d8e9f0a1b".into();
    seed.tenants[0].apps.push(app);
    seed
}

/// `renew-credential --profile ALICE` with `args`, the admin (alice) approving the device code.
async fn renew(sim: &RunningSim, data: &Path, args: &[&str]) -> (i32, Value) {
    let mut cmd = support::cli(sim, data);
    cmd.args(["renew-credential", "--profile", ALICE])
        .args(args);
    support::device_sign_in(cmd, sim, ALICE).await
}

async fn json_of(cmd: &mut tokio::process::Command) -> (i32, Value) {
    let out = cmd.output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (out.status.code().unwrap(), v)
}

#[tokio::test(flavor = "multi_thread")]
async fn renew_credential_plans_applies_and_removes_the_old_secret_last() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), seed())
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut sign_in = support::cli(&sim, data.path());
    sign_in
        .args(["sign-in", "--tenant", "contoso.test", "--client-id", APP])
        .args(["--client-secret-env", "HELPDESK_SECRET", "--flow", "device"])
        .args(["--channel", "graph-delegated"]);
    let (code, out) = support::device_sign_in(sign_in, &sim, ALICE).await;
    assert_eq!(code, 0, "{out:#}");
    let file = data.path().join("channel.json");
    let (code, out) = json_of(
        support::cli(&sim, data.path())
            .args(["export", "--profile", ALICE, "--format", "json", "--out"])
            .arg(&file)
            .args(["--plain-secrets", "--yes-write-plain-secrets"]),
    )
    .await;
    assert_eq!(code, 0, "{out:#}");

    // The plan: the kept secret, the export to write again, nothing changed yet.
    let (code, planned) = renew(&sim, data.path(), &["--secret-months", "6"]).await;
    assert_eq!(code, 0, "{planned:#}");
    let plan = &planned["result"]["plan"];
    let old = plan["current"]["key_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{planned:#}"))
        .to_owned();
    assert_eq!(old, "5b8e9f0a-1c2d-4e3f-9a4b-6c7d8e9f0a1b");
    assert_eq!(plan["exports"][0]["action"], "rewrite");
    assert!(planned["result"]["renewed"].is_null() && planned["result"].get("secret").is_none());
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains(support::SECRET));

    // Applied: a new secret, printed once, in the rewritten export, and the profile healthy.
    let (code, applied) = renew(&sim, data.path(), &["--secret-months", "6", "--apply"]).await;
    assert_eq!(code, 0, "{applied:#}");
    let secret = applied["result"]["secret"].as_str().unwrap();
    let renewed = &applied["result"]["renewed"];
    assert_ne!(renewed["secret_id"], old);
    assert_eq!(renewed["old"]["key_id"], old);
    assert_eq!(renewed["proof"]["status"], "ok", "{renewed:#}");
    assert_eq!(renewed["health"][0]["status"], "OK", "{renewed:#}");
    assert!(!renewed.to_string().contains(secret), "the value only once");
    let rewritten = std::fs::read_to_string(&file).unwrap();
    assert!(rewritten.contains(secret) && !rewritten.contains(support::SECRET));
    let (code, health) =
        json_of(support::cli(&sim, data.path()).args(["doctor", "--profile", ALICE])).await;
    assert_eq!(code, 0, "{health:#}");
    let ids: Vec<&str> = health["profiles"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"exports"), "{ids:?}");

    // The kept secret is refused for removal; the old one goes.
    let new_id = renewed["secret_id"].as_str().unwrap();
    let (code, refused) = renew(&sim, data.path(), &["--remove-old", new_id]).await;
    assert_eq!(
        (code, refused["error"]["code"].as_str()),
        (1, Some("renew.removes_kept")),
        "{refused:#}"
    );
    let (code, removed) = renew(&sim, data.path(), &["--remove-old", &old]).await;
    assert_eq!(code, 0, "{removed:#}");
    assert_eq!(removed["result"]["removed"]["key_id"], old);
    let (code, health) =
        json_of(support::cli(&sim, data.path()).args(["doctor", "--profile", ALICE])).await;
    assert_eq!(code, 0, "{health:#}");
    sim.stop().await;
}
