//! The troubleshooting catalog: every error the wizard can meet — AADSTS codes, the identity
//! platform's and Graph's error bodies, Exchange's IMAP and SMTP replies and the status codes
//! of its bounces (NDRs), network and TLS failures — mapped to one
//! [`Diagnosis`](crate::catalog::Diagnosis) with the exact fix. Callers hand over what the
//! server said; the catalog decides what it means, so the GUI, the CLI and `diagnose` explain
//! the same failure in the same words. Also the check step, the timed ✓/✗ row every live check
//! reports as.
//!
//! Uses nothing else of the core; every folder reports through it.

mod aadsts;
pub mod check_step;
mod diagnose;
pub mod diagnosis;
mod graph;
mod imap_replies;
mod mail_reply;
mod ndr_codes;
mod network;
mod quote;
mod reply_entry;
mod smtp_replies;
mod token;

pub use aadsts::aadsts;
pub use diagnose::{diagnose, explain, UNKNOWN};
pub use graph::graph_error;
pub use mail_reply::{mail_reply, MailProtocol};
pub use network::network_failure;
pub use token::token_error;

pub use check_step::{CheckStatus, CheckStep};
pub use diagnosis::Diagnosis;
