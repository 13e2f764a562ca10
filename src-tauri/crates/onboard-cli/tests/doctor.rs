//! `doctor` against the simulated tenant: a healthy profile, then each way a channel breaks after
//! day one as the simulator produces it, with the status, exit code and fix the doctor reports.
//! The profile's tokens live in the real keyring (tests/with-session.sh), as between two runs of
//! the CLI they must.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::Value;
use std::path::Path;

const ALICE: &str = "alice@contoso.test";
const SUPPORT: &str = "support@contoso.test";

async fn doctor(sim: &RunningSim, data: &Path, args: &[&str]) -> (i32, String) {
    let out = support::cli(sim, data)
        .arg("doctor")
        .args(args)
        .output()
        .await
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), text)
}

async fn report(sim: &RunningSim, data: &Path, args: &[&str]) -> (i32, Value) {
    let (code, text) = doctor(sim, data, args).await;
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (code, v)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["profiles"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} check: {report:#}"))
}

/// Alice signs in by device code (Graph, delegated) for her mailbox or the one `extra` names.
async fn sign_in(sim: &RunningSim, data: &Path, extra: &[&str]) {
    let mut cmd = support::cli(sim, data);
    cmd.args([
        "sign-in",
        "--tenant",
        "contoso.test",
        "--client-id",
        support::APP,
    ])
    .args(["--client-secret-env", "HELPDESK_SECRET", "--flow", "device"])
    .args(["--channel", "graph-delegated"])
    .args(extra);
    let (code, out) = support::device_sign_in(cmd, sim, ALICE).await;
    assert_eq!(code, 0, "{out:#}");
}

/// The demo tenant, except that its helpdesk app may read its own registration
/// (Application.Read.All), so the secret's expiry date is known.
fn seed() -> m365_sim::Seed {
    let mut seed = demo_seed().unwrap();
    seed.tenants[0].apps[0]
        .application
        .push("Application.Read.All".into());
    seed
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_reports_each_failure_with_its_exit_code_and_fix() {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), seed())
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    sign_in(&sim, data.path(), &[]).await;

    // Healthy: every check OK, the secret's days left measured (it expires 2027-06-30).
    let (code, healthy) = report(&sim, data.path(), &["--profile", ALICE]).await;
    assert_eq!(
        (code, healthy["status"].as_str()),
        (0, Some("OK")),
        "{healthy:#}"
    );
    assert_eq!(healthy["schema"], "m365-onboard/doctor/1");
    let ids: Vec<&str> = healthy["profiles"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "tenant",
            "app",
            "secret-expiry",
            "token",
            "permissions",
            "graph-mailbox"
        ]
    );
    let days = check(&healthy, "secret-expiry")["values"]["days_left"]
        .as_i64()
        .unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339("2027-06-30T00:00:00Z").unwrap();
    let expected = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert_eq!(days, expected);
    // Kept for the wizard's Health view and its expiry banner, with the measured days.
    let kept: Value = serde_json::from_slice(
        &std::fs::read(data.path().join("net.m365onboard.wizard/last-health.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(kept[ALICE], healthy["profiles"][0], "{kept:#}");
    let (code, line) = doctor(
        &sim,
        data.path(),
        &["--profile", ALICE, "--format", "nagios"],
    )
    .await;
    assert_eq!(code, 0, "{line}");
    assert!(
        line.starts_with("M365 ONBOARD OK - 1 of 1 profiles OK | profiles=1;;;0"),
        "{line}"
    );
    assert!(
        line.contains(&format!("'{ALICE}_days_left'={days};30;0")),
        "{line}"
    );

    // The fleet: every profile, each reported; a shared mailbox through the same delegate.
    sign_in(&sim, data.path(), &["--shared", SUPPORT]).await;
    let (code, fleet) = report(&sim, data.path(), &["--all"]).await;
    assert_eq!(
        (code, fleet["status"].as_str()),
        (0, Some("OK")),
        "{fleet:#}"
    );
    let mut names: Vec<&str> = fleet["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, [ALICE, SUPPORT]);
    let delete = support::cli(&sim, data.path())
        .args(["profiles", "--delete", SUPPORT])
        .output()
        .await
        .unwrap();
    assert!(delete.status.success());

    // The secret inside the admin's warning window: WARNING, exit 1, with the fix.
    let window = (days + 10).to_string();
    let (code, soon) = report(
        &sim,
        data.path(),
        &["--profile", ALICE, "--warn-days", &window],
    )
    .await;
    assert_eq!(
        (code, soon["status"].as_str()),
        (1, Some("WARNING")),
        "{soon:#}"
    );
    let expiry = check(&soon, "secret-expiry");
    assert_eq!(expiry["code"], "secret.expires_soon");
    assert!(
        expiry["fix"]
            .as_str()
            .unwrap()
            .contains("Create a new client secret"),
        "{expiry}"
    );

    // The channel's folder renamed away on the server: CRITICAL, exit 2.
    let file = data
        .path()
        .join("net.m365onboard.wizard/profiles")
        .join(format!("{ALICE}.json"));
    let mut profile: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    profile["channel_setup"] = serde_json::json!({
        "server": "zammad-graph",
        "callback_url": "https://helpdesk.contoso.test/api/v1/external_credentials/microsoft_graph/callback",
        "group": "Users",
        "folder": { "id": "AAMkAD-renamed-away", "path": "Inbox/Tickets" },
        "keep_on_server": true,
        "archive": null
    });
    std::fs::write(&file, profile.to_string()).unwrap();
    let (code, gone) = report(&sim, data.path(), &["--profile", ALICE]).await;
    assert_eq!(
        (code, gone["status"].as_str()),
        (2, Some("CRITICAL")),
        "{gone:#}"
    );
    let folder = check(&gone, "folder");
    assert_eq!(folder["code"], "health.folder_gone");
    assert!(
        folder["cause"].as_str().unwrap().contains("Inbox/Tickets"),
        "{folder}"
    );
    let (code, text) = doctor(&sim, data.path(), &["--profile", ALICE, "--format", "text"]).await;
    assert_eq!(code, 2);
    assert!(text.contains("CRITICAL alice@contoso.test"), "{text}");
    assert!(text.contains("Fix: Choose the folder again"), "{text}");

    // 91 days without use: Microsoft refuses the refresh token (AADSTS700082), CRITICAL.
    profile["channel_setup"] = Value::Null;
    std::fs::write(&file, profile.to_string()).unwrap();
    let clock = support::http(&sim)
        .post(format!("{}/_sim/clock", sim.endpoints.authority))
        .json(&serde_json::json!({ "offset_secs": 91 * 86_400 }))
        .send()
        .await
        .unwrap();
    assert!(clock.status().is_success());
    let (code, stale) = report(&sim, data.path(), &["--profile", ALICE]).await;
    assert_eq!(
        (code, stale["status"].as_str()),
        (2, Some("CRITICAL")),
        "{stale:#}"
    );
    let token = check(&stale, "token");
    assert!(
        token["cause"].as_str().unwrap().contains("AADSTS700082"),
        "{token}"
    );
    assert!(
        token["fix"].as_str().unwrap().contains("Sign in"),
        "{token}"
    );

    // A profile that does not exist cannot be checked: UNKNOWN, exit 3.
    let (code, none) = report(&sim, data.path(), &["--profile", "nobody@contoso.test"]).await;
    assert_eq!(
        (code, none["status"].as_str()),
        (3, Some("UNKNOWN")),
        "{none:#}"
    );

    let delete = support::cli(&sim, data.path())
        .args(["profiles", "--delete", ALICE])
        .output()
        .await
        .unwrap();
    assert!(delete.status.success());
    sim.stop().await;
}
