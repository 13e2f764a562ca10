//! The live folder tree and archive-mode counts, over Graph (the simulator) and IMAP (Dovecot on
//! the same Maildir): paging, nesting, hidden folders, counts, agreement of the two protocols,
//! and that neither changes the mailbox.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use chrono::{DateTime, Utc};
use m365_sim::tenant::mail_store::SeedFolder;
use onboard::{
    identity::{GraphAudience, OutlookAudience, Resource},
    mailbox::{
        graph_archive_counts, graph_folders, imap_archive_counts, imap_folders, Folder, MailLogin,
    },
};
use std::time::Duration;
use support::mail::{opts, typed, MailWorld, ALICE, SUPPORT};
use support::proxy::Proxy;

const SHARED_GRAPH: &str = "Mail.ReadWrite.Shared offline_access";
const OWN_GRAPH: &str = "Mail.ReadWrite offline_access";

fn folder(name: &str, hidden: bool) -> SeedFolder {
    SeedFolder {
        name: name.to_owned(),
        messages: vec![],
        children: vec![],
        hidden,
        generated: 0,
    }
}

/// alice's mailbox gets 105 more top-level folders (two pages of 100) and a hidden one.
fn many_folders(seed: &mut m365_sim::tenant::seed::Seed) {
    let alice = seed.mailboxes.get_mut(ALICE).unwrap();
    for i in 0..105 {
        alice
            .folders
            .push(folder(&format!("Project {i:03}"), false));
    }
    alice.folders.push(folder("Conversation History", true));
}

/// Maildir file names (they carry the flags) of every folder of a mailbox.
fn maildir_files(w: &MailWorld, mailbox: &str) -> Vec<String> {
    let mut files = Vec::new();
    let root = w.maildir(mailbox);
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.parent().unwrap().ends_with("cur") || p.parent().unwrap().ends_with("new") {
                files.push(p.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    files
}

/// Display paths with counts, INBOX spelled as Graph spells it, for comparing protocols.
fn summary(tree: &[Folder]) -> Vec<(String, Option<u32>, Option<u32>)> {
    let mut v: Vec<_> = tree
        .iter()
        .flat_map(Folder::flatten)
        .map(|f| {
            let path = match f.path.split_once('/') {
                Some((first, rest)) if first.eq_ignore_ascii_case("inbox") => {
                    format!("Inbox/{rest}")
                }
                _ if f.path.eq_ignore_ascii_case("inbox") => "Inbox".to_owned(),
                _ => f.path.clone(),
            };
            (path, f.total, f.unread)
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn graph_pages_nests_and_shows_hidden_folders_only_on_request() {
    let w = MailWorld::start_with(many_folders).await;
    let cloud = w.cloud();
    let alice = typed::<GraphAudience>(&w.token(ALICE, OWN_GRAPH).await, Resource::Graph);

    let tree = graph_folders(&cloud, &alice, "me", false).await.unwrap();
    assert_eq!(tree.len(), 106, "Inbox and 105 projects, over two pages");
    assert!(Folder::find(&tree, "Project 104").is_some());
    assert!(Folder::find(&tree, "Conversation History").is_none());
    let inbox = Folder::find(&tree, "Inbox").unwrap();
    assert_eq!(inbox.well_known.as_deref(), Some("inbox"));
    assert_eq!((inbox.total, inbox.unread), (Some(3), inbox.unread));
    assert!(inbox.unread.is_some());

    let with_hidden = graph_folders(&cloud, &alice, "me", true).await.unwrap();
    let hidden = Folder::find(&with_hidden, "Conversation History").unwrap();
    assert!(hidden.hidden);
    assert_eq!(with_hidden.len(), 107);

    // The shared mailbox's nested folders, with their full paths and parents.
    let delegate = typed::<GraphAudience>(&w.token(ALICE, SHARED_GRAPH).await, Resource::Graph);
    let support = graph_folders(&cloud, &delegate, SUPPORT, false)
        .await
        .unwrap();
    let tech = Folder::find(&support, "Inbox/Inquiries/Tech-Support").unwrap();
    let inquiries = Folder::find(&support, "Inbox/Inquiries").unwrap();
    assert_eq!(tech.parent.as_deref(), Some(inquiries.id.as_str()));
    assert_eq!((tech.total, tech.name.as_str()), (Some(2), "Tech-Support"));
    assert_eq!(
        Folder::find(&support, "Archive")
            .unwrap()
            .well_known
            .as_deref(),
        Some("archive")
    );

    let log = w.sim_log().await;
    let graph: Vec<_> = log
        .iter()
        .filter(|(_, p, _)| p.contains("/v1.0/"))
        .collect();
    assert!(graph.len() > 3, "{log:?}");
    assert!(
        graph.iter().all(|(m, _, _)| m == "GET"),
        "only GETs on Graph: {graph:?}"
    );
    w.stop().await;
}

#[tokio::test]
async fn graph_and_imap_agree_on_folders_and_counts_and_change_nothing() {
    let w = MailWorld::start().await;
    let cloud = w.cloud();
    let graph = typed::<GraphAudience>(&w.token(ALICE, SHARED_GRAPH).await, Resource::Graph);
    let outlook = typed::<OutlookAudience>(&w.outlook_token(ALICE).await, Resource::Outlook);
    let login = MailLogin::shared(SUPPORT, ALICE, outlook.secret());
    let files_before = maildir_files(&w, SUPPORT);
    assert!(files_before.len() >= 13, "{files_before:?}");
    w.sim_log().await;

    let g = graph_folders(&cloud, &graph, SUPPORT, false).await.unwrap();
    let i = imap_folders(&cloud, &outlook, &login, &opts())
        .await
        .unwrap();
    let tech = Folder::find(&i, "INBOX/Inquiries/Tech-Support").unwrap_or_else(|| panic!("{i:#?}"));
    assert_eq!(tech.total, Some(2));
    assert_eq!(
        Folder::find(&i, "INBOX").unwrap().well_known.as_deref(),
        Some("inbox")
    );
    assert_eq!(summary(&g), summary(&i), "same folders, same counts");

    // Day-granular cut-off: the end of a day with mail on it (16:40 that day counts as before).
    let cutoff: DateTime<Utc> = "2026-11-15T23:59:59Z".parse().unwrap();
    let inbox_g = Folder::find(&g, "Inbox").unwrap();
    let inbox_i = Folder::find(&i, "INBOX").unwrap();
    let gc = graph_archive_counts(&cloud, &graph, SUPPORT, &inbox_g.id, cutoff)
        .await
        .unwrap();
    let ic = imap_archive_counts(&cloud, &outlook, &login, &inbox_i.id, cutoff, &opts())
        .await
        .unwrap();
    assert_eq!((gc.before, gc.after), (4, 4), "{gc:?}");
    assert_eq!((ic.before, ic.after), (gc.before, gc.after), "{ic:?}");
    assert_eq!(u64::from(inbox_i.total.unwrap()), ic.before + ic.after);
    assert_eq!((gc.round_trips, ic.round_trips), (1, 1));
    assert_eq!(ic.cutoff_applied, cutoff);

    // Nested folder over both, and a cut-off before all of its mail.
    let tech_g = Folder::find(&g, "Inbox/Inquiries/Tech-Support").unwrap();
    let early: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let gc = graph_archive_counts(&cloud, &graph, SUPPORT, &tech_g.id, early)
        .await
        .unwrap();
    let ic = imap_archive_counts(&cloud, &outlook, &login, &tech.id, early, &opts())
        .await
        .unwrap();
    assert_eq!((gc.before, gc.after), (0, 2));
    assert_eq!((ic.before, ic.after), (0, 2));

    let log = w.sim_log().await;
    let calls: Vec<_> = log
        .iter()
        .filter(|(_, p, _)| p.contains("/v1.0/"))
        .collect();
    assert!(calls.iter().all(|(m, _, _)| m == "GET"), "{calls:?}");
    assert_eq!(
        maildir_files(&w, SUPPORT),
        files_before,
        "the mailbox is unchanged"
    );
    w.stop().await;
}

#[tokio::test]
async fn a_folder_that_is_gone_is_named() {
    let w = MailWorld::start().await;
    let cloud = w.cloud();
    let graph = typed::<GraphAudience>(&w.token(ALICE, SHARED_GRAPH).await, Resource::Graph);
    let outlook = typed::<OutlookAudience>(&w.outlook_token(ALICE).await, Resource::Outlook);
    let login = MailLogin::shared(SUPPORT, ALICE, outlook.secret());
    let cutoff = Utc::now();

    let d = graph_archive_counts(&cloud, &graph, SUPPORT, "AQMkADgone", cutoff)
        .await
        .unwrap_err();
    assert_eq!(d.code, "graph.ErrorItemNotFound");
    assert!(d.title.contains("AQMkADgone"), "{d:?}");

    let d = imap_archive_counts(&cloud, &outlook, &login, "INBOX/Gone", cutoff, &opts())
        .await
        .unwrap_err();
    assert_eq!(d.code, "imap.folder_gone", "{d:?}");
    assert!(d.title.contains("INBOX/Gone"), "{d:?}");
    w.stop().await;
}

/// Over IMAP the tree's `STATUS` commands go out at once, as do the counts' `EXAMINE` and
/// `SEARCH`: on the wire, the tree of 100 and more folders takes one round trip more than the
/// counts (its `LIST`); one after the other they would take a hundred more.
#[tokio::test]
async fn imap_sends_the_tree_s_status_commands_and_the_counts_at_once() {
    let w = MailWorld::start_with(many_folders).await;
    let proxy = Proxy::start(([127, 0, 0, 1], w.imaps).into(), Duration::ZERO).await;
    let mut cloud = w.cloud();
    cloud.imap = proxy.addr.to_string();
    let outlook = typed::<OutlookAudience>(&w.outlook_token(ALICE).await, Resource::Outlook);
    let login = MailLogin::own(ALICE, outlook.secret());

    let before = proxy.round_trips();
    let tree = imap_folders(&cloud, &outlook, &login, &opts())
        .await
        .unwrap();
    let tree_trips = proxy.round_trips() - before;
    assert!(tree.len() > 100, "{}", tree.len());
    assert!(
        tree.iter().all(|f| f.total.is_some()),
        "every folder got its count: {tree:#?}"
    );

    let before = proxy.round_trips();
    let cutoff: DateTime<Utc> = "2026-11-15T23:59:59Z".parse().unwrap();
    let counts = imap_archive_counts(&cloud, &outlook, &login, "INBOX", cutoff, &opts())
        .await
        .unwrap();
    let count_trips = proxy.round_trips() - before;
    let inbox = Folder::find(&tree, "INBOX").unwrap();
    assert_eq!(
        counts.before + counts.after,
        u64::from(inbox.total.unwrap())
    );
    assert_eq!(
        tree_trips,
        count_trips + 1,
        "tree {tree_trips} round trips, counts {count_trips}"
    );
    w.stop().await;
}
