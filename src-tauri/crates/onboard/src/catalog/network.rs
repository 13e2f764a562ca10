//! Network and TLS failures as people paste them (from this tool, a browser, curl or a server
//! log), with the same codes as `http::transport_error`.

use super::quote::quote;
use crate::catalog::Diagnosis;

/// What kind of TLS trouble a message describes: each has its own fix.
#[derive(Clone, Copy)]
enum Tls {
    Expired,
    UnknownIssuer,
    WrongName,
    Other,
}

/// `(marker in lowercase text, code)`; the first match wins, so specific markers come first.
const MARKERS: [(&str, &str); 23] = [
    ("certificate has expired", "net.tls.expired"),
    ("certificate: expired", "net.tls.expired"), // rustls
    ("certexpired", "net.tls.expired"),
    ("certificate expired", "net.tls.expired"),
    ("unknownissuer", "net.tls.unknown_issuer"),
    ("unknown issuer", "net.tls.unknown_issuer"),
    ("self-signed", "net.tls.unknown_issuer"),
    ("self signed", "net.tls.unknown_issuer"),
    ("unable to get local issuer", "net.tls.unknown_issuer"),
    ("notvalidforname", "net.tls.wrong_name"),
    ("not valid for name", "net.tls.wrong_name"),
    ("hostname mismatch", "net.tls.wrong_name"),
    ("does not match target host", "net.tls.wrong_name"),
    ("certificate", "net.tls"),
    ("handshake", "net.tls"),
    ("connection refused", "net.connect"),
    ("timed out", "net.timeout"),
    ("timeout", "net.timeout"),
    ("name resolution", "net.dns"),
    ("failed to lookup", "net.dns"),
    ("dns error", "net.dns"),
    ("name or service not known", "net.dns"),
    ("could not resolve", "net.dns"),
];

/// For `diagnose`: a network or TLS failure described in `text`.
pub(crate) fn recognise(text: &str) -> Option<Diagnosis> {
    let lower = text.to_ascii_lowercase();
    let code = MARKERS
        .iter()
        .find(|(marker, _)| lower.contains(marker))
        .map(|(_, code)| *code)
        .or_else(|| {
            [
                "no route to host",
                "network is unreachable",
                "connection reset",
            ]
            .iter()
            .any(|m| lower.contains(m))
            .then_some("net.connect")
        })?;
    let mut d = by_code(code)?;
    d.detail = format!("{} The message: “{}”", d.detail, quote(text));
    Some(d)
}

/// A transport failure met by the wizard itself (`http::transport_error`): the error chain read
/// like pasted text, the host named in the title, the chain kept as the detail.
pub fn network_failure(host: &str, chain: &str, timed_out: bool) -> Diagnosis {
    let text = if timed_out {
        format!("timed out: {chain}")
    } else {
        chain.to_owned()
    };
    let lower = text.to_ascii_lowercase();
    let code = MARKERS
        .iter()
        .find(|(marker, _)| lower.contains(marker))
        .map_or("net.connect", |(_, code)| *code);
    let mut d = by_code(code).unwrap_or_else(|| Diagnosis::new(code, "", "", ""));
    d.title = format!("{} ({host})", d.title);
    d.detail = format!("{} {}", d.detail, quote(chain));
    d
}

/// For `diagnose` and callers: our network codes. `net.tls.*` refine `net.tls` for `diagnose`;
/// the code stays `net.tls` so scripts match one code.
pub(crate) fn by_code(code: &str) -> Option<Diagnosis> {
    let d = match code {
        "net.timeout" => Diagnosis::new(code, "The host did not answer in time", "The connection or the answer took too long.", "Check the network connection and any proxy or firewall between this machine and the host, then try again."),
        "net.connect" => Diagnosis::new(code, "The host cannot be reached", "The connection was refused, reset or had no route: nothing listens on that port, or a firewall blocks it.", "Check the host name and port, that the service runs, and any proxy or firewall between this machine and the host."),
        "net.dns" => Diagnosis::new(code, "The host name cannot be found", "The name does not resolve in DNS.", "Check the host name for typos and the DNS settings of this machine; a new DNS record can take a while to appear."),
        "net.tls" => tls(Tls::Other),
        "net.tls.expired" => tls(Tls::Expired),
        "net.tls.unknown_issuer" => tls(Tls::UnknownIssuer),
        "net.tls.wrong_name" => tls(Tls::WrongName),
        _ => return None,
    };
    Some(d)
}

fn tls(kind: Tls) -> Diagnosis {
    let (title, detail, fix) = match kind {
        Tls::Expired => ("The TLS certificate has expired", "The server's certificate (or one in its chain) is past its end date — or this machine's clock is wrong.", "Renew the server's certificate (e.g. `certbot renew`, then reload the web server) and check the system clock."),
        Tls::UnknownIssuer => ("The TLS certificate is not trusted", "The certificate was issued by a CA this machine does not trust: a self-signed certificate, a missing intermediate certificate, or a proxy that inspects TLS.", "Serve the full chain (certificate plus intermediates) from a public CA such as Let's Encrypt; if a proxy inspects TLS, add its CA to the system's trust store."),
        Tls::WrongName => ("The TLS certificate is for another name", "The certificate does not list the host name that was connected to.", "Issue a certificate that names this exact host (Subject Alternative Name), or connect with the name the certificate was issued for."),
        Tls::Other => ("The TLS connection failed", "The TLS handshake failed or the certificate was not accepted.", "Check the certificate with `openssl s_client -connect HOST:443 -servername HOST`; if a proxy inspects TLS traffic, add its CA to the system's trust store; check the system clock."),
    };
    Diagnosis::new("net.tls", title, detail, fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wizards_own_failures_name_the_host() {
        let cases = [
            (
                "error sending request: dns error: failed to lookup address",
                false,
                "net.dns",
            ),
            (
                "error sending request: client error (Connect)",
                true,
                "net.timeout",
            ),
            ("invalid peer certificate: UnknownIssuer", false, "net.tls"),
            (
                "tcp connect error: Connection refused (os error 111)",
                false,
                "net.connect",
            ),
            ("something else entirely", false, "net.connect"),
        ];
        for (chain, timed_out, code) in cases {
            let d = network_failure("login.example", chain, timed_out);
            assert_eq!(d.code, code, "{chain}");
            assert!(
                d.title.ends_with("(login.example)") && !d.fix.is_empty(),
                "{d:?}"
            );
        }
    }

    #[test]
    fn network_texts_are_recognised() {
        // (pasted text, code, title word, words the fix must contain)
        let cases = [
            (
                "error sending request: tcp connect error: Connection refused (os error 111)",
                "net.connect",
                "reached",
                "port",
            ),
            ("operation timed out", "net.timeout", "in time", "try again"),
            (
                "curl: (28) Connection timeout after 10001 ms",
                "net.timeout",
                "in time",
                "firewall",
            ),
            (
                "dns error: failed to lookup address information: Name or service not known",
                "net.dns",
                "found",
                "DNS settings",
            ),
            (
                "Temporary failure in name resolution",
                "net.dns",
                "found",
                "host name",
            ),
            (
                "invalid peer certificate: Expired",
                "net.tls",
                "expired",
                "Renew",
            ),
            (
                "received fatal alert: HandshakeFailure",
                "net.tls",
                "TLS",
                "openssl",
            ),
            (
                "SSL certificate problem: certificate has expired",
                "net.tls",
                "expired",
                "Renew",
            ),
            (
                "invalid peer certificate: UnknownIssuer",
                "net.tls",
                "not trusted",
                "full chain",
            ),
            (
                "SSL certificate problem: self-signed certificate in certificate chain",
                "net.tls",
                "not trusted",
                "trust store",
            ),
            (
                "invalid peer certificate: NotValidForName",
                "net.tls",
                "another name",
                "this exact host",
            ),
            (
                "connect: No route to host",
                "net.connect",
                "reached",
                "firewall",
            ),
        ];
        for (text, code, title, action) in cases {
            let d = recognise(text).unwrap();
            assert_eq!(d.code, code, "{text}");
            assert!(d.title.contains(title), "{text}: {}", d.title);
            assert!(d.fix.contains(action), "{text}: {}", d.fix);
            assert!(d.detail.contains(text), "{}", d.detail);
        }
        assert!(recognise("everything is fine").is_none());
    }

    #[test]
    fn our_codes_are_explained() {
        for code in ["net.timeout", "net.connect", "net.dns", "net.tls"] {
            assert_eq!(by_code(code).unwrap().code, code);
        }
        assert!(by_code("net.nothing").is_none());
    }
}
