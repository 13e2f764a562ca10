//! The Export card: the channel options are kept in the profile, the config is rendered in the
//! chosen format, and written where the user says; and the copy-cards for other helpdesks.

use super::file_dialog::choose_save_path;
use onboard::{
    catalog::Diagnosis,
    export::{CopyCard, ExportFormat, ExportOptions, SecretHandling},
    platform::Secret,
    profile::{OptionsDraft, ServerDraft, Session},
};
use tauri::{AppHandle, Runtime, State};

/// The files written (the export, and its README when the format has one), or `None` when the
/// user cancelled. `passphrase` encrypts the secrets into the file; `plain` writes them in clear
/// (the front end asks twice first); neither: the file only names where the secrets are.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // the IPC call's named arguments
pub async fn export_channel<R: Runtime>(
    app: AppHandle<R>,
    profile: String,
    server: ServerDraft,
    options: OptionsDraft,
    format: ExportFormat,
    passphrase: Option<String>,
    plain: bool,
    session: State<'_, Session>,
) -> Result<Option<Vec<String>>, Diagnosis> {
    let handling = match (passphrase, plain) {
        (Some(p), _) => {
            let p = Secret::new(p);
            onboard::export::check_passphrase(&p)?;
            SecretHandling::Encrypt(p)
        }
        (None, true) => SecretHandling::Plain,
        (None, false) => SecretHandling::Omit,
    };
    let setup = onboard::profile::ChannelSetup::from_drafts(&server, &options)?;
    onboard::profile::keep_channel_setup(session.profiles(), &profile, setup)?;
    let export_options = ExportOptions::default();
    let rendered =
        onboard::export::export_profile(&session, &profile, format, &handling, &export_options)
            .await?;
    let Some(path) = choose_save_path(&app, format.default_file_name()).await else {
        return Ok(None);
    };
    let files = onboard::export::write_remembered(
        session.profiles(),
        &profile,
        &path,
        &rendered,
        &export_options,
    )?;
    Ok(Some(
        files.iter().map(|f| f.display().to_string()).collect(),
    ))
}

#[tauri::command]
pub async fn copy_cards(
    profile: String,
    server: ServerDraft,
    session: State<'_, Session>,
) -> Result<Vec<CopyCard>, Diagnosis> {
    let p = session.profiles().require(&profile)?;
    Ok(onboard::export::copy_cards(
        &p,
        &session.cloud_of(&p)?,
        &server.fqdn,
    ))
}
