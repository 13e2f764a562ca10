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
    /// A self-signed certificate for the key (DER), published as `x5c` as Microsoft does.
    cert: Vec<u8>,
}

fn self_signed(key: &RsaPrivateKey) -> Result<Vec<u8>, String> {
    use rsa::pkcs8::EncodePrivateKey;
    let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    let pkcs8 = rustls::pki_types::PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
    let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| e.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "m365-sim token signing");
    Ok(params
        .self_signed(&pair)
        .map_err(|e| e.to_string())?
        .der()
        .to_vec())
}

impl Keys {
    pub fn generate() -> Result<Self, String> {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| e.to_string())?;
        let cert = self_signed(&key)?;
        // As Microsoft's: kid and x5t are the base64url SHA-1 thumbprint of the certificate.
        let kid = B64.encode(<sha1::Sha1 as sha1::Digest>::digest(&cert));
        Ok(Self {
            kid,
            signer: SigningKey::<Sha256>::new(key.clone()),
            key,
            cert,
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
            "x5c": [base64::engine::general_purpose::STANDARD.encode(&self.cert)],
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
