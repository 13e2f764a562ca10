use crate::Secrets;
use onboard::platform::{probe_secret_store, SecretStoreStatus};
use tauri::State;

/// Whether the OS keyring works, by a store-read-delete round trip (keyring calls block, so
/// they run off the async runtime's workers).
#[tauri::command]
pub async fn secret_store_status(secrets: State<'_, Secrets>) -> Result<SecretStoreStatus, ()> {
    let store = Secrets::clone(&secrets);
    Ok(
        tauri::async_runtime::spawn_blocking(move || probe_secret_store(store.as_ref()))
            .await
            .unwrap_or_else(|e| SecretStoreStatus {
                backend: "OS keyring".to_owned(),
                available: false,
                problem: Some(onboard::catalog::Diagnosis::new(
                    "keyring.probe",
                    "The keyring check stopped",
                    e.to_string(),
                    "Restart the wizard.",
                )),
            }),
    )
}
