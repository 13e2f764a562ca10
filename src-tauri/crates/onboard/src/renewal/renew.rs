//! A renewal carried out, in an order that loses nothing when a step fails or the process
//! dies: the new secret is added and kept aside (the kept one untouched), proven through a
//! session that uses it, and only then kept as the app's secret; the exports are written again
//! and every profile of the app checked. The old secret is left in place (see `retire`).

use crate::renewal::plan::{pending_secret_key, ExportAction, RenewalPlan};
use crate::{
    app_registration::{add_app_secret, client_secret_key, remove_app_secret, AppSecret},
    catalog::{CheckStep, Diagnosis},
    export::{export_profile, write_remembered, SecretHandling, WrittenExports},
    health::{doctor_all, DoctorOptions, LastChecks, ProfileHealth},
    identity::{Resource, TokenSource},
    mailbox::profile_fetch_test,
    platform::Secret,
    profile::Session,
};
use chrono::Utc;
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;

/// A new secret can take a while to reach every token server: asked again this often.
const PROPAGATION_TRIES: u32 = 6;
const PROPAGATION_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Serialize, TS)]
pub struct Renewed {
    /// The new secret's ID and end date (its value is in the keyring, and in `value` once).
    pub secret_id: String,
    pub expires: String,
    #[serde(skip)]
    #[ts(skip)]
    pub value: Secret,
    /// The proof: the fetch test made with the new secret.
    pub proof: CheckStep,
    pub exports: Vec<ExportDone>,
    /// Every profile of the app, checked with the secret now kept.
    pub health: Vec<ProfileHealth>,
    /// The old secret, still valid, to remove once the server has the new one.
    pub old: Option<AppSecret>,
}

/// A renewal's outcome with the new secret's value, for the wizard to show once: it is
/// serialized only here, and kept in the keyring.
#[derive(Debug, Serialize, TS)]
pub struct RenewedOnce {
    pub renewed: Renewed,
    pub secret_value: String,
}

impl RenewedOnce {
    pub fn reveal(renewed: Renewed) -> Self {
        let secret_value = renewed.value.expose().to_owned();
        Self {
            renewed,
            secret_value,
        }
    }
}

/// What happened to one export.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportDone {
    pub profile: String,
    pub path: String,
    pub written: bool,
    /// A sentence: what was done, or what the admin still has to do.
    pub note: String,
}

/// Carries out `plan`. `passphrase` seals the exports that carried the secret sealed;
/// `progress` hears each step as it starts.
pub async fn renew<T: TokenSource + Clone>(
    session: &Session<T>,
    admin_token: &Secret,
    plan: &RenewalPlan,
    passphrase: Option<&Secret>,
    progress: impl Fn(&str),
) -> Result<Renewed, Diagnosis> {
    let profile = session.profiles().require(&plan.profile)?;
    let cloud = session.cloud_of(&profile)?;
    let store = session.secrets();
    let pending_key = pending_secret_key(&plan.client_id);

    let (secret_id, expires, value) = match &plan.resume {
        Some(r) => {
            let value = store.get(&pending_key)?.ok_or_else(stale_plan)?;
            (r.key_id.clone(), r.expires.clone(), value)
        }
        None => {
            progress("Adding the new client secret");
            let new = add_app_secret(
                &cloud,
                admin_token,
                &plan.app.object_id,
                &plan.new_name,
                plan.months,
            )
            .await?;
            if let Err(d) = store.put(&pending_key, &new.value) {
                let undone =
                    remove_app_secret(&cloud, admin_token, &plan.app.object_id, &new.secret_id)
                        .await;
                return Err(unkept(&new.secret_id, store.backend(), &d, undone.is_ok()));
            }
            (new.secret_id, new.expires, new.value)
        }
    };

    progress("Proving the new secret");
    let trial = session.with_trial_secret(&plan.client_id, value.clone());
    let proven = match prove(&trial, &plan.profile).await {
        Ok(()) => profile_fetch_test(&trial, &plan.profile)
            .await
            .into_result(),
        Err(d) => Err(d),
    };
    let proof = match proven {
        Ok(proof) => proof,
        Err(d) => {
            let undone =
                remove_app_secret(&cloud, admin_token, &plan.app.object_id, &secret_id).await;
            if undone.is_ok() {
                store.delete(&pending_key)?;
            }
            return Err(unproven(&secret_id, &d, undone.is_ok()));
        }
    };

    progress("Keeping the new secret");
    store.put(&client_secret_key(&plan.client_id), &value)?;
    store.delete(&pending_key)?;
    for name in &plan.profiles {
        session.forget(name);
    }
    WrittenExports::beside(session.profiles()).renewed(&plan.client_id, Utc::now())?;

    progress("Writing the exports again");
    let mut exports = Vec::new();
    for step in &plan.exports {
        exports.push(rewrite(session, step, passphrase).await);
    }

    progress("Checking every profile of the app");
    let health = doctor_all(
        session,
        &plan.profiles,
        &DoctorOptions::default(),
        |_, _| {},
    )
    .await
    .profiles;
    LastChecks::keep(session.profiles(), &health)?;
    Ok(Renewed {
        secret_id,
        expires,
        value,
        proof,
        exports,
        health,
        old: plan.current.clone(),
    })
}

/// An access token made with the trial session's secret, asked again while Entra may still be
/// spreading the new secret (AADSTS7000215 for a while after addPassword).
async fn prove<T: TokenSource>(trial: &Session<T>, name: &str) -> Result<(), Diagnosis> {
    let resource = {
        let p = trial.profiles().require(name)?;
        Resource::of_channel(p.channel)
    };
    let mut tries = 0;
    loop {
        match trial.access_token(name, resource).await {
            Ok(_) => return Ok(()),
            Err(d) if d.code.contains("7000215") && tries + 1 < PROPAGATION_TRIES => {
                tries += 1;
                tokio::time::sleep(PROPAGATION_WAIT).await;
            }
            Err(d) => return Err(d),
        }
    }
}

async fn rewrite<T: TokenSource>(
    session: &Session<T>,
    step: &crate::renewal::plan::ExportStep,
    passphrase: Option<&Secret>,
) -> ExportDone {
    let e = &step.export;
    let done = |written: bool, note: String| ExportDone {
        profile: step.profile.clone(),
        path: e.path.clone(),
        written,
        note,
    };
    let handling = match (step.action, passphrase) {
        (ExportAction::Rewrite, _) => SecretHandling::Plain,
        (ExportAction::RewriteWithPassphrase, Some(p)) => SecretHandling::Encrypt(p.clone()),
        (ExportAction::RewriteWithPassphrase, None) => {
            return done(false, format!(
                "Sealed with a passphrase, which was not given: export it again (m365-onboard export --profile {} --format {} --include-secrets …) and load it into the server.",
                step.profile,
                serde_json::to_value(e.format).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            ));
        }
        (ExportAction::EnterByHand, _) => {
            return done(
                false,
                "Holds no secret: enter the new client secret in the server by hand.".to_owned(),
            );
        }
        (ExportAction::Gone, _) => {
            return done(
                false,
                "The file is gone and was not written again.".to_owned(),
            );
        }
    };
    let path = std::path::Path::new(&e.path);
    let written =
        match export_profile(session, &step.profile, e.format, &handling, &e.options).await {
            Ok(rendered) => write_remembered(
                session.profiles(),
                &step.profile,
                path,
                &rendered,
                &e.options,
            ),
            Err(d) => Err(d),
        };
    match written {
        Ok(_) => done(
            true,
            "Written again with the new secret: load it into the server.".to_owned(),
        ),
        Err(d) => done(false, format!("Not written again: {} {}", d.detail, d.fix)),
    }
}

fn stale_plan() -> Diagnosis {
    Diagnosis::new(
        "renew.stale_plan",
        "The renewal's plan no longer matches the keyring",
        "The plan resumes a renewal whose new secret is no longer kept aside in the keyring.",
        "Make the plan again, then apply it.",
    )
}

fn unkept(secret_id: &str, backend: &str, d: &Diagnosis, undone: bool) -> Diagnosis {
    Diagnosis::new(
        "renew.unkept",
        "The new client secret could not be kept in the keyring",
        format!(
            "The {backend} refused the new secret {secret_id}: {}",
            d.detail
        ),
        if undone {
            format!(
                "The new secret was removed from the app again; the old one is unchanged. {}",
                d.fix
            )
        } else {
            format!("Delete the secret {secret_id} under Certificates & secrets in the Entra admin center; the old one is unchanged. {}", d.fix)
        },
    )
}

fn unproven(secret_id: &str, d: &Diagnosis, undone: bool) -> Diagnosis {
    // The cause's own code, so that its catalogue entry still applies.
    let mut out = d.clone();
    out.title = format!("The new client secret did not work: {}", d.title);
    out.fix = if undone {
        format!(
            "The new secret was removed from the app again and the old one is unchanged. {}",
            d.fix
        )
    } else {
        format!("The old secret is unchanged. Delete the new secret {secret_id} under Certificates & secrets in the Entra admin center. {}", d.fix)
    };
    out
}
