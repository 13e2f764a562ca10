//! Graph's error shape: `{"error": {"code", "message", "innerError": {"request-id", "date",
//! "client-request-id"}}}`, as in shared/reference/microsoft/graph_error_errors_doc_example.json
//! (whose sample predates the `client-request-id` Graph repeats there now); and the `request-id`
//! and `client-request-id` headers of every answer.

use crate::tenant::sim::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One request's ids and time, which its answer and any error body repeat.
#[derive(Clone)]
struct RequestIds {
    request_id: String,
    /// The client's own `client-request-id` (a GUID), or the request id when it sent none.
    client_request_id: String,
    date: String,
}

tokio::task_local! {
    static IDS: RequestIds;
}

fn date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The ids of the request being answered (fresh ones outside a request, e.g. in unit tests).
fn ids() -> RequestIds {
    IDS.try_with(RequestIds::clone).unwrap_or_else(|_| {
        let id = uuid::Uuid::new_v4().to_string();
        RequestIds {
            request_id: id.clone(),
            client_request_id: id,
            date: date(chrono::Utc::now()),
        }
    })
}

/// Middleware for every Graph route: gives the request its ids (dated by the simulator's clock)
/// and puts them on the answer's headers, as Graph does.
pub async fn request_ids(State(sim): State<Shared>, req: Request, next: Next) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| uuid::Uuid::parse_str(v).is_ok())
        .map_or_else(|| request_id.clone(), str::to_owned);
    let ids = RequestIds {
        request_id,
        client_request_id,
        date: date(sim.clock.now()),
    };
    let mut res = IDS.scope(ids.clone(), next.run(req)).await;
    for (name, value) in [
        ("request-id", ids.request_id),
        ("client-request-id", ids.client_request_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, v);
        }
    }
    res
}

#[derive(Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    pub fn access_denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        )
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let ids = ids();
        let body = json!({ "error": {
            "code": self.code,
            "message": self.message,
            "innerError": {
                "request-id": ids.request_id,
                "date": ids.date,
                "client-request-id": ids.client_request_id,
            },
        } });
        let mut res = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// A throttled answer in the shape of shared/reference/microsoft/graph_error_throttled_429.json
/// (its `innerError` differs from other errors'), with `Retry-After`.
pub fn throttled(code: &str, message: &str, retry_after: &str) -> Response {
    let ids = ids();
    let body = json!({ "error": {
        "code": code,
        "innerError": {
            "code": "429",
            "date": ids.date,
            "message": "Please retry after",
            "request-id": ids.request_id,
            "status": "429",
        },
        "message": message,
    } });
    let mut res = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(retry_after) {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res
}
