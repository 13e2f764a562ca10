//! Every AADSTS path the issue lists, produced by conditions in the seed (plus the clock), not by
//! flags: each test sets up the condition the way a real tenant would have it.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use support::*;

const OUTLOOK: &str = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access openid";

async fn client_credentials(
    t: &TestSim,
    tenant: &str,
    client: &str,
    secret: &str,
) -> (u16, serde_json::Value) {
    t.client_credentials(
        tenant,
        client,
        secret,
        "https://graph.microsoft.com/.default",
    )
    .await
}

#[tokio::test]
async fn unknown_tenant_90002_and_malformed_tenant_900023() {
    let t = TestSim::start().await;
    let (status, body) = client_credentials(&t, "nosuch.example", APP, APP_SECRET).await;
    assert_eq!((status, code_of(&body)), (400, 90002));
    assert_eq!(body["error"], "invalid_request");
    assert_envelope_names(&body, "nosuch.example");
    // Discovery says `invalid_tenant`, the device code endpoint `invalid_request`, /authorize
    // shows the error on its page (the app's redirect URI cannot be trusted yet).
    for (path, error) in [
        ("v2.0/.well-known/openid-configuration", "invalid_tenant"),
        ("discovery/v2.0/keys", "invalid_tenant"),
    ] {
        let res = t
            .http
            .get(t.url(&format!("/nosuch.example/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(
            (body["error"].as_str(), code_of(&body)),
            (Some(error), 90002),
            "{path}"
        );
        assert_envelope_names(&body, "nosuch.example");
    }
    let res = t
        .http
        .post(t.url("/nosuch.example/oauth2/v2.0/devicecode"))
        .form(&[("client_id", APP), ("scope", "Mail.ReadWrite")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (body["error"].as_str(), code_of(&body)),
        (Some("invalid_request"), 90002)
    );
    let page = t
        .authorize(
            "nosuch.example",
            &[("client_id", APP), ("response_type", "code")],
        )
        .await;
    assert_eq!(
        (page.status, page.location.as_deref()),
        (400, None),
        "{page:?}"
    );
    assert!(page.body.contains("AADSTS90002"), "{}", page.body);
    let (_, body) = client_credentials(&t, "not_a_tenant", APP, APP_SECRET).await;
    assert_eq!(code_of(&body), 900023);
    t.stop().await;
}

/// Microsoft's envelope: the description names the tenant and carries the ids and the time, and
/// every field of shared/reference/microsoft/token_error_reference_sample_with_error_uri.json.
fn assert_envelope_names(body: &serde_json::Value, tenant: &str) {
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS90002: Tenant '{tenant}' not found.")),
        "{description}"
    );
    for part in ["\r\nTrace ID: ", "\r\nCorrelation ID: ", "\r\nTimestamp: "] {
        assert!(description.contains(part), "{part:?} in {description}");
    }
    let sample = sample("token_error_reference_sample_with_error_uri.json");
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(body), keys(&sample));
    assert_eq!(
        body["error_uri"],
        "https://login.microsoftonline.com/error?code=90002"
    );
}

#[tokio::test]
async fn app_not_in_tenant_700016() {
    let t = TestSim::start().await;
    let (status, body) = client_credentials(&t, OTHER_TENANT, APP, APP_SECRET).await;
    assert_eq!((status, code_of(&body)), (400, 700016));
    assert_eq!(body["error"], "unauthorized_client");
    t.stop().await;
}

#[tokio::test]
async fn wrong_secret_7000215_secret_id_too_and_expired_secret_7000222() {
    let t = TestSim::start().await;
    let (status, body) = client_credentials(&t, TENANT, APP, "wrong").await;
    assert_eq!((status, code_of(&body)), (401, 7000215));
    assert_eq!(body["error"], "invalid_client");
    // The secret's ID instead of its value is the classic mistake; Microsoft answers the same.
    let (_, body) = client_credentials(&t, TENANT, APP, APP_SECRET_ID).await;
    assert_eq!(code_of(&body), 7000215);
    let (status, body) = client_credentials(&t, TENANT, APP, EXPIRED_SECRET).await;
    assert_eq!((status, code_of(&body)), (401, 7000222));
    t.stop().await;
}

#[tokio::test]
async fn redirect_mismatch_50011_is_a_page_not_a_redirect() {
    let t = TestSim::start().await;
    let step = t
        .authorize(
            TENANT,
            &[
                ("client_id", APP),
                ("response_type", "code"),
                ("redirect_uri", "https://evil.example/cb"),
                ("scope", "openid"),
                ("login_hint", "alice@contoso.test"),
            ],
        )
        .await;
    assert_eq!(step.status, 400);
    assert!(step.location.is_none());
    assert!(step.body.contains("AADSTS50011"), "{}", step.body);
    t.stop().await;
}

#[tokio::test]
async fn consent_required_65001_without_interaction() {
    let t = TestSim::start().await;
    let step = t
        .authorize(
            TENANT,
            &[
                ("client_id", UNCONSENTED_APP),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "Mail.ReadWrite offline_access"),
                ("login_hint", "alice@contoso.test"),
                ("prompt", "none"),
                ("state", "s1"),
            ],
        )
        .await;
    let p = step.redirect_params();
    assert_eq!(p["error"], "consent_required");
    assert!(p["error_description"].starts_with("AADSTS65001:"), "{p:?}");
    assert_eq!(p["state"], "s1");
    t.stop().await;
}

#[tokio::test]
async fn admin_consent_required_90094_for_a_user_under_the_tenant_policy() {
    let t = TestSim::start().await;
    let p = t
        .authorize(
            OTHER_TENANT,
            &[
                ("client_id", STRICT_APP),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "Mail.ReadWrite offline_access"),
                ("login_hint", "erin@fabrikam.test"),
            ],
        )
        .await
        .redirect_params();
    assert_eq!(p["error"], "access_denied");
    assert!(p["error_description"].starts_with("AADSTS90094:"), "{p:?}");
    t.stop().await;
}

#[tokio::test]
async fn user_declined_65004_on_the_consent_page() {
    let t = TestSim::start().await;
    let login = t
        .authorize(
            "contoso.test",
            &[
                ("client_id", UNCONSENTED_APP),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "Mail.ReadWrite"),
                ("state", "s2"),
            ],
        )
        .await;
    assert_eq!(login.status, 200);
    let consent = t
        .post_form(
            "/contoso.test/login",
            &[
                ("flow", &login.flow()),
                ("username", "bob@contoso.test"),
                ("password", "bob-pw"),
            ],
        )
        .await;
    assert!(
        consent.body.contains("Permissions requested"),
        "{}",
        consent.body
    );
    let done = t
        .post_form(
            "/contoso.test/consent",
            &[("flow", &consent.flow()), ("decision", "decline")],
        )
        .await;
    let p = done.redirect_params();
    assert_eq!(
        (
            p["error"].as_str(),
            p["error_subcode"].as_str(),
            p["state"].as_str()
        ),
        ("access_denied", "cancel", "s2")
    );
    assert!(p["error_description"].starts_with("AADSTS65004:"), "{p:?}");
    t.stop().await;
}

#[tokio::test]
async fn pkce_mismatch_501481_and_code_reuse_54005() {
    let t = TestSim::start().await;
    let code = t
        .code_for(
            TENANT,
            APP,
            "alice@contoso.test",
            OUTLOOK,
            "verifier-one-verifier-one-verifier-one-43ch",
        )
        .await;
    let redeem = |verifier: &'static str, code: String| {
        let t = &t;
        async move { t.redeem(&code, verifier).await }
    };
    let (status, body) = redeem("a-different-verifier-a-different-verifier-xx", code.clone()).await;
    assert_eq!((status, code_of(&body)), (400, 501481));
    let code = t
        .code_for(
            TENANT,
            APP,
            "alice@contoso.test",
            OUTLOOK,
            "verifier-two-verifier-two-verifier-two-43ch",
        )
        .await;
    let (status, body) = redeem("verifier-two-verifier-two-verifier-two-43ch", code.clone()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = redeem("verifier-two-verifier-two-verifier-two-43ch", code).await;
    assert_eq!((status, code_of(&body)), (400, 54005));
    t.stop().await;
}

#[tokio::test]
async fn client_credentials_on_common_9001023_and_single_tenant_app_on_common_50194() {
    let t = TestSim::start().await;
    let (_, body) = client_credentials(&t, "common", APP, APP_SECRET).await;
    assert_eq!(code_of(&body), 9001023);
    let page = t
        .authorize(
            "common",
            &[
                ("client_id", APP),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("login_hint", "alice@contoso.test"),
            ],
        )
        .await;
    assert!(page.body.contains("AADSTS50194"), "{}", page.body);
    let (_, body) = t
        .token(
            "organizations",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", APP),
                ("client_secret", APP_SECRET),
                ("refresh_token", "x"),
                ("scope", "openid"),
            ],
        )
        .await;
    assert_eq!(code_of(&body), 50194);
    t.stop().await;
}

#[tokio::test]
async fn public_client_with_secret_700025_and_confidential_without_7000218() {
    let t = TestSim::start().await;
    let (status, body) = t
        .token(
            TENANT,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", PUBLIC_APP),
                ("client_secret", "anything"),
                ("refresh_token", "x"),
            ],
        )
        .await;
    assert_eq!((status, code_of(&body)), (401, 700025));
    let (status, body) = t
        .token(
            TENANT,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", APP),
                ("refresh_token", "x"),
            ],
        )
        .await;
    assert_eq!((status, code_of(&body)), (401, 7000218));
    t.stop().await;
}

async fn refresh_token(t: &TestSim, user: &str) -> String {
    let verifier = "refresh-verifier-refresh-verifier-refresh-ve";
    let code = t.code_for(TENANT, APP, user, OUTLOOK, verifier).await;
    let (status, body) = t.redeem(&code, verifier).await;
    assert_eq!(status, 200, "{body}");
    body["refresh_token"].as_str().unwrap().to_owned()
}

async fn refresh(t: &TestSim, rt: &str) -> (u16, serde_json::Value) {
    t.token(
        TENANT,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", APP),
            ("client_secret", APP_SECRET),
            ("refresh_token", rt),
            ("scope", OUTLOOK),
        ],
    )
    .await
}

#[tokio::test]
async fn refresh_after_90_days_of_inactivity_700082() {
    let t = TestSim::start().await;
    let rt = refresh_token(&t, "alice@contoso.test").await;
    t.clock(89 * 86_400).await;
    let (status, body) = refresh(&t, &rt).await;
    assert_eq!(status, 200, "used within 90 days: {body}");
    t.clock(89 * 86_400 + 91 * 86_400).await;
    let (status, body) = refresh(&t, &rt).await;
    assert_eq!((status, code_of(&body)), (400, 700082));
    assert_eq!(body["error"], "invalid_grant");
    t.stop().await;
}

#[tokio::test]
async fn grant_revoked_by_a_password_change_50173() {
    let t = TestSim::start().await;
    // Carol changed her password on 2026-01-01 (seed): a token from before that is revoked.
    let before_change = chrono::DateTime::parse_from_rfc3339("2025-12-01T00:00:00Z")
        .unwrap()
        .timestamp()
        - chrono::Utc::now().timestamp();
    t.clock(before_change).await;
    let rt = refresh_token(&t, "carol@contoso.test").await;
    t.clock(0).await;
    let (status, body) = refresh(&t, &rt).await;
    assert_eq!((status, code_of(&body)), (400, 50173));
    // Signing in again after the change works.
    let fresh = refresh_token(&t, "carol@contoso.test").await;
    assert_eq!(refresh(&t, &fresh).await.0, 200);
    t.stop().await;
}

#[tokio::test]
async fn personal_account_is_refused() {
    let t = TestSim::start().await;
    let page = t
        .authorize(
            TENANT,
            &[
                ("client_id", APP),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("login_hint", "dave@outlook.test"),
            ],
        )
        .await;
    assert!(
        page.body.contains("AADSTS50020") && page.body.contains("live.com"),
        "{}",
        page.body
    );
    let page = t
        .authorize(
            "organizations",
            &[
                ("client_id", MULTI_APP),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("login_hint", "dave@outlook.test"),
            ],
        )
        .await;
    assert!(page.body.contains("AADSTS500200"), "{}", page.body);
    t.stop().await;
}

#[tokio::test]
async fn device_flow_pending_declined_expired() {
    let t = TestSim::start().await;
    let start = || async {
        let res = t
            .http
            .post(t.url(&format!("/{TENANT}/oauth2/v2.0/devicecode")))
            .form(&[
                ("client_id", PUBLIC_APP),
                ("scope", "Mail.ReadWrite offline_access openid"),
            ])
            .send()
            .await
            .unwrap();
        res.json::<serde_json::Value>().await.unwrap()
    };
    let poll = |dc: String| {
        let t = &t;
        async move {
            t.token(
                TENANT,
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("client_id", PUBLIC_APP),
                    ("device_code", &dc),
                ],
            )
            .await
        }
    };
    let decide = |user_code: String, decision: &'static str| {
        let t = &t;
        async move {
            let res = t.http.post(t.url("/_sim/device")).json(&serde_json::json!({ "user_code": user_code, "upn": "alice@contoso.test", "decision": decision })).send().await.unwrap();
            assert_eq!(res.status(), 204);
        }
    };

    let d = start().await;
    assert_eq!(
        (d["interval"].as_u64(), d["expires_in"].as_u64()),
        (Some(5), Some(900))
    );
    let (status, body) = poll(d["device_code"].as_str().unwrap().into()).await;
    assert_eq!(
        (status, body["error"].as_str(), code_of(&body)),
        (400, Some("authorization_pending"), 70016)
    );
    decide(d["user_code"].as_str().unwrap().into(), "approve").await;
    let (status, body) = poll(d["device_code"].as_str().unwrap().into()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["refresh_token"].is_string() && body["id_token"].is_string());

    let d = start().await;
    decide(d["user_code"].as_str().unwrap().into(), "decline").await;
    let (_, body) = poll(d["device_code"].as_str().unwrap().into()).await;
    assert_eq!(body["error"], "authorization_declined");

    let d = start().await;
    t.clock(901).await;
    let (_, body) = poll(d["device_code"].as_str().unwrap().into()).await;
    assert_eq!(
        (body["error"].as_str(), code_of(&body)),
        (Some("expired_token"), 70019)
    );
    t.stop().await;
}
