//! Search over Graph against the simulator: each filter, their combination, all folders, the
//! 1,000-result cap, Graph's refusals, read-only (only GETs), bad input naming its field; and
//! over IMAP against a fake server on loopback that refuses `CHARSET UTF-8`.
//! (IMAP against the real Dovecot: tests/imap_search.rs.)
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::RunningSim;
use onboard::identity::{AccessToken, GraphAudience, OutlookAudience, Resource};
use onboard::mailbox::search::{graph_search, no_progress, SearchPage, SearchQuery, SearchScope};
use onboard::mailbox::{graph_folders, imap_search, Folder, MailCheckOptions, MailLogin};
use onboard::{cloud::Cloud, platform::Secret};
use support::search_seed::{self, ARCHIVE, FOLDER, INVOICE, LUNCH, OLD_PRINTER, PRINTER, RECHNUNG};
use support::sim::{app_graph_token, sim_cloud_with};

const ALICE: &str = "alice@contoso.test";

struct World {
    _files: tempfile::TempDir,
    sim: RunningSim,
    cloud: Cloud,
    token: AccessToken<GraphAudience>,
    tree: Vec<Folder>,
}

impl World {
    async fn start() -> Self {
        let files = tempfile::tempdir().unwrap();
        let mut seed = m365_sim::sandbox::demo_seed().unwrap();
        search_seed::add(&mut seed, ALICE, files.path());
        let (sim, cloud) = sim_cloud_with(seed).await;
        let token = app_graph_token(&cloud).await;
        let tree = graph_folders(&cloud, &token, ALICE, false).await.unwrap();
        Self {
            _files: files,
            sim,
            cloud,
            token,
            tree,
        }
    }

    fn id(&self, path: &str) -> String {
        Folder::find(&self.tree, path).unwrap().id.clone()
    }

    fn query(&self, path: Option<&str>, edit: impl FnOnce(&mut SearchQuery)) -> SearchQuery {
        let mut q = SearchQuery::in_folder("x");
        q.scope = match path {
            Some(p) => SearchScope::Folder { folder: self.id(p) },
            None => SearchScope::AllFolders,
        };
        edit(&mut q);
        q
    }

    async fn page(&self, q: &SearchQuery, top: u32, cursor: Option<&str>) -> SearchPage {
        graph_search(
            &self.cloud,
            &self.token,
            ALICE,
            &q.validate().unwrap(),
            top,
            cursor,
        )
        .await
        .unwrap()
    }

    /// The subjects a search finds in `FOLDER`, in the order listed.
    async fn subjects(&self, edit: impl FnOnce(&mut SearchQuery)) -> Vec<String> {
        let page = self.page(&self.query(Some(FOLDER), edit), 50, None).await;
        assert_eq!(page.round_trips, 1);
        assert_eq!(page.capped, None);
        page.messages
            .iter()
            .map(|m| m.message.subject.clone())
            .collect()
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[tokio::test]
async fn each_filter_finds_what_it_names_over_graph() {
    let w = World::start().await;
    assert_eq!(w.subjects(|q| q.text = s("printer jam")).await, [PRINTER]);
    assert_eq!(
        w.subjects(|q| q.text = s("Druckerstörung")).await,
        [RECHNUNG]
    );
    assert_eq!(
        w.subjects(|q| q.from = s("acme.example")).await,
        [PRINTER, INVOICE]
    );
    assert_eq!(w.subjects(|q| q.from = s("Jörg Müller")).await, [RECHNUNG]);
    assert_eq!(w.subjects(|q| q.subject = s("Büro")).await, [RECHNUNG]);
    assert_eq!(
        w.subjects(|q| q.since = s("2026-11-15")).await,
        [RECHNUNG, PRINTER]
    );
    assert_eq!(
        w.subjects(|q| q.before = s("2026-11-15")).await,
        [INVOICE, LUNCH]
    );
    assert_eq!(
        w.subjects(|q| {
            q.since = s("2026-11-15");
            q.before = s("2026-11-22");
        })
        .await,
        [PRINTER]
    );
    assert_eq!(
        w.subjects(|q| q.has_attachments = true).await,
        [RECHNUNG, INVOICE]
    );
    // Words and structure together: all of it goes to $search as KQL.
    assert_eq!(
        w.subjects(|q| {
            q.from = s("acme.example");
            q.has_attachments = true;
        })
        .await,
        [INVOICE]
    );
    assert_eq!(
        w.subjects(|q| {
            q.from = s("acme.example");
            q.since = s("2026-11-15");
        })
        .await,
        [PRINTER]
    );
    assert!(w
        .subjects(|q| q.text = s("nowhere-to-be-found"))
        .await
        .is_empty());

    // The hits name their folder, and a hit opens as a folder view's message does.
    let page = w
        .page(&w.query(Some(FOLDER), |q| q.subject = s("Büro")), 50, None)
        .await;
    assert_eq!(page.messages[0].folder, w.id(FOLDER));
    assert!(page.messages[0].message.has_attachments);
    assert!(page.messages[0].message.size.is_some());
    let raw = onboard::mailbox::graph_raw_message(
        &w.cloud,
        &w.token,
        ALICE,
        &page.messages[0].message.id,
    )
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("Druckerstörung"));
    w.sim.stop().await;
}

#[tokio::test]
async fn all_folders_is_the_mailbox_wide_list_and_pages_by_next_link() {
    let w = World::start().await;
    let q = w.query(None, |q| q.text = s("printer jam"));
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = w.page(&q, 1, cursor.as_deref()).await;
        pages += 1;
        found.extend(page.messages);
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    let ours: Vec<(String, String)> = found
        .iter()
        .filter(|h| h.folder == w.id(FOLDER) || h.folder == w.id(ARCHIVE))
        .map(|h| (h.message.subject.clone(), h.folder.clone()))
        .collect();
    assert_eq!(
        ours,
        [
            (PRINTER.to_owned(), w.id(FOLDER)),
            (OLD_PRINTER.to_owned(), w.id(ARCHIVE))
        ]
    );
    assert!(pages >= 2, "one hit a page, followed by @odata.nextLink");
    let log = w.sim.sim.log.lock().unwrap().clone();
    let searches: Vec<_> = log
        .iter()
        .filter(|e| e.query.as_deref().is_some_and(|q| q.contains("search=")))
        .collect();
    assert!(
        searches
            .iter()
            .all(|e| e.path.ends_with(&format!("/users/{ALICE}/messages"))),
        "{searches:?}"
    );
    // A cursor of one search is not followed for another.
    let first = w.page(&q, 1, None).await;
    let other = w.query(None, |q| q.text = s("pizza"));
    let refused = graph_search(
        &w.cloud,
        &w.token,
        ALICE,
        &other.validate().unwrap(),
        1,
        first.next.as_deref(),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code, "preview.cursor");
    w.sim.stop().await;
}

#[tokio::test]
async fn a_search_that_reaches_graphs_limit_says_so() {
    let w = World::start().await;
    let q = w.query(Some("Capped"), |q| q.text = s("bulk"));
    let (mut listed, mut cursor) = (0, None::<String>);
    let last = loop {
        let page = w.page(&q, 50, cursor.as_deref()).await;
        listed += page.messages.len();
        cursor = page.next.clone();
        if cursor.is_none() {
            break page;
        }
        assert_eq!(page.capped, None, "only the last page knows");
    };
    assert_eq!(listed, 1000, "Graph returns at most 1,000 of the 1,005");
    assert_eq!(last.capped, Some(1000));
    // The same folder by date alone goes to $filter: all 1,005, no cap.
    let by_date = w.query(Some("Capped"), |q| q.before = s("2027-01-01"));
    let (mut listed, mut cursor) = (0, None::<String>);
    loop {
        let page = w.page(&by_date, 50, cursor.as_deref()).await;
        assert_eq!(page.capped, None);
        listed += page.messages.len();
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(listed, 1005);
    w.sim.stop().await;
}

#[tokio::test]
async fn graph_refuses_what_microsoft_refuses_with_search() {
    let w = World::start().await;
    let client = w.cloud.http_client().unwrap();
    let base = format!(
        "{}/v1.0/users/{ALICE}/messages?$search=%22pizza%22",
        w.cloud.graph.trim_end_matches('/')
    );
    for (extra, code, message) in [
        (
            "&$orderby=receivedDateTime%20desc",
            "SearchWithOrderBy",
            "The query parameter '$orderBy' is not supported with '$search'.",
        ),
        (
            "&$filter=isRead%20eq%20false",
            "SearchWithFilter",
            "The query parameter '$filter' is not supported with '$search'.",
        ),
    ] {
        let res = client
            .get(format!("{base}{extra}"))
            .bearer_auth(w.token.secret().expose())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
        assert_eq!(body["error"]["message"], message);
    }
    let res = client
        .get(format!(
            "{}/v1.0/users/{ALICE}/messages?$search=%22receivedDateTime%3E2026-01-01%22",
            w.cloud.graph.trim_end_matches('/')
        ))
        .bearer_auth(w.token.secret().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "not a searchable message property");
    w.sim.stop().await;
}

#[tokio::test]
async fn a_search_session_sends_only_gets() {
    let w = World::start().await;
    w.sim.sim.log.lock().unwrap().clear();
    for q in [
        w.query(Some(FOLDER), |q| q.text = s("printer jam")),
        w.query(Some(FOLDER), |q| q.has_attachments = true),
        w.query(None, |q| q.from = s("acme.example")),
    ] {
        let page = w.page(&q, 50, None).await;
        for h in &page.messages {
            onboard::mailbox::graph_raw_message(&w.cloud, &w.token, ALICE, &h.message.id)
                .await
                .unwrap();
        }
    }
    let log = w.sim.sim.log.lock().unwrap().clone();
    let graph: Vec<_> = log.iter().filter(|e| e.path.contains("/v1.0/")).collect();
    assert!(graph.len() >= 6, "{graph:?}");
    assert!(
        graph.iter().all(|e| e.method == "GET"),
        "only GETs: {graph:?}"
    );
    w.sim.stop().await;
}

#[test]
fn bad_input_names_the_field_and_the_fix() {
    let mut q = SearchQuery::in_folder("inbox");
    q.since = s("24/11/2026");
    let d = q.validate().unwrap_err();
    assert_eq!(
        (d.code.as_str(), d.field.as_deref()),
        ("search.date", Some("Since"))
    );
    assert!(d.fix.contains("2026-11-24"), "{}", d.fix);
    let empty = SearchQuery::in_folder("inbox").validate().unwrap_err();
    assert_eq!(empty.field.as_deref(), Some("Search"));
}

/// An IMAP server on loopback that answers `UID SEARCH CHARSET …` with `NO [BADCHARSET]`, as
/// servers without UTF-8 search do, and a search without it with two messages. Records every
/// command line it reads.
async fn refusing_server() -> (u16, tokio::task::JoinHandle<Vec<String>>) {
    support::fake_imap::serve("IMAP4rev1 AUTH=XOAUTH2 SASL-IR", |tag, command| {
        let upper = command.to_ascii_uppercase();
        Some(if upper.starts_with("EXAMINE") {
            format!("* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* FLAGS (\\Seen)\r\n{tag} OK [READ-ONLY] examined\r\n")
        } else if upper.starts_with("UID SEARCH CHARSET") {
            format!("{tag} NO [BADCHARSET (US-ASCII)] The specified charset is not supported.\r\n")
        } else if upper.starts_with("UID SEARCH") {
            format!("* SEARCH 1 2\r\n{tag} OK SEARCH completed\r\n")
        } else if upper.starts_with("UID FETCH") {
            let mut out = String::new();
            for (seq, subject) in [(1, "printer one"), (2, "printer two")] {
                let header = format!("From: a@b.example\r\nSubject: {subject}\r\n\r\n");
                out.push_str(&format!(
                    "* {seq} FETCH (UID {seq} FLAGS () INTERNALDATE \"2{seq}-Nov-2026 10:00:00 +0000\" RFC822.SIZE 100 BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL NIL) BODY[HEADER.FIELDS (FROM SUBJECT CONTENT-TYPE)] {{{}}}\r\n{header})\r\n",
                    header.len()
                ));
            }
            format!("{out}{tag} OK FETCH completed\r\n")
        } else {
            return None;
        })
    })
    .await
}

async fn search_refusing(
    subject: &str,
) -> (Result<SearchPage, onboard::catalog::Diagnosis>, Vec<String>) {
    let (port, server) = refusing_server().await;
    let cloud = support::fake_imap::cloud(port);
    let token = support::mail::typed::<OutlookAudience>(&Secret::new("t0ken"), Resource::Outlook);
    let login = MailLogin::own(ALICE, token.secret());
    let mut q = SearchQuery::in_folder("INBOX");
    q.subject = s(subject);
    let page = imap_search(
        &cloud,
        &token,
        &login,
        &q.validate().unwrap(),
        50,
        None,
        &no_progress(),
        &MailCheckOptions::default(),
    )
    .await;
    (page, server.await.unwrap())
}

#[tokio::test]
async fn a_server_that_refuses_utf8_is_asked_again_without_charset() {
    let (page, seen) = search_refusing("printer").await;
    let page = page.unwrap();
    let subjects: Vec<_> = page
        .messages
        .iter()
        .map(|h| h.message.subject.as_str())
        .collect();
    assert_eq!(subjects, ["printer two", "printer one"], "newest first");
    assert_eq!(page.messages[0].message.id, "7:2");
    assert_eq!(
        page.round_trips, 4,
        "EXAMINE, the refused search, the search, FETCH"
    );
    let commands: Vec<&str> = seen.iter().map(|l| l.split_once(' ').unwrap().1).collect();
    assert!(
        commands.contains(&"UID SEARCH CHARSET UTF-8 SUBJECT \"printer\""),
        "{seen:?}"
    );
    assert!(
        commands.contains(&"UID SEARCH SUBJECT \"printer\""),
        "{seen:?}"
    );
    assert!(
        commands
            .iter()
            .all(|c| !c.starts_with("SELECT") && !c.contains("STORE")),
        "read-only: {seen:?}"
    );
}

#[tokio::test]
async fn a_server_that_refuses_utf8_says_why_for_letters_outside_ascii() {
    let (page, seen) = search_refusing("Büro").await;
    let d = page.unwrap_err();
    assert_eq!(d.code, "imap.search_charset", "{d:?}");
    assert!(d.detail.contains("BADCHARSET"), "{}", d.detail);
    // Sent as a literal, and not again without a character set.
    assert!(
        seen.iter()
            .any(|l| l.ends_with("UID SEARCH CHARSET UTF-8 SUBJECT {5}Büro")),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|l| l.contains("UID SEARCH SUBJECT")),
        "{seen:?}"
    );
}
