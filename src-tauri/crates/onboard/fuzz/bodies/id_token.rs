//! ID tokens (`validate`) and the unverified claim reader (`jwt_claims`). The fuzzer writes the
//! token as received, or claims (and a header) that the body signs with the tenant's key, so
//! that the checks after the signature are reached too.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use onboard::identity::id_token::{validate, Expected, SigningKeys};
use onboard::identity::jwt_claims::{granted, unverified_claims};
use onboard::platform::Secret;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use std::sync::OnceLock;

pub const ISSUER: &str =
    "https://login.microsoftonline.com/6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e/v2.0";
pub const CLIENT_ID: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
pub const NONCE: &str = "n-0S6_WzA2Mj";
pub const KID: &str = "fuzz-key";
/// The clock of every check: 2026-01-01T00:00:00Z (the seeds' claims are relative to it).
pub const NOW: i64 = 1_767_225_600;
const HEADER: &str = r#"{"alg":"RS256","typ":"JWT","kid":"fuzz-key"}"#;

/// The tenant's signing key: made for these tests only (1024 bits, to sign quickly).
const PRIVATE_KEY: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAK0jmqH2FwFq3Ulf\n\
GXuU3ibqSI+Rvy0oN0tphQnHWRXag7oKB6R7R/9f7ljCsLbuND29Hgb8vm3YqAau\n\
g1/A79OJ9vuVrc64iUD3g4n2Po4vq/+B/hBxn4Fn0jphzqKisDyb3NY8Z0C1IZ4/\n\
yH/JlRzaw/unEcFvU9XCn0Ca9XYjAgMBAAECgYA29gpsR3ZeGNJOLEYmmMc8izql\n\
eJq7dvy2j7SPuhxpd4hBUlXCvO/J/WXn/0WhjFRBFPunNCwvKouMM3G4v8JhWskC\n\
XstGy4dRsG6wPO7iCUv8EaS6g1pTRkGylp+1TFGsFJrFjkqFt0M3/Jj20nUstQQO\n\
Tr1rcox6j21CtGQcYQJBANWKisR3z5DNAa6n5Fr+JNlsK+NOWFAeDSOfXPu5WlK1\n\
vZxgJmM9OwJVLjvvdnZtG7PAY/oUsDSBizFVk5NcfsUCQQDPkI4Onmy8jfbVeoZn\n\
oRhEaAYNOkZ6Vv45/3enhOrXQFYRK+/4d8q1l7sUbHYcbBZ8zCDezcm2K8MP/FKw\n\
Me/HAkBtFewTt3zSZNfSKDRQg3nBlC/LW69jpiZiJzvx39sTW4I0Sy3xDkuBwo/u\n\
0EJ89vnq1oJ8M2tcNz0rA6Ny6RJdAkBFb7JWKaFuon9EgyybVkTr/XCo1Cnnm1qI\n\
xHGe1NRLFfa03+HzWP+zKAMpne8VKwOK1C7a2jT0gEdM/bgbwVjZAkBM39I706sd\n\
ZByijq0UM5+0QXLLX6by4j4C+pnMe7UCOuYWwwbrnv4XGdLvtpX87ECYE2/15o8t\n\
TYJGg+cpd1YY\n\
-----END PRIVATE KEY-----\n\
";

struct Tenant {
    signer: SigningKey<Sha256>,
    keys: SigningKeys,
}

fn tenant() -> &'static Tenant {
    static TENANT: OnceLock<Tenant> = OnceLock::new();
    TENANT.get_or_init(|| {
        let private = RsaPrivateKey::from_pkcs8_pem(PRIVATE_KEY).expect("the test key");
        let jwks = serde_json::json!({ "keys": [{
            "kty": "RSA", "use": "sig", "kid": KID,
            "n": URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(private.e().to_bytes_be()),
        }]});
        Tenant {
            keys: SigningKeys::from_jwks(ISSUER, &jwks).expect("the test JWKS"),
            signer: SigningKey::new(private),
        }
    })
}

/// `header.payload.signature` with the tenant's key.
pub fn sign(header: &[u8], payload: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = tenant().signer.sign(input.as_bytes()).to_vec();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// First byte: 0 the rest is a token as received; 1 the rest is the claims, signed under the
/// usual header; 2 the rest is `header\nclaims`, signed.
pub fn id_token(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = Secret::new(match mode % 3 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => sign(HEADER.as_bytes(), rest),
        _ => {
            let split = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            sign(&rest[..split], rest.get(split + 1..).unwrap_or_default())
        }
    });

    let claims = unverified_claims(&token);
    assert_eq!(granted(&token).is_some(), claims.is_some());

    let now = DateTime::<Utc>::from_timestamp(NOW, 0).expect("a valid time");
    let expect = |nonce| Expected {
        client_id: CLIENT_ID,
        nonce,
        now,
    };
    let keys = &tenant().keys;
    let with_nonce = validate(&token, keys, &expect(Some(NONCE)));
    let without_nonce = validate(&token, keys, &expect(None));
    match (&with_nonce, &without_nonce) {
        // One check fewer never refuses what passed all of them.
        (Ok(_), other) => assert_eq!(other, &with_nonce),
        (Err(d), Ok(_)) => assert_eq!(d.code, "id_token.nonce"),
        (Err(a), Err(b)) => {
            assert!(a.code.starts_with("id_token.") && b.code.starts_with("id_token."))
        }
    }
    let Ok(identity) = with_nonce else {
        return;
    };
    // Accepted: the token is exactly what the tenant's key signs, and says what was expected.
    let (input, signature) = token.expose().rsplit_once('.').expect("three parts");
    let signature = URL_SAFE_NO_PAD
        .decode(signature.trim_end_matches('='))
        .expect("an accepted signature is base64url");
    let signed = tenant().signer.sign(input.as_bytes()).to_vec();
    assert_eq!(signature, signed, "accepted a token the key did not sign");
    let claims = claims.expect("accepted claims are readable unverified too");
    assert_eq!(claims["tid"].as_str(), Some(identity.tenant_id.as_str()));
    assert_eq!(claims["oid"].as_str(), Some(identity.object_id.as_str()));
    let issuer = format!(
        "https://login.microsoftonline.com/{}/v2.0",
        identity.tenant_id
    );
    assert_eq!(claims["iss"].as_str(), Some(issuer.as_str()));
    assert_eq!(claims["nonce"].as_str(), Some(NONCE));
    // `aud` is the client ID, alone or in a list.
    assert!(claims["aud"]
        .to_string()
        .to_ascii_lowercase()
        .contains(CLIENT_ID));
    let exp = claims["exp"].as_i64().expect("an accepted token has exp");
    assert!(NOW <= exp.saturating_add(onboard::identity::id_token::CLOCK_SKEW_SECS));
}
