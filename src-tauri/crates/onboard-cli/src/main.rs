//! `m365-onboard`: the wizard's steps as subcommands, over the same core.
//! Exit codes: 0 the check passed, 1 it failed (the diagnosis says why), 2 usage error.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a CLI's output is its interface

mod check_app;
mod cloud_args;
mod consent_url;
mod doctor;
mod export;
mod mailbox;
mod output;
mod preview;
mod register_app;
mod renew;
mod search;
mod sign_in;
mod verify;

use clap::{Parser, Subcommand, ValueEnum};
use onboard::{
    catalog::{self, Diagnosis},
    server::{check_server, probe_server, ProbeOptions, ServerCheckInput, ServerKind},
};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "m365-onboard",
    version,
    about = "Connect Microsoft 365 mailboxes to helpdesk servers"
)]
#[command(
    after_help = "Exit codes: 0 ok, 1 a check failed (the output says why and how to fix it), 2 usage error."
)]
struct Cli {
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    cloud: cloud_args::CloudArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The server step: host name syntax, IDN, the callback URL to register in Entra, then the
    /// live checks (DNS, HTTPS certificate, server answering, callback path).
    CheckServer {
        /// The helpdesk's host name (a pasted URL is accepted).
        fqdn: String,
        #[arg(long, value_enum, default_value_t = Kind::ZammadGraph)]
        server: Kind,
        /// For --server custom: the callback URL with {fqdn} where the host goes.
        #[arg(long)]
        callback_template: Option<String>,
        /// Only the offline checks: no DNS lookup, no connection.
        #[arg(long)]
        offline: bool,
        /// The limit for each live check, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 10.0)]
        timeout: f64,
    },
    /// Explain an error: an AADSTS code, a pasted error message, page, URL or JSON body, a Graph
    /// error code, an IMAP/SMTP reply, or a code this tool printed. Exit 1 when not recognised.
    Diagnose {
        /// The code or text to explain (quote it).
        text: String,
    },
    /// Create or repair the app registration: signs an admin in by device code, shows the plan,
    /// and makes the changes with --apply.
    #[command(
        after_help = "The admin signs in by device code (the code and URL are printed on stderr).\n\
A new client secret is printed once on stdout (in --json as \"secret\", only with --apply) and kept in\n\
the OS keyring (Secret Service) as app/CLIENT_ID/client-secret. Set M365_ONBOARD_SECRET_STORE=memory\n\
to keep it in memory only (tests)."
    )]
    RegisterApp(register_app::RegisterApp),
    /// The app registration step: tenant, app and secret checked live, the secret's expiry,
    /// and the permission checklist for the channel.
    CheckApp(check_app::CheckApp),
    /// The admin consent URL for a tenant, app and redirect URI.
    ConsentUrl(consent_url::ConsentUrl),
    /// The account step: sign a mailbox in (user, or shared as a delegate), verify it over the
    /// channel's protocol, and keep it as a profile; the refresh token goes to the keyring.
    #[command(
        after_help = "With --flow browser the system browser opens (M365_ONBOARD_BROWSER names another command);\n\
with --flow device the code and URL are printed on stderr. Profiles live in\n\
net.m365onboard.wizard/profiles under the platform's data folder ($XDG_DATA_HOME or\n\
~/.local/share, %APPDATA%, ~/Library/Application Support), shared with the wizard."
    )]
    SignIn(sign_in::SignIn),
    /// The profiles (connected mailboxes); --delete removes one and its keyring entries.
    Profiles(sign_in::Profiles),
    /// The health of kept profiles, read-only and without sending mail: the app's secret, a
    /// fresh token, its permissions, the mailbox and send path, the channel's folder.
    #[command(
        after_help = "Exit codes (Nagios/Icinga plugins): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, the worst over the
profiles. --format nagios prints one line with performance data; --json (or --format json) one
document, described by docs/doctor.schema.json."
    )]
    Doctor(doctor::Doctor),
    /// A new client secret for a profile's app before the old one expires: the plan first;
    /// --apply adds, proves and keeps it and writes the exports again; --remove-old removes the
    /// old one.
    #[command(
        after_help = "The admin signs in by device code (the code and URL are printed on stderr). The old secret keeps
working until --remove-old: nothing is lost when a step fails or is interrupted (apply again
resumes with the secret already added). The new secret is printed once, like register-app's."
    )]
    RenewCredential(renew::RenewCredential),
    /// The mailbox's folder tree with total and unread counts, over Graph or IMAP (read-only).
    Folders(mailbox::Folders),
    /// Archive mode's counts for a folder: mails on or before the cut-off (archived) and newer
    /// ones (imported as new tickets), counted by the server. Over IMAP the cut-off is a whole
    /// day (IMAP dates are day-granular): mails of the cut-off's day count as before.
    Count(mailbox::Count),
    /// A folder's messages, newest first (a page at a time), or one message: headers, text and
    /// attachments, or its raw MIME (--raw). Read-only: nothing is marked read.
    Preview(preview::Preview),
    /// The verify step's send test: a short test mail from the mailbox (a shared mailbox's own
    /// address, sent by its delegate) over SMTP submission or Graph sendMail; exit 1 when refused.
    /// With --profile over the profile's own channel; --via goes with --access-token-env.
    SendTest(verify::SendTest),
    /// The verify step's fetch test: the newest Inbox message's header, read without marking it.
    /// With --profile over the profile's own channel; --via goes with --access-token-env.
    FetchTest(verify::FetchTest),
    /// The profile's channel config for the helpdesk: neutral JSON (importable), Zammad,
    /// emailproxy.config or an env file. No secret is written unless asked for.
    #[command(
        after_help = "Channel option flags (--server with --fqdn, --folder, --group, --delete-imported,
--archive-before, --archive-state) are kept in the profile first, as the wizard's Channel options
step keeps them. Without --include-secrets or --plain-secrets, each secret is named by its keyring
entry with how to supply it."
    )]
    Export(export::Export),
    /// Load a neutral JSON export as a profile (its secrets, if it carries them, go to the keyring).
    Import(export::Import),
}

/// The CLI's spelling of the core's server kinds.
#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    ZammadGraph,
    ZammadImap,
    Freescout,
    Osticket,
    Custom,
}

impl From<Kind> for ServerKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::ZammadGraph => ServerKind::ZammadGraph,
            Kind::ZammadImap => ServerKind::ZammadImap,
            Kind::Freescout => ServerKind::Freescout,
            Kind::Osticket => ServerKind::Osticket,
            Kind::Custom => ServerKind::Custom,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::CheckServer {
            fqdn,
            server,
            callback_template,
            offline,
            timeout,
        } => {
            let input = ServerCheckInput {
                kind: server.into(),
                fqdn,
                callback_template,
            };
            let check = match check_server(&input) {
                Ok(c) if !offline => c,
                offline_only => {
                    return output::verdict(cli.json, offline_only, output::server_check_text)
                }
            };
            let opts = match probe_options(&cli.cloud, timeout) {
                Ok(o) => o,
                Err(d) => return output::verdict::<()>(cli.json, Err(d), |_| String::new()),
            };
            let probe = probe_server(&check, &opts).await;
            output::server_probe_verdict(cli.json, &check, &probe)
        }
        Command::Diagnose { text } => {
            output::verdict(cli.json, catalog::explain(&text), output::diagnosis_text)
        }
        Command::RegisterApp(args) => register_app::run(args, &cli.cloud, cli.json).await,
        Command::CheckApp(args) => check_app::run(args, &cli.cloud, cli.json).await,
        Command::ConsentUrl(args) => consent_url::run(args, &cli.cloud, cli.json),
        Command::SignIn(args) => sign_in::run(args, &cli.cloud, cli.json).await,
        Command::Profiles(args) => sign_in::profiles(args, &cli.cloud, cli.json),
        Command::Doctor(args) => doctor::run(args, &cli.cloud, cli.json).await,
        Command::RenewCredential(args) => renew::run(args, &cli.cloud, cli.json).await,
        Command::Folders(args) => mailbox::run_folders(args, &cli.cloud, cli.json).await,
        Command::Count(args) => mailbox::run_count(args, &cli.cloud, cli.json).await,
        Command::Preview(args) => preview::run(args, &cli.cloud, cli.json).await,
        Command::SendTest(args) => verify::run_send_test(args, &cli.cloud, cli.json).await,
        Command::FetchTest(args) => verify::run_fetch_test(args, &cli.cloud, cli.json).await,
        Command::Export(args) => export::run_export(args, &cli.cloud, cli.json).await,
        Command::Import(args) => export::run_import(args, &cli.cloud, cli.json),
    }
}

fn probe_options(cloud: &cloud_args::CloudArgs, timeout: f64) -> Result<ProbeOptions, Diagnosis> {
    let timeout = Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            Diagnosis::field(
                "--timeout",
                "cli.timeout",
                format!("{timeout} is not a number of seconds."),
                "Give a positive number of seconds, for example --timeout 5.",
            )
        })?;
    Ok(ProbeOptions {
        timeout,
        extra_ca_pem: cloud.extra_ca_pem()?,
    })
}
