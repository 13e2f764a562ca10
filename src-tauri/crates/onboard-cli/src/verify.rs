//! `send-test` and `fetch-test`: the verify step's two tests. With --profile they run over the
//! profile's own channel, as the wizard runs them; with --access-token-env (tests, debugging)
//! over --via, as the mailbox --mailbox names.

use crate::cloud_args::CloudArgs;
use crate::mailbox::{self, MailboxArgs, Via};
use crate::output;
use clap::Args;
use onboard::{
    catalog::{CheckStep, Diagnosis},
    mailbox::MailCheckOptions,
};
use std::process::ExitCode;

#[derive(Args)]
pub struct SendTest {
    #[command(flatten)]
    mailbox: MailboxArgs,
    /// The test mail's recipient (default: the mailbox itself).
    #[arg(long, value_name = "ADDRESS")]
    to: Option<String>,
}

#[derive(Args)]
pub struct FetchTest {
    #[command(flatten)]
    mailbox: MailboxArgs,
}

pub async fn run_send_test(args: SendTest, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::step_verdict(json, send_test(&args, cloud).await)
}

pub async fn run_fetch_test(args: FetchTest, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::step_verdict(json, fetch_test(&args, cloud).await)
}

async fn send_test(args: &SendTest, cloud: &CloudArgs) -> Result<CheckStep, Diagnosis> {
    let to = args.to.as_deref();
    if let Some(name) = &args.mailbox.profile {
        let session = crate::sign_in::session(cloud)?;
        return Ok(onboard::mailbox::profile_send_test(&session, name, to).await);
    }
    let t = mailbox::target(&args.mailbox, cloud).await?;
    let from = t.login.mailbox.as_str();
    if from.is_empty() {
        return Err(Diagnosis::field(
            "--mailbox",
            "cli.no_mailbox",
            "The test mail is sent from the mailbox's address, and none was given.",
            "Add --mailbox ADDRESS.",
        ));
    }
    let delegate = t.login.delegate.as_deref();
    Ok(match args.mailbox.via {
        Via::Graph => {
            let token = t.token().await?;
            onboard::mailbox::graph_send_test(&t.cloud, &token, from, from, delegate, to).await
        }
        Via::Imap => {
            let opts = MailCheckOptions::default();
            onboard::mailbox::smtp_send_test(&t.cloud, &t.token().await?, &t.login, to, &opts).await
        }
    })
}

async fn fetch_test(args: &FetchTest, cloud: &CloudArgs) -> Result<CheckStep, Diagnosis> {
    if let Some(name) = &args.mailbox.profile {
        let session = crate::sign_in::session(cloud)?;
        return Ok(onboard::mailbox::profile_fetch_test(&session, name).await);
    }
    let t = mailbox::target(&args.mailbox, cloud).await?;
    Ok(match args.mailbox.via {
        Via::Graph => {
            onboard::mailbox::graph_fetch_test(&t.cloud, &t.token().await?, &t.graph_mailbox).await
        }
        Via::Imap => {
            let opts = MailCheckOptions::default();
            onboard::mailbox::imap_fetch_test(&t.cloud, &t.token().await?, &t.login, &opts).await
        }
    })
}
