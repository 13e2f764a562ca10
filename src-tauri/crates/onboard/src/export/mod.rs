//! The channel config in the formats servers read: neutral JSON (importable again), Zammad's
//! channel record, email-oauth2-proxy's `emailproxy.config`, and an env file for custom servers.
//! Rendering is a pure function of the config and the secrets handed in ([`export`]); writing is
//! separate ([`write_export`]): atomically, mode 0600. Also the channel config itself, the
//! secrets an export may carry (sealed), copy-cards, and the import of a neutral JSON export.
//!
//! Uses catalog/, platform/, server/, cloud/, identity/, app_registration/ and profile/.

pub mod channel_config;
pub mod copy_cards;
mod emailproxy;
mod env;
pub mod import;
mod json;
pub mod profile_export;
pub mod secrets;
mod zammad;

use crate::export::secrets::SecretValues;
use crate::profile::store::write_atomically;
use crate::{ChannelConfig, ChannelKind, Diagnosis, ExportSecrets, Resource, SecretHandling};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

pub use env::ENV_NAMES;
pub use zammad::ZAMMAD_FORMAT;

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
    /// ([`secrets_for_export`](crate::secrets_for_export)). Our own import names its scopes.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
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

/// `config` as `format`. Secrets are read from `secrets` only when `handling` asks for them.
pub fn export(
    config: &ChannelConfig,
    format: ExportFormat,
    secrets: &ExportSecrets,
    handling: &SecretHandling,
    options: &ExportOptions,
) -> Result<Export, Diagnosis> {
    let (content, readme) = match format {
        ExportFormat::Json => (json::render(config, secrets, handling)?, None),
        ExportFormat::Zammad => zammad::render(config, secrets, handling)?,
        ExportFormat::Emailproxy => (
            emailproxy::render(config, secrets, handling, options)?,
            None,
        ),
        ExportFormat::Env => (env::render(config, secrets, handling)?, None),
    };
    Ok(Export {
        format,
        content,
        readme,
        secrets: match handling {
            SecretHandling::Omit => SecretsIncluded::None,
            SecretHandling::Encrypt(_) => SecretsIncluded::Encrypted,
            SecretHandling::Plain => SecretsIncluded::Plain,
        },
    })
}

/// Where the README of an export written to `out` goes: beside it, `NAME.README.md`.
pub fn readme_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "export".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.README.md"))
}

/// Writes the export to `out` (and its README beside it), each atomically with mode 0600.
/// Returns the files written.
pub fn write_export(out: &Path, export: &Export) -> Result<Vec<PathBuf>, Diagnosis> {
    if out.is_dir() {
        return Err(Diagnosis::field(
            "Export file",
            "export.out_is_dir",
            format!("{} is a folder.", out.display()),
            "Give the path of the file to write, such as ./channel.json.",
        ));
    }
    // The helper speaks of profiles; here it is the export's file that failed.
    let write = |path: &Path, bytes: &[u8]| {
        write_atomically(path, bytes).map_err(|mut d| {
            d.code = "export.write".to_owned();
            d.title = "The export could not be written".to_owned();
            d.field = Some("Export file".to_owned());
            d
        })
    };
    let mut written = vec![out.to_path_buf()];
    write(out, export.content.as_bytes())?;
    if let Some(readme) = &export.readme {
        let path = readme_path(out);
        write(&path, readme.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// The secrets' values when `handling` includes them; none otherwise.
fn included(secrets: &ExportSecrets, handling: &SecretHandling) -> SecretValues {
    if handling.includes_secrets() {
        secrets.values()
    } else {
        SecretValues::default()
    }
}

/// The whole text sealed with age when secrets are encrypted (formats without a place for an
/// encrypted value: Zammad, env); as it is otherwise.
fn seal_whole(text: String, handling: &SecretHandling) -> Result<String, Diagnosis> {
    match handling {
        SecretHandling::Encrypt(passphrase) => crate::seal(text.as_bytes(), passphrase),
        _ => Ok(text),
    }
}

/// A line saying where a secret that is not in the file is, for comments (`#` formats).
fn omitted(what: &str, r: &crate::SecretRef) -> String {
    format!(
        "{what}: not exported. It is in the OS keyring (service {}, entry {}). {}",
        r.keyring_service, r.keyring_key, r.supply
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::Secret;

    pub(crate) const CLIENT_SECRET: &str = "Xy8Q~client-secret-value-0123456789abcdef";
    pub(crate) const REFRESH_TOKEN: &str = "0.ARrefresh-token-value-AAAAAAAAAAAAAAAAAAAAAAAAA";

    pub(crate) fn secrets() -> ExportSecrets {
        ExportSecrets {
            client_secret: Some(Secret::new(CLIENT_SECRET)),
            refresh_token: Some(Secret::new(REFRESH_TOKEN)),
        }
    }

    /// With the secrets at hand, no format writes them unless asked; encrypted, they are not
    /// readable; in clear, they are there.
    #[test]
    fn secrets_appear_only_when_asked_for() {
        let mut c = config();
        c.channel = ChannelKind::ImapDelegated;
        let opts = ExportOptions::default();
        for format in ExportFormat::ALL {
            let e = export(&c, format, &secrets(), &SecretHandling::Omit, &opts).unwrap();
            let all = format!("{}{}", e.content, e.readme.clone().unwrap_or_default());
            assert_eq!(e.secrets, SecretsIncluded::None);
            for s in [CLIENT_SECRET, REFRESH_TOKEN] {
                assert!(!all.contains(s), "{format:?} wrote a secret:\n{all}");
            }
            assert!(
                all.contains("app/0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f/client-secret"),
                "{format:?} must say where the client secret is:\n{all}"
            );

            let pass = SecretHandling::Encrypt(Secret::new("a long passphrase"));
            let e = export(&c, format, &secrets(), &pass, &opts).unwrap();
            for s in [CLIENT_SECRET, REFRESH_TOKEN] {
                assert!(
                    !e.content.contains(s),
                    "{format:?} encrypted:\n{}",
                    e.content
                );
            }
            assert_eq!(e.secrets, SecretsIncluded::Encrypted);

            let e = export(&c, format, &secrets(), &SecretHandling::Plain, &opts).unwrap();
            assert!(e.content.contains(CLIENT_SECRET), "{format:?} plain");
        }
    }

    #[test]
    fn files_are_private_and_the_readme_goes_beside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("zammad-channel.json");
        let e = export(
            &config(),
            ExportFormat::Zammad,
            &ExportSecrets::default(),
            &SecretHandling::Omit,
            &ExportOptions::default(),
        )
        .unwrap();
        let written = write_export(&out, &e).unwrap();
        assert_eq!(
            written,
            [out.clone(), dir.path().join("zammad-channel.README.md")]
        );
        #[cfg(unix)]
        for f in &written {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(f).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", f.display());
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), e.content);
        assert_eq!(
            write_export(dir.path(), &e).unwrap_err().code,
            "export.out_is_dir"
        );
        let d = write_export(&dir.path().join("no/such/dir/x.json"), &e).unwrap_err();
        assert_eq!(
            (d.code.as_str(), d.field.as_deref()),
            ("export.write", Some("Export file"))
        );
        assert!(d.detail.contains("no/such/dir"), "{}", d.detail);
    }
}
