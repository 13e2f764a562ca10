//! What the IMAP and SMTP checks share: the options, a bounded TCP connect (optionally from a
//! chosen local address), the TLS client, and turning transport failures into the catalog's
//! network diagnoses.

use crate::cloud::endpoints::MailEndpoint;
use crate::platform::tls;
use crate::{
    catalog::{self, Diagnosis},
    mailbox::Xoauth2,
    platform::Secret,
};
use rustls::pki_types::ServerName;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// How a mail check connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailCheckOptions {
    /// The limit for each step (connect with TLS and greeting, sign-in, opening the inbox).
    pub timeout: Duration,
    /// Connect from this local address (a machine with several; tests use distinct loopback
    /// addresses as distinct clients). `None`: the system chooses.
    pub local_address: Option<IpAddr>,
}

impl Default for MailCheckOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            local_address: None,
        }
    }
}

/// Runs `fut` within the step's time limit; running out is the catalog's timeout.
pub(crate) async fn bounded<T>(
    opts: &MailCheckOptions,
    endpoint: &MailEndpoint,
    what: &str,
    fut: impl Future<Output = Result<T, Diagnosis>>,
) -> Result<T, Diagnosis> {
    tokio::time::timeout(opts.timeout, fut)
        .await
        .unwrap_or_else(|_| {
            Err(catalog::network_failure(
                &endpoint.to_string(),
                &format!(
                    "no answer from {endpoint} within {} s while {what}",
                    opts.timeout.as_secs_f32()
                ),
                true,
            ))
        })
}

/// The first address of the host that accepts a TCP connection.
pub(crate) async fn tcp(
    endpoint: &MailEndpoint,
    opts: &MailCheckOptions,
) -> Result<TcpStream, Diagnosis> {
    let addrs = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(|e| {
            catalog::network_failure(
                &endpoint.to_string(),
                &format!(
                    "dns error: failed to lookup address of {}: {e}",
                    endpoint.host
                ),
                false,
            )
        })?;
    let mut errors = Vec::new();
    for addr in addrs {
        let socket = match addr {
            std::net::SocketAddr::V4(_) => TcpSocket::new_v4(),
            std::net::SocketAddr::V6(_) => TcpSocket::new_v6(),
        };
        let attempt = async {
            let socket = socket?;
            if let Some(local) = opts.local_address {
                socket.bind((local, 0).into())?;
            }
            socket.connect(addr).await
        };
        match attempt.await {
            Ok(s) => return Ok(s),
            Err(e) => errors.push(format!("{addr}: {e}")),
        }
    }
    if errors.is_empty() {
        errors.push(format!("dns error: no address for {}", endpoint.host));
    }
    Err(catalog::network_failure(
        &endpoint.to_string(),
        &format!("tcp connect error: {}", errors.join("; ")),
        false,
    ))
}

/// The TLS handshake on a connected stream, validating the certificate for the endpoint's host.
pub(crate) async fn tls(
    endpoint: &MailEndpoint,
    extra_ca_pem: Option<&str>,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, Diagnosis> {
    let config = tls::client_config(extra_ca_pem)?;
    let name = ServerName::try_from(endpoint.host.clone()).map_err(|e| {
        catalog::network_failure(
            &endpoint.to_string(),
            &format!(
                "TLS handshake impossible: “{}” is no server name ({e})",
                endpoint.host
            ),
            false,
        )
    })?;
    TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| tls_failure(endpoint, &error_chain(&e)))
}

/// A failed TLS handshake, with the hint that fits a port that does not start with TLS.
pub(crate) fn tls_failure(endpoint: &MailEndpoint, chain: &str) -> Diagnosis {
    let mut d = catalog::network_failure(
        &endpoint.to_string(),
        &format!("TLS handshake failed: {chain}"),
        false,
    );
    let lower = chain.to_ascii_lowercase();
    if lower.contains("corrupt message") || lower.contains("invalidcontenttype") {
        d.detail.push_str(&format!(
            " The server answered the TLS greeting with something that is not TLS: port {} probably expects STARTTLS or no TLS, not implicit TLS (Exchange Online: IMAP 993 implicit TLS, SMTP 587 STARTTLS).",
            endpoint.port
        ));
    }
    d
}

/// An error and its sources, as one line (`a: b: c`).
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// The connection: TLS, or plain to a loopback server.
#[derive(Debug)]
pub(crate) enum Wire {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Wire {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Wire {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_flush(cx),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

impl lettre::transport::smtp::client::AsyncTokioStream for Wire {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        match self {
            Wire::Plain(s) => s.peer_addr(),
            Wire::Tls(s) => s.get_ref().0.peer_addr(),
        }
    }
}

/// "TLS 1.3" or "TLS 1.2", for reports.
pub(crate) fn tls_version(tls: &TlsStream<TcpStream>) -> &'static str {
    match tls.get_ref().1.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
        _ => "TLS",
    }
}

/// Step `at` of `all` failed: it is recorded with its diagnosis, and the later ones as skipped.
pub(crate) fn fail_from(
    steps: &mut Vec<crate::catalog::CheckStep>,
    all: &[(&str, &str)],
    at: usize,
    started: std::time::Instant,
    d: Diagnosis,
) {
    let (id, label) = all[at];
    steps.push(crate::catalog::CheckStep::failed(id, label, started, d));
    for (id, next) in &all[at + 1..] {
        steps.push(crate::catalog::CheckStep::skipped(
            id,
            next,
            format!("Not run: “{label}” failed."),
        ));
    }
}

/// Who signs in to which mailbox: the mailbox (the XOAUTH2 user name) with an Outlook-audience
/// token, and for a shared mailbox the delegate whose token it is. `Debug` hides the token.
#[derive(Debug, Clone)]
pub struct MailLogin {
    pub mailbox: String,
    pub token: Secret,
    /// The signed-in user, when it is not the mailbox (a delegate opening a shared mailbox).
    pub delegate: Option<String>,
}

impl MailLogin {
    /// A user's own mailbox.
    pub fn own(mailbox: &str, token: &Secret) -> Self {
        Self {
            mailbox: mailbox.to_owned(),
            token: token.clone(),
            delegate: None,
        }
    }

    /// A shared mailbox, signed in to as `delegate` with the delegate's own token.
    pub fn shared(mailbox: &str, delegate: &str, token: &Secret) -> Self {
        Self {
            mailbox: mailbox.to_owned(),
            token: token.clone(),
            delegate: (!delegate.eq_ignore_ascii_case(mailbox)).then(|| delegate.to_owned()),
        }
    }

    /// For the report: "Signed in as alice@…" or "alice@… signed in to the shared mailbox …".
    pub(crate) fn signed_in(&self) -> String {
        match &self.delegate {
            Some(d) => format!("{d} signed in to the shared mailbox {}", self.mailbox),
            None => format!("Signed in as {}", self.mailbox),
        }
    }

    pub(crate) fn xoauth2(&self) -> Xoauth2 {
        Xoauth2::new(&self.mailbox, &self.token)
    }

    /// A sign-in the server refused, said for a delegate: the catalog's causes hold, but the
    /// likeliest is the missing Full Access, so that fix comes first. Transport failures and a
    /// refusal that names its cause (SMTP AUTH turned off, the mailbox over quota) pass.
    pub(crate) fn explain_refusal(&self, mut d: Diagnosis) -> Diagnosis {
        // These name a cause of their own, which no Full Access would change.
        const OWN_CAUSE: [&str; 9] = [
            "smtp.client_auth_disabled",
            "smtp.security_defaults",
            "smtp.tls_legacy",
            "smtp.basic_auth_retired",
            "imap.unavailable",
            "imap.overquota",
            "imap.limit",
            "imap.expunge_failed",
            "imap.bye",
        ];
        let refused = (d.code.starts_with("imap.") || d.code.starts_with("smtp."))
            && !OWN_CAUSE.contains(&d.code.as_str());
        let Some(delegate) = self.delegate.as_ref().filter(|_| refused) else {
            return d;
        };
        let mailbox = &self.mailbox;
        d.detail = format!(
            "{delegate} signed in for the shared mailbox {mailbox}, which needs Full Access to it. {}",
            d.detail
        );
        d.fix = format!(
            "Give {delegate} Full Access to {mailbox}: `Add-MailboxPermission -Identity {mailbox} -User {delegate} -AccessRights FullAccess -AutoMapping $false` (Exchange Online PowerShell), or Exchange admin center > Mailboxes > {mailbox} > Delegation > Read and manage (Full Access); it takes up to an hour to apply. Otherwise: {}",
            d.fix
        );
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delegates_refusal_names_full_access_first() {
        let token = Secret::new("t0k3n");
        let refused = catalog::mail_reply(
            crate::catalog::MailProtocol::Imap,
            "a1 NO AUTHENTICATE failed.",
        );
        let own = MailLogin::own("bob@contoso.com", &token);
        assert_eq!(own.explain_refusal(refused.clone()), refused);
        assert!(
            MailLogin::shared("Bob@contoso.com", "bob@contoso.com", &token)
                .delegate
                .is_none()
        );

        let shared = MailLogin::shared("support@contoso.com", "bob@contoso.com", &token);
        let d = shared.explain_refusal(refused.clone());
        assert_eq!(d.code, "imap.auth_failed");
        assert!(d
            .fix
            .starts_with("Give bob@contoso.com Full Access to support@contoso.com"));
        assert!(d.fix.ends_with(&refused.fix), "the catalog's fix follows");
        assert!(d.detail.contains("NO AUTHENTICATE failed."));

        // A refusal with a certain cause keeps its own fix.
        let off = catalog::mail_reply(crate::catalog::MailProtocol::Smtp, "525 5.7.13 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.");
        assert_eq!(shared.explain_refusal(off.clone()), off);
        let quota = catalog::mail_reply(
            crate::catalog::MailProtocol::Imap,
            "a2 NO [OVERQUOTA] Mailbox is over quota",
        );
        assert_eq!(shared.explain_refusal(quota.clone()), quota);
        // A transport failure is no refusal: it stays as the catalog said it.
        let timeout = catalog::network_failure("127.0.0.1:993", "timed out", true);
        assert_eq!(shared.explain_refusal(timeout.clone()), timeout);
        assert!(!format!("{shared:?}").contains("t0k3n"));
    }
}
