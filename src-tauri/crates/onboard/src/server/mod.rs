//! The Server step: the helpdesk's host name as an admin types or pastes it, the helpdesk kinds
//! and where each expects Microsoft's redirect, the offline check that derives the callback URL,
//! the live probe (DNS, HTTPS and the certificate for that name, the server answering), and the
//! helpdesk's own API where the wizard reads it (Zammad's groups, for the Channel options step).
//!
//! Uses catalog/ and platform/.

pub mod check;
pub mod helpdesk_groups;
pub mod host_name;
pub mod kind;
pub mod probe;
pub(crate) mod tls_check;

pub use check::{check_server, ServerCheck, ServerCheckInput};
pub use helpdesk_groups::{zammad_groups, HelpdeskGroup};
pub use host_name::HostName;
pub use kind::ServerKind;
pub use probe::{probe_server, ProbeOptions, ServerProbe};
