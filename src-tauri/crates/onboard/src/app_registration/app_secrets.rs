//! An app's client secrets through Graph with an admin's token, as a renewal needs them: listed
//! with their end dates and hints (the value's first three characters, which tell the kept
//! secret apart from the others), one added, one removed.

use super::graph_client::Graph;
use super::plan::str_of;
use crate::{catalog::Diagnosis, cloud::Cloud, platform::Secret};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use ts_rs::TS;

/// A client secret just created. Its value is in the secret store already; it is shown once.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NewSecret {
    /// The secret's keyId (the "Secret ID" column in the portal; not the value).
    pub secret_id: String,
    #[serde(skip)]
    #[ts(skip)]
    pub value: Secret,
    /// RFC 3339.
    pub expires: String,
}

/// One client secret of an app, as Graph lists it (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppSecret {
    /// The "Secret ID" column of Certificates & secrets.
    pub key_id: String,
    pub display_name: Option<String>,
    pub hint: String,
    /// RFC 3339.
    pub expires: String,
    #[ts(type = "number")]
    pub days_left: i64,
}

/// The app registration and its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppSecrets {
    /// The application object's id (not the client ID).
    pub object_id: String,
    pub display_name: String,
    pub secrets: Vec<AppSecret>,
}

/// The secrets in an application's `passwordCredentials`, soonest to expire first.
pub(crate) fn password_credentials(value: &Value, now: DateTime<Utc>) -> Vec<AppSecret> {
    let mut out: Vec<AppSecret> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let end = c["endDateTime"].as_str()?;
            let at = DateTime::parse_from_rfc3339(end).ok()?.with_timezone(&Utc);
            Some(AppSecret {
                key_id: str_of(&c["keyId"]),
                display_name: c["displayName"].as_str().map(str::to_owned),
                hint: str_of(&c["hint"]),
                expires: end.to_owned(),
                days_left: (at - now).num_days(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.expires.cmp(&b.expires));
    out
}

/// Which of `secrets` is `value`: the one with its hint. Two can share a hint; the later one is
/// the likelier (the newest).
pub(crate) fn matching<'a>(secrets: &'a [AppSecret], value: &Secret) -> Option<&'a AppSecret> {
    let hint: String = value.expose().chars().take(3).collect();
    secrets
        .iter()
        .filter(|s| s.hint == hint)
        .max_by(|a, b| a.expires.cmp(&b.expires))
}

impl AppSecrets {
    /// The listed secret whose value is `value`.
    pub fn matching(&self, value: &Secret) -> Option<&AppSecret> {
        matching(&self.secrets, value)
    }
}

/// The app `client_id` and its secrets, read with the admin's token.
pub async fn app_secrets(
    cloud: &Cloud,
    admin_token: &Secret,
    client_id: &str,
    now: DateTime<Utc>,
) -> Result<AppSecrets, Diagnosis> {
    let graph = Graph::new(cloud, admin_token)?;
    let app = graph
        .get(
            &format!("/applications(appId='{client_id}')"),
            &[("$select", "id,displayName,passwordCredentials")],
        )
        .await?;
    Ok(AppSecrets {
        object_id: str_of(&app["id"]),
        display_name: str_of(&app["displayName"]),
        secrets: password_credentials(&app["passwordCredentials"], now),
    })
}

/// Adds a secret named `display_name` that ends `months` from now (`addPassword`). Its value is
/// in the answer only, so the caller keeps it before doing anything else.
pub async fn add_app_secret(
    cloud: &Cloud,
    admin_token: &Secret,
    object_id: &str,
    display_name: &str,
    months: u32,
) -> Result<NewSecret, Diagnosis> {
    create_password(
        &Graph::new(cloud, admin_token)?,
        object_id,
        display_name,
        months,
    )
    .await
}

pub(crate) async fn create_password(
    graph: &Graph,
    object_id: &str,
    display_name: &str,
    months: u32,
) -> Result<NewSecret, Diagnosis> {
    let now = Utc::now();
    let end = now
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(now);
    let body = json!({ "passwordCredential": {
        "displayName": display_name,
        "endDateTime": end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    } });
    let created = graph
        .post(&format!("/applications/{object_id}/addPassword"), &body)
        .await?;
    let secret_id = str_of(&created["keyId"]);
    let value = created["secretText"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(Secret::new)
        .ok_or_else(|| {
            Diagnosis::new(
                "register.secret.missing",
                "Microsoft Graph created a secret but did not return its value",
                format!("The answer to addPassword had no secretText (secret ID {secret_id})."),
                "Delete that secret under Certificates & secrets in the Entra admin center, then run this again.",
            )
        })?;
    Ok(NewSecret {
        secret_id,
        value,
        expires: created["endDateTime"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| end.to_rfc3339()),
    })
}

/// Removes the secret `key_id` (`removePassword`): the token endpoint refuses it from then on.
pub async fn remove_app_secret(
    cloud: &Cloud,
    admin_token: &Secret,
    object_id: &str,
    key_id: &str,
) -> Result<(), Diagnosis> {
    Graph::new(cloud, admin_token)?
        .post(
            &format!("/applications/{object_id}/removePassword"),
            &json!({ "keyId": key_id }),
        )
        .await
        .map(drop)
}
