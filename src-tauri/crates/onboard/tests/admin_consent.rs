//! The admin consent step against the simulated tenant: the system browser is the simulator's
//! player (`m365-sim-browser`), which signs in and answers the consent page.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::player::{play, Person};
use onboard::{app_registration::capture_admin_consent, catalog::Diagnosis};
use std::time::Duration;
use support::sim::sim_cloud;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const TENANT_ID: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";

/// A browser that plays `person` against the simulator, in the background as a real one would.
fn browser(person: Person) -> impl FnOnce(&str) -> Result<(), Diagnosis> {
    move |url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move { play(&url, &person).await });
        Ok(())
    }
}

fn alice(password: &str, decision: &str) -> Person {
    Person {
        user: "alice@contoso.test".into(),
        password: password.into(),
        decision: decision.into(),
    }
}

#[tokio::test]
async fn consent_is_captured_on_loopback_and_refusals_are_explained() {
    let (sim, cloud) = sim_cloud().await;
    let wait = Duration::from_secs(20);
    let never = std::future::pending;

    let open = browser(alice("sandbox-alice", "accept"));
    let granted = capture_admin_consent(&cloud, "contoso.test", APP, open, wait, never())
        .await
        .unwrap();
    assert_eq!(granted.tenant_id, TENANT_ID);

    let open = browser(alice("sandbox-alice", "decline"));
    let declined = capture_admin_consent(&cloud, "contoso.test", APP, open, wait, never())
        .await
        .unwrap_err();
    assert_eq!(declined.code, "aadsts.65004", "{declined:?}");

    // A wrong password leaves the browser on the sign-in page: nothing comes back.
    let open = browser(alice("wrong", "accept"));
    let d = capture_admin_consent(
        &cloud,
        "contoso.test",
        APP,
        open,
        Duration::from_secs(2),
        never(),
    )
    .await
    .unwrap_err();
    assert_eq!(d.code, "loopback.timeout");
    sim.stop().await;
}
