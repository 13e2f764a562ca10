//! The admin consent step: the link to share, and the consent captured from the system browser.

use super::cancel_slot::CancelSlot;
use super::cloud;
use super::opener::system_opener;
use super::sandbox::SandboxState;
use onboard::{
    app_registration::{capture_admin_consent, AppInput, ConsentGranted},
    catalog::Diagnosis,
    cloud::CloudPreset,
    identity::browser,
};
use std::time::Duration;
use tauri::{AppHandle, Runtime, State};

/// How long the wizard waits for the admin to finish in the browser.
const WAIT: Duration = Duration::from_secs(10 * 60);

/// Cancels the wait for the browser.
#[derive(Default)]
pub struct ConsentWait(CancelSlot);

fn app(tenant: String, client_id: String) -> Result<(String, String), Diagnosis> {
    let f = AppInput {
        client_id,
        tenant,
        client_secret: None,
    }
    .parse()?;
    Ok((f.tenant, f.client_id))
}

/// The consent URL with `redirect_uri` (the helpdesk's callback), for an administrator who
/// uses another machine.
#[tauri::command]
pub async fn consent_link(
    tenant: String,
    client_id: String,
    redirect_uri: String,
    preset: CloudPreset,
    sandbox: State<'_, SandboxState>,
) -> Result<String, Diagnosis> {
    let app = AppInput {
        client_id,
        tenant,
        client_secret: None,
    };
    let cloud = cloud::resolve(&sandbox, preset).await;
    let state = uuid::Uuid::new_v4().to_string();
    onboard::app_registration::consent_link(&cloud, &app, &redirect_uri, &state)
}

/// Opens the consent page in the system browser and waits for the answer on loopback.
#[tauri::command]
pub async fn grant_admin_consent<R: Runtime>(
    handle: AppHandle<R>,
    tenant: String,
    client_id: String,
    preset: CloudPreset,
    wait: State<'_, ConsentWait>,
    sandbox: State<'_, SandboxState>,
) -> Result<ConsentGranted, Diagnosis> {
    let (tenant, client_id) = app(tenant, client_id)?;
    let cloud = cloud::resolve(&sandbox, preset).await;
    let cancel = wait.0.renew().await;
    capture_admin_consent(
        &cloud,
        &tenant,
        &client_id,
        |url: &str| browser::open_in_browser(url, system_opener(&handle)),
        WAIT,
        cancel.cancelled(),
    )
    .await
}

#[tauri::command]
pub async fn cancel_admin_consent(wait: State<'_, ConsentWait>) -> Result<(), Diagnosis> {
    wait.0.cancel().await;
    Ok(())
}

/// Opens a link shown by the wizard (documentation, the Entra portal) in the system browser.
#[tauri::command]
pub async fn open_link<R: Runtime>(handle: AppHandle<R>, url: String) -> Result<(), Diagnosis> {
    browser::open_link(&url, system_opener(&handle))
}
