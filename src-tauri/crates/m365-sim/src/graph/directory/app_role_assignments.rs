//! `/servicePrincipals/{id}/appRoleAssignedTo` (and `/appRoleAssignments`): application
//! permissions granted to a client's service principal. An assignment on Microsoft Graph is what
//! puts the role into the client's client-credentials tokens.

use super::grants::apply_consent;
use super::permissions::{self, Kind};
use super::query::{self as dir, guid_bytes, invalid_property, Access};
use super::service_principals;
use crate::graph::caller::Caller;
use crate::graph::error::GraphError;
use crate::tenant::directory::RoleAssignment;
use crate::tenant::sim::Shared;
use crate::tenant::world::World;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

const READ: [&str; 5] = [
    "Application.Read.All",
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: [&str; 1] = ["AppRoleAssignment.ReadWrite.All"];
const RESOURCE: &str = "AppRoleAssignment";

/// The keys and order of Microsoft's sample (graph_approleassignedto_create_response.json).
fn representation(world: &World, tenant: usize, a: &RoleAssignment) -> Value {
    let name = |id: &str| {
        service_principals::find(world, tenant, id)
            .map(|p| p.display_name)
            .ok()
    };
    json!({
        "id": a.id,
        "deletedDateTime": null,
        "appRoleId": a.app_role_id,
        "createdDateTime": dir::timestamp(a.created),
        "principalDisplayName": name(&a.principal_id),
        "principalId": a.principal_id,
        "principalType": "ServicePrincipal",
        "resourceDisplayName": name(&a.resource_id),
        "resourceId": a.resource_id,
    })
}

fn context(sim: &Shared, sp: &str, nav: &str) -> String {
    format!(
        "{}/graph/v1.0/$metadata#servicePrincipals('{sp}')/{nav}",
        sim.base_url
    )
}

pub async fn create(
    State(sim): State<Shared>,
    caller: Caller,
    Path(resource_sp): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = dir::json_object(&body)?;
    let now = sim.clock.now();
    let mut world = sim.world();
    dir::require(&world, &caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    let resource = service_principals::find(&world, tenant, &resource_sp)?;
    dir::only_known(
        &body,
        &["principalId", "resourceId", "appRoleId"],
        "appRoleAssignment",
    )?;
    let field = |key: &str| {
        dir::opt_string(&body, key, RESOURCE)?
            .filter(|v| dir::is_guid(v))
            .ok_or_else(|| invalid_property(key, RESOURCE))
    };
    let principal_id = field("principalId")?;
    let resource_id = field("resourceId")?;
    let app_role_id = field("appRoleId")?;
    if !resource_id.eq_ignore_ascii_case(&resource.id) {
        return Err(invalid_property("resourceId", RESOURCE));
    }
    let principal = service_principals::find(&world, tenant, &principal_id)?;
    let role_exists = resource.is_graph() && permissions::by_id(&app_role_id, Kind::Role).is_some();
    if !role_exists {
        return Err(dir::bad_request(
            "Permission being assigned was not found on application",
        ));
    }
    let duplicate = world.directory.assignments.iter().any(|a| {
        a.tenant == tenant
            && a.principal_id.eq_ignore_ascii_case(&principal.id)
            && a.resource_id.eq_ignore_ascii_case(&resource.id)
            && a.app_role_id.eq_ignore_ascii_case(&app_role_id)
    });
    if duplicate {
        return Err(dir::bad_request(
            "Permission being assigned already exists on the object",
        ));
    }
    // Microsoft's assignment ids start with the principal's id; the rest identifies the assignment.
    let mut bytes = guid_bytes(&principal.id).to_vec();
    bytes.extend(guid_bytes(&dir::derived_guid(&[
        "appRoleAssignment",
        &principal.id,
        &resource.id,
        &app_role_id.to_ascii_lowercase(),
    ])));
    let assignment = RoleAssignment {
        tenant,
        id: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        principal_id: principal.id.clone(),
        resource_id: resource.id.clone(),
        app_role_id: app_role_id.to_ascii_lowercase(),
        created: now,
    };
    let value = representation(&world, tenant, &assignment);
    world.directory.assignments.push(assignment);
    apply_consent(&mut world, tenant);
    let context = format!(
        "{}/$entity",
        context(&sim, &resource.id, "appRoleAssignedTo")
    );
    Ok((StatusCode::CREATED, Json(dir::entity(context, value))))
}

fn listing(
    sim: &Shared,
    caller: &Caller,
    sp: &str,
    nav: &str,
    pick: impl Fn(&RoleAssignment, &str) -> bool,
) -> Result<Json<Value>, GraphError> {
    let world = sim.world();
    dir::require(&world, caller, &READ, Access::Read)?;
    let tenant = dir::tenant_of(&world, caller)?;
    let p = service_principals::find(&world, tenant, sp)?;
    let values = world
        .directory
        .assignments
        .iter()
        .filter(|a| a.tenant == tenant && pick(a, &p.id))
        .map(|a| representation(&world, tenant, a))
        .collect();
    Ok(Json(dir::collection(context(sim, &p.id, nav), values)))
}

/// Who holds this resource's roles.
pub async fn assigned_to(
    State(sim): State<Shared>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Json<Value>, GraphError> {
    listing(&sim, &caller, &sp, "appRoleAssignedTo", |a, id| {
        a.resource_id.eq_ignore_ascii_case(id)
    })
}

/// Which roles this principal holds.
pub async fn assignments(
    State(sim): State<Shared>,
    caller: Caller,
    Path(sp): Path<String>,
) -> Result<Json<Value>, GraphError> {
    listing(&sim, &caller, &sp, "appRoleAssignments", |a, id| {
        a.principal_id.eq_ignore_ascii_case(id)
    })
}

/// `DELETE /servicePrincipals/{resource}/appRoleAssignedTo/{assignment}`.
pub async fn delete(
    State(sim): State<Shared>,
    caller: Caller,
    Path((sp, id)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    let mut world = sim.world();
    dir::require(&world, &caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    let resource = service_principals::find(&world, tenant, &sp)?;
    let i = world
        .directory
        .assignments
        .iter()
        .position(|a| a.tenant == tenant && a.id == id && a.resource_id == resource.id)
        .ok_or_else(|| dir::not_found(&id))?;
    world.directory.assignments.remove(i);
    apply_consent(&mut world, tenant);
    Ok(StatusCode::NO_CONTENT)
}
