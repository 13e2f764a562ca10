//! `m365-onboard`: the wizard's steps as subcommands, over the same core.
//! Exit codes: 0 the check passed, 1 it failed (the diagnosis says why), 2 usage error.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a CLI's output is its interface

mod output;

use clap::{Parser, Subcommand, ValueEnum};
use onboard::{catalog, check_server, ServerCheckInput, ServerKind};
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
    /// Explain an error: an AADSTS code, a pasted error message, page, URL or JSON body, a Graph
    /// error code, an IMAP/SMTP reply, or a code this tool printed. Exit 1 when not recognised.
    Diagnose {
        /// The code or text to explain (quote it).
        text: String,
    },
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
        Command::Diagnose { text } => {
            output::verdict(cli.json, catalog::explain(&text), output::diagnosis_text)
        }
    }
}
