//! The export formats, their options, and a rendered export.

use crate::identity::{ChannelKind, Resource};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// The channel config itself; `import` reads it back.
    Json,
    /// Zammad's app credentials and channel record, with a README on loading them.
    Zammad,
    /// email-oauth2-proxy's configuration file.
    Emailproxy,
    /// `M365_*` variables for custom servers.
    Env,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Json,
        ExportFormat::Zammad,
        ExportFormat::Emailproxy,
        ExportFormat::Env,
    ];

    /// For people: "Zammad", "emailproxy.config".
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Json => "neutral JSON",
            ExportFormat::Zammad => "Zammad",
            ExportFormat::Emailproxy => "emailproxy.config",
            ExportFormat::Env => "env file",
        }
    }

    /// A name for the file, for a save dialog's default.
    pub fn default_file_name(self) -> &'static str {
        match self {
            ExportFormat::Json => "channel.json",
            ExportFormat::Zammad => "zammad-channel.json",
            ExportFormat::Emailproxy => "emailproxy.config",
            ExportFormat::Env => "m365.env",
        }
    }

    /// Consumers that refresh without naming a scope get the scopes the refresh token was
    /// issued for: the resource to renew it for before it is exported
    /// ([`secrets_for_export`](crate::export::secrets_for_export)). Our own import names its scopes.
    pub fn refresh_for(self, channel: ChannelKind) -> Option<Resource> {
        match self {
            ExportFormat::Json => None,
            ExportFormat::Emailproxy => Some(Resource::Outlook),
            ExportFormat::Zammad | ExportFormat::Env => Some(Resource::of_channel(channel)),
        }
    }
}

/// Settings only some formats use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportOptions {
    /// emailproxy.config: the local ports the proxy listens on for the mail client.
    pub proxy_imap_port: u16,
    pub proxy_smtp_port: u16,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            proxy_imap_port: 1993,
            proxy_smtp_port: 1587,
        }
    }
}

/// Whether and how an export carries secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SecretsIncluded {
    None,
    Encrypted,
    Plain,
}

/// A rendered export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Export {
    pub format: ExportFormat,
    /// The file's text.
    pub content: String,
    /// How to use it, for a file written beside it ([`readme_path`]).
    pub readme: Option<String>,
    pub secrets: SecretsIncluded,
}
