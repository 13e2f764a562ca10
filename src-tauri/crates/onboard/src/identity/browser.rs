//! Opening a URL in the system browser. `M365_ONBOARD_BROWSER` names a command to run instead
//! (the end-to-end tests use one that plays the user against the simulator).

use crate::catalog::Diagnosis;
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

/// Opens a link from the wizard's pages (documentation, the Entra portal) in the system browser:
/// https only, or http to a loopback host (the sandbox). Anything else is refused, so a page can
/// never make the wizard run a file or a custom scheme.
pub fn open_link(link: &str) -> Result<(), Diagnosis> {
    let url = url::Url::parse(link).ok().filter(|u| match u.scheme() {
        "https" => true,
        "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    });
    match url {
        Some(u) => open_in_browser(u.as_str()),
        None => Err(Diagnosis::new(
            "browser.link",
            "This link cannot be opened",
            format!(
                "Only https links open from the wizard; “{}” is not one.",
                link.chars().take(200).collect::<String>()
            ),
            "Copy the address and open it yourself if you trust it.",
        )),
    }
}

fn default_opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_open() {
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://example.com/",
            "smb://host/share",
            "not a url",
        ] {
            assert_eq!(open_link(bad).unwrap_err().code, "browser.link", "{bad}");
        }
    }
}
