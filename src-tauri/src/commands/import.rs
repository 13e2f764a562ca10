//! Importing a neutral JSON export as a profile: the file the user picks, then the core's
//! import (everything checked before anything is written).

use super::file_dialog::choose_open_path;
use onboard::{catalog::Diagnosis, export::Imported, platform::Secret, profile::Session};
use std::path::Path;
use tauri::{AppHandle, Runtime, State};

/// The export file the user picks, or `None` when they cancelled.
#[tauri::command]
pub async fn choose_import_file<R: Runtime>(app: AppHandle<R>) -> Option<String> {
    choose_open_path(&app, "Neutral JSON export", &["json"])
        .await
        .map(|p| p.display().to_string())
}

/// Imports `path` as a profile; `passphrase` opens the secrets an export encrypted.
#[tauri::command]
pub fn import_profile(
    path: String,
    passphrase: Option<String>,
    session: State<'_, Session>,
) -> Result<Imported, Diagnosis> {
    onboard::export::import_file(
        Path::new(&path),
        passphrase.map(Secret::new).as_ref(),
        session.profiles(),
        session.secrets(),
    )
}
