//! The emailproxy.config export run by the real email-oauth2-proxy (PyPI `emailproxy`, installed
//! into a venv under the target dir): pointed at the simulator's token endpoint and the real
//! Dovecot, with the refresh token pre-seeded in the proxy's own encrypted format, it serves a
//! password-only client headless. A plain IMAP LOGIN through it lists the mailbox, a plain SMTP
//! AUTH through it delivers to the sink. For a user and a shared mailbox. Needs root, Dovecot,
//! python3 with venv, and PyPI.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use base64::Engine;
use m365_sim::player::{play, Person};
use onboard::{
    export::{
        export, secrets_for_export, write_export, ChannelConfig, ExportFormat, ExportOptions,
        SecretHandling,
    },
    identity::{sign_in_with_browser, ChannelKind, Resource},
    mailbox::{connect_mailbox, AppConnection, Credentials},
    platform::{MemoryStore, Secret},
    profile::{MailboxChoice, ProfileCloud, ProfileStore, Session, SignInFlow},
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::mail::{MailWorld, ALICE, SUPPORT};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
/// The version whose option names and token format the export follows.
const EMAILPROXY: &str = "emailproxy==2026.7.3";
/// The mail client's password for the proxy (the export's passphrase).
const PASSWORD: &str = "proxy-password-for-tests";

/// The proxy's executable, installed once per target dir (idempotent: a marker file records a
/// finished install).
fn emailproxy_bin() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emailproxy-venv");
    let marker = venv.join(format!(".installed-{EMAILPROXY}"));
    if !marker.exists() {
        let run = |cmd: &mut std::process::Command| {
            let out = cmd
                .output()
                .expect("python3 runs (scripts/setup.sh installs python3-venv)");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(std::process::Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv));
        run(std::process::Command::new(venv.join("bin/python")).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            EMAILPROXY,
        ]));
        std::fs::write(&marker, b"").unwrap();
    }
    venv.join("bin/emailproxy")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A line-based conversation over plain TCP.
struct Conn(BufReader<TcpStream>);

impl Conn {
    async fn open(port: u16) -> Self {
        Conn(BufReader::new(
            TcpStream::connect(("127.0.0.1", port)).await.unwrap(),
        ))
    }

    async fn line(&mut self) -> String {
        let mut l = String::new();
        self.0.read_line(&mut l).await.unwrap();
        assert!(!l.is_empty(), "the proxy closed the connection");
        l
    }

    async fn send(&mut self, line: &str) {
        self.0
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
    }

    /// Sends an IMAP command and reads up to its tagged reply; all lines.
    async fn imap(&mut self, tag: &str, command: &str) -> Vec<String> {
        self.send(&format!("{tag} {command}")).await;
        let mut lines = Vec::new();
        loop {
            let l = self.line().await;
            let done = l.starts_with(&format!("{tag} "));
            lines.push(l);
            if done {
                return lines;
            }
        }
    }

    /// Sends an SMTP command and reads its (multi-line) reply; the last line.
    async fn smtp(&mut self, command: &str) -> String {
        self.send(command).await;
        self.reply().await
    }

    async fn reply(&mut self) -> String {
        loop {
            let l = self.line().await;
            if l.as_bytes().get(3) != Some(&b'-') {
                return l;
            }
        }
    }
}

struct World {
    mail: MailWorld,
    session: Session,
    _dir: tempfile::TempDir,
}

/// `user` signs in (the browser played), and the mailbox is verified and kept for the IMAP/SMTP
/// channel, as the account step does; returns the profile's name.
async fn connect(w: &World, user: &str, choice: MailboxChoice) -> String {
    let app = AppConnection {
        cloud: w.mail.cloud(),
        profile_cloud: ProfileCloud::Sandbox,
        tenant: "contoso.test".into(),
        client_id: APP.into(),
        client_secret: Some(Secret::new(SECRET)),
        channel: ChannelKind::ImapDelegated,
    };
    let person = Person {
        user: user.into(),
        password: String::new(),
        decision: "accept".into(),
    };
    let open = move |url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move { play(&url, &person).await });
        Ok(())
    };
    let signed_in = sign_in_with_browser(
        app.sign_in_request(Some(user.into())),
        open,
        Duration::from_secs(20),
        std::future::pending(),
    )
    .await
    .unwrap();
    let creds = Credentials::Delegated {
        signed_in,
        flow: SignInFlow::Browser,
    };
    let c = connect_mailbox(&w.session, &app, choice, creds, None)
        .await
        .unwrap();
    c.profile.unwrap_or_else(|| panic!("{:?}", c.checks)).name
}

/// Exports `name` for the proxy (tokens seeded with [`PASSWORD`]), runs the proxy, and goes
/// through it as a password-only client: IMAP as `imap_login`, SMTP as `smtp_login` sending
/// from `from`. Returns the number of mails in the Inbox the proxy opened.
async fn through_the_proxy(
    w: &World,
    name: &str,
    imap_login: &str,
    smtp_login: &str,
    from: &str,
) -> u32 {
    let secrets = secrets_for_export(&w.session, name, Some(Resource::Outlook))
        .await
        .unwrap();
    let profile = w.session.profiles().require(name).unwrap();
    let config = ChannelConfig::from_profile(&profile, &w.mail.cloud(), chrono::Utc::now());
    let options = ExportOptions {
        proxy_imap_port: free_port(),
        proxy_smtp_port: free_port(),
    };
    let handling = SecretHandling::Encrypt(Secret::new(PASSWORD));
    let e = export(
        &config,
        ExportFormat::Emailproxy,
        &secrets,
        &handling,
        &options,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("emailproxy.config");
    write_export(&config_file, &e).unwrap();
    // The proxy trusts the simulator's and the mail stack's CAs through Python's default
    // context, which reads SSL_CERT_FILE.
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &w.mail.ca_pem).unwrap();
    let log = dir.path().join("proxy.log");
    let token_requests = |l: &[(String, String, u64)]| {
        l.iter()
            .filter(|(m, p, _)| m == "POST" && p.ends_with("/oauth2/v2.0/token"))
            .count()
    };
    let before = token_requests(&w.mail.sim_log().await);

    let mut proxy = tokio::process::Command::new(emailproxy_bin())
        .args(["--no-gui", "--debug", "--config-file"])
        .arg(&config_file)
        .arg("--log-file")
        .arg(&log)
        .env("SSL_CERT_FILE", &ca)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let show_log = || std::fs::read_to_string(&log).unwrap_or_default();
    for port in [options.proxy_imap_port, options.proxy_smtp_port] {
        let mut tries = 0;
        while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            tries += 1;
            assert!(
                tries < 300,
                "the proxy did not listen on {port}:\n{}",
                show_log()
            );
            assert!(
                proxy.try_wait().unwrap().is_none(),
                "the proxy ended:\n{}",
                show_log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    let mut imap = Conn::open(options.proxy_imap_port).await;
    assert!(imap.line().await.starts_with("* OK"));
    let login = imap
        .imap("a1", &format!("LOGIN {imap_login} {PASSWORD}"))
        .await;
    assert!(
        login.last().unwrap().starts_with("a1 OK"),
        "{login:?}\n{}",
        show_log()
    );
    let list = imap.imap("a2", "LIST \"\" \"*\"").await;
    assert!(list.iter().any(|l| l.contains("INBOX")), "{list:?}");
    let select = imap.imap("a3", "EXAMINE INBOX").await;
    let exists = select
        .iter()
        .find_map(|l| {
            l.strip_prefix("* ")?
                .strip_suffix(" EXISTS\r\n")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{select:?}"));
    imap.imap("a4", "LOGOUT").await;

    let mut smtp = Conn::open(options.proxy_smtp_port).await;
    assert!(smtp.reply().await.starts_with("220"));
    assert!(smtp.smtp("EHLO client.localhost").await.starts_with("250"));
    let plain =
        base64::engine::general_purpose::STANDARD.encode(format!("\0{smtp_login}\0{PASSWORD}"));
    let auth = smtp.smtp(&format!("AUTH PLAIN {plain}")).await;
    assert!(auth.starts_with("235"), "{auth}\n{}", show_log());
    assert!(smtp
        .smtp(&format!("MAIL FROM:<{from}>"))
        .await
        .starts_with("250"));
    assert!(smtp
        .smtp("RCPT TO:<someone@fabrikam.test>")
        .await
        .starts_with("250"));
    assert!(smtp.smtp("DATA").await.starts_with("354"));
    let subject = format!("Through the proxy from {from}");
    let sent = smtp
        .smtp(&format!(
            "From: {from}\r\nTo: someone@fabrikam.test\r\nSubject: {subject}\r\n\r\nHello.\r\n."
        ))
        .await;
    assert!(sent.starts_with("250"), "{sent}");
    smtp.smtp("QUIT").await;
    assert!(
        w.mail.sink.messages().iter().any(|m| m.contains(&subject)),
        "not in the sink: {:?}",
        w.mail.sink.messages()
    );
    // The proxy got its access tokens from the seeded refresh token (one per account section
    // used), at the simulator's token endpoint.
    let after = token_requests(&w.mail.sim_log().await);
    assert!(
        after > before,
        "the proxy never asked the token endpoint:\n{}",
        show_log()
    );
    proxy.kill().await.unwrap();
    exists
}

async fn world() -> World {
    let mail = MailWorld::start().await;
    let dir = tempfile::tempdir().unwrap();
    let session = Session::new(
        ProfileStore::new(dir.path()),
        Arc::new(MemoryStore::default()),
    )
    .with_sandbox(mail.cloud());
    World {
        mail,
        session,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_mailbox_through_the_proxy() {
    let w = world().await;
    let name = connect(&w, ALICE, MailboxChoice::User).await;
    let exists = through_the_proxy(&w, &name, ALICE, ALICE, ALICE).await;
    assert_eq!(exists, 3, "alice's Inbox");
    w.mail.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shared_mailbox_through_the_proxy() {
    let w = world().await;
    let name = connect(
        &w,
        ALICE,
        MailboxChoice::Shared {
            address: SUPPORT.into(),
        },
    )
    .await;
    // IMAP opens the shared mailbox by name; SMTP signs in as the delegate, sending as it.
    let exists = through_the_proxy(&w, &name, SUPPORT, ALICE, SUPPORT).await;
    assert_eq!(exists, 8, "support's Inbox, not alice's");
    w.mail.stop().await;
}
