//! One live check as the wizard shows it: ✓, ✗, a warning, or not run, with its time and fix.

use crate::catalog::Diagnosis;
use serde::Serialize;
use std::time::Instant;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    /// Worked, but needs attention soon (a secret about to expire).
    Warning,
    Failed,
    /// Not run, because an earlier check failed or an input is missing.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CheckStep {
    /// Stable: `dns`, `https`, `tenant`, `app`, `secret-expiry`, ...
    pub id: String,
    pub label: String,
    pub status: CheckStatus,
    #[ts(type = "number")]
    pub millis: u64,
    pub detail: String,
    /// Set for `failed` and `warning`.
    pub diagnosis: Option<Diagnosis>,
}

impl CheckStep {
    /// A failed step as its diagnosis, so that [`Session::with_token`](crate::profile::Session::with_token)
    /// sees a refused token (and the caller rebuilds the same failed step from it).
    pub(crate) fn into_result(self) -> Result<CheckStep, Diagnosis> {
        match (&self.status, &self.diagnosis) {
            (CheckStatus::Failed, Some(d)) => Err(d.clone()),
            _ => Ok(self),
        }
    }

    pub fn passed(id: &str, label: &str, started: Instant, detail: impl Into<String>) -> Self {
        Self {
            id: id.to_owned(),
            label: label.to_owned(),
            status: CheckStatus::Ok,
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            detail: detail.into(),
            diagnosis: None,
        }
    }

    pub fn failed(id: &str, label: &str, started: Instant, d: Diagnosis) -> Self {
        Self {
            status: CheckStatus::Failed,
            detail: d.title.clone(),
            diagnosis: Some(d),
            ..Self::passed(id, label, started, "")
        }
    }

    pub fn skipped(id: &str, label: &str, why: impl Into<String>) -> Self {
        Self {
            status: CheckStatus::Skipped,
            millis: 0,
            ..Self::passed(id, label, Instant::now(), why)
        }
    }

    pub fn warning(mut self, d: Diagnosis) -> Self {
        self.status = CheckStatus::Warning;
        self.diagnosis = Some(d);
        self
    }
}
