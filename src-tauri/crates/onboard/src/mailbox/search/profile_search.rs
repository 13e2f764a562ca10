//! A kept profile's mailbox searched over its channel's protocol with the session's tokens, on
//! the preview's kept connections (the Graph client, the IMAP connection), read-only.

use crate::mailbox::addressing::graph_mailbox;
use crate::mailbox::preview::with_imap;
use crate::mailbox::search::graph_search::graph_search_on;
use crate::mailbox::search::page::{Progress, SearchPage};
use crate::mailbox::search::query::SearchQuery;
use crate::{
    catalog::Diagnosis,
    identity::{AccessToken, GraphAudience, Resource, TokenSource},
    profile::Session,
};

/// One page of `query` in the profile's mailbox; `cursor` is the `next` of the previous page
/// of the same query. `progress` hears of each folder of an IMAP search across folders and
/// stops it by returning `false` (Graph searches the whole mailbox in one request).
pub async fn profile_search<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    query: &SearchQuery,
    top: u32,
    cursor: Option<&str>,
    progress: Progress,
) -> Result<SearchPage, Diagnosis> {
    let q = query.validate()?;
    let p = session.profiles().require(name)?;
    let cloud = session.cloud_of(&p)?;
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let client = &session.preview_connections().http(&cloud)?;
            let (cloud, mailbox, q) = (&cloud, &graph_mailbox(&p), &q);
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    graph_search_on(client, cloud, &token, mailbox, q, top, cursor).await
                })
                .await
        }
        Resource::Outlook => {
            let cursor = cursor.map(str::to_owned);
            with_imap(session, &p, &cloud, move |c| {
                let (q, cursor, progress) = (q.clone(), cursor.clone(), progress.clone());
                Box::pin(async move { c.search(&q, top, cursor.as_deref(), &progress).await })
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::search::page::no_progress;
    use crate::{platform::MemoryStore, profile::ProfileStore};
    use std::sync::Arc;

    /// The app runs it on Tauri's thread pool: its future must be `Send`.
    #[test]
    fn the_search_can_run_on_any_thread() {
        fn send<T: Send>(_: &T) {}
        let dir = tempfile::tempdir().unwrap();
        let s = Session::new(
            ProfileStore::new(dir.path()),
            Arc::new(MemoryStore::default()),
        );
        let q = SearchQuery::in_folder("INBOX");
        send(&profile_search(&s, "p", &q, 50, None, no_progress()));
    }
}
