//! `/applications`: app registrations, stored as the tenant's `AppSeed`s so that the identity
//! endpoints know an app as soon as Graph created it. Create, list with `$filter`, get (by object
//! id or `(appId='…')`), PATCH, `addPassword` (the secret is shown once, then only its hint) and
//! `removePassword` (the token endpoint refuses the removed secret at once).

use super::permissions::{self, Kind};
use super::query::{
    self as dir, application_object_id, bad_request, invalid_property, not_found, Access,
};
use crate::graph::caller::Caller;
use crate::graph::error::GraphError;
use crate::tenant::seed::{AppSeed, SecretSeed};
use crate::tenant::sim::Shared;
use crate::tenant::world::World;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Months, Utc};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub const READ: [&str; 4] = [
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
pub const WRITE: [&str; 1] = ["Application.ReadWrite.All"];
const RESOURCE: &str = "Application";
const AUDIENCES: [&str; 4] = [
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
];
/// What POST and PATCH take: the properties the simulator keeps, and a few it accepts unread.
const WRITABLE: [&str; 11] = [
    "displayName",
    "signInAudience",
    "web",
    "publicClient",
    "requiredResourceAccess",
    "isFallbackPublicClient",
    "tags",
    "notes",
    "description",
    "info",
    "identifierUris",
];
/// When an app registered in the portal was created, for seeds that do not say.
const SEEDED_AT: &str = "2024-01-01T00:00:00Z";

type Params = Query<HashMap<String, String>>;
type Created = (StatusCode, Json<Value>);

/// How a request names an application.
pub enum Key<'a> {
    ObjectId(&'a str),
    AppId(&'a str),
}

/// The index of the application in `tenant`'s apps.
pub fn find(world: &World, tenant: usize, key: &Key) -> Result<usize, GraphError> {
    let found = world.tenants[tenant].apps.iter().position(|a| {
        !a.first_party
            && match key {
                Key::ObjectId(id) => application_object_id(a).eq_ignore_ascii_case(id),
                Key::AppId(id) => a.client_id.eq_ignore_ascii_case(id),
            }
    });
    found.ok_or_else(|| {
        not_found(match key {
            Key::ObjectId(id) | Key::AppId(id) => id,
        })
    })
}

pub async fn create(
    State(sim): State<Shared>,
    caller: Caller,
    body: Bytes,
) -> Result<Created, GraphError> {
    let body = dir::json_object(&body)?;
    let now = sim.clock.now();
    let mut world = sim.world();
    dir::require(&world, &caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, &caller)?;
    if !body.get("displayName").is_some_and(Value::is_string) {
        return Err(invalid_property("displayName", RESOURCE));
    }
    let mut app = AppSeed {
        client_id: uuid::Uuid::new_v4().to_string(),
        sign_in_audience: "AzureADandPersonalMicrosoftAccount".into(),
        object_id: Some(uuid::Uuid::new_v4().to_string()),
        service_principal: false,
        required_resource_access: Some(Vec::new()),
        created: Some(now),
        ..AppSeed::default()
    };
    apply(&mut app, &body)?;
    let value = representation(&world, tenant, &app);
    world.tenants[tenant].apps.push(app);
    let context = dir::context(&sim, "applications/$entity", None);
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
    let all: Vec<Value> = dir::own_apps(&world, tenant)
        .map(|a| representation(&world, tenant, a))
        .collect();
    let example = all
        .first()
        .cloned()
        .unwrap_or_else(|| representation(&world, tenant, &placeholder()));
    let select = dir::parse_select(q.get("$select"), &example, "application")?;
    let mut values = Vec::new();
    for v in all {
        if dir::matches(&v, &clauses, &["appId", "displayName", "id"], RESOURCE)? {
            values.push(dir::select(v, select.as_deref()));
        }
    }
    let context = dir::context(&sim, "applications", select.as_deref());
    Ok(Json(dir::collection(context, values)))
}

fn get_one(
    sim: &Shared,
    caller: &Caller,
    key: &Key,
    q: &HashMap<String, String>,
) -> Result<Json<Value>, GraphError> {
    let world = sim.world();
    dir::require(&world, caller, &READ, Access::Read)?;
    let tenant = dir::tenant_of(&world, caller)?;
    let i = find(&world, tenant, key)?;
    let value = representation(&world, tenant, &world.tenants[tenant].apps[i]);
    let select = dir::parse_select(q.get("$select"), &value, "application")?;
    let context = match &select {
        Some(names) => format!("{}/$entity", dir::context(sim, "applications", Some(names))),
        None => dir::context(sim, "applications/$entity", None),
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
    get_one(&sim, &caller, &Key::ObjectId(&id), &q)
}

fn update_one(
    sim: &Shared,
    caller: &Caller,
    key: &Key,
    body: &[u8],
) -> Result<StatusCode, GraphError> {
    let body = dir::json_object(body)?;
    let mut world = sim.world();
    dir::require(&world, caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, caller)?;
    let i = find(&world, tenant, key)?;
    // Validate everything before changing anything: a refused PATCH changes nothing.
    let mut app = world.tenants[tenant].apps[i].clone();
    apply(&mut app, &body)?;
    world.tenants[tenant].apps[i] = app;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn update(
    State(sim): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    update_one(&sim, &caller, &Key::ObjectId(&id), &body)
}

fn add_password_one(
    sim: &Shared,
    caller: &Caller,
    key: &Key,
    body: &[u8],
) -> Result<Json<Value>, GraphError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        dir::json_object(body)?
    };
    const RES: &str = "PasswordCredential";
    let credential = match body.get("passwordCredential") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(invalid_property("passwordCredential", RES)),
    };
    let display_name = dir::opt_string(&credential, "displayName", RES)?;
    let date = |key: &str| -> Result<Option<DateTime<Utc>>, GraphError> {
        dir::opt_string(&credential, key, RES)?
            .map(|s| {
                DateTime::parse_from_rfc3339(&s)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|_| invalid_property(key, RES))
            })
            .transpose()
    };
    let start = date("startDateTime")?.unwrap_or_else(|| sim.clock.now());
    let end = match date("endDateTime")? {
        Some(end) => end,
        None => start
            .checked_add_months(Months::new(24))
            .ok_or_else(|| invalid_property("startDateTime", RES))?,
    };
    if end <= start {
        return Err(invalid_property("endDateTime", RES));
    }
    let mut world = sim.world();
    dir::require(&world, caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, caller)?;
    let i = find(&world, tenant, key)?;
    let secret = SecretSeed {
        id: uuid::Uuid::new_v4().to_string(),
        value: secret_text(),
        expires: end,
        display_name,
        start: Some(start),
    };
    let mut value = password_credential(&secret);
    value["secretText"] = json!(secret.value);
    world.tenants[tenant].apps[i].secrets.push(secret);
    let context = format!(
        "{}/graph/v1.0/$metadata#microsoft.graph.passwordCredential",
        sim.base_url
    );
    Ok(Json(dir::entity(context, value)))
}

pub async fn add_password(
    State(sim): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    add_password_one(&sim, &caller, &Key::ObjectId(&id), &body)
}

fn remove_password_one(
    sim: &Shared,
    caller: &Caller,
    key: &Key,
    body: &[u8],
) -> Result<StatusCode, GraphError> {
    let body = dir::json_object(body)?;
    const RES: &str = "PasswordCredential";
    let key_id = dir::opt_string(&body, "keyId", RES)?
        .filter(|k| uuid::Uuid::parse_str(k).is_ok())
        .ok_or_else(|| invalid_property("keyId", RES))?;
    let mut world = sim.world();
    dir::require(&world, caller, &WRITE, Access::Write)?;
    let tenant = dir::tenant_of(&world, caller)?;
    let i = find(&world, tenant, key)?;
    let secrets = &mut world.tenants[tenant].apps[i].secrets;
    let at = secrets
        .iter()
        .position(|s| s.id.eq_ignore_ascii_case(&key_id))
        .ok_or_else(|| {
            bad_request(format!(
                "No password credential with keyId '{key_id}' exists on this application."
            ))
        })?;
    secrets.remove(at);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_password(
    State(sim): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    remove_password_one(&sim, &caller, &Key::ObjectId(&id), &body)
}

pub async fn remove_password_alternate(
    State(sim): State<Shared>,
    caller: Caller,
    Path(segment): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let app_id = dir::alternate_key(&segment, "applications")
        .ok_or_else(|| dir::unknown_segment(&segment))?;
    remove_password_one(&sim, &caller, &Key::AppId(app_id), &body)
}

/// `GET /applications(appId='…')` (and, for the other entity sets, `alternate_get` dispatches).
pub fn get_by_app_id(
    sim: &Shared,
    caller: &Caller,
    app_id: &str,
    q: &HashMap<String, String>,
) -> Result<Json<Value>, GraphError> {
    get_one(sim, caller, &Key::AppId(app_id), q)
}

pub async fn patch_alternate(
    State(sim): State<Shared>,
    caller: Caller,
    Path(segment): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let app_id = dir::alternate_key(&segment, "applications")
        .ok_or_else(|| dir::unknown_segment(&segment))?;
    update_one(&sim, &caller, &Key::AppId(app_id), &body)
}

pub async fn add_password_alternate(
    State(sim): State<Shared>,
    caller: Caller,
    Path(segment): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    let app_id = dir::alternate_key(&segment, "applications")
        .ok_or_else(|| dir::unknown_segment(&segment))?;
    add_password_one(&sim, &caller, &Key::AppId(app_id), &body)
}

/// A new secret as Microsoft makes them: three characters, `8Q~`, then 34 more (40 in all).
fn secret_text() -> String {
    use rand::Rng;
    const HEAD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const TAIL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";
    let mut rng = rand::thread_rng();
    let mut s: String = (0..3)
        .map(|_| HEAD[rng.gen_range(0..HEAD.len())] as char)
        .collect();
    s.push_str("8Q~");
    s.extend((0..34).map(|_| TAIL[rng.gen_range(0..TAIL.len())] as char));
    s
}

/// A secret as Graph shows it after creation: everything but its text.
fn password_credential(s: &SecretSeed) -> Value {
    json!({
        "customKeyIdentifier": null,
        "endDateTime": dir::timestamp(s.expires),
        "keyId": s.id,
        "startDateTime": s.start.map(dir::timestamp),
        "secretText": null,
        "hint": s.value.chars().take(3).collect::<String>(),
        "displayName": s.display_name,
    })
}

/// Applies a POST or PATCH body; refuses the whole body on the first bad property.
fn apply(app: &mut AppSeed, body: &Map<String, Value>) -> Result<(), GraphError> {
    dir::only_known(body, &WRITABLE, "application")?;
    if let Some(v) = body.get("displayName") {
        match v.as_str() {
            Some(name) if !name.trim().is_empty() && name.chars().count() <= 256 => {
                app.display_name = name.to_owned();
            }
            _ => return Err(invalid_property("displayName", RESOURCE)),
        }
    }
    if let Some(v) = body.get("signInAudience") {
        match v.as_str().and_then(|s| AUDIENCES.iter().find(|a| **a == s)) {
            Some(a) => app.sign_in_audience = (*a).to_owned(),
            None => return Err(invalid_property("signInAudience", RESOURCE)),
        }
    }
    if let Some(v) = body.get("isFallbackPublicClient") {
        match v {
            Value::Bool(b) => app.public_client = *b,
            Value::Null => app.public_client = false,
            _ => return Err(invalid_property("isFallbackPublicClient", RESOURCE)),
        }
    }
    if let Some(v) = body.get("web") {
        let web = v
            .as_object()
            .ok_or_else(|| invalid_property("web", RESOURCE))?;
        dir::only_known(
            web,
            &[
                "redirectUris",
                "homePageUrl",
                "logoutUrl",
                "implicitGrantSettings",
                "redirectUriSettings",
            ],
            "webApplication",
        )?;
        if let Some(uris) = web.get("redirectUris") {
            app.redirect_uris.web = redirect_uris(uris, "web.redirectUris", true)?;
        }
    }
    if let Some(v) = body.get("publicClient") {
        let public = v
            .as_object()
            .ok_or_else(|| invalid_property("publicClient", RESOURCE))?;
        dir::only_known(public, &["redirectUris"], "publicClientApplication")?;
        if let Some(uris) = public.get("redirectUris") {
            app.redirect_uris.public = redirect_uris(uris, "publicClient.redirectUris", false)?;
        }
    }
    if let Some(v) = body.get("requiredResourceAccess") {
        let entries = required_resource_access(v)?;
        let names = |kind: Kind| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for e in &entries {
                let resource = e["resourceAppId"].as_str().unwrap_or_default();
                for a in e["resourceAccess"].as_array().into_iter().flatten() {
                    if a["type"].as_str() != Some(kind.as_str()) {
                        continue;
                    }
                    let id = a["id"].as_str().unwrap_or_default();
                    if let Some(n) = permissions::configured_name(resource, id, kind) {
                        if !out.iter().any(|o| o.eq_ignore_ascii_case(&n)) {
                            out.push(n);
                        }
                    }
                }
            }
            out
        };
        app.delegated = names(Kind::Scope);
        app.application = names(Kind::Role);
        app.required_resource_access = Some(entries);
    }
    Ok(())
}

/// Redirect URIs: absolute; a web one must be https unless it is a loopback address.
fn redirect_uris(v: &Value, property: &str, web: bool) -> Result<Vec<String>, GraphError> {
    let invalid = || invalid_property(property, RESOURCE);
    let list = v.as_array().ok_or_else(invalid)?;
    let mut out = Vec::new();
    for item in list {
        let s = item.as_str().ok_or_else(invalid)?;
        let url = url::Url::parse(s).map_err(|_| invalid())?;
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if web && url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(bad_request(format!("Invalid value specified for property '{property}' of resource '{RESOURCE}': '{s}' must use https unless it is a localhost address.")));
        }
        out.push(s.to_owned());
    }
    Ok(out)
}

/// requiredResourceAccess: `[{resourceAppId, resourceAccess: [{id, type: Scope|Role}]}]`.
fn required_resource_access(v: &Value) -> Result<Vec<Value>, GraphError> {
    const P: &str = "requiredResourceAccess";
    let invalid = || invalid_property(P, RESOURCE);
    let mut out = Vec::new();
    for e in v.as_array().ok_or_else(invalid)? {
        let e = e.as_object().ok_or_else(invalid)?;
        dir::only_known(
            e,
            &["resourceAppId", "resourceAccess"],
            "requiredResourceAccess",
        )?;
        let resource = e
            .get("resourceAppId")
            .and_then(Value::as_str)
            .filter(|r| dir::is_guid(r))
            .ok_or_else(|| invalid_property("resourceAppId", "RequiredResourceAccess"))?;
        let mut access = Vec::new();
        for a in e
            .get("resourceAccess")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_property("resourceAccess", "RequiredResourceAccess"))?
        {
            let id = a["id"].as_str().filter(|i| dir::is_guid(i));
            let kind = a["type"].as_str().filter(|t| *t == "Scope" || *t == "Role");
            match (id, kind) {
                (Some(id), Some(kind)) => access.push(json!({ "id": id, "type": kind })),
                _ => return Err(invalid_property("resourceAccess", "RequiredResourceAccess")),
            }
        }
        out.push(json!({ "resourceAppId": resource, "resourceAccess": access }));
    }
    Ok(out)
}

/// The configured permissions of a seeded app, as the portal would have written them.
fn derived_resource_access(app: &AppSeed) -> Vec<Value> {
    let mut out: Vec<(&str, Vec<Value>)> = Vec::new();
    let configured = app
        .delegated
        .iter()
        .map(|p| (p, Kind::Scope))
        .chain(app.application.iter().map(|p| (p, Kind::Role)));
    for (p, kind) in configured {
        let Some((resource, id)) = permissions::resource_access(p, kind) else {
            continue;
        };
        let entry = json!({ "id": id, "type": kind.as_str() });
        match out.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, list)) if !list.contains(&entry) => list.push(entry),
            Some(_) => {}
            None => out.push((resource, vec![entry])),
        }
    }
    out.into_iter()
        .map(|(r, a)| json!({ "resourceAppId": r, "resourceAccess": a }))
        .collect()
}

/// The domain Graph names as an app's publisher: the tenant's initial (onmicrosoft) domain.
pub fn publisher_domain(world: &World, tenant: usize) -> String {
    let t = &world.tenants[tenant];
    t.domains
        .iter()
        .find(|d| d.contains(".onmicrosoft."))
        .or(t.domains.first())
        .cloned()
        .unwrap_or_else(|| t.id.clone())
}

fn placeholder() -> AppSeed {
    AppSeed {
        object_id: Some(String::new()),
        ..AppSeed::default()
    }
}

/// The keys and order of Microsoft's sample (graph_application_create_response.json).
pub fn representation(world: &World, tenant: usize, app: &AppSeed) -> Value {
    let created = app
        .created
        .map(dir::timestamp)
        .unwrap_or_else(|| SEEDED_AT.to_owned());
    json!({
        "id": application_object_id(app),
        "deletedDateTime": null,
        "isFallbackPublicClient": if app.public_client { json!(true) } else { Value::Null },
        "appId": app.client_id,
        "applicationTemplateId": null,
        "identifierUris": [],
        "createdDateTime": created,
        "displayName": app.display_name,
        "isDeviceOnlyAuthSupported": null,
        "groupMembershipClaims": null,
        "optionalClaims": null,
        "addIns": [],
        "publisherDomain": publisher_domain(world, tenant),
        "samlMetadataUrl": null,
        "signInAudience": app.sign_in_audience,
        "tags": [],
        "tokenEncryptionKeyId": null,
        "api": {
            "requestedAccessTokenVersion": 2,
            "acceptMappedClaims": null,
            "knownClientApplications": [],
            "oauth2PermissionScopes": [],
            "preAuthorizedApplications": []
        },
        "appRoles": [],
        "publicClient": { "redirectUris": app.redirect_uris.public },
        "info": {
            "termsOfServiceUrl": null,
            "supportUrl": null,
            "privacyStatementUrl": null,
            "marketingUrl": null,
            "logoUrl": null
        },
        "keyCredentials": [],
        "parentalControlSettings": {
            "countriesBlockedForMinors": [],
            "legalAgeGroupRule": "Allow"
        },
        "passwordCredentials": app.secrets.iter().map(password_credential).collect::<Vec<_>>(),
        "requiredResourceAccess": app
            .required_resource_access
            .clone()
            .unwrap_or_else(|| derived_resource_access(app)),
        "web": {
            "redirectUris": app.redirect_uris.web,
            "homePageUrl": null,
            "logoutUrl": null,
            "implicitGrantSettings": {
                "enableIdTokenIssuance": false,
                "enableAccessTokenIssuance": false
            }
        }
    })
}
