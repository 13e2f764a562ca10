//! The Health view: every kept profile checked again (read-only, no mail sent), what the last
//! check found, and the credentials that expire soon, for the banner at start.

use onboard::{
    catalog::Diagnosis,
    health::{doctor_all, expiring, DoctorOptions, Expiring, LastChecks, ProfileHealth},
    profile::Session,
};
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::{AppHandle, Emitter, Runtime, State};

/// The event that carries `[done, total]` while profiles are checked.
pub const HEALTH_PROGRESS_EVENT: &str = "health-progress";

#[derive(Serialize)]
pub struct LastHealth {
    last: BTreeMap<String, ProfileHealth>,
    expiring: Vec<Expiring>,
    warn_days: i64,
}

/// What the last checks found (the wizard's or a `doctor` run's); no network.
#[tauri::command]
pub async fn last_health(session: State<'_, Session>) -> Result<LastHealth, Diagnosis> {
    let warn_days = DoctorOptions::default().warn_days;
    let last = LastChecks::beside(session.profiles()).read();
    Ok(LastHealth {
        expiring: expiring(&last, warn_days, chrono::Utc::now()),
        last,
        warn_days,
    })
}

/// Checks `names` (every profile when empty) and keeps the results.
#[tauri::command]
pub async fn check_health<R: Runtime>(
    app: AppHandle<R>,
    names: Vec<String>,
    session: State<'_, Session>,
) -> Result<Vec<ProfileHealth>, Diagnosis> {
    let names = match names.is_empty() {
        true => session
            .profiles()
            .list()?
            .profiles
            .into_iter()
            .map(|p| p.name)
            .collect(),
        false => names,
    };
    let progress = |done: usize, total: usize| {
        let _ = app.emit(HEALTH_PROGRESS_EVENT, [done, total]);
    };
    let report = doctor_all(&session, &names, &DoctorOptions::default(), progress).await;
    LastChecks::keep(session.profiles(), &report.profiles)?;
    Ok(report.profiles)
}
