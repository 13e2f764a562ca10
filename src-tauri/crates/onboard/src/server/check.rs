//! The server step: from the helpdesk kind and host name to the callback URL Entra must know.

use crate::{
    catalog::Diagnosis,
    server::{HostName, ServerKind},
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const TEMPLATE_FIELD: &str = "Callback template";
const PLACEHOLDER: &str = "{fqdn}";
/// Entra refuses longer redirect URIs.
const MAX_REDIRECT_URI: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServerCheckInput {
    pub kind: ServerKind,
    pub fqdn: String,
    /// Only for `custom`: the callback URL with `{fqdn}` where the host goes.
    pub callback_template: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ServerCheck {
    pub kind: ServerKind,
    pub host: HostName,
    /// The redirect URI to register, in ASCII (punycode) exactly as the server will send it.
    pub callback_url: String,
    /// The same URL with international names decoded, for reading.
    pub callback_url_display: String,
    /// The Entra platform the redirect URI belongs under.
    pub platform: String,
    pub requirements: Vec<String>,
    /// What was cleaned up from the input.
    pub notes: Vec<String>,
}

/// The offline part of the server step: syntax, IDN, and the derived callback URL.
pub fn check_server(input: &ServerCheckInput) -> Result<ServerCheck, Diagnosis> {
    let host = HostName::parse(&input.fqdn)?;
    let mut notes = host.notes.clone();
    let kind = input.kind;
    let (callback_url, callback_url_display) = match kind.callback_path() {
        Some(path) => {
            let base = if kind.accepts_subdirectory() {
                host.path.clone()
            } else {
                if !host.path.is_empty() {
                    notes.push(format!(
                        "Ignored the path “{}”: Zammad is served from the root of its host name.",
                        host.path
                    ));
                }
                String::new()
            };
            let suffix = format!("{base}{path}");
            (
                format!("https://{}{suffix}", host.authority()),
                format!("https://{}{suffix}", unicode_authority(&host)),
            )
        }
        None => {
            let template = valid_template(input.callback_template.as_deref())?;
            if !host.path.is_empty() {
                notes.push(format!(
                    "Ignored the path “{}”: the template says where the callback goes.",
                    host.path
                ));
            }
            (
                template.replace(PLACEHOLDER, &host.authority()),
                template.replace(PLACEHOLDER, &unicode_authority(&host)),
            )
        }
    };
    if callback_url.len() > MAX_REDIRECT_URI {
        return Err(Diagnosis::field(
            "FQDN",
            "callback.too_long",
            format!(
                "The callback URL is {} characters long; Entra accepts at most {MAX_REDIRECT_URI}.",
                callback_url.len()
            ),
            "Use a shorter host name or path for the helpdesk.",
        ));
    }
    Ok(ServerCheck {
        kind,
        callback_url,
        callback_url_display,
        platform: "Web".to_owned(),
        requirements: kind.requirements(),
        notes,
        host,
    })
}

fn unicode_authority(host: &HostName) -> String {
    match host.port {
        Some(p) => format!("{}:{p}", host.unicode),
        None => host.unicode.clone(),
    }
}

fn valid_template(template: Option<&str>) -> Result<&str, Diagnosis> {
    let t = template.map(str::trim).unwrap_or_default();
    let bad = |code: &str, detail: String| {
        Diagnosis::field(
            TEMPLATE_FIELD,
            code,
            detail,
            "Write the callback as https://{fqdn}/path/to/callback; {fqdn} is replaced by the host name above.",
        )
    };
    if t.is_empty() {
        return Err(bad(
            "template.missing",
            "A custom server needs a callback template.".to_owned(),
        ));
    }
    if !t.starts_with("https://{fqdn}")
        || !matches!(t.as_bytes().get(PLACEHOLDER.len() + 8), None | Some(b'/'))
    {
        return Err(bad(
            "template.prefix",
            format!("“{t}” does not start with https://{{fqdn}}/."),
        ));
    }
    if t.matches(PLACEHOLDER).count() != 1 || t.matches(['{', '}']).count() != 2 {
        return Err(bad(
            "template.placeholder",
            format!("“{t}” must contain {{fqdn}} once and no other placeholder."),
        ));
    }
    if t.contains('#') || t.chars().any(char::is_whitespace) {
        return Err(bad(
            "template.characters",
            format!("“{t}” contains a space or a #fragment, which redirect URIs may not."),
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        kind: ServerKind,
        fqdn: &str,
        template: Option<&str>,
    ) -> Result<ServerCheck, Diagnosis> {
        check_server(&ServerCheckInput {
            kind,
            fqdn: fqdn.to_owned(),
            callback_template: template.map(str::to_owned),
        })
    }

    #[test]
    fn each_kind_has_its_callback() {
        let cases = [
            (
                ServerKind::ZammadGraph,
                "https://zammad.example.com/api/v1/external_credentials/microsoft_graph/callback",
            ),
            (
                ServerKind::ZammadImap,
                "https://zammad.example.com/api/v1/external_credentials/microsoft365/callback",
            ),
            (
                ServerKind::Freescout,
                "https://zammad.example.com/mailbox/oauth",
            ),
            (
                ServerKind::Osticket,
                "https://zammad.example.com/api/auth/oauth2",
            ),
        ];
        for (kind, url) in cases {
            let c = check(kind, "zammad.example.com", None).unwrap();
            assert_eq!(c.callback_url, url);
            assert_eq!(c.platform, "Web");
        }
        let freescout = check(ServerKind::Freescout, "x.example.com", None).unwrap();
        assert!(freescout
            .requirements
            .iter()
            .any(|r| r.contains("multitenant")));
    }

    #[test]
    fn subdirectories_only_where_the_server_supports_them() {
        let f = check(
            ServerKind::Freescout,
            "https://desk.example.com/freescout/",
            None,
        )
        .unwrap();
        assert_eq!(
            f.callback_url,
            "https://desk.example.com/freescout/mailbox/oauth"
        );
        let o = check(ServerKind::Osticket, "desk.example.com:8443/support", None).unwrap();
        assert_eq!(
            o.callback_url,
            "https://desk.example.com:8443/support/api/auth/oauth2"
        );
        let z = check(
            ServerKind::ZammadGraph,
            "https://desk.example.com/zammad",
            None,
        )
        .unwrap();
        assert!(z.callback_url.starts_with("https://desk.example.com/api/"));
        assert!(z.notes.iter().any(|n| n.contains("/zammad")));
    }

    #[test]
    fn idn_hosts_give_a_punycode_url_and_a_readable_one() {
        let c = check(ServerKind::ZammadImap, "hilfe.bücher.example", None).unwrap();
        assert!(c
            .callback_url
            .starts_with("https://hilfe.xn--bcher-kva.example/"));
        assert!(c
            .callback_url_display
            .starts_with("https://hilfe.bücher.example/"));
    }

    #[test]
    fn custom_templates_are_filled_and_checked() {
        let c = check(
            ServerKind::Custom,
            "desk.example.com:8443",
            Some("https://{fqdn}/oauth/ms"),
        )
        .unwrap();
        assert_eq!(c.callback_url, "https://desk.example.com:8443/oauth/ms");
        let bad = [
            (None, "template.missing"),
            (Some("  "), "template.missing"),
            (Some("http://{fqdn}/cb"), "template.prefix"),
            (Some("https://{fqdn}.evil.example/cb"), "template.prefix"),
            (Some("https://example.com/{fqdn}"), "template.prefix"),
            (Some("https://{fqdn}/{fqdn}"), "template.placeholder"),
            (Some("https://{fqdn}/{tenant}/cb"), "template.placeholder"),
            (Some("https://{fqdn}/cb#top"), "template.characters"),
            (Some("https://{fqdn}/c b"), "template.characters"),
        ];
        for (template, code) in bad {
            let d = check(ServerKind::Custom, "desk.example.com", template).unwrap_err();
            assert_eq!(
                (d.code.as_str(), d.field.as_deref()),
                (code, Some("Callback template")),
                "{template:?}"
            );
        }
    }

    #[test]
    fn overlong_callbacks_are_refused() {
        let host = format!("{}.example.com", vec!["a".repeat(55); 4].join("."));
        let d = check(ServerKind::ZammadGraph, &host, None).unwrap_err();
        assert_eq!(d.code, "callback.too_long");
    }
}
