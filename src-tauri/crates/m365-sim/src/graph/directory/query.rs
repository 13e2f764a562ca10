//! What the app-registration endpoints share: the directory objects Graph creates beside the
//! seed (permission grants, app role assignments), object ids, access rules, Graph's directory
//! errors, and the OData query options they accept (`$filter` with `eq`, `$select`).

use crate::graph::caller::Caller;
use crate::graph::error::GraphError;
use crate::tenant::seed::AppSeed;
use crate::tenant::sim::Shared;
use crate::tenant::world::World;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Microsoft's own tenant, which owns first-party apps (Microsoft Graph, the Azure CLI).
pub const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// A GUID derived from `parts`, so that the same object has the same id in every run.
pub fn derived_guid(parts: &[&str]) -> String {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&crate::tenant::keys::sha256(parts.join("\u{1f}").as_bytes())[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A GUID's bytes in Microsoft's (mixed-endian) order, as grant and assignment ids encode them.
pub fn guid_bytes(guid: &str) -> [u8; 16] {
    uuid::Uuid::parse_str(guid)
        .map(|u| u.to_bytes_le())
        .unwrap_or_default()
}

pub fn is_guid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// The application object's id: the seed's, or one derived from the client id.
pub fn application_object_id(app: &AppSeed) -> String {
    app.object_id
        .clone()
        .unwrap_or_else(|| derived_guid(&["application", &app.client_id.to_ascii_lowercase()]))
}

/// The id of `app_id`'s service principal in the tenant `tenant_id`.
pub fn service_principal_id(tenant_id: &str, app_id: &str) -> String {
    derived_guid(&[
        "servicePrincipal",
        &tenant_id.to_ascii_lowercase(),
        &app_id.to_ascii_lowercase(),
    ])
}

/// The caller's directory: the tenant its token was issued in.
pub fn tenant_of(world: &World, caller: &Caller) -> Result<usize, GraphError> {
    world
        .tenants
        .iter()
        .position(|t| t.id.eq_ignore_ascii_case(&caller.0.tenant_id))
        .ok_or_else(|| GraphError::unauthorized("Invalid tenant."))
}

/// The app registered in tenant `tenant` (first-party apps are not its application objects).
pub fn own_apps(world: &World, tenant: usize) -> impl Iterator<Item = &AppSeed> {
    world.tenants[tenant].apps.iter().filter(|a| !a.first_party)
}

pub enum Access {
    Read,
    Write,
}

/// Scopes or roles as Microsoft lists them for the operation; a write in a user's name also
/// needs an administrator (this tenant does not let users register or consent for apps).
pub fn require(
    world: &World,
    caller: &Caller,
    permissions: &[&str],
    access: Access,
) -> Result<(), GraphError> {
    if !caller.has_any(permissions) {
        return Err(insufficient_privileges());
    }
    if let (Access::Write, Some(upn)) = (access, caller.0.user.as_deref()) {
        if !world.find_user(upn).is_some_and(|(_, u)| u.admin) {
            return Err(insufficient_privileges());
        }
    }
    Ok(())
}

pub fn insufficient_privileges() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

pub fn not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

pub fn bad_request(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
}

/// Graph's message for a property it cannot take (missing, wrong type, bad value).
pub fn invalid_property(property: &str, resource: &str) -> GraphError {
    bad_request(format!(
        "Invalid value specified for property '{property}' of resource '{resource}'."
    ))
}

/// A JSON object body, or Graph's error for an unreadable one.
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )),
    }
}

/// Refuses properties outside `known` (as OData does for a property the type does not declare).
pub fn only_known(
    body: &Map<String, Value>,
    known: &[&str],
    type_name: &str,
) -> Result<(), GraphError> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(bad_request(format!(
            "Property '{k}' does not exist on type 'microsoft.graph.{type_name}'."
        ))),
        None => Ok(()),
    }
}

/// A string property, if present; `None` when absent or null.
pub fn opt_string(
    body: &Map<String, Value>,
    key: &str,
    resource: &str,
) -> Result<Option<String>, GraphError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid_property(key, resource)),
    }
}

/// `$filter` as the directory supports it for these objects: `prop eq 'value'` clauses joined by
/// `and`, strings quoted with `'` (`''` inside), GUIDs bare or quoted.
pub fn parse_filter(filter: &str) -> Result<Vec<(String, String)>, GraphError> {
    let invalid = || bad_request(format!("Invalid filter clause: {filter}"));
    let mut clauses = Vec::new();
    let mut rest = filter.trim();
    while !rest.is_empty() {
        let (prop, after) = rest.split_once(char::is_whitespace).ok_or_else(invalid)?;
        let after = after.trim_start();
        let after = after
            .strip_prefix("eq")
            .filter(|a| a.starts_with(char::is_whitespace))
            .ok_or_else(invalid)?
            .trim_start();
        let (value, after) = if let Some(quoted) = after.strip_prefix('\'') {
            let mut value = String::new();
            let mut chars = quoted.char_indices().peekable();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                        value.push('\'');
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
            (value, &quoted[end.ok_or_else(invalid)?..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..end].to_owned(), &after[end..])
        };
        clauses.push((prop.to_owned(), value));
        rest = after.trim_start();
        if !rest.is_empty() {
            rest = rest
                .strip_prefix("and")
                .filter(|r| r.starts_with(char::is_whitespace))
                .ok_or_else(invalid)?
                .trim_start();
        }
    }
    Ok(clauses)
}

/// Whether `object` passes every clause; a property outside `filterable` is refused as Graph
/// refuses an unsupported filter.
pub fn matches(
    object: &Value,
    clauses: &[(String, String)],
    filterable: &[&str],
    resource: &str,
) -> Result<bool, GraphError> {
    let mut all = true;
    for (prop, value) in clauses {
        let Some(key) = filterable.iter().find(|f| f.eq_ignore_ascii_case(prop)) else {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                format!("Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'."),
            ));
        };
        let ok = match &object[*key] {
            Value::String(s) => s.eq_ignore_ascii_case(value),
            Value::Null => value == "null",
            other => serde_json::from_str::<Value>(value).is_ok_and(|v| &v == other),
        };
        all &= ok;
    }
    Ok(all)
}

/// The properties named by `$select`, in its order (or the whole object without one).
pub fn select(object: Value, select: Option<&[String]>) -> Value {
    let (Some(names), Value::Object(map)) = (select, &object) else {
        return object;
    };
    let mut out = Map::new();
    for n in names {
        if let Some((k, v)) = map.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// `$select`'s property names, each checked against the type.
pub fn parse_select(
    select: Option<&String>,
    example: &Value,
    type_name: &str,
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(select) = select else {
        return Ok(None);
    };
    let mut names = Vec::new();
    for name in select.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let known = example
            .as_object()
            .and_then(|m| m.keys().find(|k| k.eq_ignore_ascii_case(name)));
        match known {
            Some(k) => names.push(k.clone()),
            None => {
                return Err(bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'."
            )))
            }
        }
    }
    Ok(Some(names))
}

/// `{base}/graph/v1.0/$metadata#{entity_set}` with the `$select`ed properties, as Graph writes it.
pub fn context(sim: &Shared, entity_set: &str, select: Option<&[String]>) -> String {
    match select {
        Some(names) => format!(
            "{}/graph/v1.0/$metadata#{entity_set}({})",
            sim.base_url,
            names.join(",")
        ),
        None => format!("{}/graph/v1.0/$metadata#{entity_set}", sim.base_url),
    }
}

/// A collection: `{"@odata.context", "value": [...]}`.
pub fn collection(context: String, values: Vec<Value>) -> Value {
    serde_json::json!({ "@odata.context": context, "value": values })
}

/// An entity with its context first, as Graph orders it.
pub fn entity(context: String, object: Value) -> Value {
    let mut out = Map::new();
    out.insert("@odata.context".into(), Value::String(context));
    if let Value::Object(map) = object {
        out.extend(map);
    }
    Value::Object(out)
}

/// An `alternate key` segment such as `applications(appId='…')`: the entity set and the value.
pub fn alternate_key<'a>(segment: &'a str, entity_set: &str) -> Option<&'a str> {
    let rest = segment.strip_prefix(entity_set)?.strip_prefix('(')?;
    let rest = rest.strip_suffix(')')?;
    let value = rest.strip_prefix("appId=")?;
    Some(
        value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or(value),
    )
}

pub fn unknown_segment(segment: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Resource not found for the segment '{segment}'."),
    )
}

/// Graph's timestamps: seven fractional digits and `Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.nanosecond() % 1_000_000_000 / 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_eq_clauses_with_quotes() {
        assert_eq!(
            parse_filter("appId eq 'abc' and displayName eq 'O''Brien app'").unwrap(),
            vec![
                ("appId".to_owned(), "abc".to_owned()),
                ("displayName".to_owned(), "O'Brien app".to_owned())
            ]
        );
        assert_eq!(
            parse_filter("clientId eq 5e5e5e5e-0000-4000-8000-000000000001").unwrap()[0].1,
            "5e5e5e5e-0000-4000-8000-000000000001"
        );
        assert!(parse_filter("startswith(displayName,'a')").is_err());
        assert!(parse_filter("appId eq 'open").is_err());
    }

    #[test]
    fn grant_ids_encode_guids_as_microsoft_does() {
        // graph_oauth2permissiongrant_create_response.json: the id is the client's and the
        // resource's service principal ids, then the principal's, base64url.
        use base64::Engine;
        let mut bytes = guid_bytes("b0d9b9e3-0ecf-4bfd-8dab-9273dd055a94").to_vec();
        bytes.extend(guid_bytes("7ea9e944-71ce-443d-811c-71e8047b557a"));
        bytes.extend(guid_bytes("3fbd929d-8c56-4462-851e-0eb9a7b3a2a5"));
        assert_eq!(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
            "47nZsM8O_UuNq5Jz3QValETpqX7OcT1EgRxx6AR7VXqdkr0_VoxiRIUeDrmns6Kl"
        );
        assert_eq!(
            alternate_key("applications(appId='abc')", "applications"),
            Some("abc")
        );
        assert!(is_guid(&derived_guid(&["x"])));
        let t = DateTime::parse_from_rfc3339("2019-09-17T19:10:35.2742618Z").unwrap();
        assert_eq!(
            timestamp(t.with_timezone(&Utc)),
            "2019-09-17T19:10:35.2742618Z"
        );
    }
}
