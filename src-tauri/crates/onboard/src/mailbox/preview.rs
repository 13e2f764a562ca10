//! A kept profile's mailbox, previewed over its channel's protocol with the session's tokens:
//! message pages, the raw message and the message view. Read-only (Graph GETs; IMAP `EXAMINE`
//! and `BODY.PEEK`). The session keeps the IMAP connection and the Graph client between calls,
//! so the first page of a folder costs 2 IMAP commands or 1 Graph request after sign-in.

use crate::mailbox::addressing::{graph_mailbox, imap_login};
use crate::mailbox::connections::Read;
use crate::mailbox::graph::preview::graph_message_page_on;
use crate::mailbox::graph::preview::graph_raw_message_on;
use crate::mailbox::imap::preview::ImapConn;
use crate::mailbox::message_page::MAX_RAW_BYTES;
use crate::{
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{AccessToken, GraphAudience, OutlookAudience, Resource, TokenSource},
    mailbox::{MailCheckOptions, MessagePage},
    message::{parse_message, MessageView},
    profile::{Profile, Session},
};

/// One page of `folder` (a `Folder::id` from `profile_folders`), newest first; `cursor` is the
/// `next` of the previous page.
pub async fn profile_message_page<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    folder: &str,
    top: u32,
    cursor: Option<&str>,
) -> Result<MessagePage, Diagnosis> {
    let p = session.profiles().require(name)?;
    let cloud = session.cloud_of(&p)?;
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let client = &session.preview_connections().http(&cloud)?;
            let (cloud, mailbox) = (&cloud, &graph_mailbox(&p));
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    graph_message_page_on(client, cloud, &token, mailbox, folder, top, cursor).await
                })
                .await
        }
        Resource::Outlook => {
            // The read owns what it needs: it may only borrow the connection.
            let (folder, cursor) = (folder.to_owned(), cursor.map(str::to_owned));
            with_imap(session, &p, &cloud, move |c| {
                let (folder, cursor) = (folder.clone(), cursor.clone());
                Box::pin(async move { c.page(&folder, top, cursor.as_deref()).await })
            })
            .await
        }
    }
}

/// The message's MIME source, at most `MAX_RAW_BYTES`. `id` is a `MessageSummary::id` of
/// `folder` (Graph ids name the message in the whole mailbox; IMAP's are the folder's).
pub async fn profile_raw_message<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    folder: &str,
    id: &str,
) -> Result<Vec<u8>, Diagnosis> {
    let p = session.profiles().require(name)?;
    let cloud = session.cloud_of(&p)?;
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let client = &session.preview_connections().http(&cloud)?;
            let (cloud, mailbox) = (&cloud, &graph_mailbox(&p));
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    graph_raw_message_on(client, cloud, &token, mailbox, id, MAX_RAW_BYTES).await
                })
                .await
        }
        Resource::Outlook => {
            let (folder, id) = (folder.to_owned(), id.to_owned());
            with_imap(session, &p, &cloud, move |c| {
                let (folder, id) = (folder.clone(), id.clone());
                Box::pin(async move { c.raw(&folder, &id, MAX_RAW_BYTES).await })
            })
            .await
        }
    }
}

/// The message as the preview shows it ([`parse_message`]).
pub async fn profile_message<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    folder: &str,
    id: &str,
    allow_remote_images: bool,
) -> Result<MessageView, Diagnosis> {
    let raw = profile_raw_message(session, name, folder, id).await?;
    Ok(parse_message(&raw, allow_remote_images))
}

/// `op` on the profile's kept IMAP connection, signed in with the session's token when a new
/// one is needed. A sign-in again (or as another delegate) opens a new connection.
pub(crate) async fn with_imap<T: TokenSource, R>(
    session: &Session<T>,
    p: &Profile,
    cloud: &Cloud,
    op: impl for<'c> FnMut(&'c mut ImapConn) -> Read<'c, R>,
) -> Result<R, Diagnosis> {
    let login = imap_login(p);
    let opts = MailCheckOptions::default();
    let fingerprint = format!(
        "{} {:?} {} {:?} {}",
        cloud.imap, cloud.imap_tls, login.mailbox, login.delegate, p.signed_in_at
    );
    let (login, opts) = (&login, &opts);
    let open = || -> Read<'_, ImapConn> {
        Box::pin(async move {
            session
                .with_token(&p.name, |token: AccessToken<OutlookAudience>| async move {
                    ImapConn::open(cloud, &token, login, opts).await
                })
                .await
        })
    };
    session
        .preview_connections()
        .imap(&p.name, &fingerprint, open, op)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{platform::MemoryStore, profile::ProfileStore};
    use std::sync::Arc;

    /// The app's commands run these on Tauri's thread pool: their futures must be `Send`
    /// (this fails to compile otherwise).
    #[test]
    fn the_calls_can_run_on_any_thread() {
        fn send<T: Send>(_: &T) {}
        let dir = tempfile::tempdir().unwrap();
        let s = Session::new(
            ProfileStore::new(dir.path()),
            Arc::new(MemoryStore::default()),
        );
        send(&profile_message_page(&s, "p", "INBOX", 50, None));
        send(&profile_raw_message(&s, "p", "INBOX", "1:1"));
        send(&profile_message(&s, "p", "INBOX", "1:1", false));
    }
}
