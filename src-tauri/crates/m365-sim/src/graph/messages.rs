//! Messages of a mail folder: list with `$top` `$skip` `$select` `$filter` `$orderby` `$count`,
//! `$search` (graph/search.rs),
//! the size as an extended property (`$expand`) and `@odata.nextLink`, get, `$value` (the MIME), PATCH `isRead`, DELETE.
//! Paging, counting and filtering use only file names (but `$search` and `hasAttachments`, which
//! read each message once: graph/search.rs); otherwise only the returned page is parsed.

use super::caller::Caller;
use super::decoded::read_decoded;
use super::directory::query::entity;
use super::error::GraphError;
use super::mailbox::{context, folder_id, open, resolve_folder, Mailbox, Params};
use super::paging::{next_link, number};
use super::search;
use crate::tenant::mail_store::Entry;
use crate::tenant::sim::Shared;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use mail_parser::MessageParser;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;

const DEFAULT_TOP: usize = 10;
const MAX_TOP: usize = 1000;

fn bad_query(message: String) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidUrlQuery", message)
}

fn message_id(entry: &Entry) -> String {
    format!(
        "AAMkAD{}",
        B64.encode(format!("{}\n{}", entry.folder, entry.key))
    )
}

/// The entry behind a message id, wherever it is now.
pub(super) fn find(sim: &Shared, mailbox: &Mailbox, id: &str) -> Result<Entry, GraphError> {
    let not_found = || {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    };
    let raw = id
        .strip_prefix("AAMkAD")
        .and_then(|b| B64.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(not_found)?;
    let (folder, key) = raw.split_once('\n').ok_or_else(not_found)?;
    sim.mail
        .entries(&mailbox.address, folder)
        .iter()
        .find(|e| e.key == key)
        .cloned()
        .ok_or_else(not_found)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn representation(mailbox: &Mailbox, entry: &Entry, select: Option<&[String]>) -> Value {
    let bytes = read_decoded(entry);
    let parsed = MessageParser::default().parse(&bytes);
    let person = |a: Option<&mail_parser::Addr>| {
        a.map(|a| json!({ "emailAddress": { "name": a.name.as_deref().unwrap_or_default(), "address": a.address.as_deref().unwrap_or_default() } }))
    };
    let list = |a: Option<&mail_parser::Address>| -> Vec<Value> {
        a.map(|a| a.iter().filter_map(|x| person(Some(x))).collect())
            .unwrap_or_default()
    };
    let m = parsed.as_ref();
    let (content_type, content) = match m.and_then(|m| m.body_html(0)) {
        Some(html) if m.is_some_and(|m| m.text_body.is_empty() || m.html_body != m.text_body) => {
            ("html", html.into_owned())
        }
        _ => (
            "text",
            m.and_then(|m| m.body_text(0))
                .map(|t| t.into_owned())
                .unwrap_or_default(),
        ),
    };
    let from = person(m.and_then(|m| m.from()).and_then(|a| a.first()));
    let sent = m
        .and_then(|m| m.date())
        .map(|d| d.to_rfc3339())
        .unwrap_or_else(|| time(entry.received));
    let change_key =
        B64.encode(&crate::tenant::keys::sha256(entry.path.to_string_lossy().as_bytes())[..18]);
    let subject = m.and_then(|m| m.subject()).unwrap_or_default();
    let id = message_id(entry);
    // Keys and order as in shared/reference/microsoft/graph_message_get.json.
    let full = json!({
        "@odata.etag": format!("W/\"{change_key}\""),
        "id": id,
        "createdDateTime": time(entry.received),
        "lastModifiedDateTime": time(entry.received),
        "changeKey": change_key,
        "categories": [],
        "receivedDateTime": time(entry.received),
        "sentDateTime": sent,
        "hasAttachments": m.is_some_and(|m| m.attachment_count() > 0),
        // Exchange assigns an Internet message id to a message that came without one.
        "internetMessageId": format!("<{}>", m.and_then(|m| m.message_id()).map_or_else(|| format!("{}@m365-sim", entry.key), str::to_owned)),
        "subject": subject,
        "bodyPreview": m.and_then(|m| m.body_preview(255)).map(|p| p.into_owned()).unwrap_or_default(),
        "importance": "normal",
        "parentFolderId": folder_id(mailbox, &entry.folder),
        "conversationId": format!("AAQkAD{}", B64.encode(&crate::tenant::keys::sha256(subject.trim_start_matches("Re: ").as_bytes())[..12])),
        "isDeliveryReceiptRequested": false,
        "isReadReceiptRequested": false,
        "isRead": entry.read,
        "isDraft": false,
        "webLink": format!("https://outlook.office365.com/owa/?ItemID={id}&exvsurl=1&viewmodel=ReadMessageItem"),
        "inferenceClassification": "focused",
        "body": { "contentType": content_type, "content": content },
        "sender": from,
        "from": from,
        "toRecipients": list(m.and_then(|m| m.to())),
        "ccRecipients": list(m.and_then(|m| m.cc())),
        "bccRecipients": [],
        "replyTo": [],
        "flag": { "flagStatus": "notFlagged" },
    });
    match select {
        None => full,
        Some(fields) => {
            let mut out = Map::new();
            for (k, v) in full.as_object().into_iter().flatten() {
                if k == "@odata.etag"
                    || k == "id"
                    || fields.iter().any(|f| f.eq_ignore_ascii_case(k))
                {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Object(out)
        }
    }
}

/// `PR_MESSAGE_SIZE` (0x0E08), as Graph names it in a message's extended properties.
const MESSAGE_SIZE: &str = "Integer 0xe08";

/// Whether `$expand` asks for the message size
/// (`singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')`, the one extended property
/// the simulator has); any other expansion is refused.
fn expands_size(q: &HashMap<String, String>) -> Result<bool, GraphError> {
    let Some(expand) = q.get("$expand") else {
        return Ok(false);
    };
    let spaced = expand.split_whitespace().collect::<Vec<_>>().join(" ");
    let asked = spaced.to_ascii_lowercase().replace("0x0e08", "0xe08");
    if asked == "singlevalueextendedproperties($filter=id eq 'integer 0xe08')" {
        return Ok(true);
    }
    Err(GraphError::new(
        StatusCode::BAD_REQUEST,
        "ExpandNotSupported",
        format!("Expand '{expand}' is not supported by the simulator."),
    ))
}

/// The representation with the message's size as its one extended property.
fn with_size(mut rep: Value, entry: &Entry) -> Value {
    let size = std::fs::metadata(&entry.path).map_or(0, |m| m.len());
    if let Some(o) = rep.as_object_mut() {
        o.insert(
            "singleValueExtendedProperties".into(),
            json!([{ "id": MESSAGE_SIZE, "value": size.to_string() }]),
        );
    }
    rep
}

type Clause = Box<dyn Fn(&Entry) -> bool>;

/// `receivedDateTime ge 2026-01-01T00:00:00Z and isRead eq false`.
fn filter(expr: &str, mailbox: &Mailbox) -> Result<impl Fn(&Entry) -> bool, GraphError> {
    let mut clauses: Vec<Clause> = Vec::new();
    let lower = expr.to_ascii_lowercase();
    let mut rest = expr;
    let mut offset = 0;
    let mut parts = Vec::new();
    while let Some(i) = lower[offset..].find(" and ") {
        parts.push(&rest[..i]);
        rest = &rest[i + 5..];
        offset += i + 5;
    }
    parts.push(rest);
    for part in parts {
        let words: Vec<&str> = part.split_whitespace().collect();
        let [field, op, value] = words.as_slice() else {
            return Err(bad_query(format!("Invalid filter clause: '{part}'.")));
        };
        let op = op.to_ascii_lowercase();
        let cmp = move |o: std::cmp::Ordering| match op.as_str() {
            "eq" => o.is_eq(),
            "ne" => o.is_ne(),
            "gt" => o.is_gt(),
            "ge" => o.is_ge(),
            "lt" => o.is_lt(),
            "le" => o.is_le(),
            _ => false,
        };
        match field.to_ascii_lowercase().as_str() {
            "receiveddatetime" => {
                let at: DateTime<Utc> = value
                    .parse()
                    .map_err(|_| bad_query(format!("'{value}' is not a DateTimeOffset.")))?;
                clauses.push(Box::new(move |e: &Entry| cmp(e.received.cmp(&at))));
            }
            "hasattachments" => {
                let want: bool = value
                    .parse()
                    .map_err(|_| bad_query(format!("'{value}' is not a boolean.")))?;
                clauses.push(Box::new(move |e: &Entry| {
                    cmp(search::fields(e).has_attachments.cmp(&want))
                }));
            }
            "isread" => {
                let want: bool = value
                    .parse()
                    .map_err(|_| bad_query(format!("'{value}' is not a boolean.")))?;
                clauses.push(Box::new(move |e: &Entry| cmp(e.read.cmp(&want))));
            }
            "parentfolderid" => {
                let want = value.trim_matches('\'').to_owned();
                let mailbox = Mailbox {
                    address: mailbox.address.clone(),
                    id: mailbox.id.clone(),
                };
                clauses.push(Box::new(move |e: &Entry| {
                    cmp(folder_id(&mailbox, &e.folder).cmp(&want))
                }));
            }
            other => {
                return Err(bad_query(format!(
                    "Filtering on '{other}' is not supported by the simulator."
                )))
            }
        }
    }
    Ok(move |e: &Entry| clauses.iter().all(|c| c(e)))
}

pub async fn list(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
    Query(q): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Value>, GraphError> {
    let mailbox = open(&sim, &caller, p.get("user").map(String::as_str))?;
    // A folder's messages, or (`/messages`) the whole mailbox's, newest first.
    let folder = match p.get("folder") {
        Some(id) => Some(resolve_folder(&sim, &mailbox, id)?),
        None => None,
    };
    // Borrowed from the kept listing until a query changes it.
    let listing;
    let mut entries: Cow<[Entry]> = match &folder {
        Some(f) => {
            listing = sim.mail.entries(&mailbox.address, f);
            Cow::Borrowed(listing.as_slice())
        }
        None => {
            let mut all: Vec<Entry> = sim
                .mail
                .folders(&mailbox.address)
                .iter()
                .flat_map(|f| sim.mail.entries(&mailbox.address, f).to_vec())
                .collect();
            all.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| b.key.cmp(&a.key)));
            Cow::Owned(all)
        }
    };
    // `$search`: KQL, newest sent first, at most 1,000; Graph takes no `$filter` or `$orderby`
    // with it.
    if let Some(kql) = q.get("$search") {
        search::refuse_combination(&q)?;
        entries = Cow::Owned(search::search(kql, entries.into_owned())?);
    }
    if let Some(expr) = q.get("$filter") {
        let keep = filter(expr, &mailbox)?;
        entries.to_mut().retain(|e| keep(e));
    }
    match q.get("$orderby").map(|o| o.to_ascii_lowercase()) {
        None => {}
        Some(o) if o == "receiveddatetime desc" => {}
        Some(o) if o == "receiveddatetime asc" || o == "receiveddatetime" => {
            entries.to_mut().reverse()
        }
        Some(o) => {
            return Err(bad_query(format!(
                "Ordering by '{o}' is not supported by the simulator."
            )))
        }
    }
    let top = number(&q, "$top", DEFAULT_TOP)?;
    if top == 0 || top > MAX_TOP {
        return Err(bad_query(format!(
            "The value '{top}' of parameter '$top' is invalid; it must be between 1 and {MAX_TOP}."
        )));
    }
    let skip = number(&q, "$skip", 0)?;
    let select: Option<Vec<String>> = q
        .get("$select")
        .map(|s| s.split(',').map(|f| f.trim().to_owned()).collect());
    let size = expands_size(&q)?;
    let page: Vec<Value> = entries
        .iter()
        .skip(skip)
        .take(top)
        .map(|e| {
            let rep = representation(&mailbox, e, select.as_deref());
            if size {
                with_size(rep, e)
            } else {
                rep
            }
        })
        .collect();

    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(
            &sim,
            &mailbox,
            &match &folder {
                Some(f) => format!("/mailFolders('{}')/messages", folder_id(&mailbox, f)),
                None => "/messages".to_owned(),
            }
        )),
    );
    if q.get("$count").is_some_and(|c| c == "true") {
        body.insert("@odata.count".into(), json!(entries.len()));
    }
    body.insert("value".into(), Value::Array(page));
    if skip + top < entries.len() {
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(&sim, uri.path(), &q, skip + top)),
        );
    }
    Ok(Json(Value::Object(body)))
}

pub async fn get(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let mailbox = open(&sim, &caller, p.get("user").map(String::as_str))?;
    let entry = find(&sim, &mailbox, p.get("message").map_or("", String::as_str))?;
    let select: Option<Vec<String>> = q
        .get("$select")
        .map(|s| s.split(',').map(|f| f.trim().to_owned()).collect());
    let rep = representation(&mailbox, &entry, select.as_deref());
    Ok(Json(entity(
        context(&sim, &mailbox, "/messages/$entity"),
        rep,
    )))
}

/// The MIME source, as Graph serves `$value`.
pub async fn mime(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
) -> Result<Response, GraphError> {
    let mailbox = open(&sim, &caller, p.get("user").map(String::as_str))?;
    let entry = find(&sim, &mailbox, p.get("message").map_or("", String::as_str))?;
    let bytes = std::fs::read(&entry.path).map_err(|_| {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "text/plain")], bytes).into_response())
}

fn require_write(caller: &Caller) -> Result<(), GraphError> {
    if caller.has_any(&["Mail.ReadWrite", "Mail.ReadWrite.Shared"]) {
        Ok(())
    } else {
        Err(GraphError::access_denied())
    }
}

pub async fn update(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
    Json(patch): Json<Value>,
) -> Result<Json<Value>, GraphError> {
    require_write(&caller)?;
    let mailbox = open(&sim, &caller, p.get("user").map(String::as_str))?;
    let mut entry = find(&sim, &mailbox, p.get("message").map_or("", String::as_str))?;
    if let Some(read) = patch.get("isRead") {
        let read = read.as_bool().ok_or_else(|| {
            GraphError::new(
                StatusCode::BAD_REQUEST,
                "RequestBodyRead",
                "Cannot convert the literal to the expected type 'Edm.Boolean'.",
            )
        })?;
        entry.path = sim.mail.set_read(&entry, read).map_err(|e| {
            GraphError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "ErrorInternalServerError",
                e.to_string(),
            )
        })?;
        entry.read = read;
    }
    Ok(Json(representation(&mailbox, &entry, None)))
}

pub async fn delete(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
) -> Result<StatusCode, GraphError> {
    require_write(&caller)?;
    let mailbox = open(&sim, &caller, p.get("user").map(String::as_str))?;
    let entry = find(&sim, &mailbox, p.get("message").map_or("", String::as_str))?;
    sim.mail.delete(&mailbox.address, &entry).map_err(|e| {
        GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ErrorInternalServerError",
            e.to_string(),
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}
