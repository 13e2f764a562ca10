//! OpenID discovery and the signing keys, per tenant as Microsoft serves them.

use crate::tenant::sim::Shared;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn openid_configuration(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
) -> Response {
    let now = sim.clock.now();
    let resolved = sim.world().resolve_tenant(&segment);
    let tenant_id = match resolved {
        Ok(crate::tenant::world::TenantPath::Tenant(t)) => sim.world().tenants[t].id.clone(),
        // The shared endpoints publish a templated issuer; clients substitute the token's tid.
        Ok(_) => "{tenantid}".to_owned(),
        Err(e) => return e.for_discovery().into_response_at(now, None),
    };
    let base = &sim.base_url;
    let issuer = sim.issuer(&tenant_id);
    axum::Json(json!({
        "token_endpoint": format!("{base}/{segment}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{segment}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/graph/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{segment}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{segment}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{segment}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{base}/{segment}/kerberos"),
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }))
    .into_response()
}

pub async fn keys(State(sim): State<Shared>, Path(segment): Path<String>) -> Response {
    let now = sim.clock.now();
    let resolved = sim.world().resolve_tenant(&segment);
    let issuer = match resolved {
        Ok(crate::tenant::world::TenantPath::Tenant(t)) => sim.issuer(&sim.world().tenants[t].id),
        Ok(_) => sim.issuer("{tenantid}"),
        Err(e) => return e.for_discovery().into_response_at(now, None),
    };
    axum::Json(sim.keys.jwks(&issuer)).into_response()
}
