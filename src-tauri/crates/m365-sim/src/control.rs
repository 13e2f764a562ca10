//! Test control under `/_sim/`: the request log, fault rules, the clock and device-code
//! approval. Token introspection, which Dovecot asks under `/_sim/` too, is exchange/'s.

use crate::tenant::request_log::{Fault, FaultRule, LogEntry};
use crate::tenant::sim::{lock, Shared};
use crate::tenant::world::DeviceState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Logs every request outside `/_sim/` and applies the first matching fault rule.
pub async fn observe(State(sim): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_sim/") {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let query = req.uri().query().map(str::to_owned);
    let slot = crate::graph::concurrency::acquire(&sim, &path, req.headers());
    let fault = take_fault(&sim, &method, &path);
    let res = match (slot, fault) {
        (Err(throttled), _) => throttled,
        (Ok(_slot), fault) => answer(fault, req, next, &path).await,
    };
    lock(&sim.log).push(LogEntry {
        method,
        path,
        query,
        status: res.status().as_u16(),
        at: sim.clock.now().to_rfc3339(),
    });
    res
}

/// The response, with the fault (if any) applied.
async fn answer(fault: Option<Fault>, req: Request, next: Next, path: &str) -> Response {
    match fault {
        Some(Fault::Latency { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Some(Fault::Status {
            status,
            retry_after,
        }) => status_fault(status, retry_after, path),
        Some(Fault::Drop) => dropped(),
        Some(Fault::Malformed) => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            "{\"access_token\":\"eyJ0eXAiOiJKV1Qi",
        )
            .into_response(),
        None => next.run(req).await,
    }
}

fn take_fault(sim: &Shared, method: &str, path: &str) -> Option<Fault> {
    let mut rules = lock(&sim.faults);
    let i = rules.iter().position(|r| {
        path.starts_with(&r.path_prefix)
            && r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    })?;
    let fault = rules[i].fault.clone();
    match &mut rules[i].times {
        Some(1) => {
            rules.remove(i);
        }
        Some(n) => *n -= 1,
        None => {}
    }
    Some(fault)
}

fn status_fault(status: u16, retry_after: Option<String>, path: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let graph = path.starts_with("/graph");
    let mut res = match (graph, status) {
        (true, 429) => crate::graph::error::throttled("TooManyRequests", "Please retry again later.", retry_after.as_deref().unwrap_or("1")),
        (true, _) => crate::graph::error::GraphError::new(code, "serviceNotAvailable", "The service is temporarily unavailable.").into_response(),
        (false, _) => (
            code,
            axum::Json(json!({ "error": "temporarily_unavailable", "error_description": "AADSTS90033: A transient error has occurred. Please try again." })),
        )
            .into_response(),
    };
    if let Some(r) = retry_after.and_then(|r| HeaderValue::from_str(&r).ok()) {
        res.headers_mut().insert(header::RETRY_AFTER, r);
    }
    res
}

/// Headers, then the connection breaks mid-body.
fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("fault: dropped connection"))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

pub async fn get_log(State(sim): State<Shared>) -> Response {
    axum::Json(lock(&sim.log).clone()).into_response()
}

pub async fn clear_log(State(sim): State<Shared>) -> StatusCode {
    lock(&sim.log).clear();
    StatusCode::NO_CONTENT
}

pub async fn add_fault(
    State(sim): State<Shared>,
    axum::Json(rule): axum::Json<FaultRule>,
) -> StatusCode {
    lock(&sim.faults).push(rule);
    StatusCode::CREATED
}

pub async fn clear_faults(State(sim): State<Shared>) -> StatusCode {
    lock(&sim.faults).clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize, Serialize)]
pub struct ClockBody {
    pub offset_secs: i64,
}

/// Every access and refresh token issued so far (none is ever forgotten), for the tests' scans
/// for leaked secrets.
pub async fn tokens(State(sim): State<Shared>) -> Response {
    let world = sim.world();
    let access: Vec<&String> = world.access.keys().collect();
    let refresh: Vec<&String> = world.grants.keys().collect();
    axum::Json(json!({ "access": access, "refresh": refresh })).into_response()
}

pub async fn get_clock(State(sim): State<Shared>) -> Response {
    axum::Json(json!({ "offset_secs": sim.clock.offset(), "now": sim.clock.now().to_rfc3339() }))
        .into_response()
}

pub async fn set_clock(
    State(sim): State<Shared>,
    axum::Json(b): axum::Json<ClockBody>,
) -> StatusCode {
    sim.clock.set_offset(b.offset_secs);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct DeviceDecision {
    pub user_code: String,
    /// The user who approves; ignored for `decline`.
    #[serde(default)]
    pub upn: Option<String>,
    pub decision: String,
}

/// Approves or declines a pending device code as the named user would on `/devicelogin`
/// (consent is assumed given; use the page to exercise consent).
pub async fn device_decision(
    State(sim): State<Shared>,
    axum::Json(d): axum::Json<DeviceDecision>,
) -> Response {
    let mut world = sim.world();
    let user = d
        .upn
        .as_deref()
        .and_then(|u| world.find_user(u))
        .map(|(_, u)| u.upn.clone());
    let Some(flow) = world
        .devices
        .values_mut()
        .find(|f| f.user_code == d.user_code && f.state == DeviceState::Pending)
    else {
        return (
            StatusCode::NOT_FOUND,
            "no pending device code with that user code",
        )
            .into_response();
    };
    match (d.decision.as_str(), user) {
        ("approve", Some(u)) => {
            flow.state = DeviceState::Approved;
            flow.user = Some(u);
        }
        ("decline", _) => flow.state = DeviceState::Declined,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "decision is approve (with a known upn) or decline",
            )
                .into_response()
        }
    }
    StatusCode::NO_CONTENT.into_response()
}
