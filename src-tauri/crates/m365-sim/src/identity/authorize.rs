//! `/authorize`, `/adminconsent` (v1 and v2) and the sign-in and consent pages behind them.
//! Errors before the redirect URI is trusted are shown as a page; after, they go to the app.

use crate::identity::pages;
use crate::tenant::aad_error::AadError;
use crate::tenant::scopes::{self, Requested};
use crate::tenant::sim::Shared;
use crate::tenant::world::{consent_key, AuthCode, DeviceState, Flow, FlowKind, TenantPath, World};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

pub(crate) fn page_error(sim: &Shared, e: AadError) -> Response {
    pages::error(
        &e,
        &uuid::Uuid::new_v4().to_string(),
        &uuid::Uuid::new_v4().to_string(),
        sim.clock.now(),
    )
}

/// Redirect-URI matching: exact, except that a loopback URI matches on any port (RFC 8252).
pub fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(a), Ok(b)) = (url::Url::parse(registered), url::Url::parse(requested)) else {
        return false;
    };
    let loopback = |u: &url::Url| matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    loopback(&a)
        && a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.path() == b.path()
        && a.query() == b.query()
}

fn check_redirect(
    world: &World,
    path: TenantPath,
    client_id: &str,
    redirect_uri: &str,
) -> Result<(), AadError> {
    let (_, app) = world.find_app(path, client_id)?;
    let ok = app
        .redirect_uris
        .web
        .iter()
        .chain(&app.redirect_uris.public)
        .any(|r| redirect_matches(r, redirect_uri));
    if ok {
        return Ok(());
    }
    Err(AadError::new(
        "invalid_request",
        50011,
        format!("The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."),
    ))
}

/// The app's redirect with `params` added to its query.
pub(crate) fn redirect_to(uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return pages::message("Bad redirect URI", uri),
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    // 302 Found, as login.microsoftonline.com answers (axum's `Redirect::to` is a 303): clients
    // that follow only 302 must work here too.
    (StatusCode::FOUND, [(header::LOCATION, url.as_str())]).into_response()
}

fn redirect_error(sim: &Shared, flow: &Flow, error: &str, e: &AadError) -> Response {
    let trace = uuid::Uuid::new_v4().to_string();
    let correlation = uuid::Uuid::new_v4().to_string();
    let description = e.description(&trace, &correlation, sim.clock.now());
    let mut params = vec![
        ("error", error),
        ("error_description", description.as_str()),
    ];
    if let Some(s) = &flow.state {
        params.push(("state", s));
    }
    redirect_to(&flow.redirect_uri, &params)
}

/// A flow whose tenant, app and redirect URI are known good; until then errors are pages,
/// since the app's redirect URI cannot be trusted with them.
fn trusted_flow(
    sim: &Shared,
    segment: String,
    q: &HashMap<String, String>,
    kind: FlowKind,
) -> Result<Flow, Response> {
    let world = sim.world();
    let path = world
        .resolve_tenant(&segment)
        .map_err(|e| page_error(sim, e))?;
    let client_id = q.get("client_id").cloned().unwrap_or_default();
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    check_redirect(&world, path, &client_id, &redirect_uri).map_err(|e| page_error(sim, e))?;
    Ok(Flow {
        kind,
        segment,
        path,
        client_id,
        redirect_uri,
        state: q.get("state").cloned(),
        user: None,
    })
}

pub async fn authorize(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
    Query(q): Params,
) -> Response {
    let kind = FlowKind::Authorize {
        scope: q.get("scope").cloned().unwrap_or_default(),
        nonce: q.get("nonce").cloned(),
        challenge: q.get("code_challenge").map(|c| {
            let method = q.get("code_challenge_method").cloned();
            (c.clone(), method.unwrap_or_else(|| "plain".into()))
        }),
        prompt: q.get("prompt").cloned(),
    };
    let flow = match trusted_flow(&sim, segment, &q, kind) {
        Ok(f) => f,
        Err(page) => return page,
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return redirect_error(
            &sim,
            &flow,
            "unsupported_response_type",
            &AadError::new(
                "unsupported_response_type",
                700054,
                "response_type is not supported; only 'code' is enabled for the application.",
            ),
        );
    }
    if let FlowKind::Authorize {
        scope, challenge, ..
    } = &flow.kind
    {
        if let Err(e) = scopes::parse(scope) {
            return redirect_error(&sim, &flow, "invalid_scope", &e);
        }
        if challenge
            .as_ref()
            .is_some_and(|(_, m)| m != "S256" && m != "plain")
        {
            return redirect_error(&sim, &flow, "invalid_request", &AadError::new("invalid_request", 501491, "Invalid size of Code_Challenge parameter or unsupported code_challenge_method."));
        }
    }
    start(
        &sim,
        flow,
        q.get("login_hint").map(String::as_str),
        q.get("prompt").map(String::as_str),
    )
}

/// `/adminconsent` (v1) and `/v2.0/adminconsent`.
pub async fn admin_consent(
    sim: Shared,
    segment: String,
    q: HashMap<String, String>,
    v2: bool,
) -> Response {
    let kind = FlowKind::AdminConsent {
        v2,
        scope: q.get("scope").cloned(),
    };
    let flow = match trusted_flow(&sim, segment, &q, kind) {
        Ok(f) => f,
        Err(page) => return page,
    };
    start(&sim, flow, q.get("login_hint").map(String::as_str), None)
}

pub async fn admin_consent_v1(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
    Query(q): Params,
) -> Response {
    admin_consent(sim, segment, q, false).await
}

pub async fn admin_consent_v2(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
    Query(q): Params,
) -> Response {
    admin_consent(sim, segment, q, true).await
}

/// Signs in at once a seeded `auto_sign_in` user named by `login_hint`; otherwise shows the page.
pub fn start(sim: &Shared, flow: Flow, login_hint: Option<&str>, prompt: Option<&str>) -> Response {
    let auto = login_hint.and_then(|h| {
        let world = sim.world();
        world
            .find_user(h)
            .filter(|(_, u)| u.auto_sign_in)
            .map(|(_, u)| u.upn.clone())
    });
    let segment = flow.segment.clone();
    let id = crate::tenant::keys::random_token(18);
    sim.world().flows.insert(id.clone(), flow);
    match auto {
        Some(upn) => signed_in(sim, &id, &upn),
        None if prompt == Some("none") => {
            let flow = sim.world().flows.remove(&id);
            match flow {
                Some(f) => redirect_error(
                    sim,
                    &f,
                    "login_required",
                    &AadError::new(
                        "login_required",
                        50058,
                        "A silent sign-in request was sent but no user is signed in.",
                    ),
                ),
                None => pages::message(
                    "Expired",
                    "This sign-in has expired; start again from the app.",
                ),
            }
        }
        None => pages::sign_in(&format!("/{segment}/login"), &id, login_hint, None),
    }
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    flow: String,
    username: String,
    password: String,
}

pub async fn login(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
    Form(f): Form<LoginForm>,
) -> Response {
    let action = format!("/{segment}/login");
    let verdict = {
        let world = sim.world();
        if !world.flows.contains_key(&f.flow) {
            return pages::message(
                "Expired",
                "This sign-in has expired; start again from the app.",
            );
        }
        match world.find_user(&f.username) {
            None => Err(format!("AADSTS50034: The user account {} does not exist in the directory. To sign into this application, the account must be added to the directory.", f.username)),
            Some((_, u)) if u.password != f.password => Err("AADSTS50126: Error validating credentials due to invalid username or password.".to_owned()),
            Some((_, u)) => Ok(u.upn.clone()),
        }
    };
    match verdict {
        Ok(upn) => signed_in(&sim, &f.flow, &upn),
        Err(msg) => pages::sign_in(&action, &f.flow, Some(&f.username), Some(&msg)),
    }
}

/// After sign-in: refuse the wrong kind of account, then consent, then finish.
fn signed_in(sim: &Shared, flow_id: &str, upn: &str) -> Response {
    let mut world = sim.world();
    let Some(flow) = world.flows.get_mut(flow_id) else {
        return pages::message(
            "Expired",
            "This sign-in has expired; start again from the app.",
        );
    };
    flow.user = Some(upn.to_owned());
    let flow = flow.clone();
    let Some((user_tenant, user)) = world.find_user(upn).map(|(t, u)| (t, u.clone())) else {
        return pages::message("Unknown user", upn);
    };
    let tenant_name = |t: usize| {
        world.tenants[t]
            .domains
            .first()
            .cloned()
            .unwrap_or_else(|| world.tenants[t].id.clone())
    };
    if user.personal {
        let e = match flow.path {
            TenantPath::Tenant(t) => AadError::new("invalid_request", 50020, format!("User account '{upn}' from identity provider 'live.com' does not exist in tenant '{}' and cannot access the application '{}' in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Microsoft Entra user account.", tenant_name(t), flow.client_id)),
            _ => AadError::new("invalid_request", 500200, format!("User account '{upn}' is a personal Microsoft account. Personal Microsoft accounts are not supported for this application unless explicitly invited to an organization. Try signing out and signing back in with an organizational account.")),
        };
        drop(world);
        return page_error(sim, e);
    }
    if let TenantPath::Tenant(t) = flow.path {
        if t != user_tenant {
            let e = AadError::new("invalid_request", 50020, format!("User account '{upn}' from identity provider '{}' does not exist in tenant '{}' and cannot access the application '{}' in that tenant. The account needs to be added as an external user in the tenant first.", tenant_name(user_tenant), tenant_name(t), flow.client_id));
            drop(world);
            return page_error(sim, e);
        }
    }
    let Ok((_, app)) = world
        .find_app(TenantPath::Tenant(user_tenant), &flow.client_id)
        .map(|(h, a)| (h, a.clone()))
    else {
        let e = AadError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{}' was not found in the directory '{}'.",
                flow.client_id,
                tenant_name(user_tenant)
            ),
        );
        drop(world);
        return page_error(sim, e);
    };
    let tenant_policy = world.tenants[user_tenant].admin_consent_required;
    let segment = flow.segment.clone();
    match &flow.kind {
        FlowKind::AdminConsent { .. } => {
            drop(world);
            if !user.admin {
                return redirect_error(
                    sim,
                    &flow,
                    "access_denied",
                    &AadError::new(
                        "access_denied",
                        90094,
                        "The grant requires admin permission.",
                    ),
                );
            }
            let perms: Vec<String> = app
                .delegated
                .iter()
                .chain(&app.application)
                .cloned()
                .collect();
            pages::consent(
                &format!("/{segment}/consent"),
                flow_id,
                &app.display_name,
                &perms,
                true,
            )
        }
        FlowKind::Authorize { scope, prompt, .. } => {
            let requested = scopes::parse(scope).unwrap_or_else(|_| nothing_requested());
            let perms = effective_permissions(&app.delegated, &requested);
            if world.consented(user_tenant, &app, upn, &perms) {
                drop(world);
                return issue_code(sim, flow_id);
            }
            drop(world);
            if prompt.as_deref() == Some("none") {
                return redirect_error(
                    sim,
                    &flow,
                    "consent_required",
                    &consent_required(&app.client_id, &app.display_name),
                );
            }
            if tenant_policy && !user.admin {
                return redirect_error(sim, &flow, "access_denied", &AadError::new("access_denied", 90094, format!("An administrator of {} has set a policy that prevents you from granting {} the permissions it is requesting. Contact an administrator of {}, who can grant permissions to this application on your behalf.", user_tenant_name(sim, user_tenant), app.display_name, user_tenant_name(sim, user_tenant))));
            }
            pages::consent(
                &format!("/{segment}/consent"),
                flow_id,
                &app.display_name,
                &perms,
                false,
            )
        }
        FlowKind::Device { .. } => {
            let requested = device_scope(&world, &flow);
            let perms = effective_permissions(&app.delegated, &requested);
            let ok = world.consented(user_tenant, &app, upn, &perms);
            drop(world);
            if ok {
                return finish_device(sim, flow_id, true);
            }
            if tenant_policy && !user.admin {
                finish_device(sim, flow_id, false);
                return pages::message(
                    "Need admin approval",
                    "AADSTS90094: An administrator must grant this app its permissions.",
                );
            }
            pages::consent(
                &format!("/{segment}/consent"),
                flow_id,
                &app.display_name,
                &perms,
                false,
            )
        }
    }
}

fn user_tenant_name(sim: &Shared, t: usize) -> String {
    let w = sim.world();
    w.tenants[t]
        .domains
        .first()
        .cloned()
        .unwrap_or_else(|| w.tenants[t].id.clone())
}

pub fn consent_required(client_id: &str, name: &str) -> AadError {
    AadError::new("invalid_grant", 65001, format!("The user or administrator has not consented to use the application with ID '{client_id}' named '{name}'. Send an interactive authorization request for this user and resource."))
}

/// The permissions a request stands for: those named, or all configured ones for `.default`.
pub fn effective_permissions(configured: &[String], requested: &Requested) -> Vec<String> {
    if requested.default {
        configured
            .iter()
            .map(|p| scopes::split_permission(p))
            .filter(|(r, _)| *r == requested.resource)
            .map(|(_, p)| p)
            .collect()
    } else {
        requested.permissions.clone()
    }
}

fn device_scope(world: &World, flow: &Flow) -> Requested {
    match &flow.kind {
        FlowKind::Device { device_code } => world
            .devices
            .get(device_code)
            .and_then(|d| scopes::parse(&d.scope).ok()),
        _ => None,
    }
    .unwrap_or_else(nothing_requested)
}

fn nothing_requested() -> Requested {
    Requested {
        oidc: vec![],
        resource: scopes::GRAPH.into(),
        permissions: vec![],
        default: false,
    }
}

#[derive(serde::Deserialize)]
pub struct ConsentForm {
    flow: String,
    decision: String,
    #[serde(default)]
    org: Option<String>,
}

pub async fn consent(State(sim): State<Shared>, Form(f): Form<ConsentForm>) -> Response {
    let Some(flow) = sim.world().flows.get(&f.flow).cloned() else {
        return pages::message(
            "Expired",
            "This sign-in has expired; start again from the app.",
        );
    };
    let Some(upn) = flow.user.clone() else {
        return pages::message("Not signed in", "Sign in first.");
    };
    if f.decision != "accept" {
        if let FlowKind::Device { .. } = flow.kind {
            return finish_device(&sim, &f.flow, false);
        }
        sim.world().flows.remove(&f.flow);
        let e = AadError::new(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        );
        let trace = uuid::Uuid::new_v4().to_string();
        let description = e.description(&trace, &uuid::Uuid::new_v4().to_string(), sim.clock.now());
        let mut params = vec![
            ("error", "access_denied"),
            ("error_subcode", "cancel"),
            ("error_description", description.as_str()),
        ];
        if let Some(s) = &flow.state {
            params.push(("state", s));
        }
        return redirect_to(&flow.redirect_uri, &params);
    }
    {
        let mut world = sim.world();
        let user_tenant = world.find_user(&upn).map(|(t, _)| t).unwrap_or_default();
        let org_wide = matches!(flow.kind, FlowKind::AdminConsent { .. }) || f.org.is_some();
        if org_wide {
            if let Some(app) = world.app_mut(&flow.client_id) {
                app.admin_consented = true;
            }
        } else {
            world
                .user_consents
                .insert(consent_key(user_tenant, &flow.client_id, &upn));
        }
    }
    match flow.kind {
        FlowKind::AdminConsent { v2, scope } => {
            sim.world().flows.remove(&f.flow);
            let tid = {
                let w = sim.world();
                w.find_user(&upn)
                    .map(|(t, _)| w.tenants[t].id.clone())
                    .unwrap_or_default()
            };
            let mut params = vec![("admin_consent", "True"), ("tenant", tid.as_str())];
            if let Some(s) = &flow.state {
                params.push(("state", s));
            }
            let scope = scope.unwrap_or_default();
            if v2 {
                params.push(("scope", scope.as_str()));
            }
            redirect_to(&flow.redirect_uri, &params)
        }
        FlowKind::Authorize { .. } => issue_code(&sim, &f.flow),
        FlowKind::Device { .. } => finish_device(&sim, &f.flow, true),
    }
}

fn issue_code(sim: &Shared, flow_id: &str) -> Response {
    let now = sim.clock.now();
    let mut world = sim.world();
    let Some(flow) = world.flows.remove(flow_id) else {
        return pages::message(
            "Expired",
            "This sign-in has expired; start again from the app.",
        );
    };
    let FlowKind::Authorize {
        scope,
        nonce,
        challenge,
        ..
    } = flow.kind.clone()
    else {
        return pages::message("Wrong flow", "This page does not issue codes.");
    };
    let upn = flow.user.clone().unwrap_or_default();
    let tenant = world.find_user(&upn).map(|(t, _)| t).unwrap_or_default();
    let code = crate::tenant::keys::random_token(48);
    world.codes.insert(
        code.clone(),
        AuthCode {
            tenant,
            path: flow.path,
            client_id: flow.client_id.clone(),
            user: upn,
            redirect_uri: flow.redirect_uri.clone(),
            scope,
            challenge,
            nonce,
            issued: now,
            redeemed: false,
        },
    );
    drop(world);
    let session = uuid::Uuid::new_v4().to_string();
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &flow.state {
        params.push(("state", s));
    }
    params.push(("session_state", session.as_str()));
    redirect_to(&flow.redirect_uri, &params)
}

fn finish_device(sim: &Shared, flow_id: &str, approved: bool) -> Response {
    let mut world = sim.world();
    let Some(flow) = world.flows.remove(flow_id) else {
        return pages::message(
            "Expired",
            "This sign-in has expired; start again from the app.",
        );
    };
    if let FlowKind::Device { device_code } = &flow.kind {
        if let Some(d) = world.devices.get_mut(device_code) {
            d.state = if approved {
                DeviceState::Approved
            } else {
                DeviceState::Declined
            };
            d.user = flow.user.clone();
        }
    }
    if approved {
        pages::message(
            "You're signed in",
            "You have signed in to the application on your device. You may now close this window.",
        )
    } else {
        pages::message("Sign-in declined", "You declined to sign in to the application on your device. You may now close this window.")
    }
}
