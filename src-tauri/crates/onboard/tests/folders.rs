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

/// Every logged Graph request is a GET, but for the `$batch` POSTs that carry GETs (the
/// simulator logs each request of a batch on its own).
fn read_only(log: &[&(String, String, u64)]) -> bool {
    log.iter()
        .all(|(m, p, _)| m == "GET" || (m == "POST" && p.ends_with("/v1.0/$batch")))
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
    assert!(read_only(&graph), "only GETs on Graph: {graph:?}");
    // Each tree came in batches, level by level: support@'s in three (the top level with the
    // well-known names, Inbox's children, Inquiries'), alice's in two each (the top level, then
    // its second page); the simulator logs each batch and each of its requests.
    let batches = graph
        .iter()
        .filter(|(_, p, _)| p.ends_with("/$batch"))
        .count();
    assert_eq!(batches, 7, "{graph:?}");
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
    assert!(read_only(&calls), "{calls:?}");
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

/// Dovecot offers `LIST-STATUS`: the tree of 100 and more folders with their counts is one
/// command, and on the wire it takes the round trips of the counts' `EXAMINE` and `SEARCH`,
/// which go out at once too; with a `STATUS` after another it would take a hundred more.
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
        tree_trips, count_trips,
        "tree {tree_trips} round trips, counts {count_trips}"
    );
    w.stop().await;
}

/// Inside a `$batch`, a throttled child list is asked again after its `Retry-After` in a later
/// batch, and the tree comes whole; a refused one fails the tree naming its folder.
#[tokio::test]
async fn a_throttled_or_refused_request_inside_a_batch_is_handled_on_its_own() {
    let w = MailWorld::start().await;
    let cloud = w.cloud();
    let delegate = typed::<GraphAudience>(&w.token(ALICE, SHARED_GRAPH).await, Resource::Graph);
    let tree = graph_folders(&cloud, &delegate, SUPPORT, false)
        .await
        .unwrap();
    let inbox = &Folder::find(&tree, "Inbox").unwrap().id;
    let children =
        format!("/graph/v1.0/users/support%40contoso.test/mailFolders/{inbox}/childFolders");
    let fault = |kind: serde_json::Value| {
        let mut rule = serde_json::json!({ "path_prefix": children, "kind": "status", "times": 1 });
        rule.as_object_mut()
            .unwrap()
            .extend(kind.as_object().unwrap().clone());
        w.control(reqwest::Method::POST, "/_sim/faults", Some(rule))
    };

    w.control(reqwest::Method::DELETE, "/_sim/log", None).await;
    fault(serde_json::json!({ "status": 429, "retry_after": "1" })).await;
    let again = graph_folders(&cloud, &delegate, SUPPORT, false)
        .await
        .unwrap();
    assert_eq!(again, tree, "the throttled list was asked again");
    let log = w.sim_log().await;
    let asked: Vec<u64> = log
        .iter()
        .filter(|(_, p, _)| p.starts_with(&children))
        .map(|(_, _, status)| *status)
        .collect();
    assert_eq!(asked, [429, 200], "{log:?}");
    let batches = log
        .iter()
        .filter(|(_, p, _)| p.ends_with("/$batch"))
        .count();
    assert_eq!(batches, 4, "the retry went in a batch of its own: {log:?}");

    fault(serde_json::json!({ "status": 403 })).await;
    let refused = graph_folders(&cloud, &delegate, SUPPORT, false)
        .await
        .unwrap_err();
    assert!(refused.detail.contains("“Inbox”"), "{refused:?}");
    assert!(!refused.fix.is_empty(), "{refused:?}");
    w.stop().await;
}

/// A server without `LIST-STATUS`, as Exchange Online is, on loopback: a `LIST` of three
/// folders (one not selectable) and their `STATUS`es.
async fn server_without_list_status() -> (u16, tokio::task::JoinHandle<Vec<String>>) {
    support::fake_imap::serve("IMAP4rev1 AUTH=XOAUTH2 SASL-IR", |tag, command| {
        let upper = command.to_ascii_uppercase();
        Some(if upper.starts_with("LIST") {
            format!(
                "* LIST (\\HasChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren) \"/\" INBOX/Orders\r\n\
                 * LIST (\\Noselect \\HasChildren) \"/\" Shared\r\n{tag} OK LIST completed.\r\n"
            )
        } else if let Some(rest) = command.strip_prefix("STATUS ") {
            let name = rest.split(" (").next().unwrap_or_default();
            let total = if name.starts_with("\"INBOX/") { 4 } else { 9 };
            format!("* STATUS {name} (MESSAGES {total} UNSEEN 1)\r\n{tag} OK STATUS completed.\r\n")
        } else {
            return None;
        })
    })
    .await
}

#[tokio::test]
async fn without_list_status_the_tree_is_a_list_and_its_statuses_at_once() {
    let (port, server) = server_without_list_status().await;
    let cloud = support::fake_imap::cloud(port);
    let token =
        typed::<OutlookAudience>(&onboard::platform::Secret::new("t0ken"), Resource::Outlook);
    let login = MailLogin::own(ALICE, token.secret());
    let tree = imap_folders(&cloud, &token, &login, &opts()).await.unwrap();
    let seen = server.await.unwrap();

    assert_eq!(
        summary(&tree),
        [
            ("Inbox".to_owned(), Some(9), Some(1)),
            ("Inbox/Orders".to_owned(), Some(4), Some(1)),
            ("Shared".to_owned(), None, None),
        ]
    );
    let commands: Vec<&str> = seen
        .iter()
        .filter_map(|l| l.split_once(' ').map(|(_, c)| c))
        .filter(|c| !c.starts_with("AUTHENTICATE") && !c.starts_with("LOGOUT"))
        .collect();
    assert_eq!(
        commands,
        [
            r#"LIST "" *"#,
            r#"STATUS "INBOX" (MESSAGES UNSEEN)"#,
            r#"STATUS "INBOX/Orders" (MESSAGES UNSEEN)"#,
        ],
        "no RETURN (STATUS …) and no STATUS of a folder that cannot be selected"
    );
}
