//! Graph JSON batching (`POST /v1.0/$batch`, learn.microsoft.com/graph/json-batching): up to
//! [`MAX_BATCH`] independent GETs in one request, each answered with its own status. A throttled
//! request (429 inside the batch) is asked again in a later batch after its `Retry-After`; any
//! other refusal is that request's own diagnosis, so the caller names what failed.
//!
//! Graph hands a batch's requests to Exchange four at a time, and they count against the
//! mailbox's limit of 4 concurrent requests: a batch holds that many of its mailbox's slots
//! ([`mailbox_gate`]), so batches to one mailbox go one after the other.

use crate::{
    catalog::{self, Diagnosis},
    cloud::{
        graph_get::{retry_delay, send_retried},
        mailbox_gate, Cloud,
    },
    platform::Secret,
};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::time::Duration;

/// Graph's limit of requests in one batch.
pub const MAX_BATCH: usize = 20;

/// The answers to GETs of `paths` (each below `/v1.0`, all of one mailbox), in their order: the
/// JSON body, or the diagnosis of that request's Graph error. `Err` when the batch itself fails.
pub(crate) async fn graph_batch_get(
    client: &reqwest::Client,
    cloud: &Cloud,
    token: &Secret,
    paths: &[String],
) -> Result<Vec<Result<Value, Diagnosis>>, Diagnosis> {
    let answers = batch_get(client, &cloud.graph, token, paths).await?;
    Ok(answers
        .into_iter()
        .map(|a| match a.status {
            200..=299 => Ok(a.body),
            status => Err(catalog::graph_error(status, &a.body.to_string())),
        })
        .collect())
}

/// One request's answer in a batch: its status and JSON body.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Value,
}

/// As [`graph_batch_get`] on the Graph at `graph` (the cloud's base URL), each answer as Graph
/// gave it, so that the caller reads refusals in its own context. Throttled requests are asked
/// again; one still throttled after [`MAX_ATTEMPTS`](crate::cloud::graph_get::MAX_ATTEMPTS)
/// answers 429.
pub(crate) async fn batch_get(
    client: &reqwest::Client,
    graph: &str,
    token: &Secret,
    paths: &[String],
) -> Result<Vec<Answer>, Diagnosis> {
    let graph = graph.trim_end_matches('/');
    let url = format!("{graph}/v1.0/$batch");
    let mut answers: Vec<Option<Answer>> = (0..paths.len()).map(|_| None).collect();
    let mut attempts = vec![1u32; paths.len()];
    let mut pending: VecDeque<usize> = (0..paths.len()).collect();
    while !pending.is_empty() {
        let chunk: Vec<usize> = pending.drain(..pending.len().min(MAX_BATCH)).collect();
        let requests: Vec<Value> = chunk
            .iter()
            .map(|&i| json!({ "id": i.to_string(), "method": "GET", "url": paths[i] }))
            .collect();
        let mailbox_url = format!("{graph}/v1.0{}", paths[chunk[0]]);
        let slots = mailbox_gate::slots(&mailbox_url, chunk.len()).await;
        let reply = post(client, token, &url, &json!({ "requests": requests })).await?;
        drop(slots);
        let mut wait = Duration::ZERO;
        for r in reply["responses"].as_array().into_iter().flatten() {
            let Some(i) = r["id"]
                .as_str()
                .and_then(|id| id.parse::<usize>().ok())
                .filter(|i| chunk.contains(i))
            else {
                continue;
            };
            let status = r["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(0);
            let retried = !(200..300).contains(&status)
                && retry_delay(status, header(&r["headers"], "retry-after"), attempts[i])
                    .inspect(|delay| wait = wait.max(*delay))
                    .is_some();
            if retried {
                attempts[i] += 1;
                pending.push_back(i);
            } else {
                let body = r["body"].clone();
                answers[i] = Some(Answer { status, body });
            }
        }
        if let Some(&missing) = chunk
            .iter()
            .find(|&&i| answers[i].is_none() && !pending.contains(&i))
        {
            let what = format!("no answer to the request for {}", paths[missing]);
            return Err(malformed(&url, &what));
        }
        tokio::time::sleep(wait).await;
    }
    Ok(answers.into_iter().flatten().collect())
}

/// A header of a batch answer, whose names Graph spells as it likes.
fn header<'a>(headers: &'a Value, name: &str) -> Option<&'a str> {
    headers
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))?
        .1
        .as_str()
}

/// The batch POST, retried as a GET is when the batch as a whole is throttled or meets a passing
/// server error.
async fn post(
    client: &reqwest::Client,
    token: &Secret,
    url: &str,
    body: &Value,
) -> Result<Value, Diagnosis> {
    let res = send_retried(url, || {
        client.post(url).bearer_auth(token.expose()).json(body)
    })
    .await?;
    let text = res.text(url).await?;
    serde_json::from_str(&text)
        .map_err(|e| malformed(url, &format!("a body that is not JSON ({e})")))
}

fn malformed(url: &str, what: &str) -> Diagnosis {
    Diagnosis::new(
        "graph.malformed",
        "Microsoft Graph gave an answer the wizard cannot read",
        format!("{url} answered with {what}."),
        "Check that the Graph URL points at Microsoft Graph, then try again.",
    )
}
