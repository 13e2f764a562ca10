//! Exchange Online's side of IMAP and SMTP AUTH for the real Dovecot: RFC 7662 introspection of
//! the simulator's access tokens, served under `/_sim/introspect` for Dovecot's oauth2 passdb.

use crate::tenant::sim::Shared;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;

/// RFC 7662 introspection as Dovecot's oauth2 passdb asks for it (`introspection_mode = post`).
/// With `mailbox` (and optionally `scope`), it also answers `mailbox_access`: whether the token
/// may open that mailbox as Exchange Online allows it (its owner's, or a shared mailbox the owner
/// has full access to) with that scope. An active token's answer also carries its tenant's
/// `smtp_client_auth`, which the mail stack's SMTP AUTH check reads.
pub async fn introspect(
    State(sim): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let now = sim.clock.now();
    let world = sim.world();
    let active = form
        .get("token")
        .and_then(|t| world.access.get(t))
        .filter(|a| a.expires > now);
    let mut body = match active {
        Some(a) => json!({
            "active": true,
            "aud": a.audience,
            "client_id": a.client_id,
            "tid": a.tenant_id,
            "username": a.user,
            "email": a.user,
            "scope": a.scopes.join(" "),
            "roles": a.roles,
            "exp": a.expires.timestamp(),
            "smtp_client_auth": world
                .tenants
                .iter()
                .find(|t| t.id == a.tenant_id)
                .is_none_or(|t| t.smtp_client_auth),
        }),
        None => json!({ "active": false }),
    };
    if let (Some(token), Some(mailbox)) = (active, form.get("mailbox")) {
        let user = token.user.as_deref().unwrap_or_default();
        let owner = user.eq_ignore_ascii_case(mailbox);
        let delegate = world
            .tenants
            .iter()
            .flat_map(|t| &t.shared_mailboxes)
            .any(|s| {
                s.address.eq_ignore_ascii_case(mailbox)
                    && s.full_access.iter().any(|u| u.eq_ignore_ascii_case(user))
            });
        let scoped = form
            .get("scope")
            .is_none_or(|s| token.scopes.iter().any(|x| x.eq_ignore_ascii_case(s)));
        body["mailbox_access"] = json!((owner || delegate) && scoped);
    }
    axum::Json(body).into_response()
}
