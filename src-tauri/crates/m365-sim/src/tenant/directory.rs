//! The directory objects Graph creates beside the seed (permission grants, app role
//! assignments): tenant state, which the token endpoint reads and Graph writes.

use chrono::{DateTime, Utc};

/// Directory objects created through Graph that the seed has no place for.
#[derive(Debug, Default)]
pub struct Directory {
    pub grants: Vec<PermissionGrant>,
    pub assignments: Vec<RoleAssignment>,
}

/// An oauth2PermissionGrant: delegated permissions of a client on a resource.
#[derive(Debug, Clone)]
pub struct PermissionGrant {
    pub tenant: usize,
    pub id: String,
    /// The client's service principal id.
    pub client_id: String,
    pub consent_type: String,
    pub principal_id: Option<String>,
    /// The resource's service principal id.
    pub resource_id: String,
    pub scope: String,
}

/// An appRoleAssignment of an application permission to a client's service principal.
#[derive(Debug, Clone)]
pub struct RoleAssignment {
    pub tenant: usize,
    pub id: String,
    pub principal_id: String,
    pub resource_id: String,
    pub app_role_id: String,
    pub created: DateTime<Utc>,
}
