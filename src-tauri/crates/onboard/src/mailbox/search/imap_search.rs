//! A search over IMAP, read-only: the folder is opened with `EXAMINE` (never `SELECT`, so no
//! flag changes), searched with `UID SEARCH CHARSET UTF-8 …` and the page's messages read with
//! the folder view's `UID FETCH` (`BODY.PEEK`). Words that are not ASCII go as literals
//! (`{n}`), as IMAP4rev1 wants 8-bit text. A server that answers `NO [BADCHARSET]` is asked
//! again without `CHARSET` when every word is ASCII; otherwise the refusal says why.
//!
//! Results are newest first by UID (arrival), as the folder view; the cursor holds the folder,
//! its UIDVALIDITY and the lowest UID shown, so the next page searches below it. IMAP has no
//! attachment criterion: the server narrows to messages whose `Content-Type` may hold one and
//! the page keeps those whose `BODYSTRUCTURE` has one, as the folder view marks them.
//! All folders: `LIST`, then folder by folder (INBOX first), reporting progress after each and
//! stopping when told to.

use crate::catalog::{self, Diagnosis, MailProtocol};
use crate::cloud::Cloud;
use crate::identity::{AccessToken, OutlookAudience};
use crate::mailbox::imap::check::{self as imap_check, ImapSession, Replies};
use crate::mailbox::imap::pipeline::quoted;
use crate::mailbox::imap::preview::ImapConn;
use crate::mailbox::imap::utf7 as imap_utf7;
use crate::mailbox::mail_conn::{bounded, MailCheckOptions, MailLogin};
use crate::mailbox::message_page::{refused_cursor, MAX_PAGE};
use crate::mailbox::search::page::{Progress, SearchHit, SearchPage, SearchProgress};
use crate::mailbox::search::query::ValidQuery;
use crate::mailbox::MessageSummary;
use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::TryStreamExt;
use std::sync::atomic::{AtomicU32, Ordering};

/// How many candidates one `UID FETCH` reads when attachments decide (each read is a round
/// trip), and how many reads one page may take before it returns what it has.
const ATTACHMENT_BATCH: usize = 100;
const ATTACHMENT_READS: usize = 10;

/// One part of a search command: a keyword as it is, or a string (quoted, or a literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Atom(String),
    Str(String),
}

fn imap_day(d: chrono::NaiveDate) -> String {
    d.format("%-d-%b-%Y").to_string()
}

/// The search keys of a query (RFC 3501 6.4.4): `TEXT`, `FROM`, `SUBJECT`, `SINCE`, `BEFORE`
/// (by internal date: `SINCE` includes its day, `BEFORE` does not) and, for attachments, a
/// `Content-Type` that may hold one (multipart, or not text at all).
pub(crate) fn criteria(q: &ValidQuery) -> Vec<Part> {
    let atom = |s: &str| Part::Atom(s.to_owned());
    let mut out = Vec::new();
    for (key, value) in [
        ("TEXT", &q.text),
        ("FROM", &q.from),
        ("SUBJECT", &q.subject),
    ] {
        if let Some(v) = value {
            out.extend([atom(key), Part::Str(v.clone())]);
        }
    }
    if let Some(d) = q.since {
        out.push(Part::Atom(format!("SINCE {}", imap_day(d))));
    }
    if let Some(d) = q.before {
        out.push(Part::Atom(format!("BEFORE {}", imap_day(d))));
    }
    if q.has_attachments {
        out.extend([
            atom("OR HEADER Content-Type"),
            Part::Str("multipart".into()),
            atom("NOT HEADER Content-Type"),
            Part::Str("text".into()),
        ]);
    }
    out
}

/// The command's lines: each but the last ends in a literal's `{n}`, and the next starts with
/// that literal's bytes.
pub(crate) fn command_lines(tag: &str, parts: &[Part], charset: bool) -> Vec<String> {
    let mut lines = vec![format!(
        "{tag} UID SEARCH{}",
        if charset { " CHARSET UTF-8" } else { "" }
    )];
    for p in parts {
        let last = lines.len() - 1;
        match p {
            Part::Atom(a) => lines[last].push_str(&format!(" {a}")),
            Part::Str(s) => match quoted(s).filter(|_| s.is_ascii()) {
                Some(q) => lines[last].push_str(&format!(" {q}")),
                None => {
                    lines[last].push_str(&format!(" {{{}}}", s.len()));
                    lines.push(s.clone());
                }
            },
        }
    }
    lines
}

/// What a `UID SEARCH` got.
enum Searched {
    Found(Vec<u32>),
    BadCharset(String),
}

static TAGS: AtomicU32 = AtomicU32::new(1);

/// Sends one `UID SEARCH` (waiting for the server's `+` before each literal) and reads its
/// answer. The round trips it cost are added to `trips`.
async fn uid_search(
    session: &mut ImapSession,
    replies: &Replies,
    endpoint: &crate::cloud::MailEndpoint,
    parts: &[Part],
    charset: bool,
    trips: &mut u32,
) -> Result<Searched, Diagnosis> {
    let tag = format!("S{}", TAGS.fetch_add(1, Ordering::Relaxed));
    let lines = command_lines(&tag, parts, charset);
    let broken = |e: async_imap::error::Error| imap_check::failure(endpoint, replies, &e);
    let io = |e: std::io::Error| broken(async_imap::error::Error::Io(e));
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        session.run_command_untagged(line).await.map_err(broken)?;
        *trips += 1;
        let last = i + 1 == lines.len();
        loop {
            let reply = session
                .read_response()
                .await
                .map_err(io)?
                .ok_or_else(|| broken(async_imap::error::Error::ConnectionLost))?;
            match reply.parsed() {
                Response::Continue { .. } if !last => break,
                Response::MailboxData(MailboxDatum::Search(uids)) => found.extend(uids),
                Response::Done {
                    tag: t,
                    status,
                    code,
                    information,
                } if t.0 == tag => {
                    if *status == Status::Ok {
                        return Ok(Searched::Found(found));
                    }
                    let line = replies.tagged(&tag).unwrap_or_else(|| {
                        format!("{tag} NO {}", information.as_deref().unwrap_or_default())
                    });
                    if matches!(code, Some(ResponseCode::BadCharset(_))) {
                        return Ok(Searched::BadCharset(line));
                    }
                    return Err(catalog::mail_reply(MailProtocol::Imap, &line));
                }
                _ => {}
            }
        }
    }
    // The last line's answer ends the loop above; a server that sent `+` to it is not IMAP.
    Err(broken(async_imap::error::Error::ConnectionLost))
}

fn charset_refused(line: &str) -> Diagnosis {
    Diagnosis::new(
        "imap.search_charset",
        "The IMAP server cannot search for these characters",
        format!("The server refused to search in UTF-8 (“{line}”), and the search has letters outside ASCII, which a search without a character set cannot carry."),
        "Search for words in plain ASCII letters (e.g. part of the address, or a word without umlauts), or search over Microsoft Graph.",
    )
}

/// Where the next page starts: in `folder` (of that UIDVALIDITY) below `below_uid`, or at the
/// top of `folder` when `uid_validity` is 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub fingerprint: String,
    pub folder: String,
    pub uid_validity: u32,
    pub below_uid: u32,
}

impl Cursor {
    pub(crate) fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "isearch1\n{}\n{}\n{}\n{}",
            self.fingerprint, self.uid_validity, self.below_uid, self.folder
        ))
    }

    pub(crate) fn decode(text: &str, q: &ValidQuery) -> Result<Self, Diagnosis> {
        let refuse = || refused_cursor("The page cursor is not one of this IMAP search.".into());
        let text = URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(refuse)?;
        let mut p = text.splitn(5, '\n');
        let (Some("isearch1"), Some(fp), Some(v), Some(u), Some(folder)) =
            (p.next(), p.next(), p.next(), p.next(), p.next())
        else {
            return Err(refuse());
        };
        let c = Self {
            fingerprint: fp.to_owned(),
            uid_validity: v.parse().map_err(|_| refuse())?,
            below_uid: u.parse().map_err(|_| refuse())?,
            folder: folder.to_owned(),
        };
        let in_scope = q.folder.as_ref().is_none_or(|f| *f == c.folder);
        if c.fingerprint != q.fingerprint() || !in_scope {
            return Err(refuse());
        }
        Ok(c)
    }
}

/// One folder's share of a page.
struct FolderHits {
    hits: Vec<MessageSummary>,
    uid_validity: u32,
    /// More candidates below this UID are left for the next page.
    more_below: Option<u32>,
}

/// The state a search keeps between folders.
struct Run<'q> {
    parts: Vec<Part>,
    query: &'q ValidQuery,
    /// The server refused `CHARSET UTF-8` once: not asked again.
    plain: bool,
    trips: u32,
}

impl Run<'_> {
    /// `EXAMINE` of `folder`, `UID SEARCH` below `below` (of `validity`, 0: from the top), and
    /// the first `want` matches read.
    async fn folder(
        &mut self,
        conn: &mut ImapConn,
        folder: &str,
        validity: u32,
        below: u32,
        want: usize,
    ) -> Result<FolderHits, Diagnosis> {
        let uid_validity = conn.examine_folder(folder).await?;
        self.trips += 1;
        if validity != 0 && validity != uid_validity {
            return Err(Diagnosis::new(
                "preview.stale",
                format!("The folder “{folder}” was renumbered on the server"),
                format!("Its UIDVALIDITY changed from {validity} to {uid_validity}, so the search's next page no longer names the same messages."),
                "Search again.",
            ));
        }
        let mut parts = self.parts.clone();
        if validity != 0 {
            if below <= 1 {
                return Ok(FolderHits {
                    hits: vec![],
                    uid_validity,
                    more_below: None,
                });
            }
            parts.push(Part::Atom(format!("UID 1:{}", below - 1)));
        }
        let mut uids = self.search(conn, &parts).await?;
        uids.sort_unstable_by(|a, b| b.cmp(a));
        uids.dedup();
        let (hits, more_below) = self.read(conn, &uids, want).await?;
        Ok(FolderHits {
            hits,
            uid_validity,
            more_below,
        })
    }

    async fn search(&mut self, conn: &mut ImapConn, parts: &[Part]) -> Result<Vec<u32>, Diagnosis> {
        let (session, replies, endpoint, _) = conn.wire();
        replies.clear();
        if !self.plain {
            match uid_search(session, replies, endpoint, parts, true, &mut self.trips).await? {
                Searched::Found(uids) => return Ok(uids),
                Searched::BadCharset(line) => {
                    let ascii = parts.iter().all(|p| match p {
                        Part::Str(s) => s.is_ascii(),
                        Part::Atom(_) => true,
                    });
                    if !ascii {
                        return Err(charset_refused(&line));
                    }
                    self.plain = true;
                }
            }
        }
        match uid_search(session, replies, endpoint, parts, false, &mut self.trips).await? {
            Searched::Found(uids) => Ok(uids),
            Searched::BadCharset(line) => Err(charset_refused(&line)),
        }
    }

    /// The newest `want` of `uids` (highest first) as list entries; with attachments asked
    /// for, only those whose structure has one. The UID below which more are left, if any.
    async fn read(
        &mut self,
        conn: &mut ImapConn,
        uids: &[u32],
        want: usize,
    ) -> Result<(Vec<MessageSummary>, Option<u32>), Diagnosis> {
        if !self.query.has_attachments {
            let shown = &uids[..want.min(uids.len())];
            let hits = conn.summaries(shown).await?;
            self.trips += u32::from(!shown.is_empty());
            let more = (uids.len() > shown.len())
                .then(|| shown.last().copied())
                .flatten();
            return Ok((hits, more));
        }
        let mut hits = Vec::new();
        for (n, batch) in uids.chunks(ATTACHMENT_BATCH.max(want)).enumerate() {
            let read = conn.summaries(batch).await?;
            self.trips += 1;
            for m in read {
                if m.has_attachments {
                    hits.push(m);
                }
                if hits.len() == want {
                    let at = uid_of(&hits[want - 1].id);
                    let more = uids.last().is_some_and(|l| *l < at).then_some(at);
                    return Ok((hits, more));
                }
            }
            let last = batch.last().copied();
            let rest = uids.len() > (n + 1) * ATTACHMENT_BATCH.max(want);
            if rest && n + 1 == ATTACHMENT_READS {
                return Ok((hits, last));
            }
        }
        Ok((hits, None))
    }
}

fn uid_of(id: &str) -> u32 {
    id.rsplit(':')
        .next()
        .and_then(|u| u.parse().ok())
        .unwrap_or(0)
}

fn hits(folder: &str, found: Vec<MessageSummary>) -> impl Iterator<Item = SearchHit> + '_ {
    found.into_iter().map(move |message| SearchHit {
        message,
        folder: folder.to_owned(),
    })
}

/// The folders a search across all of them visits: every selectable one, INBOX first, by the
/// names the folder tree gives them.
async fn folders(conn: &mut ImapConn, trips: &mut u32) -> Result<Vec<String>, Diagnosis> {
    use async_imap::types::NameAttribute as A;
    let (session, replies, endpoint, _) = conn.wire();
    let failure = |e| imap_check::failure(endpoint, replies, &e);
    let names: Vec<_> = session
        .list(Some(""), Some("*"))
        .await
        .map_err(failure)?
        .try_collect()
        .await
        .map_err(failure)?;
    *trips += 1;
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| {
            !n.attributes().iter().any(|a| match a {
                A::NoSelect => true,
                A::Extension(e) => e.eq_ignore_ascii_case("\\NonExistent"),
                _ => false,
            })
        })
        .map(|n| imap_utf7::display(n.name()))
        .collect();
    out.sort_by_key(|n| !n.eq_ignore_ascii_case("INBOX"));
    Ok(out)
}

impl ImapConn {
    /// One page of a search (a validated query), on this connection. `progress` hears of each
    /// folder of an all-folders search and stops it by returning `false`.
    pub(crate) async fn search(
        &mut self,
        q: &ValidQuery,
        top: u32,
        cursor: Option<&str>,
        progress: &Progress,
    ) -> Result<SearchPage, Diagnosis> {
        let cursor = cursor.map(|c| Cursor::decode(c, q)).transpose()?;
        let want = usize::try_from(top.clamp(1, MAX_PAGE)).unwrap_or(50);
        let mut run = Run {
            parts: criteria(q),
            query: q,
            plain: false,
            trips: 0,
        };
        let (opts, endpoint) = {
            let (_, _, e, o) = self.wire();
            (o.clone(), e.clone())
        };
        let page_of = |messages, next: Option<Cursor>, trips, stopped, searched| SearchPage {
            messages,
            next: next.map(|c| c.encode()),
            round_trips: trips,
            capped: None,
            stopped,
            folders_searched: searched,
        };
        let fingerprint = q.fingerprint();
        let at = |folder: &str, uid_validity, below_uid| Cursor {
            fingerprint: fingerprint.clone(),
            folder: folder.to_owned(),
            uid_validity,
            below_uid,
        };
        if let Some(folder) = &q.folder {
            let (v, below) = cursor
                .as_ref()
                .map_or((0, 0), |c| (c.uid_validity, c.below_uid));
            let found = bounded(&opts, &endpoint, "searching the folder", async {
                run.folder(self, folder, v, below, want).await
            })
            .await?;
            let next = found.more_below.map(|b| at(folder, found.uid_validity, b));
            let messages = hits(folder, found.hits).collect();
            return Ok(page_of(messages, next, run.trips, false, 1));
        }
        let all = bounded(&opts, &endpoint, "listing folders", async {
            folders(self, &mut run.trips).await
        })
        .await?;
        let start = match &cursor {
            None => 0,
            Some(c) => all.iter().position(|f| *f == c.folder).ok_or_else(|| {
                Diagnosis::new(
                    "imap.folder_gone",
                    format!("The folder “{}” is gone", c.folder),
                    "The folder the search was in is no longer on the server.",
                    "Search again.",
                )
            })?,
        };
        let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
        let mut messages: Vec<SearchHit> = Vec::new();
        let mut searched = 0;
        for (i, folder) in all.iter().enumerate().skip(start) {
            let (v, below) = match &cursor {
                Some(c) if c.folder == *folder => (c.uid_validity, c.below_uid),
                _ => (0, 0),
            };
            let want_here = want - messages.len();
            let what = format!("searching “{folder}”");
            let found = bounded(&opts, &endpoint, &what, async {
                run.folder(self, folder, v, below, want_here).await
            })
            .await?;
            searched += 1;
            messages.extend(hits(folder, found.hits));
            let go_on = progress(&SearchProgress {
                folder: folder.clone(),
                folders_done: u32::try_from(i + 1).unwrap_or(u32::MAX),
                folders_total: total,
                found: u32::try_from(messages.len()).unwrap_or(u32::MAX),
            });
            let next = match (found.more_below, all.get(i + 1)) {
                (Some(b), _) => Some(at(folder, found.uid_validity, b)),
                (None, Some(f)) => Some(at(f, 0, 0)),
                (None, None) => None,
            };
            if messages.len() >= want || !go_on || next.is_none() {
                let stopped = !go_on && next.is_some() && messages.len() < want;
                return Ok(page_of(messages, next, run.trips, stopped, searched));
            }
        }
        Ok(page_of(messages, None, run.trips, false, searched))
    }
}

/// One page of a search on a connection of its own (signed in, searched, logged out).
#[allow(clippy::too_many_arguments)] // the IMAP reads' usual arguments, and the search's
pub async fn imap_search(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    query: &ValidQuery,
    top: u32,
    cursor: Option<&str>,
    progress: &Progress,
    opts: &MailCheckOptions,
) -> Result<SearchPage, Diagnosis> {
    let mut conn = ImapConn::open(cloud, token, login, opts).await?;
    let page = conn.search(query, top, cursor, progress).await;
    conn.close().await;
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::search::query::SearchQuery;

    fn valid(edit: impl FnOnce(&mut SearchQuery)) -> ValidQuery {
        let mut s = SearchQuery::in_folder("INBOX");
        edit(&mut s);
        s.validate().unwrap()
    }

    #[test]
    fn every_filter_becomes_its_search_key() {
        let q = valid(|s| {
            s.text = Some("printer jam".into());
            s.from = Some("acme".into());
            s.subject = Some("Büro".into());
            s.since = Some("2026-11-01".into());
            s.before = Some("2026-12-01".into());
            s.has_attachments = true;
        });
        let lines = command_lines("S1", &criteria(&q), true);
        assert_eq!(
            lines,
            [
                "S1 UID SEARCH CHARSET UTF-8 TEXT \"printer jam\" FROM \"acme\" SUBJECT {5}",
                "Büro SINCE 1-Nov-2026 BEFORE 1-Dec-2026 OR HEADER Content-Type \"multipart\" NOT HEADER Content-Type \"text\"",
            ]
        );
        let plain = command_lines(
            "S2",
            &criteria(&valid(|s| s.from = Some("a\\b".into()))),
            false,
        );
        assert_eq!(plain, ["S2 UID SEARCH FROM \"a\\\\b\""]);
    }

    #[test]
    fn cursors_belong_to_their_search_and_folder() {
        let q = valid(|s| s.text = Some("x".into()));
        let c = Cursor {
            fingerprint: q.fingerprint(),
            folder: "INBOX".into(),
            uid_validity: 7,
            below_uid: 42,
        };
        assert_eq!(Cursor::decode(&c.encode(), &q).unwrap(), c);
        let other = valid(|s| s.text = Some("y".into()));
        assert_eq!(
            Cursor::decode(&c.encode(), &other).unwrap_err().code,
            "preview.cursor"
        );
        let elsewhere = Cursor {
            folder: "Sent".into(),
            ..c.clone()
        };
        assert_eq!(
            Cursor::decode(&elsewhere.encode(), &q).unwrap_err().code,
            "preview.cursor"
        );
        assert_eq!(
            Cursor::decode("nonsense", &q).unwrap_err().code,
            "preview.cursor"
        );
    }
}
