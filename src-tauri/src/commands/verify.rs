//! The verify step: the fetch and send tests of a kept mailbox.

use onboard::{
    catalog::{CheckStep, Diagnosis},
    profile::Session,
};
use tauri::State;

#[tauri::command]
pub async fn fetch_test(
    profile: String,
    session: State<'_, Session>,
) -> Result<CheckStep, Diagnosis> {
    Ok(onboard::mailbox::profile_fetch_test(&session, &profile).await)
}

/// `to`: the test mail's recipient; `None` sends it to the mailbox itself.
#[tauri::command]
pub async fn send_test(
    profile: String,
    to: Option<String>,
    session: State<'_, Session>,
) -> Result<CheckStep, Diagnosis> {
    Ok(onboard::mailbox::profile_send_test(&session, &profile, to.as_deref()).await)
}
