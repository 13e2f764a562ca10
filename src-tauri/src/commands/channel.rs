//! The channel options step: the kept mailbox's folders and the archive-mode counts.

use chrono::{NaiveDate, NaiveTime};
use onboard::{ArchiveCounts, Diagnosis, Folder, Session};
use tauri::State;

#[tauri::command]
pub async fn mailbox_folders(
    profile: String,
    hidden: bool,
    session: State<'_, Session>,
) -> Result<Vec<Folder>, Diagnosis> {
    onboard::profile_folders(&session, &profile, hidden).await
}

/// `before` is a day (YYYY-MM-DD): mail received up to its end (UTC) counts as old.
#[tauri::command]
pub async fn archive_counts(
    profile: String,
    folder: String,
    before: String,
    session: State<'_, Session>,
) -> Result<ArchiveCounts, Diagnosis> {
    let day = NaiveDate::parse_from_str(before.trim(), "%Y-%m-%d").map_err(|_| {
        Diagnosis::field(
            "Archive cut-off",
            "options.cutoff",
            format!("“{before}” is not a date."),
            "Pick a day, such as 2026-11-01.",
        )
    })?;
    let cutoff = day
        .and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
        .and_utc();
    onboard::profile_archive_counts(&session, &profile, &folder, cutoff).await
}

/// Zammad's active groups, read with the admin's API token (used for this call only).
#[tauri::command]
pub async fn helpdesk_groups(
    fqdn: String,
    api_token: String,
) -> Result<Vec<onboard::HelpdeskGroup>, Diagnosis> {
    let base = format!("https://{}", fqdn.trim().trim_end_matches('/'));
    onboard::zammad_groups(&base, &onboard::Secret::new(api_token), None).await
}
