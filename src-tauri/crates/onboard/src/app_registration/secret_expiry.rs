//! When does the client secret expire? Graph lists an app's secrets with their end dates and
//! the first three characters of each value (`hint`), which tells ours apart from the others.

use super::app_secrets::{matching, password_credentials};
use crate::{
    catalog::Diagnosis,
    cloud::{graph_get, Cloud},
    platform::Secret,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

/// Warn this many days ahead: enough to create, deploy and test a new secret.
pub const WARN_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SecretExpiry {
    /// The secret's ID (`keyId`) and name in Certificates & secrets.
    pub key_id: String,
    pub display_name: Option<String>,
    /// RFC 3339.
    pub expires: String,
    pub days_left: i64,
}

impl SecretExpiry {
    /// A warning in the catalog's shape when the secret expires within `WARN_DAYS`.
    pub fn warning(&self, credentials_page: &str) -> Option<Diagnosis> {
        self.warning_within(WARN_DAYS, credentials_page)
    }

    /// [`Self::warning`] for another window (the doctor's `--warn-days`).
    pub fn warning_within(&self, days: i64, credentials_page: &str) -> Option<Diagnosis> {
        (self.days_left < days).then(|| {
            Diagnosis::field(
                "Client secret",
                "secret.expires_soon",
                if self.days_left < 0 {
                    format!("The client secret expired on {}.", self.expires)
                } else {
                    format!(
                        "The client secret expires on {} ({} days from now). When it does, the helpdesk stops fetching mail (AADSTS7000222).",
                        self.expires, self.days_left
                    )
                },
                "Create a new client secret under Certificates & secrets, enter it in the helpdesk and here, then delete the old one.",
            )
            .with_docs(credentials_page)
        })
    }
}

/// Reads the app's secrets with `token` and picks the one whose hint matches `secret`.
/// `Ok(None)` when the app has no secret with that hint (the secret was entered wrong).
pub async fn secret_expiry(
    cloud: &Cloud,
    token: &Secret,
    client_id: &str,
    secret: &Secret,
    now: DateTime<Utc>,
) -> Result<Option<SecretExpiry>, Diagnosis> {
    let app = graph_get::graph_get(
        cloud,
        token,
        &format!("/applications(appId='{client_id}')?$select=passwordCredentials"),
    )
    .await?;
    let found = matching(
        &password_credentials(&app["passwordCredentials"], now),
        secret,
    )
    .map(|s| SecretExpiry {
        key_id: s.key_id.clone(),
        display_name: s.display_name.clone(),
        expires: s.expires.clone(),
        days_left: s.days_left,
    });
    Ok(found)
}
