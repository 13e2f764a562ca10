//! The routes of the app-registration endpoints (applications, service principals, permission
//! grants, app role assignments), and the `entitySet(appId='…')` segments Graph also accepts.

use super::query as dir;
use super::{app_role_assignments, applications, grants, service_principals};
use crate::graph::caller::Caller;
use crate::graph::error::GraphError;
use crate::tenant::sim::Shared;
use axum::extract::{Path, Query, State};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde_json::Value;
use std::collections::HashMap;

pub fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/applications/{id}",
            get(applications::get).patch(applications::update),
        )
        .route(
            "/applications/{id}/addPassword",
            post(applications::add_password),
        )
        .route(
            "/applications/{id}/removePassword",
            post(applications::remove_password),
        )
        // `/applications(appId='…')` is one path segment; it is told apart in the handlers.
        .route(
            "/{segment}",
            get(alternate_get).patch(applications::patch_alternate),
        )
        .route(
            "/{segment}/addPassword",
            post(applications::add_password_alternate),
        )
        .route(
            "/{segment}/removePassword",
            post(applications::remove_password_alternate),
        )
        .route(
            "/servicePrincipals",
            get(service_principals::list).post(service_principals::create),
        )
        .route("/servicePrincipals/{id}", get(service_principals::get))
        .route(
            "/servicePrincipals/{id}/appRoleAssignedTo",
            get(app_role_assignments::assigned_to).post(app_role_assignments::create),
        )
        .route(
            "/servicePrincipals/{id}/appRoleAssignedTo/{assignment}",
            delete(app_role_assignments::delete),
        )
        .route(
            "/servicePrincipals/{id}/appRoleAssignments",
            get(app_role_assignments::assignments),
        )
        .route(
            "/oauth2PermissionGrants",
            get(grants::list).post(grants::create),
        )
        .route(
            "/oauth2PermissionGrants/{id}",
            patch(grants::update).delete(grants::delete),
        )
}

async fn alternate_get(
    State(sim): State<Shared>,
    caller: Caller,
    Path(segment): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    if let Some(app_id) = dir::alternate_key(&segment, "applications") {
        return applications::get_by_app_id(&sim, &caller, app_id, &q);
    }
    if let Some(app_id) = dir::alternate_key(&segment, "servicePrincipals") {
        return service_principals::get_by_app_id(&sim, &caller, app_id, &q);
    }
    Err(dir::unknown_segment(&segment))
}
