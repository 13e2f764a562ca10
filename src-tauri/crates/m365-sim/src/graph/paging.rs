//! `$top` / `$skip` paging and the `@odata.nextLink` that continues it, shared by the lists.

use super::error::GraphError;
use crate::tenant::sim::Shared;
use axum::http::StatusCode;
use std::collections::HashMap;

/// A whole-number query parameter, or `default` when absent.
pub fn number(q: &HashMap<String, String>, key: &str, default: usize) -> Result<usize, GraphError> {
    q.get(key).map_or(Ok(default), |v| {
        v.parse::<usize>().map_err(|_| {
            GraphError::new(
                StatusCode::BAD_REQUEST,
                "ErrorInvalidUrlQuery",
                format!("The value '{v}' of parameter '{key}' is invalid."),
            )
        })
    })
}

/// The same request with `$skip` moved on to `next_skip`.
pub fn next_link(
    sim: &Shared,
    path: &str,
    q: &HashMap<String, String>,
    next_skip: usize,
) -> String {
    let mut query: Vec<(String, String)> = q
        .iter()
        .filter(|(k, _)| *k != "$skip")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    query.push(("$skip".into(), next_skip.to_string()));
    query.sort();
    format!(
        "{}{path}?{}",
        sim.base_url,
        serde_urlencoded::to_string(query).unwrap_or_default()
    )
}
