//! `folders` and `count`: the mailbox reads of the channel options step, over Graph or IMAP, with
//! a profile's token or (for tests and debugging) an access token from the environment.

use crate::cloud_args::CloudArgs;
use crate::output;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, ValueEnum};
use onboard::{
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{AccessToken, Audience, TokenResponse},
    mailbox::{ArchiveCounts, Folder, MailCheckOptions, MailLogin},
    platform::Secret,
    profile::MailboxRef,
};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Via {
    Graph,
    Imap,
}

/// Which mailbox, how, and with whose token.
#[derive(Args)]
pub struct MailboxArgs {
    #[arg(long, value_enum, default_value_t = Via::Graph)]
    pub(crate) via: Via,
    /// The mailbox's address (default with a profile: the profile's mailbox; over Graph
    /// without one: the signed-in user's own, `me`).
    #[arg(long, value_name = "ADDRESS")]
    pub(crate) mailbox: Option<String>,
    /// For a shared mailbox with --access-token-env: the delegate whose token it is (IMAP signs
    /// in as them; send-test names them when Send As is missing).
    #[arg(long, value_name = "ADDRESS")]
    pub(crate) delegate: Option<String>,
    /// Read the access token (Graph or Outlook audience, as --via needs) from this variable.
    #[arg(long, value_name = "VAR", conflicts_with = "profile")]
    access_token_env: Option<String>,
    /// A profile made by sign-in; its token is refreshed as needed.
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
}

#[derive(Args)]
pub struct Folders {
    #[command(flatten)]
    mailbox: MailboxArgs,
    /// Also hidden folders (Graph).
    #[arg(long)]
    hidden: bool,
}

#[derive(Args)]
pub struct Count {
    #[command(flatten)]
    mailbox: MailboxArgs,
    /// The folder's path as `folders` shows it (`Inbox/Inquiries/Tech-Support`), or its id.
    #[arg(long, value_name = "PATH")]
    folder: String,
    /// The cut-off: YYYY-MM-DD (the end of that day, UTC) or an RFC 3339 time. Default: now.
    #[arg(long, value_name = "DATE")]
    before: Option<String>,
}

/// Where the reads go: the cloud, the Graph mailbox (`me` or an address) and the IMAP login
/// (token filled in per audience).
pub(crate) struct Target {
    pub(crate) cloud: Cloud,
    pub(crate) graph_mailbox: String,
    pub(crate) login: MailLogin,
    token: Source,
}

enum Source {
    Env(Secret),
    Profile(Box<onboard::profile::Session>, String),
}

impl Target {
    pub(crate) async fn token<A: Audience>(&self) -> Result<AccessToken<A>, Diagnosis> {
        match &self.token {
            Source::Env(secret) => {
                let tokens = TokenResponse {
                    access_token: secret.clone(),
                    refresh_token: None,
                    id_token: None,
                    expires_in: 3600,
                    scope: String::new(),
                };
                AccessToken::from_response(&tokens, A::RESOURCE, Utc::now())
            }
            Source::Profile(session, name) => session.token::<A>(name).await,
        }
    }
}

pub(crate) async fn target(
    args: &MailboxArgs,
    cloud_args: &CloudArgs,
) -> Result<Target, Diagnosis> {
    if let Some(var) = &args.access_token_env {
        let secret = std::env::var(var).map(Secret::new).map_err(|_| {
            Diagnosis::field(
                "--access-token-env",
                "cli.no_token",
                format!("The environment variable {var} is not set."),
                format!("Export the access token as {var}, or use --profile."),
            )
        })?;
        let graph_mailbox = args.mailbox.clone().unwrap_or_else(|| "me".to_owned());
        let address = args.mailbox.clone().unwrap_or_default();
        if args.via == Via::Imap && address.is_empty() {
            return Err(Diagnosis::field(
                "--mailbox",
                "cli.no_mailbox",
                "IMAP signs in with the mailbox's address, and none was given.",
                "Add --mailbox ADDRESS.",
            ));
        }
        let login = match &args.delegate {
            Some(d) => MailLogin::shared(&address, d, &secret),
            None => MailLogin::own(&address, &secret),
        };
        return Ok(Target {
            cloud: cloud_args.cloud()?,
            graph_mailbox,
            login,
            token: Source::Env(secret),
        });
    }
    let Some(name) = &args.profile else {
        return Err(Diagnosis::field(
            "--profile",
            "cli.no_profile",
            "No mailbox to read: neither --profile nor --access-token-env was given.",
            "Add --profile NAME (see `m365-onboard profiles`), or --mailbox with --access-token-env.",
        ));
    };
    let session = crate::sign_in::session(cloud_args)?;
    let profile = session.profiles().get(name)?.ok_or_else(|| {
        Diagnosis::field(
            "--profile",
            "profile.not_found",
            format!("There is no profile “{name}”."),
            "List them with `m365-onboard profiles`, or add one with sign-in.",
        )
    })?;
    let cloud = session.cloud_of(&profile)?;
    let none = Secret::new("");
    let (graph_mailbox, login) = match &profile.mailbox {
        MailboxRef::User { address } => (
            args.mailbox.clone().unwrap_or_else(|| "me".to_owned()),
            MailLogin::own(address, &none),
        ),
        MailboxRef::Shared { address, delegate } => (
            address.clone(),
            MailLogin::shared(address, &delegate.username, &none),
        ),
    };
    Ok(Target {
        cloud,
        graph_mailbox,
        login,
        token: Source::Profile(Box::new(session), name.clone()),
    })
}

async fn folders(args: &Folders, cloud: &CloudArgs) -> Result<Vec<Folder>, Diagnosis> {
    let t = target(&args.mailbox, cloud).await?;
    match args.mailbox.via {
        Via::Graph => {
            onboard::mailbox::graph_folders(
                &t.cloud,
                &t.token().await?,
                &t.graph_mailbox,
                args.hidden,
            )
            .await
        }
        Via::Imap => {
            let opts = MailCheckOptions::default();
            onboard::mailbox::imap_folders(&t.cloud, &t.token().await?, &t.login, &opts).await
        }
    }
}

pub async fn run_folders(args: Folders, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::verdict(json, folders(&args, cloud).await, tree_text)
}

async fn count(args: &Count, cloud: &CloudArgs) -> Result<ArchiveCounts, Diagnosis> {
    let cutoff = cutoff(args.before.as_deref())?;
    let t = target(&args.mailbox, cloud).await?;
    let id = folder_id(&t, args.mailbox.via, &args.folder).await?;
    match args.mailbox.via {
        Via::Graph => {
            let token = t.token().await?;
            onboard::mailbox::graph_archive_counts(&t.cloud, &token, &t.graph_mailbox, &id, cutoff)
                .await
        }
        Via::Imap => {
            let opts = MailCheckOptions::default();
            let token = t.token().await?;
            onboard::mailbox::imap_archive_counts(&t.cloud, &token, &t.login, &id, cutoff, &opts)
                .await
        }
    }
}

/// The folder's id: `folder` is a display path as `folders` shows it (looked up in the tree,
/// hidden folders included), or else taken as an id.
pub(crate) async fn folder_id(t: &Target, via: Via, folder: &str) -> Result<String, Diagnosis> {
    let tree = match via {
        Via::Graph => {
            onboard::mailbox::graph_folders(&t.cloud, &t.token().await?, &t.graph_mailbox, true)
                .await?
        }
        Via::Imap => {
            let opts = MailCheckOptions::default();
            onboard::mailbox::imap_folders(&t.cloud, &t.token().await?, &t.login, &opts).await?
        }
    };
    Ok(Folder::find(&tree, folder).map_or_else(|| folder.to_owned(), |f| f.id.clone()))
}

pub async fn run_count(args: Count, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::verdict(json, count(&args, cloud).await, counts_text)
}

fn cutoff(before: Option<&str>) -> Result<DateTime<Utc>, Diagnosis> {
    let Some(text) = before else {
        return Ok(Utc::now());
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            Diagnosis::field(
                "--before",
                "cli.bad_date",
                format!("“{text}” is no date."),
                "Give YYYY-MM-DD or an RFC 3339 time such as 2026-11-15T18:00:00Z.",
            )
        })
}

fn tree_text(tree: &Vec<Folder>) -> String {
    fn add(s: &mut String, f: &Folder, depth: usize) {
        let counts = match (f.total, f.unread) {
            (Some(t), Some(u)) => format!("  ({t}, {u} unread)"),
            (Some(t), None) => format!("  ({t})"),
            _ => String::new(),
        };
        let hidden = if f.hidden { "  [hidden]" } else { "" };
        s.push_str(&format!(
            "{}{}{counts}{hidden}\n",
            "  ".repeat(depth),
            f.name
        ));
        for c in &f.children {
            add(s, c, depth + 1);
        }
    }
    let mut s = String::new();
    for f in tree {
        add(&mut s, f, 0);
    }
    s
}

fn counts_text(c: &ArchiveCounts) -> String {
    format!(
        "{} mails on or before the cut-off ({}) will be archived, {} newer ones imported as new tickets ({} round trips)\n",
        c.before,
        c.cutoff_applied.format("%Y-%m-%d %H:%M:%S UTC"),
        c.after,
        c.round_trips
    )
}
