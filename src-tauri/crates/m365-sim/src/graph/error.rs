//! Graph's error shape: `{"error": {"code", "message", "innerError": {"request-id", "date"}}}`,
//! as in shared/reference/microsoft/graph_error_errors_doc_example.json.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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
        let request_id = uuid::Uuid::new_v4().to_string();
        let body = json!({ "error": {
            "code": self.code,
            "message": self.message,
            "innerError": {
                "request-id": request_id,
                "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
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
    let body = json!({ "error": {
        "code": code,
        "innerError": {
            "code": "429",
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "message": "Please retry after",
            "request-id": uuid::Uuid::new_v4().to_string(),
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
