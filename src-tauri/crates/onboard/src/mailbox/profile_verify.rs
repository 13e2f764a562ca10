//! The verify step for a kept profile: the fetch and send tests over its channel's protocol
//! (Graph, or IMAP and SMTP), with the session's tokens, as the helpdesk will use the mailbox.
//! Whatever stops a test before it runs (an unknown profile, a refused refresh, a bad recipient)
//! is that test's failure, so the step always has its row to show.

use crate::mailbox::profile_mailbox::{graph_mailbox, imap_login};
use crate::mailbox::send_test::TestMail;
use crate::{
    graph_fetch_test, graph_send_test, imap_fetch_test, mailbox::fetch_test, mailbox::send_test,
    smtp_send_test, AccessToken, CheckStatus, CheckStep, Diagnosis, GraphAudience,
    MailCheckOptions, MailboxRef, OutlookAudience, Resource, Session, SignInFlow, TokenSource,
};
use chrono::Utc;
use std::time::Instant;

/// The newest message header of the profile's Inbox (read-only).
pub async fn profile_fetch_test<T: TokenSource>(session: &Session<T>, name: &str) -> CheckStep {
    let started = Instant::now();
    fetch(session, name).await.unwrap_or_else(|d| {
        CheckStep::failed(fetch_test::FETCH_TEST_ID, fetch_test::LABEL, started, d)
    })
}

async fn fetch<T: TokenSource>(session: &Session<T>, name: &str) -> Result<CheckStep, Diagnosis> {
    let p = session.profiles().require(name)?;
    let cloud = session.cloud_of(&p)?;
    let cloud = &cloud;
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let mailbox = &graph_mailbox(&p);
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    failure_as_error(graph_fetch_test(cloud, &token, mailbox).await)
                })
                .await
        }
        Resource::Outlook => {
            let (login, opts) = (&imap_login(&p), &MailCheckOptions::default());
            session
                .with_token(name, |token: AccessToken<OutlookAudience>| async move {
                    failure_as_error(imap_fetch_test(cloud, &token, login, opts).await)
                })
                .await
        }
    }
}

/// A failed test as its diagnosis, so that [`Session::with_token`] sees a refused token (and
/// the callers rebuild the same failed step from it).
fn failure_as_error(step: CheckStep) -> Result<CheckStep, Diagnosis> {
    match (&step.status, &step.diagnosis) {
        (CheckStatus::Failed, Some(d)) => Err(d.clone()),
        _ => Ok(step),
    }
}

/// A test mail from the profile's mailbox to `to` (default: the mailbox itself). A `to` that is
/// not one address fails as the "Test recipient" field's mistake, before anything is sent.
pub async fn profile_send_test<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    to: Option<&str>,
) -> CheckStep {
    let started = Instant::now();
    send(session, name, to).await.unwrap_or_else(|d| {
        CheckStep::failed(send_test::SEND_TEST_ID, send_test::LABEL, started, d)
    })
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
                    failure_as_error(step)
                })
                .await
        }
        Resource::Outlook => {
            let (login, opts) = (&imap_login(&p), &MailCheckOptions::default());
            session
                .with_token(name, |token: AccessToken<OutlookAudience>| async move {
                    failure_as_error(smtp_send_test(cloud, &token, login, to, opts).await)
                })
                .await
        }
    }
}
