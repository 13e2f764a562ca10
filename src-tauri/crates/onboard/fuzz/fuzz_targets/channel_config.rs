#![no_main]

#[allow(dead_code)] // each target calls one of the bodies
#[path = "../bodies/mod.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::channel_config(data));
