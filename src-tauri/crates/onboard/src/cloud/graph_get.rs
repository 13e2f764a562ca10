//! A GET on Microsoft Graph with a bearer token; a refusal becomes the diagnosis of its Graph
//! error code.

use crate::{
    catalog::{self, Diagnosis},
    cloud::{mailbox_gate, Cloud},
    platform::{http, Secret},
};
use std::time::Duration;

/// `path` is below `/v1.0`, e.g. `/applications(appId='…')?$select=passwordCredentials`.
pub async fn graph_get(
    cloud: &Cloud,
    token: &Secret,
    path: &str,
) -> Result<serde_json::Value, Diagnosis> {
    let url = format!("{}/v1.0{path}", cloud.graph.trim_end_matches('/'));
    graph_get_url(cloud, token, &url).await
}

/// A GET on a full Graph URL (an `@odata.nextLink`); the caller has checked that it is under
/// the cloud's Graph base.
pub async fn graph_get_url(
    cloud: &Cloud,
    token: &Secret,
    url: &str,
) -> Result<serde_json::Value, Diagnosis> {
    graph_get_on(&cloud.http_client()?, token, url).await
}

/// Requests one GET may take: the first, and up to three retries of throttling (429) or a
/// passing server error (5xx).
pub const MAX_ATTEMPTS: u32 = 4;

/// The longest `Retry-After` waited for; Graph asking for longer ends the call with its
/// throttling diagnosis instead of freezing the step.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How long to wait before retrying after `status` on attempt `attempt` (1-based), or `None`
/// when it is not worth retrying: what `Retry-After` (seconds) asks, else a backoff of 0.5, 1,
/// 2 s.
pub(crate) fn retry_delay(
    status: u16,
    retry_after: Option<&str>,
    attempt: u32,
) -> Option<Duration> {
    let retryable = status == 429 || ((500..600).contains(&status) && status != 501);
    if !retryable || attempt >= MAX_ATTEMPTS {
        return None;
    }
    match retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(secs) if Duration::from_secs(secs) > MAX_RETRY_AFTER => None,
        Some(secs) => Some(Duration::from_secs(secs)),
        None => Some(Duration::from_millis(500 << (attempt - 1).min(2))),
    }
}

/// A successful GET's response, holding its mailbox's slot ([`mailbox_gate`]) until the body
/// has been read.
pub(crate) struct GraphResponse {
    res: reqwest::Response,
    _slot: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl GraphResponse {
    pub(crate) fn content_length(&self) -> Option<u64> {
        self.res.content_length()
    }

    pub(crate) async fn chunk(&mut self) -> reqwest::Result<Option<bytes::Bytes>> {
        self.res.chunk().await
    }

    /// The whole body as text; `url` names the request if the connection fails meanwhile.
    pub(crate) async fn text(self, url: &str) -> Result<String, Diagnosis> {
        self.res
            .text()
            .await
            .map_err(|e| http::transport_error(url, &e))
    }
}

/// A successful GET on a full Graph URL, after throttling and passing server errors were
/// retried as [`retry_delay`] says; a refusal is the diagnosis of its Graph error. The JSON
/// reads and the raw message download share it.
pub(crate) async fn graph_get_response(
    client: &reqwest::Client,
    token: &Secret,
    url: &str,
) -> Result<GraphResponse, Diagnosis> {
    send_retried(url, || client.get(url).bearer_auth(token.expose())).await
}

/// The request `build` makes for `url` (made again for each attempt), retried as
/// [`retry_delay`] says, each attempt holding a slot of the mailbox `url` names; the successful
/// response, or the diagnosis of the refusal.
pub(crate) async fn send_retried(
    url: &str,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<GraphResponse, Diagnosis> {
    let mut attempt = 1;
    loop {
        let slot = mailbox_gate::slot(url).await;
        let res = build()
            .send()
            .await
            .map_err(|e| http::transport_error(url, &e))?;
        let status = res.status();
        if status.is_success() {
            return Ok(GraphResponse { res, _slot: slot });
        }
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.text().await.unwrap_or_default();
        drop(slot);
        match retry_delay(status.as_u16(), retry_after.as_deref(), attempt) {
            Some(wait) => {
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            None => return Err(catalog::graph_error(status.as_u16(), &body)),
        }
    }
}

/// As [`graph_get_url`], on a client the caller keeps (its connections are reused).
pub(crate) async fn graph_get_on(
    client: &reqwest::Client,
    token: &Secret,
    url: &str,
) -> Result<serde_json::Value, Diagnosis> {
    let res = graph_get_response(client, token, url).await?;
    let status = res.res.status();
    let body = res.text(url).await?;
    serde_json::from_str(&body).map_err(|e| {
        Diagnosis::new(
            "graph.malformed",
            "Microsoft Graph gave an answer the wizard cannot read",
            format!("{url} answered HTTP {status} with a body that is not JSON ({e})."),
            "Check that the Graph URL points at Microsoft Graph, then try again.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_and_server_errors_are_retried_a_bounded_number_of_times() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        for (status, retry_after, attempt, want) in [
            (429, Some("2"), 1, Some(s(2))),
            (429, Some(" 0 "), 3, Some(s(0))),
            (429, None, 1, Some(ms(500))),
            (503, None, 2, Some(ms(1000))),
            (500, Some("soon"), 3, Some(ms(2000))),
            (429, Some("2"), MAX_ATTEMPTS, None),
            (429, Some("120"), 1, None),
            (501, None, 1, None),
            (400, None, 1, None),
            (404, Some("1"), 1, None),
        ] {
            assert_eq!(
                retry_delay(status, retry_after, attempt),
                want,
                "{status} {retry_after:?} {attempt}"
            );
        }
    }
}
