//! Where a file the user saves goes, or which file they open: the native dialogs, or in tests
//! the folder named by `M365_ONBOARD_SAVE_DIR` and the file named by `M365_ONBOARD_OPEN_FILE`
//! (WebDriver cannot drive a native dialog, as `M365_ONBOARD_BROWSER` stands in for the system
//! browser).

use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, FilePath};

const SAVE_DIR_ENV: &str = "M365_ONBOARD_SAVE_DIR";
const OPEN_FILE_ENV: &str = "M365_ONBOARD_OPEN_FILE";

/// The path chosen for `suggested`, or `None` when the user cancelled.
pub async fn choose_save_path<R: Runtime>(app: &AppHandle<R>, suggested: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(SAVE_DIR_ENV) {
        return Some(PathBuf::from(dir).join(suggested));
    }
    let dialog = app.dialog().file().set_file_name(suggested);
    picked(move || dialog.blocking_save_file()).await
}

/// The file chosen to open among the `extensions` (`kind` names them), or `None` when the user
/// cancelled.
pub async fn choose_open_path<R: Runtime>(
    app: &AppHandle<R>,
    kind: &str,
    extensions: &[&str],
) -> Option<PathBuf> {
    if let Some(file) = std::env::var_os(OPEN_FILE_ENV) {
        return Some(PathBuf::from(file));
    }
    let dialog = app.dialog().file().add_filter(kind, extensions);
    picked(move || dialog.blocking_pick_file()).await
}

/// A blocking dialog run off the async runtime.
async fn picked(dialog: impl FnOnce() -> Option<FilePath> + Send + 'static) -> Option<PathBuf> {
    tauri::async_runtime::spawn_blocking(dialog)
        .await
        .ok()
        .flatten()
        .and_then(|p| p.into_path().ok())
}
