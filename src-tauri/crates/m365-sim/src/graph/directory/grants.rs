//! `/oauth2PermissionGrants`: delegated permissions a client may use on a resource, for all
//! users (`AllPrincipals`, admin consent) or for one (`Principal`). A grant is consent: the
//! identity endpoints then issue those scopes without asking.

use super::permissions::{self, Kind, GRAPH_APP_ID};
use super::query::{self as dir, guid_bytes, invalid_property, service_principal_id, Access};
use super::service_principals;
use crate::graph::caller::Caller;
use crate::graph::error::GraphError;
use crate::tenant::directory::PermissionGrant;
use crate::tenant::sim::Shared;
use crate::tenant::world::{consent_key, World};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;

const READ: [&str; 4] = [
    "DelegatedPermissionGrant.Read.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: [&str; 1] = ["DelegatedPermissionGrant.ReadWrite.All"];
const RESOURCE: &str = "OAuth2PermissionGrant";

/// The keys and order of Microsoft's sample (graph_oauth2permissiongrant_create_response.json).
fn representation(g: &PermissionGrant) -> Value {
    json!({
        "clientId": g.client_id,
        "consentType": g.consent_type,
        "id": g.id,
        "principalId": g.principal_id,
        "resourceId": g.resource_id,
        "scope": g.scope,
    })
}

/// Makes the apps of `tenant` carry what the directory grants them: delegated scopes granted to
/// all principals, and the application roles assigned on Microsoft Graph.
pub fn apply_consent(world: &mut World, tenant: usize) {
    let tid = world.tenants[tenant].id.clone();
    let graph = service_principal_id(&tid, GRAPH_APP_ID);
    let grants: Vec<PermissionGrant> = world
        .directory
        .grants
        .iter()
        .filter(|g| g.tenant == tenant && g.consent_type == "AllPrincipals")
        .cloned()
        .collect();
    let assignments: Vec<(String, String)> = world
        .directory
        .assignments
        .iter()
        .filter(|a| a.tenant == tenant && a.resource_id.eq_ignore_ascii_case(&graph))
        .map(|a| (a.principal_id.clone(), a.app_role_id.clone()))
        .collect();
    for app in &mut world.tenants[tenant].apps {
        let sp = service_principal_id(&tid, &app.client_id);
        let mut scopes: Vec<String> = Vec::new();
        for s in grants
            .iter()
            .filter(|g| g.client_id.eq_ignore_ascii_case(&sp))
            .flat_map(|g| g.scope.split_whitespace())
        {
            if !scopes.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                scopes.push(s.to_owned());
            }
        }
        app.granted_scopes = scopes;
        app.granted_roles = assignments
            .iter()
            .filter(|(p, _)| p.eq_ignore_ascii_case(&sp))
            .filter_map(|(_, role)| permissions::by_id(role, Kind::Role))
            .map(|p| p.value.clone())
            .collect();
    }
}

pub async fn create(
    State(sim): State<Shared>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = dir::json_object(&body)?;
    let mut world = sim.world();
    dir::require(&world, &caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    dir::only_known(
        &body,
        &[
            "clientId",
            "consentType",
            "principalId",
            "resourceId",
            "scope",
            "startTime",
            "expiryTime",
        ],
        "oAuth2PermissionGrant",
    )?;
    let field = |key: &str| {
        dir::opt_string(&body, key, RESOURCE)?.ok_or_else(|| invalid_property(key, RESOURCE))
    };
    let client_id = field("clientId")?;
    let consent_type = field("consentType")?;
    let resource_id = field("resourceId")?;
    let scope = field("scope")?;
    let principal_id = dir::opt_string(&body, "principalId", RESOURCE)?;
    let client = service_principals::find(&world, tenant, &client_id)?;
    service_principals::find(&world, tenant, &resource_id)?;
    let principal = match (consent_type.as_str(), &principal_id) {
        ("AllPrincipals", None) => None,
        ("Principal", Some(p)) => Some(
            world.tenants[tenant]
                .users
                .iter()
                .find(|u| u.id.eq_ignore_ascii_case(p))
                .map(|u| u.upn.clone())
                .ok_or_else(|| dir::not_found(p))?,
        ),
        ("AllPrincipals" | "Principal", _) => {
            return Err(invalid_property("principalId", RESOURCE))
        }
        _ => return Err(invalid_property("consentType", RESOURCE)),
    };
    let duplicate = world.directory.grants.iter().any(|g| {
        g.tenant == tenant
            && g.client_id.eq_ignore_ascii_case(&client.id)
            && g.resource_id.eq_ignore_ascii_case(&resource_id)
            && g.consent_type == consent_type
            && g.principal_id.as_deref().map(str::to_ascii_lowercase)
                == principal_id.as_deref().map(str::to_ascii_lowercase)
    });
    if duplicate {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Permission entry already exists.",
        ));
    }
    // Microsoft's grant ids are the client's, the resource's (and the user's) ids, base64url.
    let mut bytes = guid_bytes(&client.id).to_vec();
    bytes.extend(guid_bytes(&resource_id));
    if let Some(p) = &principal_id {
        bytes.extend(guid_bytes(p));
    }
    let grant = PermissionGrant {
        tenant,
        id: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        client_id: client.id.clone(),
        consent_type,
        principal_id,
        resource_id: resource_id.to_ascii_lowercase(),
        scope,
    };
    let value = representation(&grant);
    world.directory.grants.push(grant);
    if let Some(upn) = principal {
        world
            .user_consents
            .insert(consent_key(tenant, &client.app_id, &upn));
    }
    apply_consent(&mut world, tenant);
    let context = dir::context(&sim, "oauth2PermissionGrants/$entity", None);
    Ok((StatusCode::CREATED, Json(dir::entity(context, value))))
}

pub async fn list(
    State(sim): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let world = sim.world();
    dir::require(&world, &caller, &READ, Access::Read)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    let clauses = match q.get("$filter") {
        Some(f) => dir::parse_filter(f)?,
        None => Vec::new(),
    };
    let mut values = Vec::new();
    for g in world.directory.grants.iter().filter(|g| g.tenant == tenant) {
        let v = representation(g);
        let filterable = ["clientId", "consentType", "principalId", "resourceId", "id"];
        if dir::matches(&v, &clauses, &filterable, RESOURCE)? {
            values.push(v);
        }
    }
    let context = dir::context(&sim, "oauth2PermissionGrants", None);
    Ok(Json(dir::collection(context, values)))
}

fn position(world: &World, tenant: usize, id: &str) -> Result<usize, GraphError> {
    world
        .directory
        .grants
        .iter()
        .position(|g| g.tenant == tenant && g.id == id)
        .ok_or_else(|| dir::not_found(id))
}

/// `PATCH /oauth2PermissionGrants/{id}`: a new `scope` (how consent is extended or narrowed).
pub async fn update(
    State(sim): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let body = dir::json_object(&body)?;
    let mut world = sim.world();
    dir::require(&world, &caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    dir::only_known(&body, &["scope"], "oAuth2PermissionGrant")?;
    let i = position(&world, tenant, &id)?;
    if let Some(scope) = dir::opt_string(&body, "scope", RESOURCE)? {
        world.directory.grants[i].scope = scope;
    }
    apply_consent(&mut world, tenant);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(sim): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut world = sim.world();
    dir::require(&world, &caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    let i = position(&world, tenant, &id)?;
    world.directory.grants.remove(i);
    apply_consent(&mut world, tenant);
    Ok(StatusCode::NO_CONTENT)
}
