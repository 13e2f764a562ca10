//! The platform's opener for the core's browser flows: tauri-plugin-opener (`ShellExecute` on
//! Windows, `open` on macOS, the desktop's handler on Linux) instead of spawning a program.

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;

pub fn system_opener<R: Runtime>(
    app: &AppHandle<R>,
) -> impl FnOnce(&str) -> Result<(), String> + '_ {
    move |url| {
        app.opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    }
}
