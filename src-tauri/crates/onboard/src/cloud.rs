//! Where Microsoft 365 lives: every endpoint the wizard talks to comes from one `Cloud`, with
//! presets for the national clouds and an override for each URL (the sandbox and the tests point
//! them at the simulator). Nothing else in the code names a host.

use crate::Diagnosis;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum CloudPreset {
    Global,
    Usgov,
    UsgovDod,
    China,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    /// The admin portal where app registrations are edited (for deep links).
    pub portal: String,
    /// One more CA to trust (PEM), for the sandbox and tests only; never implied.
    #[ts(skip)]
    #[serde(skip)]
    pub extra_ca_pem: Option<String>,
}

impl Cloud {
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
            portal: portal.into(),
            extra_ca_pem: None,
        }
    }

    /// Checks every URL: https, or plain http to a loopback host only.
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
}
