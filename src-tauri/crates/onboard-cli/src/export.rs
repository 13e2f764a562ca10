//! `export`: a profile's channel config as neutral JSON, Zammad, emailproxy.config or env file
//! (with channel option flags, first kept in the profile as the wizard's Channel options step
//! keeps them). `import`: a neutral JSON export back into a profile.

use crate::cloud_args::{env_secret, CloudArgs};
use crate::output;
use crate::sign_in::session;
use crate::Kind;
use clap::{Args, ValueEnum};
use onboard::{
    catalog::Diagnosis,
    export::{
        export_profile, import_file, write_remembered, ExportFormat, ExportOptions, Imported,
        SecretHandling, SecretsIncluded,
    },
    mailbox::resolve_folder,
    profile::{keep_channel_setup, ChannelSetup, OptionsDraft, ServerDraft},
};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct Export {
    /// The profile to export (see `m365-onboard profiles`).
    #[arg(long, value_name = "NAME")]
    profile: String,
    #[arg(long, value_enum)]
    format: Format,
    /// The file to write (mode 0600, atomically); Zammad's README goes beside it.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Include the client secret and the refresh token, encrypted with the passphrase in
    /// --passphrase-env (age; for emailproxy, the proxy's own format keyed by the mail client's
    /// password, which the passphrase then is).
    #[arg(long, requires = "passphrase_env", conflicts_with = "plain_secrets")]
    include_secrets: bool,
    /// The environment variable holding the passphrase.
    #[arg(long, value_name = "VAR", requires = "include_secrets")]
    passphrase_env: Option<String>,
    /// Include the secrets in clear (needs --yes-write-plain-secrets as well).
    #[arg(long, requires = "yes_write_plain_secrets")]
    plain_secrets: bool,
    /// The second confirmation for --plain-secrets.
    #[arg(long, requires = "plain_secrets")]
    yes_write_plain_secrets: bool,
    /// emailproxy: the local IMAP port the proxy listens on for the mail client.
    #[arg(long, value_name = "PORT", default_value_t = 1993)]
    proxy_imap_port: u16,
    /// emailproxy: the local SMTP port.
    #[arg(long, value_name = "PORT", default_value_t = 1587)]
    proxy_smtp_port: u16,
    #[command(flatten)]
    options: ChannelOptions,
}

/// The Channel options step on the command line: given, they replace the profile's.
#[derive(Args)]
struct ChannelOptions {
    /// The helpdesk (with --fqdn): sets the profile's channel options before exporting.
    #[arg(long, value_enum, requires = "fqdn")]
    server: Option<Kind>,
    /// The helpdesk's host name, from which the callback URL is derived.
    #[arg(long, requires = "server")]
    fqdn: Option<String>,
    /// For --server custom: the callback URL with {fqdn} where the host goes.
    #[arg(long, requires = "server")]
    callback_template: Option<String>,
    /// The folder to read, as `folders` shows it (Inbox/Inquiries) or its id (default: the Inbox).
    #[arg(long, value_name = "PATH", requires = "server")]
    folder: Option<String>,
    /// The destination group (name or id).
    #[arg(long, requires = "server")]
    group: Option<String>,
    /// Delete imported mail instead of marking it read.
    #[arg(long, requires = "server")]
    delete_imported: bool,
    /// Archive mode: mail received up to the end of this day (YYYY-MM-DD, UTC) is archived.
    #[arg(long, value_name = "DAY", requires = "server")]
    archive_before: Option<String>,
    /// Archive mode: the state archived tickets get.
    #[arg(long, value_name = "STATE", default_value = "closed")]
    archive_state: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Zammad,
    Emailproxy,
    Env,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Json => ExportFormat::Json,
            Format::Zammad => ExportFormat::Zammad,
            Format::Emailproxy => ExportFormat::Emailproxy,
            Format::Env => ExportFormat::Env,
        }
    }
}

#[derive(Serialize)]
struct Exported {
    profile: String,
    format: ExportFormat,
    files: Vec<PathBuf>,
    secrets: SecretsIncluded,
    /// The channel options exported (just set, when option flags were given).
    setup: Option<ChannelSetup>,
}

#[derive(Args)]
pub struct Import {
    /// A neutral JSON export (export --format json).
    file: PathBuf,
    /// The environment variable holding the export's passphrase (for encrypted secrets).
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
}

pub async fn run_export(args: Export, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::verdict(json, export_to_file(args, cloud).await, exported_text)
}

async fn export_to_file(args: Export, cloud_args: &CloudArgs) -> Result<Exported, Diagnosis> {
    let handling = match (&args.passphrase_env, args.plain_secrets) {
        (Some(var), _) => {
            let passphrase = env_secret("--passphrase-env", var)?;
            onboard::export::check_passphrase(&passphrase)?;
            SecretHandling::Encrypt(passphrase)
        }
        (None, true) => SecretHandling::Plain,
        (None, false) => SecretHandling::Omit,
    };
    let session = session(cloud_args)?;
    let name = args.profile.as_str();
    if let (Some(server), Some(fqdn)) = (args.options.server, &args.options.fqdn) {
        let o = &args.options;
        let folder = match &o.folder {
            Some(f) => resolve_folder(&session, name, f).await?,
            None => Default::default(),
        };
        let setup = ChannelSetup::from_drafts(
            &ServerDraft {
                kind: server.into(),
                fqdn: fqdn.clone(),
                callback_template: o.callback_template.clone().unwrap_or_default(),
            },
            &OptionsDraft {
                folder_id: folder.id,
                folder_path: folder.path,
                group: o.group.clone().unwrap_or_default(),
                group_id: String::new(),
                keep_on_server: !o.delete_imported,
                archive: o.archive_before.is_some(),
                archive_before: o.archive_before.clone().unwrap_or_default(),
                archive_state: o.archive_state.clone(),
            },
        )?;
        keep_channel_setup(session.profiles(), name, setup)?;
    }
    let format: ExportFormat = args.format.into();
    let options = ExportOptions {
        proxy_imap_port: args.proxy_imap_port,
        proxy_smtp_port: args.proxy_smtp_port,
    };
    let rendered = export_profile(&session, name, format, &handling, &options).await?;
    let files = write_remembered(session.profiles(), name, &args.out, &rendered, &options)?;
    let profile = session.profiles().require(name)?;
    Ok(Exported {
        profile: profile.name,
        format,
        files,
        secrets: rendered.secrets,
        setup: profile.channel_setup,
    })
}

fn exported_text(e: &Exported) -> String {
    let secrets = match e.secrets {
        SecretsIncluded::None => "no secrets: the file names where they are",
        SecretsIncluded::Encrypted => "secrets encrypted with the passphrase",
        SecretsIncluded::Plain => "SECRETS IN CLEAR: keep the file private and delete it once used",
    };
    let mut s = format!("✓ Exported “{}” ({secrets})\n", e.profile);
    for f in &e.files {
        s.push_str(&format!("  {}\n", f.display()));
    }
    s
}

pub fn run_import(args: Import, cloud: &CloudArgs, json: bool) -> ExitCode {
    output::verdict(json, import(args, cloud), imported_text)
}

fn import(args: Import, cloud: &CloudArgs) -> Result<Imported, Diagnosis> {
    let passphrase = args
        .passphrase_env
        .as_deref()
        .map(|var| env_secret("--passphrase-env", var))
        .transpose()?;
    let session = session(cloud)?;
    import_file(
        &args.file,
        passphrase.as_ref(),
        session.profiles(),
        session.secrets(),
    )
}

fn imported_text(i: &Imported) -> String {
    let mut s = format!(
        "✓ Imported the profile “{}” ({})\n",
        i.profile.name,
        i.profile.mailbox.address()
    );
    for k in &i.keyring_keys {
        s.push_str(&format!("  keyring: {k}\n"));
    }
    for m in &i.missing {
        s.push_str(&format!("  ! Not in the file: {m}\n"));
    }
    s
}
