//! Sign-in in the system browser, answered on a one-shot loopback listener (RFC 8252).

use super::authorization_code::PendingSignIn;
use super::request::{SignInRequest, SignedIn};
use crate::catalog::Diagnosis;
use crate::identity::loopback::Loopback;
use std::future::Future;
use std::time::Duration;

/// Binds 127.0.0.1 on a free port, opens the authorize URL with `open` (the system browser:
/// `browser::open_in_browser`), waits at most `timeout` (or until `cancel`) for the one answer
/// that carries this sign-in's state, and finishes the sign-in. The listener is gone afterwards.
pub async fn sign_in_with_browser(
    req: SignInRequest,
    open: impl FnOnce(&str) -> Result<(), Diagnosis>,
    timeout: Duration,
    cancel: impl Future<Output = ()>,
) -> Result<SignedIn, Diagnosis> {
    let loopback = Loopback::bind().await?;
    let pending = PendingSignIn::new(req, &loopback.redirect_uri())?;
    open(pending.authorize_url())?;
    let params = loopback.receive(pending.state(), timeout, cancel).await?;
    pending.finish(&params).await
}
