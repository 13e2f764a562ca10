//! Quoting what a server or a person gave us: diagnoses echo text, so it is capped and anything
//! that looks like a secret (a JWT, a client secret value, `client_secret=…`, a bearer token, an
//! XOAUTH2 blob) is replaced before it can reach a screen, a log or a bug report.

/// How much foreign text a diagnosis quotes.
pub(crate) const QUOTE_CHARS: usize = 300;

/// How much of a paste is looked at at all: enough for any error page or JSON body.
pub(crate) const SCAN_BYTES: usize = 64 * 1024;

/// Words after which the next value is a secret (`client_secret=…`, `"refresh_token": "…"`,
/// `Bearer …`).
const SECRET_KEYS: [&str; 9] = [
    "client_secret",
    "refresh_token",
    "access_token",
    "id_token",
    "client_assertion",
    "assertion",
    "password",
    "code_verifier",
    "bearer",
];

const REDACTED: &str = "[redacted]";

/// Redacted and capped: safe to put in a `Diagnosis`.
pub(crate) fn quote(text: &str) -> String {
    let redacted = redact(prefix(text.trim(), SCAN_BYTES));
    let redacted = redacted.trim();
    match redacted.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &redacted[..cut]),
        None => redacted.to_owned(),
    }
}

/// The first line of a server's message: Microsoft appends Trace ID, Correlation ID and
/// Timestamp lines that mean nothing to the reader (and sometimes puts them on the same line).
pub(crate) fn first_line(text: &str) -> &str {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    match line.find(" Trace ID:") {
        Some(cut) => line[..cut].trim_end(),
        None => line,
    }
}

/// At most `max` bytes of `text`, cut on a character boundary.
pub(crate) fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// Characters of a token-like word: base64url, base64, percent-encoding, dotted JWT parts.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '~' | '+' | '/' | '-' | '%')
}

/// A word that is a credential by its looks, wherever it stands.
fn looks_secret(word: &str) -> bool {
    let long = word.len() >= 20;
    let mixed = word.chars().any(|c| c.is_ascii_uppercase())
        && word.chars().any(|c| c.is_ascii_lowercase())
        && word.chars().any(|c| c.is_ascii_digit());
    // A JWT (base64 of `{"`) or an XOAUTH2 blob (base64 of `user=`).
    (long && (word.starts_with("eyJ") || word.starts_with("dXNlcj")))
        || (word.len() >= 30 && word.contains("Q~")) // an Entra client secret value
        || (word.len() >= 80 && mixed) // any other long opaque token
}

fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // After a secret key: the separator seen so far, and whether a bare space suffices.
    let mut pending: Option<(String, bool)> = None;
    while let Some(c) = rest.chars().next() {
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        if end == 0 {
            out.push(c);
            if let Some((sep, _)) = pending.as_mut() {
                sep.push(c);
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let word = &rest[..end];
        let hide = match pending.take() {
            Some((sep, space_ok)) => {
                let assigns = sep.contains(['=', ':']) || (space_ok && !sep.is_empty());
                assigns
                    && sep
                        .chars()
                        .all(|c| matches!(c, '=' | ':' | '"' | '\'' | ' '))
            }
            None => false,
        };
        if hide || looks_secret(word) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
            let key = word.to_ascii_lowercase();
            if SECRET_KEYS.contains(&key.as_str()) {
                pending = Some((String::new(), key == "bearer"));
            }
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_wherever_they_stand() {
        let cases = [
            (
                "client_secret=abc8Q~secretvalue&x=1",
                "client_secret=[redacted]&x=1",
            ),
            (
                r#"{"refresh_token": "0.AXoA-opaque", "scope": "x"}"#,
                r#"{"refresh_token": "[redacted]", "scope": "x"}"#,
            ),
            (
                "Authorization: Bearer opaque123",
                "Authorization: Bearer [redacted]",
            ),
            (
                "token eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln here",
                "token [redacted] here",
            ),
            (
                "secret Abc8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.",
                "secret [redacted]",
            ),
            (
                "C: A01 AUTHENTICATE XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFh==",
                "C: A01 AUTHENTICATE XOAUTH2 [redacted]==",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), want, "{input}");
        }
    }

    #[test]
    fn ordinary_words_after_key_names_stay() {
        let s = "AADSTS50126: Error validating credentials due to invalid username or password.";
        assert_eq!(quote(s), s);
        assert_eq!(
            quote("https://login.microsoftonline.com/error?code=7000215"),
            "https://login.microsoftonline.com/error?code=7000215"
        );
    }

    #[test]
    fn quotes_are_capped_on_char_boundaries() {
        let long = "ä".repeat(1000);
        let q = quote(&long);
        assert_eq!(q.chars().count(), QUOTE_CHARS + 1);
        assert!(q.ends_with('…'));
        assert_eq!(prefix("äb", 1), "");
    }

    #[test]
    fn first_line_drops_trace_lines() {
        let s = "AADSTS7000215: Invalid client secret.\r\nTrace ID: 1\r\nCorrelation ID: 2";
        assert_eq!(first_line(s), "AADSTS7000215: Invalid client secret.");
        assert_eq!(
            first_line("AADSTS1: x. Trace ID: 1 Correlation ID: 2"),
            "AADSTS1: x."
        );
        assert_eq!(first_line("\n\n  second  \n"), "second");
    }
}
