//! The IMAP and SMTP checks against the real Dovecot validating the simulator's tokens: own
//! mailbox, shared mailbox by a delegate with and without Full Access, wrong audience, wrong
//! TLS mode and port, long tokens, and a check that leaves the mailbox as it was.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use onboard::{
    catalog::CheckStatus,
    cloud::TlsMode,
    mailbox::{check_imap, check_smtp, ImapCheck, MailLogin, SmtpCheck, Xoauth2},
    platform::Secret,
};
use std::sync::Arc;
use std::time::Duration;
use support::mail::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

fn statuses(steps: &[onboard::catalog::CheckStep]) -> Vec<(&str, CheckStatus)> {
    steps.iter().map(|s| (s.id.as_str(), s.status)).collect()
}

fn assert_imap_ok(c: &ImapCheck) {
    assert!(c.passed(), "{c:#?}");
    assert_eq!(
        statuses(&c.steps),
        [
            ("imap-connect", CheckStatus::Ok),
            ("imap-auth", CheckStatus::Ok),
            ("imap-inbox", CheckStatus::Ok)
        ]
    );
}

fn assert_smtp_ok(c: &SmtpCheck) {
    assert!(c.passed(), "{c:#?}");
    assert_eq!(
        statuses(&c.steps),
        [
            ("smtp-connect", CheckStatus::Ok),
            ("smtp-auth", CheckStatus::Ok)
        ]
    );
}

/// The failed step's id and diagnosis code; the steps after it must be skipped.
fn failure(steps: &[onboard::catalog::CheckStep]) -> (&str, &onboard::catalog::Diagnosis) {
    let at = steps
        .iter()
        .position(|s| s.status == CheckStatus::Failed)
        .unwrap_or_else(|| panic!("no failed step: {steps:#?}"));
    assert!(
        steps[at + 1..]
            .iter()
            .all(|s| s.status == CheckStatus::Skipped),
        "{steps:#?}"
    );
    (&steps[at].id, steps[at].diagnosis.as_ref().unwrap())
}

#[tokio::test]
async fn a_users_own_mailbox_passes_over_imap_and_smtp() {
    let w = MailWorld::start().await;
    let token = w.outlook_token(ALICE).await;
    let login = MailLogin::own(ALICE, &token);

    let imap = check_imap(&w.cloud(), &login, &opts()).await;
    assert_imap_ok(&imap);
    assert_eq!(imap.server, format!("127.0.0.1:{}", w.imaps));
    assert_eq!(imap.tls, TlsMode::Implicit);
    assert!(imap.steps[0].detail.contains("implicit TLS"), "{imap:#?}");
    let inbox = imap.inbox.as_ref().unwrap();
    assert_eq!(inbox.messages, 3, "alice's seeded inbox: {inbox:?}");
    assert!(inbox.uid_validity.is_some_and(|v| v > 0), "{inbox:?}");
    assert_eq!(inbox.uid_next, Some(4), "{inbox:?}");
    assert_eq!(inbox.delimiter.as_deref(), Some("/"));
    assert!(imap.steps[2].detail.starts_with("3 messages"), "{imap:#?}");

    let smtp = check_smtp(&w.cloud(), &login, &opts()).await;
    assert_smtp_ok(&smtp);
    assert!(
        smtp.steps[0].detail.contains("STARTTLS")
            && smtp.steps[0].detail.contains("offers AUTH XOAUTH2"),
        "{smtp:#?}"
    );
    assert!(smtp.steps[1].detail.contains("235"), "{smtp:#?}");

    // Nothing of the token in what a check reports or prints.
    let shown = format!(
        "{imap:?}{smtp:?}{login:?}{}",
        serde_json::to_string(&imap).unwrap()
    );
    assert!(!shown.contains(token.expose()), "the token leaked: {shown}");

    // IMAP on the plain port: STARTTLS, and no TLS at all (loopback only).
    let starttls = check_imap(
        &w.cloud_with_imap(w.imap, TlsMode::Starttls),
        &login,
        &opts(),
    )
    .await;
    assert_imap_ok(&starttls);
    assert!(
        starttls.steps[0].detail.contains("STARTTLS"),
        "{starttls:#?}"
    );
    // Dovecot counts a plain connection as secure only from its own address (127.0.0.1).
    let plain_opts = onboard::mailbox::MailCheckOptions {
        local_address: None,
        ..opts()
    };
    let plain = check_imap(
        &w.cloud_with_imap(w.imap, TlsMode::None),
        &login,
        &plain_opts,
    )
    .await;
    assert_imap_ok(&plain);
    assert!(plain.steps[0].detail.contains("no TLS"), "{plain:#?}");
    let plain = check_smtp(
        &w.cloud_with_smtp(w.submission, TlsMode::None),
        &login,
        &plain_opts,
    )
    .await;
    assert_smtp_ok(&plain);
    assert!(plain.steps[0].detail.contains("no TLS"), "{plain:#?}");
    w.stop().await;
}

#[tokio::test]
async fn a_delegate_opens_a_shared_mailbox_only_with_full_access() {
    let w = MailWorld::start().await;
    let alice = w.outlook_token(ALICE).await;
    let login = MailLogin::shared(SUPPORT, ALICE, &alice);
    assert_eq!(login.delegate.as_deref(), Some(ALICE));

    let imap = check_imap(&w.cloud(), &login, &opts()).await;
    assert_imap_ok(&imap);
    assert_eq!(imap.mailbox, SUPPORT);
    assert_eq!(imap.inbox.as_ref().unwrap().messages, 8, "support's inbox");
    assert_eq!(
        imap.steps[1].detail,
        "alice@contoso.test signed in to the shared mailbox support@contoso.test"
    );
    let smtp = check_smtp(&w.cloud(), &login, &opts()).await;
    assert_smtp_ok(&smtp);

    // Bob signs in fine, but has no Full Access to support@ in this tenant.
    let bob = w.outlook_token(BOB).await;
    let login = MailLogin::shared(SUPPORT, BOB, &bob);
    let imap = check_imap(&w.cloud(), &login, &opts()).await;
    let (step, d) = failure(&imap.steps);
    assert_eq!(step, "imap-auth");
    assert_eq!(d.code, "imap.auth_failed", "{d:#?}");
    assert!(
        d.detail.contains("AUTHENTICATIONFAILED"),
        "the server's own reply: {d:#?}"
    );
    assert!(
        d.fix.starts_with(&format!("Give {BOB} Full Access to {SUPPORT}"))
            && d.fix.contains("Add-MailboxPermission -Identity support@contoso.test -User bob@contoso.test -AccessRights FullAccess"),
        "{d:#?}"
    );
    assert!(imap.inbox.is_none());
    let smtp = check_smtp(&w.cloud(), &login, &opts()).await;
    let (step, d) = failure(&smtp.steps);
    assert_eq!(step, "smtp-auth");
    assert!(d.code.starts_with("smtp.535"), "{d:#?}");
    assert!(d.fix.contains("Full Access"), "{d:#?}");

    // His own mailbox opens: the refusal was about the shared mailbox, not his sign-in.
    let own = check_imap(&w.cloud(), &MailLogin::own(BOB, &bob), &opts()).await;
    assert_imap_ok(&own);
    w.stop().await;
}

#[tokio::test]
async fn a_graph_token_is_refused_as_exchange_refuses_it() {
    let w = MailWorld::start().await;
    let graph = w.token(ALICE, GRAPH_SCOPE).await;
    let login = MailLogin::own(ALICE, &graph);

    let imap = check_imap(&w.cloud(), &login, &opts()).await;
    let (step, d) = failure(&imap.steps);
    assert_eq!(step, "imap-auth");
    assert_eq!(d.code, "imap.auth_failed");
    assert!(
        d.detail.contains("a Graph token is refused") && d.fix.contains("IMAP.AccessAsUser.All"),
        "{d:#?}"
    );
    assert!(!d.fix.contains("Full Access to"), "not a delegate: {d:#?}");

    let smtp = check_smtp(&w.cloud(), &login, &opts()).await;
    let (step, d) = failure(&smtp.steps);
    assert_eq!(step, "smtp-auth");
    assert_eq!(d.code, "smtp.535", "{d:#?}");
    assert!(d.detail.contains("535 5.7.8"), "Dovecot's reply: {d:#?}");
    assert!(d.fix.contains("SMTP.Send"), "{d:#?}");
    assert!(!format!("{imap:?}{smtp:?}").contains(graph.expose()));
    w.stop().await;
}

#[tokio::test]
async fn a_wrong_tls_mode_or_port_is_a_network_diagnosis() {
    let w = MailWorld::start().await;
    let token = w.outlook_token(ALICE).await;
    let login = MailLogin::own(ALICE, &token);
    let fast = onboard::mailbox::MailCheckOptions {
        timeout: Duration::from_secs(2),
        ..opts()
    };

    // Implicit TLS to the plain IMAP port: the greeting arrives where TLS was expected.
    let c = check_imap(
        &w.cloud_with_imap(w.imap, TlsMode::Implicit),
        &login,
        &opts(),
    )
    .await;
    let (step, d) = failure(&c.steps);
    assert_eq!(
        (step, d.code.as_str()),
        ("imap-connect", "net.tls"),
        "{d:#?}"
    );
    assert!(d.detail.contains("probably expects STARTTLS"), "{d:#?}");
    assert!(d.title.contains(&format!("127.0.0.1:{}", w.imap)), "{d:#?}");
    assert_eq!(c.steps.len(), 3);

    // STARTTLS to the implicit-TLS port: both sides wait for the other, until the limit.
    let started = std::time::Instant::now();
    let c = check_imap(
        &w.cloud_with_imap(w.imaps, TlsMode::Starttls),
        &login,
        &fast,
    )
    .await;
    let (step, d) = failure(&c.steps);
    assert_eq!(
        (step, d.code.as_str()),
        ("imap-connect", "net.timeout"),
        "{d:#?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bounded by the timeout"
    );

    // The IMAP check sent to the SMTP port.
    let c = check_imap(
        &w.cloud_with_imap(w.submission, TlsMode::None),
        &login,
        &fast,
    )
    .await;
    let (_, d) = failure(&c.steps);
    assert_eq!(d.code, "imap.not_imap", "{d:#?}");
    assert!(d.detail.contains("220 "), "{d:#?}");

    // Nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let c = check_imap(&w.cloud_with_imap(port, TlsMode::Implicit), &login, &opts()).await;
    let (_, d) = failure(&c.steps);
    assert_eq!(d.code, "net.connect", "{d:#?}");
    assert!(d.detail.contains("refused"), "{d:#?}");
    let s = check_smtp(&w.cloud_with_smtp(port, TlsMode::Starttls), &login, &opts()).await;
    let (step, d) = failure(&s.steps);
    assert_eq!(
        (step, d.code.as_str()),
        ("smtp-connect", "net.connect"),
        "{d:#?}"
    );

    // SMTP with implicit TLS to the STARTTLS submission port.
    let s = check_smtp(
        &w.cloud_with_smtp(w.submission, TlsMode::Implicit),
        &login,
        &opts(),
    )
    .await;
    let (_, d) = failure(&s.steps);
    assert_eq!(d.code, "net.tls", "{d:#?}");
    assert!(d.detail.contains("probably expects STARTTLS"), "{d:#?}");

    // The SMTP check sent to the IMAP port (plain, so the greeting is readable).
    let s = check_smtp(&w.cloud_with_smtp(w.imap, TlsMode::Starttls), &login, &fast).await;
    let (_, d) = failure(&s.steps);
    assert_eq!(d.code, "smtp.not_smtp", "{d:#?}");

    // A certificate from a CA the cloud does not trust (the stack's CA left out).
    let mut untrusted = w.cloud();
    untrusted.extra_ca_pem = Some(std::fs::read_to_string(&w.sim.endpoints.ca_file).unwrap());
    let c = check_imap(&untrusted, &login, &opts()).await;
    let (_, d) = failure(&c.steps);
    assert_eq!(d.code, "net.tls", "{d:#?}");
    assert!(d.detail.contains("UnknownIssuer"), "{d:#?}");
    let s = check_smtp(&untrusted, &login, &opts()).await;
    let (_, d) = failure(&s.steps);
    assert_eq!(d.code, "net.tls", "{d:#?}");
    assert!(d.detail.contains("UnknownIssuer"), "{d:#?}");

    // No TLS to a host that is not loopback: refused before connecting, naming the field.
    let mut remote = w.cloud();
    remote.imap = "imap.example.com:143".into();
    remote.imap_tls = TlsMode::None;
    let c = check_imap(&remote, &login, &opts()).await;
    let (step, d) = failure(&c.steps);
    assert_eq!((step, d.code.as_str()), ("imap-connect", "cloud.tls_none"));
    assert_eq!(d.field.as_deref(), Some("IMAP TLS"));
    w.stop().await;
}

#[tokio::test]
async fn long_tokens_reach_the_servers_authenticator() {
    // Exchange Online's access tokens are JWTs of about 2 KB; the simulator's are 64 characters.
    // A 2 KB token the simulator does not know must be refused as a bad token, not as an
    // overlong command line (Dovecot answers `AUTH XOAUTH2 <2.7 KB>` with `500 5.5.2 Line too long`).
    let w = MailWorld::start().await;
    let long = Secret::new(format!(
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.{}",
        "x".repeat(2000)
    ));
    let login = MailLogin::own(ALICE, &long);

    let smtp = check_smtp(&w.cloud(), &login, &opts()).await;
    let (step, d) = failure(&smtp.steps);
    assert_eq!(step, "smtp-auth");
    assert_eq!(d.code, "smtp.535", "{d:#?}");
    assert!(d.detail.contains("535 5.7.8"), "{d:#?}");

    let imap = check_imap(&w.cloud(), &login, &opts()).await;
    let (step, d) = failure(&imap.steps);
    assert_eq!(
        (step, d.code.as_str()),
        ("imap-auth", "imap.auth_failed"),
        "{d:#?}"
    );

    // Sent inline, the same response is refused for its length: the continuation line matters.
    let inline = raw_smtp_inline_auth(&w, &Xoauth2::new(ALICE, &long)).await;
    assert!(inline.starts_with("500 5.5.2 Line too long"), "{inline}");
    w.stop().await;
}

#[tokio::test]
async fn the_imap_check_changes_no_flag_uid_or_recent_state() {
    let w = MailWorld::start().await;
    let alice = w.outlook_token(ALICE).await;
    let before = inbox_state(&w, SUPPORT, &alice).await;
    let recent = before
        .status
        .split("RECENT ")
        .nth(1)
        .and_then(|r| r.split([' ', ')']).next())
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap();
    assert!(
        recent > 0,
        "messages no session has selected are \\Recent: {before:?}"
    );
    assert!(before.status.contains("UNSEEN"), "{before:?}");
    assert!(
        before.fetch.iter().any(|l| !l.contains("\\Seen")),
        "unread mail to keep unread: {before:?}"
    );

    let c = check_imap(
        &w.cloud(),
        &MailLogin::shared(SUPPORT, ALICE, &alice),
        &opts(),
    )
    .await;
    assert_imap_ok(&c);

    let after = inbox_state(&w, SUPPORT, &alice).await;
    assert_eq!(before, after, "a check must leave the mailbox as it was");
    w.stop().await;
}

/// INBOX as another client sees it, without changing it: `STATUS` (messages, recent, unseen,
/// UIDs), each message's UID and flags by `FETCH` after `EXAMINE`, and the Maildir file names
/// (which carry the flags on disk).
#[derive(Debug, PartialEq, Eq)]
struct InboxState {
    status: String,
    fetch: Vec<String>,
    files: Vec<String>,
}

/// A TLS client trusting the stack's CA, as an independent client would be.
fn tls_connector(w: &MailWorld) -> tokio_rustls::TlsConnector {
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(w.ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

async fn inbox_state(w: &MailWorld, mailbox: &str, token: &Secret) -> InboxState {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((fresh_source(), 0).into()).unwrap();
    let tcp = socket
        .connect(([127, 0, 0, 1], w.imaps).into())
        .await
        .unwrap();
    let tls = tls_connector(w)
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let mut c = BufReader::new(tls);
    let mut greeting = String::new();
    c.read_line(&mut greeting).await.unwrap();
    let b64 = Xoauth2::new(mailbox, token).base64();
    let mut run = async |tag: &str, cmd: &str| -> Vec<String> {
        c.get_mut()
            .write_all(format!("{tag} {cmd}\r\n").as_bytes())
            .await
            .unwrap();
        let mut lines = Vec::new();
        loop {
            let mut l = String::new();
            assert!(c.read_line(&mut l).await.unwrap() > 0, "{lines:?}");
            if l.starts_with(&format!("{tag} ")) {
                assert!(l.starts_with(&format!("{tag} OK")), "{tag}: {l}");
                return lines;
            }
            lines.push(l.trim_end().to_owned());
        }
    };
    run("a1", &format!("AUTHENTICATE XOAUTH2 {}", b64.expose())).await;
    let status = run(
        "a2",
        "STATUS INBOX (MESSAGES RECENT UNSEEN UIDNEXT UIDVALIDITY)",
    )
    .await;
    run("a3", "EXAMINE INBOX").await;
    let mut fetch = run("a4", "FETCH 1:* (UID FLAGS)").await;
    fetch.sort();
    run("a5", "LOGOUT").await;
    let mut files = Vec::new();
    for sub in ["cur", "new"] {
        for entry in std::fs::read_dir(w.maildir(mailbox).join(sub)).unwrap() {
            files.push(format!(
                "{sub}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    files.sort();
    InboxState {
        status: status.join("\n"),
        fetch,
        files,
    }
}

/// `AUTH XOAUTH2 <response>` on one line, as lettre and most clients send it: the final reply.
async fn raw_smtp_inline_auth(w: &MailWorld, x: &Xoauth2) -> String {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((fresh_source(), 0).into()).unwrap();
    let tcp = socket
        .connect(([127, 0, 0, 1], w.submission).into())
        .await
        .unwrap();
    let mut plain = BufReader::new(tcp);
    assert!(reply(&mut plain).await.starts_with("220"));
    plain
        .get_mut()
        .write_all(b"EHLO localhost\r\nSTARTTLS\r\n")
        .await
        .unwrap();
    assert!(reply(&mut plain).await.starts_with("250"));
    assert!(reply(&mut plain).await.starts_with("220"));
    let tls = tls_connector(w)
        .connect(
            ServerName::try_from("localhost").unwrap(),
            plain.into_inner(),
        )
        .await
        .unwrap();
    let mut c = BufReader::new(tls);
    c.get_mut().write_all(b"EHLO localhost\r\n").await.unwrap();
    assert!(reply(&mut c).await.starts_with("250"));
    c.get_mut()
        .write_all(format!("AUTH XOAUTH2 {}\r\n", x.base64().expose()).as_bytes())
        .await
        .unwrap();
    let mut answer = reply(&mut c).await;
    if answer.starts_with("334") {
        c.get_mut().write_all(b"\r\n").await.unwrap();
        answer = reply(&mut c).await;
    }
    answer
}

/// One SMTP reply, multi-line replies read to their last line.
async fn reply<S: tokio::io::AsyncRead + Unpin>(c: &mut BufReader<S>) -> String {
    loop {
        let mut l = String::new();
        c.read_line(&mut l).await.unwrap();
        if l.len() < 4 || l.as_bytes()[3] != b'-' {
            return l;
        }
    }
}
