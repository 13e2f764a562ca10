//! Faults against the simulator and Dovecot, through a session as the app uses it: Exchange's
//! limit of 4 concurrent Graph requests per mailbox, a dropped connection and a malformed body,
//! Dovecot dying mid-preview, an access token expiring mid-preview (and before a verify test), a
//! refresh token refused, and five minutes of clock skew either way. After each fault the profile
//! and its refresh token are still there, and the next call works once the cause is gone.
//! Needs root and Dovecot.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use onboard::profile::record::refresh_token_key;
use onboard::{
    catalog::CheckStatus,
    identity::{ChannelKind, Resource},
    mailbox::{
        profile_fetch_test, profile_folders, profile_message_page, profile_send_test, MessagePage,
    },
    platform::{Secret, SecretStore},
    profile::MailboxChoice,
};
use reqwest::Method;
use serde_json::{json, Value};
use support::mail::{MailWorld, ALICE};
use support::profile::{Profiles, ALICE_PASSWORD};

/// Alice's mailbox kept over `channel`; its profile name.
async fn keep(w: &MailWorld, p: &Profiles, channel: ChannelKind) -> String {
    p.keep(w, channel, ALICE, ALICE_PASSWORD, MailboxChoice::User)
        .await
        .name
}

/// The newest 5 messages of the profile's Inbox.
async fn inbox(p: &Profiles, name: &str) -> Result<MessagePage, onboard::catalog::Diagnosis> {
    let channel = p.session.profiles().require(name)?.channel;
    let folder = match Resource::of_channel(channel) {
        Resource::Graph => "inbox",
        Resource::Outlook => "INBOX",
    };
    profile_message_page(&p.session, name, folder, 5, None).await
}

fn refresh_token(p: &Profiles, name: &str) -> Secret {
    p.secrets.get(&refresh_token_key(name)).unwrap().unwrap()
}

async fn fault(w: &MailWorld, rule: Value) {
    w.control(Method::POST, "/_sim/faults", Some(rule)).await;
}

#[tokio::test]
async fn graph_requests_to_one_mailbox_stay_within_four_at_a_time() {
    let w = MailWorld::start().await;
    let p = Profiles::new(&w);
    let name = keep(&w, &p, ChannelKind::GraphDelegated).await;
    // Each request stays in flight 300 ms: twelve at once would be eight too many.
    fault(
        &w,
        json!({ "path_prefix": "/graph/v1.0/me/", "kind": "latency", "ms": 300 }),
    )
    .await;
    let pages = futures_util::future::join_all((0..12).map(|_| inbox(&p, &name))).await;
    for page in pages {
        assert!(!page.unwrap().messages.is_empty());
    }
    let mailbox: Vec<u64> = w
        .sim_log()
        .await
        .into_iter()
        .filter(|(_, path, _)| path.starts_with("/graph/v1.0/me/"))
        .map(|(_, _, status)| status)
        .collect();
    // The sign-in's own requests, then the twelve pages, none throttled.
    assert!(mailbox.len() > 12, "{mailbox:?}");
    assert!(
        mailbox.iter().all(|s| *s == 200),
        "throttled for MailboxConcurrency: {mailbox:?}"
    );
    w.stop().await;
}

#[tokio::test]
async fn a_dropped_connection_and_a_malformed_body_are_diagnosed() {
    let w = MailWorld::start().await;
    let p = Profiles::new(&w);
    let name = keep(&w, &p, ChannelKind::GraphDelegated).await;
    let kept = refresh_token(&p, &name);
    let folders = "/graph/v1.0/me/mailFolders";

    fault(
        &w,
        json!({ "path_prefix": folders, "kind": "drop", "times": 1 }),
    )
    .await;
    let d = inbox(&p, &name).await.unwrap_err();
    assert!(d.code.starts_with("net."), "{d:?}");
    assert!(d.detail.contains("127.0.0.1"), "names the server: {d:?}");
    assert!(!d.fix.is_empty());

    fault(
        &w,
        json!({ "path_prefix": folders, "kind": "malformed", "times": 1 }),
    )
    .await;
    let d = inbox(&p, &name).await.unwrap_err();
    assert_eq!(d.code, "graph.malformed", "{d:?}");
    assert!(d.detail.contains("not JSON"), "{d:?}");

    assert!(!inbox(&p, &name).await.unwrap().messages.is_empty());
    assert_eq!(refresh_token(&p, &name), kept);
    w.stop().await;
}

#[tokio::test]
async fn dovecot_dying_mid_preview_is_diagnosed_and_the_preview_recovers_after_a_restart() {
    let w = MailWorld::start().await;
    let p = Profiles::new(&w);
    let name = keep(&w, &p, ChannelKind::ImapDelegated).await;
    let before = inbox(&p, &name).await.unwrap();

    w.stop_dovecot();
    let d = inbox(&p, &name).await.unwrap_err();
    assert!(d.code.starts_with("net."), "{d:?}");
    assert!(!d.fix.is_empty());
    assert_eq!(p.session.preview_connections().open_imap(), 0);

    w.restart_dovecot();
    let after = inbox(&p, &name).await.unwrap();
    assert_eq!(after.messages, before.messages);
    assert!(p.session.profiles().require(&name).is_ok());
    w.stop().await;
}

#[tokio::test]
async fn an_access_token_expiring_mid_preview_is_renewed_without_an_error() {
    let w = MailWorld::start().await;
    // One mailbox may be kept once per session: a session (app) per channel.
    let (p, q) = (Profiles::new(&w), Profiles::new(&w));
    let graph = keep(&w, &p, ChannelKind::GraphDelegated).await;
    let imap = keep(&w, &q, ChannelKind::ImapDelegated).await;
    let first = [
        inbox(&p, &graph).await.unwrap(),
        inbox(&q, &imap).await.unwrap(),
    ];
    let kept = [refresh_token(&p, &graph), refresh_token(&q, &imap)];

    // An hour later by Microsoft's clock: the cached tokens (which the session still believes
    // good for about 55 minutes) are refused. Exchange ends an IMAP session whose token expired.
    w.set_clock(3700).await;
    q.session.preview_connections().close(&imap);
    let again = [
        inbox(&p, &graph).await.unwrap(),
        inbox(&q, &imap).await.unwrap(),
    ];
    assert_eq!(again, first);

    let statuses: Vec<_> = w
        .sim_log()
        .await
        .into_iter()
        .filter(|(_, path, _)| path.starts_with("/graph/v1.0/me/") || path.ends_with("/token"))
        .map(|(_, path, status)| (path.ends_with("/token"), status))
        .collect();
    assert_eq!(
        statuses[statuses.len() - 4..],
        [(false, 401), (true, 200), (false, 200), (true, 200)][..],
        "Graph: refused, renewed, read; IMAP: renewed after Dovecot refused the old token"
    );
    for (name, old) in [&graph, &imap].into_iter().zip(kept) {
        assert_ne!(
            refresh_token(&p, name),
            old,
            "{name}: the rotated token is kept"
        );
    }

    // The verify step's tests renew the same way: an hour on, the send test (Graph's 401,
    // Dovecot's 535 to SMTP AUTH), another hour on, the fetch test.
    for (clock, send) in [(7300, true), (10900, false)] {
        w.set_clock(clock).await;
        for (p, name) in [(&p, &graph), (&q, &imap)] {
            let step = if send {
                profile_send_test(&p.session, name, None).await
            } else {
                profile_fetch_test(&p.session, name).await
            };
            assert_eq!(step.status, CheckStatus::Ok, "{name}: {step:?}");
        }
    }
    w.stop().await;
}

#[tokio::test]
async fn a_refused_refresh_token_asks_for_a_new_sign_in_and_keeps_the_profile() {
    let w = MailWorld::start().await;
    let p = Profiles::new(&w);
    let name = keep(&w, &p, ChannelKind::GraphDelegated).await;
    inbox(&p, &name).await.unwrap();
    let kept = refresh_token(&p, &name);

    // 91 days without use: Microsoft refuses the refresh token (AADSTS700082).
    w.set_clock(91 * 24 * 3600).await;
    let d = inbox(&p, &name).await.unwrap_err();
    assert_eq!(d.code, "reauth.700082", "{d:?}");
    assert_eq!(d.field.as_deref(), Some("Account"));
    assert!(
        d.title.contains(&name) && d.fix.contains("Sign in again"),
        "{d:?}"
    );
    assert_eq!(refresh_token(&p, &name), kept, "nothing is deleted");
    assert!(p.session.profiles().require(&name).is_ok());

    // Had the clock been wrong instead, the kept sign-in works again.
    w.set_clock(0).await;
    assert!(!inbox(&p, &name).await.unwrap().messages.is_empty());
    w.stop().await;
}

#[tokio::test]
async fn five_minutes_of_clock_skew_either_way_still_works() {
    let w = MailWorld::start().await;
    for skew in [-300, 300] {
        w.set_clock(skew).await;
        for channel in [ChannelKind::GraphDelegated, ChannelKind::ImapDelegated] {
            let p = Profiles::new(&w);
            // The sign-in validates the ID token's times against this machine's clock.
            let name = keep(&w, &p, channel).await;
            assert!(!profile_folders(&p.session, &name, false)
                .await
                .unwrap_or_else(|d| panic!("{skew} s, {channel:?}: {d:?}"))
                .is_empty());
            assert!(!inbox(&p, &name).await.unwrap().messages.is_empty());
        }
    }
    w.stop().await;
}
