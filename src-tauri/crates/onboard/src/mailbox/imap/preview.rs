//! The read-only message list and message source over IMAP. A folder is opened with `EXAMINE`
//! (never `SELECT`: no flag, not even `\Recent`, changes) and read with one `FETCH` of the newest
//! sequence numbers; the source with `UID FETCH … BODY.PEEK[]`, which never sets `\Seen`.
//!
//! Ids are `UIDVALIDITY:UID`, so an id from before the server renumbered the folder is refused.
//! The next-page cursor holds the folder, its UIDVALIDITY, and the lowest UID shown with its
//! sequence number then: mail that arrives later gets higher numbers, and mail expunged later
//! only moves that message down, so the next page reads just below it and keeps the UIDs under
//! it — nothing is skipped or shown twice.

use crate::mailbox::imap::check::{self as imap_check, ImapSession, Replies};
use crate::mailbox::imap::utf7 as imap_utf7;
use crate::mailbox::mail_conn::{bounded, MailCheckOptions, MailLogin};
use crate::mailbox::message_page::{refused_cursor, too_large, MAX_PAGE, MAX_RAW_BYTES};
use crate::message::header_text;
use crate::{
    catalog::Diagnosis,
    cloud::{Cloud, MailEndpoint},
    identity::{AccessToken, OutlookAudience},
    mailbox::{MessagePage, MessageSummary},
};
use async_imap::imap_proto::types::BodyStructure;
use async_imap::types::{Fetch, Flag};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::TryStreamExt;
use mail_parser::{MessageParser, MimeHeaders};

/// What a list page fetches: `BODYSTRUCTURE` marks attachments without reading the message;
/// From and Subject as raw header fields, not `ENVELOPE`: servers pass raw 8-bit and ISO-2022-JP
/// header bytes on in it as they are, split at bytes that only look like address syntax, and
/// without the `Content-Type` charset they are to be read in.
pub(crate) const PAGE_ITEMS: &str = "(UID FLAGS INTERNALDATE RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT CONTENT-TYPE)])";

/// A page without `BODYSTRUCTURE`, for a range whose structure the IMAP library cannot read:
/// imap-proto reads its parameters as UTF-8 only, so a raw 8-bit attachment name in it fails
/// the whole reply. Attachments are then told by the top-level `Content-Type`.
const PLAIN_PAGE_ITEMS: &str =
    "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT CONTENT-TYPE)])";

/// The source, at most `max` bytes of it and one more to tell a larger message; `PEEK` so that
/// `\Seen` stays as it is.
pub(crate) fn raw_items(max: usize) -> String {
    format!("(UID BODY.PEEK[]<0.{}>)", max.saturating_add(1))
}

/// What a `FETCH`'s set names: sequence numbers, or UIDs (`UID FETCH`).
#[derive(Debug, Clone, Copy)]
enum Numbers {
    Sequence,
    Uid,
}

/// A signed-in IMAP connection and the folder it has open (read-only).
pub(crate) struct ImapConn {
    session: ImapSession,
    replies: Replies,
    endpoint: MailEndpoint,
    opts: MailCheckOptions,
    open: Option<Examined>,
    /// What signs in again, when a reply the library cannot read has spoilt the connection.
    cloud: Cloud,
    login: MailLogin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Examined {
    folder: String,
    uid_validity: u32,
    /// EXISTS when it was examined.
    exists: u32,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    folder: String,
    uid_validity: u32,
    /// The lowest UID shown so far; the next page holds the UIDs below it.
    below_uid: u32,
    /// Its sequence number when it was shown: it can only have moved down since.
    seq: u32,
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "imap1\n{}\n{}\n{}\n{}",
            self.folder, self.uid_validity, self.below_uid, self.seq
        ))
    }

    fn decode(text: &str, folder: &str) -> Result<Self, Diagnosis> {
        let refuse = || {
            refused_cursor(format!(
                "The page cursor is not one of the IMAP folder “{folder}”."
            ))
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| refuse())?;
        let text = String::from_utf8(bytes).map_err(|_| refuse())?;
        let parts: Vec<&str> = text.split('\n').collect();
        let [tag, f, v, u, s] = parts.as_slice() else {
            return Err(refuse());
        };
        let number = |t: &str| t.parse::<u32>().ok().filter(|n| *n > 0);
        match (number(v), number(u), number(s)) {
            (Some(uid_validity), Some(below_uid), Some(seq)) if *tag == "imap1" && *f == folder => {
                Ok(Self {
                    folder: folder.to_owned(),
                    uid_validity,
                    below_uid,
                    seq,
                })
            }
            _ => Err(refuse()),
        }
    }
}

/// A message id: `UIDVALIDITY:UID`.
fn message_id(uid_validity: u32, uid: u32) -> String {
    format!("{uid_validity}:{uid}")
}

fn parse_message_id(id: &str) -> Result<(u32, u32), Diagnosis> {
    let parsed = id
        .split_once(':')
        .and_then(|(v, u)| Some((v.parse::<u32>().ok()?, u.parse::<u32>().ok()?)))
        .filter(|(v, u)| *v > 0 && *u > 0);
    parsed.ok_or_else(|| {
        Diagnosis::field(
            "Message",
            "preview.message_id",
            format!("“{id}” is not an IMAP message id of the preview (UIDVALIDITY:UID)."),
            "Pick the message from the folder's message list.",
        )
    })
}

fn stale(folder: &str, was: u32, now: u32) -> Diagnosis {
    Diagnosis::new(
        "preview.stale",
        format!("The folder “{folder}” was renumbered on the server"),
        format!(
            "Its UIDVALIDITY changed from {was} to {now}: the server rebuilt the folder, so message ids and page cursors from before no longer name the same messages."
        ),
        "Reload the folder's message list.",
    )
}

fn message_gone(folder: &str, id: &str) -> Diagnosis {
    Diagnosis::new(
        "preview.message_gone",
        "The message is no longer in the folder",
        format!("The message {id} is not in “{folder}” any more: it was moved or deleted."),
        "Reload the folder's message list.",
    )
}

impl ImapConn {
    /// Connects and signs in (`AUTHENTICATE XOAUTH2`) as `login`, with `token`.
    pub(crate) async fn open(
        cloud: &Cloud,
        token: &AccessToken<OutlookAudience>,
        login: &MailLogin,
        opts: &MailCheckOptions,
    ) -> Result<Self, Diagnosis> {
        let login = MailLogin {
            token: token.secret().clone(),
            ..login.clone()
        };
        let (session, replies, endpoint) = imap_check::sign_in(cloud, &login, opts).await?;
        Ok(Self {
            session,
            replies,
            endpoint,
            opts: opts.clone(),
            open: None,
            cloud: cloud.clone(),
            login,
        })
    }

    /// A fresh connection with the same folder examined, its UIDVALIDITY unchanged: async-imap
    /// keeps a reply it cannot parse at the head of its buffer, so the old one reads nothing more.
    async fn reconnect(&mut self) -> Result<(), Diagnosis> {
        let (session, replies, endpoint) =
            imap_check::sign_in(&self.cloud, &self.login, &self.opts).await?;
        let old = std::mem::replace(&mut self.session, session);
        drop(old);
        (self.replies, self.endpoint) = (replies, endpoint);
        let Some(was) = self.open.clone() else {
            return Ok(());
        };
        self.examine(&was.folder).await?;
        match &self.open {
            Some(now) if now.uid_validity != was.uid_validity => {
                Err(stale(&was.folder, was.uid_validity, now.uid_validity))
            }
            _ => Ok(()),
        }
    }

    /// `LOGOUT`, briefly: a server that does not answer is left alone.
    pub(crate) async fn close(mut self) {
        let limit = self.opts.timeout.min(std::time::Duration::from_secs(2));
        let _ = tokio::time::timeout(limit, self.session.logout()).await;
    }

    /// One page of `folder`, newest first: `EXAMINE` and one `FETCH` (a second one when mail
    /// under the cursor's message was expunged since the last page). The folder is examined
    /// afresh for every page: a connection that kept it open would not hear of expunges by
    /// others during a `FETCH` (RFC 3501 7.4.1) and would list deleted mail.
    pub(crate) async fn page(
        &mut self,
        folder: &str,
        top: u32,
        cursor: Option<&str>,
    ) -> Result<MessagePage, Diagnosis> {
        let cursor = cursor.map(|c| Cursor::decode(c, folder)).transpose()?;
        let top = top.clamp(1, MAX_PAGE);
        let (opts, endpoint) = (self.opts.clone(), self.endpoint.clone());
        bounded(&opts, &endpoint, "reading the message list", async {
            self.replies.clear();
            self.examine(folder).await?;
            let mut round_trips = 1;
            let (messages, next) = self
                .read_page(folder, top, cursor.as_ref(), &mut round_trips)
                .await?;
            Ok(MessagePage {
                messages,
                next,
                round_trips,
            })
        })
        .await
    }

    /// The newest `top` messages of the open folder below the cursor (all, without one).
    async fn read_page(
        &mut self,
        folder: &str,
        top: u32,
        cursor: Option<&Cursor>,
        round_trips: &mut u32,
    ) -> Result<(Vec<MessageSummary>, Option<String>), Diagnosis> {
        let open = self.open.clone().ok_or_else(|| not_open(folder))?;
        if let Some(c) = cursor.filter(|c| c.uid_validity != open.uid_validity) {
            return Err(stale(folder, c.uid_validity, open.uid_validity));
        }
        let (below_uid, mut hi) = match cursor {
            None => (u32::MAX, open.exists),
            Some(c) => (c.below_uid, c.seq.saturating_sub(1).min(open.exists)),
        };
        let mut found: Vec<Fetch> = Vec::new();
        // Expunges under the cursor's message since the last page leave fewer than `top`
        // below it in the first read; a second read tops the page up.
        for _ in 0..2 {
            let missing = top.saturating_sub(u32::try_from(found.len()).unwrap_or(u32::MAX));
            if hi == 0 || missing == 0 {
                break;
            }
            let lo = hi.saturating_sub(missing - 1).max(1);
            let fetched = self.fetch_range(lo, hi).await?;
            *round_trips += 1;
            found.extend(fetched.into_iter().filter(|f| {
                f.uid.is_some_and(|u| u < below_uid) && (lo..=hi).contains(&f.message)
            }));
            hi = lo - 1;
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.uid));
        found.dedup_by_key(|f| f.uid);
        found.truncate(usize::try_from(top).unwrap_or(usize::MAX));
        let next = found.last().filter(|f| f.message > 1).and_then(|f| {
            Some(
                Cursor {
                    folder: folder.to_owned(),
                    uid_validity: open.uid_validity,
                    below_uid: f.uid?,
                    seq: f.message,
                }
                .encode(),
            )
        });
        let messages = found
            .iter()
            .map(|f| summary(f, open.uid_validity))
            .collect();
        Ok((messages, next))
    }

    /// The message's source by its id: `EXAMINE` unless the folder is open (with the id's
    /// UIDVALIDITY), then one `UID FETCH … BODY.PEEK[]` of at most `max` bytes.
    pub(crate) async fn raw(
        &mut self,
        folder: &str,
        id: &str,
        max: usize,
    ) -> Result<Vec<u8>, Diagnosis> {
        let (uid_validity, uid) = parse_message_id(id)?;
        let (opts, endpoint) = (self.opts.clone(), self.endpoint.clone());
        bounded(&opts, &endpoint, "reading the message", async {
            self.replies.clear();
            let current = |o: &Examined| o.folder == folder && o.uid_validity == uid_validity;
            if !self.open.as_ref().is_some_and(current) {
                self.examine(folder).await?;
            }
            let open = self.open.clone().ok_or_else(|| not_open(folder))?;
            if open.uid_validity != uid_validity {
                return Err(stale(folder, uid_validity, open.uid_validity));
            }
            let failure = self.failure();
            let fetched: Vec<Fetch> = self
                .session
                .uid_fetch(uid.to_string(), raw_items(max))
                .await
                .map_err(&failure)?
                .try_collect()
                .await
                .map_err(&failure)?;
            let body = fetched
                .iter()
                .find(|f| f.uid == Some(uid))
                .and_then(Fetch::body)
                .ok_or_else(|| message_gone(folder, id))?;
            if body.len() > max {
                return Err(too_large(&format!("The message {id}"), max));
            }
            Ok(body.to_vec())
        })
        .await
    }

    /// `EXAMINE` of `folder` (read-only) for another module's reads (search); its UIDVALIDITY.
    pub(crate) async fn examine_folder(&mut self, folder: &str) -> Result<u32, Diagnosis> {
        self.examine(folder).await?;
        let open = self.open.as_ref().ok_or_else(|| not_open(folder))?;
        Ok(open.uid_validity)
    }

    /// The list entries of `uids` in the open folder (one `UID FETCH` of the page's items),
    /// highest UID first; UIDs expunged meanwhile are left out.
    pub(crate) async fn summaries(
        &mut self,
        uids: &[u32],
    ) -> Result<Vec<MessageSummary>, Diagnosis> {
        let open = self.open.clone().ok_or_else(|| not_open("the folder"))?;
        if uids.is_empty() {
            return Ok(vec![]);
        }
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut fetched = self.fetch_page_items(&set, Numbers::Uid).await?;
        fetched.retain(|f| f.uid.is_some_and(|u| uids.contains(&u)));
        fetched.sort_by_key(|f| std::cmp::Reverse(f.uid));
        fetched.dedup_by_key(|f| f.uid);
        Ok(fetched
            .iter()
            .map(|f| summary(f, open.uid_validity))
            .collect())
    }

    /// The session with what explains its failures and bounds its waits, for the commands of
    /// another module (search's literals).
    pub(crate) fn wire(
        &mut self,
    ) -> (&mut ImapSession, &Replies, &MailEndpoint, &MailCheckOptions) {
        (&mut self.session, &self.replies, &self.endpoint, &self.opts)
    }

    /// `EXAMINE` (read-only), remembering UIDVALIDITY and EXISTS.
    async fn examine(&mut self, folder: &str) -> Result<(), Diagnosis> {
        self.open = None;
        let mailbox = self
            .session
            .examine(imap_utf7::encode(folder))
            .await
            .map_err(|e| {
                crate::mailbox::folder_gone::imap_gone((self.failure())(e), &[folder.to_owned()])
            })?;
        let uid_validity = mailbox.uid_validity.ok_or_else(|| {
            Diagnosis::new(
                "imap.no_uidvalidity",
                "The IMAP server gave the folder no UIDVALIDITY",
                format!("EXAMINE of “{folder}” answered without UIDVALIDITY, which IMAP4rev1 requires; messages cannot be named reliably."),
                "Check that the IMAP host is Exchange Online (outlook.office365.com) or another IMAP4rev1 server.",
            )
        })?;
        self.open = Some(Examined {
            folder: folder.to_owned(),
            uid_validity,
            exists: mailbox.exists,
        });
        Ok(())
    }

    async fn fetch_range(&mut self, lo: u32, hi: u32) -> Result<Vec<Fetch>, Diagnosis> {
        self.fetch_page_items(&format!("{lo}:{hi}"), Numbers::Sequence)
            .await
    }

    /// The list entries of `set`; a reply the library cannot parse is read again on a fresh
    /// connection without `BODYSTRUCTURE` (see [`PLAIN_PAGE_ITEMS`]).
    async fn fetch_page_items(
        &mut self,
        set: &str,
        numbers: Numbers,
    ) -> Result<Vec<Fetch>, Diagnosis> {
        match self.try_fetch(set, numbers, PAGE_ITEMS).await {
            Err(e) if imap_check::is_unparsable(&e) => {
                self.reconnect().await?;
                let plain = self.try_fetch(set, numbers, PLAIN_PAGE_ITEMS).await;
                plain.map_err(self.failure())
            }
            fetched => fetched.map_err(self.failure()),
        }
    }

    async fn try_fetch(
        &mut self,
        set: &str,
        numbers: Numbers,
        items: &str,
    ) -> Result<Vec<Fetch>, async_imap::error::Error> {
        match numbers {
            Numbers::Sequence => self.session.fetch(set, items).await?.try_collect().await,
            Numbers::Uid => {
                self.session
                    .uid_fetch(set, items)
                    .await?
                    .try_collect()
                    .await
            }
        }
    }

    /// Turns a client error into the catalog's diagnosis (the server's refusal as sent).
    fn failure(&self) -> impl Fn(async_imap::error::Error) -> Diagnosis {
        let (endpoint, replies) = (self.endpoint.clone(), self.replies.clone());
        move |e| imap_check::failure(&endpoint, &replies, &e)
    }
}

fn not_open(folder: &str) -> Diagnosis {
    Diagnosis::new(
        "imap.folder_gone",
        format!("The folder “{folder}” is not open"),
        "The IMAP server did not keep the folder open.",
        "Reload the folder list and pick the folder again.",
    )
}

/// The list entry: From and Subject, flags, size and internal date as the server has them.
fn summary(f: &Fetch, uid_validity: u32) -> MessageSummary {
    let (from, subject, multipart_mixed) = f.header().map(from_and_subject).unwrap_or_default();
    MessageSummary {
        id: message_id(uid_validity, f.uid.unwrap_or_default()),
        from,
        subject,
        received: f
            .internal_date()
            .map(|d| d.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
        size: f.size.map(u64::from),
        has_attachments: f.bodystructure().map_or(multipart_mixed, has_attachments),
        is_read: f.flags().any(|fl| fl == Flag::Seen),
    }
}

/// From (`Name <address>`, or the address alone, as the Graph list shows it) and Subject of
/// raw header fields, read as the message view reads them (message/header_text.rs); and
/// whether the message is `multipart/mixed`, the sign of attachments without a `BODYSTRUCTURE`.
fn from_and_subject(header: &[u8]) -> (String, String, bool) {
    let first = MessageParser::default().parse_headers(header);
    let declared = first
        .as_ref()
        .and_then(|m| m.root_part().content_type())
        .and_then(|c| c.attribute("charset"));
    let fixed = header_text::utf8_header_block(header, declared);
    let m = match &fixed {
        Some(bytes) => MessageParser::default().parse_headers(bytes),
        None => first,
    };
    let Some(m) = m else {
        return Default::default();
    };
    let from = m.from().and_then(|a| a.first()).map(|a| {
        let name = a.name.as_deref().unwrap_or_default().trim();
        let address = a.address.as_deref().unwrap_or_default().trim();
        match (name, address) {
            ("", a) => a.to_owned(),
            (n, "") => n.to_owned(),
            (n, a) if n == a => a.to_owned(),
            (n, a) => format!("{n} <{a}>"),
        }
    });
    let subject = m.subject().unwrap_or_default().trim().to_owned();
    let mixed = m.root_part().content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("multipart")
            && c.subtype().is_some_and(|s| s.eq_ignore_ascii_case("mixed"))
    });
    (from.unwrap_or_default(), subject, mixed)
}

/// An attachment as the message view counts them: any part that is not text, or text marked
/// as an attachment, or an attached message.
fn has_attachments(b: &BodyStructure<'_>) -> bool {
    match b {
        BodyStructure::Multipart { bodies, .. } => bodies.iter().any(has_attachments),
        BodyStructure::Text { common, .. } => common
            .disposition
            .as_ref()
            .is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment")),
        BodyStructure::Basic { .. } | BodyStructure::Message { .. } => true,
    }
}

/// One page of an IMAP folder's messages on a connection of its own (signed in, read, logged
/// out). `folder` is a [`crate::mailbox::Folder::id`]; `cursor` the `next` of the previous page. The
/// first page costs 2 commands after sign-in (`EXAMINE`, `FETCH`).
pub async fn imap_message_page(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    folder: &str,
    top: u32,
    cursor: Option<&str>,
    opts: &MailCheckOptions,
) -> Result<MessagePage, Diagnosis> {
    let mut conn = ImapConn::open(cloud, token, login, opts).await?;
    let page = conn.page(folder, top, cursor).await;
    conn.close().await;
    page
}

/// A message's MIME source by its id (from [`imap_message_page`]), at most
/// [`MAX_RAW_BYTES`], on a connection of its own.
pub async fn imap_raw_message(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    folder: &str,
    id: &str,
    opts: &MailCheckOptions,
) -> Result<Vec<u8>, Diagnosis> {
    imap_raw_message_bounded(cloud, token, login, folder, id, MAX_RAW_BYTES, opts).await
}

/// As [`imap_raw_message`], with the bound given.
pub async fn imap_raw_message_bounded(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    folder: &str,
    id: &str,
    max_bytes: usize,
    opts: &MailCheckOptions,
) -> Result<Vec<u8>, Diagnosis> {
    let mut conn = ImapConn::open(cloud, token, login, opts).await?;
    let raw = conn.raw(folder, id, max_bytes).await;
    conn.close().await;
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commands_cannot_change_a_flag() {
        assert!(!PAGE_ITEMS.contains("BODY["), "{PAGE_ITEMS}");
        let raw = raw_items(MAX_RAW_BYTES);
        assert!(raw.contains("BODY.PEEK[]<0.52428801>"), "{raw}");
        assert!(!raw.replace("BODY.PEEK[", "").contains("BODY["), "{raw}");
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_folder() {
        let c = Cursor {
            folder: "INBOX/Büro".into(),
            uid_validity: 1_700_000_000,
            below_uid: 42,
            seq: 17,
        };
        let text = c.encode();
        assert_eq!(Cursor::decode(&text, "INBOX/Büro").unwrap(), c);
        assert_eq!(
            Cursor::decode(&text, "INBOX").unwrap_err().code,
            "preview.cursor"
        );
        for bad in [
            "",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("imap1\nINBOX\n0\n1\n1"),
        ] {
            assert_eq!(
                Cursor::decode(bad, "INBOX").unwrap_err().code,
                "preview.cursor"
            );
        }
    }

    #[test]
    fn message_ids_carry_uidvalidity() {
        assert_eq!(parse_message_id(&message_id(7, 42)).unwrap(), (7, 42));
        for bad in ["42", "7:", ":42", "0:42", "7:0", "a:b", "AAMkAD…"] {
            let d = parse_message_id(bad).unwrap_err();
            assert_eq!(
                (d.code.as_str(), d.field.as_deref()),
                ("preview.message_id", Some("Message"))
            );
        }
    }

    #[test]
    fn encoded_words_and_addresses_read_as_people_write_them() {
        let fields = |f: &[u8]| from_and_subject(&[f, b"\r\n\r\n"].concat());
        assert_eq!(
            fields(b"Subject: =?utf-8?q?B=C3=BCro_Anfrage?=\r\nFrom: =?iso-8859-1?q?J=F6rg?= <joerg@example.test>"),
            ("Jörg <joerg@example.test>".into(), "Büro Anfrage".into(), false)
        );
        assert_eq!(
            fields(b"From: joerg@example.test\r\nSubject: plain"),
            ("joerg@example.test".into(), "plain".into(), false)
        );
        // Raw KOI8-R, read in the charset the message names.
        assert_eq!(
            fields(b"From: \xe9\xd7\xc1\xce <ivan@example.test>\r\nSubject: \xf3\xde\xa3\xd4\r\nContent-Type: text/plain; charset=koi8-r"),
            ("Иван <ivan@example.test>".into(), "Счёт".into(), false)
        );
        assert!(fields(b"From: a@example.test\r\nContent-Type: Multipart/Mixed; boundary=x").2);
    }
}
