//! `/me` and `/users/{id | userPrincipalName}`.

use super::caller::Caller;
use super::error::GraphError;
use crate::tenant::seed::UserSeed;
use crate::tenant::sim::Shared;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

const READ_SELF: [&str; 4] = [
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
];
const READ_ALL: [&str; 3] = ["User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"];

pub async fn me(State(sim): State<Shared>, caller: Caller) -> Result<Json<Value>, GraphError> {
    let Some(upn) = caller.0.user.clone() else {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        ));
    };
    if !caller.has_any(&READ_SELF) {
        return Err(insufficient_privileges());
    }
    let user = find(&sim, &upn)?;
    Ok(Json(representation(&sim, &user, "$metadata#users/$entity")))
}

pub async fn user(
    State(sim): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let user = find(&sim, &id)?;
    let own = caller
        .0
        .user
        .as_deref()
        .is_some_and(|u| u.eq_ignore_ascii_case(&user.upn));
    let allowed = if own {
        caller.has_any(&READ_SELF)
    } else {
        caller.has_any(&READ_ALL)
    };
    if !allowed {
        return Err(insufficient_privileges());
    }
    Ok(Json(representation(&sim, &user, "$metadata#users/$entity")))
}

/// A user by object id or UPN, in the caller's directory.
pub fn find(sim: &Shared, id: &str) -> Result<UserSeed, GraphError> {
    let world = sim.world();
    world
        .tenants
        .iter()
        .flat_map(|t| &t.users)
        .find(|u| u.id.eq_ignore_ascii_case(id) || u.upn.eq_ignore_ascii_case(id))
        .cloned()
        .ok_or_else(|| {
            GraphError::new(
                StatusCode::NOT_FOUND,
                "Request_ResourceNotFound",
                format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
            )
        })
}

fn insufficient_privileges() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

/// The fields and order of Microsoft's sample (graph_me_get.json), with the context it omits.
fn representation(sim: &Shared, u: &UserSeed, context: &str) -> Value {
    let (given, surname) = u
        .display_name
        .split_once(' ')
        .unwrap_or((&u.display_name, ""));
    json!({
        "@odata.context": format!("{}/graph/v1.0/{context}", sim.base_url),
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": given,
        "jobTitle": null,
        "mail": if u.licensed { Value::from(u.upn.clone()) } else { Value::Null },
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": "en-US",
        "surname": surname,
        "userPrincipalName": u.upn,
        "id": u.id,
    })
}
