//! Apply: perform a plan's changes in order. Each change reads the current state first and does
//! only what is still missing, so running it again after a partial failure is safe.

use super::app_secrets::{create_password, NewSecret};
use super::desired::DesiredApp;
use super::graph_client::{odata_string, Graph};
use super::plan::{
    assigned_roles, configured_graph_access, find_grant, find_service_principal,
    graph_service_principal, kind_str, str_of, Action, Plan,
};
use crate::identity::permissions::GRAPH_APP_ID;
use crate::{
    catalog::Diagnosis,
    cloud::Cloud,
    identity::Permission,
    platform::{Secret, SecretStore},
};
use serde::Serialize;
use serde_json::{json, Value};
use ts_rs::TS;

/// The key under which the new client secret of `client_id` is kept.
pub fn client_secret_key(client_id: &str) -> String {
    format!("app/{client_id}/client-secret")
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Applied {
    pub client_id: String,
    pub tenant_id: String,
    /// The application object's id (not the client ID).
    pub object_id: String,
    pub service_principal_id: String,
    pub secret: Option<NewSecret>,
    /// What was done, a sentence per change.
    pub done: Vec<String>,
}

/// What the admin sees once after applying: the result and the new secret's value, which is
/// otherwise only in the keyring.
#[derive(Debug, Serialize, TS)]
pub struct AppliedOnce {
    pub applied: Applied,
    pub secret_value: Option<String>,
}

impl AppliedOnce {
    pub fn reveal(applied: Applied) -> Self {
        let secret_value = applied.secret.as_ref().map(|n| n.value.expose().to_owned());
        Self {
            applied,
            secret_value,
        }
    }
}

struct AppRef {
    object_id: String,
    client_id: String,
}

/// Performs `plan` with the admin's token. The new secret goes into `store` under
/// [`client_secret_key`] before this returns; it never appears in a diagnosis.
pub async fn apply(
    cloud: &Cloud,
    admin_token: &Secret,
    plan: &Plan,
    store: &dyn SecretStore,
) -> Result<Applied, Diagnosis> {
    let desired = &plan.desired;
    desired.validate()?;
    let graph = Graph::new(cloud, admin_token)?;
    let mut app = plan.existing.as_ref().map(|e| AppRef {
        object_id: e.object_id.clone(),
        client_id: e.client_id.clone(),
    });
    let mut secret = None;
    let mut done = Vec::new();
    for change in &plan.changes {
        if let Action::CreateApplication = change.action {
            app = Some(create_application(&graph, desired).await?);
            done.push(change.summary.clone());
            continue;
        }
        let a = app.as_ref().ok_or_else(stale_plan)?;
        let app_path = format!("/applications/{}", a.object_id);
        match &change.action {
            Action::CreateApplication => {}
            Action::SetSignInAudience { audience } => {
                graph
                    .patch(&app_path, &json!({ "signInAudience": audience }))
                    .await?;
            }
            Action::AddRedirectUris { .. } => {
                let current = graph.get(&app_path, &[("$select", "id,web")]).await?;
                let mut uris: Vec<String> = current["web"]["redirectUris"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                let before = uris.len();
                for u in &desired.web_redirect_uris {
                    if !uris.contains(u) {
                        uris.push(u.clone());
                    }
                }
                if uris.len() != before {
                    graph
                        .patch(&app_path, &json!({ "web": { "redirectUris": uris } }))
                        .await?;
                }
            }
            Action::AddPermissions { .. } => {
                let current = graph
                    .get(&app_path, &[("$select", "id,requiredResourceAccess")])
                    .await?;
                if let Some(rra) = merged_resource_access(
                    &current["requiredResourceAccess"],
                    desired.channel.permissions(),
                ) {
                    graph
                        .patch(&app_path, &json!({ "requiredResourceAccess": rra }))
                        .await?;
                }
            }
            Action::SetPublicClientFlows { enabled } => {
                graph
                    .patch(&app_path, &json!({ "isFallbackPublicClient": enabled }))
                    .await?;
            }
            Action::AddSecret { months } => {
                secret = Some(add_secret(&graph, a, *months, store).await?);
            }
            Action::CreateServicePrincipal => {
                ensure_service_principal(&graph, &a.client_id).await?;
            }
            Action::GrantDelegated { .. } => {
                let sp = ensure_service_principal(&graph, &a.client_id).await?;
                grant_delegated(&graph, &sp, &desired.scopes()).await?;
            }
            Action::AssignAppRoles { .. } => {
                let sp = ensure_service_principal(&graph, &a.client_id).await?;
                assign_roles(&graph, &sp, desired.channel.permissions()).await?;
            }
        }
        done.push(change.summary.clone());
    }
    let a = app.ok_or_else(stale_plan)?;
    let sp = find_service_principal(&graph, &a.client_id)
        .await?
        .ok_or_else(|| {
            Diagnosis::new(
                "register.no_sp",
                "The app has no service principal in this tenant",
                format!(
                    "No enterprise application exists for appId {}.",
                    a.client_id
                ),
                "Make the plan again and apply it; it creates the service principal.",
            )
        })?;
    let sp_value = graph
        .get(
            &format!("/servicePrincipals/{sp}"),
            &[("$select", "id,appOwnerOrganizationId")],
        )
        .await?;
    Ok(Applied {
        client_id: a.client_id,
        tenant_id: str_of(&sp_value["appOwnerOrganizationId"]),
        object_id: a.object_id,
        service_principal_id: sp,
        secret,
        done,
    })
}

fn stale_plan() -> Diagnosis {
    Diagnosis::new(
        "register.stale_plan",
        "The plan does not name an app registration",
        "The plan neither creates an app nor names an existing one.",
        "Make the plan again, then apply it.",
    )
}

async fn create_application(graph: &Graph, desired: &DesiredApp) -> Result<AppRef, Diagnosis> {
    // The plan found no app of this name; if one appeared since, do not make a twin.
    let filter = format!("displayName eq {}", odata_string(&desired.display_name));
    let twins = graph
        .list(
            "/applications",
            &[("$filter", &filter), ("$select", "id,appId,displayName")],
        )
        .await?;
    if twins
        .iter()
        .any(|a| a["displayName"].as_str() == Some(desired.display_name.as_str()))
    {
        return Err(Diagnosis::new(
            "register.appeared",
            "An app with this name appeared since the plan was made",
            format!(
                "An app registration named “{}” exists now.",
                desired.display_name
            ),
            "Make the plan again: it repairs the existing app instead of creating a second one.",
        ));
    }
    let rra = merged_resource_access(&Value::Array(Vec::new()), desired.channel.permissions())
        .unwrap_or_default();
    let body = json!({
        "displayName": desired.display_name,
        "signInAudience": desired.sign_in_audience,
        "web": { "redirectUris": desired.web_redirect_uris },
        "requiredResourceAccess": rra,
        "isFallbackPublicClient": desired.allow_public_client_flows,
    });
    let created = graph.post("/applications", &body).await?;
    Ok(AppRef {
        object_id: str_of(&created["id"]),
        client_id: str_of(&created["appId"]),
    })
}

/// requiredResourceAccess with the missing Microsoft Graph permissions added (other resources
/// and permissions kept), or `None` when nothing is missing.
fn merged_resource_access(current: &Value, wanted: &[Permission]) -> Option<Vec<Value>> {
    let have = configured_graph_access(current);
    let missing: Vec<&Permission> = wanted
        .iter()
        .filter(|p| !have.contains(&(p.id.to_ascii_lowercase(), kind_str(p.kind))))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut entries: Vec<Value> = current.as_array().cloned().unwrap_or_default();
    let add = missing
        .iter()
        .map(|p| json!({ "id": p.id, "type": kind_str(p.kind) }));
    match entries.iter_mut().find(|e| {
        e["resourceAppId"]
            .as_str()
            .is_some_and(|r| r.eq_ignore_ascii_case(GRAPH_APP_ID))
    }) {
        Some(e) => {
            let mut list = e["resourceAccess"].as_array().cloned().unwrap_or_default();
            list.extend(add);
            e["resourceAccess"] = Value::Array(list);
        }
        None => entries.push(json!({
            "resourceAppId": GRAPH_APP_ID,
            "resourceAccess": add.collect::<Vec<_>>(),
        })),
    }
    Some(entries)
}

async fn add_secret(
    graph: &Graph,
    app: &AppRef,
    months: u32,
    store: &dyn SecretStore,
) -> Result<NewSecret, Diagnosis> {
    let name = format!("m365-onboard {}", chrono::Utc::now().format("%Y-%m-%d"));
    let new = create_password(graph, &app.object_id, &name, months).await?;
    let secret_id = &new.secret_id;
    store
        .put(&client_secret_key(&app.client_id), &new.value)
        .map_err(|d| {
            Diagnosis::new(
                "register.secret.unsaved",
                "The new client secret could not be kept in the keyring",
                format!(
                    "The secret with ID {secret_id} was created but the {} refused it: {}",
                    store.backend(),
                    d.detail
                ),
                format!(
                    "Unlock the keyring, delete the secret {secret_id} under Certificates & secrets in the Entra admin center, then run this again with a new secret. ({})",
                    d.fix
                ),
            )
        })?;
    Ok(new)
}

/// The service principal's object id, created if missing. Right after the app was created the
/// directory may not know it yet (replication), so a refusal is retried a few times.
async fn ensure_service_principal(graph: &Graph, app_id: &str) -> Result<String, Diagnosis> {
    let mut attempt = 0;
    loop {
        if let Some(id) = find_service_principal(graph, app_id).await? {
            return Ok(id);
        }
        match graph
            .post("/servicePrincipals", &json!({ "appId": app_id }))
            .await
        {
            Ok(sp) => return Ok(str_of(&sp["id"])),
            Err(d)
                if attempt < 4
                    && matches!(d.code.as_str(), "graph.refused" | "register.not_found") =>
            {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
            Err(d) => return Err(d),
        }
    }
}

async fn grant_delegated(graph: &Graph, sp: &str, scopes: &[&str]) -> Result<(), Diagnosis> {
    if scopes.is_empty() {
        return Ok(());
    }
    let graph_sp = graph_service_principal(graph).await?;
    match find_grant(graph, sp, &graph_sp).await? {
        None => {
            graph
                .post(
                    "/oauth2PermissionGrants",
                    &json!({
                        "clientId": sp,
                        "consentType": "AllPrincipals",
                        "resourceId": graph_sp,
                        "scope": scopes.join(" "),
                    }),
                )
                .await?;
        }
        Some(g) => {
            let mut all: Vec<String> = g.scope.split_whitespace().map(str::to_owned).collect();
            let before = all.len();
            for s in scopes {
                if !all.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                    all.push((*s).to_owned());
                }
            }
            if all.len() != before {
                graph
                    .patch(
                        &format!("/oauth2PermissionGrants/{}", g.id),
                        &json!({ "scope": all.join(" ") }),
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

async fn assign_roles(graph: &Graph, sp: &str, wanted: &[Permission]) -> Result<(), Diagnosis> {
    let graph_sp = graph_service_principal(graph).await?;
    let have = assigned_roles(graph, sp, &graph_sp).await?;
    for p in wanted
        .iter()
        .filter(|p| p.kind == crate::identity::PermissionType::Role)
    {
        if have.contains(&p.id.to_ascii_lowercase()) {
            continue;
        }
        graph
            .post(
                &format!("/servicePrincipals/{graph_sp}/appRoleAssignedTo"),
                &json!({ "principalId": sp, "resourceId": graph_sp, "appRoleId": p.id }),
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::ChannelKind;

    #[test]
    fn missing_permissions_join_the_graph_entry_and_keep_the_rest() {
        let current = json!([
            { "resourceAppId": "00000002-0000-0ff1-ce00-000000000000", "resourceAccess": [ { "id": "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "type": "Role" } ] },
            { "resourceAppId": GRAPH_APP_ID, "resourceAccess": [ { "id": "E2A3A72E-5F79-4C64-B1B1-878B674786C9", "type": "Role" } ] }
        ]);
        let merged =
            merged_resource_access(&current, ChannelKind::GraphApplication.permissions()).unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0], current[0]);
        let ids: Vec<&str> = merged[1]["resourceAccess"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "E2A3A72E-5F79-4C64-B1B1-878B674786C9",
                "b633e1c5-b582-4048-a93e-9f11b44c7e96",
                "df021288-bdef-4463-88db-98f22de89214"
            ]
        );
        let all = Value::Array(merged);
        assert!(
            merged_resource_access(&all, ChannelKind::GraphApplication.permissions()).is_none()
        );
    }
}
