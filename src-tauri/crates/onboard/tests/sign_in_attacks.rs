//! Attacks on the sign-in: on the loopback listener (forged state, a second callback, a
//! request from another machine) and on the ID token (wrong signature, issuer, audience, nonce,
//! lifetime, tenant).
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration as Span, Utc};
use m365_sim::player::{play, Person};
use m365_sim::tenant::keys::Keys;
use onboard::identity::loopback::Loopback;
use onboard::{
    catalog::Diagnosis,
    identity::{
        check_account, sign_in_with_browser, validate_id_token, ChannelKind, Expected,
        SignInRequest, SigningKeys, PERSONAL_ACCOUNT_TENANT,
    },
    platform::Secret,
};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;
use support::sim::sim_cloud;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
const TENANT_ID: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";
const ALICE_OID: &str = "3c9a5f7e-2b1d-4e8f-9a6c-1d2e3f4a5b6c";

async fn get(port: u16, target: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
    s.write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    Ok(out)
}

fn port_of(redirect: &str) -> u16 {
    url::Url::parse(redirect).unwrap().port().unwrap()
}

#[tokio::test]
async fn a_forged_answer_is_ignored_and_a_second_callback_finds_no_listener() {
    let (sim, cloud) = sim_cloud().await;
    let req = SignInRequest {
        cloud: cloud.clone(),
        tenant: "contoso.test".into(),
        client_id: APP.into(),
        client_secret: Some(Secret::new(SECRET)),
        channel: ChannelKind::GraphDelegated,
        login_hint: Some("alice@contoso.test".into()),
    };
    let (tx, rx) = oneshot::channel();
    let open = move |url: &str| -> Result<(), Diagnosis> {
        let url = url.to_owned();
        let redirect = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .unwrap()
            .1
            .into_owned();
        tokio::spawn(async move {
            // An attacker's page gets there first, with a code of its own and a guessed state.
            let forged = get(port_of(&redirect), "/?code=attacker-code&state=guessed")
                .await
                .unwrap();
            assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
            let person = Person {
                user: "alice@contoso.test".into(),
                password: "sandbox-alice".into(),
                decision: "accept".into(),
            };
            let _ = tx.send(play(&url, &person).await);
        });
        Ok(())
    };
    let signed = sign_in_with_browser(req, open, Duration::from_secs(20), std::future::pending())
        .await
        .unwrap();
    assert_eq!(signed.identity.object_id, ALICE_OID, "the real answer won");

    // The browser's final URL, replayed (a second tab, a reload, an attacker): nobody listens.
    let callback = rx.await.unwrap().unwrap();
    let url = url::Url::parse(&callback).unwrap();
    assert!(url.query_pairs().any(|(k, _)| k == "code"), "{callback}");
    let target = format!("/?{}", url.query().unwrap());
    let replay = get(url.port().unwrap(), &target).await;
    assert!(
        replay.is_err(),
        "a second callback reached a listener: {replay:?}"
    );
    sim.stop().await;
}

/// This machine's address on its network (not 127/8): the one the kernel would send from.
/// A UDP `connect` only picks a route; no packet leaves.
fn outbound_ipv4() -> Option<Ipv4Addr> {
    for probe in [
        "192.0.2.1:9",
        "10.255.255.254:9",
        "172.31.255.254:9",
        "8.8.8.8:53",
    ] {
        let Ok(socket) = UdpSocket::bind("0.0.0.0:0") else {
            continue;
        };
        if socket.connect(probe).is_err() {
            continue;
        }
        if let Ok(SocketAddr::V4(a)) = socket.local_addr() {
            if !a.ip().is_loopback() && !a.ip().is_unspecified() {
                return Some(*a.ip());
            }
        }
    }
    None
}

#[tokio::test]
async fn the_listener_cannot_be_reached_from_a_non_loopback_address() {
    let loopback = Loopback::bind().await.unwrap();
    let port = port_of(&loopback.redirect_uri());
    let wait = tokio::spawn(async move {
        loopback
            .receive("s", Duration::from_secs(10), std::future::pending())
            .await
    });
    // Skipped only on a machine without any network address besides loopback, where no other
    // machine could reach it either.
    let Some(ip) = outbound_ipv4() else {
        eprintln!("no non-loopback IPv4 address on this machine: nothing to connect from");
        wait.abort();
        return;
    };
    let outside = tokio::time::timeout(
        Duration::from_secs(5),
        TcpStream::connect((IpAddr::V4(ip), port)),
    )
    .await;
    assert!(
        !matches!(outside, Ok(Ok(_))),
        "{ip}:{port} accepted a connection to the loopback listener"
    );
    // The listener is alive all the same: the loopback address reaches it and ends the wait.
    let page = get(port, "/?state=s&code=c").await.unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert_eq!(wait.await.unwrap().unwrap()["code"], "c");
}

// ID tokens, signed by a key of the test's own: `validate` takes the JWKS as data.

const ISSUER: &str = "https://login.test/6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e/v2.0";

fn claims() -> Value {
    let now = Utc::now().timestamp();
    json!({
        "ver": "2.0",
        "iss": ISSUER,
        "aud": APP,
        "tid": TENANT_ID,
        "oid": ALICE_OID,
        "sub": "s",
        "preferred_username": "alice@contoso.test",
        "name": "Alice Admin",
        "nonce": "n-1",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    })
}

fn expected(nonce: Option<&str>) -> Expected<'_> {
    Expected {
        client_id: APP,
        nonce,
        now: Utc::now(),
    }
}

fn code_of(token: String, keys: &SigningKeys, nonce: Option<&str>) -> String {
    match validate_id_token(&Secret::new(token), keys, &expected(nonce)) {
        Ok(identity) => panic!("accepted: {identity:?}"),
        Err(d) => d.code,
    }
}

#[tokio::test]
async fn id_tokens_are_checked_claim_by_claim() {
    let (tenant_key, other_key) = tokio::join!(
        tokio::task::spawn_blocking(Keys::generate),
        tokio::task::spawn_blocking(Keys::generate)
    );
    let (tenant_key, other_key) = (tenant_key.unwrap().unwrap(), other_key.unwrap().unwrap());
    let keys = SigningKeys::from_jwks(ISSUER, &tenant_key.jwks(ISSUER)).unwrap();
    assert_eq!(keys.tenant_id(), Some(TENANT_ID));
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = claims();
        change(&mut c);
        tenant_key.sign(&c)
    };

    // The genuine token.
    let identity = validate_id_token(
        &Secret::new(tenant_key.sign(&claims())),
        &keys,
        &expected(Some("n-1")),
    )
    .unwrap();
    assert_eq!(
        (
            identity.object_id.as_str(),
            identity.tenant_id.as_str(),
            identity.username.as_str()
        ),
        (ALICE_OID, TENANT_ID, "alice@contoso.test")
    );

    // Signature: another key under the tenant key's kid; an unknown kid; a changed payload.
    let genuine = tenant_key.sign(&claims());
    let foreign = other_key.sign(&claims());
    let header = genuine.split('.').next().unwrap();
    let resigned = foreign.split_once('.').unwrap().1;
    assert_eq!(
        code_of(format!("{header}.{resigned}"), &keys, Some("n-1")),
        "id_token.signature"
    );
    assert_eq!(
        code_of(foreign.clone(), &keys, Some("n-1")),
        "id_token.signature"
    );
    let mut evil = claims();
    evil["oid"] = json!("00000000-0000-0000-0000-000000000bad");
    let parts: Vec<&str> = genuine.split('.').collect();
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(evil.to_string()),
        parts[2]
    );
    assert_eq!(code_of(swapped, &keys, Some("n-1")), "id_token.signature");

    // Issuer: another identity platform; an issuer of another tenant than the token's tid.
    let t =
        with(&|c| c["iss"] = json!("https://evil.test/6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e/v2.0"));
    assert_eq!(code_of(t, &keys, Some("n-1")), "id_token.issuer");
    let t =
        with(&|c| c["iss"] = json!("https://login.test/7a7a7a7a-1b1b-4c2c-8d3d-4e4e4e4e4e4e/v2.0"));
    assert_eq!(code_of(t, &keys, Some("n-1")), "id_token.issuer");

    // Audience: issued to another app.
    let t = with(&|c| c["aud"] = json!("11111111-2222-4333-8444-555555555555"));
    assert_eq!(code_of(t, &keys, Some("n-1")), "id_token.audience");

    // Nonce: another sign-in's, or none where one was sent; no nonce is asked of device code.
    let t = with(&|c| c["nonce"] = json!("n-2"));
    assert_eq!(code_of(t.clone(), &keys, Some("n-1")), "id_token.nonce");
    let t2 = with(&|c| {
        c.as_object_mut().unwrap().remove("nonce");
    });
    assert_eq!(code_of(t2.clone(), &keys, Some("n-1")), "id_token.nonce");
    validate_id_token(&Secret::new(t2), &keys, &expected(None)).unwrap();

    // Lifetime: expired beyond the 5 minutes of skew; within them it passes; not valid yet.
    let ago = |mins: i64| (Utc::now() - Span::minutes(mins)).timestamp();
    let t = with(&|c| c["exp"] = json!(ago(10)));
    assert_eq!(code_of(t, &keys, Some("n-1")), "id_token.expired");
    let t = with(&|c| c["exp"] = json!(ago(4)));
    validate_id_token(&Secret::new(t), &keys, &expected(Some("n-1"))).unwrap();
    let t = with(&|c| c["nbf"] = json!(ago(-10)));
    assert_eq!(code_of(t, &keys, Some("n-1")), "id_token.not_yet_valid");

    // Form: not a JWT; no object ID.
    assert_eq!(code_of("a.b".into(), &keys, None), "id_token.malformed");
    let t = with(&|c| {
        c.as_object_mut().unwrap().remove("oid");
    });
    assert_eq!(code_of(t, &keys, Some("n-1")), "id_token.malformed");
}

#[tokio::test]
async fn accounts_of_another_tenant_or_personal_ones_are_refused_after_validation() {
    // Signing in through `organizations`: the issuer is a template, any tenant's token is valid,
    // and the account check decides.
    let key = tokio::task::spawn_blocking(Keys::generate)
        .await
        .unwrap()
        .unwrap();
    let template = "https://login.test/{tenantid}/v2.0";
    let keys = SigningKeys::from_jwks(template, &key.jwks(template)).unwrap();
    assert_eq!(keys.tenant_id(), None);
    let token_of = |tid: &str| {
        let mut c = claims();
        c["tid"] = json!(tid);
        c["iss"] = json!(format!("https://login.test/{tid}/v2.0"));
        Secret::new(key.sign(&c))
    };

    let foreign = "7a7a7a7a-1b1b-4c2c-8d3d-4e4e4e4e4e4e";
    let identity = validate_id_token(&token_of(foreign), &keys, &expected(Some("n-1"))).unwrap();
    check_account(&identity, None, "organizations").unwrap();
    let d = check_account(&identity, Some(TENANT_ID), "contoso.test").unwrap_err();
    assert_eq!(d.code, "sign_in.wrong_tenant");

    let identity = validate_id_token(
        &token_of(PERSONAL_ACCOUNT_TENANT),
        &keys,
        &expected(Some("n-1")),
    )
    .unwrap();
    let d = check_account(&identity, None, "organizations").unwrap_err();
    assert_eq!(d.code, "sign_in.personal_account");
    assert!(d.detail.contains("personal Microsoft account"));
}
