//! The authorization code flow with PKCE, shared by the loopback and the embedded capture: the
//! authorize URL, and finishing with what came back to the redirect URI (state check, error or
//! code, redemption with the same redirect URI and verifier, ID token validation).

use super::account_check::check_account;
use super::request::{granted_scopes, require_delegated, scopes_for, SignInRequest, SignedIn};
use crate::identity::audience::Resource;
use crate::identity::id_token::{fetch_signing_keys, validate, Expected};
use crate::identity::pkce::{new_nonce, new_state, Pkce, CHALLENGE_METHOD};
use crate::identity::token_endpoint::{request_token, TokenResponse};
use crate::{
    catalog::{self, Diagnosis},
    identity::Identity,
};
use chrono::Utc;
use std::collections::HashMap;

/// `{authority}/{tenant}/oauth2/v2.0/authorize?…` for a code with PKCE S256, answered in the
/// query (`response_mode=query`) at `redirect_uri`.
pub fn authorize_url(
    req: &SignInRequest,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
    code_challenge: &str,
) -> String {
    let mut url = req
        .cloud
        .authority_url(&req.tenant, "oauth2/v2.0/authorize");
    let scope = scopes_for(req.channel, &req.cloud);
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", &req.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_mode", "query")
        .append_pair("scope", &scope)
        .append_pair("state", state)
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", code_challenge)
        .append_pair("code_challenge_method", CHALLENGE_METHOD)
        .append_pair("prompt", "select_account");
    if let Some(hint) = req.login_hint.as_deref().filter(|h| !h.trim().is_empty()) {
        query.append_pair("login_hint", hint.trim());
    }
    url.push('?');
    url.push_str(&query.finish());
    url
}

/// A sign-in between opening the authorize URL and the answer at the redirect URI. It holds
/// the PKCE verifier, the state and the nonce; they never leave the core.
#[derive(Debug)]
pub struct PendingSignIn {
    request: SignInRequest,
    redirect_uri: String,
    state: String,
    nonce: String,
    pkce: Pkce,
    authorize_url: String,
}

impl PendingSignIn {
    /// Fresh state, nonce and PKCE pair for one sign-in answered at `redirect_uri`.
    pub fn new(request: SignInRequest, redirect_uri: &str) -> Result<Self, Diagnosis> {
        require_delegated(request.channel)?;
        request.cloud.validate()?;
        let state = new_state()?;
        let nonce = new_nonce()?;
        let pkce = Pkce::new()?;
        let authorize_url = authorize_url(&request, redirect_uri, &state, &nonce, pkce.challenge());
        Ok(Self {
            request,
            redirect_uri: redirect_uri.to_owned(),
            state,
            nonce,
            pkce,
            authorize_url,
        })
    }

    /// The URL to open (system browser or the wizard's sign-in window).
    pub fn authorize_url(&self) -> &str {
        &self.authorize_url
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    pub fn state(&self) -> &str {
        &self.state
    }

    pub fn request(&self) -> &SignInRequest {
        &self.request
    }

    /// Finishes with the query parameters that reached the redirect URI.
    pub async fn finish(self, params: &HashMap<String, String>) -> Result<SignedIn, Diagnosis> {
        if params.get("state") != Some(&self.state) {
            return Err(Diagnosis::new(
                "sign_in.state",
                "This answer belongs to another sign-in",
                "The answer's state does not match the sign-in the wizard started, so it was not used (it may be stale or forged).",
                "Start the sign-in again and finish it in the window it opens.",
            ));
        }
        if let Some(error) = params.get("error") {
            return Err(authorize_error(error, params.get("error_description")));
        }
        let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
            return Err(Diagnosis::new(
                "sign_in.no_code",
                "The sign-in answer carried no code",
                "Microsoft's answer had neither an authorization code nor an error.",
                "Start the sign-in again.",
            ));
        };
        let req = &self.request;
        let scope = scopes_for(req.channel, &req.cloud);
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", req.client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("code_verifier", self.pkce.verifier().expose()),
            ("scope", scope.as_str()),
        ];
        if let Some(secret) = &req.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let tokens = request_token(&req.cloud, &req.tenant, &form).await?;
        let identity = verified_identity(req, &tokens, Some(&self.nonce)).await?;
        Ok(SignedIn {
            identity,
            granted_scopes: granted_scopes(&tokens),
            tokens,
            resource: Resource::of_channel(req.channel),
            received_at: Utc::now(),
        })
    }
}

/// The error Microsoft sent to the redirect URI, explained by the catalog (65001 and 90094 lead
/// to the Admin consent step, 65004 to signing in again or to that step).
fn authorize_error(error: &str, description: Option<&String>) -> Diagnosis {
    let description = description.map_or("", String::as_str);
    let d = catalog::diagnose(&format!("{error}: {description}"));
    if d.code != catalog::UNKNOWN {
        return d;
    }
    Diagnosis::new(
        &format!("sign_in.{error}"),
        "The sign-in did not complete",
        if description.is_empty() {
            format!("Microsoft answered “{error}”.")
        } else {
            format!("Microsoft answered “{error}”: {description}")
        },
        "Start the sign-in again; if it repeats, paste the message into Diagnose.",
    )
}

/// The ID token of `tokens`, validated against the tenant's keys (with `nonce` when the flow
/// sent one), and the account checked against the configured tenant.
pub(super) async fn verified_identity(
    req: &SignInRequest,
    tokens: &TokenResponse,
    nonce: Option<&str>,
) -> Result<Identity, Diagnosis> {
    let Some(id_token) = &tokens.id_token else {
        return Err(Diagnosis::new(
            "id_token.missing",
            "The sign-in returned no ID token",
            "The token endpoint answered without an ID token, so the wizard cannot tell who signed in.",
            "Check that the app's API permissions include openid and profile (delegated), then sign in again.",
        ));
    };
    let keys = fetch_signing_keys(&req.cloud, &req.tenant).await?;
    let identity = validate(
        id_token,
        &keys,
        &Expected {
            client_id: &req.client_id,
            nonce,
            now: Utc::now(),
        },
    )?;
    check_account(&identity, keys.tenant_id(), &req.tenant)?;
    Ok(identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        cloud::{Cloud, CloudPreset},
        identity::ChannelKind,
    };

    fn request() -> SignInRequest {
        SignInRequest {
            cloud: Cloud::preset(CloudPreset::Global),
            tenant: "contoso.com".into(),
            client_id: "abc".into(),
            client_secret: None,
            channel: ChannelKind::ImapDelegated,
            login_hint: Some("alice@contoso.com".into()),
        }
    }

    #[test]
    fn the_authorize_url_carries_pkce_state_nonce_and_hint() {
        let p = PendingSignIn::new(request(), "http://localhost:5000/").unwrap();
        let url = url::Url::parse(p.authorize_url()).unwrap();
        assert_eq!(url.path(), "/contoso.com/oauth2/v2.0/authorize");
        let q: HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["response_mode"], "query");
        assert_eq!(q["redirect_uri"], "http://localhost:5000/");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(
            q["code_challenge"],
            crate::identity::pkce::s256_challenge(p.pkce.verifier().expose())
        );
        assert_eq!(q["state"], p.state());
        assert_eq!(q["nonce"], p.nonce);
        assert_eq!(q["prompt"], "select_account");
        assert_eq!(q["login_hint"], "alice@contoso.com");
        assert!(q["scope"].contains("IMAP.AccessAsUser.All"));
        assert!(!p.authorize_url().contains(p.pkce.verifier().expose()));
    }

    #[tokio::test]
    async fn a_foreign_state_or_an_error_ends_before_any_request() {
        let p = PendingSignIn::new(request(), "http://localhost:5000/").unwrap();
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<HashMap<_, _>>()
        };
        let d = PendingSignIn::new(request(), "http://localhost:5000/")
            .unwrap()
            .finish(&q(&[("code", "c"), ("state", "forged")]))
            .await
            .unwrap_err();
        assert_eq!(d.code, "sign_in.state");
        let state = p.state().to_owned();
        let d = p
            .finish(&q(&[
                ("error", "access_denied"),
                (
                    "error_description",
                    "AADSTS90094: The grant requires admin permission.",
                ),
                ("state", &state),
            ]))
            .await
            .unwrap_err();
        assert_eq!(d.code, "aadsts.90094");
        assert!(d.fix.contains("Admin consent step"), "{}", d.fix);
    }
}
