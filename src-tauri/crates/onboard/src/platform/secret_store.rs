//! Where secrets live: behind this trait only, never in a file, a log line or an error.

use crate::catalog::Diagnosis;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// A secret value (client secret, refresh token). It cannot be printed or serialized by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Keys are short names such as `profile/support@contoso.com/refresh-token`.
pub trait SecretStore: Send + Sync {
    /// A short name for people: "Secret Service", "in-memory".
    fn backend(&self) -> &'static str;
    fn put(&self, key: &str, secret: &Secret) -> Result<(), Diagnosis>;
    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis>;
    /// Deleting a missing key is not an error.
    fn delete(&self, key: &str) -> Result<(), Diagnosis>;
}

/// For unit tests and for runs that must not touch the OS keyring.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, Secret>>);

impl MemoryStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        // A poisoned map still holds consistent entries: every operation is a single insert or remove.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn backend(&self) -> &'static str {
        "in-memory"
    }
    fn put(&self, key: &str, secret: &Secret) -> Result<(), Diagnosis> {
        self.map().insert(key.to_owned(), secret.clone());
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis> {
        Ok(self.map().get(key).cloned())
    }
    fn delete(&self, key: &str) -> Result<(), Diagnosis> {
        self.map().remove(key);
        Ok(())
    }
}

/// A store that answers one key with a value of its own and passes everything else through:
/// a new credential on trial, used before it replaces the kept one, while the rest (rotated
/// refresh tokens) is saved where it always is.
pub struct TrialStore {
    pub inner: Arc<dyn SecretStore>,
    pub key: String,
    pub value: Secret,
}

impl SecretStore for TrialStore {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    fn put(&self, key: &str, secret: &Secret) -> Result<(), Diagnosis> {
        self.inner.put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis> {
        if key == self.key {
            return Ok(Some(self.value.clone()));
        }
        self.inner.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), Diagnosis> {
        self.inner.delete(key)
    }
}

/// Whether secrets can be kept, found out by storing, reading back and deleting a probe value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SecretStoreStatus {
    pub backend: String,
    pub available: bool,
    pub problem: Option<Diagnosis>,
}

pub fn probe_secret_store(store: &dyn SecretStore) -> SecretStoreStatus {
    let key = format!("probe/{}", std::process::id());
    let value = Secret::new(format!("probe-{:?}", std::time::SystemTime::now()));
    let round_trip = || -> Result<(), Diagnosis> {
        store.put(&key, &value)?;
        let read = store.get(&key)?;
        store.delete(&key)?;
        if read.as_ref() != Some(&value) {
            return Err(Diagnosis::new(
                "keyring.readback",
                "The keyring did not return what was stored",
                format!(
                    "A probe value stored in the {} came back different or not at all.",
                    store.backend()
                ),
                "Unlock the login keyring, or restart the keyring daemon, then try again.",
            ));
        }
        if store.get(&key)?.is_some() {
            return Err(Diagnosis::new(
                "keyring.delete",
                "The keyring did not delete a secret",
                format!("A probe value deleted from the {} is still there.", store.backend()),
                "Check the keyring with a tool such as Seahorse and remove entries named m365-onboard probe.",
            ));
        }
        Ok(())
    };
    let problem = round_trip().err();
    SecretStoreStatus {
        backend: store.backend().to_owned(),
        available: problem.is_none(),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn memory_store_round_trips_and_probes() {
        let store = MemoryStore::default();
        store.put("a", &Secret::new("1")).unwrap();
        assert_eq!(store.get("a").unwrap(), Some(Secret::new("1")));
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert_eq!(store.get("a").unwrap(), None);
        let status = probe_secret_store(&store);
        assert!(status.available, "{status:?}");
        assert!(store.map().is_empty(), "the probe must clean up");
    }

    /// A store that forgets: the probe must notice instead of claiming success.
    struct Forgetful;
    impl SecretStore for Forgetful {
        fn backend(&self) -> &'static str {
            "forgetful"
        }
        fn put(&self, _: &str, _: &Secret) -> Result<(), Diagnosis> {
            Ok(())
        }
        fn get(&self, _: &str) -> Result<Option<Secret>, Diagnosis> {
            Ok(None)
        }
        fn delete(&self, _: &str) -> Result<(), Diagnosis> {
            Ok(())
        }
    }

    #[test]
    fn probe_reports_a_store_that_loses_secrets() {
        let status = probe_secret_store(&Forgetful);
        assert!(!status.available);
        assert_eq!(status.problem.unwrap().code, "keyring.readback");
    }
}
