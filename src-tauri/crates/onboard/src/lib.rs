//! The onboarding core: every check, OAuth and mail operation of the wizard, as plain functions
//! and types. It knows nothing of Tauri, windows or the command line; those are thin adapters.

pub mod app_registration;
pub mod bindings;
pub mod catalog;
pub mod cloud;
pub mod device_code;
pub mod diagnosis;
pub mod draft;
pub mod host_name;
pub mod http;
pub mod keyring_store;
pub mod permissions;
pub mod sandbox_info;
pub mod secret_store;
pub mod server_check;
pub mod server_kind;
pub mod tenant_discovery;
pub mod token_endpoint;

pub use app_registration::{
    apply, plan, Action, Applied, Change, DesiredApp, ExistingApp, NewSecret, Plan,
};
pub use cloud::{Cloud, CloudPreset};
pub use device_code::{
    admin_scopes, poll_device_code, start_device_code, CancelToken, DeviceCodePrompt,
    AZURE_CLI_CLIENT_ID,
};
pub use diagnosis::Diagnosis;
pub use draft::{Draft, ServerDraft, WizardStep};
pub use host_name::HostName;
pub use keyring_store::KeyringStore;
pub use permissions::{ChannelKind, Permission, PermissionCheck, PermissionType};
pub use sandbox_info::SandboxInfo;
pub use secret_store::{probe_secret_store, MemoryStore, Secret, SecretStore, SecretStoreStatus};
pub use server_check::{check_server, ServerCheck, ServerCheckInput};
pub use server_kind::ServerKind;
pub use tenant_discovery::{discover_tenant, TenantInfo};
pub use token_endpoint::{request_token, TokenRefusal, TokenResponse};
