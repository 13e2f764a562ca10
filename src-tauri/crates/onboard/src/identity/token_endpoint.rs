//! The identity platform's v2.0 token endpoint: one POST of a form, one answer. Every flow
//! (client credentials, device code, authorization code, refresh) goes through `request_token`,
//! so every failure reaches the user through the same AADSTS diagnosis.

use crate::{
    catalog::{self, Diagnosis},
    cloud::Cloud,
    platform::{http, Secret},
};
use serde_json::Value;

/// A successful answer. Tokens are `Secret`s: they cannot be printed or serialized by accident.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub id_token: Option<Secret>,
    /// Seconds from now.
    pub expires_in: u64,
    /// The scopes granted, space-separated (the endpoint names them in full: `https://graph.microsoft.com/Mail.Send`).
    pub scope: String,
}

/// The most a token answer may be: a few KB in practice (an ID token with many claims stays far
/// below); more is a broken or hostile server, cut off before it fills the memory.
pub const MAX_TOKEN_RESPONSE: usize = http::MAX_ANSWER;

/// A refusal from the token endpoint: the OAuth `error` (`authorization_pending`,
/// `invalid_grant`, ...) for flows that must act on it, and the body for the diagnosis.
#[derive(Debug, Clone)]
pub struct TokenRefusal {
    pub status: u16,
    /// The OAuth 2.0 `error` value; empty when the body has none.
    pub error: String,
    body: String,
}

impl TokenRefusal {
    /// The AADSTS diagnosis of this refusal (the body itself never reaches the user).
    pub fn diagnosis(&self) -> Diagnosis {
        catalog::token_error(self.status, &self.body)
    }
}

/// POSTs `form` to `{authority}/{tenant}/oauth2/v2.0/token`. A refusal becomes the diagnosis of
/// its AADSTS code; the raw body never reaches the user (it can echo parameters back).
pub async fn request_token(
    cloud: &Cloud,
    tenant: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse, Diagnosis> {
    request_token_or_refusal(cloud, tenant, form)
        .await?
        .map_err(|r| r.diagnosis())
}

/// As [`request_token`], but a refusal comes back as such, for flows that keep going on some
/// (the device code flow polls on `authorization_pending`). Transport failures are diagnoses.
pub async fn request_token_or_refusal(
    cloud: &Cloud,
    tenant: &str,
    form: &[(&str, &str)],
) -> Result<Result<TokenResponse, TokenRefusal>, Diagnosis> {
    cloud.validate()?;
    let url = cloud.authority_url(tenant, "oauth2/v2.0/token");
    let res = cloud
        .http_client()?
        .post(&url)
        .form(form)
        .send()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    let status = res.status();
    let body = http::read_text_limited(res, &url, MAX_TOKEN_RESPONSE).await?;
    if !status.is_success() {
        let v: Value = serde_json::from_str(&body).unwrap_or_default();
        return Ok(Err(TokenRefusal {
            status: status.as_u16(),
            error: v["error"].as_str().unwrap_or_default().to_owned(),
            body,
        }));
    }
    let token = token_fields(&body).map_err(|why| {
        Diagnosis::new(
            "token.malformed",
            "The token endpoint gave an answer the wizard cannot read",
            format!("{url} answered HTTP {status} with a body that is not a token response: {why}."),
            "Check that the authority URL points at the Microsoft identity platform (or a proxy that passes it through unchanged), then try again.",
        )
    })?;
    Ok(Ok(token))
}

/// The token response's fields, checked one by one. `Err` says what is wrong by the field's
/// name only: the body holds tokens, and no value of it may reach a diagnosis.
fn token_fields(body: &str) -> Result<TokenResponse, String> {
    let v: Value = serde_json::from_str(body).map_err(|_| "it is not JSON".to_owned())?;
    let fields = v
        .as_object()
        .ok_or_else(|| "it is not a JSON object".to_owned())?;
    let text = |name: &str| -> Result<Option<String>, String> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("its “{name}” is not a string")),
        }
    };
    let access_token = text("access_token")?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "it has no “access_token”".to_owned())?;
    let expires_in = match fields.get("expires_in") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| "its “expires_in” is not a number of seconds".to_owned())?,
        Some(_) => return Err("its “expires_in” is not a number".to_owned()),
    };
    Ok(TokenResponse {
        access_token: Secret::new(access_token),
        refresh_token: text("refresh_token")?.map(Secret::new),
        id_token: text("id_token")?.map(Secret::new),
        expires_in,
        scope: text("scope")?.unwrap_or_default(),
    })
}
