//! `consent-url`: the v2 admin consent URL, to open or to send to an administrator.

use crate::cloud_args::CloudArgs;
use crate::output;
use clap::Args;
use onboard::{
    app_registration::{consent_link, AppInput},
    catalog::Diagnosis,
};
use std::process::ExitCode;

#[derive(Args)]
pub struct ConsentUrl {
    /// The tenant: its GUID, a verified domain, or `organizations`.
    #[arg(long)]
    tenant: String,
    #[arg(long)]
    client_id: String,
    /// A redirect URI registered on the app (the helpdesk's callback URL, or http://localhost).
    #[arg(long)]
    redirect_uri: String,
    /// Echoed back with the answer; a random one is used when not given.
    #[arg(long)]
    state: Option<String>,
}

pub fn run(args: ConsentUrl, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::verdict(json, url(args, cloud), |u: &String| format!("{u}\n"))
}

fn url(args: ConsentUrl, cloud: &CloudArgs) -> Result<String, Diagnosis> {
    let app = AppInput {
        client_id: args.client_id,
        tenant: args.tenant,
        client_secret: None,
    };
    let state = args
        .state
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    consent_link(&cloud.cloud()?, &app, &args.redirect_uri, &state)
}
