//! Verifies a mailbox over IMAP as a helpdesk's IMAP channel will use it: connect (implicit TLS,
//! STARTTLS, or plain to a loopback test server), `AUTHENTICATE XOAUTH2` with `user=` the
//! mailbox (the shared address for a shared mailbox, with a delegate's token), then
//! `EXAMINE INBOX` — read-only, so a check never changes a flag or `\Recent` — and `LOGOUT`.
//! Every failure is the catalog's: the server's tagged reply, or the transport failure.

use crate::cloud::endpoints::{MailEndpoint, TlsMode};
use crate::mailbox::imap::wire_bound::{self, TooLarge, WireBound};
use crate::mailbox::mail_conn::{self, bounded, MailCheckOptions, MailLogin, Wire};
use crate::{
    catalog::{self, CheckStatus, CheckStep, Diagnosis, MailProtocol},
    cloud::Cloud,
    platform::Secret,
};
use futures_util::TryStreamExt;
use serde::Serialize;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter, ReadBuf};
use ts_rs::TS;

/// What an IMAP check found, step by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImapCheck {
    /// `host:port` as connected to.
    pub server: String,
    pub tls: TlsMode,
    /// The mailbox signed in to (the XOAUTH2 user name).
    pub mailbox: String,
    /// `imap-connect`, `imap-auth`, `imap-inbox`, each timed; after a failure the rest are skipped.
    pub steps: Vec<CheckStep>,
    /// Set when INBOX opened.
    pub inbox: Option<InboxFacts>,
}

/// INBOX as `EXAMINE` (and a `LIST` for the delimiter) reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InboxFacts {
    pub messages: u32,
    pub uid_validity: Option<u32>,
    pub uid_next: Option<u32>,
    /// The hierarchy delimiter of folder names (`/` on Exchange Online and in the sandbox).
    pub delimiter: Option<String>,
}

impl ImapCheck {
    /// Every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| s.status == CheckStatus::Ok)
    }

    /// The failure to show, if any.
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        self.steps.iter().find_map(|s| s.diagnosis.as_ref())
    }
}

const CONNECT: (&str, &str) = ("imap-connect", "Connect to the IMAP server");
const AUTH: (&str, &str) = ("imap-auth", "Sign in with XOAUTH2");
const INBOX: (&str, &str) = ("imap-inbox", "Open INBOX read-only");

/// Checks a mailbox over the cloud's IMAP server with an Outlook-audience access token
/// (scope IMAP.AccessAsUser.All).
pub async fn check_imap(cloud: &Cloud, login: &MailLogin, opts: &MailCheckOptions) -> ImapCheck {
    let mailbox = login.mailbox.as_str();
    let mut check = ImapCheck {
        server: cloud.imap.clone(),
        tls: cloud.imap_tls,
        mailbox: mailbox.to_owned(),
        steps: Vec::new(),
        inbox: None,
    };
    let started = Instant::now();
    let endpoint = match cloud.mail_endpoint(MailProtocol::Imap) {
        Ok(e) => e,
        Err(d) => return check.fail_at(0, started, d),
    };
    check.server = endpoint.to_string();

    let connected = bounded(opts, &endpoint, "connecting", async {
        connect(cloud, &endpoint, opts).await
    })
    .await;
    let (client, replies, detail) = match connected {
        Ok(c) => c,
        Err(d) => return check.fail_at(0, started, d),
    };
    check.passed_step(CONNECT, started, detail);

    let started = Instant::now();
    let sasl = Sasl(Some(login.xoauth2().initial_response()));
    let signed_in = bounded(opts, &endpoint, "signing in", async {
        client
            .authenticate("XOAUTH2", sasl)
            .await
            .map_err(|(e, _)| login.explain_refusal(failure(&endpoint, &replies, &e)))
    })
    .await;
    let mut session = match signed_in {
        Ok(s) => s,
        Err(d) => return check.fail_at(1, started, d),
    };
    check.passed_step(AUTH, started, login.signed_in());

    let started = Instant::now();
    let opened = bounded(opts, &endpoint, "opening INBOX", async {
        let mailbox = session
            .examine("INBOX")
            .await
            .map_err(|e| failure(&endpoint, &replies, &e))?;
        // LIST "" "" costs one line and names the hierarchy delimiter (RFC 3501 6.3.8).
        let delimiter = match session.list(Some(""), Some("\"\"")).await {
            Ok(names) => names
                .try_collect::<Vec<_>>()
                .await
                .ok()
                .and_then(|n| n.into_iter().find_map(|n| n.delimiter().map(str::to_owned))),
            Err(_) => None,
        };
        Ok((mailbox, delimiter))
    })
    .await;
    let (inbox, delimiter) = match opened {
        Ok(o) => o,
        Err(d) => return check.fail_at(2, started, d),
    };
    let facts = InboxFacts {
        messages: inbox.exists,
        uid_validity: inbox.uid_validity,
        uid_next: inbox.uid_next,
        delimiter,
    };
    let mut detail = format!(
        "{} message{}",
        facts.messages,
        if facts.messages == 1 { "" } else { "s" }
    );
    if let Some(v) = facts.uid_validity {
        detail.push_str(&format!(", UIDVALIDITY {v}"));
    }
    if let Some(d) = &facts.delimiter {
        detail.push_str(&format!(", folders separated by “{d}”"));
    }
    check.passed_step(INBOX, started, detail);
    check.inbox = Some(facts);
    // The verdict is in; a server that drops the line at LOGOUT changes nothing.
    let _ = tokio::time::timeout(opts.timeout, session.logout()).await;
    check
}

impl ImapCheck {
    fn passed_step(&mut self, (id, label): (&str, &str), started: Instant, detail: String) {
        self.steps
            .push(CheckStep::passed(id, label, started, detail));
    }

    /// Step `at` failed; the later ones are skipped.
    fn fail_at(mut self, at: usize, started: Instant, d: Diagnosis) -> Self {
        mail_conn::fail_from(&mut self.steps, &[CONNECT, AUTH, INBOX], at, started, d);
        self
    }
}

/// async-imap writes a command in pieces (tag, text, CRLF) and then flushes: buffered, a command
/// leaves in one TLS record instead of waiting for the server's ACK of its first piece (Nagle),
/// and a pipeline of commands leaves in one write.
type Buffered = Tap<BufWriter<Wire>>;
type Client = async_imap::Client<Buffered>;

/// A signed-in IMAP session, for the other IMAP reads (folders, counts).
pub(crate) type ImapSession = async_imap::Session<Buffered>;

/// Connects and signs in as the check does, each step bounded by `opts`; returns the session,
/// the log of the server's lines (for [`failure`]) and the endpoint.
pub(crate) async fn sign_in(
    cloud: &Cloud,
    login: &MailLogin,
    opts: &MailCheckOptions,
) -> Result<(ImapSession, Replies, MailEndpoint), Diagnosis> {
    let endpoint = cloud.mail_endpoint(MailProtocol::Imap)?;
    let (client, replies, _) = bounded(opts, &endpoint, "connecting", async {
        connect(cloud, &endpoint, opts).await
    })
    .await?;
    let sasl = Sasl(Some(login.xoauth2().initial_response()));
    let session = bounded(opts, &endpoint, "signing in", async {
        client
            .authenticate("XOAUTH2", sasl)
            .await
            .map_err(|(e, _)| login.explain_refusal(failure(&endpoint, &replies, &e)))
    })
    .await?;
    Ok((session, replies, endpoint))
}

/// TCP, TLS as the mode says, and the server's greeting; returns the client, the log of the
/// server's lines, and the line for the report.
async fn connect(
    cloud: &Cloud,
    endpoint: &MailEndpoint,
    opts: &MailCheckOptions,
) -> Result<(Client, Replies, String), Diagnosis> {
    let ca = cloud.extra_ca_pem.as_deref();
    let mut tcp = mail_conn::tcp(endpoint, opts).await?;
    let (wire, greeting, how) = match endpoint.tls {
        TlsMode::Implicit => {
            let mut tls = mail_conn::tls(endpoint, ca, tcp).await?;
            let greeting = read_line(&mut tls, endpoint).await?;
            let how = format!("{}, implicit TLS", mail_conn::tls_version(&tls));
            (Wire::Tls(Box::new(tls)), greeting, how)
        }
        TlsMode::Starttls => {
            let greeting = read_line(&mut tcp, endpoint).await?;
            expect_greeting(endpoint, &greeting)?;
            tcp.write_all(b"s0 STARTTLS\r\n")
                .await
                .map_err(|e| io_failure(endpoint, &e))?;
            loop {
                let line = read_line(&mut tcp, endpoint).await?;
                if let Some(status) = line.strip_prefix("s0 ") {
                    if !status.trim_start().to_ascii_uppercase().starts_with("OK") {
                        return Err(catalog::mail_reply(MailProtocol::Imap, &line));
                    }
                    break;
                }
            }
            let tls = mail_conn::tls(endpoint, ca, tcp).await?;
            let how = format!("{}, STARTTLS", mail_conn::tls_version(&tls));
            (Wire::Tls(Box::new(tls)), greeting, how)
        }
        TlsMode::None => {
            let greeting = read_line(&mut tcp, endpoint).await?;
            (Wire::Plain(tcp), greeting, "no TLS (loopback)".to_owned())
        }
    };
    expect_greeting(endpoint, &greeting)?;
    let replies = Replies::default();
    let client = async_imap::Client::new(Tap {
        inner: BufWriter::new(wire),
        replies: replies.clone(),
        bound: WireBound::default(),
    });
    Ok((client, replies, format!("{endpoint}: {how}")))
}

/// `* OK` or `* PREAUTH`; `* BYE` is the server's refusal; anything else is not IMAP.
fn expect_greeting(endpoint: &MailEndpoint, line: &str) -> Result<(), Diagnosis> {
    let upper = line.to_ascii_uppercase();
    if upper.starts_with("* OK") || upper.starts_with("* PREAUTH") {
        return Ok(());
    }
    if upper.starts_with("* BYE") {
        return Err(catalog::mail_reply(MailProtocol::Imap, line));
    }
    Err(Diagnosis::new(
        "imap.not_imap",
        format!("{endpoint} does not speak IMAP"),
        format!("The server greeted with “{}”, not with an IMAP greeting (“* OK …”).", printable(line)),
        "Check the IMAP host, port and TLS mode: Exchange Online is outlook.office365.com:993 with implicit TLS. A port such as 587 or 25 is SMTP.",
    ))
}

/// One line read byte by byte, so that nothing after it is consumed before the IMAP client
/// takes over the stream. Greetings and STARTTLS replies are short; 8 KB is plenty.
async fn read_line<S: AsyncRead + Unpin>(
    stream: &mut S,
    endpoint: &MailEndpoint,
) -> Result<String, Diagnosis> {
    let mut line = Vec::new();
    loop {
        let mut byte = [0u8; 1];
        let n = stream
            .read(&mut byte)
            .await
            .map_err(|e| io_failure(endpoint, &e))?;
        if n == 0 {
            return Err(catalog::network_failure(
                &endpoint.to_string(),
                &format!(
                    "connection reset: the server closed the connection{}",
                    if line.is_empty() {
                        " without a greeting".to_owned()
                    } else {
                        format!(" after “{}”", printable(&String::from_utf8_lossy(&line)))
                    }
                ),
                false,
            ));
        }
        if byte[0] == b'\n' || line.len() >= 8192 {
            return Ok(String::from_utf8_lossy(&line).trim_end().to_owned());
        }
        line.push(byte[0]);
    }
}

/// A reply async-imap could not parse. It says so only in the text of an `io::Error` (which
/// quotes the whole reply, mail included, so that text is never shown).
pub(crate) fn is_unparsable(e: &async_imap::error::Error) -> bool {
    matches!(e, async_imap::error::Error::Io(io) if unparsable(io))
}

fn unparsable(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Other && e.to_string().contains(" during parsing of ")
}

fn io_failure(endpoint: &MailEndpoint, e: &io::Error) -> Diagnosis {
    if unparsable(e) {
        return Diagnosis::new(
            "imap.unreadable_reply",
            format!("{endpoint} sent a reply this app cannot read"),
            "The IMAP server's reply does not follow IMAP's syntax as the IMAP library reads it (for example raw 8-bit text where IMAP allows only UTF-8 or ASCII).",
            "Preview the folder over Graph instead, or report the server's software and version to this app's maintainers.",
        );
    }
    if let Some(too_large) = e.get_ref().and_then(|i| i.downcast_ref::<TooLarge>()) {
        return wire_bound::too_large(&endpoint.to_string(), too_large);
    }
    if e.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
    {
        return mail_conn::tls_failure(endpoint, &mail_conn::error_chain(e));
    }
    catalog::network_failure(
        &endpoint.to_string(),
        &mail_conn::error_chain(e),
        e.kind() == io::ErrorKind::TimedOut,
    )
}

/// An IMAP client error: the server's tagged NO/BAD (or BYE) as it was sent, through the
/// catalog; otherwise the transport failure.
pub(crate) fn failure(
    endpoint: &MailEndpoint,
    replies: &Replies,
    e: &async_imap::error::Error,
) -> Diagnosis {
    use async_imap::error::Error;
    let refusal = replies.last_refusal();
    match (e, refusal) {
        (Error::No(_) | Error::Bad(_) | Error::ConnectionLost, Some(line)) => {
            catalog::mail_reply(MailProtocol::Imap, &line)
        }
        (Error::Io(io), _) => io_failure(endpoint, io),
        (Error::ConnectionLost, None) => catalog::network_failure(
            &endpoint.to_string(),
            "connection reset: the server closed the connection",
            false,
        ),
        (other, _) => catalog::mail_reply(MailProtocol::Imap, &format!("* BAD {other}")),
    }
}

/// Server text for a message: control characters shown as `?`, at most 200 characters.
fn printable(s: &str) -> String {
    s.chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Answers the XOAUTH2 exchange: the initial response to the server's first (empty) challenge,
/// then an empty response to the error challenge a server sends before its `NO` (RFC 7628
/// 3.2.3; Dovecot sends one, as Gmail does).
struct Sasl(Option<Secret>);

impl async_imap::Authenticator for Sasl {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        self.0
            .take()
            .map(|s| s.expose().as_bytes().to_vec())
            .unwrap_or_default()
    }
}

/// The server's last lines, as sent. The IMAP client reports a refusal without its tag and
/// response code; the catalog reads the line itself (`a2 NO [AUTHENTICATIONFAILED] …`). Only
/// what the server sends passes here, never the client's commands (which carry the token).
#[derive(Debug, Clone, Default)]
pub(crate) struct Replies(Arc<Mutex<ReplyLog>>);

#[derive(Debug, Default)]
pub(crate) struct ReplyLog {
    partial: Vec<u8>,
    lines: Vec<String>,
}

const KEEP_LINES: usize = 32;
const MAX_LINE: usize = 2048;

impl Replies {
    fn record(&self, bytes: &[u8]) {
        let Ok(mut log) = self.0.lock() else {
            return;
        };
        for &b in bytes {
            if b == b'\n' {
                let line = String::from_utf8_lossy(&log.partial).trim_end().to_owned();
                log.partial.clear();
                log.lines.push(line);
                if log.lines.len() > KEEP_LINES {
                    log.lines.remove(0);
                }
            } else if log.partial.len() < MAX_LINE {
                log.partial.push(b);
            }
        }
    }

    /// Forgets the lines so far: a connection kept for later reads starts each read afresh, so
    /// an old refusal is not taken for the cause of a new failure.
    pub(crate) fn clear(&self) {
        if let Ok(mut log) = self.0.lock() {
            log.lines.clear();
        }
    }

    /// The reply tagged `tag`, if it is among the lines kept.
    pub(crate) fn tagged(&self, tag: &str) -> Option<String> {
        let log = self.0.lock().ok()?;
        log.lines
            .iter()
            .rev()
            .find(|l| l.split_whitespace().next() == Some(tag))
            .cloned()
    }

    /// Whether the server's latest capability list among the lines kept (the `[CAPABILITY …]`
    /// of its greeting or sign-in reply, or a `* CAPABILITY` line) names `capability`. Exchange
    /// Online sends none with its replies, so this is `false` there.
    pub(crate) fn advertised(&self, capability: &str) -> bool {
        let Ok(log) = self.0.lock() else {
            return false;
        };
        log.lines
            .iter()
            .rev()
            .find_map(|l| capability_list(l))
            .is_some_and(|caps| {
                caps.split_whitespace()
                    .any(|c| c.eq_ignore_ascii_case(capability))
            })
    }

    /// The last tagged `NO`/`BAD` or untagged `BYE`.
    fn last_refusal(&self) -> Option<String> {
        let log = self.0.lock().ok()?;
        log.lines
            .iter()
            .rev()
            .find(|l| {
                let mut words = l.split_whitespace();
                let tag = words.next().unwrap_or_default();
                let status = words.next().unwrap_or_default().to_ascii_uppercase();
                match status.as_str() {
                    "NO" | "BAD" => tag != "+",
                    "BYE" => tag == "*",
                    _ => false,
                }
            })
            .cloned()
    }
}

/// The capabilities a server line lists, if it lists them.
fn capability_list(line: &str) -> Option<&str> {
    let upper = line.to_ascii_uppercase();
    if let Some(at) = upper.find("[CAPABILITY ") {
        return line[at + "[CAPABILITY ".len()..].split(']').next();
    }
    upper
        .starts_with("* CAPABILITY ")
        .then(|| &line["* CAPABILITY ".len()..])
}

/// A stream that copies what it reads into [`Replies`], and fails the read when the server's
/// response outgrows the [`WireBound`].
pub(crate) struct Tap<S> {
    inner: S,
    replies: Replies,
    bound: WireBound,
}

impl<S> std::fmt::Debug for Tap<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tap")
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &polled {
            let read = &buf.filled()[before..];
            this.replies.record(read);
            if let Err(too_large) = this.bound.take(read) {
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, too_large)));
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_read_as_the_server_sent_it() {
        let r = Replies::default();
        r.record(b"* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] Dovecot ready.\r\n+ ");
        r.record(b"eyJzdGF0dXMiOiI0MDEifQ==\r\nA1 NO [AUTHENT");
        assert_eq!(r.last_refusal(), None, "a partial line is no reply yet");
        r.record(b"ICATIONFAILED] Authentication failed.\r\n");
        let line = r.last_refusal().unwrap();
        assert_eq!(line, "A1 NO [AUTHENTICATIONFAILED] Authentication failed.");
        assert_eq!(
            catalog::mail_reply(MailProtocol::Imap, &line).code,
            "imap.auth_failed"
        );
        r.record(b"* BYE Connection closed.\r\n");
        assert_eq!(r.last_refusal().unwrap(), "* BYE Connection closed.");
    }

    #[test]
    fn the_latest_capability_list_counts() {
        let r = Replies::default();
        r.record(b"* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] Dovecot ready.\r\n");
        assert!(!r.advertised("LIST-STATUS"), "not before the sign-in");
        r.record(b"A1 OK [CAPABILITY IMAP4rev1 LIST-STATUS SPECIAL-USE] Logged in\r\n");
        assert!(r.advertised("list-status"));
        r.record(b"* CAPABILITY IMAP4rev1 IDLE\r\n");
        assert!(!r.advertised("LIST-STATUS"), "a later list replaces it");
        let exchange = Replies::default();
        exchange.record(b"* OK The Microsoft Exchange IMAP4 service is ready.\r\n");
        exchange.record(b"A1 OK AUTHENTICATE completed.\r\n");
        assert!(!exchange.advertised("LIST-STATUS"));
    }

    #[test]
    fn the_log_stays_small() {
        let r = Replies::default();
        for i in 0..100 {
            r.record(format!("* {i} EXISTS\r\n").as_bytes());
        }
        r.record(&[b'x'; 10_000]);
        r.record(b"\r\n");
        let log = r.0.lock().unwrap();
        assert_eq!(log.lines.len(), KEEP_LINES);
        assert_eq!(log.lines.last().unwrap().len(), MAX_LINE);
    }

    #[test]
    fn greetings_are_told_apart() {
        let e = MailEndpoint {
            host: "127.0.0.1".into(),
            port: 587,
            tls: TlsMode::Starttls,
        };
        assert!(expect_greeting(&e, "* OK [CAPABILITY IMAP4rev1] ready").is_ok());
        assert!(expect_greeting(&e, "* PREAUTH ready").is_ok());
        assert_eq!(
            expect_greeting(&e, "* BYE Too many connections")
                .unwrap_err()
                .code,
            "imap.bye"
        );
        let d = expect_greeting(&e, "220 mail.contoso.test ESMTP").unwrap_err();
        assert_eq!(d.code, "imap.not_imap");
        assert!(d.detail.contains("220 mail.contoso.test"), "{}", d.detail);
    }

    #[test]
    fn the_authenticator_sends_the_response_once() {
        use async_imap::Authenticator;
        let mut sasl = Sasl(Some(Secret::new("user=a\x01auth=Bearer t\x01\x01")));
        assert_eq!(sasl.process(b""), b"user=a\x01auth=Bearer t\x01\x01");
        assert_eq!(sasl.process(br#"{"status":"401"}"#), b"");
    }
}
