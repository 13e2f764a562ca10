//! Where Microsoft 365 lives: the `Cloud` with every endpoint the wizard talks to (authority,
//! Graph, the Outlook resource, IMAP and SMTP hosts) for the global and national clouds, with an
//! override for each; and the plain Graph GET that every later folder reads with, and Graph's
//! JSON batching of several GETs in one request, both held to Exchange's four concurrent
//! requests per mailbox. Nothing outside this folder names a host.
//!
//! Uses catalog/ and platform/.

pub mod endpoints;
pub mod graph_batch;
pub mod graph_get;
pub mod mailbox_gate;

pub use endpoints::{Cloud, CloudPreset, MailEndpoint, TlsMode};
