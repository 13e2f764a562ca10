//! The administrator's sign-in for "create it for me", before any app of ours exists: Microsoft's
//! Azure CLI (or a public client the admin names) by device code, with the directory-write scopes
//! the plan and its changes need.

use crate::app_registration::input::{guid, AppInput};
use crate::{catalog::Diagnosis, cloud::Cloud};

/// Microsoft's Azure CLI: a public client that exists in every tenant and may ask for the
/// directory-write scopes, so the admin can sign in before any app of ours exists.
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// The scopes the admin grants the wizard to create and repair the app registration.
pub fn admin_scopes(cloud: &Cloud) -> String {
    let r = cloud.graph_resource.trim_end_matches('/');
    format!(
        "{r}/Application.ReadWrite.All {r}/DelegatedPermissionGrant.ReadWrite.All {r}/AppRoleAssignment.ReadWrite.All offline_access openid profile"
    )
}

/// The tenant and the public client for the admin's sign-in, checked before any request: the
/// tenant as the app step checks it, and the client (empty: Microsoft's Azure CLI) a GUID.
pub fn admin_sign_in_app(
    tenant: &str,
    admin_client_id: Option<&str>,
) -> Result<(String, String), Diagnosis> {
    let tenant = AppInput {
        tenant: tenant.to_owned(),
        ..Default::default()
    }
    .parse_tenant()?;
    let client_id = match admin_client_id.map(str::trim) {
        None | Some("") => AZURE_CLI_CLIENT_ID.to_owned(),
        Some(id) => guid(id).ok_or_else(|| {
            Diagnosis::field(
                "Sign-in app",
                "register.admin_client_id",
                format!("“{id}” is not a client ID."),
                "Leave it empty for Microsoft's Azure CLI, or give the Application (client) ID of a public client app that may request the Graph permissions for app registrations.",
            )
        })?,
    };
    Ok((tenant, client_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;

    #[test]
    fn admin_scopes_are_named_with_the_graph_resource() {
        let mut cloud = Cloud::preset(CloudPreset::Usgov);
        cloud.graph = "https://127.0.0.1:1/graph".into();
        let s = admin_scopes(&cloud);
        assert!(s.starts_with("https://graph.microsoft.us/Application.ReadWrite.All "));
        assert!(s.ends_with(" offline_access openid profile"));
        assert!(!s.contains("127.0.0.1"));
    }
}
