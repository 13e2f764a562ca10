//! A search over Graph, one GET per page, read-only. Words (text, sender, subject) go to
//! `$search` as KQL (`"…"`, `from:`, `subject:`, `received>=`, `hasAttachments:`), and then
//! everything does: Graph takes neither `$filter` nor `$orderby` with `$search` on messages,
//! sorts its results by sent date and returns at most 1,000 of them (the page says so when a
//! search reaches that). Dates and attachments alone go to `$filter`, newest received first
//! and uncapped, as the folder view. No `ConsistencyLevel` header: that is for directory
//! objects, not messages. The next page follows `@odata.nextLink` (checked as the folder view
//! checks it). Folder scope is `/mailFolders/{id}/messages`, all folders `/messages`.

use crate::cloud::graph_get::graph_get_on;
use crate::identity::audience::{AccessToken, GraphAudience};
use crate::mailbox::graph::preview::{
    check_cursor, mailbox_path, segment, summary, EXPAND_SIZE, SELECT,
};
use crate::mailbox::message_page::{refused_cursor, MAX_PAGE};
use crate::mailbox::search::page::{SearchHit, SearchPage};
use crate::mailbox::search::query::ValidQuery;
use crate::{catalog::Diagnosis, cloud::Cloud};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;

/// "A `$search` request returns up to 1,000 results."
pub const SEARCH_CAP: u32 = 1000;

/// A query value with everything but unreserved characters percent-encoded.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn midnight(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// The KQL of a search with words: each part a restriction, all of them to hold.
pub(crate) fn kql(q: &ValidQuery) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &q.text {
        parts.push(format!("\"{t}\""));
    }
    if let Some(f) = &q.from {
        parts.push(format!("from:\"{f}\""));
    }
    if let Some(s) = &q.subject {
        parts.push(format!("subject:\"{s}\""));
    }
    if let Some(d) = q.since {
        parts.push(format!("received>={}", midnight(d)));
    }
    if let Some(d) = q.before {
        parts.push(format!("received<{}", midnight(d)));
    }
    if q.has_attachments {
        parts.push("hasAttachments:true".to_owned());
    }
    parts.join(" AND ")
}

/// The `$search` value: the KQL in double quotes, its own quotes and backslashes escaped.
pub(crate) fn search_value(kql: &str) -> String {
    format!("\"{}\"", kql.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The `$filter` of a search without words. Graph wants the `$orderby` property first in the
/// filter (else `InefficientFilter`), so it always starts with `receivedDateTime`.
pub(crate) fn filter(q: &ValidQuery) -> String {
    let since = q
        .since
        .map_or_else(|| "1900-01-01T00:00:00Z".to_owned(), midnight);
    let mut parts = vec![format!("receivedDateTime ge {since}")];
    if let Some(d) = q.before {
        parts.push(format!("receivedDateTime lt {}", midnight(d)));
    }
    if q.has_attachments {
        parts.push("hasAttachments eq true".to_owned());
    }
    parts.join(" and ")
}

/// The first page's URL.
pub(crate) fn first_url(cloud: &Cloud, mailbox: &str, q: &ValidQuery, top: u32) -> String {
    let list = match &q.folder {
        Some(f) => format!("/mailFolders/{}/messages", segment(f)),
        None => "/messages".to_owned(),
    };
    let restriction = if q.has_words() {
        format!("$search={}", encode(&search_value(&kql(q))))
    } else {
        format!(
            "$filter={}&$orderby=receivedDateTime%20desc",
            encode(&filter(q))
        )
    };
    format!(
        "{}/v1.0{}{list}?{restriction}&$select={SELECT},parentFolderId&$expand={EXPAND_SIZE}&$top={}",
        cloud.graph.trim_end_matches('/'),
        mailbox_path(mailbox),
        top.clamp(1, MAX_PAGE)
    )
}

/// The cursor: the search it belongs to, the results listed before, and Graph's next link.
fn encode_cursor(q: &ValidQuery, seen: u32, next: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("gsearch1\n{}\n{seen}\n{next}", q.fingerprint()))
}

fn decode_cursor(cloud: &Cloud, q: &ValidQuery, cursor: &str) -> Result<(u32, String), Diagnosis> {
    let refuse = || refused_cursor("The page cursor is not one of this Graph search.".into());
    let text = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(refuse)?;
    let mut parts = text.splitn(4, '\n');
    let (Some("gsearch1"), Some(fp), Some(seen), Some(url)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refuse());
    };
    if fp != q.fingerprint() {
        return Err(refuse());
    }
    let seen = seen.parse().map_err(|_| refuse())?;
    Ok((seen, check_cursor(cloud, url)?.to_string()))
}

/// One page of a search, newest first: exactly one GET. `top` is clamped to 1..=50; `cursor`
/// is the `next` of the previous page.
pub async fn graph_search(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    query: &ValidQuery,
    top: u32,
    cursor: Option<&str>,
) -> Result<SearchPage, Diagnosis> {
    let client = cloud.http_client()?;
    graph_search_on(&client, cloud, token, mailbox, query, top, cursor).await
}

/// As [`graph_search`], on a client the caller keeps.
pub(crate) async fn graph_search_on(
    client: &reqwest::Client,
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    q: &ValidQuery,
    top: u32,
    cursor: Option<&str>,
) -> Result<SearchPage, Diagnosis> {
    let (seen, url) = match cursor {
        Some(c) => decode_cursor(cloud, q, c)?,
        None => (0, first_url(cloud, mailbox, q, top)),
    };
    let body = graph_get_on(client, token.secret(), &url).await?;
    let messages: Vec<SearchHit> = body["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| SearchHit {
                    message: summary(v),
                    folder: v["parentFolderId"]
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| q.folder.clone())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let listed = seen.saturating_add(u32::try_from(messages.len()).unwrap_or(u32::MAX));
    let next_link = body["@odata.nextLink"].as_str();
    let capped =
        (q.has_words() && next_link.is_none() && listed >= SEARCH_CAP).then_some(SEARCH_CAP);
    Ok(SearchPage {
        next: next_link.map(|n| encode_cursor(q, listed, n)),
        messages,
        round_trips: 1,
        capped,
        stopped: false,
        folders_searched: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;
    use crate::mailbox::search::query::{SearchQuery, SearchScope};

    fn valid(edit: impl FnOnce(&mut SearchQuery)) -> ValidQuery {
        let mut s = SearchQuery::in_folder("inbox");
        edit(&mut s);
        s.validate().unwrap()
    }

    #[test]
    fn words_go_to_search_as_kql_with_everything_else() {
        let q = valid(|s| {
            s.text = Some("printer jam".into());
            s.from = Some("Acme Corp".into());
            s.subject = Some("Ticket".into());
            s.since = Some("2026-11-01".into());
            s.before = Some("2026-12-01".into());
            s.has_attachments = true;
        });
        assert_eq!(
            kql(&q),
            "\"printer jam\" AND from:\"Acme Corp\" AND subject:\"Ticket\" AND received>=2026-11-01T00:00:00Z AND received<2026-12-01T00:00:00Z AND hasAttachments:true"
        );
        assert_eq!(search_value("from:\"A\\B\""), "\"from:\\\"A\\\\B\\\"\"");
        let url = first_url(&Cloud::preset(CloudPreset::Global), "me", &q, 50);
        assert!(
            url.contains("/v1.0/me/mailFolders/inbox/messages?$search=%22"),
            "{url}"
        );
        assert!(
            !url.contains("$orderby") && !url.contains("&$filter="),
            "{url}"
        );
    }

    #[test]
    fn dates_and_attachments_alone_go_to_filter_newest_first() {
        let q = valid(|s| {
            s.before = Some("2026-12-01".into());
            s.has_attachments = true;
            s.scope = SearchScope::AllFolders;
        });
        assert_eq!(
            filter(&q),
            "receivedDateTime ge 1900-01-01T00:00:00Z and receivedDateTime lt 2026-12-01T00:00:00Z and hasAttachments eq true"
        );
        let url = first_url(&Cloud::preset(CloudPreset::Global), "a@b.test", &q, 500);
        assert!(url.contains("/users/a@b.test/messages?$filter="), "{url}");
        assert!(
            url.contains("$orderby=receivedDateTime%20desc") && url.ends_with("$top=50"),
            "{url}"
        );
        assert!(!url.contains("$search"), "{url}");
    }

    #[test]
    fn a_cursor_belongs_to_its_search_and_to_graph() {
        let cloud = Cloud::preset(CloudPreset::Global);
        let a = valid(|s| s.text = Some("a".into()));
        let b = valid(|s| s.text = Some("b".into()));
        let next = format!("{}/v1.0/me/messages?$skip=50", cloud.graph);
        let c = encode_cursor(&a, 50, &next);
        assert_eq!(decode_cursor(&cloud, &a, &c).unwrap(), (50, next.clone()));
        assert_eq!(
            decode_cursor(&cloud, &b, &c).unwrap_err().code,
            "preview.cursor"
        );
        let elsewhere = encode_cursor(&a, 50, "https://evil.test/v1.0/me/messages");
        assert_eq!(
            decode_cursor(&cloud, &a, &elsewhere).unwrap_err().code,
            "preview.cursor"
        );
    }
}
