//! The app registration step's live checks: the tenant exists, the app exists there and its
//! secret works (a client-credentials request), when the secret expires, and what it is granted.

use crate::app_registration::checklist::{checklist, PermissionCheck};
use crate::app_registration::secret_expiry::{secret_expiry, SecretExpiry};
use crate::catalog::check_step::{CheckStatus, CheckStep};
use crate::{
    app_registration::{AppFields, TenantForm},
    cloud::Cloud,
    identity::{discover_tenant, jwt_claims, request_token, ChannelKind, TenantInfo},
    platform::Secret,
};
use serde::Serialize;
use std::time::Instant;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppCheck {
    pub client_id: String,
    /// The tenant as discovered; `None` when discovery failed.
    pub tenant: Option<TenantInfo>,
    pub steps: Vec<CheckStep>,
    pub secret_expiry: Option<SecretExpiry>,
    /// Verified against the app-only token's roles where the channel is app-only.
    pub checklist: Vec<PermissionCheck>,
    /// Deep links into the admin portal.
    pub permissions_page: String,
    pub credentials_page: String,
    /// What was cleaned up from the input.
    pub notes: Vec<String>,
}

impl AppCheck {
    /// Nothing failed and the secret was tried (an unknown expiry is not a failure).
    pub fn ok(&self) -> bool {
        self.steps.iter().all(|s| s.status != CheckStatus::Failed)
            && self
                .steps
                .iter()
                .any(|s| s.id == APP && s.status == CheckStatus::Ok)
    }
}

const TENANT: &str = "tenant";
const APP: &str = "app";
const EXPIRY: &str = "secret-expiry";

/// `admin` is an administrator's Graph token, when one is signed in ("create it for me"): it
/// reads the secret's expiry where the app may not read its own registration.
pub async fn check_app(
    cloud: &Cloud,
    fields: &AppFields,
    channel: ChannelKind,
    admin: Option<&Secret>,
) -> AppCheck {
    let mut steps = Vec::new();
    let mut out = AppCheck {
        client_id: fields.client_id.clone(),
        tenant: None,
        steps: Vec::new(),
        secret_expiry: None,
        checklist: checklist(channel, None),
        permissions_page: cloud.api_permissions_page(&fields.client_id),
        credentials_page: cloud.credentials_page(&fields.client_id),
        notes: fields.notes.clone(),
    };

    let started = Instant::now();
    match discover_tenant(cloud, &fields.tenant).await {
        Ok(t) => {
            let detail = match fields.tenant_form {
                TenantForm::Organizations => {
                    "Any work or school tenant (the app must be multitenant).".to_owned()
                }
                _ => format!("Tenant ID {}", t.tenant_id),
            };
            steps.push(CheckStep::passed(TENANT, "Tenant exists", started, detail));
            out.tenant = Some(t);
        }
        Err(d) => {
            steps.push(CheckStep::failed(TENANT, "Tenant exists", started, d));
            steps.push(CheckStep::skipped(
                APP,
                "App and secret",
                "Not run: the tenant was not found.",
            ));
            steps.push(CheckStep::skipped(
                EXPIRY,
                "Secret expiry",
                "Not run: the tenant was not found.",
            ));
            out.steps = steps;
            return out;
        }
    }

    let Some(secret) = &fields.client_secret else {
        steps.push(CheckStep::skipped(
            APP,
            "App and secret",
            "Not run: enter the client secret to check the app and its secret.",
        ));
        steps.push(CheckStep::skipped(
            EXPIRY,
            "Secret expiry",
            "Not run: no client secret.",
        ));
        out.steps = steps;
        return out;
    };
    let started = Instant::now();
    let scope = format!("{}/.default", cloud.graph_resource);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", fields.client_id.as_str()),
        ("client_secret", secret.expose()),
        ("scope", scope.as_str()),
    ];
    let token = match request_token(cloud, &fields.tenant, &form).await {
        Ok(t) => t,
        Err(d) => {
            steps.push(CheckStep::failed(APP, "App and secret", started, d));
            steps.push(CheckStep::skipped(
                EXPIRY,
                "Secret expiry",
                "Not run: the secret was refused.",
            ));
            out.steps = steps;
            return out;
        }
    };
    steps.push(CheckStep::passed(
        APP,
        "App and secret",
        started,
        "The app exists in the tenant and Microsoft accepted the secret.",
    ));
    if channel.is_app_only() {
        if let Some(granted) = jwt_claims::granted(&token.access_token) {
            out.checklist = checklist(channel, Some(&granted));
        }
    }

    let started = Instant::now();
    let label = "Secret expiry";
    let now = chrono::Utc::now();
    let mut expiry =
        secret_expiry(cloud, &token.access_token, &fields.client_id, secret, now).await;
    if let (Err(_), Some(admin)) = (&expiry, admin) {
        expiry = secret_expiry(cloud, admin, &fields.client_id, secret, now).await;
    }
    match expiry {
        Ok(Some(e)) => {
            let step = CheckStep::passed(EXPIRY, label, started, format!("Expires {} ({} days).", e.expires.get(..10).unwrap_or(&e.expires), e.days_left));
            steps.push(match e.warning(&out.credentials_page) {
                Some(w) => step.warning(w),
                None => step,
            });
            out.secret_expiry = Some(e);
        }
        Ok(None) => steps.push(CheckStep::skipped(EXPIRY, label, "The app lists no secret starting with these characters; see Certificates & secrets.")),
        // Reading the registration needs Application.Read.All, which a helpdesk app rarely has.
        Err(_) => steps.push(CheckStep::skipped(EXPIRY, label, "Unknown: the app may not read its own registration. See the expiry date under Certificates & secrets, or sign in as administrator under “Create it for me” and check again.")),
    }
    out.steps = steps;
    out
}
