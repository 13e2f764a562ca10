//! Whose mailbox a Graph call may open, by Exchange Online's rules, and its folders as seeded.

use super::caller::Caller;
use super::error::GraphError;
use crate::sim::Shared;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

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

/// Resolves `target` (None for `/me`) and checks the caller's right to read it.
pub fn open(sim: &Shared, caller: &Caller, target: Option<&str>) -> Result<Mailbox, GraphError> {
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
    let users = world.tenants.iter().flat_map(|t| &t.users);
    let shared = world.tenants.iter().flat_map(|t| &t.shared_mailboxes);
    let (address, id, licensed, delegates) = if let Some(u) = users
        .clone()
        .find(|u| u.id.eq_ignore_ascii_case(&target) || u.upn.eq_ignore_ascii_case(&target))
    {
        (u.upn.clone(), u.id.clone(), u.licensed, Vec::new())
    } else if let Some(s) = shared
        .clone()
        .find(|s| s.id.eq_ignore_ascii_case(&target) || s.address.eq_ignore_ascii_case(&target))
    {
        (s.address.clone(), s.id.clone(), true, s.full_access.clone())
    } else {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "ErrorInvalidUser",
            format!("The requested user '{target}' is invalid."),
        ));
    };
    if !licensed {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ));
    }
    let allowed = match caller.0.user.as_deref() {
        None => caller.has_any(&READ_ANY),
        Some(me) if me.eq_ignore_ascii_case(&address) => caller.has_any(&READ_OWN),
        Some(me) => {
            caller.has_any(&READ_SHARED) && delegates.iter().any(|d| d.eq_ignore_ascii_case(me))
        }
    };
    if !allowed {
        return Err(GraphError::access_denied());
    }
    Ok(Mailbox { address, id })
}

/// Folder ids are opaque and stable: derived from the mailbox and the folder's path.
pub fn folder_id(mailbox: &Mailbox, path: &str) -> String {
    let digest = crate::keys::sha256(format!("{}/{path}", mailbox.id).as_bytes());
    format!(
        "AQMkAD{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..24])
    )
}

/// The seeded top-level folders of a mailbox; every mailbox has at least an empty Inbox.
fn top_folders(sim: &Shared, mailbox: &Mailbox) -> Vec<Value> {
    let seeded = sim
        .world()
        .mailboxes
        .get(&mailbox.address.to_ascii_lowercase())
        .and_then(|m| m["folders"].as_array().cloned())
        .unwrap_or_default();
    if seeded.iter().any(|f| f["well_known"] == "inbox") {
        seeded
    } else {
        let mut all =
            vec![json!({ "name": "Inbox", "well_known": "inbox", "messages": [], "children": [] })];
        all.extend(seeded);
        all
    }
}

fn representation(sim: &Shared, mailbox: &Mailbox, folder: &Value) -> Value {
    let name = folder["name"].as_str().unwrap_or_default();
    let messages = folder["messages"].as_array().cloned().unwrap_or_default();
    let unread = messages
        .iter()
        .filter(|m| !m["is_read"].as_bool().unwrap_or(false))
        .count();
    json!({
        "@odata.context": format!("{}/graph/v1.0/$metadata#users('{}')/mailFolders/$entity", sim.base_url, mailbox.id),
        "id": folder_id(mailbox, name),
        "displayName": name,
        "parentFolderId": folder_id(mailbox, ""),
        "childFolderCount": folder["children"].as_array().map_or(0, Vec::len),
        "unreadItemCount": unread,
        "totalItemCount": messages.len(),
        "isHidden": false,
    })
}

async fn folder(
    sim: Shared,
    caller: Caller,
    user: Option<String>,
    folder: String,
) -> Result<Json<Value>, GraphError> {
    let mailbox = open(&sim, &caller, user.as_deref())?;
    let found = top_folders(&sim, &mailbox).into_iter().find(|f| {
        let name = f["name"].as_str().unwrap_or_default();
        f["well_known"]
            .as_str()
            .is_some_and(|w| w.eq_ignore_ascii_case(&folder))
            || folder_id(&mailbox, name) == folder
    });
    match found {
        Some(f) => Ok(Json(representation(&sim, &mailbox, &f))),
        None => Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )),
    }
}

pub async fn my_folder(
    State(sim): State<Shared>,
    caller: Caller,
    Path(f): Path<String>,
) -> Result<Json<Value>, GraphError> {
    folder(sim, caller, None, f).await
}

pub async fn user_folder(
    State(sim): State<Shared>,
    caller: Caller,
    Path((user, f)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    folder(sim, caller, Some(user), f).await
}
