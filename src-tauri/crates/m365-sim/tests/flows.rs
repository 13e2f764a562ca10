//! The successful flows, end to end over HTTPS: what a client gets and can verify.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::Value;
use support::*;

const VERIFIER: &str = "flows-verifier-flows-verifier-flows-verifier";
const OUTLOOK: &str = "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access openid profile email";

async fn sign_in(t: &TestSim) -> Value {
    let code = t
        .code_for(TENANT, APP, "alice@contoso.test", OUTLOOK, VERIFIER)
        .await;
    let (status, body) = t.redeem(&code, VERIFIER).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn introspect(t: &TestSim, token: &str) -> Value {
    t.http
        .post(t.url("/_sim/introspect"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn verify_jwt(jwt: &str, jwks: &Value) -> (Value, Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("kid in JWKS");
    let n = BigUint::from_bytes_be(&B64.decode(key["n"].as_str().unwrap()).unwrap());
    let e = BigUint::from_bytes_be(&B64.decode(key["e"].as_str().unwrap()).unwrap());
    let verifier = VerifyingKey::<sha2::Sha256>::new(RsaPublicKey::new(n, e).unwrap());
    let sig = Signature::try_from(B64.decode(parts[2]).unwrap().as_slice()).unwrap();
    verifier
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .expect("signature verifies against the JWKS");
    (header, claims)
}

#[tokio::test]
async fn auth_code_with_pkce_gives_a_verifiable_id_token_and_an_outlook_token() {
    let t = TestSim::start().await;
    let body = sign_in(&t).await;
    let config: Value = t
        .http
        .get(t.url(&format!("/{TENANT}/v2.0/.well-known/openid-configuration")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        config["issuer"],
        format!("{}/{TENANT}/v2.0", t.sim.endpoints.authority)
    );
    let jwks: Value = t
        .http
        .get(config["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (header, claims) = verify_jwt(body["id_token"].as_str().unwrap(), &jwks);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["iss"], config["issuer"]);
    assert_eq!(claims["aud"], APP);
    assert_eq!(claims["nonce"], "n-456");
    assert_eq!(
        (claims["tid"].as_str(), claims["oid"].as_str()),
        (Some(TENANT), Some("0000000a-0000-4000-8000-00000000000a"))
    );
    assert_eq!(
        (
            claims["preferred_username"].as_str(),
            claims["ver"].as_str()
        ),
        (Some("alice@contoso.test"), Some("2.0"))
    );
    assert!(claims["exp"].as_i64().unwrap() > chrono::Utc::now().timestamp());

    assert_eq!(body["scope"], "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send openid profile email");
    let at = introspect(&t, body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (
            at["active"].as_bool(),
            at["aud"].as_str(),
            at["username"].as_str()
        ),
        (
            Some(true),
            Some("https://outlook.office.com"),
            Some("alice@contoso.test")
        )
    );
    t.stop().await;
}

#[tokio::test]
async fn refresh_rotates_and_one_refresh_token_serves_graph_and_outlook() {
    let t = TestSim::start().await;
    let first = sign_in(&t).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |rt: String, scope: &'static str| {
        let t = &t;
        async move {
            t.token(
                TENANT,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", APP),
                    ("client_secret", APP_SECRET),
                    ("refresh_token", &rt),
                    ("scope", scope),
                ],
            )
            .await
        }
    };
    let (status, graph) = refresh(
        rt1.clone(),
        "https://graph.microsoft.com/Mail.ReadWrite offline_access",
    )
    .await;
    assert_eq!(status, 200, "{graph}");
    let rt2 = graph["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2, "refresh tokens rotate");
    assert_eq!(
        introspect(&t, graph["access_token"].as_str().unwrap()).await["aud"],
        "https://graph.microsoft.com"
    );
    assert_eq!(graph["scope"], "Mail.ReadWrite openid profile email");

    let (status, outlook) = refresh(
        rt2.clone(),
        "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    )
    .await;
    assert_eq!(status, 200, "{outlook}");
    assert_eq!(
        introspect(&t, outlook["access_token"].as_str().unwrap()).await["aud"],
        "https://outlook.office.com"
    );
    // The replaced token still works, as Microsoft's do until they expire.
    assert_eq!(refresh(rt1.clone(), "Mail.ReadWrite").await.0, 200);

    // Without `scope` (Zammad, email-oauth2-proxy), a refresh token gets the scopes of the
    // request that issued it again: rt1 those of the Outlook sign-in, rt2 those of the Graph
    // refresh.
    let no_scope = |rt: String| {
        let t = &t;
        async move {
            let form = [
                ("grant_type", "refresh_token"),
                ("client_id", APP),
                ("client_secret", APP_SECRET),
                ("refresh_token", rt.as_str()),
            ];
            let (status, body) = t.token(TENANT, &form).await;
            assert_eq!(status, 200, "{body}");
            let aud = introspect(t, body["access_token"].as_str().unwrap()).await["aud"].clone();
            (aud, body["scope"].clone())
        }
    };
    assert_eq!(
        no_scope(rt1).await,
        (
            "https://outlook.office.com".into(),
            "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send openid profile email".into()
        )
    );
    assert_eq!(no_scope(rt2).await.0, "https://graph.microsoft.com");
    t.stop().await;
}

#[tokio::test]
async fn client_credentials_give_roles_and_no_refresh_token() {
    let t = TestSim::start().await;
    let (status, body) = t
        .client_credentials(
            TENANT,
            APP,
            APP_SECRET,
            "https://graph.microsoft.com/.default",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["token_type", "expires_in", "access_token"]);
    let at = introspect(&t, body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        at["roles"],
        serde_json::json!(["Mail.ReadWrite", "User.Read.All"])
    );
    assert!(at["username"].is_null());
    let (_, body) = t
        .client_credentials(TENANT, APP, APP_SECRET, "Mail.Read")
        .await;
    assert_eq!(code_of(&body), 1002012);
    t.stop().await;
}

#[tokio::test]
async fn admin_consent_v2_then_v1_and_a_silent_sign_in_afterwards() {
    let t = TestSim::start().await;
    let q = serde_urlencoded::to_string([
        ("client_id", UNCONSENTED_APP),
        ("redirect_uri", REDIRECT),
        ("scope", "https://graph.microsoft.com/.default"),
        ("state", "ac1"),
        ("login_hint", "alice@contoso.test"),
    ])
    .unwrap();
    let page = t.get(&format!("/{TENANT}/v2.0/adminconsent?{q}")).await;
    assert!(page.body.contains("whole organization"), "{}", page.body);
    let done = t
        .post_form(
            &format!("/{TENANT}/consent"),
            &[("flow", &page.flow()), ("decision", "accept")],
        )
        .await;
    let p = done.redirect_params();
    assert_eq!(
        (
            p["admin_consent"].as_str(),
            p["tenant"].as_str(),
            p["state"].as_str()
        ),
        ("True", TENANT, "ac1")
    );
    assert_eq!(p["scope"], "https://graph.microsoft.com/.default");

    let q = serde_urlencoded::to_string([
        ("client_id", UNCONSENTED_APP),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "Mail.ReadWrite"),
        ("login_hint", "alice@contoso.test"),
        ("prompt", "none"),
    ])
    .unwrap();
    assert!(t
        .get(&format!("/{TENANT}/oauth2/v2.0/authorize?{q}"))
        .await
        .redirect_param("code")
        .is_some());

    // v1 has no scope in its answer; a user who is not an admin gets 90094.
    let q = serde_urlencoded::to_string([
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
        ("login_hint", "carol@contoso.test"),
    ])
    .unwrap();
    let p = t
        .get(&format!("/{TENANT}/adminconsent?{q}"))
        .await
        .redirect_params();
    assert_eq!(p["error"], "access_denied");
    assert!(p["error_description"].starts_with("AADSTS90094"), "{p:?}");
    t.stop().await;
}

#[tokio::test]
async fn interactive_sign_in_reports_a_wrong_password_then_succeeds() {
    let t = TestSim::start().await;
    let q = serde_urlencoded::to_string([
        ("client_id", APP),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:41000/callback"),
        ("scope", "Mail.ReadWrite offline_access"),
        ("state", "s9"),
    ])
    .unwrap();
    let login = t
        .get(&format!("/contoso.test/oauth2/v2.0/authorize?{q}"))
        .await;
    let again = t
        .post_form(
            "/contoso.test/login",
            &[
                ("flow", &login.flow()),
                ("username", "bob@contoso.test"),
                ("password", "nope"),
            ],
        )
        .await;
    assert!(again.body.contains("AADSTS50126"), "{}", again.body);
    let done = t
        .post_form(
            "/contoso.test/login",
            &[
                ("flow", &again.flow()),
                ("username", "bob@contoso.test"),
                ("password", "bob-pw"),
            ],
        )
        .await;
    let p = done.redirect_params();
    assert!(
        done.location
            .as_deref()
            .unwrap()
            .starts_with("http://localhost:41000/callback?"),
        "loopback port kept: {done:?}"
    );
    assert_eq!(p["state"], "s9");
    assert!(p.contains_key("code") && p.contains_key("session_state"));
    t.stop().await;
}

#[tokio::test]
async fn device_login_page_walks_a_person_through() {
    let t = TestSim::start().await;
    let d: Value = t
        .http
        .post(t.url(&format!("/{TENANT}/oauth2/v2.0/devicecode")))
        .form(&[
            ("client_id", PUBLIC_APP),
            ("scope", "Mail.ReadWrite offline_access"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["verification_uri"], t.url("/devicelogin"));
    let wrong = t.post_form("/devicelogin", &[("otc", "NOPE")]).await;
    assert!(wrong.body.contains("AADSTS70018"));
    let login = t
        .post_form("/devicelogin", &[("otc", d["user_code"].as_str().unwrap())])
        .await;
    let done = t
        .post_form(
            &format!("/{TENANT}/login"),
            &[
                ("flow", &login.flow()),
                ("username", "bob@contoso.test"),
                ("password", "bob-pw"),
            ],
        )
        .await;
    assert!(
        done.body.contains("You have signed in to the application"),
        "{}",
        done.body
    );
    let (status, body) = t
        .token(
            TENANT,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", PUBLIC_APP),
                ("device_code", d["device_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        introspect(&t, body["access_token"].as_str().unwrap()).await["username"],
        "bob@contoso.test"
    );
    t.stop().await;
}

#[tokio::test]
async fn sign_out_at_the_discovered_endpoint_returns_to_a_registered_uri_only() {
    let t = TestSim::start().await;
    let discovery = t
        .get(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"))
        .await;
    let end_session: Value = serde_json::from_str(&discovery.body).unwrap();
    let end_session = end_session["end_session_endpoint"].as_str().unwrap();
    let path = url::Url::parse(end_session).unwrap().path().to_owned();

    let q = serde_urlencoded::to_string([("post_logout_redirect_uri", REDIRECT), ("state", "so1")])
        .unwrap();
    let back = t.get(&format!("{path}?{q}")).await;
    assert_eq!(back.redirect_params()["state"], "so1");
    assert!(back.location.unwrap().starts_with(REDIRECT));

    // A URI no app registers is never followed: the signed-out page instead.
    let q =
        serde_urlencoded::to_string([("post_logout_redirect_uri", "https://evil.test/")]).unwrap();
    let page = t.get(&format!("{path}?{q}")).await;
    assert_eq!((page.status, page.location), (200, None));
    assert!(page.body.contains("You signed out"), "{}", page.body);

    let page = t.get("/no-such-tenant.test/oauth2/v2.0/logout").await;
    assert!(page.body.contains("AADSTS90002"), "{}", page.body);
    t.stop().await;
}
