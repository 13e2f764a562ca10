//! One message as the preview shows it: headers, plain text, HTML sanitized in Rust (no scripts,
//! no forms or frames, remote images blocked unless allowed), the attachments' names, types and
//! sizes. Parsed by `mail-parser`; a message it cannot make sense of still shows what could be
//! read plus a notice, never a blank screen or a panic.

use crate::message::inline_images::InlineImages;
use crate::message::remote_images::{inline_remote_images, RemoteImageFailure};
use crate::message::sanitize::{clean_html, ImgSrc};
use crate::message::{header_text, html_depth};
use mail_parser::{Address, MessageParser, MimeHeaders};
use serde::Serialize;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use ts_rs::TS;

/// MIME nesting deeper than this is not parsed (mail-parser keeps a stack per level); the raw
/// text is shown with a notice instead.
pub const MAX_MIME_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AttachmentInfo {
    /// Pass to `attachment_bytes` to save it.
    pub index: u32,
    pub name: String,
    pub content_type: String,
    #[ts(type = "number")]
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MessageView {
    /// From, To, Cc, Date, Subject, Message-ID, in that order, those present.
    pub headers: Vec<(String, String)>,
    /// The Date header as the sender's program wrote it (unfolded, at most 200 characters):
    /// `headers` holds it parsed, as RFC 3339.
    pub date_raw: Option<String>,
    pub text: Option<String>,
    /// Safe to show in a sandboxed iframe without scripts.
    pub html_sanitized: Option<String>,
    /// Remote images removed from the HTML: blocked, or once allowed, the distinct ones that
    /// could not be loaded.
    pub remote_images: u32,
    /// Why each allowed remote image could not be loaded (the first 100).
    pub remote_image_failures: Vec<RemoteImageFailure>,
    pub attachments: Vec<AttachmentInfo>,
    #[ts(type = "number")]
    pub raw_size: u64,
    /// What could not be parsed, in words for the user.
    pub notices: Vec<String>,
}

impl MessageView {
    /// Fetches the remote images of a view parsed with them allowed and inlines them, from the
    /// public internet only; those not loaded are counted and listed with why.
    pub async fn load_remote_images(&mut self) {
        if let Some(html) = self.html_sanitized.take() {
            let loaded = inline_remote_images(&html).await;
            self.html_sanitized = Some(loaded.html);
            self.remote_images = loaded.not_loaded;
            self.remote_image_failures = loaded.failures;
        }
    }
}

/// `Name <address>` for each, joined; `None` when there is none.
pub(crate) fn addresses(a: Option<&Address>) -> Option<String> {
    let list: Vec<String> = a?
        .iter()
        .map(|x| {
            let name = x.name.as_deref().unwrap_or_default().trim();
            let addr = x.address.as_deref().unwrap_or_default().trim();
            match (name.is_empty(), addr.is_empty()) {
                (false, false) => format!("{name} <{addr}>"),
                (false, true) => name.to_owned(),
                _ => addr.to_owned(),
            }
        })
        .filter(|s| !s.is_empty())
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// How deeply `multipart/*` boundaries nest, counted cheaply on the raw bytes: each
/// `boundary=` parameter opens a level. An upper bound, enough to refuse hostile nesting.
fn boundary_count(raw: &[u8]) -> usize {
    let needle = b"boundary=";
    raw.windows(needle.len())
        .filter(|w| w.eq_ignore_ascii_case(needle))
        .count()
}

fn raw_text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// The HTML with scripts, event handlers, `javascript:` URLs, forms, frames, meta refresh and
/// loading styles removed; remote images removed and counted unless `allow_remote_images`;
/// `cid:` images removed (a message's own are inlined by [`parse_message`]).
pub fn sanitize_html(html: &str, allow_remote_images: bool) -> (String, u32) {
    sanitize_with(html, allow_remote_images, Arc::default())
}

/// [`sanitize_html`], with `cid:` images replaced from `inline`.
fn sanitize_with(
    html: &str,
    allow_remote_images: bool,
    inline: Arc<InlineImages>,
) -> (String, u32) {
    let blocked = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&blocked);
    let out = clean_html(html, move |src| match src {
        ImgSrc::Cid(url) => inline.data_url(url),
        ImgSrc::Remote(url) if allow_remote_images => Some(url.to_owned()),
        ImgSrc::Remote(_) => {
            counter.fetch_add(1, Ordering::Relaxed);
            None
        }
    });
    (out, blocked.load(Ordering::Relaxed))
}

/// mail-parser's reading of `raw`, or `None`: it can panic on malformed MIME (a debug assertion
/// in 0.11 fires on some broken multipart nesting), which here is a message it cannot parse.
/// Headers that break the RFCs are first rewritten into UTF-8, kept in `fixed` (header_text.rs).
fn parse_mime<'a>(
    raw: &'a [u8],
    fixed: &'a mut Option<Vec<u8>>,
) -> Option<mail_parser::Message<'a>> {
    let parse = |bytes: &'a [u8]| {
        std::panic::catch_unwind(|| MessageParser::default().parse(bytes))
            .ok()
            .flatten()
    };
    let m = parse(raw)?;
    match header_text::utf8_headers(&m) {
        None => Some(m),
        Some(bytes) => parse(fixed.insert(bytes)).or(Some(m)),
    }
}

/// Parses the message; never panics, and never returns an empty view for a non-empty input.
pub fn parse_message(raw: &[u8], allow_remote_images: bool) -> MessageView {
    let mut view = MessageView {
        headers: Vec::new(),
        date_raw: None,
        text: None,
        html_sanitized: None,
        remote_images: 0,
        remote_image_failures: Vec::new(),
        attachments: Vec::new(),
        raw_size: raw.len() as u64,
        notices: Vec::new(),
    };
    if raw.is_empty() {
        view.notices.push("The message is empty.".into());
        return view;
    }
    let depth = boundary_count(raw);
    if depth > MAX_MIME_DEPTH {
        view.notices.push(format!(
            "The message nests {depth} MIME parts inside each other (more than {MAX_MIME_DEPTH}); it is shown as raw text."
        ));
        view.text = Some(raw_text(raw));
        return view;
    }
    let mut fixed = None;
    let Some(m) = parse_mime(raw, &mut fixed) else {
        view.notices
            .push("The message could not be parsed as MIME; it is shown as raw text.".into());
        view.text = Some(raw_text(raw));
        return view;
    };

    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            view.headers.push((k.to_owned(), v));
        }
    };
    push("From", addresses(m.from()));
    push("To", addresses(m.to()));
    push("Cc", addresses(m.cc()));
    push("Date", m.date().map(|d| d.to_rfc3339()));
    push("Subject", m.subject().map(str::to_owned));
    push("Message-ID", m.message_id().map(|id| format!("<{id}>")));
    view.date_raw = m.header_raw("Date").map(|d| {
        let unfolded = d.split_whitespace().collect::<Vec<_>>().join(" ");
        unfolded.chars().take(200).collect()
    });
    for (name, present) in [("From", m.from().is_some()), ("Date", m.date().is_some())] {
        if !present {
            view.notices
                .push(format!("The message has no readable {name} header."));
        }
    }

    // A multipart whose boundary never appears comes back as one opaque part.
    let root = m.root_part();
    let declared_multipart = root
        .content_type()
        .is_some_and(|c| c.ctype().eq_ignore_ascii_case("multipart"));
    if declared_multipart && !root.is_multipart() {
        view.notices.push(
            "The message says it has several parts but their boundary is missing; its body is shown as raw text."
                .into(),
        );
    }

    view.text = m
        .body_text(0)
        .map(Cow::into_owned)
        .filter(|t| !t.is_empty());
    let html = m.html_body.first().and_then(|&i| m.part(i));
    if let Some(html) = html.filter(|h| h.is_text_html()) {
        let source = html.text_contents().unwrap_or_default();
        if html_depth::too_deep(source) {
            view.notices.push(format!(
                "The HTML nests elements more than {} deep (browsers stop there); it is not rendered.",
                html_depth::MAX_HTML_DEPTH
            ));
        } else {
            let inline = Arc::new(InlineImages::of(&m));
            let (clean, blocked) = sanitize_with(source, allow_remote_images, inline);
            view.html_sanitized = Some(clean);
            view.remote_images = blocked;
        }
    }
    for (i, a) in m.attachments().enumerate() {
        view.attachments.push(AttachmentInfo {
            index: u32::try_from(i).unwrap_or(u32::MAX),
            name: attachment_name(a, i),
            content_type: content_type(a),
            size: a.len() as u64,
        });
    }
    let nothing =
        view.text.is_none() && view.html_sanitized.is_none() && view.attachments.is_empty();
    if declared_multipart && !root.is_multipart() || nothing {
        if nothing {
            view.notices
                .push("No readable body was found; the raw message is shown.".into());
        }
        let body_start = find_body(raw);
        view.text = Some(raw_text(&raw[body_start..]));
    }
    view
}

/// Where the body starts (after the first empty line), or 0.
fn find_body(raw: &[u8]) -> usize {
    for sep in [&b"\r\n\r\n"[..], &b"\n\n"[..]] {
        if let Some(p) = raw.windows(sep.len()).position(|w| w == sep) {
            return p + sep.len();
        }
    }
    0
}

fn attachment_name(a: &mail_parser::MessagePart, i: usize) -> String {
    a.attachment_name()
        .map(str::to_owned)
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            a.message()
                .and_then(|m| m.subject())
                .map(|s| format!("{s}.eml"))
        })
        .unwrap_or_else(|| format!("attachment-{}", i + 1))
}

fn content_type(a: &mail_parser::MessagePart) -> String {
    a.content_type()
        .map(|c| match c.subtype() {
            Some(s) => format!("{}/{}", c.ctype(), s).to_ascii_lowercase(),
            None => c.ctype().to_ascii_lowercase(),
        })
        .unwrap_or_else(|| {
            if a.is_message() {
                "message/rfc822".into()
            } else {
                "application/octet-stream".into()
            }
        })
}

/// The attachment at `index` (as in `MessageView::attachments`): name, type and decoded bytes.
pub fn attachment_bytes(raw: &[u8], index: u32) -> Option<(String, String, Vec<u8>)> {
    if boundary_count(raw) > MAX_MIME_DEPTH {
        return None;
    }
    let mut fixed = None;
    let m = parse_mime(raw, &mut fixed)?;
    let i = usize::try_from(index).ok()?;
    let a = m.attachments().nth(i)?;
    Some((
        attachment_name(a, i),
        content_type(a),
        a.contents().to_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_survive_only_as_raster_images() {
        let (out, blocked) = sanitize_html(
            r#"<a href="data:text/html,<script>alert(1)</script>">x</a><img src="data:image/svg+xml;base64,PHN2Zy8+"><img src="data:image/png;base64,iVBO">"#,
            false,
        );
        assert!(!out.contains("text/html") && !out.contains("svg"), "{out}");
        assert!(out.contains(r#"src="data:image/png;base64,iVBO""#), "{out}");
        assert_eq!(blocked, 0);
    }

    #[test]
    fn garbage_is_shown_as_text_with_a_notice() {
        let v = parse_message(b"\x00\x01 not a mail at all", false);
        assert!(v.text.is_some() || v.html_sanitized.is_some());
        assert!(!v.notices.is_empty());
        let empty = parse_message(b"", false);
        assert_eq!(empty.notices, vec!["The message is empty.".to_owned()]);
    }

    #[test]
    fn a_plain_message_has_headers_and_text_and_no_notice() {
        let raw = b"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nSubject: Hi\r\nMessage-ID: <1@x>\r\n\r\nHello there\r\n";
        let v = parse_message(raw, false);
        assert_eq!(
            v.headers[0],
            ("From".into(), "Bob <bob@example.test>".into())
        );
        assert!(v.headers.iter().any(|(k, v)| k == "Subject" && v == "Hi"));
        assert!(v
            .headers
            .iter()
            .any(|(k, v)| k == "Message-ID" && v == "<1@x>"));
        assert_eq!(
            v.date_raw.as_deref(),
            Some("Mon, 2 Nov 2026 10:00:00 +0000")
        );
        assert_eq!(v.text.as_deref().map(str::trim), Some("Hello there"));
        assert!(v.notices.is_empty(), "{:?}", v.notices);
    }

    use base64::Engine;

    fn mail(parts: &[(&str, &str, &str)], html: &str) -> Vec<u8> {
        let mut m = String::from(
            "From: a@example.com\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nSubject: logo\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/html\r\n\r\n",
        );
        m.push_str(html);
        for (id, kind, base64) in parts {
            m.push_str(&format!(
                "\r\n--b\r\nContent-Type: {kind}\r\nContent-ID: {id}\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{base64}\r\n"
            ));
        }
        m.push_str("--b--\r\n");
        m.into_bytes()
    }

    #[test]
    fn the_message_s_own_images_are_inlined_and_nothing_else() {
        let raw = mail(
            &[
                ("<Logo.1@Example.com>", "image/png", "iVBORw0KGgo="),
                ("<photo@x>", "image/jpg", "/9j/4A=="),
                (
                    "<vector@x>",
                    "image/svg+xml",
                    "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
                ),
                ("<page@x>", "text/html", "PHNjcmlwdD4="),
            ],
            r#"<img src="cid:logo.1%40example.com"><img src=" CID:photo@x"><img src="cid:vector@x"><img src="cid:page@x"><img src="cid:absent@x">"#,
        );
        let html = parse_message(&raw, false).html_sanitized.unwrap();
        assert!(
            html.contains(r#"src="data:image/png;base64,iVBORw0KGgo=""#),
            "{html}"
        );
        assert!(
            html.contains(r#"src="data:image/jpeg;base64,/9j/4A==""#),
            "{html}"
        );
        assert_eq!(html.matches("src=").count(), 2, "{html}");
        assert!(!html.contains("cid:"), "{html}");
    }

    #[test]
    fn inline_images_are_bounded_in_size() {
        let big = base64::engine::general_purpose::STANDARD.encode(vec![
            0u8;
            crate::message::image_limits::MAX_IMAGE_BYTES
                + 1
        ]);
        let raw = mail(
            &[("<big@x>", "image/png", &big)],
            r#"<img src="cid:big@x">"#,
        );
        let html = parse_message(&raw, false).html_sanitized.unwrap();
        assert!(!html.contains("src="), "{}", &html[..html.len().min(200)]);
    }
}
