//! The end-to-end harness: starts `tauri-driver` (which starts WebKitWebDriver and the app) with
//! a data directory of its own, connects a WebDriver client, and saves a screenshot of every
//! screen a test visits under `target/e2e-screenshots/`.
//!
//! Run through `make test` (or `tests/e2e/run.sh`), which provides Xvfb, a D-Bus session and an
//! unlocked Secret Service.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
pub use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub use fantoccini::elements::Element;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// tauri-driver and what it starts (WebKitWebDriver, the app) in a process group of their own,
/// killed together when this is dropped, whatever state the test is in.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

pub struct Harness {
    name: String,
    _driver: Driver,
    port: u16,
    pub client: Client,
    shots: usize,
    /// XDG data and config homes for the app, removed when the harness is dropped.
    home: tempfile::TempDir,
}

/// How long a screen may take to show something: sign-ins and mail checks run against the
/// sandbox's simulator and Dovecot on a shared 2-core machine.
const WAIT: Duration = Duration::from_secs(30);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn app_binary() -> PathBuf {
    std::env::var_os("E2E_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/m365-onboard-app"))
}

impl Harness {
    /// Starts a fresh app with empty data directories.
    pub async fn start(name: &str) -> Result<Self, Error> {
        let app = app_binary();
        if !app.exists() {
            return Err(format!(
                "{} is missing: build the app first (make test does)",
                app.display()
            )
            .into());
        }
        // Each test starts with an empty keyring of the app's (they share the session's).
        let _ = Command::new("secret-tool")
            .args(["clear", "service", "m365-onboard"])
            .status();
        let home = tempfile::tempdir()?;
        std::fs::create_dir(home.path().join("saved"))?;
        let port = free_port()?;
        let driver = Driver(
            Command::new("tauri-driver")
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &free_port()?.to_string(),
                ])
                .env("XDG_DATA_HOME", home.path().join("data"))
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                // The system browser is the simulator's player, signing in as the sandbox admin.
                .env(
                    "M365_ONBOARD_BROWSER",
                    workspace_root().join("target/debug/m365-sim-browser"),
                )
                .env("M365_SIM_USER", "alice@contoso.test")
                .env("M365_SIM_PASSWORD", "sandbox-alice")
                // Attachments are saved here instead of through the native save dialog.
                .env("M365_ONBOARD_SAVE_DIR", home.path().join("saved"))
                // And the file to import is picked here instead of through the open dialog.
                .env(
                    "M365_ONBOARD_OPEN_FILE",
                    home.path().join("saved/channel.json"),
                )
                // The app's output is kept beside its data, so a leak scan reads it too.
                .stdout(std::fs::File::create(home.path().join("app-stdout.log"))?)
                .stderr(std::fs::File::create(home.path().join("app-stderr.log"))?)
                .process_group(0)
                .spawn()
                .map_err(|e| {
                    format!("tauri-driver could not start ({e}); make test installs it")
                })?,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_err() {
            if Instant::now() > deadline {
                return Err("tauri-driver did not listen within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let client = connect(port, &app).await?;
        let h = Harness {
            name: name.to_owned(),
            _driver: driver,
            port,
            client,
            shots: 0,
            home,
        };
        h.wait_for("nav[aria-label='Wizard steps']").await?;
        Ok(h)
    }

    /// Closes the app and opens it again with the same data directories.
    pub async fn restart(&mut self) -> Result<(), Error> {
        self.client.clone().close().await?;
        self.client = connect(self.port, &app_binary()).await?;
        self.wait_for("nav[aria-label='Wizard steps']").await?;
        Ok(())
    }

    pub async fn find(&self, css: &str) -> Result<Element, Error> {
        Ok(self.client.find(Locator::Css(css)).await?)
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, Error> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    /// Waits up to `WAIT` for an element to appear.
    /// On a timeout the screen is saved as `<test>-failed.png`, and the error names `css`.
    pub async fn wait_for(&self, css: &str) -> Result<Element, Error> {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => Ok(e),
            Err(e) => Err(self.failed(&format!("waiting for {css}"), e.into()).await),
        }
    }

    /// The error of a step that gave up, naming `what`; the screen at that moment is saved as
    /// `<test>-failed.png`.
    async fn failed(&self, what: &str, e: Error) -> Error {
        let dir = workspace_root().join("target/e2e-screenshots");
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{}-failed.png", self.name)), png);
        }
        format!("{what}: {e}").into()
    }

    /// Polls `probe` until it yields a value or `WAIT` passes.
    pub async fn eventually<T, F, Fut>(&self, what: &str, mut probe: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, Error>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(v) = probe().await? {
                return Ok(v);
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to `WAIT` for the element's text to contain `needle` (the element may appear
    /// meanwhile); its text.
    pub async fn text_containing(&self, css: &str, needle: &str) -> Result<String, Error> {
        self.eventually(&format!("“{needle}” in {css}"), || async {
            let Ok(element) = self.find(css).await else {
                return Ok(None);
            };
            let text = element.text().await?;
            Ok(text.contains(needle).then_some(text))
        })
        .await
    }

    /// Sets an input's value as its picker would (WebKit's date field takes keystrokes per
    /// segment in the locale's order, so typing an ISO date garbles it).
    pub async fn set_value(&self, css: &str, value: &str) -> Result<(), Error> {
        let el = serde_json::to_value(self.find(css).await?)?;
        self.client
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
                vec![el, serde_json::json!(value)],
            )
            .await?;
        Ok(())
    }

    /// Replaces the text of an input as a person would: select all, then type.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), Error> {
        self.scroll_to(css).await?;
        let input = self.find(css).await?;
        input.clear().await?;
        if text.is_empty() {
            // clear() fires no input event, so the page would keep the old value.
            let arg = serde_json::to_value(&input)?;
            self.client
                .execute(
                    "arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
                    vec![arg],
                )
                .await?;
        } else {
            input.send_keys(text).await?;
        }
        Ok(())
    }

    /// Presses `key` and lets it go, wherever the focus is, as a keyboard does.
    pub async fn press(&self, key: Key) -> Result<(), Error> {
        let c = char::from(key);
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Types `text` into whatever has the focus.
    pub async fn type_keys(&self, text: &str) -> Result<(), Error> {
        let mut actions = KeyActions::new("keyboard".into());
        for c in text.chars() {
            actions = actions
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Presses Tab until the focus is on `css` (waiting for it to exist first), as a keyboard
    /// user gets to a control; fails when 80 presses go round without reaching it.
    pub async fn tab_to(&self, css: &str) -> Result<(), Error> {
        self.wait_for(css).await?;
        for _ in 0..80 {
            let focused = self
                .client
                .execute(
                    "return document.activeElement && document.activeElement.matches(arguments[0])",
                    vec![serde_json::json!(css)],
                )
                .await?;
            if focused == serde_json::Value::Bool(true) {
                return Ok(());
            }
            self.press(Key::Tab).await?;
        }
        Err(format!("Tab never reached {css}").into())
    }

    /// Tabs to `css` and presses Enter on it.
    pub async fn activate(&self, css: &str) -> Result<(), Error> {
        self.tab_to(css).await?;
        self.press(Key::Enter).await
    }

    /// Presses Next once the step's checks have made it valid (they finish asynchronously).
    pub async fn next(&self) -> Result<(), Error> {
        let button = self
            .eventually("Next to be enabled", || async {
                let b = self.find("#next").await?;
                Ok(b.is_enabled().await?.then_some(b))
            })
            .await?;
        button.click().await?;
        Ok(())
    }

    /// The app's data directories (XDG_DATA_HOME and XDG_CONFIG_HOME live below it).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs axe-core (the front end's dev dependency) on the current screen and fails on any
    /// serious or critical violation, naming the rule and the elements.
    pub async fn axe(&self, screen: &str) -> Result<(), Error> {
        let axe =
            std::fs::read_to_string(workspace_root().join("ui/node_modules/axe-core/axe.min.js"))
                .map_err(|e| format!("axe-core is missing ({e}); make test installs it"))?;
        self.client.execute(&axe, vec![]).await?;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then((r) => done(r.violations
                     .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                     .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)))
                   .catch((e) => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await?;
        let violations: Vec<String> = serde_json::from_value(found)?;
        if violations.is_empty() {
            Ok(())
        } else {
            Err(format!("{screen}: {}", violations.join("; ")).into())
        }
    }

    /// Where the app saves attachments in tests.
    pub fn saved_dir(&self) -> PathBuf {
        self.home.path().join("saved")
    }

    /// Scrolls the element into the middle of the window (before a screenshot of it).
    /// Clicks the element once it is there and takes the click (a re-rendering page can refuse
    /// one for a moment), scrolled to the middle of the window first, where the sticky footer
    /// cannot cover it. Gives up after `WAIT`.
    pub async fn click(&self, css: &str) -> Result<(), Error> {
        let deadline = Instant::now() + WAIT;
        loop {
            let attempt = async {
                self.scroll_to(css).await?;
                Ok::<_, Error>(self.find(css).await?.click().await?)
            }
            .await;
            match attempt {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() > deadline => {
                    return Err(self.failed(&format!("clicking {css}"), e).await)
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn scroll_to(&self, css: &str) -> Result<(), Error> {
        let el = self.find(css).await?;
        let arg = serde_json::to_value(&el)?;
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg])
            .await?;
        Ok(())
    }

    /// Saves the screen as a PNG, after axe-core found no serious accessibility violation on it.
    pub async fn screenshot(&mut self, screen: &str) -> Result<PathBuf, Error> {
        self.axe(screen).await?;
        self.shots += 1;
        let dir = workspace_root().join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}-{:02}-{screen}.png", self.name, self.shots));
        // WebKit under Xvfb can hand out the previous frame right after a change.
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Ends the session (the app closes as a person would close it), then the driver.
    pub async fn finish(self) -> Result<(), Error> {
        Ok(self.client.clone().close().await?)
    }
}

async fn connect(port: u16, app: &Path) -> Result<Client, Error> {
    // Two rustls providers are linked into this binary; WebDriver's plain http needs neither,
    // but the client must be told which one to hold.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut caps = serde_json::Map::new();
    // No browserName: WebKitGTK calls itself "MiniBrowser" and would refuse any other name.
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    let client = ClientBuilder::rustls()?
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await?;
    Ok(client)
}
