//! The exports written from each profile, and when each app's client secret was last renewed,
//! kept in `exports.json` beside the profiles folder: a renewal rewrites the files it can and
//! lists the rest, and the doctor names the exports a server may still hold with the old secret.
//! One file for all profiles, rewritten whole and atomically; one that cannot be read counts
//! as empty (the exports themselves are untouched).

use crate::export::format::{Export, ExportFormat, ExportOptions, SecretsIncluded};
use crate::export::write::write_export;
use crate::{catalog::Diagnosis, platform::private_file, profile::ProfileStore};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// One export as it was written: enough to write it again in the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WrittenExport {
    /// Absolute.
    pub path: String,
    pub format: ExportFormat,
    pub secrets: SecretsIncluded,
    pub options: ExportOptions,
    #[ts(type = "string")]
    pub written_at: DateTime<Utc>,
}

#[derive(Default, Serialize, Deserialize)]
struct Kept {
    /// By profile name; one entry per path, the latest write.
    #[serde(default)]
    exports: BTreeMap<String, Vec<WrittenExport>>,
    /// By client ID: when the app's kept secret was last replaced by a renewal.
    #[serde(default)]
    renewed: BTreeMap<String, DateTime<Utc>>,
}

pub struct WrittenExports {
    path: PathBuf,
}

impl WrittenExports {
    /// The file beside `profiles`' folder ([`ProfileStore::beside`]).
    pub fn beside(profiles: &ProfileStore) -> Self {
        Self {
            path: profiles.beside("exports.json"),
        }
    }

    fn read(&self) -> Kept {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save(&self, kept: &Kept) -> Result<(), Diagnosis> {
        let json = serde_json::to_vec_pretty(kept).unwrap_or_default();
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        private_file::write_atomically(&self.path, &json).map_err(|e| {
            Diagnosis::new(
                "export.not_remembered",
                "Where the export was written could not be kept",
                format!("Could not write {}: {e}.", self.path.display()),
                "Check that the folder exists, belongs to you and the disk is not full. The export itself was written; a renewal will not rewrite it, so keep its path in mind.",
            )
        })
    }

    /// The exports written from `profile`, oldest first.
    pub fn of(&self, profile: &str) -> Vec<WrittenExport> {
        self.read().exports.remove(profile).unwrap_or_default()
    }

    /// When the kept secret of the app `client_id` was last renewed.
    pub fn renewed_at(&self, client_id: &str) -> Option<DateTime<Utc>> {
        self.read()
            .renewed
            .get(&client_id.to_ascii_lowercase())
            .copied()
    }

    /// Remembers that `export` of `profile` was written to `out` now, with `options`.
    pub fn remember(
        &self,
        profile: &str,
        out: &Path,
        export: &Export,
        options: &ExportOptions,
    ) -> Result<(), Diagnosis> {
        let path = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
        let entry = WrittenExport {
            path: path.display().to_string(),
            format: export.format,
            secrets: export.secrets,
            options: options.clone(),
            written_at: Utc::now(),
        };
        let mut kept = self.read();
        let list = kept.exports.entry(profile.to_owned()).or_default();
        list.retain(|e| e.path != entry.path);
        list.push(entry);
        self.save(&kept)
    }

    /// Remembers that the app's kept secret was replaced at `at`.
    pub fn renewed(&self, client_id: &str, at: DateTime<Utc>) -> Result<(), Diagnosis> {
        let mut kept = self.read();
        kept.renewed.insert(client_id.to_ascii_lowercase(), at);
        self.save(&kept)
    }

    /// The exports of `profile` written before its app's secret was last renewed: a server
    /// loaded from one of them still holds the old secret.
    pub fn stale(&self, profile: &str, client_id: &str) -> Vec<WrittenExport> {
        let Some(renewed) = self.renewed_at(client_id) else {
            return Vec::new();
        };
        self.of(profile)
            .into_iter()
            .filter(|e| e.written_at < renewed)
            .collect()
    }
}

/// Writes `export` of `profile` to `out` ([`write_export`]) and remembers where.
pub fn write_remembered(
    profiles: &ProfileStore,
    profile: &str,
    out: &Path,
    export: &Export,
    options: &ExportOptions,
) -> Result<Vec<PathBuf>, Diagnosis> {
    let files = write_export(out, export)?;
    WrittenExports::beside(profiles).remember(profile, out, export, options)?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export() -> Export {
        Export {
            format: ExportFormat::Zammad,
            content: "{}".into(),
            readme: None,
            secrets: SecretsIncluded::Plain,
        }
    }

    #[test]
    fn a_renewal_makes_the_earlier_exports_stale_until_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let profiles = ProfileStore::new(dir.path().join("profiles"));
        let written = WrittenExports::beside(&profiles);
        let opts = ExportOptions::default();
        let out = dir.path().join("zammad.json");
        written.remember("a", &out, &export(), &opts).unwrap();
        written.remember("a", &out, &export(), &opts).unwrap();
        assert_eq!(written.of("a").len(), 1, "one entry per path");
        assert!(written.stale("a", "CID").is_empty(), "never renewed");

        written.renewed("CID", Utc::now()).unwrap();
        let stale = written.stale("a", "cid");
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].path, out.display().to_string());
        assert_eq!(stale[0].secrets, SecretsIncluded::Plain);

        written.remember("a", &out, &export(), &opts).unwrap();
        assert!(written.stale("a", "CID").is_empty());
        assert!(dir.path().join("exports.json").exists());
    }
}
