//! Microsoft Graph's own permissions, with their real ids: a copy of Microsoft's data file
//! (shared/reference/microsoft/graph_permission_ids_mail_subset.json, kept equal by a test), read
//! once. Delegated entries are Graph's `oauth2PermissionScopes`, application ones its `appRoles`.

use serde_json::{json, Value};
use std::sync::LazyLock;

/// Microsoft Graph's appId, the same in every tenant.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Office 365 Exchange Online's appId (EWS permissions live there).
pub const EXCHANGE_APP_ID: &str = "00000002-0000-0ff1-ce00-000000000000";

pub const DATA: &str = include_str!("msgraph_permissions.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Delegated: `type: "Scope"` in requiredResourceAccess.
    Scope,
    /// Application: `type: "Role"`.
    Role,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scope => "Scope",
            Kind::Role => "Role",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Permission {
    pub id: String,
    pub value: String,
    pub kind: Kind,
    entry: Value,
}

static TABLE: LazyLock<Vec<Permission>> = LazyLock::new(|| {
    let data: Value = serde_json::from_str(DATA).expect("msgraph_permissions.json is JSON");
    let mut table = Vec::new();
    for (list, kind) in [
        ("delegatedScopesList", Kind::Scope),
        ("applicationScopesList", Kind::Role),
    ] {
        for entry in data[list].as_array().into_iter().flatten() {
            table.push(Permission {
                id: text(entry, "id"),
                value: text(entry, "value"),
                kind,
                entry: entry.clone(),
            });
        }
    }
    table
});

/// Exchange Online's permissions named by Microsoft's EWS documentation (the only ones it gives).
const EXCHANGE: [(&str, &str, Kind); 2] = [
    (
        "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5",
        "EWS.AccessAsUser.All",
        Kind::Scope,
    ),
    (
        "dc890d15-9560-4a4c-9b7f-a736ec74ec40",
        "full_access_as_app",
        Kind::Role,
    ),
];

fn text(entry: &Value, key: &str) -> String {
    entry[key].as_str().unwrap_or_default().to_owned()
}

pub fn by_id(id: &str, kind: Kind) -> Option<&'static Permission> {
    TABLE
        .iter()
        .find(|p| p.kind == kind && p.id.eq_ignore_ascii_case(id))
}

pub fn by_value(value: &str, kind: Kind) -> Option<&'static Permission> {
    TABLE
        .iter()
        .find(|p| p.kind == kind && p.value.eq_ignore_ascii_case(value))
}

/// A configured permission (`Mail.Read`, `https://outlook.office.com/EWS.AccessAsUser.All`) as a
/// requiredResourceAccess entry: (resourceAppId, permission id).
pub fn resource_access(permission: &str, kind: Kind) -> Option<(&'static str, String)> {
    let short = crate::tenant::scopes::split_permission(permission).1;
    if let Some((id, _, _)) = EXCHANGE
        .iter()
        .find(|(_, v, k)| *k == kind && v.eq_ignore_ascii_case(&short))
    {
        return Some((EXCHANGE_APP_ID, (*id).to_owned()));
    }
    by_value(&short, kind).map(|p| (GRAPH_APP_ID, p.id.clone()))
}

/// The permission a requiredResourceAccess entry stands for, as the simulator configures it.
pub fn configured_name(resource_app_id: &str, id: &str, kind: Kind) -> Option<String> {
    if resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID) {
        return by_id(id, kind).map(|p| p.value.clone());
    }
    if resource_app_id.eq_ignore_ascii_case(EXCHANGE_APP_ID) {
        return EXCHANGE
            .iter()
            .find(|(i, _, k)| *k == kind && i.eq_ignore_ascii_case(id))
            .map(|(_, v, _)| format!("{}/{v}", crate::tenant::scopes::OUTLOOK));
    }
    None
}

impl Permission {
    /// Graph's `appRoles` entry (graph_serviceprincipal_msgraph_approles_filter.json).
    pub fn app_role(&self) -> Value {
        let first = |a: &str, b: &str| {
            let v = &self.entry[a];
            if v.is_string() {
                v.clone()
            } else {
                self.entry[b].clone()
            }
        };
        json!({
            "allowedMemberTypes": ["Application"],
            "description": first("adminConsentDescription", "consentDescription"),
            "displayName": first("adminConsentDisplayName", "consentDisplayName"),
            "id": self.id,
            "isEnabled": self.entry["isEnabled"].as_bool().unwrap_or(true),
            "origin": "Application",
            "value": self.value,
        })
    }

    /// Graph's `oauth2PermissionScopes` entry (graph_serviceprincipal_msgraph_scopes_filter.json).
    pub fn permission_scope(&self) -> Value {
        let admin = self.entry["isAdmin"].as_bool().unwrap_or(false);
        json!({
            "adminConsentDescription": self.entry["adminConsentDescription"],
            "adminConsentDisplayName": self.entry["adminConsentDisplayName"],
            "id": self.id,
            "isEnabled": self.entry["isEnabled"].as_bool().unwrap_or(true),
            "type": if admin { "Admin" } else { "User" },
            "userConsentDescription": self.entry["consentDescription"],
            "userConsentDisplayName": self.entry["consentDisplayName"],
            "value": self.value,
        })
    }
}

pub fn app_roles() -> Vec<Value> {
    TABLE
        .iter()
        .filter(|p| p.kind == Kind::Role)
        .map(Permission::app_role)
        .collect()
}

pub fn permission_scopes() -> Vec<Value> {
    TABLE
        .iter()
        .filter(|p| p.kind == Kind::Scope)
        .map(Permission::permission_scope)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_microsofts_data_file() {
        let ours: Value = serde_json::from_str(DATA).unwrap();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../../shared/reference/microsoft/graph_permission_ids_mail_subset.json"
        );
        if let Ok(text) = std::fs::read_to_string(path) {
            let theirs: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                ours, theirs,
                "src/graph/directory/msgraph_permissions.json drifted from {path}"
            );
        }
        let role = by_value("User.Read.All", Kind::Role).unwrap();
        assert_eq!(role.id, "df021288-bdef-4463-88db-98f22de89214");
        let scope = by_value("Application.ReadWrite.All", Kind::Scope).unwrap();
        assert_eq!(scope.id, "bdfbf15f-ee85-4955-8675-146e8e5296b5");
        assert_eq!(scope.permission_scope()["type"], "Admin");
        // An entry without an admin description falls back to the consent one.
        let basic = by_value("Mail.ReadBasic", Kind::Role).unwrap().app_role();
        assert!(basic["description"].is_string() && basic["displayName"].is_string());
    }

    #[test]
    fn configured_permissions_map_to_resource_access_and_back() {
        let (resource, id) = resource_access(
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            Kind::Scope,
        )
        .unwrap();
        assert_eq!(
            (resource, id.as_str()),
            (GRAPH_APP_ID, "652390e4-393a-48de-9484-05f9b1212954")
        );
        assert_eq!(
            configured_name(GRAPH_APP_ID, &id, Kind::Scope).as_deref(),
            Some("IMAP.AccessAsUser.All")
        );
        let (resource, id) = resource_access("EWS.AccessAsUser.All", Kind::Scope).unwrap();
        assert_eq!(resource, EXCHANGE_APP_ID);
        assert_eq!(
            configured_name(resource, &id, Kind::Scope).as_deref(),
            Some("https://outlook.office.com/EWS.AccessAsUser.All")
        );
        assert!(configured_name(GRAPH_APP_ID, &id, Kind::Role).is_none());
    }
}
