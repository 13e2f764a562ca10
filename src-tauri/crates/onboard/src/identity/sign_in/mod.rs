//! The Account step's sign-in flows: system browser + loopback (RFC 8252), the server's own
//! callback captured in an embedded window, device code, and app-only (client credentials).
//! Each interactive flow ends the same way ([`authorization_code`]): the code is redeemed here,
//! in Rust, the ID token is validated against the tenant's keys, and the account is checked.

mod account_check;
mod app_only;
mod authorization_code;
mod device;
mod embedded;
mod loopback_flow;
mod request;

pub use account_check::{check_account, PERSONAL_ACCOUNT_TENANT};
pub use app_only::{
    app_only_scope, find_service_principal, sign_in_app_only, AppOnly, AppOnlySetup, AppOnlyTarget,
    ServicePrincipal, OBJECT_ID_PLACEHOLDER,
};
pub use authorization_code::{authorize_url, PendingSignIn};
pub use device::sign_in_with_device_code;
pub use embedded::{begin_embedded_sign_in, finish_embedded_sign_in, is_redirect_to};
pub use loopback_flow::sign_in_with_browser;
pub use request::{scopes_for, SignInRequest, SignInSummary, SignedIn};
