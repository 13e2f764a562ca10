//! A channel config rendered in one format, with its secrets read only when the export is to
//! include them: a pure function of the config and the secrets handed in ([`export`]), and the
//! same for a kept profile ([`export_profile`]), which the CLI's `export` and the wizard's
//! Export card share.

use crate::export::format::{Export, ExportFormat, ExportOptions, SecretsIncluded};
use crate::export::{emailproxy, env, json, zammad};
use crate::{
    catalog::Diagnosis,
    export::{secrets_for_export, ChannelConfig, ExportSecrets, SecretHandling},
    identity::TokenSource,
    profile::Session,
};
use chrono::Utc;

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

/// A kept profile's channel config as `format`.
pub async fn export_profile<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    format: ExportFormat,
    handling: &SecretHandling,
    options: &ExportOptions,
) -> Result<Export, Diagnosis> {
    let profile = session.profiles().require(name)?;
    let secrets = if handling.includes_secrets() {
        secrets_for_export(session, name, format.refresh_for(profile.channel)).await?
    } else {
        ExportSecrets::default()
    };
    // Read again: renewing the refresh token updated the profile's times.
    let profile = session.profiles().require(name)?;
    let config = ChannelConfig::from_profile(&profile, &session.cloud_of(&profile)?, Utc::now());
    export(&config, format, &secrets, handling, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::export::secrets::tests::{secrets, CLIENT_SECRET, REFRESH_TOKEN};
    use crate::{identity::ChannelKind, platform::Secret};

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
}
