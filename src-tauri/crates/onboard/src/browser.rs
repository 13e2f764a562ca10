//! Opening a URL in the system browser. `M365_ONBOARD_BROWSER` names a command to run instead
//! (the end-to-end tests use one that plays the user against the simulator).

use crate::Diagnosis;
use std::process::{Command, Stdio};

pub const BROWSER_ENV: &str = "M365_ONBOARD_BROWSER";

pub fn open_in_browser(url: &str) -> Result<(), Diagnosis> {
    let program = std::env::var(BROWSER_ENV).unwrap_or_else(|_| default_opener().to_owned());
    Command::new(&program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| {
            Diagnosis::new(
                "browser.open",
                "The browser could not be opened",
                format!("Running “{program}” failed: {e}."),
                "Copy the link and open it in a browser yourself; the wizard is still waiting for the answer.",
            )
        })
}

fn default_opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}
