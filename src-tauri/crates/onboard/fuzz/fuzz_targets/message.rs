#![no_main]

#[allow(dead_code)] // each target calls one of the bodies
#[path = "../bodies/mod.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(
    init: {
        // libFuzzer aborts on every panic, even one that is caught. The core catches
        // mail-parser's (a message it cannot parse is shown as raw text), so those may unwind;
        // any other panic, or one nobody catches, still ends the run.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("/mail-parser-")) {
                abort(info);
            }
        }));
    },
    |data: &[u8]| bodies::message(data)
);
