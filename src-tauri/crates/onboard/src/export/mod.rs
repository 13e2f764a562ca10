//! The channel config in the formats servers read: neutral JSON (importable again), Zammad's
//! channel record, email-oauth2-proxy's `emailproxy.config`, and an env file for custom servers.
//! Rendering is a pure function of the config and the secrets handed in ([`export`]); writing is
//! separate ([`write_export`]): atomically, mode 0600. Also the channel config itself, the
//! secrets an export may carry (sealed), copy-cards, the import of a neutral JSON export, and
//! where each profile's exports were written.
//!
//! Uses catalog/, platform/, server/, cloud/, identity/, app_registration/ and profile/.

pub mod channel_config;
pub mod copy_cards;
mod emailproxy;
mod env;
pub mod format;
pub mod import;
mod json;
pub mod render;
pub mod secrets;
pub mod write;
pub mod written;
mod zammad;

pub use env::ENV_NAMES;
pub use format::{Export, ExportFormat, ExportOptions, SecretsIncluded};
pub use render::{export, export_profile};
pub use write::{readme_path, write_export};
pub use written::{write_remembered, WrittenExport, WrittenExports};
pub use zammad::ZAMMAD_FORMAT;

pub use channel_config::{
    ChannelConfig, CloudRecord, IncludedSecrets, ProfileRecord, SecretRef, CHANNEL_CONFIG_FORMAT,
    CHANNEL_CONFIG_VERSION,
};
pub use copy_cards::{copy_cards, CopyCard, CopyValue};
pub use import::{
    import_channel_config, import_file, parse_channel_config, read_channel_config, Imported,
};
pub use secrets::{
    check_passphrase, open, seal, secrets_for_export, ExportSecrets, SecretHandling,
};
