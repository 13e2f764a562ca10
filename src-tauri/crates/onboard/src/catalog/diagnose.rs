//! `m365-onboard diagnose`: whatever a person pastes — a code, an error page, a log line, a URL,
//! a JSON body, a server reply — is matched against the whole catalog.

use super::quote::{first_line, prefix, quote, SCAN_BYTES};
use super::token::{aadsts_in, oauth_error, OAUTH_ERRORS};
use super::{aadsts, graph, graph_error, mail_reply, network, token_error};
use crate::catalog::Diagnosis;
use std::borrow::Cow;

/// The code of "nothing matched".
pub const UNKNOWN: &str = "diagnose.unknown";

/// Explains `text`; when nothing matches, the diagnosis (code `diagnose.unknown`) says what to
/// paste instead.
pub fn diagnose(text: &str) -> Diagnosis {
    explain(text).unwrap_or_else(|unknown| unknown)
}

/// `diagnose` as a verdict: `Ok` when the text was recognised, `Err` (`diagnose.unknown`) when not.
pub fn explain(text: &str) -> Result<Diagnosis, Diagnosis> {
    recognise(text).ok_or_else(|| unknown(text))
}

fn recognise(text: &str) -> Option<Diagnosis> {
    let text = prefix(text, SCAN_BYTES).trim();
    if text.is_empty() {
        return None;
    }
    let decoded = percent_decoded(text);
    let text = decoded.as_ref();
    own_code(text)
        .or_else(|| bare_number(text))
        .or_else(|| json_body(text))
        .or_else(|| aadsts_line(text))
        .or_else(|| helpdesk_page(text))
        .or_else(|| mail_reply::recognise(text))
        .or_else(|| graph_code(text))
        .or_else(|| oauth_error_word(text))
        .or_else(|| network::recognise(text))
}

/// A code this tool printed: `aadsts.50011`, `graph.ErrorAccessDenied`, `smtp.535_5.7.3`, ...
fn own_code(text: &str) -> Option<Diagnosis> {
    if text.contains(char::is_whitespace) {
        return None;
    }
    let (family, rest) = text.split_once('.')?;
    match family.to_ascii_lowercase().as_str() {
        "aadsts" => rest.parse().ok().map(|code| aadsts(code, "")),
        "graph" => {
            let (name, variant) = match rest.split_once('.') {
                Some((name, "app_access_policy")) => (name, true),
                Some(_) => return None,
                None => (rest, false),
            };
            let name = graph::CODES.iter().find(|c| c.eq_ignore_ascii_case(name))?;
            Some(graph::entry(0, name, "", variant))
        }
        "imap" | "smtp" => mail_reply::by_code(&text.to_ascii_lowercase()),
        "net" => network::by_code(&text.to_ascii_lowercase()),
        "oauth" => {
            let rest = rest.to_ascii_lowercase();
            if let Some(status) = rest.strip_prefix("http_") {
                return status.parse().ok().map(|s| token_error(s, ""));
            }
            OAUTH_ERRORS
                .contains(&rest.as_str())
                .then(|| oauth_error(&rest, ""))
        }
        _ => None,
    }
}

/// `700016` or `AADSTS700016` alone.
fn bare_number(text: &str) -> Option<Diagnosis> {
    let digits = text
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("AADSTS"))
        .map_or(text, |_| &text[6..]);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let zero = digits.starts_with('0');
    digits
        .parse()
        .ok()
        .map(|code| aadsts(misprinted(code, zero), ""))
}

/// A JSON error body, alone or inside a log line: Graph's nests `error` in an object, the
/// identity platform's has `error` as a string.
fn json_body(text: &str) -> Option<Diagnosis> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let json = text.get(start..=end)?;
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    if v["error"].is_object() {
        Some(graph_error(0, json))
    } else if v["error"].is_string() || v["error_codes"].is_array() {
        Some(token_error(0, json))
    } else {
        None
    }
}

/// `AADSTS50011: …` anywhere: an error page, a log line, a redirect URL's `error_description`.
fn aadsts_line(text: &str) -> Option<Diagnosis> {
    let zero = text.to_ascii_uppercase().contains("AADSTS0");
    let code = misprinted(aadsts_in(text)?, zero);
    let at = text.to_ascii_uppercase().find("AADSTS")?;
    let said = first_line(&text[at..]);
    let said = match said.find(['&', '"']) {
        Some(cut) => &said[..cut],
        None => said,
    };
    Some(aadsts(code, said))
}

/// Zammad's troubleshooting list prints AADSTS700016 as "AADSTS00016" and AADSTS900023 as
/// "AADSTS0023"; no AADSTS code starts with a zero, so those are read as meant.
fn misprinted(code: u32, leading_zero: bool) -> u32 {
    match (code, leading_zero) {
        (16, true) => 700016,
        (23, true) => 900023,
        (other, _) => other,
    }
}

/// What a helpdesk shows instead of Microsoft's words, as its troubleshooting list explains it
/// (Zammad's "Common errors" for Microsoft 365).
fn helpdesk_page(text: &str) -> Option<Diagnosis> {
    const ZAMMAD: &str =
        "https://admin-docs.zammad.org/en/latest/channels/microsoft365/common-errors.html";
    let lower = text.to_ascii_lowercase();
    let (code, says) = if lower.contains("we're sorry, but something went wrong") {
        // Zammad: "This error occurs when the client uses an incorrect or expired client secret."
        (
            7000215,
            "Zammad shows this page when the app's client secret is wrong or expired.",
        )
    } else if lower.trim() == "approval required"
        || lower.contains("approval required") && lower.contains("admin consent")
    {
        // Zammad: the app has not yet been approved by an administrator of the tenant.
        (
            90094,
            "Zammad shows “approval required” when no administrator has consented to the app yet.",
        )
    } else {
        return None;
    };
    let mut d = aadsts(code, "");
    d.detail = format!("{says} {}", d.detail);
    if code == 7000215 {
        d.title = "The client secret is wrong or expired".to_owned();
    }
    Some(d.with_docs(ZAMMAD))
}

/// A Graph error code by name (`ErrorItemNotFound`), alone or in a message.
fn graph_code(text: &str) -> Option<Diagnosis> {
    if text.contains("Access to OData is disabled") {
        return Some(graph::by_code(0, "ErrorAccessDenied", first_line(text)));
    }
    let name = graph::CODES.iter().find(|c| {
        text.eq_ignore_ascii_case(c)
            || text
                .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .any(|w| w == **c)
    })?;
    let message = if text.eq_ignore_ascii_case(name) {
        ""
    } else {
        first_line(text)
    };
    Some(graph::by_code(0, name, message))
}

/// An OAuth `error` value (`invalid_grant`), alone or in a message.
fn oauth_error_word(text: &str) -> Option<Diagnosis> {
    let lower = text.to_ascii_lowercase();
    let error = OAUTH_ERRORS.iter().find(|e| {
        lower
            .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .any(|w| w == **e)
    })?;
    let said = if lower == *error {
        ""
    } else {
        first_line(text)
    };
    Some(oauth_error(error, said))
}

/// A pasted redirect URL arrives percent-encoded (`error_description=AADSTS50011%3a+The…`).
fn percent_decoded(text: &str) -> Cow<'_, str> {
    let query = text.contains("error_description=") || text.contains("error=");
    let plus = query && text.contains('+');
    if !(text.contains('%') || plus) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if query => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn unknown(text: &str) -> Diagnosis {
    let quoted = quote(text);
    let detail = if quoted.is_empty() {
        "Nothing was given to explain.".to_owned()
    } else {
        format!("“{quoted}” matches no entry of the troubleshooting catalog.")
    };
    Diagnosis::new(
        UNKNOWN,
        "Not recognised",
        detail,
        "Paste an AADSTS code (700016 or AADSTS700016), the whole error message, page or redirect URL the browser showed, the JSON error body a server logged, a Graph error code (ErrorItemNotFound), an IMAP or SMTP reply line (535 5.7.3 …) or a bounce's status code (5.7.708), or a code this tool printed (net.tls).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> String {
        diagnose(text).code
    }

    #[test]
    fn recognises_what_people_paste() {
        let cases = [
            ("700016", "aadsts.700016"),
            ("  AADSTS7000215 ", "aadsts.7000215"),
            ("aadsts.50011", "aadsts.50011"),
            ("AADSTS50194: Application 'x'(y) is not configured as a multi-tenant application.", "aadsts.50194"),
            ("2024-01-01 ERROR token refresh failed: AADSTS700082: The refresh token has expired due to inactivity.", "aadsts.700082"),
            ("https://helpdesk.example/callback?error=invalid_request&error_description=AADSTS50011%3a+The+redirect+URI+%27https%3a%2f%2fx%27+does+not+match.&state=1", "aadsts.50011"),
            (r#"{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired.","error_codes":[7000222]}"#, "aadsts.7000222"),
            (r#"response body: {"error":{"code":"MailboxNotEnabledForRESTAPI","message":"The mailbox is either inactive, soft-deleted, or is hosted on-premise."}}"#, "graph.MailboxNotEnabledForRESTAPI"),
            (r#"{"error":"authorization_pending","error_description":"Waiting."}"#, "oauth.authorization_pending"),
            ("ErrorItemNotFound", "graph.ErrorItemNotFound"),
            ("erroraccessdenied", "graph.ErrorAccessDenied"),
            ("graph.ErrorAccessDenied", "graph.ErrorAccessDenied"),
            ("graph.ErrorAccessDenied.app_access_policy", "graph.ErrorAccessDenied.app_access_policy"),
            ("Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.", "graph.ErrorAccessDenied.app_access_policy"),
            ("The specified object was not found in the store., ErrorItemNotFound", "graph.ErrorItemNotFound"),
            ("A01 NO AUTHENTICATE failed.", "imap.auth_failed"),
            ("BAD User is authenticated but not connected.", "imap.not_connected"),
            ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", "smtp.client_auth_disabled"),
            ("smtp.535_5.7.3", "smtp.535_5.7.3"),
            ("imap.not_connected", "imap.not_connected"),
            ("net.tls", "net.tls"),
            ("NET.DNS", "net.dns"),
            ("oauth.invalid_grant", "oauth.invalid_grant"),
            ("oauth.http_503", "oauth.http_503"),
            ("invalid_grant", "oauth.invalid_grant"),
            ("Connection refused (os error 111)", "net.connect"),
            ("certificate has expired", "net.tls"),
            ("connect timed out", "net.timeout"),
            ("failed to lookup address information: Temporary failure in name resolution", "net.dns"),
        ];
        for (text, want) in cases {
            assert_eq!(code(text), want, "{text}");
            assert!(explain(text).is_ok(), "{text}");
        }
    }

    /// Every error of the seeds' troubleshooting lists (Zammad's "Common errors" for Microsoft
    /// 365, IMAP and Graph channels, its tracker's EXPUNGE failure, FreeScout's fetch error)
    /// gets its own entry.
    #[test]
    fn the_helpdesks_troubleshooting_lists_are_covered() {
        let cases = [
            ("AADSTS00016: Application with identifier 'xxxxxxxx' was not found in the directory 'MSFT'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", "aadsts.700016", "Application (client) ID"),
            ("AADSTS0023: Specified tenant identifier 'xxxxxxxx' is neither a valid DNS name, nor a valid external domain.", "aadsts.900023", "Directory (tenant) ID"),
            ("500: We're sorry, but something went wrong.", "aadsts.7000215", "Value"),
            ("approval required", "aadsts.90094", "consent"),
            ("AADSTS0023", "aadsts.900023", "Directory (tenant) ID"),
            ("AADSTS16", "aadsts.16", "Sign-in logs"),
            ("Can't use Channel:Driver::SMTPAuthentificationError:Net::SMTPAuthentificationError", "smtp.zammad_auth_error", "SmtpClientAuthenticationDisabled $false"),
            ("Retrieval using the IMAP4 protocol failed for the following message: 17", "imap.retrieval_failed", "Safe Attachments"),
            ("535 5.7.3 Authentication unsuccessful", "smtp.535_5.7.3", "SMTP.Send"),
            // FreeScout's fetch error (php-imap), as its tracker shows it.
            ("imap_open(): Couldn't open stream {outlook.office365.com:993/imap/ssl}. Retrying PLAIN authentication after AUTHENTICATE failed.; Can not authenticate to IMAP server: AUTHENTICATE failed.", "imap.auth_failed", "IMAP.AccessAsUser.All"),
            ("EXPUNGE failed", "imap.expunge_failed", "RetainDeletedItemsFor"),
            ("MailboxNotEnabledForRESTAPI", "graph.MailboxNotEnabledForRESTAPI", ""),
            ("ErrorItemNotFound", "graph.ErrorItemNotFound", ""),
            ("ErrorInvalidUser", "graph.ErrorInvalidUser", ""),
        ];
        for (text, want, action) in cases {
            let d = diagnose(text);
            assert_eq!(d.code, want, "{text}");
            assert!(d.fix.contains(action), "{text}: {}", d.fix);
        }
        let d = diagnose("500: We're sorry, but something went wrong.");
        assert!(
            d.detail.starts_with("Zammad shows this page"),
            "{}",
            d.detail
        );
        assert!(d.docs_url.as_deref().is_some_and(|u| u.contains("zammad")));
    }

    #[test]
    fn bounces_and_status_codes_are_explained() {
        let cases = [
            ("Remote server returned '550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230)'", "smtp.5.7.705"),
            ("Your message to bob@fabrikam.com couldn't be delivered.\nMore Info for Email Admins\nStatus code: 550 5.7.509", "smtp.5.7.509"),
            ("5.7.708", "smtp.5.7.705"),
            ("550 5.7.57", "smtp.530_5.7.57"),
            ("smtp.5.7.708", "smtp.5.7.705"),
            ("smtp.5.7.705", "smtp.5.7.705"),
            ("SMTP.4.7.500-699", "smtp.4.7.500-699"),
            ("smtp.5.7.x", "smtp.5.7.x"),
            ("imap.expunge_failed", "imap.expunge_failed"),
            ("5.7.999", "smtp.5.7.x"),
            ("4.4.999", "smtp.4.4.x"),
        ];
        for (text, want) in cases {
            assert_eq!(code(text), want, "{text}");
            assert!(explain(text).is_ok(), "{text}");
        }
        let d = diagnose("5.7.999");
        assert_eq!(d.title, "5.7.x: a permanent failure, security or policy");
    }

    #[test]
    fn pasted_details_reach_the_diagnosis() {
        let url = "https://x/cb?error=invalid_request&error_description=AADSTS50011%3a+The+redirect+URI+does+not+match.&state=1";
        let d = diagnose(url);
        assert_eq!(d.field.as_deref(), Some("Redirect URI"));
        assert!(
            d.detail
                .contains("“AADSTS50011: The redirect URI does not match.”"),
            "{}",
            d.detail
        );
        assert!(!d.detail.contains("state=1"));

        let d = diagnose("700016");
        assert_eq!(d.field.as_deref(), Some("Client ID"));
        assert!(d.fix.contains("Application (client) ID"));

        let d = diagnose("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.");
        assert!(d.fix.contains(
            "Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false"
        ));
    }

    #[test]
    fn unknown_text_says_what_to_paste() {
        for text in [
            "",
            "   ",
            "hello world",
            "diagnose.unknown",
            "graph.Nope",
            "net.nope",
            "aadsts.x",
            "404 Not Found",
            "smtp.5.7.nope",
            "smtp.9.1.x",
            "9.1.1",
            "at 10.5.1.1 version 1.2.3",
        ] {
            let d = diagnose(text);
            assert_eq!(d.code, UNKNOWN, "{text}: {d:?}");
            assert!(d.fix.contains("AADSTS code"));
            assert!(explain(text).is_err());
        }
        assert_eq!(diagnose("").detail, "Nothing was given to explain.");
    }

    #[test]
    fn odd_input_never_panics_and_stays_short() {
        let huge = "x".repeat(5_000_000);
        let huge_aadsts = format!("{huge} AADSTS50011");
        let inputs = [
            String::new(),
            huge.clone(),
            huge_aadsts,
            "\u{FFFD}\u{FFFD}\u{FFFD}".to_owned(),
            "99999999999999999999".to_owned(),
            "AADSTS99999999999".to_owned(),
            "%".to_owned(),
            "%E".to_owned(),
            "%zz%ff%c3".to_owned(),
            "{".to_owned(),
            "}{".to_owned(),
            "aadsts.".to_owned(),
            ".".to_owned(),
            "ä".repeat(70_000),
            "S:".to_owned(),
            "A".to_owned(),
        ];
        for text in &inputs {
            let d = diagnose(text);
            assert!(d.detail.chars().count() < 1000, "{}", d.detail.len());
        }
        assert_eq!(code("99999999999999999999"), UNKNOWN);
        assert_eq!(code(&huge), UNKNOWN);
    }

    #[test]
    fn secrets_in_pastes_are_not_echoed() {
        let jwt =
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl";
        for text in [
            format!("not recognisable at all {jwt}"),
            format!("AADSTS70000: bad grant for refresh_token={jwt}"),
            "nothing here client_secret=abc8Q~somethingsecret".to_owned(),
            format!("Authorization: Bearer {jwt} gave connection refused"),
        ] {
            let d = diagnose(&text);
            let all = format!("{} {} {}", d.title, d.detail, d.fix);
            assert!(!all.contains("eyJ0eXAi"), "{all}");
            assert!(!all.contains("somethingsecret"), "{all}");
        }
    }
}
