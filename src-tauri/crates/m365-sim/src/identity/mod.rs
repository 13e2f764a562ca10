//! The identity platform v2.0 as login.microsoftonline.com serves it: OpenID discovery and
//! keys, `/authorize` and admin consent with their pages, the token endpoint, and the device
//! code flow. Uses tenant/.

pub mod authorize;
pub mod device;
pub mod discovery;
pub mod pages;
pub mod sign_out;
pub mod token;
