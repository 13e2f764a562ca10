//! What the channel options step decided for a kept mailbox, checked: the helpdesk and its
//! callback URL, the folder, the destination group, keep on server and archive mode. A profile
//! keeps it ([`Profile::channel_setup`](crate::profile::Profile)) so that an export, in the wizard or the
//! CLI, describes the channel the admin chose.

use crate::{catalog::Diagnosis, server::ServerKind};
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The folder the helpdesk reads. Both empty: the Inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct FolderRef {
    /// What the server stores: the Graph mail folder id, or the IMAP folder name with the
    /// server's delimiter.
    pub id: String,
    /// As people read it: `Inbox/Inquiries/Tech-Support`.
    pub path: String,
}

/// Archive mode: mail received up to `before` is imported as archived tickets in `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ArchiveMode {
    /// Mail received on or before this instant is archived (the end of the chosen day, UTC).
    #[ts(type = "string")]
    pub before: DateTime<Utc>,
    /// The ticket state archived mail gets: a state name such as `closed`, or the server's id.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ChannelSetup {
    pub server: ServerKind,
    /// The helpdesk's callback URL, registered as a Web redirect URI in Entra.
    pub callback_url: String,
    /// The destination group: a name, or the helpdesk's group id.
    pub group: String,
    pub folder: FolderRef,
    /// Imported mail is marked read (true) or deleted (false).
    pub keep_on_server: bool,
    /// `None`: every mail becomes a new ticket.
    pub archive: Option<ArchiveMode>,
}

/// `YYYY-MM-DD` as the last second of that day in UTC (what the archive counts use).
pub fn end_of_day(day: &str) -> Result<DateTime<Utc>, Diagnosis> {
    NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            Diagnosis::field(
                "Archive before",
                "channel.archive_before",
                format!("“{day}” is not a day."),
                "Pick the last day whose mail is archived, as YYYY-MM-DD (for example 2026-11-15).",
            )
        })
}
