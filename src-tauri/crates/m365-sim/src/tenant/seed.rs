//! The seed file: the tenants, people, apps and mailboxes a simulation starts from.
//! The keys are the contract of DESIGN.md; every key beyond the required ones has a default.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct Seed {
    pub tenants: Vec<TenantSeed>,
    #[serde(default)]
    pub mailboxes: HashMap<String, crate::tenant::mail_store::SeedMailbox>,
    /// Where the seed's `eml` paths are relative to: the seed file's directory.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TenantSeed {
    pub id: String,
    pub domains: Vec<String>,
    #[serde(default)]
    pub admin_consent_required: bool,
    #[serde(default = "yes")]
    pub smtp_client_auth: bool,
    #[serde(default)]
    pub users: Vec<UserSeed>,
    #[serde(default)]
    pub shared_mailboxes: Vec<SharedMailboxSeed>,
    #[serde(default)]
    pub apps: Vec<AppSeed>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserSeed {
    pub id: String,
    pub upn: String,
    pub password: String,
    pub display_name: String,
    #[serde(default)]
    pub admin: bool,
    #[serde(default = "yes")]
    pub licensed: bool,
    #[serde(default)]
    pub auto_sign_in: bool,
    /// A personal Microsoft account (outlook.com and the like), which work apps refuse.
    #[serde(default)]
    pub personal: bool,
    /// Refresh tokens issued before this moment are revoked (AADSTS50173).
    #[serde(default)]
    pub password_changed: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SharedMailboxSeed {
    pub id: String,
    pub address: String,
    #[serde(default)]
    pub full_access: Vec<String>,
    #[serde(default)]
    pub send_as: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AppSeed {
    pub client_id: String,
    pub display_name: String,
    #[serde(default = "my_org")]
    pub sign_in_audience: String,
    #[serde(default)]
    pub secrets: Vec<SecretSeed>,
    #[serde(default)]
    pub redirect_uris: RedirectUris,
    #[serde(default)]
    pub public_client: bool,
    #[serde(default)]
    pub delegated: Vec<String>,
    #[serde(default)]
    pub application: Vec<String>,
    #[serde(default)]
    pub admin_consented: bool,
    /// The application object's id in Graph; derived from `client_id` when absent.
    #[serde(default)]
    pub object_id: Option<String>,
    /// Whether the app has a service principal in its tenant: apps registered in the portal do,
    /// apps created through Graph get one with `POST /servicePrincipals`.
    #[serde(default = "yes")]
    pub service_principal: bool,
    /// One of Microsoft's apps (the Azure CLI): in every tenant, not one of its app registrations,
    /// and its delegated permissions count as consented for admins.
    #[serde(default)]
    pub first_party: bool,
    /// `requiredResourceAccess` as last written through Graph; derived from `delegated` and
    /// `application` when absent.
    #[serde(default)]
    pub required_resource_access: Option<Vec<serde_json::Value>>,
    /// Delegated permissions granted for all users by an `AllPrincipals` oauth2PermissionGrant.
    #[serde(skip)]
    pub granted_scopes: Vec<String>,
    /// Application permissions assigned on Microsoft Graph (`appRoleAssignedTo`).
    #[serde(skip)]
    pub granted_roles: Vec<String>,
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SecretSeed {
    pub id: String,
    pub value: String,
    pub expires: DateTime<Utc>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RedirectUris {
    #[serde(default)]
    pub web: Vec<String>,
    #[serde(default)]
    pub public: Vec<String>,
}

fn yes() -> bool {
    true
}

fn my_org() -> String {
    "AzureADMyOrg".to_owned()
}

impl Seed {
    pub fn from_json(text: &str) -> Result<Self, String> {
        let seed: Seed = serde_json::from_str(text).map_err(|e| format!("seed: {e}"))?;
        for t in &seed.tenants {
            if uuid::Uuid::parse_str(&t.id).is_err() {
                return Err(format!("seed: tenant id {:?} is not a GUID", t.id));
            }
        }
        // A mailbox's address names its folder under the mail store: it must stay a name there.
        for address in seed.mailboxes.keys() {
            let path_like = address.is_empty()
                || address.starts_with('.')
                || address
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '/' | '\\' | ':'));
            if path_like || !address.contains('@') {
                return Err(format!(
                    "seed: mailbox “{}” is not a mail address",
                    address.escape_debug()
                ));
            }
        }
        Ok(seed)
    }

    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("seed {}: {e}", path.display()))?;
        let mut seed = Self::from_json(&text)?;
        seed.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(seed)
    }
}

/// The Azure CLI's well-known client id.
pub const AZURE_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

impl AppSeed {
    /// Microsoft's Azure CLI as every tenant knows it: a multitenant public client (device code,
    /// `http://localhost`, no secret) whose directory permissions count as consented for admins.
    pub fn azure_cli() -> Self {
        Self {
            client_id: AZURE_CLI.into(),
            display_name: "Microsoft Azure CLI".into(),
            sign_in_audience: "AzureADMultipleOrgs".into(),
            redirect_uris: RedirectUris {
                web: Vec::new(),
                public: vec!["http://localhost".into()],
            },
            public_client: true,
            delegated: [
                "Application.ReadWrite.All",
                "AppRoleAssignment.ReadWrite.All",
                "DelegatedPermissionGrant.ReadWrite.All",
                "offline_access",
                "openid",
                "profile",
            ]
            .map(String::from)
            .to_vec(),
            service_principal: true,
            first_party: true,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_address_that_is_a_path_is_refused() {
        let seed = |address: &str| {
            Seed::from_json(
                &serde_json::json!({ "tenants": [], "mailboxes": { address: {} } }).to_string(),
            )
        };
        assert!(seed("alice@contoso.test").is_ok());
        for bad in [
            "../../escaped@x.test",
            "/tmp/escaped@x.test",
            "..\\escaped@x.test",
            ".hidden@x.test",
            "a\u{0}b@x.test",
            "C:@x.test",
            "no-at-sign",
            "",
        ] {
            let e = seed(bad).unwrap_err();
            assert!(e.contains("is not a mail address"), "{bad:?}: {e}");
        }
    }

    /// Tenant IDs name issuers and token audiences: a seed's must be a GUID.
    #[test]
    fn a_tenant_id_that_is_not_a_guid_is_refused() {
        let mut demo: serde_json::Value =
            serde_json::from_str(include_str!("../../seeds/demo.json")).unwrap();
        assert!(Seed::from_json(&demo.to_string()).is_ok());
        for bad in ["../../x", "contoso.test", ""] {
            demo["tenants"][0]["id"] = bad.into();
            let e = Seed::from_json(&demo.to_string()).unwrap_err();
            assert!(e.contains("is not a GUID"), "{bad:?}: {e}");
        }
    }
}
