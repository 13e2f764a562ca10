//! Microsoft Graph v1.0, served under `/graph/v1.0`: users, mailbox access by Exchange Online's
//! rules (mail folders, messages, attachments, sendMail), and directory/ for app registrations.
//! Reads and writes the tenant's state (tenant/); knows nothing of the identity endpoints.

mod attachments;
mod batch;
mod caller;
mod decoded;
// Exchange stores headers decoded (raw 8-bit, ISO-2022-JP, unknown charsets): read by the core's
// rules, from the core's own file; a crate dependency would be a cycle (the core's tests run
// against this simulator).
pub mod concurrency;
pub mod directory;
pub mod error;
#[allow(dead_code)]
#[path = "../../../onboard/src/message/header_text.rs"]
mod header_text;
mod mailbox;
mod messages;
mod paging;
mod routes;
mod search;
mod send_mail;
mod users;

pub use routes::router;
