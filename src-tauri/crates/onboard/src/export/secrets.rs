//! The secrets an export may carry (the app's client secret, the mailbox's refresh token), and
//! how: by default not at all; with a passphrase, in an age file (scrypt passphrase recipient,
//! ASCII armor, openable with `age -d`); in clear only when the user confirmed it twice.

use crate::profile::record::refresh_token_key;
use crate::{
    app_registration::client_secret_key,
    catalog::Diagnosis,
    identity::{Resource, TokenSource},
    platform::{Secret, SecretStore},
    profile::{NeedsSignIn, Profile, Session},
};
use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// What an export does with secrets.
pub enum SecretHandling {
    /// None is written: each secret is named by its keyring entry, with how to supply it.
    Omit,
    /// Encrypted with this passphrase: age for JSON, Zammad and env exports; for
    /// emailproxy.config the proxy's own format, keyed by this password of the mail client.
    Encrypt(Secret),
    /// In clear. Only after the user confirmed it twice (the CLI's `--plain-secrets
    /// --yes-write-plain-secrets`); the file is private (0600) like every export.
    Plain,
}

impl SecretHandling {
    pub fn includes_secrets(&self) -> bool {
        !matches!(self, SecretHandling::Omit)
    }
}

/// A profile's secrets, read from the keyring for an export that includes them. (`Debug`
/// shows `Secret(***)`.)
#[derive(Debug, Default)]
pub struct ExportSecrets {
    pub client_secret: Option<Secret>,
    pub refresh_token: Option<Secret>,
}

/// The plaintext of an age-sealed secrets block: a JSON object.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SecretValues {
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
}

impl ExportSecrets {
    /// The profile's secrets in `store`. A secret the profile has but the keyring lacks is an
    /// error: an export that silently lacked it would not work on the server.
    pub fn from_store(store: &dyn SecretStore, profile: &Profile) -> Result<Self, Diagnosis> {
        let client_secret = if profile.confidential_client {
            let key = client_secret_key(&profile.client_id);
            Some(store.get(&key)?.ok_or_else(|| {
                Diagnosis::new(
                    "export.no_client_secret",
                    "The app's client secret is not in the keyring",
                    format!(
                        "The {} has no entry {key}, so the export cannot include it.",
                        store.backend()
                    ),
                    "Check the app again with its secret (check-app --client-secret-env VAR, or the App registration step), which keeps it in the keyring, then export again.",
                )
            })?)
        } else {
            None
        };
        let refresh_token = if profile.flow.has_refresh_token() {
            let token = store.get(&refresh_token_key(&profile.name))?;
            Some(token.ok_or_else(|| {
                NeedsSignIn::missing_refresh_token(profile, store.backend()).diagnosis()
            })?)
        } else {
            None
        };
        Ok(Self {
            client_secret,
            refresh_token,
        })
    }

    pub(crate) fn values(&self) -> SecretValues {
        SecretValues {
            client_secret: self.client_secret.as_ref().map(|s| s.expose().to_owned()),
            refresh_token: self.refresh_token.as_ref().map(|s| s.expose().to_owned()),
        }
    }
}

/// The profile's secrets for an export whose consumer refreshes without naming a scope (Zammad,
/// email-oauth2-proxy): Microsoft then grants the scopes of the request that issued the refresh
/// token, so the token is renewed once for `resource` first. The renewed token replaces the
/// keyring's (as every refresh does); both stay valid.
pub async fn secrets_for_export<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    refresh_for: Option<Resource>,
) -> Result<ExportSecrets, Diagnosis> {
    let profile = session.profiles().require(name)?;
    if let (Some(resource), true) = (refresh_for, profile.flow.has_refresh_token()) {
        session.forget(name);
        session.access_token(name, resource).await?;
    }
    ExportSecrets::from_store(session.secrets(), &profile)
}

/// Rejects passphrases too short to protect a refresh token (scrypt slows guessing down, but a
/// few characters still fall).
pub fn check_passphrase(passphrase: &Secret) -> Result<(), Diagnosis> {
    if passphrase.expose().chars().count() < 8 {
        return Err(Diagnosis::field(
            "Passphrase",
            "export.passphrase_short",
            "The passphrase has fewer than 8 characters; the secrets it protects would be easy to guess.",
            "Choose a passphrase of at least 8 characters (a few random words are best).",
        ));
    }
    Ok(())
}

/// `plaintext` as an ASCII-armored age file for `passphrase`.
pub fn seal(plaintext: &[u8], passphrase: &Secret) -> Result<String, Diagnosis> {
    check_passphrase(passphrase)?;
    let failed = |e: &dyn std::fmt::Display| {
        Diagnosis::new(
            "export.encrypt",
            "The secrets could not be encrypted",
            format!("age failed: {e}."),
            "Report this as a bug; export without secrets in the meantime.",
        )
    };
    let encryptor =
        age::Encryptor::with_user_passphrase(SecretString::from(passphrase.expose().to_owned()));
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| failed(&e))?;
    let mut writer = encryptor.wrap_output(armor).map_err(|e| failed(&e))?;
    writer.write_all(plaintext).map_err(|e| failed(&e))?;
    writer
        .finish()
        .and_then(|armor| armor.finish())
        .map_err(|e| failed(&e))?;
    String::from_utf8(out).map_err(|e| failed(&e))
}

/// Opens an age file sealed by [`seal`] (or `age -p -a`). `source` names it in errors.
pub fn open(armored: &str, passphrase: &Secret, source: &str) -> Result<Vec<u8>, Diagnosis> {
    let damaged = |e: &dyn std::fmt::Display| {
        Diagnosis::new(
            "import.secrets_damaged",
            "The encrypted secrets cannot be read",
            format!("The encrypted secrets in {source} are damaged ({e})."),
            "Export the profile again and copy the file unchanged (as text, not retyped).",
        )
    };
    let reader = age::armor::ArmoredReader::new(armored.as_bytes());
    let decryptor = age::Decryptor::new(reader).map_err(|e| damaged(&e))?;
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.expose().to_owned()));
    let mut plain = Vec::new();
    match decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)) {
        Ok(mut r) => r.read_to_end(&mut plain).map_err(|e| damaged(&e))?,
        Err(
            age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::NoMatchingKeys,
        ) => {
            let mut d = Diagnosis::field(
                "Passphrase",
                "import.wrong_passphrase",
                format!("The passphrase does not open the secrets in {source}. Nothing was imported."),
                "Give the passphrase used for the export (on the command line, --passphrase-env VAR names the variable holding it).",
            );
            d.title = "Wrong passphrase".to_owned();
            return Err(d);
        }
        Err(e) => return Err(damaged(&e)),
    };
    Ok(plain)
}

/// The secrets' values when `handling` includes them; none otherwise.
pub(crate) fn included(secrets: &ExportSecrets, handling: &SecretHandling) -> SecretValues {
    if handling.includes_secrets() {
        secrets.values()
    } else {
        SecretValues::default()
    }
}

/// The whole text sealed with age when secrets are encrypted (formats without a place for an
/// encrypted value: Zammad, env); as it is otherwise.
pub(crate) fn seal_whole(text: String, handling: &SecretHandling) -> Result<String, Diagnosis> {
    match handling {
        SecretHandling::Encrypt(passphrase) => seal(text.as_bytes(), passphrase),
        _ => Ok(text),
    }
}

/// A line saying where a secret that is not in the file is, for comments (`#` formats).
pub(crate) fn omitted(what: &str, r: &crate::export::SecretRef) -> String {
    format!(
        "{what}: not exported. It is in the OS keyring (service {}, entry {}). {}",
        r.keyring_service, r.keyring_key, r.supply
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const CLIENT_SECRET: &str = "Xy8Q~client-secret-value-0123456789abcdef";
    pub(crate) const REFRESH_TOKEN: &str = "0.ARrefresh-token-value-AAAAAAAAAAAAAAAAAAAAAAAAA";

    pub(crate) fn secrets() -> ExportSecrets {
        ExportSecrets {
            client_secret: Some(Secret::new(CLIENT_SECRET)),
            refresh_token: Some(Secret::new(REFRESH_TOKEN)),
        }
    }

    #[test]
    fn sealed_secrets_open_only_with_their_passphrase() {
        let pass = Secret::new("correct horse battery");
        let armored = seal(b"{\"refresh_token\":\"rt-value\"}", &pass).unwrap();
        assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(!armored.contains("rt-value"));
        assert_eq!(
            open(&armored, &pass, "x.json").unwrap(),
            b"{\"refresh_token\":\"rt-value\"}"
        );
        let d = open(&armored, &Secret::new("wrong horse battery"), "x.json").unwrap_err();
        assert_eq!(
            (d.code.as_str(), d.title.as_str()),
            ("import.wrong_passphrase", "Wrong passphrase")
        );
        assert!(d.detail.contains("x.json"), "{}", d.detail);
        let d = open(
            "-----BEGIN AGE ENCRYPTED FILE-----\nbroken",
            &pass,
            "x.json",
        )
        .unwrap_err();
        assert_eq!(d.code, "import.secrets_damaged");
        assert_eq!(
            seal(b"x", &Secret::new("short")).unwrap_err().code,
            "export.passphrase_short"
        );
    }

    #[test]
    fn missing_keyring_entries_are_named() {
        let store = crate::platform::MemoryStore::default();
        let p = crate::profile::record::tests::sample("support@contoso.test");
        let d = ExportSecrets::from_store(&store, &p).unwrap_err();
        assert_eq!(d.code, "export.no_client_secret");
        store
            .put(&client_secret_key(&p.client_id), &Secret::new("cs"))
            .unwrap();
        let d = ExportSecrets::from_store(&store, &p).unwrap_err();
        assert_eq!(d.code, "reauth.no_refresh_token");
        store
            .put(&refresh_token_key(&p.name), &Secret::new("rt"))
            .unwrap();
        let s = ExportSecrets::from_store(&store, &p).unwrap();
        assert_eq!(
            (
                s.client_secret.unwrap().expose(),
                s.refresh_token.unwrap().expose()
            ),
            ("cs", "rt")
        );
    }
}
