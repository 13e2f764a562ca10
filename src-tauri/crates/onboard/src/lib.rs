//! The onboarding core: every check, OAuth and mail operation of the wizard, as plain functions
//! and types. It knows nothing of Tauri, windows or the command line; those are thin adapters.

pub mod bindings;
pub mod catalog;
pub mod cloud;
pub mod diagnosis;
pub mod draft;
pub mod host_name;
pub mod http;
pub mod keyring_store;
pub mod sandbox_info;
pub mod secret_store;
pub mod server_check;
pub mod server_kind;
pub mod tenant_discovery;

pub use catalog::{diagnose, MailProtocol};
pub use cloud::{Cloud, CloudPreset};
pub use diagnosis::Diagnosis;
pub use draft::{Draft, ServerDraft, WizardStep};
pub use host_name::HostName;
pub use keyring_store::KeyringStore;
pub use sandbox_info::SandboxInfo;
pub use secret_store::{probe_secret_store, MemoryStore, Secret, SecretStore, SecretStoreStatus};
pub use server_check::{check_server, ServerCheck, ServerCheckInput};
pub use server_kind::ServerKind;
pub use tenant_discovery::{discover_tenant, TenantInfo};
