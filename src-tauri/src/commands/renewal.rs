//! "Renew secret…" in the Health view: the administrator's sign-in in the profile's own cloud
//! and tenant (the app registration step's device code), the plan, the renewal with its steps
//! as events, and the old secret's removal on the admin's word. The logic is `onboard::renewal`.

use super::app_registration::{not_signed_in, AdminSession};
use onboard::{
    app_registration::AppSecret,
    catalog::Diagnosis,
    identity::DeviceCodePrompt,
    platform::Secret,
    profile::Session,
    renewal::{plan_renewal, renew, retire, RenewalPlan, RenewedOnce},
};
use tauri::{AppHandle, Emitter, Runtime, State};
use tokio::sync::Mutex;

/// The event that carries each step's sentence as the renewal starts it.
pub const RENEWAL_PROGRESS_EVENT: &str = "renewal-progress";

/// The plan shown, waiting for the admin's confirmation.
#[derive(Default)]
pub struct RenewalWait(Mutex<Option<RenewalPlan>>);

/// Starts the administrator's sign-in for renewing `profile`'s app secret; the front end then
/// waits on `admin_sign_in_finish`, as "create it for me" does.
#[tauri::command]
pub async fn renewal_sign_in_start(
    profile: String,
    admin_client_id: Option<String>,
    session: State<'_, Session>,
    admin: State<'_, AdminSession>,
) -> Result<DeviceCodePrompt, Diagnosis> {
    let p = session.profiles().require(&profile)?;
    let cloud = session.cloud_of(&p)?;
    admin
        .start(cloud, &p.tenant_id, admin_client_id.as_deref())
        .await
}

/// What renewing `profile`'s app secret would do; nothing changes.
#[tauri::command]
pub async fn renewal_plan(
    profile: String,
    months: u32,
    session: State<'_, Session>,
    admin: State<'_, AdminSession>,
    wait: State<'_, RenewalWait>,
) -> Result<RenewalPlan, Diagnosis> {
    let token = admin_token(&session, &admin, &profile).await?;
    let plan = plan_renewal(&session, &token, &profile, months).await?;
    *wait.0.lock().await = Some(plan.clone());
    Ok(plan)
}

/// Carries out the plan shown last. The new secret's value is in the answer, once.
#[tauri::command]
pub async fn renewal_apply<R: Runtime>(
    app: AppHandle<R>,
    passphrase: Option<String>,
    session: State<'_, Session>,
    admin: State<'_, AdminSession>,
    wait: State<'_, RenewalWait>,
) -> Result<RenewedOnce, Diagnosis> {
    let mut waiting = wait.0.lock().await;
    let Some(plan) = waiting.as_ref() else {
        return Err(Diagnosis::new(
            "renew.no_plan",
            "No renewal plan is waiting",
            "A renewal is carried out only after its plan was shown; none is waiting (it was applied or the app restarted).",
            "Press “Renew secret…” on the profile again and read the plan.",
        ));
    };
    let token = admin_token(&session, &admin, &plan.profile).await?;
    let passphrase = passphrase.filter(|p| !p.is_empty()).map(Secret::new);
    let renewed = renew(&session, &token, plan, passphrase.as_ref(), |step| {
        let _ = app.emit(RENEWAL_PROGRESS_EVENT, step);
    })
    .await?;
    *waiting = None;
    Ok(RenewedOnce::reveal(renewed))
}

/// Removes the old secret `key_id` from `profile`'s app, after the kept one is proven again.
#[tauri::command]
pub async fn renewal_retire(
    profile: String,
    key_id: String,
    session: State<'_, Session>,
    admin: State<'_, AdminSession>,
) -> Result<AppSecret, Diagnosis> {
    let token = admin_token(&session, &admin, &profile).await?;
    retire(&session, &token, &profile, &key_id).await
}

async fn admin_token(
    session: &Session,
    admin: &AdminSession,
    profile: &str,
) -> Result<Secret, Diagnosis> {
    let p = session.profiles().require(profile)?;
    let cloud = session.cloud_of(&p)?;
    admin
        .token_for(&cloud, Some(&p.tenant_id))
        .await
        .ok_or_else(not_signed_in)
}
