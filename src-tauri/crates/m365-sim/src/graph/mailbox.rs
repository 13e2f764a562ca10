//! Whose mailbox a Graph call may open, by Exchange Online's rules, and its folders as seeded.

use super::caller::Caller;
use super::directory::query::entity;
use super::error::GraphError;
use super::paging::{next_link, number};
use crate::tenant::mail_store::WELL_KNOWN;
use crate::tenant::sim::Shared;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;

const READ_OWN: [&str; 4] = [
    "Mail.ReadBasic",
    "Mail.Read",
    "Mail.ReadWrite",
    "Mail.ReadBasic.All",
];
const READ_SHARED: [&str; 2] = ["Mail.Read.Shared", "Mail.ReadWrite.Shared"];
const READ_ANY: [&str; 3] = ["Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"];

/// A mailbox the caller may read: its address and Graph id.
pub struct Mailbox {
    pub address: String,
    pub id: String,
}

/// A mailbox as the directory knows it, before any right is checked.
pub struct Located {
    pub mailbox: Mailbox,
    /// Who has full access (shared mailboxes only).
    pub delegates: Vec<String>,
    /// Who may send as it (shared mailboxes only).
    pub send_as: Vec<String>,
}

/// Resolves `target` (None for `/me`): a user or a shared mailbox, licensed for Exchange Online.
pub fn locate(sim: &Shared, caller: &Caller, target: Option<&str>) -> Result<Located, GraphError> {
    let world = sim.world();
    let target = match (target, caller.0.user.as_deref()) {
        (Some(t), _) => t.to_owned(),
        (None, Some(me)) => me.to_owned(),
        (None, None) => {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            ))
        }
    };
    let is = |id: &str, name: &str| {
        id.eq_ignore_ascii_case(&target) || name.eq_ignore_ascii_case(&target)
    };
    let user = world
        .tenants
        .iter()
        .flat_map(|t| &t.users)
        .find(|u| is(&u.id, &u.upn));
    let shared = world
        .tenants
        .iter()
        .flat_map(|t| &t.shared_mailboxes)
        .find(|s| is(&s.id, &s.address));
    match (user, shared) {
        (Some(u), _) if !u.licensed => Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        )),
        (Some(u), _) => Ok(Located {
            mailbox: Mailbox {
                address: u.upn.clone(),
                id: u.id.clone(),
            },
            delegates: Vec::new(),
            send_as: Vec::new(),
        }),
        (None, Some(s)) => Ok(Located {
            mailbox: Mailbox {
                address: s.address.clone(),
                id: s.id.clone(),
            },
            delegates: s.full_access.clone(),
            send_as: s.send_as.clone(),
        }),
        (None, None) => Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "ErrorInvalidUser",
            format!("The requested user '{target}' is invalid."),
        )),
    }
}

/// Resolves `target` (None for `/me`) and checks the caller's right to read it.
pub fn open(sim: &Shared, caller: &Caller, target: Option<&str>) -> Result<Mailbox, GraphError> {
    let found = locate(sim, caller, target)?;
    let allowed = match caller.0.user.as_deref() {
        None => caller.has_any(&READ_ANY),
        Some(me) if me.eq_ignore_ascii_case(&found.mailbox.address) => caller.has_any(&READ_OWN),
        Some(me) => {
            caller.has_any(&READ_SHARED)
                && found.delegates.iter().any(|d| d.eq_ignore_ascii_case(me))
        }
    };
    if !allowed {
        return Err(GraphError::access_denied());
    }
    Ok(found.mailbox)
}

/// Folder ids are opaque and stable: derived from the mailbox and the folder's path.
pub fn folder_id(mailbox: &Mailbox, path: &str) -> String {
    let digest = crate::tenant::keys::sha256(format!("{}/{path}", mailbox.id).as_bytes());
    format!(
        "AQMkAD{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..24])
    )
}

/// A folder path by its id or well-known name (`inbox`, `sentitems`, ...).
pub fn resolve_folder(sim: &Shared, mailbox: &Mailbox, id: &str) -> Result<String, GraphError> {
    let by_name = WELL_KNOWN
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(id))
        .map(|(_, name)| (*name).to_owned());
    let paths = sim.mail.folders(&mailbox.address);
    by_name
        .filter(|name| paths.iter().any(|p| p.eq_ignore_ascii_case(name)))
        .or_else(|| paths.into_iter().find(|p| folder_id(mailbox, p) == id))
        .ok_or_else(|| {
            GraphError::new(
                StatusCode::NOT_FOUND,
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
            )
        })
}

/// The direct children of `parent` ("" for the top level), hidden ones only when asked for.
fn children(sim: &Shared, mailbox: &Mailbox, parent: &str, hidden: bool) -> Vec<String> {
    sim.mail
        .folders(&mailbox.address)
        .into_iter()
        .filter(|p| p.rsplit_once('/').map_or("", |(a, _)| a) == parent)
        .filter(|p| hidden || !sim.mail.is_hidden(&mailbox.address, p))
        .collect()
}

fn representation(sim: &Shared, mailbox: &Mailbox, path: &str) -> Value {
    let entries = sim.mail.entries(&mailbox.address, path);
    let unread = entries.iter().filter(|e| !e.read).count();
    let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
    json!({
        "id": folder_id(mailbox, path),
        "displayName": name,
        "parentFolderId": folder_id(mailbox, parent),
        "childFolderCount": children(sim, mailbox, path, true).len(),
        "unreadItemCount": unread,
        "totalItemCount": entries.len(),
        "isHidden": sim.mail.is_hidden(&mailbox.address, path),
    })
}

pub fn context(sim: &Shared, mailbox: &Mailbox, what: &str) -> String {
    format!(
        "{}/graph/v1.0/$metadata#users('{}'){what}",
        sim.base_url, mailbox.id
    )
}

/// Route parameters: `user` is absent on `/me/...` routes.
pub type Params = Path<HashMap<String, String>>;

pub async fn folder(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
) -> Result<Json<Value>, GraphError> {
    let mailbox = open(&sim, &caller, p.get("user").map(String::as_str))?;
    let path = resolve_folder(&sim, &mailbox, p.get("folder").map_or("", String::as_str))?;
    let rep = representation(&sim, &mailbox, &path);
    Ok(Json(entity(
        context(&sim, &mailbox, "/mailFolders/$entity"),
        rep,
    )))
}

/// Top-level folders, or with a `folder` parameter its child folders: 10 a page unless `$top`
/// says otherwise, hidden ones with `includeHiddenFolders=true`, children inline with
/// `$expand=childFolders`.
pub async fn folders(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
    Query(q): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Value>, GraphError> {
    let mailbox = open(&sim, &caller, p.get("user").map(String::as_str))?;
    let parent = match p.get("folder") {
        Some(id) => resolve_folder(&sim, &mailbox, id)?,
        None => String::new(),
    };
    let hidden = q
        .get("includeHiddenFolders")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let expand = q
        .get("$expand")
        .is_some_and(|v| v.eq_ignore_ascii_case("childFolders"));
    let (top, skip) = (number(&q, "$top", 10)?.max(1), number(&q, "$skip", 0)?);
    let all = children(&sim, &mailbox, &parent, hidden);
    let value: Vec<Value> = all
        .iter()
        .skip(skip)
        .take(top)
        .map(|path| {
            let mut v = representation(&sim, &mailbox, path);
            if expand {
                let kids: Vec<Value> = children(&sim, &mailbox, path, hidden)
                    .iter()
                    .map(|c| representation(&sim, &mailbox, c))
                    .collect();
                v["childFolders"] = Value::Array(kids);
            }
            v
        })
        .collect();
    let mut body = serde_json::Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(&sim, &mailbox, "/mailFolders")),
    );
    body.insert("value".into(), Value::Array(value));
    if skip + top < all.len() {
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(&sim, uri.path(), &q, skip + top)),
        );
    }
    Ok(Json(Value::Object(body)))
}
