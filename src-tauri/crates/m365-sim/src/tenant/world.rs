//! Everything the simulated tenant knows and remembers: the directory from the seed, and the
//! codes, grants and tokens it has issued since.

use crate::tenant::aad_error::AadError;
use crate::tenant::seed::{AppSeed, TenantSeed, UserSeed};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// How the path names the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantPath {
    Common,
    Organizations,
    Consumers,
    Tenant(usize),
}

impl TenantPath {
    pub fn is_shared_endpoint(self) -> bool {
        !matches!(self, TenantPath::Tenant(_))
    }
}

#[derive(Debug, Clone)]
pub enum FlowKind {
    Authorize {
        scope: String,
        nonce: Option<String>,
        challenge: Option<(String, String)>,
        prompt: Option<String>,
    },
    AdminConsent {
        v2: bool,
        scope: Option<String>,
    },
    Device {
        device_code: String,
    },
}

/// A sign-in in progress, between the pages.
#[derive(Debug, Clone)]
pub struct Flow {
    pub kind: FlowKind,
    pub segment: String,
    pub path: TenantPath,
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub user: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub tenant: usize,
    pub path: TenantPath,
    pub client_id: String,
    pub user: String,
    pub redirect_uri: String,
    pub scope: String,
    pub challenge: Option<(String, String)>,
    pub nonce: Option<String>,
    pub issued: DateTime<Utc>,
    pub redeemed: bool,
}

/// What one refresh token may mint: the user's consented permissions on every resource.
#[derive(Debug, Clone)]
pub struct Grant {
    pub tenant: usize,
    pub client_id: String,
    pub user: String,
    pub oidc: Vec<String>,
    /// The scopes of the request that issued it: a refresh that names no `scope` gets these
    /// again, as Microsoft's does (Zammad and email-oauth2-proxy refresh that way).
    pub requested: crate::tenant::scopes::Requested,
    pub issued: DateTime<Utc>,
    pub last_used: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub tenant_id: String,
    pub client_id: String,
    /// The signed-in user's UPN; `None` for app-only tokens.
    pub user: Option<String>,
    pub audience: String,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    pub expires: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceState {
    Pending,
    Approved,
    Declined,
    Redeemed,
}

#[derive(Debug, Clone)]
pub struct DeviceFlow {
    pub tenant: usize,
    pub path: TenantPath,
    pub client_id: String,
    pub scope: String,
    pub user_code: String,
    pub expires: DateTime<Utc>,
    pub state: DeviceState,
    pub user: Option<String>,
}

#[derive(Default)]
pub struct World {
    pub tenants: Vec<TenantSeed>,
    pub codes: HashMap<String, AuthCode>,
    pub grants: HashMap<String, Grant>,
    pub access: HashMap<String, AccessToken>,
    pub devices: HashMap<String, DeviceFlow>,
    /// (tenant, client, user UPN) for consent a user gave for themself.
    pub user_consents: HashSet<(usize, String, String)>,
    /// Sign-in and consent pages in progress, by flow id.
    pub flows: HashMap<String, Flow>,
    /// Permission grants and app role assignments made through Graph.
    pub directory: crate::tenant::directory::Directory,
}

impl World {
    pub fn new(mut tenants: Vec<TenantSeed>) -> Self {
        // Microsoft's Azure CLI is in every tenant, as first-party apps are.
        for t in &mut tenants {
            if !t
                .apps
                .iter()
                .any(|a| a.client_id == crate::tenant::seed::AZURE_CLI)
            {
                t.apps.push(AppSeed::azure_cli());
            }
        }
        Self {
            tenants,
            ..Default::default()
        }
    }

    pub fn resolve_tenant(&self, segment: &str) -> Result<TenantPath, AadError> {
        match segment.to_ascii_lowercase().as_str() {
            "common" => return Ok(TenantPath::Common),
            "organizations" => return Ok(TenantPath::Organizations),
            "consumers" => return Ok(TenantPath::Consumers),
            _ => {}
        }
        let found = self.tenants.iter().position(|t| {
            t.id.eq_ignore_ascii_case(segment)
                || t.domains.iter().any(|d| d.eq_ignore_ascii_case(segment))
        });
        match found {
            Some(i) => Ok(TenantPath::Tenant(i)),
            None if uuid::Uuid::parse_str(segment).is_err() && !segment.contains('.') => Err(AadError::new(
                "invalid_request",
                900023,
                format!("Specified tenant identifier '{segment}' is neither a valid DNS name, nor a valid external domain."),
            )),
            None => Err(AadError::new(
                "invalid_request",
                90002,
                format!("Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
            )),
        }
    }

    /// The app and its home tenant. On a tenant path the app must live in that tenant; on the
    /// shared endpoints it may live anywhere, but a single-tenant app is refused there.
    pub fn find_app(
        &self,
        path: TenantPath,
        client_id: &str,
    ) -> Result<(usize, &AppSeed), AadError> {
        let in_tenant = |i: usize| {
            self.tenants.get(i).and_then(|t| {
                t.apps
                    .iter()
                    .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
                    .map(|a| (i, a))
            })
        };
        // The app as the path's tenant knows it first (first-party apps are in every tenant).
        let home = match path {
            TenantPath::Tenant(t) => in_tenant(t),
            _ => None,
        }
        .or_else(|| (0..self.tenants.len()).find_map(in_tenant));
        match (path, home) {
            (TenantPath::Tenant(t), Some((h, app))) if t == h => Ok((h, app)),
            (TenantPath::Tenant(t), Some((_, app))) if app.sign_in_audience != "AzureADMyOrg" && self.app_consented_in(t, app) => {
                Ok((t, app))
            }
            (TenantPath::Tenant(t), _) => Err(AadError::new(
                "unauthorized_client",
                700016,
                format!(
                    "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                    self.tenants[t].domains.first().unwrap_or(&self.tenants[t].id)
                ),
            )),
            (_, Some((_, app))) if app.sign_in_audience == "AzureADMyOrg" => Err(AadError::new(
                "invalid_request",
                50194,
                format!("Application '{client_id}'({}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.", app.display_name),
            )),
            (_, Some((h, app))) => Ok((h, app)),
            (_, None) => Err(AadError::new(
                "unauthorized_client",
                700016,
                format!("Application with identifier '{client_id}' was not found in the directory. You may have sent your authentication request to the wrong tenant."),
            )),
        }
    }

    /// A multitenant app is usable in another tenant once that tenant's admin consented.
    fn app_consented_in(&self, _tenant: usize, app: &AppSeed) -> bool {
        app.admin_consented
    }

    pub fn find_user(&self, upn: &str) -> Option<(usize, &UserSeed)> {
        self.tenants.iter().enumerate().find_map(|(i, t)| {
            t.users
                .iter()
                .find(|u| u.upn.eq_ignore_ascii_case(upn))
                .map(|u| (i, u))
        })
    }

    /// Exchange Online's Send As rule: everyone may send as themself; as a shared mailbox only
    /// someone on its `send_as` list; as anyone else, no one.
    pub fn may_send_as(&self, login: &str, from: &str) -> bool {
        login.trim().eq_ignore_ascii_case(from.trim())
            || self
                .tenants
                .iter()
                .flat_map(|t| &t.shared_mailboxes)
                .filter(|s| s.address.eq_ignore_ascii_case(from.trim()))
                .any(|s| {
                    s.send_as
                        .iter()
                        .any(|u| u.eq_ignore_ascii_case(login.trim()))
                })
    }

    pub fn app_mut(&mut self, client_id: &str) -> Option<&mut AppSeed> {
        self.tenants
            .iter_mut()
            .flat_map(|t| t.apps.iter_mut())
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
    }

    /// Whether `user` may use `permissions` of `app` without being asked: an admin consented to
    /// the configured permissions for everyone, or the user consented for themself.
    pub fn consented(
        &self,
        tenant: usize,
        app: &AppSeed,
        user: &str,
        permissions: &[String],
    ) -> bool {
        let configured = permissions.iter().all(|p| {
            app.delegated.iter().any(|d| {
                crate::tenant::scopes::split_permission(d)
                    .1
                    .eq_ignore_ascii_case(p)
            })
        });
        let granted = !app.granted_scopes.is_empty()
            && permissions.iter().all(|p| {
                app.granted_scopes.iter().any(|g| {
                    crate::tenant::scopes::split_permission(g)
                        .1
                        .eq_ignore_ascii_case(p)
                })
            });
        let admin = self.find_user(user).is_some_and(|(_, u)| u.admin);
        (app.admin_consented && configured)
            || (app.first_party && admin && configured)
            || granted
            || self
                .user_consents
                .contains(&consent_key(tenant, &app.client_id, user))
    }
}

pub fn consent_key(tenant: usize, client_id: &str, user: &str) -> (usize, String, String) {
    (
        tenant,
        client_id.to_ascii_lowercase(),
        user.to_ascii_lowercase(),
    )
}
