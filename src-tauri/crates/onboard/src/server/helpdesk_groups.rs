//! The channel options step's destination group, listed from the helpdesk itself: Zammad's
//! active groups through its REST API (`GET /api/v1/groups`, `Authorization: Token token=…`).
//! Zammad pages with `page` and `per_page` and gives no total, so pages are read until one comes
//! back empty (its API documentation's advice). The token goes in a header marked sensitive and
//! is never quoted: not in a diagnosis, not from a server's answer.

use crate::platform::http::is_loopback_host;
use crate::{
    catalog::Diagnosis,
    platform::{http, Secret},
};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
use ts_rs::TS;

/// A group a channel can put new tickets in. `id` is what Zammad's channel stores (`group_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HelpdeskGroup {
    pub id: String,
    /// Zammad's `name` of the group, as its admin interface shows it.
    pub name: String,
}

pub const TOKEN_FIELD: &str = "Zammad API token";
pub const URL_FIELD: &str = "Helpdesk URL";
/// Well under Zammad's own cap (500 or 1000, by version).
const PER_PAGE: u32 = 100;
/// 10,000 groups; a server that pages on beyond that is not answering the question.
const MAX_PAGES: u32 = 100;
const HOW_TO_GET_A_TOKEN: &str = "In Zammad, as an administrator: your avatar > Profile > Token Access > Create, with the permission admin.group (“Admin interface > Group”); copy the token (it is shown once) and paste it here. Token access must be on: Admin > System > API > API Token Access.";

/// The active groups of the Zammad at `base_url` (the server step's host name or URL), sorted
/// by name. `extra_ca_pem`: one more CA to trust (a helpdesk with an internal CA; tests).
pub async fn zammad_groups(
    base_url: &str,
    api_token: &Secret,
    extra_ca_pem: Option<&str>,
) -> Result<Vec<HelpdeskGroup>, Diagnosis> {
    let base = api_base(base_url)?;
    let auth = authorization(api_token)?;
    let client = http::client_with_ca(extra_ca_pem)?;
    let mut seen = HashSet::new();
    let mut active = Vec::new();
    for page in 1..=MAX_PAGES {
        let url = format!("{base}/api/v1/groups?page={page}&per_page={PER_PAGE}");
        let items = get_page(&client, &url, &auth, api_token).await?;
        let mut new = false;
        for item in &items {
            let Some((group, is_active)) = group_of(item) else {
                return Err(not_zammad(
                    &url,
                    "a list whose entries are not Zammad groups",
                ));
            };
            if seen.insert(group.id.clone()) {
                new = true;
                if is_active {
                    active.push(group);
                }
            }
        }
        // An empty page ends the list; a page of known groups means the server ignores `page`.
        if !new {
            break;
        }
    }
    active.sort_by_cached_key(|g| g.name.to_lowercase());
    Ok(active)
}

/// `https://host[/path]` from a host name or a pasted URL (Zammad's own links end in `/#…`).
fn api_base(input: &str) -> Result<String, Diagnosis> {
    let text = input.trim();
    let bad = |detail: String, fix: &str| {
        Diagnosis::field(URL_FIELD, "zammad.url", detail, fix.to_owned())
    };
    if text.is_empty() {
        return Err(bad(
            "No helpdesk address was given.".into(),
            "Type the helpdesk's host name, such as helpdesk.example.com (the server step's).",
        ));
    }
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let mut url = url::Url::parse(&with_scheme).map_err(|e| {
        bad(
            format!("“{text}” is not a web address ({e})."),
            "Type the helpdesk's host name, such as helpdesk.example.com, or its https:// address.",
        )
    })?;
    let host = url.host_str().unwrap_or_default().to_owned();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => {
            return Err(bad(
                format!("{text} is plain http: the API token would cross the network unencrypted."),
                "Use the helpdesk's https:// address (Zammad needs HTTPS for the Microsoft 365 callback anyway).",
            ))
        }
        other => {
            return Err(bad(
                format!("“{other}:” is not a web address scheme."),
                "Type the helpdesk's https:// address.",
            ))
        }
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn authorization(token: &Secret) -> Result<HeaderValue, Diagnosis> {
    let t = token.expose().trim();
    let field = |detail: &str| {
        Diagnosis::field(
            TOKEN_FIELD,
            "zammad.token_missing",
            detail.to_owned(),
            HOW_TO_GET_A_TOKEN,
        )
    };
    if t.is_empty() {
        return Err(field("No API token was given."));
    }
    let mut value = HeaderValue::from_str(&format!("Token token={t}"))
        .map_err(|_| field("The token contains characters no Zammad token has (a line break?)."))?;
    value.set_sensitive(true);
    Ok(value)
}

/// One page: a JSON array, or the reason there is none.
async fn get_page(
    client: &reqwest::Client,
    url: &str,
    auth: &HeaderValue,
    token: &Secret,
) -> Result<Vec<Value>, Diagnosis> {
    let res = client
        .get(url)
        .header(AUTHORIZATION, auth.clone())
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| http::transport_error(url, &e))?;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    let body = res
        .text()
        .await
        .map_err(|e| http::transport_error(url, &e))?;
    let said = zammad_error(&body, token);
    match status {
        200..=299 => match serde_json::from_str::<Value>(&body) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err(not_zammad(url, "JSON that is not a list of groups")),
            Err(_) => Err(not_zammad(url, "a page that is not JSON (a web page?)")),
        },
        401 => Err(Diagnosis::field(
            TOKEN_FIELD,
            "zammad.token_refused",
            format!("Zammad refused the token (HTTP 401{said}): it is wrong, expired or deleted, or token access is off."),
            HOW_TO_GET_A_TOKEN,
        )),
        403 => Err(Diagnosis::field(
            TOKEN_FIELD,
            "zammad.token_permission",
            format!("Zammad accepted the token but it may not list groups (HTTP 403{said}): it lacks the permission admin.group, or its user is no administrator."),
            HOW_TO_GET_A_TOKEN,
        )),
        300..=399 => Err(not_zammad(
            url,
            &format!(
                "a redirect to {}",
                location.as_deref().unwrap_or("another address")
            ),
        )),
        404 => Err(not_zammad(url, "HTTP 404: there is no Zammad API here")),
        _ => Err(Diagnosis::new(
            "zammad.server_error",
            "The helpdesk could not list its groups",
            format!("{url} answered HTTP {status}{said}."),
            "Try again in a minute; if it persists, check Zammad's production log (or type the group's name instead).",
        )),
    }
}

/// `: <Zammad's error text>` from `{"error": "…"}`, without the token, short; or nothing.
fn zammad_error(body: &str, token: &Secret) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let Some(text) = v["error"].as_str().filter(|t| !t.trim().is_empty()) else {
        return String::new();
    };
    let t = token.expose().trim();
    let text: String = text
        .chars()
        .take(200)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = if t.is_empty() {
        text
    } else {
        text.replace(t, "…")
    };
    format!(": “{text}”")
}

fn not_zammad(url: &str, answer: &str) -> Diagnosis {
    Diagnosis::new(
        "zammad.not_zammad",
        "This does not look like Zammad",
        format!("{url} answered with {answer}, not with Zammad's list of groups."),
        "Check the helpdesk address: Zammad's own address, such as https://helpdesk.example.com (the server step's host name), without a path unless Zammad lives under one.",
    )
}

/// A Zammad group object: `{ "id": 1, "name": "Users", "active": true, … }`.
fn group_of(item: &Value) -> Option<(HelpdeskGroup, bool)> {
    let id = match &item["id"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) if !s.is_empty() => s.clone(),
        _ => return None,
    };
    let name = item["name"].as_str()?.to_owned();
    let active = item["active"].as_bool().unwrap_or(true);
    Some((HelpdeskGroup { id, name }, active))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_is_https_from_a_host_or_a_pasted_url() {
        assert_eq!(
            api_base("helpdesk.example.com").unwrap(),
            "https://helpdesk.example.com"
        );
        assert_eq!(
            api_base(" https://helpdesk.example.com/#ticket/view/my_tickets ").unwrap(),
            "https://helpdesk.example.com"
        );
        assert_eq!(
            api_base("https://example.com/zammad/").unwrap(),
            "https://example.com/zammad"
        );
        assert_eq!(
            api_base("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "",
            "http://helpdesk.example.com",
            "ftp://x.example",
            "https://",
        ] {
            let d = api_base(bad).unwrap_err();
            assert_eq!(d.field.as_deref(), Some(URL_FIELD), "{bad}");
        }
    }

    #[test]
    fn groups_are_read_from_zammads_shape() {
        let v: Value =
            serde_json::json!({ "id": 7, "name": "2nd Level", "active": false, "user_ids": [] });
        assert_eq!(
            group_of(&v),
            Some((
                HelpdeskGroup {
                    id: "7".into(),
                    name: "2nd Level".into()
                },
                false
            ))
        );
        assert_eq!(group_of(&serde_json::json!({ "name": "x" })), None);
        assert_eq!(group_of(&serde_json::json!("Users")), None);
    }

    #[test]
    fn the_token_is_never_quoted() {
        let token = Secret::new("s3cr3t-token");
        let said = zammad_error(r#"{"error":"Invalid token s3cr3t-token!"}"#, &token);
        assert_eq!(said, ": “Invalid token …!”");
        assert_eq!(zammad_error("<html>", &token), "");
        let d = authorization(&Secret::new("a\nb")).unwrap_err();
        assert_eq!(d.field.as_deref(), Some(TOKEN_FIELD));
        assert!(authorization(&token).unwrap().is_sensitive());
    }
}
