//! Opening a URL in the system browser, through the platform's opener that the adapter passes in
//! (tauri-plugin-opener in the app, the `open` crate in the CLI: `ShellExecute` on Windows,
//! `open` on macOS, the desktop's handler on Linux). `M365_ONBOARD_BROWSER` names a command to
//! run instead (the end-to-end tests use one that plays the user against the simulator).

use crate::catalog::Diagnosis;
use std::process::{Command, Stdio};

pub const BROWSER_ENV: &str = "M365_ONBOARD_BROWSER";

/// Opens `url` with `system` (the platform's opener), or with the command `M365_ONBOARD_BROWSER`
/// names.
pub fn open_in_browser(
    url: &str,
    system: impl FnOnce(&str) -> Result<(), String>,
) -> Result<(), Diagnosis> {
    let (opener, result) = match std::env::var(BROWSER_ENV) {
        Ok(program) => {
            let spawned = Command::new(&program)
                .arg(url)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map(drop)
                .map_err(|e| e.to_string());
            (format!("Running “{program}”"), spawned)
        }
        Err(_) => ("The system's browser opener".to_owned(), system(url)),
    };
    result.map_err(|e| {
        Diagnosis::new(
            "browser.open",
            "The browser could not be opened",
            format!("{opener} failed: {e}."),
            "Copy the link and open it in a browser yourself; the wizard is still waiting for the answer.",
        )
    })
}

/// Opens a link from the wizard's pages (documentation, the Entra portal) in the system browser:
/// https only, or http to a loopback host (the sandbox). Anything else is refused, so a page can
/// never make the wizard run a file or a custom scheme.
pub fn open_link(
    link: &str,
    system: impl FnOnce(&str) -> Result<(), String>,
) -> Result<(), Diagnosis> {
    let url = url::Url::parse(link).ok().filter(|u| match u.scheme() {
        "https" => true,
        "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    });
    match url {
        Some(u) => open_in_browser(u.as_str(), system),
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
            let opened = |u: &str| -> Result<(), String> { panic!("{u} was opened") };
            assert_eq!(
                open_link(bad, opened).unwrap_err().code,
                "browser.link",
                "{bad}"
            );
        }
    }

    /// No test sets `M365_ONBOARD_BROWSER` in this process, so links go to the platform's opener.
    #[test]
    fn web_links_go_to_the_platform_opener_and_its_failure_is_named() {
        let mut seen = Vec::new();
        for good in ["https://entra.microsoft.com/", "http://127.0.0.1:8080/x"] {
            open_link(good, |u| {
                seen.push(u.to_owned());
                Ok(())
            })
            .unwrap();
        }
        assert_eq!(
            seen,
            ["https://entra.microsoft.com/", "http://127.0.0.1:8080/x"]
        );
        let d = open_in_browser("https://x.test/", |_| Err("no handler for https".into()));
        let d = d.unwrap_err();
        assert_eq!(d.code, "browser.open");
        assert!(d.detail.contains("no handler for https"), "{}", d.detail);
    }
}
