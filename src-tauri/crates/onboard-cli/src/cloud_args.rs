//! The global flags that pick where Microsoft 365 is: a national cloud preset, URL overrides
//! (the sandbox and tests point them at the simulator), and one more CA to trust.

use clap::{Args, ValueEnum};
use onboard::{
    catalog::{Diagnosis, MailProtocol},
    cloud::{Cloud, CloudPreset, TlsMode},
};
use std::path::PathBuf;

#[derive(Args)]
pub struct CloudArgs {
    /// The national cloud.
    #[arg(long, global = true, value_enum, default_value_t = CloudName::Global)]
    cloud: CloudName,
    /// The identity platform's base URL (default: the cloud's, e.g. https://login.microsoftonline.com).
    #[arg(long, global = true)]
    authority_url: Option<String>,
    /// Microsoft Graph's base URL (default: the cloud's, e.g. https://graph.microsoft.com).
    #[arg(long, global = true)]
    graph_url: Option<String>,
    /// The IMAP server (default: the cloud's, e.g. outlook.office365.com:993).
    #[arg(long, global = true, value_name = "HOST:PORT")]
    imap: Option<String>,
    /// The SMTP submission server (default: the cloud's, e.g. smtp.office365.com:587).
    #[arg(long, global = true, value_name = "HOST:PORT")]
    smtp: Option<String>,
    /// TLS for both mail servers: implicit, starttls or none (none for loopback addresses only).
    /// Default as Exchange Online: implicit for IMAP, STARTTLS for SMTP.
    #[arg(long, global = true, value_name = "MODE")]
    tls: Option<String>,
    /// TLS for the IMAP server only (overrides --tls for it).
    #[arg(long, global = true, value_name = "MODE")]
    imap_tls: Option<String>,
    /// TLS for the SMTP server only (overrides --tls for it).
    #[arg(long, global = true, value_name = "MODE")]
    smtp_tls: Option<String>,
    /// Trust one more CA (PEM), for the sandbox and tests; never implied.
    #[arg(long, global = true, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CloudName {
    Global,
    Usgov,
    UsgovDod,
    China,
}

impl CloudArgs {
    pub fn cloud(&self) -> Result<Cloud, Diagnosis> {
        let mut cloud = Cloud::preset(self.preset());
        if let Some(a) = &self.authority_url {
            cloud.authority.clone_from(a);
        }
        if let Some(g) = &self.graph_url {
            cloud.graph.clone_from(g);
        }
        if let Some(imap) = &self.imap {
            cloud.imap.clone_from(imap);
            cloud.mail_address(MailProtocol::Imap)?;
        }
        if let Some(smtp) = &self.smtp {
            cloud.smtp.clone_from(smtp);
            cloud.mail_address(MailProtocol::Smtp)?;
        }
        if let Some(mode) = tls_flag("--tls", &self.tls)? {
            (cloud.imap_tls, cloud.smtp_tls) = (mode, mode);
        }
        if let Some(mode) = tls_flag("--imap-tls", &self.imap_tls)? {
            cloud.imap_tls = mode;
        }
        if let Some(mode) = tls_flag("--smtp-tls", &self.smtp_tls)? {
            cloud.smtp_tls = mode;
        }
        cloud.extra_ca_pem = self.extra_ca_pem()?;
        // The mail servers' TLS policy (no "none" beyond loopback) is checked where a command
        // uses that server: `folders --imap 127.0.0.1:143 --tls none` never meets the SMTP one.
        cloud.validate()?;
        Ok(cloud)
    }

    /// The preset the flags name (what a profile remembers).
    pub fn preset(&self) -> CloudPreset {
        match self.cloud {
            CloudName::Global => CloudPreset::Global,
            CloudName::Usgov => CloudPreset::Usgov,
            CloudName::UsgovDod => CloudPreset::UsgovDod,
            CloudName::China => CloudPreset::China,
        }
    }

    /// Whether a URL flag replaces the preset's (a proxy, the simulator).
    pub fn overrides_urls(&self) -> bool {
        self.authority_url.is_some()
            || self.graph_url.is_some()
            || self.imap.is_some()
            || self.smtp.is_some()
            || self.tls.is_some()
            || self.imap_tls.is_some()
            || self.smtp_tls.is_some()
    }

    pub fn extra_ca_pem(&self) -> Result<Option<String>, Diagnosis> {
        self.ca_file
            .as_ref()
            .map(|path| {
                std::fs::read_to_string(path).map_err(|e| {
                    Diagnosis::field(
                        "--ca-file",
                        "cli.ca_file",
                        format!("{} cannot be read: {e}", path.display()),
                        "Give the path of a PEM file with one CA certificate.",
                    )
                })
            })
            .transpose()
    }
}

/// A TLS mode flag's value, the error naming the flag.
fn tls_flag(flag: &str, value: &Option<String>) -> Result<Option<TlsMode>, Diagnosis> {
    value
        .as_deref()
        .map(|v| {
            v.parse::<TlsMode>()
                .map_err(|d| Diagnosis::field(flag, &d.code, d.detail, d.fix))
        })
        .transpose()
}

/// A secret named on the command line by the environment variable that holds it
/// (`--client-secret-env VAR`), so it never appears in the process list or shell history.
pub fn secret_from_env(var: &str) -> Result<onboard::platform::Secret, Diagnosis> {
    env_secret("--client-secret-env", var)
}

/// [`secret_from_env`] for the flag `flag` (`--passphrase-env`, ...).
pub fn env_secret(flag: &str, var: &str) -> Result<onboard::platform::Secret, Diagnosis> {
    std::env::var(var)
        .map(onboard::platform::Secret::new)
        .map_err(|_| {
            Diagnosis::field(
                flag,
                "cli.secret_env",
                format!("The environment variable {var} is not set."),
                format!("Export the secret's value first: read -rs {var}; export {var}"),
            )
        })
}
