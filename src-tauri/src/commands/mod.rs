//! IPC adapters, one file per concern: parse, call the core, map the result.

pub mod draft;
pub mod sandbox;
pub mod secrets;
pub mod server;
