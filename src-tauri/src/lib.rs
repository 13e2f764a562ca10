//! The Tauri shell: plugins, managed state and the command table. All logic is in `onboard`.

mod commands;

use commands::sandbox::SandboxState;
use onboard::{
    platform::{KeyringStore, SecretStore},
    profile::{default_profiles_dir, ProfileStore, Session},
};
use std::sync::Arc;
use tauri::{Manager, Runtime};

/// Secrets reach commands as this managed state: the OS keyring in the app, memory in tests.
pub type Secrets = Arc<dyn SecretStore>;

/// Adds the plugins, state and commands to a builder (the real one, or Tauri's mock in tests).
pub fn setup<R: Runtime>(builder: tauri::Builder<R>, secrets: Secrets) -> tauri::Builder<R> {
    // Profiles (no secrets in them) live in the app's data folder, shared with the CLI.
    let session = Session::new(ProfileStore::new(default_profiles_dir()), secrets.clone());
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(session)
        .manage(secrets)
        .manage(SandboxState::default())
        .manage(commands::app_registration::AdminSession::default())
        .manage(commands::consent::ConsentWait::default())
        .manage(commands::renewal::RenewalWait::default())
        .manage(commands::account::SignInWait::default())
        .manage(commands::preview::SearchStop::default())
        .invoke_handler(tauri::generate_handler![
            commands::server::check_server,
            commands::server::probe_server,
            commands::draft::load_draft,
            commands::draft::save_draft,
            commands::secrets::secret_store_status,
            commands::sandbox::start_sandbox,
            commands::sandbox::stop_sandbox,
            commands::app_registration::check_app,
            commands::app_registration::client_secret_saved,
            commands::app_registration::admin_sign_in_start,
            commands::app_registration::admin_sign_in_finish,
            commands::app_registration::admin_sign_in_cancel,
            commands::app_registration::plan_app,
            commands::app_registration::apply_app,
            commands::consent::consent_link,
            commands::consent::grant_admin_consent,
            commands::consent::cancel_admin_consent,
            commands::consent::open_link,
            commands::account::list_profiles,
            commands::account::delete_profile,
            commands::account::cancel_sign_in,
            commands::account::sign_in_mailbox,
            commands::account::reverify_profile,
            commands::health::last_health,
            commands::health::check_health,
            commands::renewal::renewal_sign_in_start,
            commands::renewal::renewal_plan,
            commands::renewal::renewal_apply,
            commands::renewal::renewal_retire,
            commands::channel::mailbox_folders,
            commands::channel::archive_counts,
            commands::preview::preview_page,
            commands::preview::preview_message,
            commands::preview::preview_raw,
            commands::preview::save_attachment,
            commands::preview::preview_search,
            commands::preview::preview_search_stop,
            commands::preview::save_message,
            commands::verify::fetch_test,
            commands::verify::send_test,
            commands::channel::helpdesk_groups,
            commands::export::export_channel,
            commands::export::copy_cards,
            commands::import::choose_import_file,
            commands::import::import_profile,
        ])
}

pub fn run() {
    let secrets: Secrets = Arc::new(KeyringStore::default());
    let app = match setup(tauri::Builder::default(), secrets).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("M365 Mail Onboarding could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        // The sandbox's Dovecot is a separate process: stop it with the app.
        if let tauri::RunEvent::Exit = event {
            let state = handle.state::<SandboxState>();
            tauri::async_runtime::block_on(async {
                if let Some((sandbox, _)) = state.0.lock().await.take() {
                    sandbox.stop().await;
                }
            });
        }
    });
}
