//! A scripted onboarding with the CLI against the simulated tenant, each step its own process
//! sharing the OS keyring (a real Secret Service: run inside tests/with-session.sh, as `make
//! test` does): check-app, sign-in by device code, folders, count, then export in every format
//! and import back.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use serde_json::Value;
use std::path::Path;
use support::{cli, device_sign_in, APP, SECRET};

const SHARED: &str = "support@contoso.test";
const PASSPHRASE: &str = "correct horse battery staple";

/// An entry of the CLI's keyring, read with libsecret's own tool.
fn keyring(key: &str) -> String {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "m365-onboard", "username", key])
        .output()
        .expect("secret-tool (Debian libsecret-tools) is installed by make test");
    let value = String::from_utf8(out.stdout).unwrap();
    assert!(value.len() > 20, "no {key} in the keyring");
    value
}

/// Runs the CLI with `args`; the exit code and its JSON (stdout).
async fn run(sim: &RunningSim, data: &Path, args: &[&str]) -> (i32, Value) {
    let out = cli(sim, data)
        .args(args)
        .env("EXPORT_PASS", PASSPHRASE)
        .env("WRONG_PASS", "not the passphrase at all")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), json)
}

#[tokio::test(flavor = "multi_thread")]
async fn check_app_sign_in_folders_count_export_import() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the tests through `make test` (tests/with-session.sh)"
    );
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), demo_seed().unwrap())
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let out = tempfile::tempdir().unwrap();
    let file = |name: &str| out.path().join(name).to_str().unwrap().to_owned();

    let (code, v) = run(
        &sim,
        d,
        &[
            "check-app",
            "--tenant",
            "contoso.test",
            "--client-id",
            APP,
            "--client-secret-env",
            "HELPDESK_SECRET",
            "--channel",
            "graph-delegated",
        ],
    )
    .await;
    assert_eq!(code, 0, "{v:#}");

    let mut sign_in = cli(&sim, d);
    sign_in
        .args(["sign-in", "--tenant", "contoso.test", "--client-id", APP])
        .args(["--client-secret-env", "HELPDESK_SECRET", "--flow", "device"])
        .args(["--channel", "graph-delegated", "--shared", SHARED]);
    let (code, v) = device_sign_in(sign_in, &sim, "alice@contoso.test").await;
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["result"]["profile"]["name"], SHARED);
    let refresh_token = keyring(&format!("profile/{SHARED}/refresh-token"));

    // Each later step refreshes from the refresh token sign-in left in the keyring.
    let (code, v) = run(&sim, d, &["folders", "--profile", SHARED]).await;
    assert_eq!(code, 0, "{v:#}");
    let inquiries = v["result"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Inbox/Inquiries")
        .unwrap_or_else(|| panic!("{v:#}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, v) = run(
        &sim,
        d,
        &[
            "count",
            "--profile",
            SHARED,
            "--folder",
            "Inbox",
            "--before",
            "2026-11-15",
        ],
    )
    .await;
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        (
            v["result"]["before"].as_u64(),
            v["result"]["after"].as_u64()
        ),
        (Some(4), Some(4))
    );

    // Zammad, with the channel options given on the command line (and kept in the profile).
    let zammad = file("zammad.json");
    let (code, v) = run(
        &sim,
        d,
        &[
            "export",
            "--profile",
            SHARED,
            "--format",
            "zammad",
            "--out",
            &zammad,
            "--server",
            "zammad-graph",
            "--fqdn",
            "desk.example.com",
            "--folder",
            "Inbox/Inquiries",
            "--group",
            "Users",
            "--archive-before",
            "2026-11-15",
        ],
    )
    .await;
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["result"]["secrets"], "none");
    assert_eq!(v["result"]["files"][1], file("zammad.README.md"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&zammad).unwrap()).unwrap();
    let inbound = &doc["channel"]["options"]["inbound"]["options"];
    assert_eq!(
        inbound["folder_id"],
        inquiries.as_str(),
        "the id `folders` showed"
    );
    assert_eq!(inbound["shared_mailbox"], SHARED);
    assert_eq!(inbound["archive_before"], "2026-11-15T23:59:59Z");
    assert_eq!(doc["channel"]["group_id"], "Users");

    // The options stay: the env file needs no flags again.
    let env = file("m365.env");
    let (code, v) = run(
        &sim,
        d,
        &[
            "export",
            "--profile",
            SHARED,
            "--format",
            "env",
            "--out",
            &env,
        ],
    )
    .await;
    assert_eq!(code, 0, "{v:#}");
    let env_text = std::fs::read_to_string(&env).unwrap();
    assert!(
        env_text.contains(&format!("\nM365_FOLDER_ID={inquiries}\n")),
        "{env_text}"
    );
    assert!(env_text.contains("\nM365_MAILBOX=support@contoso.test\n"));

    // emailproxy needs the IMAP channel: refused with the fix, nothing written.
    let proxy = file("emailproxy.config");
    let (code, v) = run(
        &sim,
        d,
        &[
            "export",
            "--profile",
            SHARED,
            "--format",
            "emailproxy",
            "--out",
            &proxy,
        ],
    )
    .await;
    assert_eq!(
        (code, v["error"]["code"].as_str()),
        (1, Some("export.emailproxy_channel")),
        "{v:#}"
    );
    assert!(!Path::new(&proxy).exists());

    // Plain secrets need the second confirmation (a usage error without it).
    let (code, _) = run(
        &sim,
        d,
        &[
            "export",
            "--profile",
            SHARED,
            "--format",
            "json",
            "--out",
            &file("x.json"),
            "--plain-secrets",
        ],
    )
    .await;
    assert_eq!(code, 2);

    // The neutral JSON with the secrets sealed; no secret in any file written by default.
    let sealed = file("channel.json");
    let (code, v) = run(
        &sim,
        d,
        &[
            "export",
            "--profile",
            SHARED,
            "--format",
            "json",
            "--out",
            &sealed,
            "--include-secrets",
            "--passphrase-env",
            "EXPORT_PASS",
        ],
    )
    .await;
    assert_eq!(
        (code, v["result"]["secrets"].as_str()),
        (0, Some("encrypted")),
        "{v:#}"
    );
    for f in [&zammad, &file("zammad.README.md"), &env, &sealed] {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            !text.contains(SECRET) && !text.contains(&refresh_token),
            "{f}"
        );
    }

    // Deleted, then imported: the profile comes back with its sign-in.
    let (code, v) = run(&sim, d, &["profiles", "--delete", SHARED]).await;
    assert_eq!(code, 0, "{v:#}");
    let (code, v) = run(
        &sim,
        d,
        &["import", &sealed, "--passphrase-env", "WRONG_PASS"],
    )
    .await;
    assert_eq!(
        (code, v["error"]["code"].as_str()),
        (1, Some("import.wrong_passphrase")),
        "{v:#}"
    );
    let (code, v) = run(
        &sim,
        d,
        &["import", &sealed, "--passphrase-env", "EXPORT_PASS"],
    )
    .await;
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["result"]["profile"]["channel_setup"]["folder"]["id"],
        inquiries.as_str()
    );
    let (code, v) = run(&sim, d, &["folders", "--profile", SHARED]).await;
    assert_eq!(code, 0, "the imported refresh token works: {v:#}");

    let (code, _) = run(&sim, d, &["profiles", "--delete", SHARED]).await;
    assert_eq!(code, 0);
    sim.stop().await;
}
