//! Where a [`Session`](crate::profile::Session) gets tokens: the identity platform's token endpoint in
//! the app and the CLI ([`TokenEndpoint`]), a fake in unit tests.

use crate::identity::token_endpoint::request_token_or_refusal;
use crate::{catalog::Diagnosis, cloud::Cloud, identity::TokenResponse};
use std::future::Future;

/// Why no token came back.
#[derive(Debug, Clone)]
pub enum TokenFailure {
    /// No answer to act on: the network, TLS, a 5xx or 429, an unreadable body. The saved
    /// sign-in may well be fine; nothing is changed and the caller may retry.
    Unavailable(Diagnosis),
    /// The endpoint refused the request: `error` is the OAuth 2.0 `error` (`invalid_grant`,
    /// `invalid_client`, ...), `diagnosis` the catalog's explanation (`aadsts.700082`, ...).
    Refused { error: String, diagnosis: Diagnosis },
}

/// One token request: a form POSTed to `{authority}/{tenant}/oauth2/v2.0/token` of `cloud`.
pub trait TokenSource: Send + Sync {
    fn request(
        &self,
        cloud: &Cloud,
        tenant: &str,
        form: &[(&str, &str)],
    ) -> impl Future<Output = Result<TokenResponse, TokenFailure>> + Send;
}

/// The real token endpoint, through [`request_token_or_refusal`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenEndpoint;

impl TokenSource for TokenEndpoint {
    async fn request(
        &self,
        cloud: &Cloud,
        tenant: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, TokenFailure> {
        match request_token_or_refusal(cloud, tenant, form).await {
            Err(d) => Err(TokenFailure::Unavailable(d)),
            Ok(Ok(tokens)) => Ok(tokens),
            Ok(Err(refusal)) => {
                let transient = refusal.status >= 500
                    || refusal.status == 429
                    || matches!(
                        refusal.error.as_str(),
                        "temporarily_unavailable" | "server_error"
                    );
                if transient {
                    Err(TokenFailure::Unavailable(refusal.diagnosis()))
                } else {
                    Err(TokenFailure::Refused {
                        error: refusal.error.clone(),
                        diagnosis: refusal.diagnosis(),
                    })
                }
            }
        }
    }
}
