//! The plan of a renewal, read before anything changes: the app and its secrets (which one the
//! profiles use now), the new secret's name and lifetime, every profile of the app (they share
//! its secret), each export they wrote and what the renewal does with it, and a renewal that
//! was interrupted, which is resumed rather than started again.

use crate::{
    app_registration::{app_secrets, client_secret_key, AppSecret, AppSecrets, MAX_SECRET_MONTHS},
    catalog::Diagnosis,
    export::{SecretsIncluded, WrittenExport, WrittenExports},
    identity::TokenSource,
    platform::Secret,
    profile::Session,
};
use chrono::Utc;
use serde::Serialize;
use ts_rs::TS;

/// Where a new secret waits until it is proven: the kept one stays untouched until then.
pub fn pending_secret_key(client_id: &str) -> String {
    format!("app/{client_id}/client-secret-next")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RenewalPlan {
    pub profile: String,
    pub tenant_id: String,
    pub client_id: String,
    pub app: AppSecrets,
    /// The secret the profiles use now; `None` when the app lists none with its hint.
    pub current: Option<AppSecret>,
    /// The secret an interrupted renewal added and kept aside: proven and kept on apply instead
    /// of adding another.
    pub resume: Option<AppSecret>,
    pub new_name: String,
    pub months: u32,
    /// Every profile of this app: they all change to the new secret.
    pub profiles: Vec<String>,
    pub exports: Vec<ExportStep>,
    /// What apply does, in order, a sentence each.
    pub steps: Vec<String>,
}

/// An export one of the profiles wrote, and what the renewal does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportStep {
    pub profile: String,
    pub export: WrittenExport,
    pub action: ExportAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ExportAction {
    /// It carries the secret in clear: written again, with the new one.
    Rewrite,
    /// It carries the secret sealed: written again when the passphrase is given, else listed.
    RewriteWithPassphrase,
    /// It names the keyring entry only: the admin enters the new secret in the server.
    EnterByHand,
    /// The file is gone (deleted after use, as advised for secrets in clear): not recreated.
    Gone,
}

/// Reads what a renewal of `name`'s app secret would do, with the admin's token. Nothing changes.
pub async fn plan_renewal<T: TokenSource>(
    session: &Session<T>,
    admin_token: &Secret,
    name: &str,
    months: u32,
) -> Result<RenewalPlan, Diagnosis> {
    let profile = session.profiles().require(name)?;
    if !profile.confidential_client {
        return Err(Diagnosis::field(
            "Profile",
            "renew.public_client",
            format!(
                "The profile “{}” signs in as a public client: its app has no client secret to renew.",
                profile.name
            ),
            "Nothing to renew. When the sign-in itself expires, sign in again from the Account step (or m365-onboard sign-in).",
        ));
    }
    if !(1..=MAX_SECRET_MONTHS).contains(&months) {
        return Err(Diagnosis::field(
            "Lifetime",
            "renew.months",
            format!("A lifetime of {months} months is not allowed."),
            format!("Pick 1 to {MAX_SECRET_MONTHS} months; Microsoft allows no longer."),
        ));
    }
    let cloud = session.cloud_of(&profile)?;
    let app = app_secrets(&cloud, admin_token, &profile.client_id, Utc::now()).await?;
    let store = session.secrets();
    let kept = store.get(&client_secret_key(&profile.client_id))?;
    let current = kept.as_ref().and_then(|s| app.matching(s)).cloned();
    let pending = store.get(&pending_secret_key(&profile.client_id))?;
    let resume = pending.as_ref().and_then(|s| app.matching(s)).cloned();
    if pending.is_some() && resume.is_none() {
        // Kept aside, then removed from the app (or never added): it can never work.
        store.delete(&pending_secret_key(&profile.client_id))?;
    }

    let profiles: Vec<String> = session
        .profiles()
        .list()?
        .profiles
        .into_iter()
        .filter(|p| p.confidential_client && p.client_id.eq_ignore_ascii_case(&profile.client_id))
        .map(|p| p.name)
        .collect();
    let written = WrittenExports::beside(session.profiles());
    let exports: Vec<ExportStep> = profiles
        .iter()
        .flat_map(|p| {
            written.of(p).into_iter().map(|export| ExportStep {
                profile: p.clone(),
                action: action(&export),
                export,
            })
        })
        .collect();
    let new_name = format!("m365-onboard renewal {}", Utc::now().format("%Y-%m-%d"));
    let steps = steps(
        &app,
        current.as_ref(),
        resume.as_ref(),
        &new_name,
        months,
        &profiles,
        &exports,
    );
    Ok(RenewalPlan {
        profile: profile.name,
        tenant_id: profile.tenant_id,
        client_id: profile.client_id,
        app,
        current,
        resume,
        new_name,
        months,
        profiles,
        exports,
        steps,
    })
}

fn action(e: &WrittenExport) -> ExportAction {
    if !std::path::Path::new(&e.path).exists() {
        return ExportAction::Gone;
    }
    match e.secrets {
        SecretsIncluded::Plain => ExportAction::Rewrite,
        SecretsIncluded::Encrypted => ExportAction::RewriteWithPassphrase,
        SecretsIncluded::None => ExportAction::EnterByHand,
    }
}

fn steps(
    app: &AppSecrets,
    current: Option<&AppSecret>,
    resume: Option<&AppSecret>,
    new_name: &str,
    months: u32,
    profiles: &[String],
    exports: &[ExportStep],
) -> Vec<String> {
    let mut out = Vec::new();
    match resume {
        Some(r) => out.push(format!(
            "Resume the interrupted renewal: the secret {} (added earlier, kept aside in the keyring) is used instead of adding another.",
            r.key_id
        )),
        None => out.push(format!(
            "Add a client secret “{new_name}” to “{}”, valid {months} months (POST /v1.0/applications/{}/addPassword), and keep it aside in the keyring.",
            app.display_name, app.object_id
        )),
    }
    out.push(format!(
        "Prove it: an access token with it, then the fetch test of “{}”. If either fails, the new secret is removed again and nothing else changes.",
        profiles.first().map_or("", String::as_str)
    ));
    out.push(format!(
        "Keep it as the app's secret for {}, then check each of them.",
        profiles.join(", ")
    ));
    for e in exports {
        let what = match e.action {
            ExportAction::Rewrite => "write again with the new secret",
            ExportAction::RewriteWithPassphrase => {
                "write again with the new secret, sealed, if the passphrase is given; otherwise listed for you"
            }
            ExportAction::EnterByHand => "holds no secret: enter the new one in the server by hand",
            ExportAction::Gone => "the file is gone: not written again",
        };
        out.push(format!(
            "{} export {}: {what}.",
            e.export.format.label(),
            e.export.path
        ));
    }
    match current {
        Some(c) => out.push(format!(
            "The old secret {} (expires {}) keeps working. Remove it once the server has the new one, only when you confirm it.",
            c.key_id, c.expires
        )),
        None => out.push(
            "The secret kept now is not among the app's secrets (it was removed or entered wrong): nothing old to remove."
                .to_owned(),
        ),
    }
    out
}
