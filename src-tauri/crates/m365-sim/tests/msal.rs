//! Microsoft's own client library (MSAL Python, installed by `make test`) talks to the simulator:
//! OpenID discovery over HTTPS, client credentials, the authorization code flow (302 Found to the
//! redirect URI, PKCE, state, nonce) and a refresh, and the device code flow, with ID-token checks;
//! and Microsoft's Graph SDK for Python reads a mailbox app-only.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use support::*;

#[tokio::test]
async fn msal_python_gets_tokens_from_the_simulator() {
    let t = TestSim::start().await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/msal/msal_check.py");
    let (authority, ca) = (
        t.sim.endpoints.authority.clone(),
        t.sim.endpoints.ca_file.clone(),
    );
    // MSAL blocks while it polls; the simulator keeps serving on this runtime meanwhile.
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .args([
            authority.as_str(),
            ca.to_str().unwrap(),
            "contoso.test",
            APP,
            APP_SECRET,
            PUBLIC_APP,
            "alice@contoso.test",
        ])
        .output()
        .await
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "MSAL: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["client_credentials"], "Bearer");
    assert_eq!(got["auth_code"], "alice@contoso.test");
    assert_eq!(
        (&got["refreshed"], &got["rotated"]),
        (&"Bearer".into(), &true.into())
    );
    assert_eq!(got["device"], "Bearer");
    assert_eq!(got["preferred_username"], "alice@contoso.test");
    assert_eq!(got["tid"], TENANT);
    assert_eq!(got["refresh_token"], true);
    t.stop().await;
}

#[tokio::test]
async fn msgraph_sdk_reads_a_mailbox_app_only() {
    let t = TestSim::start().await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/msal/msgraph_check.py");
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .args([
            t.sim.endpoints.authority.as_str(),
            t.sim.endpoints.graph.as_str(),
            t.sim.endpoints.ca_file.to_str().unwrap(),
            TENANT,
            APP,
            APP_SECRET,
            "support@contoso.test",
        ])
        .output()
        .await
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "msgraph-sdk: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["folders"], serde_json::json!(["Inbox"]), "{got}");
    let subjects = got["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 2, "{got}");
    assert!(subjects.contains(&"64423".into()), "{got}");
    // Graph's error envelope, parsed by the SDK into its ODataError.
    assert_eq!(
        got["error"],
        serde_json::json!({"status": 404, "code": "ErrorInvalidUser"})
    );
    t.stop().await;
}
