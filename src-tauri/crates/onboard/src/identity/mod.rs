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
