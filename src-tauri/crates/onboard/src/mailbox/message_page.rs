//! What a preview page is, over either protocol: the messages of one page (newest first) with a
//! cursor for the next, and the bounds of what the preview downloads.

use crate::catalog::Diagnosis;
use serde::Serialize;
use ts_rs::TS;

/// The largest page asked for.
pub const MAX_PAGE: u32 = 50;

/// The largest message the preview downloads.
pub const MAX_RAW_BYTES: usize = 50 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MessageSummary {
    /// Graph's message id, or over IMAP `UIDVALIDITY:UID` (valid in its folder).
    pub id: String,
    /// `Name <address>`, or the address alone.
    pub from: String,
    pub subject: String,
    /// ISO 8601, UTC: Graph's `receivedDateTime`, or IMAP's `INTERNALDATE`.
    pub received: String,
    /// In bytes: IMAP's `RFC822.SIZE`, or over Graph the message's `PR_MESSAGE_SIZE`.
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    pub has_attachments: bool,
    pub is_read: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MessagePage {
    pub messages: Vec<MessageSummary>,
    /// Opaque: hand it back for the next page; `None` on the last page.
    pub next: Option<String>,
    /// Requests (Graph) or commands after sign-in (IMAP) this page cost.
    pub round_trips: u32,
}

pub(crate) fn refused_cursor(detail: String) -> Diagnosis {
    Diagnosis::new(
        "preview.cursor",
        "The next page cannot be loaded",
        detail,
        "Reload the folder to start again from the first page.",
    )
}

/// `what` (a URL, a message) is larger than `max` bytes.
pub(crate) fn too_large(what: &str, max: usize) -> Diagnosis {
    let limit = if max >= 1024 * 1024 {
        format!("{} MB", max / (1024 * 1024))
    } else {
        format!("{max} bytes")
    };
    Diagnosis::new(
        "preview.too_large",
        "The message is too large to preview",
        format!("{what} is larger than {limit}, the most the preview downloads."),
        "Open the message in Outlook on the web instead.",
    )
}
