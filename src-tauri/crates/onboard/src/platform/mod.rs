//! What the core takes from the machine: the one HTTP client and the TLS settings every
//! connection uses (the platform's roots, plus the sandbox's or a test's CA when one is given),
//! `Secret` (a string that never prints), the `SecretStore` that secrets live behind and the OS
//! keyring that implements it, private files written atomically, and GETs to the public
//! internet only (`public_http`, guarded by `public_address`) for URLs a stranger chose.
//!
//! Uses catalog/ only; every other folder may use it.

pub mod http;
pub mod keyring_store;
pub(crate) mod private_file;
pub mod public_address;
pub mod public_http;
pub mod secret_store;
pub(crate) mod tls;

pub use keyring_store::KeyringStore;
pub use secret_store::{
    probe_secret_store, MemoryStore, Secret, SecretStore, SecretStoreStatus, TrialStore,
};
