//! The signing key of the identity platform: RS256 ID tokens and the JWKS that verifies them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

pub struct Keys {
    kid: String,
    signer: SigningKey<Sha256>,
    key: RsaPrivateKey,
}

impl Keys {
    pub fn generate() -> Result<Self, rsa::Error> {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
        // Microsoft's kids are base64url thumbprints; a hash of the modulus is of the same kind.
        let kid = B64.encode(&sha256(&key.n().to_bytes_be())[..20]);
        Ok(Self {
            kid,
            signer: SigningKey::<Sha256>::new(key.clone()),
            key,
        })
    }

    pub fn jwks(&self, issuer: &str) -> Value {
        json!({ "keys": [ {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": B64.encode(self.key.n().to_bytes_be()),
            "e": B64.encode(self.key.e().to_bytes_be()),
            "issuer": issuer,
        } ] })
    }

    /// A compact JWS with the header Microsoft uses for v2.0 tokens.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": self.kid });
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature = self.signer.sign(signing_input.as_bytes()).to_bytes();
        format!("{signing_input}.{}", B64.encode(signature))
    }
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    Sha256::digest(data).to_vec()
}

/// A random opaque token of `bytes` bytes, base64url.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    B64.encode(buf)
}

/// base64url(SHA-256(verifier)), as PKCE S256 compares it.
pub fn pkce_s256(verifier: &str) -> String {
    B64.encode(sha256(verifier.as_bytes()))
}
