//! What the core takes from the machine: the one HTTP client and the TLS settings every
//! connection uses (the platform's roots, plus the sandbox's or a test's CA when one is given),
//! `Secret` (a string that never prints), the `SecretStore` that secrets live behind and the OS
//! keyring that implements it, and private files written atomically.
//!
//! Uses catalog/ only; every other folder may use it.

pub mod http;
pub mod keyring_store;
pub(crate) mod private_file;
pub mod secret_store;
pub(crate) mod tls;

pub use keyring_store::KeyringStore;
pub use secret_store::{probe_secret_store, MemoryStore, Secret, SecretStore, SecretStoreStatus};
