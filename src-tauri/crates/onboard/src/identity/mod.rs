//! Who signs in, and how: the tenant's OpenID discovery, the token endpoint and the token
//! sources a session draws on, access tokens typed by their audience (Graph or Exchange), PKCE,
//! the one-shot loopback listener, the system browser, the device code flow, the ID token's
//! validation, the channel kinds with the permissions each needs, and every sign-in flow
//! (sign_in/). The sandbox's facts live here too, being a tenant to sign in to.
//!
//! Uses catalog/, platform/, server/ (a helpdesk kind picks its channel) and cloud/.

pub mod audience;
pub mod browser;
pub mod device_code;
pub mod id_token;
pub mod jwt_claims;
pub mod loopback;
pub mod permissions;
pub mod pkce;
pub mod principal;
pub mod sandbox_info;
pub mod sign_in;
pub mod tenant_discovery;
pub mod token_endpoint;
pub mod token_source;

pub use audience::{AccessToken, Audience, GraphAudience, OutlookAudience, Resource};
pub use device_code::{
    poll_device_code, poll_device_code_as, start_device_code, CancelToken, DeviceCodePrompt,
};
pub use id_token::{fetch_signing_keys, validate as validate_id_token, Expected, SigningKeys};
pub use permissions::{ChannelKind, Permission, PermissionType};
pub use principal::Identity;
pub use sandbox_info::SandboxInfo;
pub use sign_in::{
    authorize_url, begin_embedded_sign_in, check_account, find_service_principal,
    finish_embedded_sign_in, scopes_for, sign_in_app_only, sign_in_with_browser,
    sign_in_with_device_code, AppOnly, AppOnlySetup, AppOnlyTarget, PendingSignIn,
    ServicePrincipal, SignInRequest, SignInSummary, SignedIn, OBJECT_ID_PLACEHOLDER,
    PERSONAL_ACCOUNT_TENANT,
};
pub use tenant_discovery::{discover_tenant, TenantInfo};
pub use token_endpoint::{request_token, TokenRefusal, TokenResponse};
pub use token_source::{TokenEndpoint, TokenFailure, TokenSource};
