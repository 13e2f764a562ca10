//! The preview over IMAP against the real Dovecot (and per profile over Graph against the
//! simulator): pages and cursors while mail arrives and goes, modified UTF-7 folder names, the
//! kept connection (reused, replaced when cut, closed when idle), clear refusals, agreement with
//! Graph, and the proof that a whole preview session changes nothing in the mailbox.
//! Needs root and Dovecot; run this file alone.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use async_imap::types::Fetch;
use futures_util::TryStreamExt;
use m365_sim::tenant::mail_store::SeedFolder;
use onboard::{
    identity::{ChannelKind, GraphAudience, OutlookAudience, Resource},
    mailbox::{
        graph_message_page, imap_message_page, imap_raw_message, imap_raw_message_bounded,
        profile_archive_counts, profile_folders, profile_message, profile_message_page,
        profile_raw_message, Folder, MailLogin, PreviewConnections,
    },
    message::attachment_bytes,
    profile::MailboxChoice,
};
use std::sync::Arc;
use std::time::Duration;
use support::mail::{opts, typed, MailWorld, ALICE, SUPPORT};
use support::profile::{connect, session};
use support::proxy::Proxy;
use tokio::net::TcpStream;

fn folder(name: &str, generated: usize, children: Vec<SeedFolder>) -> SeedFolder {
    SeedFolder {
        name: name.to_owned(),
        messages: vec![],
        children,
        hidden: false,
        generated,
    }
}

/// alice gets `Bulk` (120 generated messages) and `Anfragen/Büro` (3).
fn bulk_and_umlauts(seed: &mut m365_sim::tenant::seed::Seed) {
    let alice = seed.mailboxes.get_mut(ALICE).unwrap();
    alice.folders.push(folder("Bulk", 120, vec![]));
    alice
        .folders
        .push(folder("Anfragen", 0, vec![folder("Büro", 3, vec![])]));
}

/// XOAUTH2 for the test's own IMAP connection.
struct Bearer(Option<String>);
impl async_imap::Authenticator for Bearer {
    type Response = String;
    fn process(&mut self, _: &[u8]) -> String {
        self.0.take().unwrap_or_default()
    }
}

/// The test's own IMAP connection (plain, from 127.0.0.1, which Dovecot counts as secure): to
/// look at a folder without the code under test, and to change it behind the preview's back.
async fn own_imap(w: &MailWorld, mailbox: &str) -> async_imap::Session<TcpStream> {
    let token = w.outlook_token(ALICE).await;
    let tcp = TcpStream::connect(("127.0.0.1", w.imap)).await.unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().unwrap();
    let response = format!("user={mailbox}\x01auth=Bearer {}\x01\x01", token.expose());
    client
        .authenticate("XOAUTH2", Bearer(Some(response)))
        .await
        .map_err(|(e, _)| e)
        .unwrap()
}

/// Everything IMAP can tell about a folder's messages without changing it: `STATUS` (with
/// RECENT, which a `SELECT` by anyone would reset) and each message's UID and flags.
async fn snapshot(
    imap: &mut async_imap::Session<TcpStream>,
    folder: &str,
) -> (String, Vec<String>) {
    let wire = onboard::mailbox::imap::utf7::encode(folder);
    let status = imap
        .status(&wire, "(MESSAGES RECENT UNSEEN UIDNEXT UIDVALIDITY)")
        .await
        .unwrap();
    let status = format!(
        "{} messages, {} recent, {:?} unseen, next {:?}, validity {:?}",
        status.exists, status.recent, status.unseen, status.uid_next, status.uid_validity
    );
    imap.examine(&wire).await.unwrap();
    let fetched: Vec<Fetch> = imap
        .fetch("1:*", "(UID FLAGS)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let messages = fetched
        .iter()
        .map(|f| {
            let mut flags: Vec<String> = f.flags().map(|fl| format!("{fl:?}")).collect();
            flags.sort();
            format!("{} {}", f.uid.unwrap(), flags.join(" "))
        })
        .collect();
    (status, messages)
}

/// The UIDs of a folder, newest first, as the test's own connection reads them.
async fn uids(imap: &mut async_imap::Session<TcpStream>, folder: &str) -> Vec<u32> {
    imap.examine(folder).await.unwrap();
    let mut all: Vec<u32> = imap.uid_search("ALL").await.unwrap().into_iter().collect();
    all.sort_unstable_by(|a, b| b.cmp(a));
    all
}

fn uid_of(id: &str) -> u32 {
    id.split_once(':').unwrap().1.parse().unwrap()
}

#[tokio::test]
async fn pages_neither_skip_nor_repeat_while_mail_arrives_and_is_expunged() {
    let w = MailWorld::start_with(bulk_and_umlauts).await;
    let cloud = w.cloud();
    let token = typed::<OutlookAudience>(&w.outlook_token(ALICE).await, Resource::Outlook);
    let login = MailLogin::own(ALICE, token.secret());

    // A connection per call: 120 messages in pages of 50, 50 and 20, newest first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let page = imap_message_page(
            &cloud,
            &token,
            &login,
            "Bulk",
            50,
            cursor.as_deref(),
            &opts(),
        )
        .await
        .unwrap();
        assert_eq!(page.round_trips, 2, "EXAMINE and one FETCH");
        sizes.push(page.messages.len());
        seen.extend(page.messages);
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(sizes, [50, 50, 20]);
    let mut own = own_imap(&w, ALICE).await;
    let all = uids(&mut own, "Bulk").await;
    assert_eq!(seen.iter().map(|m| uid_of(&m.id)).collect::<Vec<_>>(), all);
    // Generated mail: one a minute back from 2026-01-01, every third read, sizes from RFC822.SIZE.
    assert_eq!(seen[0].subject, "Bulk message 0 in Bulk");
    assert_eq!(seen[0].from, "Customer 0 <customer0@example.net>");
    assert!(seen[0].is_read && !seen[1].is_read && !seen[0].has_attachments);
    assert!(seen.iter().all(|m| m.size.is_some_and(|s| s > 100)));

    // Now per profile, on the kept connection: page 1, then mail arrives and some goes (two
    // below the page's last message, one above), then page 2.
    let (dir, secrets) = (tempfile::tempdir().unwrap(), Arc::default());
    let s = session(cloud.clone(), &dir, &secrets);
    let name = connect(
        &s,
        cloud.clone(),
        ChannelKind::ImapDelegated,
        MailboxChoice::User,
    )
    .await;
    let first = profile_message_page(&s, &name, "Bulk", 10, None)
        .await
        .unwrap();
    assert_eq!(first.round_trips, 2);
    let shown: Vec<u32> = first.messages.iter().map(|m| uid_of(&m.id)).collect();
    assert_eq!(shown, all[..10]);

    own.select("Bulk").await.unwrap();
    let gone = [all[3], all[11], all[12]];
    for uid in gone {
        own.uid_store(uid.to_string(), "+FLAGS (\\Deleted)")
            .await
            .unwrap()
            .try_collect::<Vec<_>>()
            .await
            .unwrap();
    }
    own.expunge()
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    own.append(
        "Bulk",
        None,
        None,
        b"From: late@example.net\r\nSubject: Late arrival\r\n\r\nHi\r\n",
    )
    .await
    .unwrap();

    let second = profile_message_page(&s, &name, "Bulk", 10, first.next.as_deref())
        .await
        .unwrap();
    let expected: Vec<u32> = all[10..]
        .iter()
        .copied()
        .filter(|u| !gone.contains(u))
        .take(10)
        .collect();
    assert_eq!(
        second
            .messages
            .iter()
            .map(|m| uid_of(&m.id))
            .collect::<Vec<_>>(),
        expected,
        "the ten below page 1, without the expunged, without the new one"
    );
    assert!(second.round_trips <= 3, "{}", second.round_trips);
    // The new mail is on top of a fresh first page.
    let fresh = profile_message_page(&s, &name, "Bulk", 1, None)
        .await
        .unwrap();
    assert_eq!(fresh.messages[0].subject, "Late arrival");

    // Ids and cursors name their folder's UIDVALIDITY; others are refused, as is a gone folder.
    let bad_cursor = profile_message_page(&s, &name, "INBOX", 10, first.next.as_deref())
        .await
        .unwrap_err();
    assert_eq!(bad_cursor.code, "preview.cursor");
    let id = &second.messages[0].id;
    let (validity, uid) = id.split_once(':').unwrap();
    let stale = format!("{}:{uid}", validity.parse::<u32>().unwrap() + 1);
    let d = profile_raw_message(&s, &name, "Bulk", &stale)
        .await
        .unwrap_err();
    assert_eq!(d.code, "preview.stale", "{d:?}");
    let d = profile_raw_message(&s, &name, "Bulk", &format!("{validity}:{}", gone[0]))
        .await
        .unwrap_err();
    assert_eq!(d.code, "preview.message_gone", "{d:?}");
    let d = profile_message_page(&s, &name, "Bulk/Gone", 10, None)
        .await
        .unwrap_err();
    assert_eq!(d.code, "imap.folder_gone", "{d:?}");
    assert!(d.title.contains("Bulk/Gone"), "{d:?}");
    let d = imap_raw_message_bounded(&cloud, &token, &login, "Bulk", id, 100, &opts())
        .await
        .unwrap_err();
    assert_eq!(d.code, "preview.too_large", "{d:?}");
    let raw = imap_raw_message(&cloud, &token, &login, "Bulk", id, &opts())
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("Subject: Bulk message"));
    w.stop().await;
}

#[tokio::test]
async fn a_folder_named_in_modified_utf7_shows_in_unicode_and_opens() {
    let w = MailWorld::start_with(bulk_and_umlauts).await;
    let cloud = w.cloud();
    let (dir, secrets) = (tempfile::tempdir().unwrap(), Arc::default());
    let s = session(cloud.clone(), &dir, &secrets);
    let name = connect(
        &s,
        cloud.clone(),
        ChannelKind::ImapDelegated,
        MailboxChoice::User,
    )
    .await;

    // Dovecot sends the name as IMAP4rev1 wants it.
    let mut own = own_imap(&w, ALICE).await;
    let listed: Vec<String> = own
        .list(Some(""), Some("Anfragen/*"))
        .await
        .unwrap()
        .map_ok(|n| n.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, ["Anfragen/B&APw-ro"]);

    let tree = profile_folders(&s, &name, false).await.unwrap();
    let buero = Folder::find(&tree, "Anfragen/Büro").unwrap_or_else(|| panic!("{tree:#?}"));
    assert_eq!(
        (buero.id.as_str(), buero.name.as_str()),
        ("Anfragen/Büro", "Büro")
    );
    assert_eq!(buero.total, Some(3));
    let page = profile_message_page(&s, &name, &buero.id, 50, None)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 3);
    assert_eq!(page.messages[0].subject, "Bulk message 0 in Anfragen/Büro");
    let view = profile_message(&s, &name, &buero.id, &page.messages[2].id, false)
        .await
        .unwrap();
    assert!(view.text.unwrap().contains("Generated message 2"));
    let counts = profile_archive_counts(&s, &name, &buero.id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(counts.before + counts.after, 3);
    w.stop().await;
}

#[tokio::test]
async fn a_whole_preview_session_changes_no_uid_and_no_flag() {
    let w = MailWorld::start().await;
    let cloud = w.cloud();
    let (dir, secrets) = (tempfile::tempdir().unwrap(), Arc::default());
    let s = session(cloud.clone(), &dir, &secrets);
    let shared = MailboxChoice::Shared {
        address: SUPPORT.into(),
    };
    let name = connect(&s, cloud.clone(), ChannelKind::ImapDelegated, shared).await;
    let folders = ["INBOX", "INBOX/Inquiries/Tech-Support"];
    let mut own = own_imap(&w, SUPPORT).await;
    let mut before = Vec::new();
    for f in folders {
        before.push(snapshot(&mut own, f).await);
    }
    assert!(before[0].0.contains("8 messages, 8 recent"), "{before:?}");
    assert!(
        before[0].1.iter().any(|m| !m.contains("Seen")),
        "some unread"
    );

    let (mut opened_unread, mut attachments) = (0, 0);
    for f in folders {
        let mut cursor = None;
        loop {
            let page = profile_message_page(&s, &name, f, 3, cursor.as_deref())
                .await
                .unwrap();
            for m in &page.messages {
                let view = profile_message(&s, &name, f, &m.id, true).await.unwrap();
                assert!(!view.headers.is_empty() || !view.notices.is_empty());
                let raw = profile_raw_message(&s, &name, f, &m.id).await.unwrap();
                assert_eq!(raw.len() as u64, view.raw_size);
                assert_eq!(
                    Some(raw.len() as u64),
                    m.size,
                    "RFC822.SIZE is the source's size"
                );
                for a in &view.attachments {
                    assert!(attachment_bytes(&raw, a.index).is_some());
                    attachments += 1;
                }
                opened_unread += usize::from(!m.is_read);
            }
            cursor = page.next;
            if cursor.is_none() {
                break;
            }
        }
    }
    assert!(
        opened_unread >= 4 && attachments >= 1,
        "{opened_unread} {attachments}"
    );
    assert_eq!(
        s.preview_connections().open_imap(),
        1,
        "one kept connection"
    );

    let mut own = own_imap(&w, SUPPORT).await;
    for (f, was) in folders.iter().zip(&before) {
        assert_eq!(&snapshot(&mut own, f).await, was, "{f} is unchanged");
    }
    w.stop().await;
}

#[tokio::test]
async fn the_kept_connection_is_reused_replaced_when_cut_and_closed_when_idle() {
    let w = MailWorld::start().await;
    let proxy = Proxy::start(([127, 0, 0, 1], w.imaps).into(), Duration::ZERO).await;
    let mut cloud = w.cloud();
    cloud.imap = proxy.addr.to_string();
    let (dir, secrets) = (tempfile::tempdir().unwrap(), Arc::default());
    let s = session(cloud.clone(), &dir, &secrets);
    let name = connect(
        &s,
        cloud.clone(),
        ChannelKind::ImapDelegated,
        MailboxChoice::User,
    )
    .await;
    let verified = proxy.accepted();

    let first = profile_message_page(&s, &name, "INBOX", 2, None)
        .await
        .unwrap();
    assert_eq!(first.round_trips, 2, "EXAMINE and FETCH");
    let second = profile_message_page(&s, &name, "INBOX", 2, first.next.as_deref())
        .await
        .unwrap();
    assert_eq!(second.round_trips, 2, "EXAMINE (fresh numbers) and FETCH");
    let id = &first.messages[0].id;
    profile_raw_message(&s, &name, "INBOX", id).await.unwrap();
    assert_eq!(
        proxy.accepted(),
        verified + 1,
        "one connection for all three"
    );

    // Cut: the next call signs in again by itself.
    proxy.sever();
    let again = profile_message_page(&s, &name, "INBOX", 2, None)
        .await
        .unwrap();
    assert_eq!(again.messages, first.messages);
    assert_eq!(proxy.accepted(), verified + 2);

    // Idle: a session whose connections close after 200 ms of rest.
    let s = session(cloud, &dir, &secrets)
        .with_preview_connections(PreviewConnections::new(Duration::from_millis(200)));
    profile_message_page(&s, &name, "INBOX", 2, None)
        .await
        .unwrap();
    assert_eq!(s.preview_connections().open_imap(), 1);
    let mut waited = 0;
    while s.preview_connections().open_imap() > 0 && waited < 100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(s.preview_connections().open_imap(), 0, "closed when idle");
    w.stop().await;
}

#[tokio::test]
async fn imap_and_graph_list_the_same_messages_and_graph_sends_only_gets() {
    let w = MailWorld::start().await;
    let cloud = w.cloud();
    let (dir, secrets) = (tempfile::tempdir().unwrap(), Arc::default());
    let s = session(cloud.clone(), &dir, &secrets);
    let name = connect(
        &s,
        cloud.clone(),
        ChannelKind::GraphDelegated,
        MailboxChoice::User,
    )
    .await;
    w.sim.sim.log.lock().unwrap().clear();

    let graph = profile_message_page(&s, &name, "inbox", 50, None)
        .await
        .unwrap();
    assert_eq!(graph.round_trips, 1);
    for m in &graph.messages {
        let view = profile_message(&s, &name, "inbox", &m.id, false)
            .await
            .unwrap();
        for a in &view.attachments {
            let raw = profile_raw_message(&s, &name, "inbox", &m.id)
                .await
                .unwrap();
            assert!(attachment_bytes(&raw, a.index).is_some());
        }
    }
    let log = w.sim_log().await;
    let graph_calls: Vec<_> = log
        .iter()
        .filter(|(_, p, _)| p.contains("/v1.0/"))
        .collect();
    assert!(graph_calls.len() >= 4, "{log:?}");
    assert!(
        graph_calls.iter().all(|(m, _, _)| m == "GET"),
        "only GETs: {log:?}"
    );

    let token = typed::<OutlookAudience>(&w.outlook_token(ALICE).await, Resource::Outlook);
    let imap = imap_message_page(
        &cloud,
        &token,
        &MailLogin::own(ALICE, token.secret()),
        "INBOX",
        50,
        None,
        &opts(),
    )
    .await
    .unwrap();
    let facts = |p: &onboard::mailbox::MessagePage| -> Vec<(String, String, String, bool)> {
        p.messages
            .iter()
            .map(|m| {
                (
                    m.subject.clone(),
                    m.from.clone(),
                    m.received.clone(),
                    m.is_read,
                )
            })
            .collect()
    };
    assert_eq!(facts(&imap), facts(&graph), "newest first, same facts");
    // Except for msg_41 ("64423"), a multipart without a boundary: the simulator (mail-parser)
    // counts its unreadable body as an attachment, Dovecot's BODYSTRUCTURE reads it as text.
    let attachments = |p: &onboard::mailbox::MessagePage| -> Vec<bool> {
        p.messages
            .iter()
            .filter(|m| m.subject != "64423")
            .map(|m| m.has_attachments)
            .collect()
    };
    assert_eq!(attachments(&imap), attachments(&graph));
    let gtoken = typed::<GraphAudience>(
        &w.token(ALICE, "Mail.ReadWrite offline_access").await,
        Resource::Graph,
    );
    let direct = graph_message_page(&cloud, &gtoken, "me", "inbox", 50, None)
        .await
        .unwrap();
    assert_eq!(direct.messages, graph.messages);
    w.stop().await;
}
