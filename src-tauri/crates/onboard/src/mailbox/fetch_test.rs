//! Verify, read side: the newest message header of the Inbox, over the channel's protocol and
//! without changing anything: Graph with one GET, or IMAP with `EXAMINE` (read-only) and one
//! `FETCH` of the last sequence number with `BODY.PEEK` (which never sets `\Seen`).

use crate::identity::audience::{AccessToken, GraphAudience, OutlookAudience};
use crate::mailbox::addressing::{graph_mailbox, imap_login};
use crate::mailbox::graph::preview::graph_message_page;
use crate::mailbox::imap::check::{self as imap_check, ImapSession, Replies};
use crate::mailbox::mail_conn::{bounded, MailCheckOptions, MailLogin};
use crate::message::view::addresses;
use crate::{
    catalog::{CheckStep, Diagnosis},
    cloud::{Cloud, MailEndpoint},
};
use crate::{
    identity::{Resource, TokenSource},
    profile::Session,
};
use chrono::{SecondsFormat, Utc};
use futures_util::TryStreamExt;
use std::time::Instant;

pub const FETCH_TEST_ID: &str = "fetch";
pub(crate) const LABEL: &str = "Read the newest message";
const EMPTY: &str = "The Inbox is empty";

/// The newest message as the check reports it: "Newest: <subject> from <from> (<received>)".
fn newest(subject: &str, from: &str, received: &str) -> String {
    let subject = if subject.trim().is_empty() {
        "(no subject)"
    } else {
        subject
    };
    let from = if from.is_empty() {
        "(unknown sender)"
    } else {
        from
    };
    format!("Newest: {subject} from {from} ({received})")
}

/// Passes with "Newest: <subject> from <from> (<date>)", or "The Inbox is empty".
pub async fn graph_fetch_test(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
) -> CheckStep {
    let started = Instant::now();
    match graph_message_page(cloud, token, mailbox, "inbox", 1, None).await {
        Err(d) => CheckStep::failed(FETCH_TEST_ID, LABEL, started, d),
        Ok(page) => match page.messages.first() {
            None => CheckStep::passed(FETCH_TEST_ID, LABEL, started, EMPTY),
            Some(m) => CheckStep::passed(
                FETCH_TEST_ID,
                LABEL,
                started,
                newest(&m.subject, &m.from, &m.received),
            ),
        },
    }
}

/// The same over IMAP, signed in as `login` (the shared address with a delegate's token for a
/// shared mailbox): the received time is the server's INTERNALDATE, in UTC as Graph gives it.
pub async fn imap_fetch_test(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    opts: &MailCheckOptions,
) -> CheckStep {
    let started = Instant::now();
    let login = MailLogin {
        token: token.secret().clone(),
        ..login.clone()
    };
    let read = async {
        let (mut session, replies, endpoint) = imap_check::sign_in(cloud, &login, opts).await?;
        let header = bounded(opts, &endpoint, "reading the newest message", async {
            newest_header(&mut session, &replies, &endpoint).await
        })
        .await;
        let _ = tokio::time::timeout(opts.timeout, session.logout()).await;
        header
    };
    match read.await {
        Err(d) => CheckStep::failed(FETCH_TEST_ID, LABEL, started, d),
        Ok(None) => CheckStep::passed(FETCH_TEST_ID, LABEL, started, EMPTY),
        Ok(Some(detail)) => CheckStep::passed(FETCH_TEST_ID, LABEL, started, detail),
    }
}

/// `EXAMINE INBOX`, then the last message's INTERNALDATE and its Date, From and Subject header
/// fields; `None` for an empty Inbox.
async fn newest_header(
    session: &mut ImapSession,
    replies: &Replies,
    endpoint: &MailEndpoint,
) -> Result<Option<String>, Diagnosis> {
    let failed = |e: async_imap::error::Error| imap_check::failure(endpoint, replies, &e);
    let inbox = session.examine("INBOX").await.map_err(failed)?;
    if inbox.exists == 0 {
        return Ok(None);
    }
    let fetches: Vec<_> = session
        .fetch(
            inbox.exists.to_string(),
            "(INTERNALDATE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])",
        )
        .await
        .map_err(failed)?
        .try_collect()
        .await
        .map_err(failed)?;
    // Expunged between EXAMINE and FETCH: the server answers with nothing, like an empty Inbox.
    let Some(fetch) = fetches.first() else {
        return Ok(None);
    };
    let parsed = fetch
        .header()
        .and_then(|h| mail_parser::MessageParser::default().parse_headers(h));
    let subject = parsed
        .as_ref()
        .and_then(|m| m.subject())
        .unwrap_or_default();
    let from = addresses(parsed.as_ref().and_then(|m| m.from())).unwrap_or_default();
    let received = match (
        fetch.internal_date(),
        parsed.as_ref().and_then(|m| m.date()),
    ) {
        (Some(t), _) => t
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        (None, Some(d)) => d.to_rfc3339(),
        (None, None) => "no date".to_owned(),
    };
    Ok(Some(newest(subject, &from, &received)))
}

/// The newest message header of the profile's Inbox (read-only).
pub async fn profile_fetch_test<T: TokenSource>(session: &Session<T>, name: &str) -> CheckStep {
    let started = Instant::now();
    fetch(session, name)
        .await
        .unwrap_or_else(|d| CheckStep::failed(FETCH_TEST_ID, LABEL, started, d))
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
                    graph_fetch_test(cloud, &token, mailbox).await.into_result()
                })
                .await
        }
        Resource::Outlook => {
            let (login, opts) = (&imap_login(&p), &MailCheckOptions::default());
            session
                .with_token(name, |token: AccessToken<OutlookAudience>| async move {
                    imap_fetch_test(cloud, &token, login, opts)
                        .await
                        .into_result()
                })
                .await
        }
    }
}
