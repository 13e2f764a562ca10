//! The helpdesk's host name as an admin types or pastes it: forgiving where the intent is clear
//! (a pasted URL, a trailing dot, capitals), strict where a callback URL could not work.

use crate::catalog::Diagnosis;
use serde::Serialize;
use ts_rs::TS;

const FIELD: &str = "FQDN";

/// A syntactically valid helpdesk host, with what was cleaned up on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HostName {
    /// Punycode, lower case: what goes into URLs and the app registration.
    pub ascii: String,
    /// The same name as people read it (IDN labels decoded).
    pub unicode: String,
    /// A port other than 443, when one was given.
    pub port: Option<u16>,
    /// A path that came with a pasted URL (`/helpdesk`), without a trailing slash; may be empty.
    pub path: String,
    /// What was changed from the input, in plain words.
    pub notes: Vec<String>,
}

impl HostName {
    pub fn parse(input: &str) -> Result<Self, Diagnosis> {
        let mut notes = Vec::new();
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(bad(
                "fqdn.empty",
                "No host name was given.",
                "Type the name your helpdesk is reached at, for example helpdesk.example.com.",
            ));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(bad(
                "fqdn.whitespace",
                "The host name contains a space.",
                "Remove the spaces; a host name is one word such as helpdesk.example.com.",
            ));
        }
        let rest = strip_scheme(trimmed, &mut notes)?;
        let (authority, path) = split_path(rest, &mut notes);
        if authority.is_empty() {
            return Err(bad(
                "fqdn.empty",
                "There is no host name after the scheme (“https://”).",
                "Type the name your helpdesk is reached at after https://, for example helpdesk.example.com.",
            ));
        }
        if authority.contains('@') {
            return Err(bad(
                "fqdn.email",
                format!("“{authority}” looks like an e-mail address or contains credentials."),
                "Type only the helpdesk's host name, the part after https:// (for example helpdesk.example.com).",
            ));
        }
        let (host, port) = split_port(authority, &mut notes)?;
        let host = strip_trailing_dot(host, &mut notes)?;
        refuse_ip_literal(host)?;
        let ascii = to_ascii(host)?;
        check_labels(&ascii)?;
        let (unicode, _) = idna::domain_to_unicode(&ascii);
        if unicode != ascii {
            notes.push(format!(
                "International name: shown as {unicode}, stored as {ascii}."
            ));
        }
        Ok(HostName {
            ascii,
            unicode,
            port,
            path,
            notes,
        })
    }

    /// `host[:port]` in ASCII, as it appears in a URL.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.ascii),
            None => self.ascii.clone(),
        }
    }
}

fn bad(code: &str, detail: impl Into<String>, fix: impl Into<String>) -> Diagnosis {
    Diagnosis::field(FIELD, code, detail, fix)
}

fn strip_scheme<'a>(input: &'a str, notes: &mut Vec<String>) -> Result<&'a str, Diagnosis> {
    let Some((scheme, rest)) = input.split_once("://") else {
        return Ok(input);
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => notes.push("Removed “https://”: the wizard builds the URLs itself.".to_owned()),
        "http" => notes.push(
            "Removed “http://”: Microsoft accepts only https:// callbacks for names other than localhost, so the callback uses https.".to_owned(),
        ),
        _ => {
            return Err(bad(
                "fqdn.scheme",
                format!("“{scheme}://” is not a web address scheme."),
                "Type only the helpdesk's host name, for example helpdesk.example.com.",
            ))
        }
    }
    Ok(rest)
}

/// Splits `host[:port]/path?query#fragment`; query and fragment are dropped, the path is kept
/// for server kinds that may live in a subdirectory.
fn split_path<'a>(rest: &'a str, notes: &mut Vec<String>) -> (&'a str, String) {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    if path_end < tail.len() {
        notes.push("Removed the query or #fragment after the host name.".to_owned());
    }
    let path = tail[..path_end].trim_end_matches('/').to_owned();
    (authority, path)
}

fn split_port<'a>(
    authority: &'a str,
    notes: &mut Vec<String>,
) -> Result<(&'a str, Option<u16>), Diagnosis> {
    if authority.starts_with('[') {
        // An IPv6 literal, perhaps with a port: keep the bracketed part for the IP check to explain.
        let end = authority.find(']').map_or(authority.len(), |i| i + 1);
        return Ok((&authority[..end], None));
    }
    let Some((host, port)) = authority.rsplit_once(':') else {
        return Ok((authority, None));
    };
    let port: u16 = match port.parse() {
        Ok(p) if p > 0 => p,
        _ => {
            return Err(bad(
                "fqdn.port",
                format!("“{port}” is not a port number."),
                "Give a port from 1 to 65535 after the colon, or leave the port out for the https default (443).",
            ))
        }
    };
    if port == 443 {
        notes.push("Dropped “:443”: it is the https default.".to_owned());
        return Ok((host, None));
    }
    notes.push(format!(
        "The callback URL keeps port {port}; the helpdesk must answer https there and Microsoft's redirect goes to it."
    ));
    Ok((host, Some(port)))
}

fn strip_trailing_dot<'a>(host: &'a str, notes: &mut Vec<String>) -> Result<&'a str, Diagnosis> {
    let Some(stripped) = host.strip_suffix('.') else {
        return Ok(host);
    };
    if stripped.is_empty() || stripped.ends_with('.') {
        return Err(bad(
            "fqdn.empty_label",
            "The host name has an empty part (two dots in a row, or only dots).",
            "Remove the extra dots, for example helpdesk.example.com.",
        ));
    }
    notes.push(
        "Removed the trailing dot: URLs and certificates use the name without it.".to_owned(),
    );
    Ok(stripped)
}

fn refuse_ip_literal(host: &str) -> Result<(), Diagnosis> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Err(bad(
            "fqdn.ip_literal",
            format!("{host} is an IP address, not a host name."),
            "Use the DNS name the helpdesk's TLS certificate is issued for; Microsoft redirects to https:// URLs that must match that certificate.",
        ));
    }
    Ok(())
}

fn to_ascii(host: &str) -> Result<String, Diagnosis> {
    if host.contains('_') {
        return Err(bad(
            "fqdn.underscore",
            format!("“{host}” contains an underscore, which host names may not (RFC 1123); certificates and browsers refuse it."),
            "Use a hyphen instead of the underscore, or the name the helpdesk is really served at.",
        ));
    }
    // STD3 rules: after mapping, only letters, digits and hyphens; lengths are checked by us.
    let ascii = idna::domain_to_ascii_cow(host.as_bytes(), idna::AsciiDenyList::STD3).map_err(|_| {
        bad(
            "fqdn.characters",
            format!("“{host}” has characters that cannot be part of a host name."),
            "Use letters, digits, hyphens and dots only (international letters are fine), for example helpdesk.example.com.",
        )
    })?;
    Ok(ascii.into_owned())
}

fn check_labels(ascii: &str) -> Result<(), Diagnosis> {
    if ascii.len() > 253 {
        return Err(bad(
            "fqdn.too_long",
            format!(
                "The host name is {} characters long; DNS allows at most 253.",
                ascii.len()
            ),
            "Check that only the host name was pasted, not a whole text.",
        ));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err(bad(
            "fqdn.empty_label",
            "The host name has an empty part (two dots in a row, or a leading dot).",
            "Remove the extra dots, for example helpdesk.example.com.",
        ));
    }
    if let Some(long) = labels.iter().find(|l| l.len() > 63) {
        return Err(bad(
            "fqdn.label_too_long",
            format!(
                "The part “{}…” is {} characters long; each part between dots may have at most 63.",
                &long[..12],
                long.len()
            ),
            "Shorten that part, or check that the right name was pasted.",
        ));
    }
    if let Some(l) = labels
        .iter()
        .find(|l| l.starts_with('-') || l.ends_with('-'))
    {
        return Err(bad(
            "fqdn.hyphen",
            format!("The part “{l}” starts or ends with a hyphen, which host names may not."),
            "Remove the hyphen at the start or end of that part.",
        ));
    }
    if labels.len() < 2 {
        return Err(bad(
            "fqdn.single_label",
            format!("“{ascii}” is a single name, not a fully qualified domain name."),
            "Type the full name with its domain, for example helpdesk.example.com; Microsoft must reach it by that name over https.",
        ));
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad(
            "fqdn.numeric_tld",
            format!(
                "“{ascii}” ends in a number, so it is neither a host name nor a valid IP address."
            ),
            "Check for a typo; a host name ends in a domain such as .com or .de.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> HostName {
        HostName::parse(input).unwrap_or_else(|d| panic!("{input:?} refused: {d}"))
    }

    fn code(input: &str) -> String {
        match HostName::parse(input) {
            Ok(h) => panic!("{input:?} accepted as {h:?}"),
            Err(d) => {
                assert_eq!(d.field.as_deref(), Some("FQDN"), "{input:?}");
                assert!(!d.fix.is_empty(), "{input:?} has no fix");
                d.code
            }
        }
    }

    #[test]
    fn plain_names_pass_unchanged() {
        let h = ok("helpdesk.example.com");
        assert_eq!(
            (h.ascii.as_str(), h.port, h.path.as_str()),
            ("helpdesk.example.com", None, "")
        );
        assert!(h.notes.is_empty());
        assert_eq!(ok("  HelpDesk.Example.COM ").ascii, "helpdesk.example.com");
    }

    #[test]
    fn pasted_urls_keep_only_what_matters() {
        let h = ok("https://helpdesk.example.com/#ticket/view/my_tickets");
        assert_eq!(
            (h.ascii.as_str(), h.path.as_str()),
            ("helpdesk.example.com", "")
        );
        assert_eq!(h.notes.len(), 2, "{:?}", h.notes);
        let h = ok("http://desk.example.com:8443/support/?x=1");
        assert_eq!((h.port, h.path.as_str()), (Some(8443), "/support"));
        assert_eq!(h.authority(), "desk.example.com:8443");
        assert_eq!(ok("desk.example.com:443").port, None);
    }

    #[test]
    fn idn_is_shown_as_unicode_and_stored_as_punycode() {
        let h = ok("Support.Bücher.example");
        assert_eq!(h.ascii, "support.xn--bcher-kva.example");
        assert_eq!(h.unicode, "support.bücher.example");
        assert!(h.notes.iter().any(|n| n.contains("xn--bcher-kva")));
        assert_eq!(
            ok("support.xn--bcher-kva.example").unicode,
            "support.bücher.example"
        );
    }

    #[test]
    fn trailing_dot_is_removed_with_a_note() {
        let h = ok("helpdesk.example.com.");
        assert_eq!(h.ascii, "helpdesk.example.com");
        assert_eq!(h.notes.len(), 1);
    }

    #[test]
    fn bad_inputs_name_the_field_and_the_fix() {
        let table = [
            ("", "fqdn.empty"),
            ("   ", "fqdn.empty"),
            ("https:///helpdesk", "fqdn.empty"),
            ("help desk.example.com", "fqdn.whitespace"),
            ("ftp://helpdesk.example.com", "fqdn.scheme"),
            ("admin@example.com", "fqdn.email"),
            ("https://user:pw@helpdesk.example.com", "fqdn.email"),
            ("helpdesk.example.com:0", "fqdn.port"),
            ("helpdesk.example.com:70000", "fqdn.port"),
            ("helpdesk.example.com:https", "fqdn.port"),
            ("helpdesk.example.com:", "fqdn.port"),
            ("192.0.2.10", "fqdn.ip_literal"),
            ("[2001:db8::1]", "fqdn.ip_literal"),
            ("https://[2001:db8::1]:8443/", "fqdn.ip_literal"),
            ("help_desk.example.com", "fqdn.underscore"),
            ("helpdesk..example.com", "fqdn.empty_label"),
            (".example.com", "fqdn.empty_label"),
            ("..", "fqdn.empty_label"),
            ("-helpdesk.example.com", "fqdn.hyphen"),
            ("helpdesk-.example.com", "fqdn.hyphen"),
            ("helpdesk", "fqdn.single_label"),
            ("localhost", "fqdn.single_label"),
            ("helpdesk.example.123", "fqdn.numeric_tld"),
            ("help!desk.example.com", "fqdn.characters"),
            ("helpdesk.exa*mple.com", "fqdn.characters"),
        ];
        for (input, expected) in table {
            assert_eq!(code(input), expected, "{input:?}");
        }
    }

    #[test]
    fn length_limits_follow_dns() {
        let label63 = "a".repeat(63);
        ok(&format!("{label63}.example.com"));
        assert_eq!(
            code(&format!("{}a.example.com", label63)),
            "fqdn.label_too_long"
        );
        let long = vec!["abcdefghi"; 26].join(".") + ".com";
        assert!(long.len() > 253);
        assert_eq!(code(&long), "fqdn.too_long");
    }
}
