//! The wizard's draft (current step, non-secret inputs) in the store plugin's `draft.json`.

use onboard::{catalog::Diagnosis, profile::Draft};
use std::collections::HashMap;
use std::sync::Arc;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreExt};

const FILE: &str = "draft.json";
const KEY: &str = "draft";

/// The plugin writes the file in place, so a crash can leave it cut short; such a file reads as
/// an empty store instead of failing every later start.
fn draft_store<R: Runtime>(app: &AppHandle<R>) -> Result<Arc<Store<R>>, Diagnosis> {
    app.store_builder(FILE)
        .deserialize(|bytes| Ok(serde_json::from_slice(bytes).unwrap_or_else(|_| HashMap::new())))
        .disable_auto_save()
        .build()
        .map_err(store_error)
}

#[tauri::command]
pub async fn load_draft<R: Runtime>(app: AppHandle<R>) -> Result<Draft, Diagnosis> {
    let store = draft_store(&app)?;
    Ok(Draft::from_json(store.get(KEY)))
}

#[tauri::command]
pub async fn save_draft<R: Runtime>(app: AppHandle<R>, draft: Draft) -> Result<(), Diagnosis> {
    let store = draft_store(&app)?;
    let value = serde_json::to_value(&draft).map_err(|e| store_error(e.into()))?;
    store.set(KEY, value);
    store.save().map_err(store_error)
}

fn store_error(e: tauri_plugin_store::Error) -> Diagnosis {
    Diagnosis::new(
        "draft.store",
        "The wizard's draft could not be saved or read",
        format!("{e}."),
        "Check that the app's data folder exists and is writable; your inputs stay on screen meanwhile.",
    )
}
