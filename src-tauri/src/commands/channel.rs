//! The channel options step: the kept mailbox's folders and the archive-mode counts.

use onboard::{
    catalog::Diagnosis,
    mailbox::{ArchiveCounts, Folder},
    profile::Session,
};
use tauri::State;

#[tauri::command]
pub async fn mailbox_folders(
    profile: String,
    hidden: bool,
    session: State<'_, Session>,
) -> Result<Vec<Folder>, Diagnosis> {
    onboard::mailbox::profile_folders(&session, &profile, hidden).await
}

/// `before` is a day (YYYY-MM-DD): mail received up to its end (UTC) counts as old.
#[tauri::command]
pub async fn archive_counts(
    profile: String,
    folder: String,
    before: String,
    session: State<'_, Session>,
) -> Result<ArchiveCounts, Diagnosis> {
    let cutoff = onboard::profile::end_of_day(&before)?;
    onboard::mailbox::profile_archive_counts(&session, &profile, &folder, cutoff).await
}

/// Zammad's active groups, read with the admin's API token (used for this call only).
#[tauri::command]
pub async fn helpdesk_groups(
    fqdn: String,
    api_token: String,
) -> Result<Vec<onboard::server::HelpdeskGroup>, Diagnosis> {
    onboard::server::zammad_groups(&fqdn, &onboard::platform::Secret::new(api_token), None).await
}
