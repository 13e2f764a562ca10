//! IPC adapters, one file per concern: parse, call the core, map the result.

pub mod account;
pub mod app_registration;
mod cancel_slot;
pub mod channel;
pub mod cloud;
pub mod consent;
pub mod draft;
pub mod export;
mod file_dialog;
pub mod health;
pub mod import;
mod opener;
pub mod preview;
pub mod renewal;
pub mod sandbox;
pub mod secrets;
pub mod server;
pub mod verify;
