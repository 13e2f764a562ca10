//! Microsoft Graph v1.0, served under `/graph/v1.0`: users, mailbox access by Exchange Online's
//! rules (mail folders, messages, attachments, sendMail), and directory/ for app registrations.
//! Reads and writes the tenant's state (tenant/); knows nothing of the identity endpoints.

mod attachments;
mod caller;
pub mod concurrency;
pub mod directory;
pub mod error;
mod mailbox;
mod messages;
mod paging;
mod routes;
mod send_mail;
mod users;

pub use routes::router;
