//! Reading a JWT's claims without verifying it. Only for showing what a token grants (the
//! permission checklist); nothing is decided on claims read this way.

use crate::platform::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The payload of a compact JWS, or `None` when the token is not one (opaque tokens are allowed).
pub fn unverified_claims(token: &Secret) -> Option<serde_json::Value> {
    let payload = token.expose().split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// What an access token grants: `scp` (delegated, space-separated) and `roles` (application).
pub fn granted(token: &Secret) -> Option<Vec<String>> {
    let claims = unverified_claims(token)?;
    let mut out: Vec<String> = claims["scp"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    out.extend(
        claims["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned)),
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scopes_and_roles_and_tolerates_opaque_tokens() {
        let payload =
            URL_SAFE_NO_PAD.encode(r#"{"scp":"Mail.Read Mail.Send","roles":["User.Read.All"]}"#);
        let token = Secret::new(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.sig"));
        assert_eq!(
            granted(&token).unwrap(),
            ["Mail.Read", "Mail.Send", "User.Read.All"]
        );
        assert_eq!(granted(&Secret::new("opaque-token")), None);
        assert_eq!(granted(&Secret::new("a.!!!.c")), None);
    }
}
