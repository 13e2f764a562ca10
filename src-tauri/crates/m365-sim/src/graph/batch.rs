//! JSON batching, `POST /v1.0/$batch`, as learn.microsoft.com/graph/json-batching describes it:
//! up to 20 requests with case-insensitively unique ids and URLs relative to `/v1.0`, `dependsOn`
//! (a request whose dependency failed is answered 424), and one `{id, status, headers, body}`
//! per request. Each request goes through the simulator's own router, so that auth, the request
//! log, fault rules and the MailboxConcurrency limit treat it as if it had come on its own.
//! Graph hands Outlook up to four requests of a batch at a time (learn.microsoft.com/graph/
//! throttling, "Outlook service limits"); a `dependsOn` chain runs one at a time.

use super::error::GraphError;
use crate::tenant::sim::Shared;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tower::ServiceExt as _;

/// Graph's limit of requests in one batch.
pub const MAX_REQUESTS: usize = 20;
/// Requests of one batch handed on at a time, as Graph hands them to Outlook.
const IN_PARALLEL: usize = 4;
/// An answer body kept for the batch's response; larger ones are cut off (the simulator's
/// largest answers, raw messages, stay far below).
const MAX_BODY: usize = 16 << 20;

#[derive(Deserialize)]
struct Batch {
    requests: Option<Vec<Item>>,
}

#[derive(Deserialize, Clone)]
struct Item {
    id: Option<String>,
    method: Option<String>,
    url: Option<String>,
    #[serde(default, rename = "dependsOn")]
    depends_on: Vec<String>,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
}

fn bad(message: impl Into<String>) -> Response {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message).into_response()
}

pub async fn batch(State(sim): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let items = match serde_json::from_slice::<Batch>(&body) {
        Ok(Batch {
            requests: Some(items),
        }) => items,
        _ => return bad("Invalid batch payload format."),
    };
    if let Err(message) = validate(&items) {
        return bad(message);
    }
    let answers = run(&sim, &headers, &items).await;
    let responses: Vec<Value> = items
        .iter()
        .zip(answers)
        .map(|(item, answer)| {
            let mut r =
                json!({ "id": item.id, "status": answer.status, "headers": answer.headers });
            if let Some(body) = answer.body {
                r["body"] = body;
            }
            r
        })
        .collect();
    axum::Json(json!({ "responses": responses })).into_response()
}

/// Graph refuses the whole batch (400) for these; everything else is answered per request.
fn validate(items: &[Item]) -> Result<(), String> {
    if items.is_empty() {
        return Err("Invalid batch payload format: the batch has no requests.".into());
    }
    if items.len() > MAX_REQUESTS {
        return Err(format!(
            "Number of requests in the batch ({}) exceeds the limit of {MAX_REQUESTS}.",
            items.len()
        ));
    }
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let (Some(id), Some(_), Some(_)) = (&item.id, &item.method, &item.url) else {
            return Err("Each request in the batch needs an id, a method and a url.".into());
        };
        let id = id.to_ascii_lowercase();
        if id.is_empty() || ids.contains(&id) {
            return Err(format!(
                "Request id '{id}' is empty or not unique in the batch."
            ));
        }
        ids.push(id);
    }
    for item in items {
        for d in &item.depends_on {
            if !ids.contains(&d.to_ascii_lowercase()) {
                return Err(format!("Request depends on unknown request id '{d}'."));
            }
        }
    }
    Ok(())
}

/// One request's answer, as the batch reports it.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Map<String, Value>,
    body: Option<Value>,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A Graph error answered inside the batch (its envelope as graph/error.rs makes it).
    async fn error(status: StatusCode, code: &'static str, message: String) -> Self {
        Self::of(GraphError::new(status, code, message).into_response()).await
    }

    async fn of(res: Response) -> Self {
        let status = res.status().as_u16();
        let mut headers = Map::new();
        for (name, value) in res.headers() {
            if name == header::CONTENT_LENGTH {
                continue;
            }
            if let Ok(v) = value.to_str() {
                headers.insert(name.as_str().to_owned(), Value::String(v.to_owned()));
            }
        }
        let json = headers
            .get("content-type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.contains("json"));
        let bytes = to_bytes(res.into_body(), MAX_BODY)
            .await
            .unwrap_or_default();
        // JSON as JSON; anything else (a message's MIME, an attachment) base64-encoded, as
        // Graph returns it.
        let body = match (bytes.is_empty(), json) {
            (true, _) => None,
            (false, true) => serde_json::from_slice(&bytes).ok(),
            (false, false) => Some(Value::String(
                base64::engine::general_purpose::STANDARD.encode(&bytes),
            )),
        };
        Self {
            status,
            headers,
            body,
        }
    }
}

/// Answers every request: those whose dependencies are answered, up to [`IN_PARALLEL`] at a
/// time, until all are. Validation made every dependency a request of this batch.
async fn run(sim: &Shared, headers: &HeaderMap, items: &[Item]) -> Vec<Answer> {
    let key = |s: &str| s.to_ascii_lowercase();
    let index: HashMap<String, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (key(it.id.as_deref().unwrap_or_default()), i))
        .collect();
    let mut answers: Vec<Option<Answer>> = vec![None; items.len()];
    let mut in_flight = tokio::task::JoinSet::new();
    let mut started = vec![false; items.len()];
    loop {
        // Start what is ready; a failed dependency is answered 424 without being run.
        let mut progressed = false;
        for (i, item) in items.iter().enumerate() {
            if started[i] || in_flight.len() >= IN_PARALLEL {
                continue;
            }
            let deps: Vec<&Option<Answer>> = item
                .depends_on
                .iter()
                .filter_map(|d| index.get(&key(d)).map(|&j| &answers[j]))
                .collect();
            if deps.iter().any(|a| a.is_none()) {
                continue;
            }
            started[i] = true;
            progressed = true;
            if let Some(failed) = item.depends_on.iter().find(|d| {
                index
                    .get(&key(d))
                    .and_then(|&j| answers[j].as_ref())
                    .is_some_and(|a| !a.ok())
            }) {
                answers[i] = Some(
                    Answer::error(
                        StatusCode::FAILED_DEPENDENCY,
                        "FailedDependency",
                        format!("The request depends on request '{failed}', which failed."),
                    )
                    .await,
                );
                continue;
            }
            let (sim, headers, item) = (sim.clone(), headers.clone(), item.clone());
            in_flight.spawn(async move { (i, dispatch(&sim, &headers, &item).await) });
        }
        if progressed {
            continue;
        }
        match in_flight.join_next().await {
            Some(Ok((i, answer))) => answers[i] = Some(answer),
            Some(Err(_)) => {}
            None => break,
        }
    }
    // A request whose handler panicked (or a dependency cycle) is answered 500.
    let mut out = Vec::with_capacity(items.len());
    for a in answers {
        out.push(match a {
            Some(a) => a,
            None => {
                Answer::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "generalException",
                    "The request could not be run.".into(),
                )
                .await
            }
        })
    }
    out
}

/// One request of the batch through the simulator's router, with the batch's `Authorization`
/// and the request's own headers.
async fn dispatch(sim: &Shared, batch_headers: &HeaderMap, item: &Item) -> Answer {
    let url = item.url.as_deref().unwrap_or_default();
    let relative = url.strip_prefix("/v1.0").unwrap_or(url);
    let relative = relative.trim_start_matches('/');
    let path = relative.split(['?', '#']).next().unwrap_or_default();
    let refused = if url.contains("://") || path.split('/').any(|s| s == "..") {
        Some("The request URL must be relative to /v1.0.")
    } else if path.eq_ignore_ascii_case("$batch") {
        Some("A batch cannot hold a batch.")
    } else {
        None
    };
    if let Some(message) = refused {
        return Answer::error(StatusCode::BAD_REQUEST, "BadRequest", message.into()).await;
    }
    let Ok(method) = Method::from_bytes(item.method.as_deref().unwrap_or_default().as_bytes())
    else {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unknown HTTP method.".into(),
        )
        .await;
    };
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/graph/v1.0/{relative}"));
    if let Some(auth) = batch_headers.get(header::AUTHORIZATION) {
        req = req.header(header::AUTHORIZATION, auth.clone());
    }
    for (name, value) in &item.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            req = req.header(n, v);
        }
    }
    let body = match &item.body {
        None => Body::empty(),
        Some(Value::String(s)) => Body::from(s.clone()),
        Some(v) => Body::from(v.to_string()),
    };
    let Ok(req) = req.body(body) else {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The request URL or a header is not valid.".into(),
        )
        .await;
    };
    let Some(dispatch) = sim.dispatch.get() else {
        return Answer::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The simulator's router is not set.".into(),
        )
        .await;
    };
    match dispatch(sim.clone()).oneshot(req).await {
        Ok(res) => Answer::of(res).await,
        Err(never) => match never {},
    }
}
