//! Exchange Online's MailboxConcurrency limit: at most 4 Graph requests of one app on one mailbox
//! at a time; the fifth is answered 429 with `Retry-After`. A slot is held for the whole request,
//! injected latency included, as a slow server keeps requests in flight.

use super::error::throttled;
use crate::tenant::sim::{lock, Shared};
use axum::http::{header, HeaderMap};
use axum::response::Response;

pub const LIMIT: usize = 4;

/// A held slot; dropping it frees the slot.
pub struct Slot {
    sim: Shared,
    key: (String, String),
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut in_flight = lock(&self.sim.mailbox_requests);
        if let Some(n) = in_flight.get_mut(&self.key) {
            *n = n.saturating_sub(1);
        }
    }
}

/// `None` for requests that do not address a mailbox; `Err` with the 429 when over the limit.
pub fn acquire(sim: &Shared, path: &str, headers: &HeaderMap) -> Result<Option<Slot>, Response> {
    let Some(rest) = path.strip_prefix("/graph/v1.0/") else {
        return Ok(None);
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let Some(at) = sim.world().access.get(token.trim()).cloned() else {
        return Ok(None);
    };
    let mailbox = match rest.split('/').collect::<Vec<_>>().as_slice() {
        ["me", _, ..] => at.user.clone().unwrap_or_default(),
        ["users", id, _, ..] => id.to_ascii_lowercase(),
        _ => return Ok(None),
    };
    let key = (mailbox, at.client_id.to_ascii_lowercase());
    let mut in_flight = lock(&sim.mailbox_requests);
    let n = in_flight.entry(key.clone()).or_default();
    if *n >= LIMIT {
        return Err(throttled(
            "ApplicationThrottled",
            "Application is over its MailboxConcurrency limit.",
            "1",
        ));
    }
    *n += 1;
    Ok(Some(Slot {
        sim: sim.clone(),
        key,
    }))
}
