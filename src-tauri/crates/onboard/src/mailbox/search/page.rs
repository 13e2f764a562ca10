//! What a search answers: a page as the folder view's (`messages`, `next`, `round_trips`), each
//! message with the folder it is in, and what bounded the search: Graph's cap, a stop, and for
//! all folders the progress through them.

use crate::mailbox::MessageSummary;
use serde::Serialize;
use std::sync::Arc;
use ts_rs::TS;

/// One message found: the folder view's summary and the folder that holds it (to open it: IMAP
/// ids are only valid in their folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SearchHit {
    #[serde(flatten)]
    pub message: MessageSummary,
    /// A `Folder::id`: Graph's `parentFolderId`, or the IMAP folder's name.
    pub folder: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SearchPage {
    /// Newest first: by received date in a folder (as the folder view), by sent date over
    /// Graph's `$search`; over IMAP across folders, folder by folder.
    pub messages: Vec<SearchHit>,
    /// Opaque: hand it back (with the same query) for the next page; `None` on the last.
    pub next: Option<String>,
    /// Requests (Graph) or commands after sign-in (IMAP) this page cost.
    pub round_trips: u32,
    /// `Some(1000)` when the results reached Graph's limit for `$search`: more messages may
    /// match than are listed; narrow the search (a sender, a date range).
    pub capped: Option<u32>,
    /// The search was stopped before the page was full; `next` goes on from there.
    pub stopped: bool,
    /// IMAP across folders: the folders searched for this page.
    pub folders_searched: u32,
}

/// How far a search across IMAP folders is, after each folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SearchProgress {
    /// The folder just searched.
    pub folder: String,
    /// Folders searched so far, of `folders_total`, for this page.
    pub folders_done: u32,
    pub folders_total: u32,
    /// Messages found so far for this page.
    pub found: u32,
}

/// Told of each step; returns `false` to stop the search there.
pub type Progress = Arc<dyn Fn(&SearchProgress) -> bool + Send + Sync>;

/// A [`Progress`] that never stops.
pub fn no_progress() -> Progress {
    Arc::new(|_| true)
}
