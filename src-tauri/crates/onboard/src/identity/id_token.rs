//! Validating an ID token (OpenID Connect Core §3.1.3.7) against the tenant's published keys:
//! RS256 signature by a key of the JWKS (looked up by `kid`), `iss`, `aud`, `nonce`, `exp` and
//! `nbf`. Fetching the keys ([`fetch_signing_keys`]) and judging a token ([`validate`]) are
//! separate, so the judgement is a pure function of the token, the keys and what was expected.

use crate::{
    catalog::Diagnosis,
    cloud::Cloud,
    identity::Identity,
    platform::{http, Secret},
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

/// How far the clocks of this machine and the identity platform may disagree.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// The placeholder the shared endpoints (`organizations`, `common`) put in their issuer.
const TENANT_TEMPLATE: &str = "{tenantid}";

/// One RSA key of a JWKS, ready to verify.
#[derive(Debug, Clone)]
struct Key {
    kid: String,
    key: RsaPublicKey,
}

/// The keys and the issuer a tenant publishes (OpenID discovery + its `jwks_uri`).
#[derive(Debug, Clone)]
pub struct SigningKeys {
    /// The discovery document's issuer with the tenant replaced by `{tenantid}`.
    issuer_template: String,
    /// The tenant's GUID when discovery was for one tenant (a GUID or a domain); `None` for the
    /// shared endpoints, whose issuer is a template.
    tenant_id: Option<String>,
    keys: Vec<Key>,
}

#[derive(Deserialize)]
struct JwkWire {
    #[serde(default)]
    kty: String,
    #[serde(default)]
    kid: String,
    #[serde(default)]
    n: String,
    #[serde(default)]
    e: String,
    #[serde(rename = "use", default)]
    usage: Option<String>,
}

fn bad_keys(detail: String) -> Diagnosis {
    Diagnosis::new(
        "id_token.keys",
        "The tenant's signing keys cannot be read",
        detail,
        "Check the national cloud or the authority URL override, and any proxy between this machine and Microsoft; then sign in again.",
    )
}

impl SigningKeys {
    /// From the discovery document's `issuer` and the JWKS document (`{"keys": [...]}`).
    /// Keys that are not RSA signing keys are skipped.
    pub fn from_jwks(discovery_issuer: &str, jwks: &Value) -> Result<Self, Diagnosis> {
        let wires: Vec<JwkWire> = serde_json::from_value(jwks["keys"].clone())
            .map_err(|e| bad_keys(format!("The key set is not a JWKS ({e}).")))?;
        let keys: Vec<Key> = wires
            .into_iter()
            .filter(|w| w.kty == "RSA" && w.usage.as_deref().is_none_or(|u| u == "sig"))
            .filter_map(|w| {
                let n = URL_SAFE_NO_PAD.decode(w.n.trim_end_matches('=')).ok()?;
                let e = URL_SAFE_NO_PAD.decode(w.e.trim_end_matches('=')).ok()?;
                let key = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e))
                    .ok()?;
                Some(Key { kid: w.kid, key })
            })
            .collect();
        if keys.is_empty() {
            return Err(bad_keys("The key set holds no RSA signing key.".into()));
        }
        let (issuer_template, tenant_id) = split_issuer(discovery_issuer);
        Ok(Self {
            issuer_template,
            tenant_id,
            keys,
        })
    }

    /// The tenant discovery was for, when it was for one.
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant_id.as_deref()
    }

    /// The issuer a token of tenant `tid` must carry.
    pub fn issuer_for(&self, tid: &str) -> String {
        self.issuer_template.replace(TENANT_TEMPLATE, tid)
    }
}

/// `https://host/{tid}/v2.0` → (`https://host/{tenantid}/v2.0`, Some(tid)); a template stays one.
fn split_issuer(issuer: &str) -> (String, Option<String>) {
    if issuer.contains(TENANT_TEMPLATE) {
        return (issuer.to_owned(), None);
    }
    let Ok(url) = url::Url::parse(issuer) else {
        return (issuer.to_owned(), None);
    };
    let guid = url
        .path_segments()
        .into_iter()
        .flatten()
        .find(|s| uuid::Uuid::parse_str(s).is_ok());
    match guid {
        Some(g) => (
            issuer.replacen(g, TENANT_TEMPLATE, 1),
            Some(g.to_ascii_lowercase()),
        ),
        None => (issuer.to_owned(), None),
    }
}

async fn get_json(cloud: &Cloud, url: &str) -> Result<Value, Diagnosis> {
    let res = cloud
        .http_client()?
        .get(url)
        .send()
        .await
        .map_err(|e| http::transport_error(url, &e))?;
    let status = res.status();
    let body = http::read_text_limited(res, url, http::MAX_ANSWER).await?;
    if !status.is_success() {
        return Err(crate::catalog::token_error(status.as_u16(), &body));
    }
    serde_json::from_str(&body).map_err(|e| {
        bad_keys(format!(
            "{url} answered HTTP {status} with a body that is not JSON ({e})."
        ))
    })
}

/// OpenID discovery for `tenant` (GUID, domain or `organizations`), then its `jwks_uri`, both
/// through the cloud's HTTP client.
pub async fn fetch_signing_keys(cloud: &Cloud, tenant: &str) -> Result<SigningKeys, Diagnosis> {
    cloud.validate()?;
    let url = cloud.authority_url(tenant, "v2.0/.well-known/openid-configuration");
    let discovery = get_json(cloud, &url).await?;
    let (Some(issuer), Some(jwks_uri)) =
        (discovery["issuer"].as_str(), discovery["jwks_uri"].as_str())
    else {
        return Err(bad_keys(format!(
            "{url} has no issuer or jwks_uri, so ID tokens cannot be checked."
        )));
    };
    let jwks = get_json(cloud, jwks_uri).await?;
    SigningKeys::from_jwks(issuer, &jwks)
}

/// What the token must match.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    /// `aud`: the app's client ID.
    pub client_id: &'a str,
    /// The nonce sent in the authorize request; `None` for flows without one (device code).
    pub nonce: Option<&'a str>,
    pub now: DateTime<Utc>,
}

fn malformed(detail: impl Into<String>) -> Diagnosis {
    Diagnosis::new(
        "id_token.malformed",
        "The sign-in answer is not a valid ID token",
        detail,
        "Sign in again. If it persists, check that the authority URL points at the Microsoft identity platform (or a proxy that passes answers through unchanged).",
    )
}

fn decode_part(part: &str, what: &str) -> Result<Value, Diagnosis> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| malformed(format!("The token's {what} is not base64url.")))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| malformed(format!("The token's {what} is not JSON.")))
}

fn claim<'v>(claims: &'v Value, name: &str) -> Result<&'v str, Diagnosis> {
    claims[name]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed(format!("The token has no “{name}” claim.")))
}

/// Checks `token` and returns who signed in. Order: form, signature (nothing is believed
/// before it), issuer, audience, nonce, lifetime.
pub fn validate(
    token: &Secret,
    keys: &SigningKeys,
    expected: &Expected<'_>,
) -> Result<Identity, Diagnosis> {
    let parts: Vec<&str> = token.expose().split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts[..] else {
        return Err(malformed(
            "The token is not a signed JWT (three dot-separated parts).",
        ));
    };
    let header = decode_part(header_b64, "header")?;
    if header["alg"].as_str() != Some("RS256") {
        return Err(signature_error(format!(
            "The token is signed with “{}”; only RS256 is accepted.",
            header["alg"].as_str().unwrap_or("none")
        )));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64.trim_end_matches('='))
        .map_err(|_| malformed("The token's signature is not base64url."))?;
    let kid = header["kid"].as_str().unwrap_or_default();
    let key = keys.keys.iter().find(|k| k.kid == kid).ok_or_else(|| {
        signature_error(format!(
            "No key “{kid}” is among the tenant's signing keys."
        ))
    })?;
    let signature = Signature::try_from(signature.as_slice())
        .map_err(|_| signature_error("The signature has the wrong form.".into()))?;
    let signing_input = &token.expose()[..header_b64.len() + 1 + payload_b64.len()];
    VerifyingKey::<Sha256>::new(key.key.clone())
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| {
            signature_error("The signature does not verify with the tenant's key.".into())
        })?;

    let claims = decode_part(payload_b64, "payload")?;
    let tid = claim(&claims, "tid")?;
    let iss = claim(&claims, "iss")?;
    let wanted = keys.issuer_for(tid);
    if iss != wanted {
        return Err(Diagnosis::new(
            "id_token.issuer",
            "The ID token comes from an unexpected issuer",
            format!("The token names “{iss}” as its issuer; this sign-in expects “{wanted}”."),
            "Check the national cloud and the authority URL override: the token must come from the same identity platform the wizard asked. Then sign in again.",
        ));
    }
    let audience_ok = match &claims["aud"] {
        Value::String(a) => a.eq_ignore_ascii_case(expected.client_id),
        Value::Array(list) => list.iter().any(|a| {
            a.as_str()
                .is_some_and(|a| a.eq_ignore_ascii_case(expected.client_id))
        }),
        _ => false,
    };
    if !audience_ok {
        return Err(Diagnosis::new(
            "id_token.audience",
            "The ID token was issued to another app",
            format!(
                "The token is for “{}”, not for the client ID {}.",
                claims["aud"], expected.client_id
            ),
            "Check the Application (client) ID in the App registration step, then sign in again.",
        ));
    }
    if let Some(nonce) = expected.nonce {
        if claims["nonce"].as_str() != Some(nonce) {
            return Err(Diagnosis::new(
                "id_token.nonce",
                "The ID token belongs to another sign-in",
                "Its nonce is not the one this sign-in sent, so it may be replayed from an earlier one.",
                "Close other sign-in tabs and sign in again.",
            ));
        }
    }
    let exp = claims["exp"]
        .as_i64()
        .ok_or_else(|| malformed("The token has no “exp” claim."))?;
    let now = expected.now.timestamp();
    // Saturating: the claims are any i64, and `exp` near i64::MAX must not overflow.
    if now > exp.saturating_add(CLOCK_SKEW_SECS) {
        return Err(Diagnosis::new(
            "id_token.expired",
            "The ID token has expired",
            format!(
                "It expired at {}; this machine's clock says {}.",
                at(exp),
                expected
                    .now
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            "Sign in again. If this repeats, set this machine's clock right (automatic time).",
        ));
    }
    if let Some(nbf) = claims["nbf"].as_i64() {
        if now.saturating_add(CLOCK_SKEW_SECS) < nbf {
            return Err(Diagnosis::new(
                "id_token.not_yet_valid",
                "The ID token is not valid yet",
                format!(
                    "It becomes valid at {}; this machine's clock says {}.",
                    at(nbf),
                    expected
                        .now
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
                "Set this machine's clock right (automatic time), then sign in again.",
            ));
        }
    }
    Ok(Identity {
        object_id: claim(&claims, "oid")?.to_owned(),
        tenant_id: tid.to_owned(),
        username: claims["preferred_username"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        display_name: claims["name"].as_str().map(str::to_owned),
    })
}

fn at(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ts.to_string())
}

fn signature_error(detail: String) -> Diagnosis {
    Diagnosis::new(
        "id_token.signature",
        "The ID token's signature is not valid",
        detail,
        "Do not use this sign-in. Check that the authority URL points at the Microsoft identity platform and that no proxy rewrites its answers, then sign in again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_become_templates_and_name_their_tenant() {
        let (t, id) = split_issuer(
            "https://login.microsoftonline.com/6F1F4C2E-9a51-4f3e-8d8b-0c7e2a3b4d5e/v2.0",
        );
        assert_eq!(t, "https://login.microsoftonline.com/{tenantid}/v2.0");
        assert_eq!(id.as_deref(), Some("6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e"));
        let (t, id) = split_issuer("https://login.microsoftonline.com/{tenantid}/v2.0");
        assert_eq!(t, "https://login.microsoftonline.com/{tenantid}/v2.0");
        assert_eq!(id, None);
    }

    #[test]
    fn garbage_is_malformed_and_unsigned_tokens_are_refused() {
        let keys = SigningKeys {
            issuer_template: "https://x/{tenantid}/v2.0".into(),
            tenant_id: None,
            keys: vec![],
        };
        let exp = Expected {
            client_id: "c",
            nonce: None,
            now: Utc::now(),
        };
        let d = validate(&Secret::new("not-a-jwt"), &keys, &exp).unwrap_err();
        assert_eq!(d.code, "id_token.malformed");
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"tid":"t"}"#)
        );
        let d = validate(&Secret::new(none), &keys, &exp).unwrap_err();
        assert_eq!(d.code, "id_token.signature");
    }
}
