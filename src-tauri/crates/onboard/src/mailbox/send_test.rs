//! Verify, send side: a short plain-text test mail over the channel's own protocol, as the
//! helpdesk will send it: SMTP submission (the connection and `AUTH XOAUTH2` of
//! [`check_smtp`](crate::mailbox::check_smtp), then lettre's MAIL/RCPT/DATA) or Graph `sendMail` with a
//! copy kept in Sent Items. A shared mailbox's test mail is from the shared address, sent by its
//! delegate, so a missing Send As shows here, named for both people with its fix.

use crate::identity::audience::{AccessToken, GraphAudience, OutlookAudience};
use crate::mailbox::addressing::{graph_mailbox, imap_login};
use crate::mailbox::graph::preview::segment;
use crate::mailbox::mail_conn::{bounded, MailCheckOptions, MailLogin};
use crate::{
    catalog::{self, CheckStep, Diagnosis, MailProtocol},
    cloud::Cloud,
    mailbox::{explain_send_refusal, smtp::check as smtp_check},
    platform::http,
};
use crate::{
    identity::{Resource, TokenSource},
    profile::{MailboxRef, Session, SignInFlow},
};
use chrono::{DateTime, Utc};
use lettre::message::{header::ContentType, Mailbox, Message};
use std::time::Instant;

pub const SEND_TEST_ID: &str = "send";
pub(crate) const LABEL: &str = "Send a test mail";
/// The input field a bad recipient is blamed on.
pub const RECIPIENT_FIELD: &str = "Test recipient";

/// The test mail: from the mailbox to one checked address, with a subject that says what it is
/// and when it was sent, so that it is easy to find (and to filter out) at the recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl TestMail {
    /// `to` is one address; none (or an empty one) means the mailbox itself.
    pub fn new(from: &str, to: Option<&str>, now: DateTime<Utc>) -> Result<Self, Diagnosis> {
        let from = from.trim();
        let to = match to.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => recipient(t)?,
            None => from.to_owned(),
        };
        Ok(Self {
            from: from.to_owned(),
            to,
            subject: format!("M365 Onboarding test {}", now.format("%Y-%m-%d %H:%M:%S UTC")),
            body: format!(
                "This is a test mail from the M365 Onboarding wizard. It was sent as {from} to check that the helpdesk can send mail from this mailbox.\n\nNo reply is needed; it can be deleted.\n"
            ),
        })
    }

    /// The MIME message as SMTP carries it, with its envelope.
    fn mime(&self) -> Result<Message, Diagnosis> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            Diagnosis::new(
                "send.message",
                "The test mail cannot be written",
                format!("The {what} is not usable in a message ({e})."),
                "Check the mailbox address of the profile and the test recipient.",
            )
        };
        let from: Mailbox = self.from.parse().map_err(|e| bad("sender", &e))?;
        let to: Mailbox = self.to.parse().map_err(|e| bad("recipient", &e))?;
        let id = format!("<{}@{}>", uuid::Uuid::new_v4(), from.email.domain());
        Message::builder()
            .from(from)
            .to(to)
            .subject(&self.subject)
            .message_id(Some(id))
            .header(ContentType::TEXT_PLAIN)
            .body(self.body.clone())
            .map_err(|e| bad("message", &e))
    }
}

/// One address, as the "Test recipient" field must hold it.
fn recipient(text: &str) -> Result<String, Diagnosis> {
    text.parse::<lettre::Address>()
        .map(|a| a.to_string())
        .map_err(|_| {
            let shown: String = text
                .chars()
                .take(200)
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            Diagnosis::field(
                RECIPIENT_FIELD,
                "send.bad_recipient",
                format!("“{shown}” is not an e-mail address."),
                "Type one address such as helpdesk-test@contoso.com (no name, no list), or leave the field empty to send the test mail to the mailbox itself.",
            )
        })
}

/// Sends the test mail over the cloud's SMTP submission server as `login` (the mailbox, or the
/// shared mailbox with its delegate's token). Passes with "Sent to X via host:port".
pub async fn smtp_send_test(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    to: Option<&str>,
    opts: &MailCheckOptions,
) -> CheckStep {
    let started = Instant::now();
    let login = MailLogin {
        token: token.secret().clone(),
        ..login.clone()
    };
    let sent = smtp_send(cloud, &login, to, opts).await;
    step(started, sent, login.delegate.as_deref(), &login.mailbox)
}

/// The step for a send's outcome; a refusal explained for the delegate who sent as `from`.
fn step(
    started: Instant,
    sent: Result<String, Diagnosis>,
    delegate: Option<&str>,
    from: &str,
) -> CheckStep {
    match (sent, delegate) {
        (Ok(detail), _) => CheckStep::passed(SEND_TEST_ID, LABEL, started, detail),
        (Err(d), Some(delegate)) => {
            let d = explain_send_refusal(d, delegate, from);
            CheckStep::failed(SEND_TEST_ID, LABEL, started, d)
        }
        (Err(d), None) => CheckStep::failed(SEND_TEST_ID, LABEL, started, d),
    }
}

async fn smtp_send(
    cloud: &Cloud,
    login: &MailLogin,
    to: Option<&str>,
    opts: &MailCheckOptions,
) -> Result<String, Diagnosis> {
    let mail = TestMail::new(&login.mailbox, to, Utc::now())?;
    let message = mail.mime()?;
    let endpoint = cloud.mail_endpoint(MailProtocol::Smtp)?;
    let (mut conn, _) = bounded(opts, &endpoint, "connecting", async {
        smtp_check::connect(cloud, &endpoint, opts).await
    })
    .await?;
    let x = login.xoauth2();
    let signed_in = bounded(opts, &endpoint, "signing in", async {
        smtp_check::authenticate(&mut conn, &x, &endpoint)
            .await
            .map_err(|d| login.explain_refusal(d))
    })
    .await;
    let sent = match signed_in {
        Ok(_) => {
            bounded(opts, &endpoint, "sending the test mail", async {
                conn.send(message.envelope(), &message.formatted())
                    .await
                    .map_err(|e| smtp_check::smtp_failure(&endpoint, &e))
            })
            .await
        }
        Err(d) => Err(d),
    };
    let _ = tokio::time::timeout(opts.timeout, conn.quit()).await;
    sent.map(|_| format!("Sent to {} via {endpoint} (“{}”)", mail.to, mail.subject))
}

/// Sends the test mail with Graph `sendMail` from `mailbox` (`me` for the signed-in user's own,
/// or the address for a shared mailbox or app-only), whose address is `from`; `delegate` is who
/// sends as a shared mailbox. Passes with "Sent to X via graph host".
pub async fn graph_send_test(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    from: &str,
    delegate: Option<&str>,
    to: Option<&str>,
) -> CheckStep {
    let started = Instant::now();
    let sent = graph_send(cloud, token, mailbox, from, to).await;
    step(started, sent, delegate, from)
}

async fn graph_send(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    from: &str,
    to: Option<&str>,
) -> Result<String, Diagnosis> {
    let mail = TestMail::new(from, to, Utc::now())?;
    let path = if mailbox == "me" {
        "/me/sendMail".to_owned()
    } else {
        format!("/users/{}/sendMail", segment(mailbox.trim()))
    };
    let url = format!("{}/v1.0{path}", cloud.graph.trim_end_matches('/'));
    let body = serde_json::json!({
        "message": {
            "subject": mail.subject,
            "body": { "contentType": "Text", "content": mail.body },
            "toRecipients": [ { "emailAddress": { "address": mail.to } } ],
        },
        "saveToSentItems": true,
    });
    let _slot = crate::cloud::mailbox_gate::slot(&url).await;
    let res = cloud
        .http_client()?
        .post(&url)
        .bearer_auth(token.secret().expose())
        .json(&body)
        .send()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    let status = res.status();
    if !status.is_success() {
        let text = res
            .text()
            .await
            .map_err(|e| http::transport_error(&url, &e))?;
        return Err(catalog::graph_error(status.as_u16(), &text));
    }
    let host = reqwest::Url::parse(&url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(format!(
        "Sent to {} via {host} (“{}”; a copy is in Sent Items)",
        mail.to, mail.subject
    ))
}

/// A test mail from the profile's mailbox to `to` (default: the mailbox itself). A `to` that is
/// not one address fails as the "Test recipient" field's mistake, before anything is sent.
pub async fn profile_send_test<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    to: Option<&str>,
) -> CheckStep {
    let started = Instant::now();
    send(session, name, to)
        .await
        .unwrap_or_else(|d| CheckStep::failed(SEND_TEST_ID, LABEL, started, d))
}

async fn send<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    to: Option<&str>,
) -> Result<CheckStep, Diagnosis> {
    let p = session.profiles().require(name)?;
    let from = p.mailbox.address();
    TestMail::new(from, to, Utc::now())?;
    let cloud = &session.cloud_of(&p)?;
    // A refused token stops a test before anything is sent, so it can run again.
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let delegate = match &p.mailbox {
                MailboxRef::Shared { delegate, .. } if p.flow != SignInFlow::ClientCredentials => {
                    Some(delegate.username.as_str())
                }
                _ => None,
            };
            let mailbox = &graph_mailbox(&p);
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    let step = graph_send_test(cloud, &token, mailbox, from, delegate, to).await;
                    step.into_result()
                })
                .await
        }
        Resource::Outlook => {
            let (login, opts) = (&imap_login(&p), &MailCheckOptions::default());
            session
                .with_token(name, |token: AccessToken<OutlookAudience>| async move {
                    smtp_send_test(cloud, &token, login, to, opts)
                        .await
                        .into_result()
                })
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipient_is_one_address_or_the_mailbox_itself() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let own = TestMail::new("support@contoso.com", None, now).unwrap();
        assert_eq!(own.to, "support@contoso.com");
        assert_eq!(own.subject, "M365 Onboarding test 2026-11-22 10:00:00 UTC");
        assert_eq!(
            TestMail::new("a@contoso.com", Some("  "), now).unwrap().to,
            "a@contoso.com"
        );
        assert_eq!(
            TestMail::new("a@contoso.com", Some(" desk@fabrikam.com "), now)
                .unwrap()
                .to,
            "desk@fabrikam.com"
        );
        for bad in [
            "desk",
            "desk@",
            "@fabrikam.com",
            "a b@fabrikam.com",
            "a@fabrikam.com, b@fabrikam.com",
            "Desk <desk@fabrikam.com>",
            "desk@fabrikam.com\r\nBcc: x@evil.test",
        ] {
            let d = TestMail::new("a@contoso.com", Some(bad), now).unwrap_err();
            assert_eq!(d.field.as_deref(), Some(RECIPIENT_FIELD), "{bad}");
            assert_eq!(d.code, "send.bad_recipient");
            assert!(!d.detail.contains('\n'), "{}", d.detail);
        }
    }

    #[test]
    fn the_message_is_plain_text_from_the_mailbox() {
        let now = Utc::now();
        let mail = TestMail::new("support@contoso.com", Some("desk@fabrikam.com"), now).unwrap();
        let m = mail.mime().unwrap();
        let text = String::from_utf8(m.formatted()).unwrap();
        assert!(text.contains("From: support@contoso.com\r\n"), "{text}");
        assert!(text.contains("To: desk@fabrikam.com\r\n"), "{text}");
        assert!(
            text.contains(&format!("Subject: {}\r\n", mail.subject)),
            "{text}"
        );
        assert!(
            text.contains("Content-Type: text/plain; charset=utf-8"),
            "{text}"
        );
        assert!(
            text.contains("@contoso.com>\r\n"),
            "Message-ID in the sender's domain: {text}"
        );
        assert_eq!(
            m.envelope().from().map(ToString::to_string).as_deref(),
            Some("support@contoso.com")
        );
    }
}
