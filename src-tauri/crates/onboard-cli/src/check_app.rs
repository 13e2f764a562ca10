//! `check-app`: the app registration step's checks, offline then live, and the checklist.

use crate::cloud_args::{secret_from_env, CloudArgs};
use crate::output;
use crate::register_app::{store, Channel};
use crate::Kind;
use clap::Args;
use onboard::{
    app_registration::{check_app, client_secret_key, AppCheck, AppInput},
    catalog::Diagnosis,
    identity::ChannelKind,
};
use std::process::ExitCode;

#[derive(Args)]
pub struct CheckApp {
    /// The tenant: its GUID, a verified domain, or `organizations`.
    #[arg(long)]
    tenant: String,
    /// The Application (client) ID.
    #[arg(long)]
    client_id: String,
    /// The environment variable holding the client secret's value (default: the one kept in
    /// the OS keyring for this client ID, if any).
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    /// The channel whose permissions to list (default: the server's usual channel).
    #[arg(long, value_enum)]
    channel: Option<Channel>,
    #[arg(long, value_enum, default_value_t = Kind::ZammadGraph)]
    server: Kind,
}

pub async fn run(args: CheckApp, cloud: &CloudArgs, json: bool) -> ExitCode {
    let result = check(args, cloud).await;
    let ok = result.as_ref().is_ok_and(AppCheck::ok);
    let code = output::verdict(json, result, text);
    if ok {
        code
    } else {
        ExitCode::FAILURE
    }
}

async fn check(args: CheckApp, cloud: &CloudArgs) -> Result<AppCheck, Diagnosis> {
    let cloud = cloud.cloud()?;
    let secret = match &args.client_secret_env {
        Some(var) => Some(secret_from_env(var)?.expose().to_owned()),
        None => store()
            .get(&client_secret_key(&args.client_id))
            .ok()
            .flatten()
            .map(|s| s.expose().to_owned()),
    };
    let fields = AppInput {
        client_id: args.client_id,
        tenant: args.tenant,
        client_secret: secret,
    }
    .parse()?;
    let channel = args
        .channel
        .map_or_else(|| ChannelKind::for_server(args.server.into()), Into::into);
    Ok(check_app(&cloud, &fields, channel, None).await)
}

fn text(c: &AppCheck) -> String {
    let mut s = format!("App {}\n{}", c.client_id, output::steps_text(&c.steps));
    for n in &c.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    s.push_str("Permissions (Microsoft Graph):\n");
    for p in &c.checklist {
        let mark = match p.granted {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "·",
        };
        s.push_str(&format!(
            "  {mark} {:<22} {:?}  {}  {}\n",
            p.permission.name, p.permission.kind, p.permission.id, p.permission.purpose
        ));
    }
    s.push_str(&format!("  Add or grant them at {}\n", c.permissions_page));
    s
}
