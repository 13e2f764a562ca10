//! The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).

use crate::{
    catalog::Diagnosis,
    platform::{Secret, SecretStore},
};

/// Entries are stored under one service name, with the key as the account name.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub const DEFAULT_SERVICE: &'static str = "m365-onboard";

    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, Diagnosis> {
        keyring::Entry::new(&self.service, key).map_err(unavailable)
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new(Self::DEFAULT_SERVICE)
    }
}

impl SecretStore for KeyringStore {
    fn backend(&self) -> &'static str {
        "OS keyring"
    }

    fn put(&self, key: &str, secret: &Secret) -> Result<(), Diagnosis> {
        self.entry(key)?
            .set_password(secret.expose())
            .map_err(unavailable)
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<(), Diagnosis> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// keyring's errors name the platform failure, never the secret, so they may be shown.
fn unavailable(e: keyring::Error) -> Diagnosis {
    Diagnosis::new(
        "keyring.unavailable",
        "The OS keyring cannot be used",
        format!("Storing secrets in the keyring failed: {e}."),
        "Log in to a desktop session with a running, unlocked keyring (GNOME Keyring or KWallet with the Secret Service). On a headless machine start gnome-keyring-daemon --unlock --components=secrets inside a D-Bus session.",
    )
}
