//! The app registration step: the live check, and "create it for me" (the admin's device code
//! sign-in, the plan, and applying it). The admin's token stays in memory, never on disk.

use super::cloud;
use super::sandbox::SandboxState;
use crate::Secrets;
use onboard::{
    app_registration::{
        admin_scopes, client_secret_key, AppCheck, AppInput, AppliedOnce, DesiredApp, Plan,
    },
    catalog::Diagnosis,
    cloud::{Cloud, CloudPreset},
    identity::{poll_device_code, start_device_code, CancelToken, ChannelKind, DeviceCodePrompt},
    platform::Secret,
    server::ServerCheckInput,
};
use tauri::State;
use tokio::sync::Mutex;

/// The admin's sign-in for "create it for me", and the plan waiting for confirmation.
#[derive(Default)]
pub struct AdminSession(Mutex<Session>);

#[derive(Default)]
struct Session {
    cloud: Option<Cloud>,
    tenant: String,
    /// The public client the admin signs in with (Microsoft's Azure CLI unless chosen).
    admin_client_id: String,
    prompt: Option<DeviceCodePrompt>,
    cancel: CancelToken,
    token: Option<Secret>,
    plan: Option<Plan>,
}

/// The live checks. A secret left empty is taken from the keyring; one that Microsoft accepted
/// is kept there (and only there).
#[tauri::command]
pub async fn check_app(
    input: AppInput,
    channel: ChannelKind,
    preset: CloudPreset,
    secrets: State<'_, Secrets>,
    sandbox: State<'_, SandboxState>,
    session: State<'_, AdminSession>,
) -> Result<AppCheck, Diagnosis> {
    let mut fields = input.parse()?;
    let typed = fields.client_secret.is_some();
    let key = client_secret_key(&fields.client_id);
    if !typed {
        fields.client_secret = secrets.get(&key)?;
    }
    let cloud = cloud::resolve(&sandbox, preset).await;
    // An administrator signed in for "create it for me" can read the secret's expiry.
    let admin = session.token_for(&cloud, None).await;
    let check =
        onboard::app_registration::check_app(&cloud, &fields, channel, admin.as_ref()).await;
    if let (true, true, Some(secret)) = (typed, check.ok(), &fields.client_secret) {
        secrets.put(&key, secret)?;
    }
    Ok(check)
}

#[tauri::command]
pub async fn client_secret_saved(
    client_id: String,
    secrets: State<'_, Secrets>,
) -> Result<bool, Diagnosis> {
    let id = onboard::app_registration::input::guid(&client_id).unwrap_or(client_id);
    Ok(secrets.get(&client_secret_key(&id))?.is_some())
}

/// Starts the admin's device code sign-in through a public client: Microsoft's Azure CLI, or
/// the one the admin names (a tenant may block the Azure CLI).
#[tauri::command]
pub async fn admin_sign_in_start(
    tenant: String,
    preset: CloudPreset,
    admin_client_id: Option<String>,
    session: State<'_, AdminSession>,
    sandbox: State<'_, SandboxState>,
) -> Result<DeviceCodePrompt, Diagnosis> {
    let cloud = cloud::resolve(&sandbox, preset).await;
    session
        .start(cloud, &tenant, admin_client_id.as_deref())
        .await
}

impl AdminSession {
    /// Starts a new sign-in in `tenant`, ending the one before.
    pub async fn start(
        &self,
        cloud: Cloud,
        tenant: &str,
        admin_client_id: Option<&str>,
    ) -> Result<DeviceCodePrompt, Diagnosis> {
        let (tenant, admin_client_id) =
            onboard::app_registration::admin_sign_in_app(tenant, admin_client_id)?;
        let prompt =
            start_device_code(&cloud, &tenant, &admin_client_id, &admin_scopes(&cloud)).await?;
        let mut s = self.0.lock().await;
        s.cancel.cancel();
        *s = Session {
            cloud: Some(cloud),
            tenant,
            admin_client_id,
            prompt: Some(prompt.clone()),
            ..Default::default()
        };
        Ok(prompt)
    }

    /// The administrator's token, when the sign-in finished in `cloud` (and in `tenant`, when
    /// one is named).
    pub async fn token_for(&self, cloud: &Cloud, tenant: Option<&str>) -> Option<Secret> {
        let s = self.0.lock().await;
        let same_cloud = s
            .cloud
            .as_ref()
            .is_some_and(|c| c.authority == cloud.authority);
        let same_tenant = tenant.is_none_or(|t| s.tenant.eq_ignore_ascii_case(t));
        s.token.clone().filter(|_| same_cloud && same_tenant)
    }
}

/// Waits until the admin has entered the code (or declined, or it expired).
#[tauri::command]
pub async fn admin_sign_in_finish(session: State<'_, AdminSession>) -> Result<(), Diagnosis> {
    let (cloud, tenant, client_id, prompt, cancel) = {
        let s = session.0.lock().await;
        match (&s.cloud, &s.prompt) {
            (Some(c), Some(p)) => (
                c.clone(),
                s.tenant.clone(),
                s.admin_client_id.clone(),
                p.clone(),
                s.cancel.clone(),
            ),
            _ => return Err(not_signed_in()),
        }
    };
    let token = poll_device_code(&cloud, &tenant, &client_id, &prompt, Some(&cancel)).await?;
    session.0.lock().await.token = Some(token.access_token);
    Ok(())
}

#[tauri::command]
pub async fn admin_sign_in_cancel(session: State<'_, AdminSession>) -> Result<(), Diagnosis> {
    let mut s = session.0.lock().await;
    s.cancel.cancel();
    *s = Session::default();
    Ok(())
}

/// What "create it for me" would change; nothing is changed yet.
#[tauri::command]
pub async fn plan_app(
    name: String,
    server: ServerCheckInput,
    channel: ChannelKind,
    secret_months: u32,
    existing_client_id: Option<String>,
    session: State<'_, AdminSession>,
) -> Result<Plan, Diagnosis> {
    let callback = onboard::server::check_server(&server)?.callback_url;
    let mut desired = DesiredApp::new(&name, &callback, server.kind, channel)?;
    desired.secret_months = secret_months;
    desired.existing_client_id = existing_client_id.filter(|s| !s.trim().is_empty());
    desired.validate()?;
    let mut s = session.0.lock().await;
    let (Some(cloud), Some(token)) = (&s.cloud, &s.token) else {
        return Err(not_signed_in());
    };
    let plan = onboard::app_registration::plan(cloud, token, &desired).await?;
    s.plan = Some(plan.clone());
    Ok(plan)
}

/// The applied plan, and the new secret's value: shown once, kept in the keyring.
#[tauri::command]
pub async fn apply_app(
    session: State<'_, AdminSession>,
    secrets: State<'_, Secrets>,
) -> Result<AppliedOnce, Diagnosis> {
    let mut s = session.0.lock().await;
    let (Some(cloud), Some(token), Some(plan)) = (&s.cloud, &s.token, &s.plan) else {
        return Err(not_signed_in());
    };
    let applied = onboard::app_registration::apply(cloud, token, plan, secrets.as_ref()).await?;
    s.plan = None;
    Ok(AppliedOnce::reveal(applied))
}

pub fn not_signed_in() -> Diagnosis {
    Diagnosis::new(
        "register.not_signed_in",
        "Sign in as an administrator first",
        "“Create it for me” works with an administrator's sign-in, which has not happened or has been cancelled.",
        "Press “Sign in as administrator” and enter the code shown.",
    )
}
