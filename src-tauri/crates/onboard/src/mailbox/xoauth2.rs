//! The SASL XOAUTH2 initial response Exchange Online expects for IMAP, POP and SMTP:
//! `user=<mailbox>^Aauth=Bearer <access token>^A^A` (Microsoft's "Authenticate an IMAP, POP or
//! SMTP connection using OAuth"). For a shared mailbox, `user=` is the shared address and the
//! token is the delegate's own.

use crate::platform::Secret;
use base64::Engine;
use std::fmt;

/// The mailbox and the token to sign in with. Its `Debug` names the mailbox, never the token.
#[derive(Clone)]
pub struct Xoauth2 {
    user: String,
    token: Secret,
}

impl Xoauth2 {
    pub fn new(mailbox: &str, access_token: &Secret) -> Self {
        Self {
            user: mailbox.to_owned(),
            token: access_token.clone(),
        }
    }

    /// The mailbox named in `user=`.
    pub fn mailbox(&self) -> &str {
        &self.user
    }

    /// The raw initial response, as a SASL library encodes it itself (IMAP `AUTHENTICATE`).
    /// It carries the token: send it, never keep or print it.
    pub fn initial_response(&self) -> Secret {
        Secret::new(format!(
            "user={}\x01auth=Bearer {}\x01\x01",
            self.user,
            self.token.expose()
        ))
    }

    /// The initial response in base64, as it goes on the wire (`AUTH XOAUTH2 <this>` in SMTP).
    pub fn base64(&self) -> Secret {
        Secret::new(
            base64::engine::general_purpose::STANDARD.encode(self.initial_response().expose()),
        )
    }
}

impl fmt::Debug for Xoauth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Xoauth2")
            .field("user", &self.user)
            .field("token", &self.token)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// shared/reference/microsoft/xoauth2_sasl_examples_exo_doc.txt, verbatim.
    #[test]
    fn matches_microsofts_documented_example() {
        let x = Xoauth2::new(
            "test@contoso.onmicrosoft.com",
            &Secret::new("EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA"),
        );
        assert_eq!(
            x.base64().expose(),
            concat!(
                "dXNlcj10ZXN0QGNvbnRvc28ub25taWNyb3NvZnQuY29tAWF1dGg9QmVhcmVy",
                "IEV3QkFBbDNCQUFVRkZwVUFvN0ozVmUwYmpMQldaV0NjbFJDM0VvQUEBAQ=="
            )
        );
        assert_eq!(
            x.initial_response().expose(),
            "user=test@contoso.onmicrosoft.com\x01auth=Bearer EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA\x01\x01"
        );
    }

    /// shared/reference/microsoft/imap_xoauth2_transcripts_exo_doc.txt: the A01 line's payload.
    #[test]
    fn matches_the_imap_transcript() {
        let x = Xoauth2::new(
            "someuser@example.com",
            &Secret::new("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
        );
        assert_eq!(
            x.base64().expose(),
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let x = Xoauth2::new(
            "support@contoso.com",
            &Secret::new("eyJ0eXAiOiJKV1Qi.sig-value"),
        );
        let shown = format!("{x:?}");
        assert!(shown.contains("support@contoso.com"), "{shown}");
        assert!(
            !shown.contains("eyJ0eXAi") && !shown.contains("sig-value"),
            "{shown}"
        );
        assert!(!format!("{:?}", x.base64()).contains(x.base64().expose()));
    }
}
