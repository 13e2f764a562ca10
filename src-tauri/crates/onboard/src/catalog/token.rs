//! Failures of Microsoft's token and discovery endpoints: the identity platform's error envelope
//! `{"error", "error_description", "error_codes": [..], "trace_id", ...}`.

use super::aadsts::aadsts;
use super::quote::{first_line, quote};
use crate::catalog::Diagnosis;
use serde_json::Value;

/// Explains a failed token (or authorize, device-code, discovery) response.
pub fn token_error(status: u16, body: &str) -> Diagnosis {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v.is_object() => from_envelope(status, &v),
        _ => match aadsts_in(body) {
            Some(code) => aadsts(code, body),
            None => http_status(status, body),
        },
    }
}

fn from_envelope(status: u16, v: &Value) -> Diagnosis {
    let description = v["error_description"].as_str().unwrap_or_default();
    let code = v["error_codes"][0]
        .as_u64()
        .and_then(|c| u32::try_from(c).ok())
        .or_else(|| aadsts_in(description));
    match (code, v["error"].as_str()) {
        (Some(code), _) => aadsts(code, description),
        (None, Some(error)) => oauth_error(error, description),
        (None, None) => http_status(status, &v.to_string()),
    }
}

/// The first `AADSTS<digits>` in `text` (case-insensitive), when the number fits.
pub(crate) fn aadsts_in(text: &str) -> Option<u32> {
    let upper = text.to_ascii_uppercase();
    upper.match_indices("AADSTS").find_map(|(at, _)| {
        let digits: String = upper[at + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// OAuth 2.0 `error` values (RFC 6749, RFC 8628, OpenID Connect) with no AADSTS code.
pub(crate) const OAUTH_ERRORS: [&str; 15] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
    "authorization_pending",
    "slow_down",
    "expired_token",
    "interaction_required",
    "consent_required",
    "login_required",
    "temporarily_unavailable",
    "server_error",
];

/// Explains an OAuth `error` value; `description` is the server's `error_description`.
pub(crate) fn oauth_error(error: &str, description: &str) -> Diagnosis {
    let error = error.trim().to_ascii_lowercase();
    let (title, meaning, fix, field) = match error.as_str() {
        "invalid_request" => ("The sign-in request is malformed", "A parameter is missing, repeated or not valid.", "Retry; if it persists, report it with the server's message and correlation ID.", None),
        "invalid_client" => ("The app's credentials are not accepted", "The client ID or client secret was not accepted.", "Check the Application (client) ID, and paste the client secret's Value (not the Secret ID) from Certificates & secrets, or create a new secret.", Some("Client secret")),
        "invalid_grant" => ("The sign-in is no longer valid", "The authorization code or refresh token is invalid, expired or revoked, or was issued to another app or tenant.", "Sign in to the mailbox again (the Account step, or `m365-onboard sign-in`).", None),
        "unauthorized_client" => ("The app may not use this sign-in flow", "The app registration does not allow this grant type.", "For device code or desktop sign-in set Authentication > 'Allow public client flows' = Yes; check the client ID.", Some("Client ID")),
        "unsupported_grant_type" => ("The sign-in flow is not supported", "The token endpoint does not support this grant type.", "Use the tenant-specific endpoint; report it if it persists.", None),
        "invalid_scope" => ("The requested scope is not valid", "A requested permission is unknown or mixes resources.", "Request Graph scopes and Outlook (IMAP/SMTP) scopes in separate requests, and check that the permissions are added under API permissions.", None),
        "access_denied" => ("Access was denied", "The user or an administrator refused the request, or a policy blocked it.", "Sign in again and accept the permissions, or go to the Admin consent step.", None),
        "authorization_pending" => ("Waiting for the device code sign-in", "The user has not finished signing in at the verification page yet (expected while polling).", "Open the verification page, enter the code and sign in; the wizard keeps polling.", None),
        "slow_down" => ("Polling too fast", "The device-code poll came sooner than the interval allows.", "Wait the returned interval between polls; the wizard does this itself.", None),
        "expired_token" => ("The device code has expired", "The device code was not used in time.", "Start the device code sign-in again and finish it within 15 minutes.", None),
        "interaction_required" | "login_required" => ("Interactive sign-in is needed", "A silent sign-in is not possible (MFA, Conditional Access or an expired session).", "Sign in again in the browser.", None),
        "consent_required" => ("Consent is missing", "The permissions have not been consented to.", "Go to the Admin consent step and grant consent.", None),
        "temporarily_unavailable" | "server_error" => ("Microsoft's sign-in service failed", "The identity platform reported a temporary error.", "Try again in a minute; if it persists check https://status.cloud.microsoft.", None),
        _ => ("The sign-in failed", "Microsoft's sign-in service returned an error.", "Open Entra admin center > Sign-in logs for the failure reason, or paste the whole error into `m365-onboard diagnose`.", None),
    };
    let said = match first_line(description) {
        "" => String::new(),
        line => format!(" Microsoft says: “{}”", quote(line)),
    };
    let code = format!("oauth.{}", slug(&error));
    let mut d = Diagnosis::new(&code, title, format!("{meaning}{said}"), fix);
    d.field = field.map(str::to_owned);
    d
}

/// A body that is no error envelope at all: the HTTP status is all we know.
fn http_status(status: u16, body: &str) -> Diagnosis {
    let (title, fix) = match status {
        400 => ("Microsoft rejected the sign-in request", "Check the tenant, client ID and redirect URI, then try again."),
        401 | 403 => ("Microsoft refused the sign-in request", "Check the client ID and secret, and that the app is consented in this tenant."),
        404 => ("The sign-in endpoint was not found", "Check the tenant and the national cloud (or the authority URL override)."),
        429 => ("Too many sign-in requests", "Wait a minute (or the time in the Retry-After header) before trying again."),
        500..=599 => ("Microsoft's sign-in service failed", "Try again in a minute; if it persists check https://status.cloud.microsoft."),
        _ => ("The sign-in service gave an unexpected answer", "Check the national cloud and any proxy between this machine and Microsoft, then try again."),
    };
    let body = quote(body);
    let detail = if body.is_empty() {
        format!("HTTP {status} with an empty body.")
    } else {
        format!("HTTP {status}: “{body}”")
    };
    Diagnosis::new(&format!("oauth.http_{status}"), title, detail, fix)
}

/// A server's word made safe for a code: lowercase letters, digits and `_`, at most 40.
pub(crate) fn slug(word: &str) -> String {
    let s: String = word
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    if s.is_empty() {
        "unknown".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Microsoft's own samples (shared/reference/microsoft/token_error_*.json), verbatim.
    const BAD_SECRET: &str = r#"{
  "error": "invalid_client",
  "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '86be4c01-505b-45e9-bfc0-9b825fd84'.\r\nTrace ID: 03da4b8e-5ffe-48ca-9754-aff4276f0100\r\nCorrelation ID: 7b12f9bb-2eef-42e3-ad75-eee69ec9088d\r\nTimestamp: 2022-03-02 18:25:26Z",
  "error_codes": [
    7000215
  ],
  "timestamp": "2022-03-02 18:25:26Z",
  "trace_id": "03da4b8e-5ffe-48ca-9754-aff4276f0100",
  "correlation_id": "7b12f9bb-2eef-42e3-ad75-eee69ec9088d",
  "error_uri": "https://login.microsoftonline.com/error?code=7000215"
}"#;
    const INVALID_SCOPE: &str = r#"{
  "error": "invalid_scope",
  "error_description": "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/mail.read is not valid.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2016-01-09 02:02:12Z",
  "error_codes": [
    70011
  ],
  "timestamp": "2016-01-09 02:02:12Z",
  "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333",
  "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd"
}"#;

    #[test]
    fn microsofts_samples_map_to_their_aadsts_codes() {
        let d = token_error(401, BAD_SECRET);
        assert_eq!(
            (d.code.as_str(), d.field.as_deref()),
            ("aadsts.7000215", Some("Client secret"))
        );
        assert!(
            d.detail
                .contains("not the client secret ID, for a secret added to app"),
            "{}",
            d.detail
        );
        assert!(!d.detail.contains("Trace ID") && !d.detail.contains("Correlation"));
        assert!(d.fix.contains("Value"));

        let d = token_error(400, INVALID_SCOPE);
        assert_eq!(d.code, "aadsts.70011");
        assert!(d.detail.contains("https://foo.microsoft.com/mail.read"));
    }

    #[test]
    fn envelopes_without_error_codes_use_the_description_or_the_error() {
        let d = token_error(
            400,
            r#"{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity."}"#,
        );
        assert_eq!(d.code, "aadsts.700082");

        let cases = [
            (
                "invalid_grant",
                "oauth.invalid_grant",
                "Sign in to the mailbox again",
            ),
            ("invalid_client", "oauth.invalid_client", "Secret ID"),
            (
                "authorization_pending",
                "oauth.authorization_pending",
                "keeps polling",
            ),
            ("slow_down", "oauth.slow_down", "interval"),
            ("expired_token", "oauth.expired_token", "again"),
            ("access_denied", "oauth.access_denied", "Admin consent step"),
            (
                "consent_required",
                "oauth.consent_required",
                "Admin consent step",
            ),
            ("invalid_scope", "oauth.invalid_scope", "separate"),
            (
                "unauthorized_client",
                "oauth.unauthorized_client",
                "public client flows",
            ),
            (
                "interaction_required",
                "oauth.interaction_required",
                "Sign in again",
            ),
            ("server_error", "oauth.server_error", "Try again"),
            ("weird error!", "oauth.weirderror", "Sign-in logs"),
        ];
        for (error, code, action) in cases {
            let body =
                serde_json::json!({ "error": error, "error_description": "Said." }).to_string();
            let d = token_error(400, &body);
            assert_eq!(d.code, code);
            assert!(d.fix.contains(action), "{error}: {}", d.fix);
            assert!(
                d.detail.ends_with("Microsoft says: “Said.”"),
                "{}",
                d.detail
            );
        }
        assert_eq!(OAUTH_ERRORS.len(), 15);
        for e in OAUTH_ERRORS {
            assert_ne!(
                oauth_error(e, "").fix,
                oauth_error("nonsense", "").fix,
                "{e}"
            );
        }
    }

    #[test]
    fn non_json_bodies_fall_back_to_the_status_and_quote_little() {
        let html = format!("<html>{}</html>", "x".repeat(10_000));
        let d = token_error(502, &html);
        assert_eq!(d.code, "oauth.http_502");
        assert!(d.detail.len() < 400, "{}", d.detail.len());
        assert!(d.fix.contains("Try again"));

        assert_eq!(token_error(404, "").code, "oauth.http_404");
        assert_eq!(token_error(404, "").detail, "HTTP 404 with an empty body.");
        assert_eq!(token_error(429, "busy").code, "oauth.http_429");
        assert_eq!(token_error(400, "[1,2]").code, "oauth.http_400");
        // A text body that names an AADSTS code still gets the catalog's entry.
        assert_eq!(
            token_error(400, "AADSTS50011: The redirect URI ...").code,
            "aadsts.50011"
        );
    }

    #[test]
    fn aadsts_in_finds_the_first_code_that_fits() {
        assert_eq!(aadsts_in("x aadsts50011: y"), Some(50011));
        assert_eq!(aadsts_in("AADSTS AADSTS99999999999 AADSTS7"), Some(7));
        assert_eq!(aadsts_in("nothing"), None);
    }
}
