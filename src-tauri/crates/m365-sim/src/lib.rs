//! A simulated Microsoft 365 tenant: the identity platform v2.0 (discovery, keys, authorize,
//! token, device code, admin consent) with Microsoft's error envelopes, and test control under
//! `/_sim/`. The contract is in DESIGN.md ("The simulated tenant").

pub mod aad_error;
pub mod authorize;
pub mod clock;
pub mod control;
pub mod device;
pub mod discovery;
pub mod graph;
pub mod keys;
pub mod mail_store;
pub mod pages;
pub mod player;
pub mod sandbox;
pub mod scopes;
pub mod seed;
pub mod server;
pub mod sim;
pub mod smtp_sink;
pub mod tls;
pub mod token;
pub mod world;

pub use seed::Seed;
pub use server::{Endpoints, RunningSim};
