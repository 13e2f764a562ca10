//! OpenID discovery through the core's HTTP client against the simulator over HTTPS.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use onboard::identity::discover_tenant;
use support::sim::sim_cloud;

#[tokio::test]
async fn a_verified_domain_resolves_to_the_tenant_guid() {
    let (sim, cloud) = sim_cloud().await;
    let info = discover_tenant(&cloud, "contoso.test").await.unwrap();
    assert_eq!(info.tenant_id, "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e");
    assert_eq!(
        info.token_endpoint,
        format!("{}/contoso.test/oauth2/v2.0/token", sim.endpoints.authority)
    );
    sim.stop().await;
}

#[tokio::test]
async fn an_unknown_tenant_is_diagnosed_on_the_tenant_field() {
    let (sim, cloud) = sim_cloud().await;
    let d = discover_tenant(&cloud, "fabrikam.test").await.unwrap_err();
    assert_eq!(
        (d.code.as_str(), d.field.as_deref()),
        ("aadsts.90002", Some("Tenant"))
    );
    assert!(d.detail.contains("AADSTS90002"), "{}", d.detail);
    // Discovery answers `invalid_tenant` (not the token endpoint's invalid_request): the code
    // still picks the specific cause and fix, not a generic OAuth error.
    assert_eq!(d.title, "The tenant is not found");
    assert!(
        d.fix.contains("verified domain") && d.fix.contains("national cloud"),
        "{}",
        d.fix
    );
    sim.stop().await;
}

#[tokio::test]
async fn the_simulators_ca_is_trusted_only_when_given() {
    let (sim, mut cloud) = sim_cloud().await;
    cloud.extra_ca_pem = None;
    let d = discover_tenant(&cloud, "contoso.test").await.unwrap_err();
    assert_eq!(d.code, "net.tls", "{d:?}");
    sim.stop().await;
}
