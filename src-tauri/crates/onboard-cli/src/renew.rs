//! `renew-credential`: the admin signs in by device code, the renewal's plan is shown, --apply
//! carries it out, --remove-old removes the replaced secret. The logic is the core's
//! (`onboard::renewal`); this file parses and prints.

use crate::cloud_args::{env_secret, CloudArgs};
use crate::output;
use crate::register_app::admin_device_token;
use crate::sign_in::session;
use clap::Args;
use onboard::{
    app_registration::{AppSecret, AZURE_CLI_CLIENT_ID},
    catalog::Diagnosis,
    renewal::{plan_renewal, renew, retire, RenewalPlan, Renewed},
};
use serde::Serialize;
use std::process::ExitCode;

#[derive(Args)]
pub struct RenewCredential {
    /// The profile whose app gets a new client secret (every profile of that app changes to it).
    #[arg(long, value_name = "NAME")]
    profile: String,
    /// Lifetime of the new client secret in months (1 to 24).
    #[arg(long, default_value_t = 24)]
    secret_months: u32,
    /// Add, prove and keep the new secret, write the exports again (without it, only the plan).
    #[arg(long)]
    apply: bool,
    /// The environment variable holding the passphrase of exports that carry sealed secrets.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Remove this old secret (its Secret ID) from the app, after the kept one is proven: only
    /// once the server has the new one.
    #[arg(long, value_name = "SECRET_ID")]
    remove_old: Option<String>,
    /// The public client the admin signs in with (default: Microsoft's Azure CLI).
    #[arg(long, default_value = AZURE_CLI_CLIENT_ID)]
    admin_client_id: String,
}

#[derive(Serialize)]
struct Outcome {
    plan: Option<RenewalPlan>,
    renewed: Option<Renewed>,
    /// The new secret's value: only with --apply, only here, only once.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    removed: Option<AppSecret>,
    #[serde(skip)]
    secret_store: &'static str,
}

pub async fn run(args: RenewCredential, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::verdict(json, renewal(args, cloud).await, text)
}

async fn renewal(args: RenewCredential, cloud_args: &CloudArgs) -> Result<Outcome, Diagnosis> {
    let passphrase = args
        .passphrase_env
        .as_deref()
        .map(|var| env_secret("--passphrase-env", var))
        .transpose()?;
    let session = session(cloud_args)?;
    let profile = session.profiles().require(&args.profile)?;
    let cloud = session.cloud_of(&profile)?;
    let admin = admin_device_token(&cloud, &profile.tenant_id, &args.admin_client_id).await?;
    let mut outcome = Outcome {
        plan: None,
        renewed: None,
        secret: None,
        removed: None,
        secret_store: session.secrets().backend(),
    };
    if args.apply || args.remove_old.is_none() {
        let plan = plan_renewal(&session, &admin, &args.profile, args.secret_months).await?;
        if args.apply {
            let renewed = renew(&session, &admin, &plan, passphrase.as_ref(), |step| {
                eprintln!("{step}…")
            })
            .await?;
            outcome.secret = Some(renewed.value.expose().to_owned());
            outcome.renewed = Some(renewed);
        }
        outcome.plan = Some(plan);
    }
    if let Some(key_id) = &args.remove_old {
        outcome.removed = Some(retire(&session, &admin, &args.profile, key_id).await?);
    }
    Ok(outcome)
}

fn text(o: &Outcome) -> String {
    let mut s = String::new();
    if let (Some(plan), None) = (&o.plan, &o.renewed) {
        s.push_str(&format!(
            "Renewal of the client secret of “{}” ({}), used by {}:\n",
            plan.app.display_name,
            plan.client_id,
            plan.profiles.join(", ")
        ));
        for (i, step) in plan.steps.iter().enumerate() {
            s.push_str(&format!("  {}. {step}\n", i + 1));
        }
        s.push_str("Run again with --apply to make these changes.\n");
    }
    if let (Some(plan), Some(r), Some(value)) = (&o.plan, &o.renewed, &o.secret) {
        s.push_str(&format!(
            "✓ New client secret {} (expires {}), proven: {}\n",
            r.secret_id, r.expires, r.proof.detail
        ));
        s.push_str(&format!(
            "⚠ The client secret below is shown this once. Enter it in the helpdesk now; it is also kept in the {} as app/{}/client-secret.\nClient secret: {value}\n",
            o.secret_store, plan.client_id
        ));
        for e in &r.exports {
            let mark = if e.written { "✓" } else { "!" };
            s.push_str(&format!("{mark} {} — {}\n", e.path, e.note));
        }
        for h in &r.health {
            s.push_str(&format!("  {}: {}\n", h.profile, h.status.as_str()));
        }
        if let (Some(old), None) = (&r.old, &o.removed) {
            s.push_str(&format!(
                "The old secret {} still works. Once the server has the new one, remove it:\n  m365-onboard renew-credential --profile {} --remove-old {}\n",
                old.key_id, plan.profile, old.key_id
            ));
        }
    }
    if let Some(old) = &o.removed {
        s.push_str(&format!(
            "✓ Removed the old client secret {} (it would have expired {}).\n",
            old.key_id, old.expires
        ));
    }
    s
}
