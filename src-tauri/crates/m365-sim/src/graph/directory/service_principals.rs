//! `/servicePrincipals`: an app's presence in a tenant. Microsoft Graph's own (with its real
//! `appRoles` and `oauth2PermissionScopes`) and the first-party apps' exist in every tenant; apps
//! registered in the portal (the seed) have one; apps created through Graph get one on POST.

use super::applications::{self, Key, READ, WRITE};
use super::permissions::{self, GRAPH_APP_ID};
use super::query::{self as dir, service_principal_id, Access, MICROSOFT_TENANT};
use crate::graph::caller::Caller;
use crate::graph::error::GraphError;
use crate::tenant::seed::AppSeed;
use crate::tenant::sim::Shared;
use crate::tenant::world::World;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;

const RESOURCE: &str = "ServicePrincipal";
const GRAPH_NAME: &str = "Microsoft Graph";

type Params = Query<HashMap<String, String>>;

/// One service principal of a tenant.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    /// The app behind it, when it is one of the tenant's apps (or a first-party one).
    pub app: Option<AppSeed>,
}

impl Principal {
    pub fn is_graph(&self) -> bool {
        self.app_id.eq_ignore_ascii_case(GRAPH_APP_ID)
    }
}

/// The tenant's service principals: Microsoft Graph's first, then its apps' that exist.
pub fn all(world: &World, tenant: usize) -> Vec<Principal> {
    let tid = &world.tenants[tenant].id;
    let mut out = vec![Principal {
        id: service_principal_id(tid, GRAPH_APP_ID),
        app_id: GRAPH_APP_ID.to_owned(),
        display_name: GRAPH_NAME.to_owned(),
        app: None,
    }];
    for a in &world.tenants[tenant].apps {
        if a.service_principal || a.first_party {
            out.push(Principal {
                id: service_principal_id(tid, &a.client_id),
                app_id: a.client_id.clone(),
                display_name: a.display_name.clone(),
                app: Some(a.clone()),
            });
        }
    }
    out
}

pub fn find(world: &World, tenant: usize, id: &str) -> Result<Principal, GraphError> {
    all(world, tenant)
        .into_iter()
        .find(|p| p.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| dir::not_found(id))
}

/// The keys and order of Microsoft's sample (graph_serviceprincipal_create_response.json).
pub fn representation(world: &World, tenant: usize, p: &Principal) -> Value {
    let first_party = p.app.as_ref().is_none_or(|a| a.first_party);
    let (owner, publisher) = if first_party {
        (MICROSOFT_TENANT.to_owned(), "Microsoft Services".to_owned())
    } else {
        let domain = applications::publisher_domain(world, tenant);
        let org = domain.split('.').next().unwrap_or_default();
        let mut chars = org.chars();
        let name = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        (world.tenants[tenant].id.clone(), name)
    };
    let reply_urls: Vec<String> = p
        .app
        .iter()
        .flat_map(|a| a.redirect_uris.web.iter().chain(&a.redirect_uris.public))
        .cloned()
        .collect();
    let mut names = vec![p.app_id.clone()];
    if p.is_graph() {
        names.extend([
            "https://graph.microsoft.com".to_owned(),
            "https://graph.microsoft.com/".to_owned(),
            "https://canary.graph.microsoft.com".to_owned(),
        ]);
    }
    let (roles, scopes) = if p.is_graph() {
        (permissions::app_roles(), permissions::permission_scopes())
    } else {
        (Vec::new(), Vec::new())
    };
    json!({
        "id": p.id,
        "deletedDateTime": null,
        "accountEnabled": true,
        "appDisplayName": p.display_name,
        "appId": p.app_id,
        "appOwnerOrganizationId": owner,
        "appRoleAssignmentRequired": false,
        "displayName": p.display_name,
        "homepage": null,
        "logoutUrl": null,
        "publisherName": publisher,
        "replyUrls": reply_urls,
        "servicePrincipalNames": names,
        "tags": [],
        "addIns": [],
        "appRoles": roles,
        "info": {
            "termsOfServiceUrl": null,
            "supportUrl": null,
            "privacyStatementUrl": null,
            "marketingUrl": null,
            "logoUrl": null
        },
        "keyCredentials": [],
        "oauth2PermissionScopes": scopes,
        "passwordCredentials": []
    })
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
            "appId",
            "accountEnabled",
            "appRoleAssignmentRequired",
            "tags",
            "notes",
            "description",
        ],
        "servicePrincipal",
    )?;
    let app_id = dir::opt_string(&body, "appId", RESOURCE)?
        .ok_or_else(|| dir::invalid_property("appId", RESOURCE))?;
    let exists = all(&world, tenant)
        .iter()
        .any(|p| p.app_id.eq_ignore_ascii_case(&app_id));
    if exists {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            format!("The service principal cannot be created, updated, or restored because the service principal name {app_id} is already in use."),
        ));
    }
    let i = applications::find(&world, tenant, &Key::AppId(&app_id)).map_err(|_| {
        dir::bad_request(format!(
            "The appId '{app_id}' of the service principal does not reference a valid application object."
        ))
    })?;
    world.tenants[tenant].apps[i].service_principal = true;
    let created = all(&world, tenant)
        .into_iter()
        .find(|p| p.app_id.eq_ignore_ascii_case(&app_id))
        .ok_or_else(|| dir::not_found(&app_id))?;
    let value = representation(&world, tenant, &created);
    let context = dir::context(&sim, "servicePrincipals/$entity", None);
    Ok((StatusCode::CREATED, Json(dir::entity(context, value))))
}

pub async fn list(
    State(sim): State<Shared>,
    caller: Caller,
    Query(q): Params,
) -> Result<Json<Value>, GraphError> {
    let world = sim.world();
    dir::require(&world, &caller, &READ, Access::Read)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    let clauses = match q.get("$filter") {
        Some(f) => dir::parse_filter(f)?,
        None => Vec::new(),
    };
    let principals: Vec<Value> = all(&world, tenant)
        .iter()
        .map(|p| representation(&world, tenant, p))
        .collect();
    // Microsoft Graph's is always there, so the first one shows the type's properties.
    let example = principals.first().cloned().unwrap_or_default();
    let select = dir::parse_select(q.get("$select"), &example, "servicePrincipal")?;
    let mut values = Vec::new();
    for v in principals {
        if dir::matches(&v, &clauses, &["appId", "displayName", "id"], RESOURCE)? {
            values.push(dir::select(v, select.as_deref()));
        }
    }
    let context = dir::context(&sim, "servicePrincipals", select.as_deref());
    Ok(Json(dir::collection(context, values)))
}

fn get_one(
    sim: &Shared,
    caller: &Caller,
    pick: impl Fn(&Principal) -> bool,
    key: &str,
    q: &HashMap<String, String>,
) -> Result<Json<Value>, GraphError> {
    let world = sim.world();
    dir::require(&world, caller, &READ, Access::Read)?;
    let tenant = dir::tenant_of(&world, caller)?;
    let p = all(&world, tenant)
        .into_iter()
        .find(|p| pick(p))
        .ok_or_else(|| dir::not_found(key))?;
    let value = representation(&world, tenant, &p);
    let select = dir::parse_select(q.get("$select"), &value, "servicePrincipal")?;
    let context = match &select {
        Some(names) => format!(
            "{}/$entity",
            dir::context(sim, "servicePrincipals", Some(names))
        ),
        None => dir::context(sim, "servicePrincipals/$entity", None),
    };
    Ok(Json(dir::entity(
        context,
        dir::select(value, select.as_deref()),
    )))
}

pub async fn get(
    State(sim): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Params,
) -> Result<Json<Value>, GraphError> {
    get_one(&sim, &caller, |p| p.id.eq_ignore_ascii_case(&id), &id, &q)
}

/// `GET /servicePrincipals(appId='…')`.
pub fn get_by_app_id(
    sim: &Shared,
    caller: &Caller,
    app_id: &str,
    q: &HashMap<String, String>,
) -> Result<Json<Value>, GraphError> {
    get_one(
        sim,
        caller,
        |p| p.app_id.eq_ignore_ascii_case(app_id),
        app_id,
        q,
    )
}
