//! `/token`: authorization code (PKCE), refresh token (rotated), client credentials, device code.

use crate::identity::authorize::{consent_required, effective_permissions};
use crate::tenant::aad_error::AadError;
use crate::tenant::scopes::{self, Requested};
use crate::tenant::seed::AppSeed;
use crate::tenant::sim::Shared;
use crate::tenant::world::{AccessToken, DeviceState, Grant, TenantPath, World};
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;

const ACCESS_LIFETIME: i64 = 3599;
const CODE_LIFETIME_MINUTES: i64 = 10;
const REFRESH_INACTIVITY_DAYS: i64 = 90;

pub async fn token(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let now = sim.clock.now();
    let correlation = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match grant(&sim, &segment, &headers, &form, now) {
        Ok(body) => {
            let mut res = axum::Json(body).into_response();
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            res.headers_mut()
                .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            res
        }
        Err(e) => e.into_response_at(now, correlation.as_deref()),
    }
}

fn missing(name: &str) -> AadError {
    AadError::new(
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

fn grant(
    sim: &Shared,
    segment: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    let mut world = sim.world();
    let path = world.resolve_tenant(segment)?;
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| missing("grant_type"))?
        .clone();
    let (basic_id, basic_secret) = basic_auth(headers);
    let client_id = form
        .get("client_id")
        .cloned()
        .or(basic_id)
        .ok_or_else(|| missing("client_id"))?;
    if grant_type == "client_credentials"
        && matches!(path, TenantPath::Common | TenantPath::Consumers)
    {
        return Err(AadError::new("invalid_request", 9001023, "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint."));
    }
    let (home, app) = world
        .find_app(path, &client_id)
        .map(|(h, a)| (h, a.clone()))?;
    let secret = form.get("client_secret").cloned().or(basic_secret);
    authenticate_client(
        &app,
        secret.as_deref(),
        form.contains_key("client_assertion"),
        now,
    )?;
    match grant_type.as_str() {
        "authorization_code" => redeem_code(sim, &mut world, path, &app, form, now),
        "refresh_token" => refresh(sim, &mut world, &app, form, now),
        "client_credentials" => client_credentials(sim, &mut world, home, &app, form, now),
        "urn:ietf:params:oauth:grant-type:device_code" => {
            redeem_device(sim, &mut world, &app, form, now)
        }
        other => Err(AadError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn basic_auth(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let decoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    match decoded.as_deref().and_then(|d| d.split_once(':')) {
        Some((id, secret)) => (Some(id.to_owned()), Some(secret.to_owned())),
        None => (None, None),
    }
}

/// Public clients must not send a secret; confidential ones must send a valid, unexpired one.
fn authenticate_client(
    app: &AppSeed,
    secret: Option<&str>,
    assertion: bool,
    now: DateTime<Utc>,
) -> Result<(), AadError> {
    // "Allow public client flows" (isFallbackPublicClient) decides only when the request does
    // not: a request with a secret is a confidential client's. An app without credentials that
    // is public (a native app, the Azure CLI) refuses a secret.
    if app.public_client && app.secrets.is_empty() && (secret.is_some() || assertion) {
        return Err(AadError::new("invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."));
    }
    if app.public_client && secret.is_none() && !assertion {
        return Ok(());
    }
    let Some(secret) = secret else {
        return Err(AadError::new("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."));
    };
    match app.secrets.iter().find(|s| s.value == secret) {
        Some(s) if s.expires <= now => Err(AadError::new(
            "invalid_client",
            7000222,
            format!("The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", app.client_id),
        )),
        Some(_) => Ok(()),
        None => Err(AadError::new(
            "invalid_client",
            7000215,
            format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", app.client_id),
        )),
    }
}

fn redeem_code(
    sim: &Shared,
    world: &mut World,
    path: TenantPath,
    app: &AppSeed,
    form: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    let code_value = form.get("code").ok_or_else(|| missing("code"))?;
    let invalid = || {
        AadError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    };
    let code = world.codes.get_mut(code_value).ok_or_else(invalid)?;
    if code.redeemed {
        return Err(AadError::new("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
    }
    if !code.client_id.eq_ignore_ascii_case(&app.client_id) {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "The provided authorization code was issued to a different client.",
        ));
    }
    if let TenantPath::Tenant(t) = path {
        if t != code.tenant && !code.path.is_shared_endpoint() {
            return Err(AadError::new("invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected."));
        }
    }
    if now - code.issued > Duration::minutes(CODE_LIFETIME_MINUTES) {
        return Err(AadError::new("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."));
    }
    if form.get("redirect_uri") != Some(&code.redirect_uri) {
        return Err(AadError::new("invalid_grant", 50148, "The redirect_uri specified in the token request does not match the redirect_uri used in the authorization request."));
    }
    if let Some((challenge, method)) = &code.challenge {
        let verifier = form
            .get("code_verifier")
            .ok_or_else(|| missing("code_verifier"))?;
        let computed = if method == "S256" {
            crate::tenant::keys::pkce_s256(verifier)
        } else {
            verifier.clone()
        };
        if &computed != challenge {
            return Err(AadError::new("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."));
        }
    }
    // Single use: a second redemption fails even if this one fails later on.
    code.redeemed = true;
    let code = code.clone();
    let requested = scopes::parse(&code.scope)?;
    issue_for_user(
        sim,
        world,
        code.tenant,
        app,
        &code.user,
        &requested,
        code.nonce.as_deref(),
        now,
    )
}

fn refresh(
    sim: &Shared,
    world: &mut World,
    app: &AppSeed,
    form: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    let token = form
        .get("refresh_token")
        .ok_or_else(|| missing("refresh_token"))?;
    let grant = world.grants.get(token).cloned().ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    if !grant.client_id.eq_ignore_ascii_case(&app.client_id) {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "The refresh token was issued to a different client.",
        ));
    }
    let changed = world
        .find_user(&grant.user)
        .and_then(|(_, u)| u.password_changed);
    if let Some(changed) = changed.filter(|c| *c > grant.issued) {
        return Err(AadError::new(
            "invalid_grant",
            50173,
            format!("The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.", rfc3339(grant.issued), rfc3339(changed)),
        ));
    }
    if now - grant.last_used > Duration::days(REFRESH_INACTIVITY_DAYS) {
        return Err(AadError::new(
            "invalid_grant",
            700082,
            format!("The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.", rfc3339(grant.issued)),
        ));
    }
    let mut requested = match form.get("scope") {
        Some(scope) => scopes::parse(scope)?,
        None => grant.requested.clone(),
    };
    // A refresh token keeps the OpenID scopes of its sign-in, whatever resource is asked for now.
    for o in &grant.oidc {
        if !requested.has(o) {
            requested.oidc.push(o.clone());
        }
    }
    if let Some(g) = world.grants.get_mut(token) {
        g.last_used = now;
    }
    issue_for_user(
        sim,
        world,
        grant.tenant,
        app,
        &grant.user,
        &requested,
        None,
        now,
    )
}

fn client_credentials(
    sim: &Shared,
    world: &mut World,
    home: usize,
    app: &AppSeed,
    form: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    let requested = scopes::parse(scope)?;
    if !requested.default {
        return Err(AadError::new("invalid_scope", 1002012, format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")));
    }
    let mut roles = if app.admin_consented {
        effective_permissions(&app.application, &requested)
    } else {
        Vec::new()
    };
    // Roles assigned through Graph (appRoleAssignedTo), configured or not.
    for r in effective_permissions(&app.granted_roles, &requested) {
        if !roles.iter().any(|x| x.eq_ignore_ascii_case(&r)) {
            roles.push(r);
        }
    }
    let tenant_id = world.tenants[home].id.clone();
    let access = mint(
        sim,
        world,
        tenant_id,
        app,
        None,
        &requested.resource,
        Vec::new(),
        roles,
        now,
    );
    Ok(json!({ "token_type": "Bearer", "expires_in": ACCESS_LIFETIME, "access_token": access }))
}

fn redeem_device(
    sim: &Shared,
    world: &mut World,
    app: &AppSeed,
    form: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    let code = form
        .get("device_code")
        .ok_or_else(|| missing("device_code"))?;
    let device = world.devices.get_mut(code).ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            70000,
            "The provided value for the input parameter 'device_code' is not valid.",
        )
    })?;
    if !device.client_id.eq_ignore_ascii_case(&app.client_id) {
        return Err(AadError::new(
            "invalid_grant",
            70000,
            "The device code was issued to a different client.",
        ));
    }
    if now > device.expires && device.state != DeviceState::Redeemed {
        return Err(AadError::new(
            "expired_token",
            70019,
            "Verification code expired.",
        ));
    }
    match device.state {
        DeviceState::Pending => Err(AadError::new(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )),
        DeviceState::Declined => Err(AadError::new(
            "authorization_declined",
            70000,
            "The user declined to authorize the request.",
        )),
        DeviceState::Redeemed => Err(AadError::new(
            "invalid_grant",
            54005,
            "The device code was already redeemed.",
        )),
        DeviceState::Approved => {
            device.state = DeviceState::Redeemed;
            let (tenant, user, scope) = (
                device.tenant,
                device.user.clone().unwrap_or_default(),
                device.scope.clone(),
            );
            let tenant = world.find_user(&user).map(|(t, _)| t).unwrap_or(tenant);
            let requested = scopes::parse(&scope)?;
            issue_for_user(sim, world, tenant, app, &user, &requested, None, now)
        }
    }
}

/// Access token for the requested resource, plus an ID token (openid) and a refresh token (offline_access).
#[allow(clippy::too_many_arguments)]
fn issue_for_user(
    sim: &Shared,
    world: &mut World,
    tenant: usize,
    app: &AppSeed,
    upn: &str,
    requested: &Requested,
    nonce: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    let permissions = effective_permissions(&app.delegated, requested);
    if !world.consented(tenant, app, upn, &permissions) {
        return Err(consent_required(&app.client_id, &app.display_name));
    }
    let user = world
        .find_user(upn)
        .map(|(_, u)| u.clone())
        .ok_or_else(|| {
            AadError::new(
                "invalid_grant",
                50034,
                format!("The user account {upn} does not exist in the directory."),
            )
        })?;
    let tenant_id = world.tenants[tenant].id.clone();
    let access = mint(
        sim,
        world,
        tenant_id.clone(),
        app,
        Some(user.upn.clone()),
        &requested.resource,
        permissions.clone(),
        Vec::new(),
        now,
    );
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_LIFETIME,
        "scope": scopes::display(&requested.resource, &permissions, &requested.oidc),
    });
    if requested.has("offline_access") {
        let refresh = crate::tenant::keys::random_token(96);
        world.grants.insert(
            refresh.clone(),
            Grant {
                tenant,
                client_id: app.client_id.clone(),
                user: user.upn.clone(),
                oidc: requested.oidc.clone(),
                requested: requested.clone(),
                issued: now,
                last_used: now,
            },
        );
        body["refresh_token"] = json!(refresh);
    }
    if requested.has("openid") {
        let mut claims = json!({
            "aud": app.client_id,
            "iss": sim.issuer(&tenant_id),
            "iat": now.timestamp(),
            "nbf": now.timestamp(),
            "exp": now.timestamp() + ACCESS_LIFETIME,
            "name": user.display_name,
            "oid": user.id,
            "preferred_username": user.upn,
            "sub": crate::tenant::keys::pkce_s256(&format!("{}:{}", user.id, app.client_id)),
            "tid": tenant_id,
            "ver": "2.0",
        });
        if requested.has("email") {
            claims["email"] = json!(user.upn);
        }
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        body["id_token"] = json!(sim.keys.sign(&claims));
    }
    Ok(body)
}

/// An access token for one audience, remembered for Graph and introspection. Graph's are, like
/// Microsoft's (shared/reference/microsoft/access_token_v1_sample.claims.json), signed v1.0 JWTs
/// whose `scp` or `roles` a client may read. Outlook's stay opaque: Dovecot, standing in for
/// Exchange, tries to validate JWTs locally and its SMTP AUTH line is too short for one.
#[allow(clippy::too_many_arguments)]
fn mint(
    sim: &Shared,
    world: &mut World,
    tenant_id: String,
    app: &AppSeed,
    user: Option<String>,
    audience: &str,
    scopes: Vec<String>,
    roles: Vec<String>,
    now: DateTime<Utc>,
) -> String {
    let expires = now + Duration::seconds(ACCESS_LIFETIME);
    let mut claims = json!({
        "aud": audience,
        "iss": format!("https://sts.windows.net/{tenant_id}/"),
        "iat": now.timestamp(),
        "nbf": now.timestamp(),
        "exp": expires.timestamp(),
        "appid": app.client_id,
        "tid": tenant_id,
        "uti": crate::tenant::keys::random_token(16),
        "ver": "1.0",
    });
    if let Some(upn) = &user {
        claims["upn"] = json!(upn);
        claims["unique_name"] = json!(upn);
        claims["scp"] = json!(scopes.join(" "));
        if let Some((_, u)) = world.find_user(upn) {
            claims["oid"] = json!(u.id);
        }
    } else {
        claims["roles"] = json!(roles);
    }
    let access = if audience == scopes::GRAPH {
        sim.keys.sign(&claims)
    } else {
        crate::tenant::keys::random_token(64)
    };
    let token = AccessToken {
        tenant_id,
        client_id: app.client_id.clone(),
        user,
        audience: audience.to_owned(),
        scopes,
        roles,
        expires,
    };
    world.access.insert(access.clone(), token);
    access
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
