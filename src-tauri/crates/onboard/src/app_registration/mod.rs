//! The App registration and Admin consent steps: the fields checked offline, the live checks
//! (the tenant, the app and its secret, the secret's expiry, the permission checklist), the admin
//! consent URL and its answer, and "create it for me", which creates or repairs the registration
//! through Graph with an admin's token: `plan` reads the tenant and lists the changes; `apply`
//! makes them. Also an app's secrets listed, added and removed, for a renewal.
//!
//! Uses catalog/, platform/, server/, cloud/ and identity/.

pub mod admin_consent;
pub mod admin_sign_in;
pub mod app_secrets;
mod apply;
pub mod check;
pub mod checklist;
mod desired;
mod graph_client;
pub mod input;
mod plan;
pub mod secret_expiry;

pub use app_secrets::{
    add_app_secret, app_secrets, remove_app_secret, AppSecret, AppSecrets, NewSecret,
};
pub use apply::{apply, client_secret_key, Applied, AppliedOnce};
pub(crate) use desired::{check_redirect, is_guid};
pub use desired::{DesiredApp, LOOPBACK_REDIRECT, MAX_SECRET_MONTHS};
pub use plan::{plan, Action, Change, ExistingApp, Plan};

pub use admin_consent::{admin_consent_url, capture_admin_consent, consent_link, ConsentGranted};
pub use admin_sign_in::{admin_scopes, admin_sign_in_app, AZURE_CLI_CLIENT_ID};
pub use check::{check_app, AppCheck};
pub use checklist::{checklist, PermissionCheck};
pub use input::{AppFields, AppInput, TenantForm};
pub use secret_expiry::SecretExpiry;
