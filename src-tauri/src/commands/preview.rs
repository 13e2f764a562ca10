//! The read-only preview: message pages, search, one message, its raw MIME, saving an
//! attachment or the whole message.

use super::cancel_slot::CancelSlot;
use super::file_dialog::choose_save_path;
use onboard::mailbox::message_page::MAX_PAGE;
use onboard::mailbox::{MessagePage, SearchPage, SearchProgress, SearchQuery};
use onboard::{catalog::Diagnosis, message::MessageView, profile::Session};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Runtime, State};

/// Sent after each folder of a search across IMAP folders (a [`SearchProgress`]).
pub const SEARCH_PROGRESS_EVENT: &str = "search-progress";

/// The Stop button of the running search; a new search stops the one before.
#[derive(Default)]
pub struct SearchStop(CancelSlot);

#[tauri::command]
pub async fn preview_page(
    profile: String,
    folder: String,
    cursor: Option<String>,
    session: State<'_, Session>,
) -> Result<MessagePage, Diagnosis> {
    onboard::mailbox::profile_message_page(&session, &profile, &folder, MAX_PAGE, cursor.as_deref())
        .await
}

/// One page of a search; `cursor` continues the same query (also after a stop).
#[tauri::command]
pub async fn preview_search<R: Runtime>(
    app: AppHandle<R>,
    profile: String,
    query: SearchQuery,
    cursor: Option<String>,
    session: State<'_, Session>,
    stop: State<'_, SearchStop>,
) -> Result<SearchPage, Diagnosis> {
    let cancel = stop.0.renew().await;
    let progress = Arc::new(move |p: &SearchProgress| {
        let _ = app.emit(SEARCH_PROGRESS_EVENT, p);
        !cancel.is_cancelled()
    });
    onboard::mailbox::profile_search(
        &session,
        &profile,
        &query,
        MAX_PAGE,
        cursor.as_deref(),
        progress,
    )
    .await
}

/// Stops the running search after the folder it is in; its page comes back with `stopped`.
#[tauri::command]
pub async fn preview_search_stop(stop: State<'_, SearchStop>) -> Result<(), Diagnosis> {
    stop.0.cancel().await;
    Ok(())
}

/// With `remote_images`, the app fetches the message's remote images itself, from the public
/// internet only, and inlines them: the webview never loads anything remote.
#[tauri::command]
pub async fn preview_message(
    profile: String,
    folder: String,
    id: String,
    remote_images: bool,
    session: State<'_, Session>,
) -> Result<MessageView, Diagnosis> {
    let mut view =
        onboard::mailbox::profile_message(&session, &profile, &folder, &id, remote_images).await?;
    if remote_images {
        view.load_remote_images().await;
    }
    Ok(view)
}

/// The MIME source as text (invalid UTF-8 shown as U+FFFD).
#[tauri::command]
pub async fn preview_raw(
    profile: String,
    folder: String,
    id: String,
    session: State<'_, Session>,
) -> Result<String, Diagnosis> {
    let raw = onboard::mailbox::profile_raw_message(&session, &profile, &folder, &id).await?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

/// Asks where to save the attachment; the path written, or `None` when the user cancelled.
#[tauri::command]
pub async fn save_attachment<R: Runtime>(
    app: AppHandle<R>,
    profile: String,
    folder: String,
    id: String,
    index: u32,
    session: State<'_, Session>,
) -> Result<Option<String>, Diagnosis> {
    let raw = onboard::mailbox::profile_raw_message(&session, &profile, &folder, &id).await?;
    let (name, _, bytes) = onboard::message::attachment_bytes(&raw, index).ok_or_else(|| {
        Diagnosis::new(
            "preview.attachment_gone",
            "The attachment is not in the message",
            format!("The message has no attachment number {}.", index + 1),
            "Open the message again; it may have changed on the server.",
        )
    })?;
    save_as(&app, &onboard::message::safe_file_name(&name), &bytes).await
}

/// Writes `bytes` where the user chooses, `suggested` the name offered; the path, or `None`
/// when the user cancelled.
async fn save_as<R: Runtime>(
    app: &AppHandle<R>,
    suggested: &str,
    bytes: &[u8],
) -> Result<Option<String>, Diagnosis> {
    let Some(path) = choose_save_path(app, suggested).await else {
        return Ok(None);
    };
    onboard::message::save_private_file(&path, bytes)?;
    Ok(Some(path.display().to_string()))
}

/// Asks where to save the message as `.eml` (its raw MIME, byte for byte, named after
/// `subject`); the path written, or `None` when the user cancelled.
#[tauri::command]
pub async fn save_message<R: Runtime>(
    app: AppHandle<R>,
    profile: String,
    folder: String,
    id: String,
    subject: String,
    session: State<'_, Session>,
) -> Result<Option<String>, Diagnosis> {
    let raw = onboard::mailbox::profile_raw_message(&session, &profile, &folder, &id).await?;
    save_as(&app, &onboard::message::eml_file_name(&subject), &raw).await
}
