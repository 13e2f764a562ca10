//! The verify step for a kept profile: the fetch and send tests over its channel's protocol
//! (Graph, or IMAP and SMTP), with the session's tokens, as the helpdesk will use the mailbox.
//! Whatever stops a test before it runs (an unknown profile, a refused refresh, a bad recipient)
//! is that test's failure, so the step always has its row to show.

use crate::profile_mailbox::{graph_mailbox, imap_login};
use crate::send_test::TestMail;
use crate::{
    fetch_test, graph_fetch_test, graph_send_test, imap_fetch_test, send_test, smtp_send_test,
    CheckStep, Diagnosis, GraphAudience, MailCheckOptions, MailboxRef, OutlookAudience, Resource,
    Session, SignInFlow, TokenSource,
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
    Ok(match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let token = session.token::<GraphAudience>(name).await?;
            graph_fetch_test(&cloud, &token, &graph_mailbox(&p)).await
        }
        Resource::Outlook => {
            let token = session.token::<OutlookAudience>(name).await?;
            let opts = MailCheckOptions::default();
            imap_fetch_test(&cloud, &token, &imap_login(&p), &opts).await
        }
    })
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
    let cloud = session.cloud_of(&p)?;
    Ok(match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let delegate = match &p.mailbox {
                MailboxRef::Shared { delegate, .. } if p.flow != SignInFlow::ClientCredentials => {
                    Some(delegate.username.as_str())
                }
                _ => None,
            };
            let token = session.token::<GraphAudience>(name).await?;
            graph_send_test(&cloud, &token, &graph_mailbox(&p), from, delegate, to).await
        }
        Resource::Outlook => {
            let token = session.token::<OutlookAudience>(name).await?;
            let opts = MailCheckOptions::default();
            smtp_send_test(&cloud, &token, &imap_login(&p), to, &opts).await
        }
    })
}
