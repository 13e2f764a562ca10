//! The read-only message list of a folder over Graph: one GET per page, newest first, and the
//! next page through `@odata.nextLink`, which is only followed while it stays under the cloud's
//! Graph base (a cursor from the front end cannot send the token elsewhere).

use crate::cloud::graph_get::{graph_get_on, graph_get_response};
use crate::identity::audience::{AccessToken, GraphAudience};
use crate::mailbox::message_page::{
    refused_cursor, too_large, MessagePage, MessageSummary, MAX_PAGE, MAX_RAW_BYTES,
};
use crate::platform::http;
use crate::{catalog::Diagnosis, cloud::Cloud};
use serde_json::Value;

pub(crate) const SELECT: &str = "id,from,subject,receivedDateTime,hasAttachments,isRead";
/// A message's size is no standard property: it is MAPI's `PR_MESSAGE_SIZE` (tag 0x0E08),
/// asked for as a single-value extended property.
pub(crate) const EXPAND_SIZE: &str =
    "singleValueExtendedProperties($filter=id%20eq%20%27Integer%200x0E08%27)";

/// A path segment with everything but unreserved characters percent-encoded.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/me` or `/users/{address}`.
pub(crate) fn mailbox_path(mailbox: &str) -> String {
    if mailbox.eq_ignore_ascii_case("me") {
        "/me".to_owned()
    } else {
        format!("/users/{}", segment(mailbox))
    }
}

/// The cursor as a URL, if it is a message list under the cloud's Graph base (same scheme,
/// host and port, path below `/v1.0/`, no credentials).
pub fn check_cursor(cloud: &Cloud, cursor: &str) -> Result<url::Url, Diagnosis> {
    let refuse = || {
        refused_cursor(format!(
            "The page cursor does not point at Microsoft Graph ({}), so it was not followed.",
            cloud.graph
        ))
    };
    let base = url::Url::parse(&cloud.graph).map_err(|_| refuse())?;
    let url = url::Url::parse(cursor).map_err(|_| refuse())?;
    let prefix = format!("{}/v1.0/", base.path().trim_end_matches('/'));
    let same_origin = url.scheme() == base.scheme()
        && url.host_str().map(str::to_ascii_lowercase)
            == base.host_str().map(str::to_ascii_lowercase)
        && url.port_or_known_default() == base.port_or_known_default();
    let ok = same_origin
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
        && url.path().starts_with(&prefix)
        && !url.path().contains("/../")
        && url.path().ends_with("/messages");
    if ok {
        Ok(url)
    } else {
        Err(refuse())
    }
}

fn person(v: &Value) -> String {
    let addr = &v["emailAddress"];
    let name = addr["name"].as_str().unwrap_or_default().trim();
    let address = addr["address"].as_str().unwrap_or_default().trim();
    match (name.is_empty(), address.is_empty()) {
        (false, false) if name != address => format!("{name} <{address}>"),
        (false, _) => name.to_owned(),
        (true, _) => address.to_owned(),
    }
}

pub(crate) fn summary(v: &Value) -> MessageSummary {
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    MessageSummary {
        id: text("id"),
        from: person(&v["from"]),
        subject: text("subject"),
        received: text("receivedDateTime"),
        size: message_size(v),
        has_attachments: v["hasAttachments"].as_bool().unwrap_or(false),
        is_read: v["isRead"].as_bool().unwrap_or(false),
    }
}

/// The `PR_MESSAGE_SIZE` among the message's expanded properties. Graph writes the tag as it
/// likes (`Integer 0xe08`), and the value as a string.
fn message_size(v: &Value) -> Option<u64> {
    v["singleValueExtendedProperties"]
        .as_array()?
        .iter()
        .find(|p| {
            let id = p["id"].as_str().unwrap_or_default().to_ascii_lowercase();
            let mut words = id.split_whitespace();
            words.next() == Some("integer")
                && words
                    .next()
                    .and_then(|t| u32::from_str_radix(t.trim_start_matches("0x"), 16).ok())
                    == Some(0x0E08)
        })?["value"]
        .as_str()?
        .parse()
        .ok()
}

/// One page of a folder's messages, newest first: exactly one GET. `top` is clamped to 1..=50;
/// `cursor` is the `next` of the previous page.
pub async fn graph_message_page(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    folder_id: &str,
    top: u32,
    cursor: Option<&str>,
) -> Result<MessagePage, Diagnosis> {
    let client = cloud.http_client()?;
    graph_message_page_on(&client, cloud, token, mailbox, folder_id, top, cursor).await
}

/// As [`graph_message_page`], on a client the caller keeps (its connections are reused).
pub(crate) async fn graph_message_page_on(
    client: &reqwest::Client,
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    folder_id: &str,
    top: u32,
    cursor: Option<&str>,
) -> Result<MessagePage, Diagnosis> {
    let url = match cursor {
        Some(c) => check_cursor(cloud, c)?.to_string(),
        None => format!(
            "{}/v1.0{}/mailFolders/{}/messages?$select={SELECT}&$expand={EXPAND_SIZE}&$orderby=receivedDateTime%20desc&$top={}",
            cloud.graph.trim_end_matches('/'),
            mailbox_path(mailbox),
            segment(folder_id),
            top.clamp(1, MAX_PAGE)
        ),
    };
    let body = graph_get_on(client, token.secret(), &url).await?;
    let messages = body["value"]
        .as_array()
        .map(|a| a.iter().map(summary).collect())
        .unwrap_or_default();
    let next = body["@odata.nextLink"].as_str().map(str::to_owned);
    Ok(MessagePage {
        messages,
        next,
        round_trips: 1,
    })
}

/// The message's MIME source (`GET …/messages/{id}/$value`), at most `MAX_RAW_BYTES`.
pub async fn graph_raw_message(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    message_id: &str,
) -> Result<Vec<u8>, Diagnosis> {
    graph_raw_message_bounded(cloud, token, mailbox, message_id, MAX_RAW_BYTES).await
}

/// As `graph_raw_message`, with the bound given.
pub async fn graph_raw_message_bounded(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    message_id: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, Diagnosis> {
    let client = cloud.http_client()?;
    graph_raw_message_on(&client, cloud, token, mailbox, message_id, max_bytes).await
}

/// As [`graph_raw_message_bounded`], on a client the caller keeps (its connections are reused).
pub(crate) async fn graph_raw_message_on(
    client: &reqwest::Client,
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    message_id: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, Diagnosis> {
    let url = format!(
        "{}/v1.0{}/messages/{}/$value",
        cloud.graph.trim_end_matches('/'),
        mailbox_path(mailbox),
        segment(message_id)
    );
    let mut res = graph_get_response(client, token.secret(), &url).await?;
    if res.content_length().is_some_and(|n| n > max_bytes as u64) {
        return Err(too_large(&url, max_bytes));
    }
    let mut out = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| http::transport_error(&url, &e))?
    {
        if out.len() + chunk.len() > max_bytes {
            return Err(too_large(&url, max_bytes));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;
    use serde_json::json;

    #[test]
    fn the_size_is_read_however_graph_spells_its_tag() {
        let size = |props: Value| message_size(&json!({ "singleValueExtendedProperties": props }));
        assert_eq!(
            size(json!([{ "id": "Integer 0xe08", "value": "4711" }])),
            Some(4711)
        );
        assert_eq!(
            size(json!([{ "id": "Integer 0x0E08", "value": "12" }])),
            Some(12)
        );
        assert_eq!(
            size(json!([
                { "id": "String 0x1000", "value": "body" },
                { "id": "integer 0xE08", "value": "7" }
            ])),
            Some(7)
        );
        assert_eq!(size(json!([{ "id": "Integer 0xe07", "value": "1" }])), None);
        assert_eq!(
            size(json!([{ "id": "Integer 0xe08", "value": "many" }])),
            None
        );
        assert_eq!(message_size(&json!({ "id": "x" })), None);
    }

    fn cloud() -> Cloud {
        let mut c = Cloud::preset(CloudPreset::Global);
        c.graph = "https://graph.example.test:8443".into();
        c
    }

    #[test]
    fn a_cursor_under_the_graph_base_is_followed() {
        let url = check_cursor(
            &cloud(),
            "https://graph.example.test:8443/v1.0/users/a%40b/mailFolders/inbox/messages?$skip=50",
        );
        assert!(url.is_ok());
    }

    #[test]
    fn a_cursor_elsewhere_is_refused() {
        for bad in [
            "https://evil.test/v1.0/me/mailFolders/inbox/messages",
            "http://graph.example.test:8443/v1.0/me/mailFolders/inbox/messages",
            "https://graph.example.test:9443/v1.0/me/mailFolders/inbox/messages",
            "https://graph.example.test:8443@evil.test/v1.0/me/mailFolders/inbox/messages",
            "https://user:pw@graph.example.test:8443/v1.0/me/mailFolders/inbox/messages",
            "https://graph.example.test:8443/beta/me/mailFolders/inbox/messages",
            "https://graph.example.test:8443/v1.0/me/sendMail",
            "/v1.0/me/mailFolders/inbox/messages",
            "not a url",
        ] {
            let e = check_cursor(&cloud(), bad).unwrap_err();
            assert_eq!(e.code, "preview.cursor", "{bad}");
        }
    }

    #[test]
    fn mailbox_and_folder_are_encoded_as_path_segments() {
        assert_eq!(mailbox_path("me"), "/me");
        assert_eq!(
            mailbox_path("a b/c@contoso.test"),
            "/users/a%20b%2Fc@contoso.test"
        );
        assert_eq!(segment("AAMk/x+y=="), "AAMk%2Fx%2By==");
    }
}
