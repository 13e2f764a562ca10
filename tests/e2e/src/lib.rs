//! The end-to-end harness: starts `tauri-driver` (which starts WebKitWebDriver and the app) with
//! a data directory of its own, connects a WebDriver client, and saves a screenshot of every
//! screen a test visits under `target/e2e-screenshots/`.
//!
//! Every query waits: [`Harness::find`] and the readers built on it wait up to [`WAIT`] for the
//! element (the UI renders asynchronously, and a busy machine renders late), and a step that
//! gives up fails with the test's name, the step, the screen at that moment
//! (`<test>-failed.png`) and the app's log (`<test>-app.log`). Only [`Harness::find_all`] reads
//! the page as it is, for counting and for absence. There are no fixed sleeps: a test waits for
//! the state it needs.
//!
//! Run through `make test`, which provides Xvfb, a D-Bus session and an unlocked Secret Service.

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

/// How long a screen may take to show something: sign-ins and mail checks run against the
/// sandbox's simulator and Dovecot on a shared 2-core machine.
pub const WAIT: Duration = Duration::from_secs(30);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(100);

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
    /// The last screenshot saved, named in a failure.
    last_screen: Option<PathBuf>,
    /// XDG data and config homes for the app, removed when the harness is dropped.
    home: tempfile::TempDir,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn screenshots_dir() -> PathBuf {
    workspace_root().join("target/e2e-screenshots")
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

/// Whether a WebDriver error means "not there (yet)", which a wait retries; any other error
/// (the app gone, a script error) ends the wait at once.
fn is_missing(e: &fantoccini::error::CmdError) -> bool {
    use fantoccini::error::{CmdError, ErrorStatus};
    matches!(e, CmdError::Standard(w) if matches!(w.error,
        ErrorStatus::NoSuchElement | ErrorStatus::StaleElementReference))
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
                return Err(format!("{name}: tauri-driver did not listen within 20 s").into());
            }
            tokio::time::sleep(POLL).await;
        }
        let client = connect(port, &app)
            .await
            .map_err(|e| format!("{name}: the app did not start under WebDriver: {e}"))?;
        let h = Harness {
            name: name.to_owned(),
            _driver: driver,
            port,
            client,
            shots: 0,
            last_screen: None,
            home,
        };
        h.find("nav[aria-label='Wizard steps']").await?;
        Ok(h)
    }

    /// Closes the app and opens it again with the same data directories.
    pub async fn restart(&mut self) -> Result<(), Error> {
        self.client.clone().close().await?;
        self.client = connect(self.port, &app_binary())
            .await
            .map_err(|e| format!("{}: the app did not start again: {e}", self.name))?;
        self.find("nav[aria-label='Wizard steps']").await?;
        Ok(())
    }

    /// The element `css` once it is there, waiting up to [`WAIT`].
    pub async fn find(&self, css: &str) -> Result<Element, Error> {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => Ok(e),
            Err(e) => Err(self.failed(&format!("waiting for {css}"), e.into()).await),
        }
    }

    /// Every element matching `css` now, without waiting: for counting, or to see that
    /// something is not there (after waiting for what shows the page is ready).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, Error> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    /// Waits up to [`WAIT`] until no element matches `css`.
    pub async fn absent(&self, css: &str) -> Result<(), Error> {
        self.eventually(&format!("{css} to go away"), || async {
            Ok(self.find_all(css).await?.is_empty().then_some(()))
        })
        .await
    }

    /// The text of `css`, once it is there.
    pub async fn text(&self, css: &str) -> Result<String, Error> {
        self.read(
            css,
            "reading the text of",
            |e| async move { e.text().await },
        )
        .await
    }

    /// An attribute of `css`, once it is there.
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>, Error> {
        self.read(css, &format!("reading {name} of"), |e| async move {
            e.attr(name).await
        })
        .await
    }

    /// An input's current value (its `value` property), once it is there.
    pub async fn value(&self, css: &str) -> Result<Option<String>, Error> {
        self.read(css, "reading the value of", |e| async move {
            e.prop("value").await
        })
        .await
    }

    /// Whether `css` (there by now) is enabled.
    pub async fn is_enabled(&self, css: &str) -> Result<bool, Error> {
        self.read(css, "reading whether it is enabled:", |e| async move {
            e.is_enabled().await
        })
        .await
    }

    /// Whether the checkbox or radio `css` (there by now) is checked.
    pub async fn is_checked(&self, css: &str) -> Result<bool, Error> {
        self.read(css, "reading whether it is checked:", |e| async move {
            e.is_selected().await
        })
        .await
    }

    /// Finds `css` and reads something of it; an element the page replaced meanwhile (Svelte
    /// re-rendered it) is found again.
    async fn read<T, F, Fut>(&self, css: &str, what: &str, read: F) -> Result<T, Error>
    where
        F: Fn(Element) -> Fut,
        Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            match read(self.find(css).await?).await {
                Ok(v) => return Ok(v),
                Err(e) if is_missing(&e) && Instant::now() < deadline => {
                    tokio::time::sleep(POLL).await
                }
                Err(e) => return Err(self.failed(&format!("{what} {css}"), e.into()).await),
            }
        }
    }

    /// The error of a step that gave up, naming the test and `step`; the screen at that moment
    /// is saved as `<test>-failed.png` and the app's output as `<test>-app.log`.
    async fn failed(&self, step: &str, e: Error) -> Error {
        let dir = screenshots_dir();
        let _ = std::fs::create_dir_all(&dir);
        let shot = dir.join(format!("{}-failed.png", self.name));
        let saved = match self.client.screenshot().await {
            Ok(png) => std::fs::write(&shot, png).is_ok(),
            Err(_) => false,
        };
        let log = dir.join(format!("{}-app.log", self.name));
        let _ = std::fs::copy(self.home.path().join("app-stderr.log"), &log);
        let screen = if saved {
            format!("screen saved as {}", shot.display())
        } else {
            "no screen could be taken (the app is gone?)".to_owned()
        };
        let last = self
            .last_screen
            .as_ref()
            .map_or("none yet".to_owned(), |p| p.display().to_string());
        format!(
            "{}: {step}: {e}\n  {screen}; last screenshot: {last}; app log: {}",
            self.name,
            log.display()
        )
        .into()
    }

    /// Polls `probe` until it yields a value; after [`WAIT`] fails naming `what`.
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
                let e = format!("still not so after {} s", WAIT.as_secs()).into();
                return Err(self.failed(&format!("waiting for {what}"), e).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for the element's text to contain `needle` (the element may appear meanwhile);
    /// its text.
    pub async fn text_containing(&self, css: &str, needle: &str) -> Result<String, Error> {
        self.eventually(&format!("“{needle}” in {css}"), || async {
            let Some(element) = self.find_all(css).await?.into_iter().next() else {
                return Ok(None);
            };
            match element.text().await {
                Ok(text) => Ok(text.contains(needle).then_some(text)),
                Err(e) if is_missing(&e) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Waits until `css` is enabled (a step's checks finish asynchronously); the element.
    pub async fn enabled(&self, css: &str) -> Result<Element, Error> {
        self.eventually(&format!("{css} to be enabled"), || async {
            let Some(element) = self.find_all(css).await?.into_iter().next() else {
                return Ok(None);
            };
            Ok(element.is_enabled().await?.then_some(element))
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

    /// Picks the option of value `value` in a `<select>`, as a choice in its list does.
    pub async fn choose(&self, css: &str, value: &str) -> Result<(), Error> {
        let el = serde_json::to_value(self.find(css).await?)?;
        self.client
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
                vec![el, serde_json::json!(value)],
            )
            .await?;
        Ok(())
    }

    /// Whether the focus is on `css`.
    pub async fn is_focused(&self, css: &str) -> Result<bool, Error> {
        let focused = self
            .client
            .execute(
                "return !!document.activeElement && document.activeElement.matches(arguments[0])",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok(focused == serde_json::Value::Bool(true))
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
        self.find(css).await?;
        for _ in 0..80 {
            if self.is_focused(css).await? {
                return Ok(());
            }
            self.press(Key::Tab).await?;
        }
        let e = "80 presses of Tab went round without reaching it".into();
        Err(self.failed(&format!("tabbing to {css}"), e).await)
    }

    /// Tabs to `css` and presses Enter on it.
    pub async fn activate(&self, css: &str) -> Result<(), Error> {
        self.tab_to(css).await?;
        self.press(Key::Enter).await
    }

    /// Presses Next once the step's checks have made it valid (they finish asynchronously).
    pub async fn next(&self) -> Result<(), Error> {
        self.enabled("#next").await?;
        self.click("#next").await
    }

    /// The app's data directories (XDG_DATA_HOME and XDG_CONFIG_HOME live below it).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Waits until the app's draft file (saved shortly after each change) contains `needle`.
    pub async fn draft_saved(&self, needle: &str) -> Result<(), Error> {
        let file = self
            .home
            .path()
            .join("data/net.m365onboard.wizard/draft.json");
        self.eventually(&format!("the draft to hold “{needle}”"), || async {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            Ok(text.contains(needle).then_some(()))
        })
        .await
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
            Err(format!("{}: {screen}: {}", self.name, violations.join("; ")).into())
        }
    }

    /// Where the app saves attachments and exports in tests.
    pub fn saved_dir(&self) -> PathBuf {
        self.home.path().join("saved")
    }

    /// The file `name` the app saved (an export, an attachment) once its content holds
    /// `needle`: an older file of that name, or one still being written, is waited out.
    pub async fn saved_file(&self, name: &str, needle: &str) -> Result<String, Error> {
        let path = self.saved_dir().join(name);
        self.eventually(
            &format!("{} saved with “{needle}”", path.display()),
            || async {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                Ok(text.contains(needle).then_some(text))
            },
        )
        .await
    }

    /// Clicks the element as a person would: once it is there, scrolled to the middle of the
    /// window (where the sticky footer cannot cover it), standing still (a step that re-renders
    /// moves what is below it, and a click at the old place would land elsewhere) and not
    /// covered by anything else. Gives up after [`WAIT`].
    pub async fn click(&self, css: &str) -> Result<(), Error> {
        let deadline = Instant::now() + WAIT;
        loop {
            let attempt = async {
                let el = self.find(css).await?;
                let arg = serde_json::to_value(&el)?;
                let ready = self.client.execute_async(CLICKABLE, vec![arg]).await?;
                if ready != serde_json::Value::Bool(true) {
                    return Ok::<_, Error>(Some(format!("not clickable yet: {ready}")));
                }
                el.click().await?;
                Ok(None)
            }
            .await;
            let last = match attempt {
                Ok(None) => return Ok(()),
                Ok(Some(why)) => why,
                Err(e) => e.to_string(),
            };
            if Instant::now() > deadline {
                return Err(self.failed(&format!("clicking {css}"), last.into()).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Scrolls the element into the middle of the window (before a screenshot of it).
    pub async fn scroll_to(&self, css: &str) -> Result<(), Error> {
        let el = self.find(css).await?;
        let arg = serde_json::to_value(&el)?;
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg])
            .await?;
        Ok(())
    }

    /// Enters the first frame once it has loaded everything it will load (its document
    /// complete), runs `inside`, and leaves it again.
    pub async fn in_frame<T, F, Fut>(&self, css: &str, inside: F) -> Result<T, Error>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        self.find(css).await?.enter_frame().await?;
        let loaded = self
            .eventually(&format!("the frame {css} to finish loading"), || async {
                let state = self
                    .client
                    .execute("return document.readyState", vec![])
                    .await?;
                Ok((state == "complete").then_some(()))
            })
            .await;
        let result = match loaded {
            Ok(()) => inside().await,
            Err(e) => Err(e),
        };
        self.client.enter_parent_frame().await?;
        result
    }

    /// Saves the screen as a PNG, after axe-core found no serious accessibility violation on it.
    pub async fn screenshot(&mut self, screen: &str) -> Result<PathBuf, Error> {
        self.axe(screen).await?;
        self.shots += 1;
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}-{:02}-{screen}.png", self.name, self.shots));
        // WebKit under Xvfb can hand out the previous frame right after a change: wait for two
        // animation frames, so that the change has been painted.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        std::fs::write(&path, self.client.screenshot().await?)?;
        self.last_screen = Some(path.clone());
        Ok(path)
    }

    /// Ends the session (the app closes as a person would close it), then the driver.
    pub async fn finish(self) -> Result<(), Error> {
        Ok(self.client.clone().close().await?)
    }
}

/// Scrolls `arguments[0]` to the middle of the window and answers, two frames later, `true` when
/// it stood still meanwhile and is what a click at its centre would hit; else what is in the
/// way. A `<select>`'s option is hit through its list, which no point on the page shows.
const CLICKABLE: &str = "
    const [el, done] = [arguments[0], arguments[arguments.length - 1]];
    if (el.tagName === 'OPTION') return done(true);
    el.scrollIntoView({ block: 'center' });
    const place = () => JSON.stringify(el.getBoundingClientRect());
    const before = place();
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const r = el.getBoundingClientRect();
      if (place() !== before) return done('still moving');
      if (r.width === 0 || r.height === 0) return done('not shown');
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      const label = hit && hit.closest('label');
      if (hit && (hit === el || el.contains(hit) || (label && label.control === el))) return done(true);
      done('covered by ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
    }));";

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
