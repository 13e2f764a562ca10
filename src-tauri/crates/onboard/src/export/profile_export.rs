//! A kept profile's channel config rendered in one format, with its secrets read only when the
//! export is to include them: what the CLI's `export` and the wizard's Export card share.

use crate::{
    export, secrets_for_export, ChannelConfig, Diagnosis, Export, ExportFormat, ExportOptions,
    ExportSecrets, SecretHandling, Session, TokenSource,
};
use chrono::Utc;

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
