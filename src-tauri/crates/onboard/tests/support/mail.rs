//! The real mail stack for the mail checks: the simulator with the demo tenant, and Dovecot
//! (tests/mail-stack/mail-stack.sh) validating the simulator's tokens over IMAP and SMTP
//! submission, relaying to the simulator's SMTP sink (which Graph's sendMail also uses for
//! addresses outside the tenant). Tokens come from the simulator's own sign-in, as in m365-sim's
//! mail_stack tests.
//! Needs root and Dovecot, as `make test` has (scripts/setup.sh installs it).

use m365_sim::exchange::smtp_sink::SmtpSink;
use m365_sim::sandbox::demo_seed;
use m365_sim::RunningSim;
use onboard::{
    cloud::{Cloud, CloudPreset, TlsMode},
    identity::{AccessToken, Audience, Resource, TokenResponse},
    mailbox::MailCheckOptions,
    platform::Secret,
};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

pub const ALICE: &str = "alice@contoso.test";
pub const BOB: &str = "bob@contoso.test";
pub const SUPPORT: &str = "support@contoso.test";
/// What IMAP and SMTP channels request (the demo app has both delegated).
pub const OUTLOOK_SCOPE: &str = "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access";
pub const GRAPH_SCOPE: &str = "Mail.ReadWrite offline_access";
const REDIRECT: &str = "http://localhost:53682/";

/// A running simulator and Dovecot; Dovecot stops (and its directory goes) when dropped.
pub struct MailWorld {
    pub sim: RunningSim,
    /// Where submitted mail (and Graph's mail to outside addresses) arrives, with the Send As
    /// rule of the simulator's tenant.
    pub sink: SmtpSink,
    dovecot: Dovecot,
    /// Ports of Dovecot's listeners: IMAP with implicit TLS, IMAP plain (STARTTLS offered),
    /// SMTP submission (STARTTLS).
    pub imaps: u16,
    pub imap: u16,
    pub submission: u16,
    /// The simulator's CA and the stack's CA, as one PEM (both are needed: HTTPS and mail).
    pub ca_pem: String,
    http: reqwest::Client,
    tenant: String,
    client_id: String,
    client_secret: String,
}

impl MailWorld {
    /// The demo tenant, except that bob loses his Full Access to support@ (so that one delegate
    /// has it and one does not).
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// As [`MailWorld::start`], with the seed changed by `edit` first (a test-local seed).
    pub async fn start_with(edit: impl FnOnce(&mut m365_sim::tenant::seed::Seed)) -> Self {
        let mut seed = demo_seed().unwrap();
        edit(&mut seed);
        let tenant = &mut seed.tenants[0];
        tenant.shared_mailboxes[0]
            .full_access
            .retain(|u| !u.eq_ignore_ascii_case(BOB));
        assert_eq!(tenant.shared_mailboxes[0].address, SUPPORT);
        assert_eq!(tenant.shared_mailboxes[0].full_access, [ALICE]);
        let (tenant_id, client_id, client_secret) = (
            tenant.id.clone(),
            tenant.apps[0].client_id.clone(),
            tenant.apps[0].secrets[0].value.clone(),
        );
        let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), seed)
            .await
            .unwrap();
        let sim_ca = std::fs::read_to_string(&sim.endpoints.ca_file).unwrap();
        let dir = tempfile::Builder::new()
            .prefix("onboard-mail-")
            .tempdir()
            .unwrap();
        let sink = SmtpSink::start_for(&dir.path().join("sent"), sim.sim.clone())
            .await
            .unwrap();
        sim.set_outgoing(([127, 0, 0, 1], sink.port).into());
        let stack_dir = dir.path().join("stack");
        let out = std::process::Command::new(script())
            .env("MAIL_ROOT", &sim.endpoints.mail_root)
            .args([
                "start",
                stack_dir.to_str().unwrap(),
                &sim.endpoints.introspection_url,
                sim.endpoints.ca_file.to_str().unwrap(),
                &sink.port.to_string(),
            ])
            .output()
            .expect("mail-stack.sh runs (Dovecot is installed by make test)");
        assert!(
            out.status.success(),
            "mail stack (needs root and Dovecot): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let info: Value = serde_json::from_slice(&out.stdout).unwrap();
        let port = |k: &str| u16::try_from(info[k].as_u64().unwrap()).unwrap();
        let stack_ca = std::fs::read_to_string(info["ca_file"].as_str().unwrap()).unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(sim_ca.as_bytes()).unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            sim,
            sink,
            dovecot: Dovecot(dir),
            imaps: port("imaps"),
            imap: port("imap"),
            submission: port("submission"),
            ca_pem: format!("{sim_ca}\n{stack_ca}"),
            http,
            tenant: tenant_id,
            client_id,
            client_secret,
        }
    }

    /// Exchange Online's shape: IMAP implicit TLS, SMTP STARTTLS, both on the stack.
    pub fn cloud(&self) -> Cloud {
        let mut cloud = Cloud::preset(CloudPreset::Global);
        cloud.name = "Sandbox".into();
        cloud.authority = self.sim.endpoints.authority.clone();
        cloud.graph = self.sim.endpoints.graph.clone();
        cloud.imap = format!("127.0.0.1:{}", self.imaps);
        cloud.smtp = format!("127.0.0.1:{}", self.submission);
        cloud.extra_ca_pem = Some(self.ca_pem.clone());
        cloud
    }

    pub fn cloud_with_imap(&self, port: u16, tls: TlsMode) -> Cloud {
        let mut cloud = self.cloud();
        cloud.imap = format!("127.0.0.1:{port}");
        cloud.imap_tls = tls;
        cloud
    }

    pub fn cloud_with_smtp(&self, port: u16, tls: TlsMode) -> Cloud {
        let mut cloud = self.cloud();
        cloud.smtp = format!("127.0.0.1:{port}");
        cloud.smtp_tls = tls;
        cloud
    }

    /// `user` signs in to the demo app (auto sign-in, PKCE) for `scope`; the access token.
    pub async fn token(&self, user: &str, scope: &str) -> Secret {
        let verifier = "mail-check-verifier-mail-check-verifier-0123";
        let challenge = m365_sim::tenant::keys::pkce_s256(verifier);
        let authorize = format!(
            "{}/{}/oauth2/v2.0/authorize",
            self.sim.endpoints.authority, self.tenant
        );
        let res = self
            .http
            .get(&authorize)
            .query(&[
                ("client_id", self.client_id.as_str()),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", scope),
                ("state", "st"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("login_hint", user),
            ])
            .send()
            .await
            .unwrap();
        let location = res
            .headers()
            .get("location")
            .unwrap_or_else(|| panic!("no redirect for {user}: {}", res.status()))
            .to_str()
            .unwrap()
            .to_owned();
        let code = url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap_or_else(|| panic!("no code: {location}"))
            .1
            .into_owned();
        let res = self
            .http
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                self.sim.endpoints.authority, self.tenant
            ))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        Secret::new(
            body["access_token"]
                .as_str()
                .unwrap_or_else(|| panic!("no token: {body}")),
        )
    }

    /// The simulator's request log: (method, path, status) of every request so far.
    pub async fn sim_log(&self) -> Vec<(String, String, u64)> {
        let log = self.control(reqwest::Method::GET, "/_sim/log", None).await;
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_owned(),
                    e["path"].as_str().unwrap().to_owned(),
                    e["status"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    /// A call of the simulator's test control (`/_sim/…`); its JSON answer, if any.
    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sim.endpoints.authority));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap_or(Value::Null)
    }

    /// Moves the simulator's clock `secs` away from the real one (tokens expire by it).
    pub async fn set_clock(&self, secs: i64) {
        let body = serde_json::json!({ "offset_secs": secs });
        self.control(reqwest::Method::POST, "/_sim/clock", Some(body))
            .await;
    }

    pub async fn outlook_token(&self, user: &str) -> Secret {
        self.token(user, OUTLOOK_SCOPE).await
    }

    /// A Maildir folder of a mailbox (as the simulator lays it out for Dovecot).
    pub fn maildir(&self, mailbox: &str) -> PathBuf {
        self.sim.endpoints.mail_root.join(mailbox).join("Maildir")
    }

    /// Stops Dovecot, as a crash or an admin would (its connections end).
    pub fn stop_dovecot(&self) {
        self.dovecot.run("stop");
    }

    /// Starts the stopped Dovecot again, on the same ports.
    pub fn restart_dovecot(&self) {
        self.dovecot.run("restart");
    }

    pub async fn stop(self) {
        drop(self.dovecot);
        self.sink.stop();
        self.sim.stop().await;
    }
}

/// The stack's directory (Dovecot's under `stack/`, the sink's under `sent/`); dropping it stops
/// Dovecot, also when a test fails.
struct Dovecot(tempfile::TempDir);

impl Dovecot {
    fn run(&self, command: &str) {
        let out = std::process::Command::new(script())
            .args([command, self.0.path().join("stack").to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mail-stack.sh {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script())
            .args(["stop", self.0.path().join("stack").to_str().unwrap()])
            .status();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/mail-stack/mail-stack.sh")
}

/// A loopback address of its own for each connection: Dovecot holds back logins from an address
/// whose last login failed (its auth penalty), and these tests fail logins on purpose.
pub fn fresh_source() -> IpAddr {
    static NEXT: AtomicU8 = AtomicU8::new(2);
    IpAddr::V4(Ipv4Addr::new(
        127,
        0,
        3,
        NEXT.fetch_add(1, Ordering::Relaxed),
    ))
}

/// Options for one check: a fresh source address and a limit that fails fast.
pub fn opts() -> MailCheckOptions {
    MailCheckOptions {
        timeout: Duration::from_secs(10),
        local_address: Some(fresh_source()),
    }
}

/// `token` as the session would hand it out for `resource`: an access token with an hour left.
pub fn typed<A: Audience>(token: &Secret, resource: Resource) -> AccessToken<A> {
    let tokens = TokenResponse {
        access_token: token.clone(),
        refresh_token: None,
        id_token: None,
        expires_in: 3600,
        scope: String::new(),
    };
    AccessToken::from_response(&tokens, resource, chrono::Utc::now()).unwrap()
}
