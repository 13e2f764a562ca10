//! Device code sign-in of the mailbox user (machines without a browser, or a person elsewhere).

use super::authorization_code::verified_identity;
use super::request::{granted_scopes, require_delegated, scopes_for, SignInRequest, SignedIn};
use crate::identity::audience::Resource;
use crate::identity::device_code::{poll_device_code_as, start_device_code};
use crate::{
    catalog::Diagnosis,
    identity::{CancelToken, DeviceCodePrompt},
};
use chrono::Utc;

/// Asks for a code, hands it to `on_prompt` (show the code and URL), polls until the person
/// approved, declined or the code expired (or `cancel`), then validates the ID token (the device
/// code flow has no nonce) and checks the account. A confidential app's secret is sent with the
/// poll, as the token endpoint requires unless the app allows public client flows.
pub async fn sign_in_with_device_code(
    req: SignInRequest,
    on_prompt: impl FnOnce(&DeviceCodePrompt),
    cancel: Option<&CancelToken>,
) -> Result<SignedIn, Diagnosis> {
    require_delegated(req.channel)?;
    let scope = scopes_for(req.channel, &req.cloud);
    let prompt = start_device_code(&req.cloud, &req.tenant, &req.client_id, &scope).await?;
    on_prompt(&prompt);
    let tokens = poll_device_code_as(
        &req.cloud,
        &req.tenant,
        &req.client_id,
        req.client_secret.as_ref(),
        &prompt,
        cancel,
    )
    .await?;
    let identity = verified_identity(&req, &tokens, None).await?;
    Ok(SignedIn {
        identity,
        granted_scopes: granted_scopes(&tokens),
        tokens,
        resource: Resource::of_channel(req.channel),
        received_at: Utc::now(),
    })
}
