//! The OS keyring: Secret Service on Linux and the BSDs, Keychain on macOS, Credential Manager on
//! Windows (each enabled per target in Cargo.toml).

// keyring 3 falls back to an in-memory mock where no platform store is enabled: secrets would be
// "saved" and gone at exit. Refuse to build rather than lose them silently.
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "windows",
    target_os = "macos"
)))]
compile_error!("no OS keyring for this target: add its keyring feature in onboard's Cargo.toml");

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
        store(&self.entry(key)?, secret.expose()).map_err(unavailable)
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis> {
        match load(&self.entry(key)?) {
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

/// Credential Manager holds at most 2,560 bytes per entry, and keyring's passwords are UTF-16
/// there: 1,280 characters, less than some Entra refresh tokens. UTF-8 bytes fit twice as many.
#[cfg(target_os = "windows")]
fn store(entry: &keyring::Entry, value: &str) -> keyring::Result<()> {
    entry.set_secret(value.as_bytes())
}

#[cfg(target_os = "windows")]
fn load(entry: &keyring::Entry) -> keyring::Result<String> {
    let bytes = entry.get_secret()?;
    String::from_utf8(bytes).map_err(|e| keyring::Error::BadEncoding(e.into_bytes()))
}

/// Secret Service and Keychain keep UTF-8 passwords of any length.
#[cfg(not(target_os = "windows"))]
fn store(entry: &keyring::Entry, value: &str) -> keyring::Result<()> {
    entry.set_password(value)
}

#[cfg(not(target_os = "windows"))]
fn load(entry: &keyring::Entry) -> keyring::Result<String> {
    entry.get_password()
}

/// keyring's errors name the platform failure, never the secret, so they may be shown.
fn unavailable(e: keyring::Error) -> Diagnosis {
    Diagnosis::new(
        "keyring.unavailable",
        "The OS keyring cannot be used",
        format!("Storing secrets in the {KEYRING} failed: {e}."),
        KEYRING_FIX,
    )
}

#[cfg(target_os = "windows")]
const KEYRING: &str = "Windows Credential Manager";
#[cfg(target_os = "windows")]
const KEYRING_FIX: &str = "Sign in to Windows with your own account (Credential Manager belongs to the signed-in user), and check in Control Panel > Credential Manager > Windows Credentials that entries can be added.";

#[cfg(target_os = "macos")]
const KEYRING: &str = "macOS Keychain";
#[cfg(target_os = "macos")]
const KEYRING_FIX: &str = "Unlock the login keychain (Keychain Access), and allow m365-onboard when macOS asks for access to it.";

#[cfg(not(any(target_os = "windows", target_os = "macos")))]
const KEYRING: &str = "keyring";
#[cfg(not(any(target_os = "windows", target_os = "macos")))]
const KEYRING_FIX: &str = "Log in to a desktop session with a running, unlocked keyring (GNOME Keyring or KWallet with the Secret Service). On a headless machine start gnome-keyring-daemon --unlock --components=secrets inside a D-Bus session.";
