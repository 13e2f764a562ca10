//! The identity platform's error envelope, field for field as Microsoft sends it
//! (see shared/reference/microsoft/token_error_*.json): AADSTS code and text, trace and
//! correlation ids, timestamp, error_uri; 401 for invalid_client, 400 otherwise; never cached.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct AadError {
    /// The OAuth error: invalid_request, invalid_client, invalid_grant, ...
    pub error: &'static str,
    pub code: u32,
    pub message: String,
}

impl AadError {
    pub fn new(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self {
            error,
            code,
            message: message.into(),
        }
    }

    /// OpenID discovery names a tenant that does not exist `invalid_tenant` where the token and
    /// device code endpoints say `invalid_request` (same code, same text).
    pub fn for_discovery(mut self) -> Self {
        if self.code == 90002 {
            self.error = "invalid_tenant";
        }
        self
    }

    /// `error_description` as Microsoft writes it, with `\r\n` between the parts.
    pub fn description(&self, trace_id: &str, correlation_id: &str, at: DateTime<Utc>) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {}",
            self.code,
            self.message,
            timestamp(at)
        )
    }

    pub fn into_response_at(self, at: DateTime<Utc>, correlation_id: Option<&str>) -> Response {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = correlation_id
            .filter(|c| uuid::Uuid::parse_str(c).is_ok())
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let body = Envelope {
            error: self.error,
            error_description: self.description(&trace_id, &correlation_id, at),
            error_codes: vec![self.code],
            timestamp: timestamp(at),
            trace_id,
            correlation_id,
            error_uri: format!("https://login.microsoftonline.com/error?code={}", self.code),
        };
        let status = if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut res = (status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        res.headers_mut()
            .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        res
    }
}

/// Field order matters to people comparing with Microsoft's samples; serde keeps declaration order.
#[derive(Serialize)]
struct Envelope {
    error: &'static str,
    error_description: String,
    error_codes: Vec<u32>,
    timestamp: String,
    trace_id: String,
    correlation_id: String,
    error_uri: String,
}

/// `2022-03-02 18:25:26Z`, Microsoft's format.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}
