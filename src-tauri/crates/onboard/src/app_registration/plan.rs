//! The plan: read the tenant (nothing is changed) and list, in order, what must change for the
//! registration to match the desired one, each with a sentence and its Graph call.

use super::desired::DesiredApp;
use super::graph_client::{odata_string, Graph};
use crate::identity::permissions::GRAPH_APP_ID;
use crate::{
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{Permission, PermissionType},
    platform::Secret,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// One change, as apply performs it (apply reads the current state again before each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Action {
    /// A new registration with the audience, redirect URIs, permissions and public client flows.
    CreateApplication,
    SetSignInAudience {
        audience: String,
    },
    AddRedirectUris {
        uris: Vec<String>,
    },
    /// Microsoft Graph permissions missing from requiredResourceAccess, by name.
    AddPermissions {
        permissions: Vec<String>,
    },
    SetPublicClientFlows {
        enabled: bool,
    },
    AddSecret {
        months: u32,
    },
    CreateServicePrincipal,
    /// Admin consent for every user (`AllPrincipals` grant) to these delegated scopes.
    GrantDelegated {
        scopes: Vec<String>,
    },
    /// Admin consent for application permissions: app role assignments on Microsoft Graph.
    AssignAppRoles {
        roles: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Change {
    pub action: Action,
    /// What happens, in a sentence for people.
    pub summary: String,
    /// The Graph request that does it, such as `PATCH /v1.0/applications/{id}`.
    pub call: String,
}

/// The registration the plan found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExistingApp {
    pub object_id: String,
    pub client_id: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Plan {
    pub desired: DesiredApp,
    pub existing: Option<ExistingApp>,
    /// What was found, and "nothing to do" when the registration already matches.
    pub notes: Vec<String>,
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Reads the tenant through Graph with the admin's token and returns the changes, in order.
pub async fn plan(
    cloud: &Cloud,
    admin_token: &Secret,
    desired: &DesiredApp,
) -> Result<Plan, Diagnosis> {
    desired.validate()?;
    let graph = Graph::new(cloud, admin_token)?;
    let app = find_application(&graph, desired).await?;
    let mut notes = Vec::new();
    let mut changes = Vec::new();
    let wanted = desired.channel.permissions();
    let scopes: Vec<String> = names(wanted, PermissionType::Scope);
    let roles: Vec<String> = names(wanted, PermissionType::Role);

    let Some(app) = app else {
        changes.push(Change {
            summary: format!(
                "Create the app registration “{}” ({}) with the Web redirect URIs {}, the Microsoft Graph permissions {}, and “Allow public client flows” {}.",
                desired.display_name,
                audience_label(&desired.sign_in_audience),
                desired.web_redirect_uris.join(", "),
                permission_list(wanted),
                if desired.allow_public_client_flows { "on" } else { "off" },
            ),
            call: "POST /v1.0/applications".into(),
            action: Action::CreateApplication,
        });
        changes.push(secret_change(desired, "{new app}", None));
        changes.push(sp_change());
        consent_changes(&mut changes, scopes, roles, None, None);
        return Ok(Plan {
            desired: desired.clone(),
            existing: None,
            notes,
            changes,
        });
    };

    let existing = ExistingApp {
        object_id: str_of(&app["id"]),
        client_id: str_of(&app["appId"]),
        display_name: str_of(&app["displayName"]),
    };
    notes.push(format!(
        "Found the existing app “{}” (appId {}).",
        existing.display_name, existing.client_id
    ));
    let app_path = format!("PATCH /v1.0/applications/{}", existing.object_id);

    if app["signInAudience"].as_str() != Some(desired.sign_in_audience.as_str()) {
        changes.push(Change {
            summary: format!(
                "Change the supported account types to {}.",
                audience_label(&desired.sign_in_audience)
            ),
            call: app_path.clone(),
            action: Action::SetSignInAudience {
                audience: desired.sign_in_audience.clone(),
            },
        });
    }

    let present = strings(&app["web"]["redirectUris"]);
    let missing: Vec<String> = desired
        .web_redirect_uris
        .iter()
        .filter(|u| !present.contains(u))
        .cloned()
        .collect();
    if !missing.is_empty() {
        changes.push(Change {
            summary: format!(
                "Add the missing Web redirect URI{} {}.",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
            call: app_path.clone(),
            action: Action::AddRedirectUris { uris: missing },
        });
    }

    let configured = configured_graph_access(&app["requiredResourceAccess"]);
    let missing: Vec<&Permission> = wanted
        .iter()
        .filter(|p| !configured.contains(&(p.id.to_ascii_lowercase(), kind_str(p.kind))))
        .collect();
    if !missing.is_empty() {
        let list: Vec<Permission> = missing.iter().map(|p| (*p).clone()).collect();
        changes.push(Change {
            summary: format!(
                "Add the missing Microsoft Graph permission{} {} (requiredResourceAccess on {GRAPH_APP_ID}).",
                if list.len() == 1 { "" } else { "s" },
                permission_list(&list)
            ),
            call: app_path.clone(),
            action: Action::AddPermissions {
                permissions: missing.iter().map(|p| p.name.to_owned()).collect(),
            },
        });
    }

    let public = app["isFallbackPublicClient"].as_bool().unwrap_or(false);
    if public != desired.allow_public_client_flows {
        changes.push(Change {
            summary: if desired.allow_public_client_flows {
                "Turn on “Allow public client flows” (isFallbackPublicClient), which device code sign-in of the mailbox needs.".into()
            } else {
                "Turn off “Allow public client flows” (isFallbackPublicClient); the app-only channel does not need it.".into()
            },
            call: app_path.clone(),
            action: Action::SetPublicClientFlows {
                enabled: desired.allow_public_client_flows,
            },
        });
    }

    let now = chrono::Utc::now();
    let valid_secret = app["passwordCredentials"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["endDateTime"].as_str())
        .filter_map(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .any(|end| end > now);
    if desired.new_secret || !valid_secret {
        let why = if valid_secret {
            "as asked"
        } else {
            "because the app has no unexpired secret"
        };
        changes.push(secret_change(desired, &existing.object_id, Some(why)));
    }

    let (sp, graph_sp) = service_principals(&graph, &existing.client_id).await?;
    match &sp {
        None => {
            changes.push(sp_change());
            consent_changes(&mut changes, scopes, roles, None, None);
        }
        Some(sp_id) => {
            let graph_sp = graph_sp.ok_or_else(no_graph_sp)?;
            let (grant, assigned) = consent_state(&graph, sp_id, &graph_sp).await?;
            let granted: Vec<String> = grant
                .as_ref()
                .map(|g| g.scope.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default();
            let missing_scopes: Vec<String> = scopes
                .into_iter()
                .filter(|s| !granted.iter().any(|g| g.eq_ignore_ascii_case(s)))
                .collect();
            let missing_roles: Vec<String> = wanted
                .iter()
                .filter(|p| p.kind == PermissionType::Role)
                .filter(|p| !assigned.contains(&p.id.to_ascii_lowercase()))
                .map(|p| p.name.to_owned())
                .collect();
            consent_changes(
                &mut changes,
                missing_scopes,
                missing_roles,
                grant.map(|g| g.id),
                Some(&graph_sp),
            );
        }
    }

    if changes.is_empty() {
        notes.push("Nothing to do: the app registration, its secret, service principal and admin consent are as they should be.".into());
    }
    Ok(Plan {
        desired: desired.clone(),
        existing: Some(existing),
        notes,
        changes,
    })
}

fn secret_change(desired: &DesiredApp, object_id: &str, why: Option<&str>) -> Change {
    let expires = chrono::Utc::now()
        .checked_add_months(chrono::Months::new(desired.secret_months))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    Change {
        summary: format!(
            "Add a client secret that expires in {} months, on {expires}{}; its value is shown once and kept in the keyring.",
            desired.secret_months,
            why.map(|w| format!(" ({w})")).unwrap_or_default()
        ),
        call: format!("POST /v1.0/applications/{object_id}/addPassword"),
        action: Action::AddSecret {
            months: desired.secret_months,
        },
    }
}

fn sp_change() -> Change {
    Change {
        summary: "Create the app's service principal (its enterprise application) in this tenant."
            .into(),
        call: "POST /v1.0/servicePrincipals".into(),
        action: Action::CreateServicePrincipal,
    }
}

fn consent_changes(
    changes: &mut Vec<Change>,
    scopes: Vec<String>,
    roles: Vec<String>,
    grant_id: Option<String>,
    graph_sp: Option<&str>,
) {
    let graph_sp = graph_sp.unwrap_or("{Microsoft Graph}");
    if !scopes.is_empty() {
        changes.push(Change {
            summary: format!(
                "Grant admin consent on behalf of all users (consentType AllPrincipals) to the delegated Microsoft Graph permissions {}.",
                scopes.join(" ")
            ),
            call: match grant_id {
                Some(id) => format!("PATCH /v1.0/oauth2PermissionGrants/{id}"),
                None => "POST /v1.0/oauth2PermissionGrants".into(),
            },
            action: Action::GrantDelegated { scopes },
        });
    }
    if !roles.is_empty() {
        changes.push(Change {
            summary: format!(
                "Grant admin consent to the application permissions {} (app role assignments on Microsoft Graph).",
                roles.join(", ")
            ),
            call: format!("POST /v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo"),
            action: Action::AssignAppRoles { roles },
        });
    }
}

fn audience_label(audience: &str) -> &'static str {
    match audience {
        "AzureADMultipleOrgs" => "accounts in any organizational directory, multitenant",
        _ => "accounts in this organizational directory only",
    }
}

fn permission_list(ps: &[Permission]) -> String {
    ps.iter()
        .map(|p| {
            format!(
                "{} ({})",
                p.name,
                match p.kind {
                    PermissionType::Scope => "delegated",
                    PermissionType::Role => "application",
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(ps: &[Permission], kind: PermissionType) -> Vec<String> {
    ps.iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.name.to_owned())
        .collect()
}

pub(crate) fn kind_str(k: PermissionType) -> &'static str {
    match k {
        PermissionType::Scope => "Scope",
        PermissionType::Role => "Role",
    }
}

pub(crate) fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// `(id lowercased, "Scope"|"Role")` of every Microsoft Graph permission the app lists.
pub(crate) fn configured_graph_access(rra: &Value) -> Vec<(String, &'static str)> {
    rra.as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            e["resourceAppId"]
                .as_str()
                .is_some_and(|r| r.eq_ignore_ascii_case(GRAPH_APP_ID))
        })
        .flat_map(|e| e["resourceAccess"].as_array().into_iter().flatten())
        .filter_map(|a| {
            let kind = match a["type"].as_str()? {
                "Scope" => "Scope",
                "Role" => "Role",
                _ => return None,
            };
            Some((a["id"].as_str()?.to_ascii_lowercase(), kind))
        })
        .collect()
}

/// The app named by `existing_client_id`, else the one with exactly this display name.
pub(crate) async fn find_application(
    graph: &Graph,
    desired: &DesiredApp,
) -> Result<Option<Value>, Diagnosis> {
    if let Some(id) = &desired.existing_client_id {
        let found = graph
            .list(
                "/applications",
                &[("$filter", &format!("appId eq {}", odata_string(id)))],
            )
            .await?;
        return match found.into_iter().next() {
            Some(app) => Ok(Some(app)),
            None => Err(Diagnosis::field(
                "Client ID",
                "register.client_id.unknown",
                format!("This tenant has no app registration with the client ID {id}."),
                "Check the client ID (Application (client) ID on the app's Overview page) and that you signed in to the tenant that owns the app; or leave it empty to create a new app.",
            )),
        };
    }
    let name = &desired.display_name;
    let found: Vec<Value> = graph
        .list(
            "/applications",
            &[("$filter", &format!("displayName eq {}", odata_string(name)))],
        )
        .await?
        .into_iter()
        .filter(|a| a["displayName"].as_str() == Some(name.as_str()))
        .collect();
    if found.len() > 1 {
        let ids: Vec<String> = found.iter().map(|a| str_of(&a["appId"])).collect();
        return Err(Diagnosis::field(
            "Client ID",
            "register.name.ambiguous",
            format!(
                "{} app registrations are named “{name}” (client IDs {}).",
                found.len(),
                ids.join(", ")
            ),
            "Give the client ID of the one to repair, or choose another name to create a new app.",
        ));
    }
    Ok(found.into_iter().next())
}

/// A collection's path below `/v1.0` and its query, as [`Graph::list_each`] takes them.
type Query = (String, Vec<(&'static str, String)>);

/// Every item of one collection, on its own request.
async fn listed(graph: &Graph, q: &Query) -> Result<Vec<Value>, Diagnosis> {
    let pairs: Vec<(&str, &str)> = q.1.iter().map(|(k, v)| (*k, v.as_str())).collect();
    graph.list(&q.0, &pairs).await
}

/// The service principal of `app_id`, by its `appId`.
fn sp_query(app_id: &str) -> Query {
    (
        "/servicePrincipals".to_owned(),
        vec![
            ("$filter", format!("appId eq {}", odata_string(app_id))),
            ("$select", "id,appId".to_owned()),
        ],
    )
}

fn first_id(found: &[Value]) -> Option<String> {
    found
        .first()
        .and_then(|p| p["id"].as_str())
        .map(str::to_owned)
}

/// The object id of the service principal of `app_id` in this tenant, if there is one.
pub(crate) async fn find_service_principal(
    graph: &Graph,
    app_id: &str,
) -> Result<Option<String>, Diagnosis> {
    Ok(first_id(&listed(graph, &sp_query(app_id)).await?))
}

/// Microsoft Graph's service principal in this tenant (the resource of every consent).
pub(crate) async fn graph_service_principal(graph: &Graph) -> Result<String, Diagnosis> {
    find_service_principal(graph, GRAPH_APP_ID)
        .await?
        .ok_or_else(no_graph_sp)
}

fn no_graph_sp() -> Diagnosis {
    Diagnosis::new(
        "register.no_graph_sp",
        "Microsoft Graph is missing from this tenant's enterprise applications",
        format!("No service principal with appId {GRAPH_APP_ID} was found."),
        "Sign in to the tenant that owns the mailboxes; Microsoft Graph's service principal exists in every Entra tenant.",
    )
}

/// Both answers of a two-request batch (it answers each request it was given, or fails).
fn both<T>(answers: Vec<Result<T, Diagnosis>>) -> Result<(T, T), Diagnosis> {
    let mut it = answers.into_iter();
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => Ok((a?, b?)),
        _ => Err(Diagnosis::new(
            "graph.malformed",
            "Microsoft Graph gave an answer the wizard cannot read",
            "A $batch of two requests came back without both answers.",
            "Check that the Graph URL points at Microsoft Graph, then try again.",
        )),
    }
}

/// The app's service principal and Microsoft Graph's, in one round trip: their object ids if
/// they exist.
pub(crate) async fn service_principals(
    graph: &Graph,
    app_id: &str,
) -> Result<(Option<String>, Option<String>), Diagnosis> {
    let queries = [sp_query(app_id), sp_query(GRAPH_APP_ID)];
    let (app, ms_graph) = both(graph.list_each(&queries).await?)?;
    Ok((first_id(&app), first_id(&ms_graph)))
}

pub(crate) struct Grant {
    pub id: String,
    pub scope: String,
}

/// The `AllPrincipals` grant of the app's service principal on Microsoft Graph.
fn grant_query(sp_id: &str, graph_sp: &str) -> Query {
    let filter = format!(
        "clientId eq {} and consentType eq 'AllPrincipals' and resourceId eq {}",
        odata_string(sp_id),
        odata_string(graph_sp)
    );
    (
        "/oauth2PermissionGrants".to_owned(),
        vec![("$filter", filter)],
    )
}

fn grant_of(found: &[Value]) -> Option<Grant> {
    found.first().map(|g| Grant {
        id: str_of(&g["id"]),
        scope: str_of(&g["scope"]),
    })
}

pub(crate) async fn find_grant(
    graph: &Graph,
    sp_id: &str,
    graph_sp: &str,
) -> Result<Option<Grant>, Diagnosis> {
    Ok(grant_of(
        &listed(graph, &grant_query(sp_id, graph_sp)).await?,
    ))
}

/// The app role assignments of the service principal.
fn roles_query(sp_id: &str) -> Query {
    (
        format!("/servicePrincipals/{sp_id}/appRoleAssignments"),
        vec![],
    )
}

/// The app role ids (lowercased) of `found` on Microsoft Graph.
fn roles_of(found: &[Value], graph_sp: &str) -> Vec<String> {
    found
        .iter()
        .filter(|a| {
            a["resourceId"]
                .as_str()
                .is_some_and(|r| r.eq_ignore_ascii_case(graph_sp))
        })
        .filter_map(|a| a["appRoleId"].as_str())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The app role ids (lowercased) the service principal holds on Microsoft Graph.
pub(crate) async fn assigned_roles(
    graph: &Graph,
    sp_id: &str,
    graph_sp: &str,
) -> Result<Vec<String>, Diagnosis> {
    Ok(roles_of(
        &listed(graph, &roles_query(sp_id)).await?,
        graph_sp,
    ))
}

/// The grant and the app roles of the service principal on Microsoft Graph, in one round trip.
pub(crate) async fn consent_state(
    graph: &Graph,
    sp_id: &str,
    graph_sp: &str,
) -> Result<(Option<Grant>, Vec<String>), Diagnosis> {
    let queries = [grant_query(sp_id, graph_sp), roles_query(sp_id)];
    let (grants, roles) = both(graph.list_each(&queries).await?)?;
    Ok((grant_of(&grants), roles_of(&roles, graph_sp)))
}
