//! The one-time values of an interactive sign-in: the PKCE verifier and its S256 challenge
//! (RFC 7636), the `state` that ties the answer to the request, and the `nonce` that ties the
//! ID token to it. All come from the operating system's CSPRNG.

use crate::{catalog::Diagnosis, platform::Secret};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// `code_challenge_method`: the only one the wizard sends.
pub const CHALLENGE_METHOD: &str = "S256";

/// `n` random bytes from the OS, base64url without padding (4 characters per 3 bytes).
pub fn random_url_safe(n: usize) -> Result<String, Diagnosis> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| {
        Diagnosis::new(
            "random.unavailable",
            "The system cannot supply random numbers",
            format!("The operating system's random number generator failed: {e}."),
            "Restart the wizard; if it persists, check the system (a sandbox may block getrandom).",
        )
    })?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// base64url(SHA-256(verifier)), as the token endpoint recomputes it.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A PKCE pair: the verifier stays in the wizard until the code is redeemed; the challenge
/// travels in the authorize URL.
#[derive(Debug, Clone)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// 32 random bytes: a 43-character verifier, the shortest RFC 7636 allows with 256 bits.
    pub fn new() -> Result<Self, Diagnosis> {
        let verifier = random_url_safe(32)?;
        let challenge = s256_challenge(&verifier);
        Ok(Self {
            verifier: Secret::new(verifier),
            challenge,
        })
    }

    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// The `state` of one sign-in (unguessable, 128 bits).
pub fn new_state() -> Result<String, Diagnosis> {
    random_url_safe(16)
}

/// The `nonce` the ID token must carry back (unguessable, 128 bits).
pub fn new_nonce() -> Result<String, Diagnosis> {
    random_url_safe(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc7636s_s256() {
        // RFC 7636 appendix B.
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_enough_unreserved_and_fresh() {
        let a = Pkce::new().unwrap();
        let b = Pkce::new().unwrap();
        let v = a.verifier().expose();
        assert!((43..=128).contains(&v.len()), "{}", v.len());
        assert!(v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
        assert_ne!(v, b.verifier().expose());
        assert_eq!(a.challenge(), s256_challenge(v));
        assert_ne!(new_state().unwrap(), new_state().unwrap());
        assert_eq!(new_nonce().unwrap().len(), 22);
    }
}
