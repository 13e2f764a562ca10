//! `m365-onboard`: the wizard's steps as subcommands, over the same core.
//! Exit codes: 0 the check passed, 1 it failed (the diagnosis says why), 2 usage error.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a CLI's output is its interface

mod output;
mod register_app;

use clap::{Parser, Subcommand, ValueEnum};
use onboard::{check_server, ServerCheckInput, ServerKind};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// The identity platform's base URL (default https://login.microsoftonline.com).
    #[arg(long, global = true)]
    authority_url: Option<String>,
    /// Microsoft Graph's base URL (default https://graph.microsoft.com).
    #[arg(long, global = true)]
    graph_url: Option<String>,
    /// Trust one more CA (PEM), for the sandbox and tests; never implied.
    #[arg(long, global = true)]
    ca_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The server step: host name syntax, IDN, and the callback URL to register in Entra.
    CheckServer {
        /// The helpdesk's host name (a pasted URL is accepted).
        fqdn: String,
        #[arg(long, value_enum, default_value_t = Kind::ZammadGraph)]
        server: Kind,
        /// For --server custom: the callback URL with {fqdn} where the host goes.
        #[arg(long)]
        callback_template: Option<String>,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::CheckServer {
            fqdn,
            server,
            callback_template,
        } => {
            let input = ServerCheckInput {
                kind: server.into(),
                fqdn,
                callback_template,
            };
            output::verdict(cli.json, check_server(&input), output::server_check_text)
        }
        Command::RegisterApp(args) => {
            let flags = register_app::CloudFlags {
                authority_url: cli.authority_url.as_deref(),
                graph_url: cli.graph_url.as_deref(),
                ca_file: cli.ca_file.as_ref(),
            };
            register_app::run(args, flags, cli.json)
        }
    }
}
