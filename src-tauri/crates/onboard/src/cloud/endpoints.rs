//! Where Microsoft 365 lives: every endpoint the wizard talks to comes from one `Cloud`, with
//! presets for the national clouds and an override for each URL (the sandbox and the tests point
//! them at the simulator). Nothing else in the code names a host.

use crate::catalog::{Diagnosis, MailProtocol};
use crate::platform::http::is_loopback_host;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a mail connection is secured: TLS from the first byte (IMAP 993), STARTTLS after the
/// greeting (SMTP submission 587), or not at all (loopback test servers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    Implicit,
    Starttls,
    None,
}

impl TlsMode {
    /// The word the CLI takes (`--tls implicit|starttls|none`).
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit",
            TlsMode::Starttls => "starttls",
            TlsMode::None => "none",
        }
    }
}

impl std::str::FromStr for TlsMode {
    type Err = Diagnosis;
    fn from_str(s: &str) -> Result<Self, Diagnosis> {
        match s.trim().to_ascii_lowercase().as_str() {
            "implicit" | "tls" | "ssl" => Ok(TlsMode::Implicit),
            "starttls" => Ok(TlsMode::Starttls),
            "none" | "plain" => Ok(TlsMode::None),
            _ => Err(Diagnosis::field(
                "TLS",
                "cloud.tls_mode",
                format!("“{s}” is not a TLS mode."),
                "Give implicit (IMAP on 993), starttls (SMTP on 587) or none (loopback test servers only).",
            )),
        }
    }
}

fn implicit() -> TlsMode {
    TlsMode::Implicit
}

fn starttls() -> TlsMode {
    TlsMode::Starttls
}

/// One mail server as a connection needs it, checked: see [`Cloud::mail_endpoint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailEndpoint {
    /// A DNS name or an IP address (without brackets).
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
}

impl std::fmt::Display for MailEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CloudPreset {
    Global,
    Usgov,
    UsgovDod,
    China,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Cloud {
    /// A short name for people: "Global", "Sandbox", ...
    pub name: String,
    /// `https://login.microsoftonline.com`: `/{tenant}/oauth2/v2.0/...` hangs below it.
    pub authority: String,
    /// `https://graph.microsoft.com`: `/v1.0/...` hangs below it.
    pub graph: String,
    /// The resource identifiers scopes are named with (`{graph_resource}/Mail.Send`). They equal
    /// the public URLs, so they stay the same when a URL is overridden (sandbox, tests, proxies).
    pub graph_resource: String,
    pub outlook_resource: String,
    /// `host:port` of IMAP (implicit TLS) and SMTP submission (STARTTLS).
    pub imap: String,
    pub smtp: String,
    /// How each is secured; `none` only for a loopback host (see [`Cloud::mail_endpoint`]).
    #[serde(default = "implicit")]
    pub imap_tls: TlsMode,
    #[serde(default = "starttls")]
    pub smtp_tls: TlsMode,
    /// The admin portal where app registrations are edited (for deep links).
    pub portal: String,
    /// One more CA to trust (PEM), for the sandbox and tests only; never implied.
    #[ts(skip)]
    #[serde(skip)]
    pub extra_ca_pem: Option<String>,
}

impl Cloud {
    /// The one HTTP client for this cloud: the platform's roots, plus the cloud's extra CA.
    pub fn http_client(&self) -> Result<reqwest::Client, Diagnosis> {
        crate::platform::http::client_with_ca(self.extra_ca_pem.as_deref())
    }

    pub fn preset(p: CloudPreset) -> Self {
        let (name, authority, graph, outlook, imap, smtp, portal) = match p {
            CloudPreset::Global => (
                "Global",
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
                "https://outlook.office.com",
                "outlook.office365.com:993",
                "smtp.office365.com:587",
                "https://entra.microsoft.com",
            ),
            CloudPreset::Usgov => (
                "US Government (GCC High)",
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
                "https://outlook.office365.us",
                "outlook.office365.us:993",
                "smtp.office365.us:587",
                "https://portal.azure.us",
            ),
            CloudPreset::UsgovDod => (
                "US Government (DoD)",
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
                "https://outlook-dod.office365.us",
                "outlook-dod.office365.us:993",
                "smtp-dod.office365.us:587",
                "https://portal.azure.us",
            ),
            CloudPreset::China => (
                "China (21Vianet)",
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "https://partner.outlook.cn",
                "partner.outlook.cn:993",
                "smtp.partner.outlook.cn:587",
                "https://portal.azure.cn",
            ),
        };
        Cloud {
            name: name.into(),
            authority: authority.into(),
            graph: graph.into(),
            graph_resource: graph.into(),
            outlook_resource: outlook.into(),
            imap: imap.into(),
            smtp: smtp.into(),
            imap_tls: TlsMode::Implicit,
            smtp_tls: TlsMode::Starttls,
            portal: portal.into(),
            extra_ca_pem: None,
        }
    }

    /// Checks the identity platform's and Graph's URLs: https, or plain http to a loopback host
    /// only. The mail servers are checked where a command uses them ([`Cloud::mail_endpoint`]),
    /// so an IMAP-only command never refuses the SMTP server, and vice versa.
    pub fn validate(&self) -> Result<(), Diagnosis> {
        for (field, value) in [
            ("Authority URL", &self.authority),
            ("Graph URL", &self.graph),
        ] {
            let bad = |detail: String| {
                Diagnosis::field(field, "cloud.url", detail, "Give an https:// URL such as https://login.microsoftonline.com (plain http only for 127.0.0.1 or localhost).")
            };
            let url = url::Url::parse(value)
                .map_err(|e| bad(format!("“{value}” is not a URL ({e}).")))?;
            let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            match url.scheme() {
                "https" => {}
                "http" if loopback => {}
                _ => return Err(bad(format!("“{value}” must use https."))),
            }
        }
        Ok(())
    }

    /// The IMAP or SMTP server as `host:port` with its TLS mode, checked: a port is required,
    /// and `none` (no TLS) is accepted for loopback hosts only, since the token would cross the
    /// network in clear text.
    pub fn mail_endpoint(&self, protocol: MailProtocol) -> Result<MailEndpoint, Diagnosis> {
        let endpoint = self.mail_address(protocol)?;
        if endpoint.tls == TlsMode::None && !is_loopback_host(&endpoint.host) {
            let tls_field = match protocol {
                MailProtocol::Imap => "IMAP TLS",
                MailProtocol::Smtp => "SMTP TLS",
            };
            return Err(Diagnosis::field(
                tls_field,
                "cloud.tls_none",
                format!("Without TLS the access token would cross the network in clear text; “none” is accepted for a loopback host (127.0.0.1, ::1, localhost) only, not for {}.", endpoint.host),
                "Choose implicit (IMAP on 993) or starttls (SMTP on 587), as Exchange Online uses.",
            ));
        }
        Ok(endpoint)
    }

    /// The IMAP or SMTP server's `host:port` read (a port and a host name are required), before
    /// the TLS policy: what a setting or flag can be checked for as soon as it is typed.
    pub fn mail_address(&self, protocol: MailProtocol) -> Result<MailEndpoint, Diagnosis> {
        let (field, value, tls, example) = match protocol {
            MailProtocol::Imap => (
                "IMAP server",
                &self.imap,
                self.imap_tls,
                "outlook.office365.com:993",
            ),
            MailProtocol::Smtp => (
                "SMTP server",
                &self.smtp,
                self.smtp_tls,
                "smtp.office365.com:587",
            ),
        };
        let bad = |detail: String| {
            Diagnosis::field(
                field,
                "cloud.mail_server",
                detail,
                format!("Give the host and port, such as {example}."),
            )
        };
        let (host, port) = value
            .trim()
            .rsplit_once(':')
            .ok_or_else(|| bad(format!("“{value}” has no port.")))?;
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(format!("“{port}” in “{value}” is not a port number.")))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(bad(format!("“{value}” has no host name.")));
        }
        Ok(MailEndpoint {
            host: host.to_owned(),
            port,
            tls,
        })
    }

    /// The portal page of an app registration's API permissions (where "Grant admin consent" is).
    pub fn api_permissions_page(&self, client_id: &str) -> String {
        format!(
            "{}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/CallAnAPI/appId/{client_id}",
            self.portal.trim_end_matches('/')
        )
    }

    /// The portal page of an app registration's client secrets.
    pub fn credentials_page(&self, client_id: &str) -> String {
        format!(
            "{}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Credentials/appId/{client_id}",
            self.portal.trim_end_matches('/')
        )
    }

    /// `{authority}/{tenant}/{path}` with no doubled slashes.
    pub fn authority_url(&self, tenant: &str, path: &str) -> String {
        format!(
            "{}/{tenant}/{}",
            self.authority.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_overrides_are_checked() {
        let mut c = Cloud::preset(CloudPreset::Global);
        c.validate().unwrap();
        assert_eq!(
            c.authority_url("contoso.com", "/v2.0/.well-known/openid-configuration"),
            "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration"
        );
        c.authority = "http://127.0.0.1:8443/".into();
        c.validate().unwrap();
        c.authority = "http://login.example.com".into();
        assert_eq!(
            c.validate().unwrap_err().field.as_deref(),
            Some("Authority URL")
        );
        c.authority = "not a url".into();
        assert_eq!(c.validate().unwrap_err().code, "cloud.url");
    }

    #[test]
    fn mail_endpoints_default_as_exchange_online() {
        let c = Cloud::preset(CloudPreset::Global);
        let imap = c.mail_endpoint(MailProtocol::Imap).unwrap();
        assert_eq!(
            (imap.host.as_str(), imap.port, imap.tls),
            ("outlook.office365.com", 993, TlsMode::Implicit)
        );
        let smtp = c.mail_endpoint(MailProtocol::Smtp).unwrap();
        assert_eq!(smtp.to_string(), "smtp.office365.com:587");
        assert_eq!(smtp.tls, TlsMode::Starttls);
        // A profile written before the TLS modes existed reads with Exchange's defaults.
        let mut v = serde_json::to_value(&c).unwrap();
        v.as_object_mut().unwrap().remove("imap_tls");
        v.as_object_mut().unwrap().remove("smtp_tls");
        let read: Cloud = serde_json::from_value(v).unwrap();
        assert_eq!(
            (read.imap_tls, read.smtp_tls),
            (TlsMode::Implicit, TlsMode::Starttls)
        );
    }

    #[test]
    fn no_tls_only_for_loopback() {
        let mut c = Cloud::preset(CloudPreset::Global);
        c.imap_tls = TlsMode::None;
        let d = c.mail_endpoint(MailProtocol::Imap).unwrap_err();
        assert_eq!(
            (d.code.as_str(), d.field.as_deref()),
            ("cloud.tls_none", Some("IMAP TLS"))
        );
        // Only a command that uses IMAP meets the refusal; the URLs are still fine.
        c.validate().unwrap();
        assert_eq!(
            c.mail_address(MailProtocol::Imap).unwrap().tls,
            TlsMode::None
        );
        c.smtp = "no-port".into();
        c.validate().unwrap();
        c.smtp = "smtp.office365.com:587".into();
        for host in [
            "127.0.0.1:143",
            "127.0.1.7:143",
            "localhost:143",
            "[::1]:143",
        ] {
            c.imap = host.into();
            let e = c.mail_endpoint(MailProtocol::Imap).unwrap();
            assert_eq!(e.tls, TlsMode::None, "{host}");
        }
        assert_eq!(c.mail_endpoint(MailProtocol::Imap).unwrap().host, "::1");
        c.smtp = "10.0.0.5:25".into();
        c.smtp_tls = TlsMode::None;
        let d = c.mail_endpoint(MailProtocol::Smtp).unwrap_err();
        assert_eq!(d.field.as_deref(), Some("SMTP TLS"));
        assert!(d.detail.contains("10.0.0.5"), "{}", d.detail);
        c.smtp = "mail.example.com".into();
        let d = c.mail_endpoint(MailProtocol::Smtp).unwrap_err();
        assert_eq!(
            (d.code.as_str(), d.field.as_deref()),
            ("cloud.mail_server", Some("SMTP server"))
        );
        assert_eq!("STARTTLS".parse::<TlsMode>().unwrap(), TlsMode::Starttls);
        assert_eq!(
            "bogus".parse::<TlsMode>().unwrap_err().field.as_deref(),
            Some("TLS")
        );
    }
}
