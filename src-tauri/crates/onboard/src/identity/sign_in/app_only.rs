//! App-only access (client credentials): the app's own identity, no user. For Graph it asks
//! `{graph}/.default`; for IMAP and SMTP, Exchange Online's `https://outlook.office365.com/.default`.
//! Exchange also needs the app registered as a service principal with rights on the mailbox:
//! [`AppOnlySetup`] writes those PowerShell steps with this app's IDs filled in.

use crate::cloud::graph_get::graph_get;
use crate::identity::audience::{AccessToken, Audience, GraphAudience, Resource};
use crate::identity::token_endpoint::{request_token, TokenResponse};
use crate::{catalog::Diagnosis, cloud::Cloud, identity::jwt_claims, platform::Secret};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

/// What the app-only token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum AppOnlyTarget {
    Graph,
    ImapSmtp,
}

impl AppOnlyTarget {
    pub fn resource(self) -> Resource {
        match self {
            AppOnlyTarget::Graph => Resource::Graph,
            AppOnlyTarget::ImapSmtp => Resource::Outlook,
        }
    }
}

/// The client-credentials scope. Exchange Online documents `https://outlook.office365.com/.default`
/// for app-only IMAP/POP/SMTP; the national clouds use their own Outlook resource.
pub fn app_only_scope(target: AppOnlyTarget, cloud: &Cloud) -> String {
    match target {
        AppOnlyTarget::Graph => format!("{}/.default", cloud.graph_resource.trim_end_matches('/')),
        AppOnlyTarget::ImapSmtp => {
            let outlook = cloud.outlook_resource.trim_end_matches('/');
            let resource = if outlook == "https://outlook.office.com" {
                "https://outlook.office365.com"
            } else {
                outlook
            };
            format!("{resource}/.default")
        }
    }
}

/// An app-only token.
#[derive(Debug, Clone)]
pub struct AppOnly {
    pub target: AppOnlyTarget,
    pub tokens: TokenResponse,
    /// The application permissions (`roles`) the token carries, when it is readable (Graph's
    /// are JWTs; Exchange's may be opaque to clients, then this is empty).
    pub roles: Vec<String>,
    pub received_at: DateTime<Utc>,
}

impl AppOnly {
    /// The access token with its audience in the type; refused for the other audience.
    pub fn access_token<A: Audience>(&self) -> Result<AccessToken<A>, Diagnosis> {
        AccessToken::from_response(&self.tokens, self.target.resource(), self.received_at)
    }
}

/// The client-credentials grant for `target`, at the tenant's own endpoint.
pub async fn sign_in_app_only(
    cloud: &Cloud,
    tenant: &str,
    client_id: &str,
    client_secret: &Secret,
    target: AppOnlyTarget,
) -> Result<AppOnly, Diagnosis> {
    let scope = app_only_scope(target, cloud);
    let tokens = request_token(
        cloud,
        tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("scope", &scope),
        ],
    )
    .await?;
    let roles = jwt_claims::granted(&tokens.access_token).unwrap_or_default();
    Ok(AppOnly {
        target,
        tokens,
        roles,
        received_at: Utc::now(),
    })
}

/// The enterprise application (service principal) of an app in the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ServicePrincipal {
    /// The enterprise application's object ID (not the app registration's).
    pub object_id: String,
    pub display_name: String,
}

/// `GET /servicePrincipals(appId='…')`: needs Application.Read.All (or Directory.Read.All) in
/// the token, which an admin's token has and a mailbox app's usually does not; the caller then
/// builds the setup without it.
pub async fn find_service_principal(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    client_id: &str,
) -> Result<ServicePrincipal, Diagnosis> {
    if uuid::Uuid::parse_str(client_id).is_err() {
        return Err(Diagnosis::field(
            "Application (client) ID",
            "app.client_id",
            format!("“{client_id}” is not a GUID."),
            "Copy the Application (client) ID from the app's Overview page.",
        ));
    }
    let v = graph_get(
        cloud,
        token.secret(),
        &format!("/servicePrincipals(appId='{client_id}')?$select=id,displayName"),
    )
    .await?;
    Ok(ServicePrincipal {
        object_id: v["id"].as_str().unwrap_or_default().to_owned(),
        display_name: v["displayName"].as_str().unwrap_or_default().to_owned(),
    })
}

/// The Exchange Online PowerShell steps for app-only IMAP/SMTP on one mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppOnlySetup {
    pub client_id: String,
    pub tenant_id: String,
    pub mailbox: String,
    /// The enterprise application's object ID, when it could be read.
    pub service_principal_id: Option<String>,
    /// The steps, ready to paste into PowerShell (placeholders in <angle brackets> when an ID
    /// was not known; the comments say where to find it).
    pub script: String,
}

/// Written into the script when the enterprise application's object ID is not known.
pub const OBJECT_ID_PLACEHOLDER: &str = "<ENTERPRISE_APP_OBJECT_ID>";

impl AppOnlySetup {
    pub fn new(
        client_id: &str,
        tenant_id: &str,
        display_name: &str,
        mailbox: &str,
        service_principal: Option<&ServicePrincipal>,
    ) -> Self {
        let sp_id = service_principal
            .map(|s| s.object_id.clone())
            .filter(|s| !s.is_empty());
        let object_id = sp_id.as_deref().unwrap_or(OBJECT_ID_PLACEHOLDER);
        let ps = |s: &str| s.replace('\'', "''");
        let mut script = String::new();
        script.push_str("# App-only IMAP/SMTP for one mailbox: run in PowerShell as an Exchange administrator.\n");
        script.push_str("Install-Module -Name ExchangeOnlineManagement -Scope CurrentUser\n");
        script.push_str("Import-Module ExchangeOnlineManagement\n");
        script.push_str(&format!(
            "Connect-ExchangeOnline -Organization '{}'\n\n",
            ps(tenant_id)
        ));
        if sp_id.is_none() {
            script.push_str(&format!(
                "# {OBJECT_ID_PLACEHOLDER}: Entra admin center > Enterprise applications > {} > Overview > Object ID.\n# It is the enterprise application's object ID, NOT the one on the App registrations page; the wrong one makes IMAP and SMTP refuse the token.\n",
                display_name
            ));
        }
        script.push_str("# 1. Register the app's service principal in Exchange Online.\n");
        script.push_str(&format!(
            "New-ServicePrincipal -AppId '{}' -ObjectId '{}' -DisplayName '{}'\n\n",
            ps(client_id),
            ps(object_id),
            ps(display_name)
        ));
        script.push_str(
            "# 2. Give it full access to the mailbox (IMAP reads and SMTP sends with it).\n",
        );
        script.push_str(&format!(
            "Add-MailboxPermission -Identity '{}' -User '{}' -AccessRights FullAccess\n\n",
            ps(mailbox),
            ps(object_id)
        ));
        script.push_str("# 3. Check: the service principal and its permission on the mailbox.\n");
        script.push_str(&format!(
            "Get-ServicePrincipal -Identity '{}' | Format-List\n",
            ps(object_id)
        ));
        script.push_str(&format!(
            "Get-MailboxPermission -Identity '{}' -User '{}'\n",
            ps(mailbox),
            ps(object_id)
        ));
        Self {
            client_id: client_id.to_owned(),
            tenant_id: tenant_id.to_owned(),
            mailbox: mailbox.to_owned(),
            service_principal_id: sp_id,
            script,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;

    #[test]
    fn outlook_app_only_scope_uses_exchange_onlines_name() {
        let global = Cloud::preset(CloudPreset::Global);
        assert_eq!(
            app_only_scope(AppOnlyTarget::ImapSmtp, &global),
            "https://outlook.office365.com/.default"
        );
        assert_eq!(
            app_only_scope(AppOnlyTarget::Graph, &global),
            "https://graph.microsoft.com/.default"
        );
        let china = Cloud::preset(CloudPreset::China);
        assert_eq!(
            app_only_scope(AppOnlyTarget::ImapSmtp, &china),
            "https://partner.outlook.cn/.default"
        );
    }

    #[test]
    fn the_setup_script_fills_in_ids_or_explains_the_placeholder() {
        let sp = ServicePrincipal {
            object_id: "11111111-aaaa-4bbb-8ccc-222222222222".into(),
            display_name: "Helpdesk".into(),
        };
        let s = AppOnlySetup::new(
            "app-id",
            "tid",
            "Helpdesk",
            "support@contoso.test",
            Some(&sp),
        );
        assert!(s.script.contains(
            "New-ServicePrincipal -AppId 'app-id' -ObjectId '11111111-aaaa-4bbb-8ccc-222222222222' -DisplayName 'Helpdesk'"
        ));
        assert!(s.script.contains(
            "Add-MailboxPermission -Identity 'support@contoso.test' -User '11111111-aaaa-4bbb-8ccc-222222222222' -AccessRights FullAccess"
        ));
        assert!(!s.script.contains(OBJECT_ID_PLACEHOLDER));
        let s = AppOnlySetup::new(
            "app-id",
            "tid",
            "O'Brien desk",
            "support@contoso.test",
            None,
        );
        assert_eq!(s.service_principal_id, None);
        assert!(s
            .script
            .contains(&format!("-ObjectId '{OBJECT_ID_PLACEHOLDER}'")));
        assert!(s
            .script
            .contains("Enterprise applications > O'Brien desk > Overview > Object ID"));
        assert!(s.script.contains("-DisplayName 'O''Brien desk'"));
    }
}
