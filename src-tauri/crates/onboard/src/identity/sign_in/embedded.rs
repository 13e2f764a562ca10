//! Sign-in in the wizard's own window for registrations that only know the helpdesk's redirect
//! URI: the window opens the authorize URL, and its navigation to that redirect URI is stopped
//! before it loads; the URL it was about to load finishes the sign-in here.

use super::authorization_code::PendingSignIn;
use super::request::{SignInRequest, SignedIn};
use crate::catalog::Diagnosis;
use std::collections::HashMap;

fn bad_redirect(detail: String) -> Diagnosis {
    Diagnosis::field(
        "Redirect URI",
        "sign_in.redirect_uri",
        detail,
        "Give the callback URL registered on the app for the helpdesk (https://…), exactly as the Server step shows it.",
    )
}

/// Starts a sign-in answered at the server's registered `redirect_uri` (https, or http to a
/// loopback host). The window opens [`PendingSignIn::authorize_url`].
pub fn begin_embedded_sign_in(
    req: SignInRequest,
    redirect_uri: &str,
) -> Result<PendingSignIn, Diagnosis> {
    let url = url::Url::parse(redirect_uri)
        .map_err(|e| bad_redirect(format!("“{redirect_uri}” is not a URL ({e}).")))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if !(url.scheme() == "https" || (url.scheme() == "http" && loopback))
        || url.fragment().is_some()
    {
        return Err(bad_redirect(format!(
            "“{redirect_uri}” must be an https URL without a #fragment."
        )));
    }
    PendingSignIn::new(req, redirect_uri)
}

/// Whether `url` is a navigation to `redirect_uri` (same scheme, host, port and path), the one
/// the window must stop and hand over instead of loading.
pub fn is_redirect_to(url: &str, redirect_uri: &str) -> bool {
    match (url::Url::parse(url), url::Url::parse(redirect_uri)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str().map(str::to_ascii_lowercase)
                    == b.host_str().map(str::to_ascii_lowercase)
                && a.port_or_known_default() == b.port_or_known_default()
                && a.path() == b.path()
        }
        _ => false,
    }
}

impl PendingSignIn {
    /// Whether the window's navigation to `url` is the answer of this sign-in.
    pub fn is_callback(&self, url: &str) -> bool {
        is_redirect_to(url, self.redirect_uri())
    }
}

/// Finishes with the URL the window was about to load: it must go to the redirect URI and carry
/// this sign-in's state; the code is redeemed with that same redirect URI.
pub async fn finish_embedded_sign_in(
    pending: PendingSignIn,
    navigated_to: &str,
) -> Result<SignedIn, Diagnosis> {
    if !pending.is_callback(navigated_to) {
        return Err(Diagnosis::new(
            "sign_in.not_callback",
            "The window went somewhere other than the callback",
            format!(
                "The sign-in window was expected to go to {}; it went elsewhere, so nothing was taken from it.",
                pending.redirect_uri()
            ),
            "Start the sign-in again; if it repeats, check that this redirect URI is registered on the app.",
        ));
    }
    let params: HashMap<String, String> = url::Url::parse(navigated_to)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    pending.finish(&params).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_registered_callback_matches() {
        let cb = "https://helpdesk.contoso.test/api/v1/external_credentials/microsoft365/callback";
        assert!(is_redirect_to(&format!("{cb}?code=x&state=y"), cb));
        assert!(is_redirect_to(
            "https://HELPDESK.contoso.test:443/api/v1/external_credentials/microsoft365/callback?code=x",
            cb
        ));
        assert!(!is_redirect_to(
            "https://helpdesk.contoso.test/api/v1/other?code=x",
            cb
        ));
        assert!(!is_redirect_to(
            "http://helpdesk.contoso.test/api/v1/external_credentials/microsoft365/callback?code=x",
            cb
        ));
        assert!(!is_redirect_to(
            "https://evil.test/api/v1/external_credentials/microsoft365/callback",
            cb
        ));
    }
}
