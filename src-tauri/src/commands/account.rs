//! The account step: sign a mailbox in (system browser, the helpdesk's callback in a wizard
//! window, device code, or app-only), verify it, keep it as a profile; list and delete profiles.

use super::cancel_slot::CancelSlot;
use super::cloud;
use super::opener::system_opener;
use super::sandbox::SandboxState;
use crate::Secrets;
use onboard::{
    app_registration::{client_secret_key, AppInput},
    catalog::{CheckStep, Diagnosis},
    cloud::CloudPreset,
    identity::{
        begin_embedded_sign_in, browser, finish_embedded_sign_in, sign_in_app_only,
        sign_in_with_browser, sign_in_with_device_code, CancelToken, ChannelKind,
    },
    mailbox::{connect_mailbox, AppConnection, Connected, Credentials},
    profile::{Deleted, MailboxChoice, ProfileCloud, ProfileList, Session, SignInFlow},
};
use serde::Deserialize;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};

/// How long a sign-in may take in the browser or the window.
const WAIT: Duration = Duration::from_secs(10 * 60);
/// The event that carries a device code to the page while the wizard polls.
pub const DEVICE_CODE_EVENT: &str = "device-code";
const WINDOW: &str = "sign-in";

/// Cancels the sign-in in progress.
#[derive(Default)]
pub struct SignInWait(CancelSlot);

/// The app registration from the earlier steps (the secret comes from the keyring).
#[derive(Deserialize)]
pub struct AppRef {
    tenant: String,
    client_id: String,
    channel: ChannelKind,
    preset: CloudPreset,
}

#[derive(Deserialize)]
pub struct MailboxSignIn {
    mailbox: MailboxChoice,
    flow: SignInFlow,
    login_hint: Option<String>,
    /// The helpdesk's callback URL, for the embedded flow.
    callback_url: Option<String>,
    /// The profile signed in again, if any.
    reauth: Option<String>,
}

#[tauri::command]
pub async fn list_profiles(session: State<'_, Session>) -> Result<ProfileList, Diagnosis> {
    session.profiles().list()
}

#[tauri::command]
pub async fn delete_profile(
    name: String,
    session: State<'_, Session>,
) -> Result<Deleted, Diagnosis> {
    session.delete(&name)
}

/// Checks a kept mailbox again with its stored sign-in (refreshed when due).
#[tauri::command]
pub async fn reverify_profile(
    name: String,
    session: State<'_, Session>,
) -> Result<Vec<CheckStep>, Diagnosis> {
    onboard::mailbox::reverify(&session, &name).await
}

#[tauri::command]
pub async fn cancel_sign_in<R: Runtime>(
    app: AppHandle<R>,
    wait: State<'_, SignInWait>,
) -> Result<(), Diagnosis> {
    wait.0.cancel().await;
    if let Some(w) = app.get_webview_window(WINDOW) {
        let _ = w.close();
    }
    Ok(())
}

#[tauri::command]
#[allow(clippy::too_many_arguments)] // each is a Tauri state or argument
pub async fn sign_in_mailbox<R: Runtime>(
    app: AppHandle<R>,
    app_ref: AppRef,
    request: MailboxSignIn,
    session: State<'_, Session>,
    secrets: State<'_, Secrets>,
    sandbox: State<'_, SandboxState>,
    wait: State<'_, SignInWait>,
) -> Result<Connected, Diagnosis> {
    let fields = AppInput {
        client_id: app_ref.client_id,
        tenant: app_ref.tenant,
        client_secret: None,
    }
    .parse()?;
    onboard::profile::reauth::check_sign_in(
        session.profiles(),
        &request.mailbox,
        request.login_hint.as_deref(),
        request.reauth.as_deref(),
    )?;
    let running = sandbox.0.lock().await.is_some();
    let conn = AppConnection {
        cloud: cloud::resolve(&sandbox, app_ref.preset).await,
        profile_cloud: if running {
            ProfileCloud::Sandbox
        } else {
            ProfileCloud::Preset {
                preset: app_ref.preset,
            }
        },
        client_secret: secrets.get(&client_secret_key(&fields.client_id))?,
        tenant: fields.tenant,
        client_id: fields.client_id,
        channel: app_ref.channel,
    };
    let cancel = wait.0.renew().await;
    let req = conn.sign_in_request(request.login_hint.filter(|h| !h.trim().is_empty()));
    let creds = match request.flow {
        SignInFlow::Browser => Credentials::Delegated {
            signed_in: sign_in_with_browser(
                req,
                |url: &str| browser::open_in_browser(url, system_opener(&app)),
                WAIT,
                cancel.cancelled(),
            )
            .await?,
            flow: SignInFlow::Browser,
        },
        SignInFlow::Device => {
            let emit = |p: &onboard::identity::DeviceCodePrompt| {
                let _ = app.emit(DEVICE_CODE_EVENT, p);
            };
            Credentials::Delegated {
                signed_in: sign_in_with_device_code(req, emit, Some(&cancel)).await?,
                flow: SignInFlow::Device,
            }
        }
        SignInFlow::Embedded => {
            let callback = request.callback_url.unwrap_or_default();
            Credentials::Delegated {
                signed_in: embedded(&app, req, &callback, &cancel).await?,
                flow: SignInFlow::Embedded,
            }
        }
        SignInFlow::ClientCredentials => {
            let secret = conn.client_secret.as_ref().ok_or_else(no_secret)?;
            let target = conn.app_only_target();
            Credentials::AppOnly(
                sign_in_app_only(&conn.cloud, &conn.tenant, &conn.client_id, secret, target)
                    .await?,
            )
        }
    };
    connect_mailbox(
        &session,
        &conn,
        request.mailbox,
        creds,
        request.reauth.as_deref(),
    )
    .await
}

/// Signs in inside a wizard window whose navigation to the helpdesk's callback is stopped
/// before it loads: the code is redeemed here, with that same redirect URI.
async fn embedded<R: Runtime>(
    app: &AppHandle<R>,
    req: onboard::identity::SignInRequest,
    callback: &str,
    cancel: &CancelToken,
) -> Result<onboard::identity::SignedIn, Diagnosis> {
    let pending = begin_embedded_sign_in(req, callback)?;
    let url = pending
        .authorize_url()
        .parse()
        .map_err(|e| window_error(format!("{e}")))?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let redirect = pending.redirect_uri().to_owned();
    if let Some(old) = app.get_webview_window(WINDOW) {
        let _ = old.close();
    }
    let window = WebviewWindowBuilder::new(app, WINDOW, WebviewUrl::External(url))
        .title("Sign in to Microsoft 365")
        .inner_size(520.0, 680.0)
        .on_navigation(move |to| {
            let hit = onboard::identity::sign_in::is_redirect_to(to.as_str(), &redirect);
            if hit {
                let _ = tx.send(to.to_string());
            }
            !hit
        })
        .build()
        .map_err(|e| window_error(e.to_string()))?;
    let landed = tokio::select! {
        url = rx.recv() => url,
        () = tokio::time::sleep(WAIT) => None,
        () = cancel.cancelled() => None,
    };
    let _ = window.close();
    let landed = landed.ok_or_else(|| {
        Diagnosis::new(
            "sign_in.window_closed",
            "The sign-in did not finish",
            "The sign-in window was closed, cancelled or timed out before Microsoft sent it back to the helpdesk's callback.",
            "Start the sign-in again and finish it in the window.",
        )
    })?;
    finish_embedded_sign_in(pending, &landed).await
}

fn window_error(detail: String) -> Diagnosis {
    Diagnosis::new(
        "sign_in.window",
        "The sign-in window could not open",
        detail,
        "Use the system browser or the device code instead.",
    )
}

fn no_secret() -> Diagnosis {
    Diagnosis::field(
        "Client secret",
        "account.no_secret",
        "App-only access signs in with the app's client secret, and none is kept for this app.",
        "Go back to the App registration step and check the app with its secret.",
    )
}
