//! The app registration step's live checks against the simulated tenant: each AADSTS path the
//! client-credentials probe can meet, the secret's expiry, and the checklist from the token.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use chrono::{Duration, Utc};
use m365_sim::sandbox::demo_seed;
use m365_sim::tenant::seed::{SecretSeed, Seed};
use onboard::{
    app_registration::{check_app, AppCheck, AppInput},
    catalog::CheckStatus,
    cloud::Cloud,
    identity::ChannelKind,
};
use support::sim::sim_cloud_with;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
const TENANT_ID: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";
/// An app that may read its own registration, with a secret about to expire.
const READER: &str = "1a2b3c4d-0000-4000-8000-00000000000a";
const READER_SECRET: &str = "rdr8Q~expiring-soon-secret-value-000000000";
/// An app whose only secret has expired.
const EXPIRED: &str = "1a2b3c4d-0000-4000-8000-00000000000b";
const EXPIRED_SECRET: &str = "exp8Q~expired-secret-value-0000000000000000";

fn seed() -> Seed {
    let mut seed = demo_seed().unwrap();
    let apps = &mut seed.tenants[0].apps;
    let mut reader = apps[0].clone();
    reader.client_id = READER.into();
    reader.display_name = "Reader".into();
    reader.object_id = None;
    reader.application = vec!["Mail.ReadWrite".into(), "Application.Read.All".into()];
    reader.secrets = vec![SecretSeed {
        id: "2b3c4d5e-0000-4000-8000-00000000000a".into(),
        value: READER_SECRET.into(),
        expires: Utc::now() + Duration::days(10) + Duration::hours(1),
        display_name: Some("helpdesk".into()),
        start: None,
    }];
    let mut expired = reader.clone();
    expired.client_id = EXPIRED.into();
    expired.display_name = "Expired".into();
    expired.secrets[0].value = EXPIRED_SECRET.into();
    expired.secrets[0].expires = Utc::now() - Duration::days(2);
    apps.extend([reader, expired]);
    seed
}

async fn check(
    cloud: &Cloud,
    client_id: &str,
    tenant: &str,
    secret: Option<&str>,
    channel: ChannelKind,
) -> AppCheck {
    let fields = AppInput {
        client_id: client_id.into(),
        tenant: tenant.into(),
        client_secret: secret.map(Into::into),
    }
    .parse()
    .unwrap();
    check_app(cloud, &fields, channel, None).await
}

fn statuses(c: &AppCheck) -> Vec<(&str, CheckStatus)> {
    c.steps.iter().map(|s| (s.id.as_str(), s.status)).collect()
}

/// The code of the diagnosis on the failed step.
fn failure(c: &AppCheck) -> (String, Option<String>) {
    let d = c
        .steps
        .iter()
        .find_map(|s| s.diagnosis.clone())
        .unwrap_or_else(|| panic!("no diagnosis in {c:?}"));
    (d.code, d.field)
}

#[tokio::test]
async fn the_sandbox_app_passes_and_its_roles_fill_the_checklist() {
    let (sim, cloud) = sim_cloud_with(seed()).await;
    let c = check(
        &cloud,
        APP,
        "contoso.test",
        Some(SECRET),
        ChannelKind::GraphApplication,
    )
    .await;
    assert!(c.ok(), "{c:#?}");
    assert_eq!(c.tenant.as_ref().unwrap().tenant_id, TENANT_ID);
    assert!(c.steps[0].detail.contains(TENANT_ID));
    // The helpdesk app may not read its own registration: the expiry is unknown, not an error.
    assert_eq!(statuses(&c)[2], ("secret-expiry", CheckStatus::Skipped));
    assert!(
        c.checklist.iter().all(|p| p.granted == Some(true)),
        "{:?}",
        c.checklist
    );
    assert!(c
        .permissions_page
        .ends_with(&format!("/CallAnAPI/appId/{APP}")));

    // Delegated channels cannot be verified by an app-only token.
    let d = check(
        &cloud,
        APP,
        TENANT_ID,
        Some(SECRET),
        ChannelKind::GraphDelegated,
    )
    .await;
    assert!(d.ok());
    assert!(d.checklist.iter().all(|p| p.granted.is_none()));
    sim.stop().await;
}

#[tokio::test]
async fn a_secret_close_to_expiry_warns_and_missing_roles_show() {
    let (sim, cloud) = sim_cloud_with(seed()).await;
    let c = check(
        &cloud,
        READER,
        "contoso.test",
        Some(READER_SECRET),
        ChannelKind::GraphApplication,
    )
    .await;
    assert!(c.ok(), "{c:#?}");
    let expiry = c.secret_expiry.as_ref().unwrap();
    assert_eq!(
        (expiry.days_left, expiry.key_id.as_str()),
        (10, "2b3c4d5e-0000-4000-8000-00000000000a")
    );
    let step = &c.steps[2];
    assert_eq!(step.status, CheckStatus::Warning);
    let w = step.diagnosis.as_ref().unwrap();
    assert_eq!(w.code, "secret.expires_soon");
    assert!(w
        .docs_url
        .as_deref()
        .unwrap()
        .contains("/Credentials/appId/"));
    let granted = |n: &str| {
        c.checklist
            .iter()
            .find(|p| p.permission.name == n)
            .unwrap()
            .granted
    };
    assert_eq!(granted("Mail.ReadWrite"), Some(true));
    assert_eq!(granted("Mail.Send"), Some(false));
    assert_eq!(granted("User.Read.All"), Some(false));
    sim.stop().await;
}

#[tokio::test]
async fn each_refusal_of_the_probe_has_its_own_diagnosis() {
    let (sim, cloud) = sim_cloud_with(seed()).await;
    let graph = ChannelKind::GraphDelegated;
    let cases = [
        // Wrong secret value.
        (
            APP,
            "contoso.test",
            "abc8Q~not-the-right-secret",
            "aadsts.7000215",
        ),
        // The secret has expired.
        (EXPIRED, "contoso.test", EXPIRED_SECRET, "aadsts.7000222"),
        // No such app in the tenant.
        (
            "9f9f9f9f-0000-4000-8000-000000000000",
            "contoso.test",
            SECRET,
            "aadsts.700016",
        ),
        // A single-tenant app asked for through /organizations.
        (APP, "organizations", SECRET, "aadsts.50194"),
    ];
    for (app, tenant, secret, code) in cases {
        let c = check(&cloud, app, tenant, Some(secret), graph).await;
        assert_eq!(failure(&c).0, code, "{c:#?}");
        assert_eq!(statuses(&c)[1], ("app", CheckStatus::Failed));
        assert_eq!(statuses(&c)[2], ("secret-expiry", CheckStatus::Skipped));
        let shown = serde_json::to_string(&c).unwrap();
        assert!(!shown.contains(secret), "the secret leaked: {shown}");
    }
    // An unknown tenant stops before the app is tried.
    let c = check(&cloud, APP, "fabrikam.test", Some(SECRET), graph).await;
    assert_eq!(failure(&c), ("aadsts.90002".into(), Some("Tenant".into())));
    assert_eq!(
        statuses(&c),
        [
            ("tenant", CheckStatus::Failed),
            ("app", CheckStatus::Skipped),
            ("secret-expiry", CheckStatus::Skipped)
        ]
    );
    // Without a secret only the tenant is checked.
    let c = check(&cloud, APP, "contoso.test", None, graph).await;
    assert_eq!(statuses(&c)[1], ("app", CheckStatus::Skipped));
    assert!(!c.ok());
    sim.stop().await;
}
