//! The device code flow (RFC 8628) of the identity platform: ask for a code, show it, and poll
//! the token endpoint until the person approved, declined, or the code expired. Used to sign the
//! admin in for "create it for me" (app_registration/admin_sign_in.rs), and mailboxes in on
//! machines without a browser.

use crate::identity::token_endpoint::{request_token_or_refusal, TokenResponse};
use crate::{
    catalog::{self, Diagnosis},
    cloud::Cloud,
    platform::{http, Secret},
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use ts_rs::TS;

/// The grant type of the device code redemption.
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What the person must do: open `verification_uri` and type `user_code`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// Seconds until the code expires.
    pub expires_in: u32,
    /// Seconds to wait between polls.
    pub interval: u32,
    /// Microsoft's own sentence with the URL and the code.
    pub message: String,
    /// What the app redeems; it never leaves the core.
    #[serde(skip)]
    #[ts(skip)]
    pub device_code: Secret,
}

#[derive(Deserialize)]
struct Wire {
    user_code: String,
    device_code: String,
    verification_uri: String,
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
    #[serde(default)]
    message: Option<String>,
}

/// Stops a running poll (the person closed the dialog). Clones share the state.
#[derive(Debug, Clone)]
pub struct CancelToken(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for CancelToken {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl CancelToken {
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    pub async fn cancelled(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = rx.wait_for(|c| *c).await;
    }
}

/// POSTs `{authority}/{tenant}/oauth2/v2.0/devicecode` and returns what the person must do.
pub async fn start_device_code(
    cloud: &Cloud,
    tenant: &str,
    client_id: &str,
    scopes: &str,
) -> Result<DeviceCodePrompt, Diagnosis> {
    cloud.validate()?;
    let url = cloud.authority_url(tenant, "oauth2/v2.0/devicecode");
    let res = cloud
        .http_client()?
        .post(&url)
        .form(&[("client_id", client_id), ("scope", scopes)])
        .send()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    let status = res.status();
    let body = http::read_text_limited(res, &url, http::MAX_ANSWER).await?;
    if !status.is_success() {
        return Err(catalog::token_error(status.as_u16(), &body));
    }
    let w: Wire = serde_json::from_str(&body).map_err(|e| {
        Diagnosis::new(
            "device.malformed",
            "The sign-in service gave an answer the wizard cannot read",
            format!("{url} answered HTTP {status} with a body that is not a device code ({e})."),
            "Check that the authority URL points at the Microsoft identity platform, then try again.",
        )
    })?;
    let message = w.message.unwrap_or_else(|| {
        format!(
            "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
            w.verification_uri, w.user_code
        )
    });
    Ok(DeviceCodePrompt {
        user_code: w.user_code,
        verification_uri: w.verification_uri,
        expires_in: u32::try_from(w.expires_in).unwrap_or(u32::MAX),
        interval: w
            .interval
            .map_or(5, |i| u32::try_from(i).unwrap_or(u32::MAX)),
        message,
        device_code: Secret::new(w.device_code),
    })
}

fn expired() -> Diagnosis {
    Diagnosis::new(
        "device.expired",
        "The sign-in code expired",
        "Nobody entered and approved the code before it expired (codes last about 15 minutes).",
        "Start the sign-in again and enter the new code promptly.",
    )
}

fn declined() -> Diagnosis {
    Diagnosis::new(
        "device.declined",
        "The sign-in was declined",
        "The person who entered the code chose not to sign in, or refused the permissions asked for.",
        "Start the sign-in again and approve it; if the permissions are the problem, sign in as an administrator who may grant them.",
    )
}

fn cancelled() -> Diagnosis {
    Diagnosis::new(
        "device.cancelled",
        "The sign-in was cancelled",
        "The wizard stopped waiting for the code to be entered.",
        "Start the sign-in again when ready.",
    )
}

/// Polls the token endpoint for `prompt` until the person approved (the tokens), declined, the
/// code expired, or `cancel` fired. The first poll is immediate, then one every `interval`
/// seconds (5 more after each `slow_down`), as RFC 8628 asks.
pub async fn poll_device_code(
    cloud: &Cloud,
    tenant: &str,
    client_id: &str,
    prompt: &DeviceCodePrompt,
    cancel: Option<&CancelToken>,
) -> Result<TokenResponse, Diagnosis> {
    poll_device_code_as(cloud, tenant, client_id, None, prompt, cancel).await
}

/// As [`poll_device_code`], for a confidential app: its secret goes with every poll (the token
/// endpoint refuses a confidential client without it unless public client flows are allowed).
pub async fn poll_device_code_as(
    cloud: &Cloud,
    tenant: &str,
    client_id: &str,
    client_secret: Option<&Secret>,
    prompt: &DeviceCodePrompt,
    cancel: Option<&CancelToken>,
) -> Result<TokenResponse, Diagnosis> {
    let deadline = Instant::now() + Duration::from_secs(prompt.expires_in.into());
    let mut interval = Duration::from_secs(prompt.interval.max(1).into());
    let mut form = vec![
        ("grant_type", GRANT_TYPE),
        ("client_id", client_id),
        ("device_code", prompt.device_code.expose()),
    ];
    if let Some(s) = client_secret {
        form.push(("client_secret", s.expose()));
    }
    loop {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(cancelled());
        }
        if Instant::now() >= deadline {
            return Err(expired());
        }
        match request_token_or_refusal(cloud, tenant, &form).await? {
            Ok(tokens) => return Ok(tokens),
            Err(r) => match r.error.as_str() {
                "authorization_pending" => {}
                "slow_down" => interval += Duration::from_secs(5),
                "authorization_declined" | "access_denied" => return Err(declined()),
                "expired_token" | "code_expired" => return Err(expired()),
                _ => return Err(r.diagnosis()),
            },
        }
        let wake = (Instant::now() + interval).min(deadline);
        match cancel {
            Some(c) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(wake) => {}
                    _ = c.cancelled() => return Err(cancelled()),
                }
            }
            None => tokio::time::sleep_until(wake).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;

    #[tokio::test]
    async fn a_cancelled_poll_stops_before_asking() {
        let cloud = Cloud::preset(CloudPreset::Global);
        let prompt = DeviceCodePrompt {
            user_code: "ABC".into(),
            verification_uri: "https://microsoft.com/devicelogin".into(),
            expires_in: 900,
            interval: 5,
            message: String::new(),
            device_code: Secret::new("x"),
        };
        let cancel = CancelToken::default();
        cancel.cancel();
        let d = poll_device_code(&cloud, "organizations", "id", &prompt, Some(&cancel))
            .await
            .unwrap_err();
        assert_eq!(d.code, "device.cancelled");
    }
}
