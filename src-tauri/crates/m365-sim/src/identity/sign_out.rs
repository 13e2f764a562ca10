//! The end-session endpoint that discovery names: `GET /{tenant}/oauth2/v2.0/logout`.
//! The simulator keeps no browser session, so signing out is only its answer: a 302 Found to
//! `post_logout_redirect_uri` when an app registers that URI (with `state` back, as OpenID
//! Connect RP-Initiated Logout asks), otherwise the signed-out page, which is also what Microsoft
//! shows for a URI no app registers rather than sending the browser there.

use crate::identity::authorize::{page_error, redirect_matches, redirect_to};
use crate::identity::pages;
use crate::tenant::sim::Shared;
use crate::tenant::world::{TenantPath, World};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;

pub async fn logout(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let registered = {
        let world = sim.world();
        let path = match world.resolve_tenant(&segment) {
            Ok(p) => p,
            Err(e) => {
                drop(world);
                return page_error(&sim, e);
            }
        };
        q.get("post_logout_redirect_uri")
            .filter(|uri| registered_anywhere(&world, path, q.get("client_id"), uri))
            .cloned()
    };
    match registered {
        Some(uri) => {
            let state: Vec<(&str, &str)> = q
                .get("state")
                .map(|s| ("state", s.as_str()))
                .into_iter()
                .collect();
            redirect_to(&uri, &state)
        }
        None => pages::message(
            "You signed out of your account",
            "It's a good idea to close all browser windows.",
        ),
    }
}

/// Whether `uri` is a redirect URI of the named app, or of any app the path's tenant holds.
fn registered_anywhere(
    world: &World,
    path: TenantPath,
    client_id: Option<&String>,
    uri: &str,
) -> bool {
    let matches = |app: &crate::tenant::seed::AppSeed| {
        app.redirect_uris
            .web
            .iter()
            .chain(&app.redirect_uris.public)
            .any(|r| redirect_matches(r, uri))
    };
    if let Some(id) = client_id {
        return world.find_app(path, id).is_ok_and(|(_, app)| matches(app));
    }
    let tenants: Vec<usize> = match path {
        TenantPath::Tenant(t) => vec![t],
        _ => (0..world.tenants.len()).collect(),
    };
    tenants
        .into_iter()
        .filter_map(|t| world.tenants.get(t))
        .any(|t| t.apps.iter().any(matches))
}
