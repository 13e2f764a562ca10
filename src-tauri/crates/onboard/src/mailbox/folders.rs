//! The live folder tree of a mailbox, for the folder picker and the preview: over Graph (paged
//! mail folders, child folders, hidden ones on request, with total and unread counts) or over IMAP
//! (`LIST` with the server's delimiter and `STATUS` counts). Both only read: Graph gets GETs, IMAP
//! never selects a folder.

use crate::mailbox::addressing::{graph_mailbox, imap_login};
use crate::mailbox::folder_gone::{gone, imap_gone};
use crate::mailbox::imap::check::{self as imap_check, ImapSession, Replies};
use crate::mailbox::mail_conn::{bounded, MailCheckOptions, MailLogin};
use crate::mailbox::{imap::pipeline as imap_pipeline, imap::utf7 as imap_utf7};
use crate::{
    catalog::Diagnosis,
    cloud::{graph_batch::graph_batch_get, graph_get::graph_get_on, Cloud, MailEndpoint},
    identity::{AccessToken, GraphAudience, OutlookAudience},
    platform::Secret,
};
use crate::{
    identity::{Resource, TokenSource},
    profile::{FolderRef, Session},
};
use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use ts_rs::TS;

/// One folder of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Folder {
    /// What the target server stores: the Graph folder id, or for IMAP the folder's name as the
    /// server spells it (with the server's delimiter).
    pub id: String,
    /// The name as the mailbox shows it (localized well-known names as they are).
    pub name: String,
    /// The display path, names joined by '/': `Inbox/Inquiries/Tech-Support`.
    pub path: String,
    /// The parent's `id`; `None` at the top level.
    pub parent: Option<String>,
    pub total: Option<u32>,
    pub unread: Option<u32>,
    /// `inbox`, `archive`, `sentitems`, `drafts`, `deleteditems`, `junkemail` when known.
    pub well_known: Option<String>,
    pub hidden: bool,
    pub children: Vec<Folder>,
}

impl Folder {
    /// This folder and all below it, depth first.
    pub fn flatten(&self) -> Vec<&Folder> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.flatten());
        }
        out
    }

    /// The folder with this display path, anywhere in `tree`.
    pub fn find<'a>(tree: &'a [Folder], path: &str) -> Option<&'a Folder> {
        tree.iter()
            .flat_map(Folder::flatten)
            .find(|f| f.path == path)
    }
}

/// Deeper trees are refused rather than walked (Exchange itself stops at 300; a picker does not
/// need more than this).
pub const MAX_DEPTH: usize = 10;
/// More folders than this are refused rather than listed.
pub const MAX_FOLDERS: usize = 5000;
/// Folders asked for per Graph page.
const GRAPH_PAGE: usize = 100;
const SELECT: &str =
    "id,displayName,parentFolderId,childFolderCount,totalItemCount,unreadItemCount,isHidden";
/// The well-known names asked for by name (Graph v1.0 has no `wellKnownName` property).
const WELL_KNOWN: [&str; 6] = [
    "inbox",
    "archive",
    "sentitems",
    "drafts",
    "deleteditems",
    "junkemail",
];

/// `/me` or `/users/{address}`.
pub(crate) fn mailbox_base(mailbox: &str) -> String {
    if mailbox.eq_ignore_ascii_case("me") {
        "/me".to_owned()
    } else {
        format!(
            "/users/{}",
            url::form_urlencoded::byte_serialize(mailbox.as_bytes()).collect::<String>()
        )
    }
}

/// A GET of `path` below `/v1.0` on `client`: the calls that make several requests keep one
/// client, so that they share its connection (one TLS handshake, not one per request).
pub(crate) async fn graph_get_kept(
    cloud: &Cloud,
    client: &reqwest::Client,
    token: &Secret,
    path: &str,
) -> Result<Value, Diagnosis> {
    let url = format!("{}/v1.0{path}", cloud.graph.trim_end_matches('/'));
    graph_get_on(client, token, &url).await
}

/// The folder tree over Graph. `mailbox` is `"me"` or an address (a shared mailbox needs the
/// `.Shared` scopes). Hidden folders only with `include_hidden`.
///
/// Level by level in `$batch`es: the well-known names and the top level together, then the
/// child lists of every folder of a level that has children (and any next page) together.
pub async fn graph_folders(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    include_hidden: bool,
) -> Result<Vec<Folder>, Diagnosis> {
    let base = mailbox_base(mailbox);
    let client = cloud.http_client()?;
    let hidden = if include_hidden {
        "&includeHiddenFolders=true"
    } else {
        ""
    };
    let list = |below: Option<&str>| match below {
        None => format!("{base}/mailFolders?$select={SELECT}&$top={GRAPH_PAGE}{hidden}"),
        Some(id) => format!(
            "{base}/mailFolders/{id}/childFolders?$select={SELECT}&$top={GRAPH_PAGE}{hidden}"
        ),
    };
    let well_known_paths = WELL_KNOWN.map(|name| format!("{base}/mailFolders/{name}?$select=id"));
    let mut listed: Vec<GraphListed> = Vec::new();
    let mut well_known = Vec::new();
    let mut jobs = vec![(None, list(None))];
    let mut first = true;
    while !jobs.is_empty() {
        let mut paths: Vec<String> = jobs.iter().map(|(_, p)| p.clone()).collect();
        if first {
            paths.extend(well_known_paths.iter().cloned());
        }
        let mut answers = graph_batch_get(&client, cloud, token.secret(), &paths).await?;
        if first {
            for (answer, name) in answers.split_off(jobs.len()).into_iter().zip(WELL_KNOWN) {
                match answer {
                    Ok(v) => well_known.extend(v["id"].as_str().map(|id| (id.to_owned(), name))),
                    Err(d) if d.code == "graph.ErrorItemNotFound" => {}
                    Err(d) => return Err(d),
                }
            }
            first = false;
        }
        let mut next = Vec::new();
        for ((parent, _), answer) in jobs.into_iter().zip(answers) {
            let parent_path = parent
                .map_or("", |i: usize| listed[i].path.as_str())
                .to_owned();
            let page = answer.map_err(|d| listing_failed(d, &parent_path))?;
            let items = page["value"].as_array().cloned().unwrap_or_default();
            if listed.len() + items.len() > MAX_FOLDERS {
                return Err(too_many());
            }
            let depth = parent.map_or(0, |i| listed[i].depth + 1);
            for v in items {
                let path = join(&parent_path, v["displayName"].as_str().unwrap_or_default());
                if v["childFolderCount"].as_u64().unwrap_or(0) > 0 {
                    if depth + 1 >= MAX_DEPTH {
                        return Err(too_deep(&path));
                    }
                    next.push((Some(listed.len()), list(v["id"].as_str())));
                }
                listed.push(GraphListed {
                    v,
                    parent,
                    path,
                    depth,
                });
            }
            if let Some(link) = page["@odata.nextLink"].as_str() {
                next.push((parent, below_v1(cloud, link)?));
            }
        }
        jobs = next;
    }
    Ok(graph_tree(&listed, &well_known, None))
}

/// A folder as a child list gave it: its JSON, the index of its parent, its path and depth.
struct GraphListed {
    v: Value,
    parent: Option<usize>,
    path: String,
    depth: usize,
}

/// The folders below `parent` (the top level for `None`), in the order listed, with theirs.
fn graph_tree(
    listed: &[GraphListed],
    well_known: &[(String, &str)],
    parent: Option<usize>,
) -> Vec<Folder> {
    listed
        .iter()
        .enumerate()
        .filter(|(_, l)| l.parent == parent)
        .map(|(i, l)| {
            let id = l.v["id"].as_str().unwrap_or_default().to_owned();
            Folder {
                well_known: well_known
                    .iter()
                    .find(|(w, _)| *w == id)
                    .map(|(_, n)| (*n).to_owned()),
                parent: parent
                    .and_then(|p| listed[p].v["id"].as_str())
                    .map(str::to_owned),
                total: count(&l.v["totalItemCount"]),
                unread: count(&l.v["unreadItemCount"]),
                hidden: l.v["isHidden"].as_bool().unwrap_or(false),
                name: l.v["displayName"].as_str().unwrap_or_default().to_owned(),
                path: l.path.clone(),
                children: graph_tree(listed, well_known, Some(i)),
                id,
            }
        })
        .collect()
}

/// A next link, as a path below `/v1.0` of this cloud's Graph; a link elsewhere is refused (the
/// token goes to this Graph only).
fn below_v1(cloud: &Cloud, link: &str) -> Result<String, Diagnosis> {
    let prefix = format!("{}/v1.0", cloud.graph.trim_end_matches('/'));
    link.strip_prefix(&prefix)
        .map(str::to_owned)
        .ok_or_else(|| {
            Diagnosis::new(
                "graph.malformed",
                "Microsoft Graph gave a next-page link the wizard will not follow",
                format!("The next page was announced at {link}, which is not below {prefix}."),
                "Check that the Graph URL points at Microsoft Graph, then try again.",
            )
        })
}

/// A child list's refusal, naming the folder whose children it lists.
fn listing_failed(d: Diagnosis, path: &str) -> Diagnosis {
    let mut d = gone(d, path);
    if !path.is_empty() && !d.detail.contains(path) {
        d.detail = format!("Listing the folders in “{path}”: {}", d.detail);
    }
    d
}

fn count(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

fn too_deep(path: &str) -> Diagnosis {
    Diagnosis::new(
        "folders.too_deep",
        "The folder tree is too deep to show",
        format!(
            "Folders nest more than {MAX_DEPTH} levels below “{path}”; the wizard stops there."
        ),
        "Pick a folder nearer the top, or move the deeply nested folders up in Outlook.",
    )
}

fn too_many() -> Diagnosis {
    Diagnosis::new(
        "folders.too_many",
        "The mailbox has too many folders to show",
        format!("The mailbox has more than {MAX_FOLDERS} folders; the wizard stops listing there."),
        "Type the folder's path instead of picking it, or tidy the mailbox's folders in Outlook.",
    )
}

/// The folder tree over IMAP: `LIST "" "*"`, then `STATUS (MESSAGES UNSEEN)` for each folder
/// that can be selected, all sent at once. Never selects a folder. `token` signs in for
/// `login.mailbox` (as the delegate `login.delegate` for a shared mailbox); it replaces the
/// token in `login`.
/// `id` is the server's folder name decoded from modified UTF-7 (`INBOX/Büro`; the IMAP reads
/// encode it again); `path` joins the names with '/' whatever the delimiter.
pub async fn imap_folders(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    opts: &MailCheckOptions,
) -> Result<Vec<Folder>, Diagnosis> {
    let login = MailLogin {
        token: token.secret().clone(),
        ..login.clone()
    };
    let (mut session, replies, endpoint) = imap_check::sign_in(cloud, &login, opts).await?;
    let read = bounded(opts, &endpoint, "listing folders", async {
        list_with_status(&mut session, &replies, &endpoint).await
    })
    .await;
    let _ = tokio::time::timeout(opts.timeout, session.logout()).await;
    read
}

/// One listed IMAP folder, before the tree is built.
struct Listed {
    /// As the server spells it (modified UTF-7).
    wire: String,
    /// Decoded: what is shown and kept as the folder's id.
    name: String,
    segments: Vec<String>,
    noselect: bool,
    well_known: Option<String>,
}

/// The folders and their counts: in one command where the server offers `LIST-STATUS` (RFC
/// 5819; Dovecot does), else `LIST` and then every `STATUS` at once (Exchange Online).
async fn list_with_status(
    session: &mut ImapSession,
    replies: &Replies,
    endpoint: &MailEndpoint,
) -> Result<Vec<Folder>, Diagnosis> {
    if replies.advertised("LIST-STATUS") {
        return list_status(session, replies, endpoint).await;
    }
    let names: Vec<_> = session
        .list(Some(""), Some("*"))
        .await
        .map_err(|e| imap_check::failure(endpoint, replies, &e))?
        .try_collect()
        .await
        .map_err(|e| imap_check::failure(endpoint, replies, &e))?;
    if names.len() > MAX_FOLDERS {
        return Err(too_many());
    }
    let listed = names
        .iter()
        .map(|n| listed(n.name(), n.delimiter(), n.attributes()))
        .collect::<Result<Vec<_>, _>>()?;
    drop(names);
    let counts = statuses(session, replies, endpoint, &listed).await?;
    Ok(build_tree(&listed, &counts))
}

/// `LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN))`: the folders, each selectable one followed
/// by its `STATUS`.
async fn list_status(
    session: &mut ImapSession,
    replies: &Replies,
    endpoint: &MailEndpoint,
) -> Result<Vec<Folder>, Diagnosis> {
    use async_imap::imap_proto::{MailboxDatum, Response};
    let command = [r#"LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN))"#.to_owned()];
    let mut listed_names = Vec::new();
    let mut got = Vec::new();
    let mut failed = None;
    imap_pipeline::pipeline(session, replies, &command, |r| match r {
        Response::MailboxData(MailboxDatum::List {
            name_attributes,
            delimiter,
            name,
        }) if failed.is_none() => {
            if listed_names.len() >= MAX_FOLDERS {
                failed = Some(too_many());
                return;
            }
            match listed(name, delimiter.as_deref(), name_attributes) {
                Ok(l) => listed_names.push(l),
                Err(d) => failed = Some(d),
            }
        }
        Response::MailboxData(MailboxDatum::Status { mailbox, status }) => {
            got.push((mailbox.to_string(), status_counts(status)));
        }
        _ => {}
    })
    .await
    .map_err(|f| f.diagnosis(endpoint, replies))?;
    if let Some(d) = failed {
        return Err(d);
    }
    let asked: Vec<usize> = (0..listed_names.len())
        .filter(|&i| !listed_names[i].noselect)
        .collect();
    let counts = counts_of(&listed_names, &asked, &got);
    Ok(build_tree(&listed_names, &counts))
}

/// One `LIST` reply as a folder of the tree to be: its decoded name, path and special use.
fn listed(
    wire: &str,
    delimiter: Option<&str>,
    attrs: &[async_imap::types::NameAttribute<'_>],
) -> Result<Listed, Diagnosis> {
    use async_imap::types::NameAttribute as A;
    let name = imap_utf7::display(wire);
    let segments: Vec<String> = match delimiter {
        Some(d) if !d.is_empty() => name.split(d).map(str::to_owned).collect(),
        _ => vec![name.clone()],
    };
    if segments.len() > MAX_DEPTH {
        return Err(too_deep(&segments[..MAX_DEPTH].join("/")));
    }
    let well_known = if name.eq_ignore_ascii_case("INBOX") {
        Some("inbox")
    } else {
        attrs.iter().find_map(|a| match a {
            A::Archive => Some("archive"),
            A::Sent => Some("sentitems"),
            A::Drafts => Some("drafts"),
            A::Trash => Some("deleteditems"),
            A::Junk => Some("junkemail"),
            _ => None,
        })
    };
    Ok(Listed {
        noselect: attrs.iter().any(is_nonexistent),
        wire: wire.to_owned(),
        name,
        segments,
        well_known: well_known.map(str::to_owned),
    })
}

/// `MESSAGES` and `UNSEEN` of a `STATUS` reply.
fn status_counts(status: &[async_imap::imap_proto::StatusAttribute]) -> Counts {
    use async_imap::imap_proto::StatusAttribute as S;
    let mut counts = Counts::default();
    for a in status {
        match a {
            S::Messages(n) => counts.0 = Some(*n),
            S::Unseen(n) => counts.1 = Some(*n),
            _ => {}
        }
    }
    counts
}

/// A folder's total and unread messages, if the server told them.
type Counts = (Option<u32>, Option<u32>);

/// `STATUS (MESSAGES UNSEEN)` of each selectable folder, all in one round trip; the counts in
/// `listed`'s order.
async fn statuses(
    session: &mut ImapSession,
    replies: &Replies,
    endpoint: &MailEndpoint,
    listed: &[Listed],
) -> Result<Vec<Counts>, Diagnosis> {
    let asked: Vec<(usize, String)> = listed
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.noselect)
        .filter_map(|(i, l)| Some((i, imap_pipeline::quoted(&l.wire)?)))
        .collect();
    let commands: Vec<String> = asked
        .iter()
        .map(|(_, name)| format!("STATUS {name} (MESSAGES UNSEEN)"))
        .collect();
    let mut got = Vec::with_capacity(asked.len());
    imap_pipeline::pipeline(session, replies, &commands, |r| {
        use async_imap::imap_proto::{MailboxDatum, Response};
        if let Response::MailboxData(MailboxDatum::Status { mailbox, status }) = r {
            got.push((mailbox.to_string(), status_counts(status)));
        }
    })
    .await
    .map_err(|f| {
        let d = f.diagnosis(endpoint, replies);
        match f.index().and_then(|i| asked.get(i)) {
            Some(&(i, _)) => imap_gone(d, &listed[i].segments),
            None => d,
        }
    })?;
    let asked: Vec<usize> = asked.iter().map(|&(i, _)| i).collect();
    Ok(counts_of(listed, &asked, &got))
}

/// The counts of `listed`, in its order, from the `STATUS` replies `got` to the folders at
/// `asked` (the others have none).
fn counts_of(listed: &[Listed], asked: &[usize], got: &[(String, Counts)]) -> Vec<Counts> {
    let names: Vec<&str> = asked.iter().map(|&i| listed[i].wire.as_str()).collect();
    let mut counts = vec![Counts::default(); listed.len()];
    for (&i, c) in asked.iter().zip(counts_for(&names, got)) {
        counts[i] = c;
    }
    counts
}

/// Each asked folder's counts among the `STATUS` replies, which are in the server's order: by
/// name (`INBOX` in any case), or by position from a server that spells a name otherwise than
/// its `LIST` did but answers every one in order, as servers do.
fn counts_for(asked: &[&str], got: &[(String, Counts)]) -> Vec<Counts> {
    let key = |name: &str| {
        if name.eq_ignore_ascii_case("INBOX") {
            "INBOX".to_owned()
        } else {
            name.to_owned()
        }
    };
    let by_name: HashMap<String, Counts> = got.iter().map(|(n, c)| (key(n), *c)).collect();
    let in_order = got.len() == asked.len();
    asked
        .iter()
        .enumerate()
        .map(|(p, name)| {
            by_name
                .get(&key(name))
                .copied()
                .or_else(|| in_order.then(|| got[p].1))
                .unwrap_or_default()
        })
        .collect()
}

/// `\NoSelect`, or `\NonExistent` (RFC 5258), which implies it.
fn is_nonexistent(a: &async_imap::types::NameAttribute<'_>) -> bool {
    use async_imap::types::NameAttribute as A;
    match a {
        A::NoSelect => true,
        A::Extension(e) => e.eq_ignore_ascii_case("\\NonExistent"),
        _ => false,
    }
}

/// The tree from the flat list: each folder under the longest listed prefix of its path.
fn build_tree(listed: &[Listed], counts: &[Counts]) -> Vec<Folder> {
    fn children_of(listed: &[Listed], counts: &[Counts], parent: Option<usize>) -> Vec<Folder> {
        let mut out = Vec::new();
        for (i, l) in listed.iter().enumerate() {
            if parent_of(listed, i) != parent {
                continue;
            }
            out.push(Folder {
                id: l.name.clone(),
                name: l.segments.last().cloned().unwrap_or_default(),
                path: l.segments.join("/"),
                parent: parent.map(|p| listed[p].name.clone()),
                total: counts[i].0,
                unread: counts[i].1,
                well_known: l.well_known.clone(),
                hidden: false,
                children: children_of(listed, counts, Some(i)),
            });
        }
        out
    }
    fn parent_of(listed: &[Listed], i: usize) -> Option<usize> {
        let segs = &listed[i].segments;
        (1..segs.len()).rev().find_map(|n| {
            listed
                .iter()
                .position(|l| l.segments.len() == n && l.segments[..] == segs[..n])
        })
    }
    children_of(listed, counts, None)
}

/// The folder `path_or_id` (a display path such as `Inbox/Inquiries`, or the folder's id) of
/// the profile's mailbox, looked up live over its channel's protocol.
pub async fn resolve_folder<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    path_or_id: &str,
) -> Result<FolderRef, Diagnosis> {
    let tree = profile_folders(session, name, true).await?;
    let wanted = path_or_id.trim().trim_matches('/');
    tree.iter()
        .flat_map(Folder::flatten)
        .find(|f| f.path == wanted || f.id == wanted)
        .or_else(|| {
            tree.iter()
                .flat_map(Folder::flatten)
                .find(|f| f.path.eq_ignore_ascii_case(wanted))
        })
        .map(|f| FolderRef {
            id: f.id.clone(),
            path: f.path.clone(),
        })
        .ok_or_else(|| {
            Diagnosis::field(
                "Folder",
                "channel.folder_not_found",
                format!("The mailbox of “{name}” has no folder “{path_or_id}”."),
                format!("Pick one of its folders: m365-onboard folders --profile {name} lists them (paths such as Inbox/Inquiries)."),
            )
        })
}

/// The folder tree of a kept profile's mailbox, over its channel's protocol.
pub async fn profile_folders<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    include_hidden: bool,
) -> Result<Vec<Folder>, Diagnosis> {
    let p = session.profiles().require(name)?;
    let cloud = session.cloud_of(&p)?;
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let (cloud, mailbox) = (&cloud, &graph_mailbox(&p));
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    graph_folders(cloud, &token, mailbox, include_hidden).await
                })
                .await
        }
        Resource::Outlook => {
            let (cloud, login, opts) = (&cloud, &imap_login(&p), &MailCheckOptions::default());
            session
                .with_token(name, |token: AccessToken<OutlookAudience>| async move {
                    imap_folders(cloud, &token, login, opts).await
                })
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, MailProtocol};

    fn listed(name: &str) -> Listed {
        Listed {
            wire: name.to_owned(),
            name: name.to_owned(),
            segments: name.split('.').map(str::to_owned).collect(),
            noselect: false,
            well_known: None,
        }
    }

    #[test]
    fn the_tree_nests_by_the_servers_delimiter() {
        let l = vec![
            listed("INBOX"),
            listed("INBOX.Inquiries.Tech-Support"),
            listed("INBOX.Inquiries"),
            listed("Archive"),
        ];
        let counts = vec![(Some(7), Some(2)); 4];
        let tree = build_tree(&l, &counts);
        assert_eq!(tree.len(), 2);
        let tech = Folder::find(&tree, "INBOX/Inquiries/Tech-Support").unwrap();
        assert_eq!(tech.id, "INBOX.Inquiries.Tech-Support");
        assert_eq!(tech.parent.as_deref(), Some("INBOX.Inquiries"));
        assert_eq!(tech.name, "Tech-Support");
    }

    #[test]
    fn status_replies_are_matched_by_name_and_else_by_position() {
        let got = |v: &[(&str, u32)]| -> Vec<(String, Counts)> {
            v.iter()
                .map(|(n, c)| (n.to_string(), (Some(*c), None)))
                .collect()
        };
        let totals = |c: Vec<Counts>| c.into_iter().map(|c| c.0).collect::<Vec<_>>();
        let asked = ["INBOX", "Sent", "A \"b\""];
        // Dovecot may finish them out of order; `Inbox` is the inbox.
        let reordered = got(&[("Sent", 2), ("A \"b\"", 3), ("Inbox", 1)]);
        assert_eq!(
            totals(counts_for(&asked, &reordered)),
            [Some(1), Some(2), Some(3)]
        );
        // A name spelt otherwise, every reply there and in order: by position.
        let respelt = got(&[("INBOX", 1), ("Sent", 2), ("A b", 3)]);
        assert_eq!(
            totals(counts_for(&asked, &respelt)),
            [Some(1), Some(2), Some(3)]
        );
        // One reply missing: what cannot be matched by name has no count.
        let short = got(&[("INBOX", 1), ("A b", 3)]);
        assert_eq!(totals(counts_for(&asked, &short)), [Some(1), None, None]);
    }

    #[test]
    fn a_refused_status_names_the_folder() {
        let d = catalog::mail_reply(MailProtocol::Imap, "a3 NO Mailbox doesn't exist: Gone");
        let d = imap_gone(d, &["INBOX".into(), "Gone".into()]);
        assert_eq!(d.code, "imap.folder_gone");
        assert!(d.title.contains("INBOX/Gone"), "{}", d.title);
        // A refusal that names its own cause is not taken for a folder gone.
        let quota = catalog::mail_reply(MailProtocol::Imap, "a3 NO [OVERQUOTA] Quota exceeded");
        let quota_code = quota.code.clone();
        assert_ne!(quota_code, "imap.no");
        assert_eq!(imap_gone(quota, &["INBOX".into()]).code, quota_code);
    }
}
