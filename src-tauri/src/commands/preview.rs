//! The read-only preview: message pages, one message, its raw MIME, saving an attachment.

use super::file_dialog::choose_save_path;
use onboard::{catalog::Diagnosis, mailbox::MessagePage, message::MessageView, profile::Session};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn preview_page(
    profile: String,
    folder: String,
    cursor: Option<String>,
    session: State<'_, Session>,
) -> Result<MessagePage, Diagnosis> {
    onboard::mailbox::profile_message_page(
        &session,
        &profile,
        &folder,
        onboard::mailbox::message_page::MAX_PAGE,
        cursor.as_deref(),
    )
    .await
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
    let Some(path) = choose_save_path(&app, &onboard::message::safe_file_name(&name)).await else {
        return Ok(None);
    };
    onboard::message::save_attachment_file(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}
