//! What the last check of each profile found, kept in `last-health.json` beside the profiles
//! folder: the wizard's profile list, its Health view and its expiry banner show it without
//! checking again, whether the wizard or a `doctor` timer checked last. One file for all
//! profiles, rewritten whole and atomically; a file that cannot be read counts as none, since
//! the next check writes it anew.

use crate::health::doctor::ProfileHealth;
use crate::{catalog::Diagnosis, platform::private_file, profile::ProfileStore};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use ts_rs::TS;

pub struct LastChecks {
    path: PathBuf,
}

/// A profile whose app credential expires within the warning window (or has expired), as its
/// last check measured it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Expiring {
    pub profile: String,
    /// Days left today: the measured days less the whole days since that check; negative once
    /// expired.
    #[ts(type = "number")]
    pub days_left: i64,
    /// `YYYY-MM-DD`, UTC.
    pub expires_on: String,
    /// The catalogue's fix from that check.
    pub fix: Option<String>,
}

impl LastChecks {
    /// The file beside `profiles`' folder ([`ProfileStore::beside`]).
    pub fn beside(profiles: &ProfileStore) -> Self {
        Self {
            path: profiles.beside("last-health.json"),
        }
    }

    /// Each profile's last health, by name.
    pub fn read(&self) -> BTreeMap<String, ProfileHealth> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Keeps what a check of `profiles` found, for the profiles that still exist.
    pub fn keep(profiles: &ProfileStore, checked: &[ProfileHealth]) -> Result<(), Diagnosis> {
        let existing: Vec<String> = profiles
            .list()?
            .profiles
            .into_iter()
            .map(|p| p.name)
            .collect();
        Self::beside(profiles).record(checked, &existing)
    }

    /// Keeps `checked` over what was kept for the same profiles; a profile that cannot be read
    /// (it has no name) and profiles no longer in `existing` are dropped.
    pub fn record(&self, checked: &[ProfileHealth], existing: &[String]) -> Result<(), Diagnosis> {
        let mut all = self.read();
        for h in checked.iter().filter(|h| !h.profile.is_empty()) {
            all.insert(h.profile.clone(), h.clone());
        }
        all.retain(|name, _| existing.contains(name));
        let json = serde_json::to_vec_pretty(&all).unwrap_or_default();
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        private_file::write_atomically(&self.path, &json).map_err(|e| {
            Diagnosis::new(
                "health.not_saved",
                "The health check's results could not be kept",
                format!("Could not write {}: {e}.", self.path.display()),
                "Check that the folder exists, belongs to you and the disk is not full; the results shown are still this check's.",
            )
        })
    }
}

/// The profiles whose `secret-expiry` check measured days left that now fall within
/// `warn_days`, soonest first.
pub fn expiring(
    last: &BTreeMap<String, ProfileHealth>,
    warn_days: i64,
    now: DateTime<Utc>,
) -> Vec<Expiring> {
    let mut out: Vec<Expiring> = last
        .values()
        .filter_map(|h| {
            let check = h.checks.iter().find(|c| c.id == "secret-expiry")?;
            let measured = *check.values.get("days_left")?;
            let checked_at = DateTime::parse_from_rfc3339(&h.checked_at).ok()?;
            let checked_at = checked_at.with_timezone(&Utc);
            let expires = checked_at + Duration::days(measured);
            // Whole days since the check, so that a check a minute ago still says its own count.
            let days_left = measured - (now - checked_at).num_days();
            (days_left < warn_days).then(|| Expiring {
                profile: h.profile.clone(),
                days_left,
                expires_on: expires.format("%Y-%m-%d").to_string(),
                fix: check.fix.clone(),
            })
        })
        .collect();
    out.sort_by_key(|e| (e.days_left, e.profile.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{Health, HealthCheck};

    fn health(name: &str, checked_at: &str, days_left: Option<i64>) -> ProfileHealth {
        let checks = days_left
            .map(|d| HealthCheck {
                id: "secret-expiry".into(),
                label: "Secret expiry".into(),
                status: Health::Warning,
                detail: String::new(),
                code: None,
                cause: None,
                fix: Some("Add a new secret".into()),
                values: [("days_left".to_owned(), d)].into(),
            })
            .into_iter()
            .collect();
        ProfileHealth {
            profile: name.into(),
            mailbox: format!("{name}@contoso.test"),
            tenant: "contoso.test".into(),
            channel: "Zammad (Graph)".into(),
            status: Health::Warning,
            checked_at: checked_at.into(),
            checks,
        }
    }

    #[test]
    fn checks_are_kept_per_profile_and_forgotten_with_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let last = LastChecks::beside(&ProfileStore::new(dir.path().join("profiles")));
        let names = ["a".to_owned(), "b".to_owned()];
        let t = "2026-12-01T00:00:00+00:00";
        last.record(&[health("a", t, Some(40)), health("b", t, None)], &names)
            .unwrap();
        last.record(&[health("a", t, Some(10)), health("", t, None)], &names)
            .unwrap();
        let kept = last.read();
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(kept["a"].checks[0].values["days_left"], 10);
        assert!(dir.path().join("last-health.json").is_file());

        last.record(&[], &names[..1]).unwrap();
        assert_eq!(last.read().keys().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn expiry_counts_down_from_the_check_that_measured_it() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let last: BTreeMap<String, ProfileHealth> = [
            health("soon", "2026-11-27T12:00:00Z", Some(39)),
            health("later", "2026-12-07T00:00:00Z", Some(200)),
            health("gone", "2026-12-01T12:00:00Z", Some(2)),
            health("unknown", "2026-12-07T00:00:00Z", None),
        ]
        .into_iter()
        .map(|h| (h.profile.clone(), h))
        .collect();
        let found = expiring(&last, 30, now);
        let got: Vec<(&str, i64, &str)> = found
            .iter()
            .map(|e| (e.profile.as_str(), e.days_left, e.expires_on.as_str()))
            .collect();
        assert_eq!(
            got,
            [("gone", -4, "2026-12-03"), ("soon", 29, "2027-01-05")]
        );
    }
}
