//! `register-app`: sign the admin in by device code, show the plan, and apply it with --apply.
//! The logic is the core's (`onboard::app_registration`); this file parses and prints.

use crate::cloud_args::CloudArgs;
use crate::output;
use crate::Kind;
use clap::{Args, ValueEnum};
use onboard::{
    app_registration::{
        admin_scopes, admin_sign_in_app, apply, plan, Applied, DesiredApp, Plan,
        AZURE_CLI_CLIENT_ID,
    },
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{poll_device_code, start_device_code, ChannelKind},
    platform::{KeyringStore, MemoryStore, Secret, SecretStore},
    server::{check_server, ServerCheckInput, ServerKind},
};
use serde::Serialize;
use std::process::ExitCode;

/// The environment variable that picks the secret store (`memory` for tests; default keyring).
pub const SECRET_STORE_ENV: &str = "M365_ONBOARD_SECRET_STORE";

#[derive(Args)]
pub struct RegisterApp {
    /// The tenant: its GUID or a verified domain (or `organizations`).
    #[arg(long)]
    tenant: String,
    /// The app registration's display name (default: "Helpdesk mail (SERVER)").
    #[arg(long)]
    name: Option<String>,
    #[arg(long, value_enum, default_value_t = Kind::ZammadGraph)]
    server: Kind,
    /// The server's callback URL, as the server step shows it.
    #[arg(long, conflicts_with = "fqdn", required_unless_present = "fqdn")]
    callback_url: Option<String>,
    /// The helpdesk's host name; the callback URL is derived for --server.
    #[arg(long)]
    fqdn: Option<String>,
    /// How the helpdesk reaches the mailbox (default: the server's usual channel).
    #[arg(long, value_enum)]
    channel: Option<Channel>,
    /// The client ID of an existing app to repair (default: find the app by --name).
    #[arg(long)]
    client_id: Option<String>,
    /// Lifetime of a new client secret in months (1 to 24).
    #[arg(long, default_value_t = 24)]
    secret_months: u32,
    /// Add a new client secret even though the app has a valid one.
    #[arg(long)]
    new_secret: bool,
    /// The public client the admin signs in with (default: Microsoft's Azure CLI).
    #[arg(long, default_value = AZURE_CLI_CLIENT_ID)]
    admin_client_id: String,
    /// Make the changes (without it, only the plan is shown).
    #[arg(long)]
    apply: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Channel {
    ImapDelegated,
    GraphDelegated,
    GraphApplication,
}

impl From<Channel> for ChannelKind {
    fn from(c: Channel) -> Self {
        match c {
            Channel::ImapDelegated => ChannelKind::ImapDelegated,
            Channel::GraphDelegated => ChannelKind::GraphDelegated,
            Channel::GraphApplication => ChannelKind::GraphApplication,
        }
    }
}

#[derive(Serialize)]
struct Outcome {
    plan: Plan,
    applied: Option<Applied>,
    /// The new secret's value: only with --apply, only here, only once.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    #[serde(skip)]
    secret_store: &'static str,
}

pub async fn run(args: RegisterApp, cloud: &CloudArgs, json: bool) -> ExitCode {
    let result = match cloud.cloud() {
        Ok(cloud) => register(args, &cloud).await,
        Err(d) => Err(d),
    };
    output::verdict(json, result, outcome_text)
}

pub fn store() -> Box<dyn SecretStore> {
    match std::env::var(SECRET_STORE_ENV).as_deref() {
        Ok("memory") => Box::new(MemoryStore::default()),
        _ => Box::new(KeyringStore::default()),
    }
}

async fn register(args: RegisterApp, cloud: &Cloud) -> Result<Outcome, Diagnosis> {
    let server: ServerKind = args.server.into();
    let callback = match (&args.callback_url, &args.fqdn) {
        (Some(url), _) => url.clone(),
        (None, Some(fqdn)) => {
            check_server(&ServerCheckInput {
                kind: server,
                fqdn: fqdn.clone(),
                callback_template: None,
            })?
            .callback_url
        }
        (None, None) => String::new(), // clap requires one; validation names the field
    };
    let channel = args
        .channel
        .map(ChannelKind::from)
        .unwrap_or_else(|| ChannelKind::for_server(server));
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("Helpdesk mail ({})", server.id()));
    let mut desired = DesiredApp::new(&name, &callback, server, channel)?;
    desired.secret_months = args.secret_months;
    desired.existing_client_id = args.client_id.clone();
    desired.new_secret = args.new_secret;
    desired.validate()?;

    let admin_token = admin_device_token(cloud, &args.tenant, &args.admin_client_id).await?;
    let plan = plan(cloud, &admin_token, &desired).await?;
    let store = store();
    let applied = if args.apply && !plan.is_empty() {
        Some(apply(cloud, &admin_token, &plan, store.as_ref()).await?)
    } else {
        None
    };
    let secret = applied
        .as_ref()
        .and_then(|a| a.secret.as_ref())
        .map(|s| s.value.expose().to_owned());
    Ok(Outcome {
        plan,
        applied,
        secret,
        secret_store: store.backend(),
    })
}

/// An administrator of `tenant` signs in by device code (the code on stderr): their Graph token
/// for the app registration's changes.
pub(crate) async fn admin_device_token(
    cloud: &Cloud,
    tenant: &str,
    admin_client_id: &str,
) -> Result<Secret, Diagnosis> {
    let (tenant, admin_client_id) = admin_sign_in_app(tenant, Some(admin_client_id))?;
    let scopes = admin_scopes(cloud);
    let prompt = start_device_code(cloud, &tenant, &admin_client_id, &scopes).await?;
    eprintln!(
        "Sign in as an administrator of {}: open {} and enter the code {} (it expires in {} minutes).",
        tenant,
        prompt.verification_uri,
        prompt.user_code,
        prompt.expires_in / 60
    );
    eprintln!("Waiting for the sign-in…");
    let tokens = poll_device_code(cloud, &tenant, &admin_client_id, &prompt, None).await?;
    eprintln!("Signed in.");
    Ok(tokens.access_token)
}

fn outcome_text(o: &Outcome) -> String {
    let mut s = String::new();
    for n in &o.plan.notes {
        s.push_str(&format!("• {n}\n"));
    }
    let Some(applied) = &o.applied else {
        if !o.plan.is_empty() {
            s.push_str("Plan:\n");
            for (i, c) in o.plan.changes.iter().enumerate() {
                s.push_str(&format!("  {}. {}\n     {}\n", i + 1, c.summary, c.call));
            }
            s.push_str("Run again with --apply to make these changes.\n");
        }
        return s;
    };
    for d in &applied.done {
        s.push_str(&format!("✓ {d}\n"));
    }
    s.push_str(&format!(
        "Client ID: {}\nTenant ID: {}\nApplication object ID: {}\nService principal ID: {}\n",
        applied.client_id, applied.tenant_id, applied.object_id, applied.service_principal_id
    ));
    if let (Some(new), Some(value)) = (&applied.secret, &o.secret) {
        s.push_str(&format!(
            "⚠ The client secret below is shown this once. Copy it into the helpdesk now; it is also kept in the {} as app/{}/client-secret.\n",
            o.secret_store, applied.client_id
        ));
        s.push_str(&format!(
            "Client secret: {value}\nSecret ID: {} (expires {})\n",
            new.secret_id, new.expires
        ));
    }
    s
}
