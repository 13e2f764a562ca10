//! The mailbox, over the channel's own protocol. graph/, imap/ and smtp/ hold what is particular
//! to each; the files here what they share, each for a mailbox and for a saved profile:
//! connecting a mailbox after its sign-in, the folder tree, archive counts, the preview's pages
//! and messages (and the connections kept between them), search (search/), and the verify
//! step's fetch and send tests.
//!
//! Uses catalog/, platform/, cloud/, identity/, profile/ (a saved profile's session and tokens)
//! and message/ (a fetched message becomes a view there).

pub(crate) mod addressing;
pub mod archive_count;
pub mod connect;
pub mod connections;
pub mod fetch_test;
pub(crate) mod folder_gone;
pub mod folders;
pub mod graph;
pub mod imap;
pub(crate) mod mail_conn;
pub mod message_page;
pub mod preview;
pub mod search;
pub mod send_test;
pub mod smtp;
pub mod xoauth2;

pub use archive_count::{
    graph_archive_counts, imap_archive_counts, imap_before_day, profile_archive_counts,
    ArchiveCounts,
};
pub use connect::{connect_mailbox, reverify, AppConnection, Connected, Credentials};
pub use connections::PreviewConnections;
pub use fetch_test::{graph_fetch_test, imap_fetch_test, profile_fetch_test};
pub use folders::{
    graph_folders, imap_folders, profile_folders, resolve_folder, Folder, MAX_DEPTH, MAX_FOLDERS,
};
pub use graph::access::{
    explain_send_refusal, no_full_access, send_as_denied, verify_mailbox_access, MailboxAccess,
    SendAsStatus,
};
pub use graph::preview::{graph_message_page, graph_raw_message};
pub use imap::check::{check_imap, ImapCheck, InboxFacts};
pub use imap::preview::{imap_message_page, imap_raw_message, imap_raw_message_bounded};
pub use mail_conn::{MailCheckOptions, MailLogin};
pub use message_page::{MessagePage, MessageSummary};
pub use preview::{profile_message, profile_message_page, profile_raw_message};
pub use search::{
    graph_search, imap_search::imap_search, profile_search, SearchHit, SearchPage, SearchProgress,
    SearchQuery, SearchScope,
};
pub use send_test::{graph_send_test, profile_send_test, smtp_send_test, TestMail};
pub use smtp::check::{check_smtp, SmtpCheck};
pub use xoauth2::Xoauth2;
