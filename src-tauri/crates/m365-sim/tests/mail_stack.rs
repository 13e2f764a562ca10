//! The real mail stack: Dovecot (tests/mail-stack/mail-stack.sh) validating simulator-issued
//! tokens over IMAP and SMTP submission, relaying to the SMTP sink.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use base64::Engine;
use m365_sim::exchange::smtp_sink::SmtpSink;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

const IMAP_SCOPE: &str = "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access";

/// A running Dovecot, stopped (and its directory removed) when dropped.
struct Stack {
    dir: tempfile::TempDir,
    imaps: u16,
    submission: u16,
    tls: TlsConnector,
}

impl Stack {
    fn start(t: &TestSim, relay_port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(script())
            .env("MAIL_ROOT", &t.sim.endpoints.mail_root)
            .args([
                "start",
                dir.path().to_str().unwrap(),
                &t.sim.endpoints.introspection_url,
                t.sim.endpoints.ca_file.to_str().unwrap(),
                &relay_port.to_string(),
            ])
            .output()
            .expect("mail-stack.sh runs (Dovecot is installed by make test)");
        assert!(
            out.status.success(),
            "mail stack: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let info: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(info["ca_file"].as_str().unwrap()).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let config = ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        Stack {
            dir,
            imaps: info["imaps"].as_u64().unwrap() as u16,
            submission: info["submission"].as_u64().unwrap() as u16,
            tls: TlsConnector::from(Arc::new(config)),
        }
    }

    async fn imap(&self) -> Conn<tokio_rustls::client::TlsStream<TcpStream>> {
        let tcp = connect_from_fresh_address(self.imaps).await;
        let tls = self
            .tls
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        let mut c = Conn(BufReader::new(tls));
        assert!(c.line().await.starts_with("* OK"));
        c
    }

    /// Logs in over IMAP with XOAUTH2 as `user`; returns the tagged reply, then SELECTs INBOX.
    async fn imap_login(&self, user: &str, token: &str) -> (String, Option<String>) {
        let mut c = self.imap().await;
        let reply = c
            .command(
                "a1",
                &format!("AUTHENTICATE XOAUTH2 {}", xoauth2(user, token)),
            )
            .await;
        let select = if reply.starts_with("a1 OK") {
            Some(c.command("a2", "SELECT INBOX").await)
        } else {
            None
        };
        (reply, select)
    }
}

impl Stack {
    /// Submits a message over STARTTLS and AUTH XOAUTH2 as `user`, with `from` in MAIL FROM and
    /// the From header; the AUTH reply and, when AUTH passed, the reply to the message.
    async fn submit(&self, user: &str, token: &str, from: &str) -> (String, Option<String>) {
        let tcp = connect_from_fresh_address(self.submission).await;
        let mut plain = Conn(BufReader::new(tcp));
        assert!(plain.line().await.starts_with("220"));
        assert!(plain.smtp("EHLO wizard.localhost").await.starts_with("250"));
        assert!(plain.smtp("STARTTLS").await.starts_with("220"));
        let tls = self
            .tls
            .connect(
                ServerName::try_from("localhost").unwrap(),
                plain.0.into_inner(),
            )
            .await
            .unwrap();
        let mut c = Conn(BufReader::new(tls));
        assert!(c.smtp("EHLO wizard.localhost").await.starts_with("250"));
        let mut auth = c
            .smtp(&format!("AUTH XOAUTH2 {}", xoauth2(user, token)))
            .await;
        if auth.starts_with("334") {
            // XOAUTH2's error challenge: answered empty, the server gives its verdict.
            auth = c.smtp("").await;
        }
        if !auth.starts_with("235") {
            return (auth, None);
        }
        let mail = c.smtp(&format!("MAIL FROM:<{from}>")).await;
        assert!(mail.starts_with("250"), "{mail}");
        let rcpt = c.smtp("RCPT TO:<someone@fabrikam.test>").await;
        assert!(rcpt.starts_with("250"), "{rcpt}");
        assert!(c.smtp("DATA").await.starts_with("354"));
        let sent = c
            .smtp(&format!(
                "From: {from}\r\nTo: someone@fabrikam.test\r\nSubject: Sink test\r\n\r\nHello.\r\n."
            ))
            .await;
        c.smtp("QUIT").await;
        (auth, Some(sent))
    }
}

async fn smtp_token(t: &TestSim, user: &str) -> String {
    t.user_tokens(user, IMAP_SCOPE).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script())
            .args(["stop", self.dir.path().to_str().unwrap()])
            .status();
    }
}

/// Dovecot holds back the next login from an address whose last login failed (auth penalty,
/// seconds each time); these tests fail logins on purpose, so each login comes from a loopback
/// address of its own, as separate clients would.
async fn connect_from_fresh_address(port: u16) -> TcpStream {
    static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(2);
    let source = std::net::Ipv4Addr::new(
        127,
        0,
        1,
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    );
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((source, 0).into()).unwrap();
    socket.connect(([127, 0, 0, 1], port).into()).await.unwrap()
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/mail-stack/mail-stack.sh")
}

fn xoauth2(user: &str, token: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("user={user}\x01auth=Bearer {token}\x01\x01"))
}

struct Conn<S>(BufReader<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    async fn line(&mut self) -> String {
        let mut l = String::new();
        self.0.read_line(&mut l).await.unwrap();
        l
    }

    /// Sends a tagged IMAP command and returns the tagged reply line.
    async fn command(&mut self, tag: &str, cmd: &str) -> String {
        self.0
            .get_mut()
            .write_all(format!("{tag} {cmd}\r\n").as_bytes())
            .await
            .unwrap();
        loop {
            let l = self.line().await;
            if l.is_empty() || l.starts_with(tag) {
                return l;
            }
            if l.starts_with('+') {
                // A failed SASL exchange sends an error challenge; answer it empty.
                self.0.get_mut().write_all(b"\r\n").await.unwrap();
            }
        }
    }

    /// Sends an SMTP command and returns the final reply line.
    async fn smtp(&mut self, cmd: &str) -> String {
        self.0
            .get_mut()
            .write_all(format!("{cmd}\r\n").as_bytes())
            .await
            .unwrap();
        loop {
            let l = self.line().await;
            if l.len() < 4 || l.as_bytes()[3] != b'-' {
                return l;
            }
        }
    }
}

#[tokio::test]
async fn imap_accepts_outlook_tokens_only_for_their_mailboxes() {
    let t = TestSim::start().await;
    let stack = Stack::start(&t, 9);
    let alice = t.user_tokens("alice@contoso.test", IMAP_SCOPE).await;
    let outlook = alice["access_token"].as_str().unwrap();

    let (reply, select) = stack.imap_login("alice@contoso.test", outlook).await;
    assert!(reply.starts_with("a1 OK"), "{reply}");
    assert!(select.unwrap().starts_with("a2 OK"));

    // OAUTHBEARER (RFC 7628) works as well as XOAUTH2.
    let mut c = stack.imap().await;
    let bearer = base64::engine::general_purpose::STANDARD.encode(format!(
        "n,a=alice@contoso.test,\x01host=localhost\x01port=993\x01auth=Bearer {outlook}\x01\x01"
    ));
    let reply = c
        .command("b1", &format!("AUTHENTICATE OAUTHBEARER {bearer}"))
        .await;
    assert!(reply.starts_with("b1 OK"), "{reply}");

    // The same user's Graph-audience token is refused, as Exchange Online refuses it.
    let graph = t
        .user_tokens("alice@contoso.test", "Mail.ReadWrite offline_access")
        .await;
    let (reply, _) = stack
        .imap_login(
            "alice@contoso.test",
            graph["access_token"].as_str().unwrap(),
        )
        .await;
    assert!(reply.starts_with("a1 NO"), "{reply}");

    // A shared mailbox opens with a delegate's token, and only for a delegate with full access.
    let (reply, select) = stack.imap_login("support@contoso.test", outlook).await;
    assert!(reply.starts_with("a1 OK"), "{reply}");
    assert!(select.unwrap().starts_with("a2 OK"));
    let carol = t.user_tokens("carol@contoso.test", IMAP_SCOPE).await;
    let (reply, _) = stack
        .imap_login(
            "support@contoso.test",
            carol["access_token"].as_str().unwrap(),
        )
        .await;
    assert!(
        reply.starts_with("a1 NO"),
        "carol has no full access: {reply}"
    );
    let (reply, _) = stack.imap_login("carol@contoso.test", outlook).await;
    assert!(
        reply.starts_with("a1 NO"),
        "alice's token is not carol's: {reply}"
    );

    // An expired token is refused.
    t.clock(3600).await;
    let (reply, _) = stack.imap_login("alice@contoso.test", outlook).await;
    assert!(reply.starts_with("a1 NO"), "{reply}");
    drop(stack);
    t.stop().await;
}

#[tokio::test]
async fn smtp_submission_authenticates_and_relays_to_the_sink() {
    let t = TestSim::start().await;
    let sink_dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start_for(sink_dir.path(), t.sim.sim.clone())
        .await
        .unwrap();
    let stack = Stack::start(&t, sink.port);
    let token = smtp_token(&t, "alice@contoso.test").await;

    let (auth, sent) = stack
        .submit("alice@contoso.test", &token, "alice@contoso.test")
        .await;
    assert!(auth.starts_with("235"), "{auth}");
    let sent = sent.unwrap();
    assert!(sent.starts_with("250"), "{sent}");

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("Subject: Sink test") && messages[0].contains("Hello."));
    // Dovecot names the submitting login to its relay (RFC 4954 AUTH=).
    assert!(
        messages[0].contains("MAIL FROM:<alice@contoso.test> AUTH=alice@contoso.test"),
        "{}",
        messages[0]
    );
    drop(stack);
    sink.stop();
    t.stop().await;
}

/// Exchange Online's Send As rule, on the real submission path: a delegate with Full Access
/// signs in to the shared mailbox, but the message goes out only with Send As; one's own
/// address always may.
#[tokio::test]
async fn submission_refuses_send_as_without_the_permission() {
    let mut seed = seed();
    seed.tenants[0].shared_mailboxes[0].send_as.clear();
    let t = TestSim::start_with(seed).await;
    let sink_dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start_for(sink_dir.path(), t.sim.sim.clone())
        .await
        .unwrap();
    let stack = Stack::start(&t, sink.port);
    let token = smtp_token(&t, "alice@contoso.test").await;

    // Full Access lets alice sign in as support@, as before.
    let (auth, sent) = stack
        .submit("support@contoso.test", &token, "support@contoso.test")
        .await;
    assert!(auth.starts_with("235"), "{auth}");
    assert_eq!(
        sent.as_deref(),
        Some("554 5.2.252 SendAsDenied; alice@contoso.test not allowed to send as support@contoso.test\r\n")
    );
    // Nor as another user; as herself she may.
    let (_, sent) = stack
        .submit("alice@contoso.test", &token, "carol@contoso.test")
        .await;
    assert!(sent.unwrap().starts_with("554 5.2.252 SendAsDenied;"));
    let (_, sent) = stack
        .submit("alice@contoso.test", &token, "alice@contoso.test")
        .await;
    assert!(sent.unwrap().starts_with("250"));
    assert_eq!(
        sink.messages().len(),
        1,
        "only the allowed message went out"
    );

    // Given Send As, the shared mailbox's message goes out.
    t.sim.sim.world().tenants[0].shared_mailboxes[0]
        .send_as
        .push("alice@contoso.test".into());
    let (_, sent) = stack
        .submit("support@contoso.test", &token, "support@contoso.test")
        .await;
    assert!(sent.unwrap().starts_with("250"));
    assert!(sink.messages()[1].contains("AUTH=alice@contoso.test"));
    drop(stack);
    sink.stop();
    t.stop().await;
}

/// A tenant with SMTP AUTH turned off: Dovecot refuses the XOAUTH2 login with Exchange's own
/// reason (its code for a refused account, 525 5.7.13, where Exchange says 535 5.7.139), for
/// users and delegates alike; IMAP is not affected.
#[tokio::test]
async fn smtp_auth_off_for_the_tenant_is_refused_with_exchanges_reason() {
    let mut seed = seed();
    seed.tenants[0].smtp_client_auth = false;
    let t = TestSim::start_with(seed).await;
    let stack = Stack::start(&t, 9);
    let token = smtp_token(&t, "alice@contoso.test").await;
    let reason = "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.";
    for user in ["alice@contoso.test", "support@contoso.test"] {
        let (auth, sent) = stack.submit(user, &token, user).await;
        assert_eq!(auth, format!("525 5.7.13 {reason}\r\n"), "{user}");
        assert!(sent.is_none());
    }
    let (reply, _) = stack.imap_login("alice@contoso.test", &token).await;
    assert!(reply.starts_with("a1 OK"), "{reply}");
    drop(stack);
    t.stop().await;
}

#[tokio::test]
async fn imap_and_graph_show_one_mailbox() {
    let t = TestSim::start().await;
    let stack = Stack::start(&t, 9);
    let outlook = t.user_tokens("alice@contoso.test", IMAP_SCOPE).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let graph = t
        .user_tokens("alice@contoso.test", "Mail.ReadWrite.Shared offline_access")
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let graph_get = |path: String| {
        let req = t
            .http
            .get(format!("{}/v1.0{path}", t.sim.endpoints.graph))
            .bearer_auth(&graph);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };

    let inbox = graph_get("/users/support@contoso.test/mailFolders/inbox".into()).await;
    let mut c = stack.imap().await;
    assert!(c
        .command(
            "a1",
            &format!(
                "AUTHENTICATE XOAUTH2 {}",
                xoauth2("support@contoso.test", &outlook)
            )
        )
        .await
        .starts_with("a1 OK"));
    c.0.get_mut()
        .write_all(b"a2 EXAMINE INBOX\r\n")
        .await
        .unwrap();
    let mut exists = None;
    loop {
        let l = c.line().await;
        if let Some(n) = l
            .strip_prefix("* ")
            .and_then(|r| r.strip_suffix(" EXISTS\r\n"))
        {
            exists = n.parse::<u64>().ok();
        }
        if l.starts_with("a2 ") {
            break;
        }
    }
    assert_eq!(
        exists,
        inbox["totalItemCount"].as_u64(),
        "IMAP and Graph count the same messages"
    );

    // Marked read over Graph, seen over IMAP.
    let unread = graph_get("/users/support@contoso.test/mailFolders/inbox/messages?$filter=isRead%20eq%20false&$select=subject".into()).await;
    let id = unread["value"][0]["id"].as_str().unwrap();
    let res = t
        .http
        .patch(format!(
            "{}/v1.0/users/support@contoso.test/messages/{id}",
            t.sim.endpoints.graph
        ))
        .bearer_auth(&graph)
        .json(&serde_json::json!({ "isRead": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A new session, as a helpdesk's next poll would open.
    let mut c = stack.imap().await;
    assert!(c
        .command(
            "b1",
            &format!(
                "AUTHENTICATE XOAUTH2 {}",
                xoauth2("support@contoso.test", &outlook)
            )
        )
        .await
        .starts_with("b1 OK"));
    c.0.get_mut()
        .write_all(b"b2 STATUS INBOX (MESSAGES UNSEEN)\r\n")
        .await
        .unwrap();
    let status = c.line().await;
    assert!(status.contains("MESSAGES 2"), "{status}");
    assert!(status.contains("UNSEEN 0"), "{status}");
    drop(stack);
    t.stop().await;
}
