//! Who signed in: the mailbox identity is the user's object ID and tenant, with the sign-in name
//! people recognise. Taken from a validated ID token (or, app-only, from the app itself).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Identity {
    /// `oid`: stable for the user across apps in the tenant.
    pub object_id: String,
    /// `tid`.
    pub tenant_id: String,
    /// `preferred_username`: the sign-in name (usually the address).
    pub username: String,
    /// `name`, when the token carries it.
    pub display_name: Option<String>,
}

impl Identity {
    /// Two sign-ins are the same person when object and tenant match (names can change).
    pub fn same_user(&self, other: &Identity) -> bool {
        self.object_id.eq_ignore_ascii_case(&other.object_id)
            && self.tenant_id.eq_ignore_ascii_case(&other.tenant_id)
    }
}
