//! Many profiles at once, as an MSP checks its fleet: concurrently, with at most
//! [`PER_TENANT`] profiles of one tenant in flight (each profile's checks run one after the
//! other, so a mailbox never sees more than Exchange's four concurrent requests from here) and
//! [`IN_FLIGHT`] in all. Throttled Graph requests back off as the preview's do.

use crate::health::doctor::{doctor, DoctorOptions, ProfileHealth};
use crate::health::status::Health;
use crate::{catalog::Diagnosis, identity::TokenSource, profile::Session};
use futures_util::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Profiles of one tenant checked at the same time.
pub const PER_TENANT: usize = 4;
/// Profiles checked at the same time in all.
pub const IN_FLIGHT: usize = 32;

/// What `doctor --json` prints (docs/doctor.schema.json).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DoctorReport {
    /// `m365-onboard/doctor/1`; a change that breaks readers gets a new number.
    pub schema: String,
    /// The worst over the profiles.
    pub status: Health,
    /// The Nagios/Icinga plugin exit code of `status`.
    pub exit_code: u8,
    pub warn_days: i64,
    pub profiles: Vec<ProfileHealth>,
}

pub const SCHEMA: &str = "m365-onboard/doctor/1";

/// Every kept profile; a profile file that cannot be read is in the report as UNKNOWN, with
/// why. `Err` only when the profiles folder itself cannot be read.
pub async fn doctor_fleet<T: TokenSource>(
    session: &Session<T>,
    opts: &DoctorOptions,
    progress: impl FnMut(usize, usize),
) -> Result<DoctorReport, Diagnosis> {
    let list = session.profiles().list()?;
    let names: Vec<String> = list.profiles.into_iter().map(|p| p.name).collect();
    let mut report = doctor_all(session, &names, opts, progress).await;
    report.profiles.extend(
        list.damaged
            .iter()
            .map(|d| ProfileHealth::unreadable("", d)),
    );
    report.status = Health::worst(report.profiles.iter().map(|p| p.status));
    report.exit_code = report.status.exit_code();
    Ok(report)
}

/// Checks `names` (in that order in the report); `progress(done, total)` after each.
pub async fn doctor_all<T: TokenSource>(
    session: &Session<T>,
    names: &[String],
    opts: &DoctorOptions,
    mut progress: impl FnMut(usize, usize),
) -> DoctorReport {
    // One gate per tenant, each profile's found once (reading the profile is file I/O).
    let mut per_tenant: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let gates: Vec<Arc<Semaphore>> = names
        .iter()
        .map(|n| {
            let gate = per_tenant
                .entry(tenant_of(session, n))
                .or_insert_with(|| Arc::new(Semaphore::new(PER_TENANT)));
            Arc::clone(gate)
        })
        .collect();
    let total = names.len();
    let mut done = 0;
    let mut checked: Vec<(usize, ProfileHealth)> =
        // Owned names: a borrowed item would make the future not `Send` for every lifetime,
        // which a Tauri command needs (rustc's higher-ranked closure limitation).
        stream::iter(names.iter().cloned().zip(gates).enumerate())
            .map(|(i, (name, gate))| async move {
                // No gate is ever closed, so the permit always comes.
                let _permit = gate.acquire().await.ok();
                (i, doctor(session, &name, opts).await)
            })
            .buffer_unordered(IN_FLIGHT)
            .inspect(|_| {
                done += 1;
                progress(done, total);
            })
            .collect()
            .await;
    checked.sort_by_key(|(i, _)| *i);
    let profiles: Vec<ProfileHealth> = checked.into_iter().map(|(_, p)| p).collect();
    let status = Health::worst(profiles.iter().map(|p| p.status));
    DoctorReport {
        schema: SCHEMA.to_owned(),
        status,
        exit_code: status.exit_code(),
        warn_days: opts.warn_days,
        profiles,
    }
}

/// A damaged profile file has no tenant; it is checked (and reported) alone.
fn tenant_of<T: TokenSource>(session: &Session<T>, name: &str) -> String {
    session
        .profiles()
        .require(name)
        .map(|p| p.tenant_id.to_ascii_lowercase())
        .unwrap_or_default()
}

/// docs/doctor.schema.json: the report's JSON Schema.
pub fn schema() -> serde_json::Value {
    schemars::schema_for!(DoctorReport).to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_schema_is_the_generated_one() {
        crate::generated_file::assert_current(
            "docs/doctor.schema.json",
            &(serde_json::to_string_pretty(&schema()).unwrap() + "\n"),
            "UPDATE_SCHEMA",
            "run UPDATE_SCHEMA=1 cargo test -p onboard --lib health",
        );
    }
}
