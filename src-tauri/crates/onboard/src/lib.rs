//! The onboarding core: every check, OAuth and mail operation of the wizard, as plain functions
//! and types. It knows nothing of Tauri, windows or the command line; those are thin adapters.
//!
//! One folder per concept, in the order data flows (docs/ARCHITECTURE.md); a folder uses only
//! those above it, and each re-exports its public API, so callers write
//! `onboard::mailbox::profile_folders` or `onboard::catalog::Diagnosis`.

/// The Entra app registration: its input and check, secret expiry, consent, the create plan.
pub mod app_registration;
/// The TypeScript bindings of the types the front end sees.
pub mod bindings;
/// The catalog of every failure: AADSTS, IMAP, SMTP and Graph replies as a diagnosis with a fix.
pub mod catalog;
/// The cloud's endpoints (global and national), Graph GETs, the mailbox access gate.
pub mod cloud;
/// The channel config, its export formats, secrets in exports, copy cards, import.
pub mod export;
/// The test that keeps each generated, committed file current.
#[cfg(test)]
mod generated_file;
/// Channel health after day one: the doctor's checks of a kept profile, its status and report.
pub mod health;
/// Tenant discovery, tokens, PKCE, loopback, device code, ID tokens, the sign-in flows.
pub mod identity;
/// The mailbox over Graph, IMAP and SMTP: folders, counts, preview, fetch and send tests.
pub mod mailbox;
/// One message for the preview: parsed, sanitised, images inlined, attachments saved.
pub mod message;
/// HTTP clients, TLS roots, the OS keyring and secret store, private files written atomically.
pub mod platform;
/// A connected mailbox as the wizard keeps it: record, store, session, re-auth, draft.
pub mod profile;
/// Renewal before expiry: a new client secret added, proven, kept; exports rewritten; old removed.
pub mod renewal;
/// The server step: the helpdesk's host name, kind, callback URL, reachability and TLS.
pub mod server;
