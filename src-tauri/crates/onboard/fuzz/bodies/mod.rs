//! The fuzz targets' bodies: each feeds one input to a parser of untrusted input and checks what
//! must hold for every input, not only that nothing panics. Shared by the cargo-fuzz targets
//! (`fuzz_targets/`) and the stable replay of the committed seeds (`tests/fuzz_corpus.rs`), so a
//! property is written once. A broken property panics, which both report as a failure.

mod channel_config;
mod id_token;
mod inert_html;
mod loopback_callback;
mod message;

pub use channel_config::channel_config;
pub use id_token::id_token;
pub use loopback_callback::loopback_callback;
pub use message::{message, sanitize_html};

/// A target's body: one input, a panic when a property breaks.
pub type Body = fn(&[u8]);

/// Every target, by the name of its seed directory (`seeds/<name>/`).
pub const TARGETS: [(&str, Body); 5] = [
    ("message", message),
    ("sanitize_html", sanitize_html),
    ("channel_config", channel_config),
    ("loopback_callback", loopback_callback),
    ("id_token", id_token),
];
