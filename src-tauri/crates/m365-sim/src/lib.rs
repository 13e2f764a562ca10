//! A simulated Microsoft 365 tenant, one folder per service, in the order imports flow:
//! tenant/ (the state every service reads) ← identity/ (the identity platform v2.0), graph/
//! (Microsoft Graph) and exchange/ (IMAP introspection, the SMTP sink) ← control (`/_sim/`) ←
//! server (the router of them all). The contract is in DESIGN.md ("The simulated tenant").

pub mod control;
pub mod exchange;
pub mod graph;
pub mod identity;
pub mod player;
pub mod sandbox;
pub mod server;
pub mod tenant;
pub mod tls;

pub use server::{Endpoints, RunningSim};
pub use tenant::seed::Seed;
