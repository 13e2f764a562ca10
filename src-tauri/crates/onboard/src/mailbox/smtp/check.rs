//! Verifies that a mailbox may submit mail over SMTP as a helpdesk's SMTP channel will: connect
//! to the submission port, STARTTLS (or implicit TLS, or plain to a loopback test server), then
//! `AUTH XOAUTH2` with `user=` the mailbox, and `QUIT`. Nothing is sent.
//!
//! The XOAUTH2 response goes inline (`AUTH XOAUTH2 <base64>`) while the command line fits SMTP's
//! 512 octets, and otherwise on the continuation line after the server's `334`, as RFC 4954 §4
//! requires and Microsoft's own transcript shows: Exchange Online's access tokens are JWTs of
//! 1.5–3 KB, far over the limit, and servers such as Dovecot refuse the overlong command line.

use crate::cloud::endpoints::{MailEndpoint, TlsMode};
use crate::mailbox::mail_conn::{self, bounded, MailCheckOptions, MailLogin, Wire};
use crate::{
    catalog::{self, CheckStatus, CheckStep, Diagnosis, MailProtocol},
    cloud::Cloud,
    mailbox::Xoauth2,
    platform::Secret,
};
use lettre::transport::smtp::authentication::Mechanism;
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use serde::Serialize;
use std::time::Instant;
use ts_rs::TS;

/// What an SMTP check found, step by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SmtpCheck {
    /// `host:port` as connected to.
    pub server: String,
    pub tls: TlsMode,
    /// The mailbox signed in as (the XOAUTH2 user name).
    pub mailbox: String,
    /// `smtp-connect` (with TLS) and `smtp-auth`, each timed; after a failure the rest are skipped.
    pub steps: Vec<CheckStep>,
}

impl SmtpCheck {
    /// Every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| s.status == CheckStatus::Ok)
    }

    /// The failure to show, if any.
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        self.steps.iter().find_map(|s| s.diagnosis.as_ref())
    }
}

const CONNECT: (&str, &str) = ("smtp-connect", "Connect to the SMTP server");
const AUTH: (&str, &str) = ("smtp-auth", "Sign in with XOAUTH2");
const STEPS: [(&str, &str); 2] = [CONNECT, AUTH];

/// RFC 5321 4.5.3.1.4: a command line is at most 512 octets, CRLF included.
const MAX_COMMAND_LINE: usize = 512;

/// Checks that a mailbox may sign in to the cloud's SMTP submission server with an
/// Outlook-audience access token (scope SMTP.Send).
pub async fn check_smtp(cloud: &Cloud, login: &MailLogin, opts: &MailCheckOptions) -> SmtpCheck {
    let mailbox = login.mailbox.as_str();
    let mut check = SmtpCheck {
        server: cloud.smtp.clone(),
        tls: cloud.smtp_tls,
        mailbox: mailbox.to_owned(),
        steps: Vec::new(),
    };
    let started = Instant::now();
    let endpoint = match cloud.mail_endpoint(MailProtocol::Smtp) {
        Ok(e) => e,
        Err(d) => {
            mail_conn::fail_from(&mut check.steps, &STEPS, 0, started, d);
            return check;
        }
    };
    check.server = endpoint.to_string();

    let connected = bounded(opts, &endpoint, "connecting", async {
        connect(cloud, &endpoint, opts).await
    })
    .await;
    let (mut conn, detail) = match connected {
        Ok(c) => c,
        Err(d) => {
            mail_conn::fail_from(&mut check.steps, &STEPS, 0, started, d);
            return check;
        }
    };
    check
        .steps
        .push(CheckStep::passed(CONNECT.0, CONNECT.1, started, detail));

    let started = Instant::now();
    let x = login.xoauth2();
    let signed_in = bounded(opts, &endpoint, "signing in", async {
        authenticate(&mut conn, &x, &endpoint)
            .await
            .map_err(|d| login.explain_refusal(d))
    })
    .await;
    match signed_in {
        Ok(reply) => check.steps.push(CheckStep::passed(
            AUTH.0,
            AUTH.1,
            started,
            format!("{} ({})", login.signed_in(), reply_line(&reply)),
        )),
        Err(d) => mail_conn::fail_from(&mut check.steps, &STEPS, 1, started, d),
    }
    let _ = tokio::time::timeout(opts.timeout, conn.quit()).await;
    check
}

/// TCP, TLS as the mode says, greeting and EHLO; the line for the report.
pub(crate) async fn connect(
    cloud: &Cloud,
    endpoint: &MailEndpoint,
    opts: &MailCheckOptions,
) -> Result<(AsyncSmtpConnection, String), Diagnosis> {
    let ca = cloud.extra_ca_pem.as_deref();
    let hello = ClientId::Domain("localhost".into());
    let tcp = mail_conn::tcp(endpoint, opts).await?;
    let (wire, how) = match endpoint.tls {
        TlsMode::Implicit => {
            let tls = mail_conn::tls(endpoint, ca, tcp).await?;
            let how = format!("{}, implicit TLS", mail_conn::tls_version(&tls));
            (Wire::Tls(Box::new(tls)), how)
        }
        TlsMode::Starttls => (Wire::Plain(tcp), "STARTTLS".to_owned()),
        TlsMode::None => (Wire::Plain(tcp), "no TLS (loopback)".to_owned()),
    };
    let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(wire), &hello)
        .await
        .map_err(|e| smtp_failure(endpoint, &e))?;
    if endpoint.tls == TlsMode::Starttls {
        if !conn.can_starttls() {
            return Err(Diagnosis::new(
                "smtp.no_starttls",
                format!("{endpoint} does not offer STARTTLS"),
                format!("The server's EHLO reply lists no STARTTLS: {}.", conn.server_info()),
                "Check the SMTP host, port and TLS mode: Exchange Online is smtp.office365.com:587 with STARTTLS; a server on port 465 wants implicit TLS.",
            ));
        }
        conn.starttls(starttls_parameters(endpoint, ca)?, &hello)
            .await
            .map_err(|e| match reply_of(&e) {
                Some(reply) => catalog::mail_reply(MailProtocol::Smtp, &reply),
                None => mail_conn::tls_failure(endpoint, &mail_conn::error_chain(&e)),
            })?;
    }
    let offers = if conn
        .server_info()
        .supports_auth_mechanism(Mechanism::Xoauth2)
    {
        "offers AUTH XOAUTH2"
    } else {
        "does not list AUTH XOAUTH2"
    };
    Ok((conn, format!("{endpoint}: {how}; the server {offers}")))
}

/// lettre's TLS settings for STARTTLS, from the same roots as every other connection: the
/// public (webpki) roots and the cloud's extra CA.
fn starttls_parameters(
    endpoint: &MailEndpoint,
    extra_ca_pem: Option<&str>,
) -> Result<TlsParameters, Diagnosis> {
    let mut builder = TlsParameters::builder(endpoint.host.clone())
        .certificate_store(CertificateStore::WebpkiRoots);
    for cert in crate::platform::tls::extra_roots(extra_ca_pem)? {
        let cert =
            Certificate::from_der(cert.to_vec()).map_err(|e| crate::platform::tls::bad_ca(&e))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| mail_conn::tls_failure(endpoint, &mail_conn::error_chain(&e)))
}

/// `AUTH XOAUTH2`, inline when it fits the command line, else on the continuation line; the
/// server's error challenge (a `334` with a JSON status, RFC 7628 3.2.3) is answered empty so
/// that the server gives its final reply. Returns the `235` reply.
pub(crate) async fn authenticate(
    conn: &mut AsyncSmtpConnection,
    x: &Xoauth2,
    endpoint: &MailEndpoint,
) -> Result<Response, Diagnosis> {
    let failed = |e: lettre::transport::smtp::Error| smtp_failure(endpoint, &e);
    let lines = auth_lines(x);
    let mut reply = conn.command(lines[0].expose()).await.map_err(failed)?;
    if let (Some(response), true) = (lines.get(1), reply.has_code(334)) {
        reply = conn.command(response.expose()).await.map_err(failed)?;
    }
    if reply.has_code(334) {
        reply = conn.command("\r\n").await.map_err(failed)?;
    }
    if reply.has_code(235) {
        Ok(reply)
    } else {
        Err(catalog::mail_reply(MailProtocol::Smtp, &reply_line(&reply)))
    }
}

/// What `authenticate` sends: one line, or the command and then the response.
fn auth_lines(x: &Xoauth2) -> Vec<Secret> {
    let b64 = x.base64();
    let inline = format!("AUTH XOAUTH2 {}\r\n", b64.expose());
    if inline.len() <= MAX_COMMAND_LINE {
        vec![Secret::new(inline)]
    } else {
        vec![
            Secret::new("AUTH XOAUTH2\r\n"),
            Secret::new(format!("{}\r\n", b64.expose())),
        ]
    }
}

fn reply_line(reply: &Response) -> String {
    format!(
        "{} {}",
        reply.code(),
        reply.message().collect::<Vec<_>>().join(" ")
    )
}

/// The server's reply in an error, as a reply line (`535 5.7.3 Authentication unsuccessful`).
fn reply_of(e: &lettre::transport::smtp::Error) -> Option<String> {
    let code = e.status()?;
    let text = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    Some(format!("{code} {text}").trim_end().to_owned())
}

pub(crate) fn smtp_failure(
    endpoint: &MailEndpoint,
    e: &lettre::transport::smtp::Error,
) -> Diagnosis {
    if let Some(reply) = reply_of(e) {
        return catalog::mail_reply(MailProtocol::Smtp, &reply);
    }
    let chain = mail_conn::error_chain(e);
    if e.is_tls() {
        return mail_conn::tls_failure(endpoint, &chain);
    }
    if e.is_response() {
        // Not SMTP at all: the greeting or a reply did not parse.
        return Diagnosis::new(
            "smtp.not_smtp",
            format!("{endpoint} does not speak SMTP"),
            format!("Its answer is not an SMTP reply ({chain})."),
            "Check the SMTP host, port and TLS mode: Exchange Online is smtp.office365.com:587 with STARTTLS; port 993 is IMAP.",
        );
    }
    catalog::network_failure(&endpoint.to_string(), &chain, e.is_timeout())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_response_goes_inline_and_a_long_one_on_the_continuation_line() {
        // The simulator's Outlook tokens: 64 characters.
        let short = Xoauth2::new("alice@contoso.test", &Secret::new("a".repeat(64)));
        let lines = auth_lines(&short);
        assert_eq!(lines.len(), 1);
        assert!(lines[0]
            .expose()
            .starts_with("AUTH XOAUTH2 dXNlcj1hbGljZUBjb250b3NvLnRlc3QB"));
        assert!(lines[0].expose().ends_with("\r\n"));

        // Exchange Online's: JWTs of about 2 KB.
        let jwt = Xoauth2::new("alice@contoso.com", &Secret::new("e".repeat(2000)));
        let lines = auth_lines(&jwt);
        assert_eq!(lines[0].expose(), "AUTH XOAUTH2\r\n");
        assert_eq!(lines[1].expose(), format!("{}\r\n", jwt.base64().expose()));

        // The boundary: the longest inline line has at most 512 octets, CRLF included.
        let line = |n: usize| {
            let x = Xoauth2::new("a@b.c", &Secret::new("t".repeat(n)));
            auth_lines(&x)[0].expose().len()
        };
        let first_split = (0..600)
            .find(|n| line(*n) == "AUTH XOAUTH2\r\n".len())
            .unwrap();
        assert!(line(first_split - 1) <= MAX_COMMAND_LINE);
        let x = Xoauth2::new("a@b.c", &Secret::new("t".repeat(first_split)));
        assert!(format!("AUTH XOAUTH2 {}\r\n", x.base64().expose()).len() > MAX_COMMAND_LINE);
    }
}
