//! Microsoft's own client library (MSAL Python, installed by `make test`) talks to the simulator:
//! OpenID discovery over HTTPS, client credentials, and the device code flow with ID-token checks.
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
    assert_eq!(got["device"], "Bearer");
    assert_eq!(got["preferred_username"], "alice@contoso.test");
    assert_eq!(got["tid"], TENANT);
    assert_eq!(got["refresh_token"], true);
    t.stop().await;
}
