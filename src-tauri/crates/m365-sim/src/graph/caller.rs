//! Who is calling Graph: the access token from `Authorization: Bearer`, valid, unexpired and
//! issued for Graph (an Outlook-audience token is refused, as Graph refuses it).

use super::error::GraphError;
use crate::tenant::scopes::GRAPH;
use crate::tenant::sim::Shared;
use crate::tenant::world::AccessToken;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

pub struct Caller(pub AccessToken);

impl FromRequestParts<Shared> for Caller {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, sim: &Shared) -> Result<Self, GraphError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .unwrap_or_default();
        if token.is_empty() {
            return Err(GraphError::unauthorized("Access token is empty."));
        }
        let found = sim.world().access.get(token).cloned();
        let Some(at) = found else {
            return Err(GraphError::unauthorized(
                "IDX14100: JWT is not well formed, there are no dots (.).",
            ));
        };
        if at.expires <= sim.clock.now() {
            return Err(GraphError::unauthorized(
                "Lifetime validation failed, the token is expired.",
            ));
        }
        if at.audience != GRAPH {
            return Err(GraphError::unauthorized("Invalid audience."));
        }
        Ok(Caller(at))
    }
}

impl Caller {
    /// Delegated scopes or application roles, whichever the token carries.
    pub fn has_any(&self, permissions: &[&str]) -> bool {
        self.0
            .scopes
            .iter()
            .chain(&self.0.roles)
            .any(|p| permissions.iter().any(|q| p.eq_ignore_ascii_case(q)))
    }
}
