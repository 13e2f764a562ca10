//! The helpdesks the wizard knows, and where each expects Microsoft to send the sign-in back.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKind {
    ZammadGraph,
    ZammadImap,
    Freescout,
    Osticket,
    Custom,
}

impl ServerKind {
    pub const ALL: [ServerKind; 5] = [
        ServerKind::ZammadGraph,
        ServerKind::ZammadImap,
        ServerKind::Freescout,
        ServerKind::Osticket,
        ServerKind::Custom,
    ];

    /// The name used on the command line and in files (`zammad-graph`, ...).
    pub fn id(self) -> &'static str {
        match self {
            ServerKind::ZammadGraph => "zammad-graph",
            ServerKind::ZammadImap => "zammad-imap",
            ServerKind::Freescout => "freescout",
            ServerKind::Osticket => "osticket",
            ServerKind::Custom => "custom",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            ServerKind::ZammadGraph => "Zammad — Microsoft 365 Graph channel",
            ServerKind::ZammadImap => "Zammad — Microsoft 365 IMAP/SMTP channel",
            ServerKind::Freescout => "FreeScout",
            ServerKind::Osticket => "osTicket (auth-oauth2 plugin)",
            ServerKind::Custom => "Custom callback template",
        }
    }

    /// The callback path below the server's base URL; `None` for a custom template.
    pub fn callback_path(self) -> Option<&'static str> {
        match self {
            ServerKind::ZammadGraph => {
                Some("/api/v1/external_credentials/microsoft_graph/callback")
            }
            ServerKind::ZammadImap => Some("/api/v1/external_credentials/microsoft365/callback"),
            ServerKind::Freescout => Some("/mailbox/oauth"),
            ServerKind::Osticket => Some("/api/auth/oauth2"),
            ServerKind::Custom => None,
        }
    }

    /// FreeScout and osTicket may live in a subdirectory of the host; Zammad is served from its root.
    pub fn accepts_subdirectory(self) -> bool {
        matches!(self, ServerKind::Freescout | ServerKind::Osticket)
    }

    /// What the app registration must look like for this server, beyond the Web redirect URI.
    pub fn requirements(self) -> Vec<String> {
        let mut r = vec![
            "Register the callback URL under the Web platform (not SPA, not Mobile and desktop)."
                .to_owned(),
        ];
        match self {
            ServerKind::ZammadGraph | ServerKind::ZammadImap => r.push(
                "Zammad's System > Base settings must have exactly this FQDN and HTTP type https; otherwise Microsoft answers AADSTS50011.".to_owned(),
            ),
            ServerKind::Freescout => r.push(
                "FreeScout signs in through /common, so the app must be multitenant (Accounts in any organizational directory).".to_owned(),
            ),
            ServerKind::Osticket => r.push(
                "For shared mailboxes, turn \"Strict Matching\" off in the osTicket OAuth2 plugin instance.".to_owned(),
            ),
            ServerKind::Custom => {}
        }
        r
    }
}
