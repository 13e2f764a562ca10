//! A message's attachments: list, get (with `contentBytes`) and `$value` (the bytes with their
//! own content type), as in shared/reference/microsoft/graph_attachment_get_file.json.

use super::caller::Caller;
use super::directory::query::entity;
use super::error::GraphError;
use super::mailbox::{context, open, Params};
use super::messages::find;
use crate::tenant::sim::Shared;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use mail_parser::{MessageParser, MessagePart, MimeHeaders};
use serde_json::{json, Value};

struct Attachment {
    id: String,
    name: String,
    content_type: String,
    inline: bool,
    content_id: Option<String>,
    item: bool,
    bytes: Vec<u8>,
}

fn read(part: &MessagePart, index: usize) -> Attachment {
    let content_type = part
        .content_type()
        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("octet-stream")))
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    Attachment {
        id: format!("AAMkAtt{}", URL_SAFE_NO_PAD.encode(index.to_string())),
        name: part.attachment_name().unwrap_or("attachment").to_owned(),
        content_type,
        inline: part.content_disposition().is_some_and(|d| d.is_inline()),
        content_id: part.content_id().map(str::to_owned),
        item: part.is_message(),
        bytes: part.contents().to_vec(),
    }
}

/// The attachments of the message named in the route, in MIME order.
fn attachments(
    sim: &Shared,
    caller: &Caller,
    p: &std::collections::HashMap<String, String>,
) -> Result<(super::mailbox::Mailbox, Vec<Attachment>), GraphError> {
    let mailbox = open(sim, caller, p.get("user").map(String::as_str))?;
    let entry = find(sim, &mailbox, p.get("message").map_or("", String::as_str))?;
    let bytes = super::decoded::read_decoded(&entry);
    let parsed = MessageParser::default().parse(&bytes);
    let list = parsed
        .map(|m| {
            m.attachments()
                .enumerate()
                .map(|(i, part)| read(part, i))
                .collect()
        })
        .unwrap_or_default();
    Ok((mailbox, list))
}

fn representation(a: &Attachment, with_bytes: bool) -> Value {
    let mut v = json!({
        "@odata.type": if a.item { "#microsoft.graph.itemAttachment" } else { "#microsoft.graph.fileAttachment" },
        "id": a.id,
        "lastModifiedDateTime": null,
        "name": a.name,
        "contentType": a.content_type,
        "size": a.bytes.len(),
        "isInline": a.inline,
    });
    if !a.item {
        v["contentId"] = json!(a.content_id);
        v["contentLocation"] = Value::Null;
        if with_bytes {
            v["contentBytes"] = json!(STANDARD.encode(&a.bytes));
        }
    }
    v
}

fn one<'a>(list: &'a [Attachment], id: &str) -> Result<&'a Attachment, GraphError> {
    list.iter().find(|a| a.id == id).ok_or_else(|| {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    })
}

pub async fn list(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
) -> Result<Json<Value>, GraphError> {
    let (mailbox, list) = attachments(&sim, &caller, &p)?;
    let value: Vec<Value> = list.iter().map(|a| representation(a, true)).collect();
    Ok(Json(
        json!({ "@odata.context": context(&sim, &mailbox, "/messages/attachments"), "value": value }),
    ))
}

pub async fn get(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
) -> Result<Json<Value>, GraphError> {
    let (mailbox, list) = attachments(&sim, &caller, &p)?;
    let a = one(&list, p.get("attachment").map_or("", String::as_str))?;
    Ok(Json(entity(
        context(&sim, &mailbox, "/messages/attachments/$entity"),
        representation(a, true),
    )))
}

pub async fn value(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
) -> Result<Response, GraphError> {
    let (_, list) = attachments(&sim, &caller, &p)?;
    let a = one(&list, p.get("attachment").map_or("", String::as_str))?;
    Ok((
        [(header::CONTENT_TYPE, a.content_type.clone())],
        a.bytes.clone(),
    )
        .into_response())
}
