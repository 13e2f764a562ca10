//! The Tauri shell: plugins, managed state and the command table. All logic is in `onboard`.

mod commands;

use onboard::{KeyringStore, SecretStore};
use std::sync::Arc;
use tauri::Runtime;

/// Secrets reach commands as this managed state: the OS keyring in the app, memory in tests.
pub type Secrets = Arc<dyn SecretStore>;

/// Adds the plugins, state and commands to a builder (the real one, or Tauri's mock in tests).
pub fn setup<R: Runtime>(builder: tauri::Builder<R>, secrets: Secrets) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .manage(secrets)
        .invoke_handler(tauri::generate_handler![
            commands::server::check_server,
            commands::draft::load_draft,
            commands::draft::save_draft,
            commands::secrets::secret_store_status,
        ])
}

pub fn run() {
    let secrets: Secrets = Arc::new(KeyringStore::default());
    if let Err(e) = setup(tauri::Builder::default(), secrets).run(tauri::generate_context!()) {
        eprintln!("M365 Mail Onboarding could not start: {e}");
        std::process::exit(1);
    }
}
