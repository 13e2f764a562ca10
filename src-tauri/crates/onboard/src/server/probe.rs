//! The server step's live checks: does the helpdesk's name resolve, does it serve a certificate a
//! browser trusts for that name, and does a web server answer there (and at the callback path)?
//! Each step is timed and bounded by one timeout; a failed step skips the ones that need it.

use crate::{
    catalog::{CheckStatus, CheckStep, Diagnosis},
    platform::http,
    server::{tls_check, ServerCheck},
};
use serde::Serialize;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use ts_rs::TS;

const FIELD: &str = "FQDN";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOptions {
    /// The limit for each step; nothing waits longer.
    pub timeout: Duration,
    /// One more CA to trust, PEM. For tests and the sandbox only: real helpdesks must be
    /// publicly trusted, because the admin's browser lands on them.
    pub extra_ca_pem: Option<String>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            extra_ca_pem: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ServerProbe {
    pub checks: Vec<CheckStep>,
}

impl ServerProbe {
    /// True when a step failed (warnings do not count).
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == CheckStatus::Failed)
    }

    pub fn step(&self, id: &str) -> Option<&CheckStep> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// What one step found: its status, the detail line, and the diagnosis for anything not ok.
struct Finding {
    status: CheckStatus,
    detail: String,
    diagnosis: Option<Diagnosis>,
}

impl Finding {
    fn ok(detail: impl Into<String>) -> Self {
        Self {
            status: CheckStatus::Ok,
            detail: detail.into(),
            diagnosis: None,
        }
    }

    fn warning(detail: impl Into<String>, d: Diagnosis) -> Self {
        Self {
            status: CheckStatus::Warning,
            detail: detail.into(),
            diagnosis: Some(d),
        }
    }

    fn failed(d: Diagnosis) -> Self {
        Self {
            status: CheckStatus::Failed,
            detail: d.detail.clone(),
            diagnosis: Some(d),
        }
    }
}

/// Runs the live checks for a host that passed the offline check.
pub async fn probe_server(check: &ServerCheck, opts: &ProbeOptions) -> ServerProbe {
    let host = &check.host.ascii;
    let port = check.host.port.unwrap_or(443);
    let mut steps = Steps::default();

    let addrs = steps
        .run("dns", "DNS", opts.timeout, resolve(host, port))
        .await;
    let Some(addrs) = addrs else {
        return steps.skip_rest(&[
            ("https", "HTTPS"),
            ("answer", "Server answers"),
            ("callback", "Callback URL"),
        ]);
    };
    let tls = steps
        .run("https", "HTTPS", opts.timeout, async {
            let detail =
                tls_check::handshake(host, port, &addrs, opts.extra_ca_pem.as_deref()).await?;
            Ok(((), Finding::ok(detail)))
        })
        .await;
    if tls.is_none() {
        return steps.skip_rest(&[("answer", "Server answers"), ("callback", "Callback URL")]);
    }
    let client = match client(host, &addrs, opts) {
        Ok(c) => c,
        Err(d) => {
            steps.push("answer", "Server answers", 0, Finding::failed(d));
            return steps.skip_rest(&[("callback", "Callback URL")]);
        }
    };
    let base = base_url(check);
    let answered = steps
        .run(
            "answer",
            "Server answers",
            opts.timeout,
            answer(&client, &base),
        )
        .await;
    if answered.is_none() {
        return steps.skip_rest(&[("callback", "Callback URL")]);
    }
    steps
        .run(
            "callback",
            "Callback URL",
            opts.timeout,
            callback(&client, &check.callback_url),
        )
        .await;
    steps.done()
}

#[derive(Default)]
struct Steps {
    checks: Vec<CheckStep>,
    /// The label of the step that failed, for the skipped ones to name.
    failed: Option<String>,
}

impl Steps {
    /// Times one step and bounds it by `timeout`; `Some` carries its value on to later steps
    /// (also for warnings: the server answered).
    async fn run<T>(
        &mut self,
        id: &str,
        label: &str,
        timeout: Duration,
        step: impl Future<Output = Result<(T, Finding), Diagnosis>>,
    ) -> Option<T> {
        let start = Instant::now();
        let outcome = match tokio::time::timeout(timeout, step).await {
            Ok(r) => r,
            Err(_) => Err(timed_out(label, timeout)),
        };
        let millis = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        match outcome {
            Ok((value, finding)) => {
                self.push(id, label, millis, finding);
                Some(value)
            }
            Err(d) => {
                self.push(id, label, millis, Finding::failed(d));
                None
            }
        }
    }

    fn push(&mut self, id: &str, label: &str, millis: u64, f: Finding) {
        if f.status == CheckStatus::Failed {
            self.failed = Some(label.to_owned());
        }
        self.checks.push(CheckStep {
            id: id.to_owned(),
            label: label.to_owned(),
            status: f.status,
            millis,
            detail: f.detail,
            diagnosis: f.diagnosis,
        });
    }

    fn skip_rest(mut self, rest: &[(&str, &str)]) -> ServerProbe {
        let why = self.failed.clone().unwrap_or_default();
        for (id, label) in rest {
            self.checks.push(CheckStep {
                id: (*id).to_owned(),
                label: (*label).to_owned(),
                status: CheckStatus::Skipped,
                millis: 0,
                detail: format!("not run: {why} failed"),
                diagnosis: None,
            });
        }
        self.done()
    }

    fn done(self) -> ServerProbe {
        ServerProbe {
            checks: self.checks,
        }
    }
}

fn timed_out(what: &str, timeout: Duration) -> Diagnosis {
    Diagnosis::new(
        "net.timeout",
        format!("{what}: no answer in time"),
        format!("Nothing came back within {} ms.", timeout.as_millis()),
        "Check that the server is running and that no firewall silently drops the connection (a REJECT rule would answer at once); if this machine cannot reach the helpdesk's network, run the check from one that can.",
    )
}

fn about_fqdn(mut d: Diagnosis) -> Diagnosis {
    d.field = Some(FIELD.to_owned());
    d
}

/// A/AAAA through the system resolver (so /etc/hosts and a VPN's DNS count, as for a browser).
async fn resolve(host: &str, port: u16) -> Result<(Vec<SocketAddr>, Finding), Diagnosis> {
    // RFC 6761: .invalid never resolves anywhere; asking would only add a wait.
    if host == "invalid" || host.ends_with(".invalid") {
        return Err(about_fqdn(Diagnosis::new(
            "net.reserved_name",
            format!("{host} can never resolve"),
            "Names under .invalid are reserved (RFC 6761) so that they never exist in DNS.",
            "Type the helpdesk's real host name.",
        )));
    }
    let not_found = |why: String| {
        about_fqdn(Diagnosis::new(
            "net.dns",
            format!("{host} cannot be found in DNS"),
            why,
            "Check the spelling of the host name; if it is right, create an A (IPv4) and/or AAAA (IPv6) record for it at the DNS provider, or wait until a new record has propagated.",
        ))
    };
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| not_found(format!("The lookup failed: {e}.")))?
        .collect();
    if found.is_empty() {
        return Err(not_found(
            "The name exists but has no A or AAAA record.".to_owned(),
        ));
    }
    let mut ips: Vec<String> = Vec::new();
    for a in &found {
        let ip = a.ip().to_string();
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    Ok((found, Finding::ok(format!("{host} → {}", ips.join(", ")))))
}

/// The HTTP client for the last steps: the addresses DNS found (no second lookup), the same
/// trust as the handshake, no redirects followed (a redirect is an answer).
fn client(
    host: &str,
    addrs: &[SocketAddr],
    opts: &ProbeOptions,
) -> Result<reqwest::Client, Diagnosis> {
    let mut builder = reqwest::Client::builder()
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(host, addrs)
        .user_agent(concat!("m365-onboard/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = &opts.extra_ca_pem {
        let ca = reqwest::Certificate::from_pem(pem.as_bytes())
            .map_err(|e| crate::platform::tls::bad_ca(&e))?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build().map_err(|e| {
        Diagnosis::new(
            "http.client",
            "The HTTP client cannot start",
            e.to_string(),
            "Restart the wizard; if it persists, report this text.",
        )
    })
}

/// The server's base URL: where a browser would open the helpdesk.
fn base_url(check: &ServerCheck) -> String {
    let path = if check.kind.accepts_subdirectory() {
        check.host.path.as_str()
    } else {
        ""
    };
    format!("https://{}{path}/", check.host.authority())
}

/// `HTTP 302 Found → /login, Server: nginx`
fn describe(res: &reqwest::Response) -> String {
    let mut s = format!("HTTP {}", res.status());
    if let Some(to) = header(res, reqwest::header::LOCATION) {
        s.push_str(&format!(" → {to}"));
    }
    if let Some(server) = header(res, reqwest::header::SERVER) {
        s.push_str(&format!(", Server: {server}"));
    }
    s
}

fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Any HTTP status proves a web server answers; a 5xx says the application behind it is unwell.
async fn answer(client: &reqwest::Client, url: &str) -> Result<((), Finding), Diagnosis> {
    let res = client
        .get(url)
        .send()
        .await
        .map_err(|e| http::transport_error(url, &e))?;
    let detail = format!("{url}: {}", describe(&res));
    if res.status().is_server_error() {
        let d = Diagnosis::new(
            "server.error_status",
            format!("The server answers {url} with an error"),
            detail.clone(),
            "The web server runs but the helpdesk application behind it does not answer properly (for example a stopped Zammad/Rails, PHP-FPM or database service, or a proxy pointing at the wrong backend). Check the helpdesk's service status and its logs.",
        );
        return Ok(((), Finding::warning(detail, d)));
    }
    Ok(((), Finding::ok(detail)))
}

/// A GET without parameters cannot complete a sign-in, but a 404 shows nothing is installed there.
async fn callback(client: &reqwest::Client, url: &str) -> Result<((), Finding), Diagnosis> {
    let res = client
        .get(url)
        .send()
        .await
        .map_err(|e| http::transport_error(url, &e))?;
    let status = res.status();
    let detail = format!("{url}: {}", describe(&res));
    if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
        return Err(Diagnosis::new(
            "server.callback_missing",
            "Nothing is installed at the callback URL",
            format!("{detail}. Microsoft would send every sign-in to a page that does not exist."),
            "Check that the chosen helpdesk kind is the one running on this host and that it is installed at this path (FreeScout and osTicket may live in a subdirectory: include it in the host name, e.g. desk.example.com/helpdesk); for osTicket, install and enable the auth-oauth2 plugin; for a custom server, check the callback template.",
        ));
    }
    if status.is_server_error() {
        let d = Diagnosis::new(
            "server.callback_error",
            "The callback URL answers with a server error",
            detail.clone(),
            "A request without sign-in parameters may fail harmlessly, but check the helpdesk's logs if the sign-in fails later.",
        );
        return Ok(((), Finding::warning(detail, d)));
    }
    Ok(((), Finding::ok(detail)))
}
