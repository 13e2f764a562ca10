//! The global flags that pick where Microsoft 365 is: a national cloud preset, URL overrides
//! (the sandbox and tests point them at the simulator), and one more CA to trust.

use clap::{Args, ValueEnum};
use onboard::{Cloud, CloudPreset, Diagnosis};
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
        cloud.extra_ca_pem = self.extra_ca_pem()?;
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
        self.authority_url.is_some() || self.graph_url.is_some()
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
