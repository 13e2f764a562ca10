//! Where a file the user saves goes: the native save dialog, or in tests the folder named by
//! `M365_ONBOARD_SAVE_DIR` (WebDriver cannot drive a native dialog, as `M365_ONBOARD_BROWSER`
//! stands in for the system browser).

use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

const SAVE_DIR_ENV: &str = "M365_ONBOARD_SAVE_DIR";

/// The path chosen for `suggested`, or `None` when the user cancelled.
pub async fn choose_save_path<R: Runtime>(app: &AppHandle<R>, suggested: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(SAVE_DIR_ENV) {
        return Some(PathBuf::from(dir).join(suggested));
    }
    let dialog = app.dialog().file().set_file_name(suggested);
    tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .ok()
        .flatten()
        .and_then(|p| p.into_path().ok())
}
