//! Raw header bytes to text, as Thunderbird and Zammad read mail that breaks the RFCs: raw 8-bit
//! bytes are UTF-8 when valid, else in the charset of the message's `Content-Type`, else in the
//! legacy charset `chardetng` detects; raw ISO-2022-JP is decoded as such; encoded words
//! (RFC 2047) and extended parameters (RFC 2231) in unknown or misspelt charsets are read in the
//! closest known one, and a character split between two of them is joined first.
//!
//! mail-parser 0.11 reads raw 8-bit bytes and unknown charsets as U+FFFD and keeps ISO-2022-JP's
//! escapes (whose bytes can even look like address syntax), so header blocks are rewritten here
//! into UTF-8, each encoded word and extended parameter re-encoded as UTF-8, and mail-parser then
//! reads their structure. Every byte sequence decodes to something.
//!
//! Uses only std and crates (mail-parser, encoding_rs, chardetng, base64): the simulator
//! includes this file to store headers decoded as Exchange does.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chardetng::EncodingDetector;
use encoding_rs::{Encoding, ISO_2022_JP, UTF_8, X_USER_DEFINED};
use mail_parser::{Message, MessageParser, MimeHeaders};
use std::borrow::Cow;
use std::ops::Range;

/// The encoding a charset label names: WHATWG's labels, then spellings that real mail uses and
/// WHATWG does not list. `None` for a label no decoder knows.
pub fn charset_for_label(label: &[u8]) -> Option<&'static Encoding> {
    // RFC 2231 section 5 lets an encoded word's charset carry a language: `utf-8*de`.
    let label = label.split(|&b| b == b'*').next().unwrap_or_default();
    let lower = String::from_utf8_lossy(label.trim_ascii()).to_ascii_lowercase();
    let known =
        |l: &str| Encoding::for_label_no_replacement(l.as_bytes()).filter(|e| *e != X_USER_DEFINED);
    let alias = match lower.as_str() {
        "cp932" | "windows-932" | "x-ms-cp932" | "shift-jis" | "shiftjis" => "shift_jis",
        "cp949" | "uhc" | "ks_c_5601" | "x-windows-949" | "ksc5601-1987" => "euc-kr",
        "cp936" | "ms936" | "windows-936" | "euc-cn" | "x-euc-cn" | "gb2312-80" => "gbk",
        "gb18030-2000" | "gb18030-2005" | "gb-18030" => "gb18030",
        "cp950" | "big-5" | "big5hkscs" => "big5",
        "iso-2022-jp-1" | "iso-2022-jp-2" | "iso-2022-jp-3" | "csiso2022jp2" => "iso-2022-jp",
        "cp874" | "tis620" | "tis-620-2533" => "windows-874",
        "koi8r" => "koi8-r",
        "koi8u" => "koi8-u",
        "latin-1" | "iso-latin-1" => "windows-1252",
        "utf8mb4" | "utf-8-sig" => "utf-8",
        other => other,
    };
    known(alias)
        .or_else(|| known(&alias.replace('_', "-")))
        .or_else(|| known(alias.strip_prefix("x-")?))
}

/// How a message's raw 8-bit header bytes that are not UTF-8 are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCharset {
    /// The top-level `Content-Type` charset, when it names a legacy one.
    declared: Option<&'static Encoding>,
    /// Guessed from all the message's header bytes that are not UTF-8, if there are any.
    detected: Option<&'static Encoding>,
}

impl RawCharset {
    /// For a message whose top-level `Content-Type` names `declared` (as sent) and whose header
    /// values are `values`.
    pub fn new<'a>(declared: Option<&str>, values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        // US-ASCII says nothing about 8-bit bytes, UTF-8 was tried first; UTF-16 and the like
        // cannot be a header's bytes.
        let declared = declared
            .filter(|l| !matches!(l.trim().to_ascii_lowercase().as_str(), "us-ascii" | "ascii"))
            .and_then(|l| charset_for_label(l.as_bytes()))
            .filter(|e| *e != UTF_8 && (e.is_ascii_compatible() || *e == ISO_2022_JP));
        let mut detector = EncodingDetector::new();
        let mut fed = false;
        for v in values
            .into_iter()
            .filter(|v| std::str::from_utf8(v).is_err())
        {
            detector.feed(v, false);
            detector.feed(b"\n", false);
            fed = true;
        }
        detector.feed(b"", true);
        let detected = fed.then(|| detector.guess(None, false));
        Self { declared, detected }
    }

    /// Raw header bytes as text.
    pub fn decode<'a>(&self, raw: &'a [u8]) -> Cow<'a, str> {
        if let Ok(text) = std::str::from_utf8(raw) {
            return if is_iso_2022_jp(raw) {
                Cow::Owned(ISO_2022_JP.decode_without_bom_handling(raw).0.into_owned())
            } else {
                Cow::Borrowed(text)
            };
        }
        // The declared charset only when the bytes are valid in it: a message that says UTF-8
        // or Shift_JIS and has Latin-1 headers is better read by detection.
        if let Some(text) = self
            .declared
            .and_then(|e| e.decode_without_bom_handling_and_without_replacement(raw))
        {
            return Cow::Owned(text.into_owned());
        }
        let guess = self.detected.unwrap_or_else(|| detect(raw));
        Cow::Owned(guess.decode_without_bom_handling(raw).0.into_owned())
    }
}

fn detect(raw: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new();
    detector.feed(raw, true);
    detector.guess(None, false)
}

/// 7-bit text with ISO-2022-JP's switch to JIS X 0208 (`ESC $ B` or `ESC $ @`).
fn is_iso_2022_jp(raw: &[u8]) -> bool {
    raw.windows(3)
        .any(|w| w[0] == 0x1b && w[1] == b'$' && matches!(w[2], b'B' | b'@'))
}

/// Bytes in a labelled charset (an encoded word's, an extended parameter's) as text.
fn decode_labelled(label: &str, bytes: &[u8], raw: &RawCharset) -> String {
    match charset_for_label(label.as_bytes()) {
        // Labelled UTF-8 but not UTF-8: the sender's legacy charset, as for raw bytes.
        Some(e) if e == UTF_8 => raw.decode(bytes).into_owned(),
        Some(e) => {
            let (text, _, errors) = e.decode(bytes);
            // Not valid in its label (Shift_JIS bytes in an ISO-2022-JP word, as Japanese
            // mobile mailers send): the detected charset, if the bytes are valid in that.
            let guessed = errors
                .then(|| detect(bytes).decode_without_bom_handling_and_without_replacement(bytes))
                .flatten();
            guessed.unwrap_or(text).into_owned()
        }
        // An unknown label (`x-unknown`, `unknown-8bit`): what raw bytes would be.
        None => raw.decode(bytes).into_owned(),
    }
}

/// A label mail-parser decodes itself but encoding_rs does not know (UTF-7, IBM850): its words
/// are left to mail-parser.
fn left_to_mail_parser(label: &str) -> bool {
    charset_for_label(label.as_bytes()).is_none()
        && mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes()).is_some()
}

fn utf8_word(text: &str) -> String {
    format!("=?utf-8?b?{}?=", STANDARD.encode(text))
}

enum Piece<'a> {
    Text(&'a str),
    Word { label: &'a str, bytes: Vec<u8> },
}

/// Splits text at its encoded words (`=?charset?q|b?data?=`), decoding their data to bytes.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("=?") {
        match encoded_word(&rest[at..]) {
            Some((len, label, bytes)) => {
                if at > 0 {
                    out.push(Piece::Text(&rest[..at]));
                }
                out.push(Piece::Word { label, bytes });
                rest = &rest[at + len..];
            }
            None => {
                out.push(Piece::Text(&rest[..at + 2]));
                rest = &rest[at + 2..];
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The encoded word at the start of `s`: its length, charset label and data. Spaces in the data
/// are accepted, as mail-parser and Thunderbird accept them; line breaks are not.
fn encoded_word(s: &str) -> Option<(usize, &str, Vec<u8>)> {
    let body = s.strip_prefix("=?")?;
    let q1 = body.find('?')?;
    let label = &body[..q1];
    if label.is_empty() || label.len() > 64 || label.contains(char::is_whitespace) {
        return None;
    }
    let after = &body[q1 + 1..];
    let mut chars = after.chars();
    let kind = chars.next()?.to_ascii_lowercase();
    if !matches!(kind, 'q' | 'b') || chars.next()? != '?' {
        return None;
    }
    let data_all = &after[2..];
    let end = data_all.find("?=")?;
    let data = &data_all[..end];
    if data.contains(['\r', '\n']) || data.len() > 4096 {
        return None;
    }
    let bytes = if kind == 'q' {
        q_bytes(data)
    } else {
        b_bytes(data)
    };
    Some((2 + q1 + 1 + 2 + end + 2, label, bytes))
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// `=XX` escapes, `_` for a space; a stray `=` is kept.
fn q_bytes(data: &str) -> Vec<u8> {
    let b = data.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h << 4) | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'='),
            },
            b'_' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Base64, leniently: characters outside the alphabet and missing padding are ignored.
fn b_bytes(data: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in data.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or_default());
        }
    }
    out
}

/// Text with every encoded word decoded by [`decode_labelled`] and written again as one UTF-8
/// word; adjacent words in the same charset are joined first (senders split multibyte
/// characters between them).
fn utf8_words(text: &str, raw: &RawCharset) -> String {
    let pieces = pieces(text);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < pieces.len() {
        match &pieces[i] {
            Piece::Text(t) => out.push_str(t),
            Piece::Word { label, bytes } if left_to_mail_parser(label) => {
                // As it came (mail-parser reads it): `=?label?b?…?=`.
                out.push_str(&format!("=?{label}?b?{}?=", STANDARD.encode(bytes)));
            }
            Piece::Word { label, bytes } => {
                let mut joined = bytes.clone();
                while let (Some(Piece::Text(gap)), Some(Piece::Word { label: next, bytes })) =
                    (pieces.get(i + 1), pieces.get(i + 2))
                {
                    if !gap.trim().is_empty() || !next.eq_ignore_ascii_case(label) {
                        break;
                    }
                    joined.extend_from_slice(bytes);
                    i += 2;
                }
                out.push_str(&utf8_word(&decode_labelled(label, &joined, raw)));
            }
        }
        i += 1;
    }
    out
}

/// Splits a parameter list at `;` outside quoted strings.
fn split_params(value: &str) -> Vec<&str> {
    let (mut out, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

fn unquote(v: &str) -> Cow<'_, str> {
    let v = v.trim();
    match v
        .strip_prefix('"')
        .map(|v| v.strip_suffix('"').unwrap_or(v))
    {
        Some(inner) if inner.contains('\\') => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().unwrap_or(c)
                } else {
                    c
                });
            }
            Cow::Owned(out)
        }
        Some(inner) => Cow::Borrowed(inner),
        None => Cow::Borrowed(v),
    }
}

fn percent_decode(v: &str) -> Vec<u8> {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if let (b'%', Some(h), Some(l)) = (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            out.push((h << 4) | l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A parameter name as `(base, section, extended)`: `filename*1*` is `("filename", 1, true)`.
fn param_name(name: &str) -> (String, u32, bool) {
    let name = name.trim().to_ascii_lowercase();
    let extended = name.ends_with('*');
    let bare = name.trim_end_matches('*');
    match bare.split_once('*') {
        Some((base, n)) => (base.to_owned(), n.parse().unwrap_or(0), extended),
        None => (bare.to_owned(), 0, extended),
    }
}

/// A `Content-Type` or `Content-Disposition` value with its RFC 2231 parameters (`name*=`,
/// `name*0*=`, …) joined and written again as one `name*=utf-8''…`; `None` when it has none.
fn utf8_params(value: &str, raw: &RawCharset) -> Option<String> {
    let parts = split_params(value);
    // (base name, section, percent-encoded, value) of each RFC 2231 section.
    let params: Vec<(String, u32, bool, &str)> = parts[1..]
        .iter()
        .filter_map(|p| {
            let (name, v) = p.split_once('=')?;
            let (base, n, ext) = param_name(name);
            name.contains('*').then_some((base, n, ext, v))
        })
        .collect();
    let split: Vec<&String> = params.iter().map(|p| &p.0).collect();
    if split.is_empty() {
        return None;
    }
    let mut out = parts[0].to_owned();
    let mut done: Vec<&String> = Vec::new();
    for p in &parts[1..] {
        let Some((name, _)) = p.split_once('=') else {
            out.push(';');
            out.push_str(p);
            continue;
        };
        let (base, ..) = param_name(name);
        let Some(base) = split.iter().find(|b| ***b == base) else {
            out.push(';');
            out.push_str(p);
            continue;
        };
        if done.contains(base) {
            continue;
        }
        done.push(base);
        let mut sections: Vec<&(String, u32, bool, &str)> =
            params.iter().filter(|q| q.0 == **base).collect();
        sections.sort_by_key(|q| q.1);
        let (mut label, mut bytes) = (None, Vec::new());
        for (k, (_, _, extended, v)) in sections.iter().enumerate() {
            let v = unquote(v);
            let mut v: &str = &v;
            if !extended {
                bytes.extend_from_slice(v.as_bytes());
                continue;
            }
            if k == 0 {
                // `charset'language'data`
                let mut quote = v.splitn(3, '\'');
                if let (Some(cs), Some(_), Some(data)) = (quote.next(), quote.next(), quote.next())
                {
                    label = Some(cs.to_owned()).filter(|c| !c.is_empty());
                    v = data;
                }
            }
            bytes.extend(percent_decode(v));
        }
        let text = match &label {
            Some(l) => decode_labelled(l, &bytes, raw),
            None => raw.decode(&bytes).into_owned(),
        };
        out.push_str(&format!("; {base}*=utf-8''{}", percent_encode(&text)));
    }
    Some(out)
}

/// One header's value in UTF-8, raw bytes decoded and every encoded word and extended parameter
/// re-encoded as UTF-8.
fn utf8_value(name: &[u8], value: &[u8], raw: &RawCharset) -> String {
    let text = utf8_words(&raw.decode(value), raw);
    let params = name.eq_ignore_ascii_case(b"content-type")
        || name.eq_ignore_ascii_case(b"content-disposition");
    match params.then(|| utf8_params(&text, raw)).flatten() {
        Some(rewritten) => rewritten,
        None => text,
    }
}

/// A header of a block: its name, its value (folding included) and where the field ends.
struct Field {
    name: Range<usize>,
    value: Range<usize>,
    end: usize,
}

fn fields(block: &[u8]) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let mut start = 0;
    while start < block.len() {
        let end = block[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(block.len(), |p| start + p + 1);
        let line = &block[start..end];
        let continued = matches!(line.first(), Some(b' ' | b'\t'));
        match out.last_mut() {
            Some(last) if continued && last.end == start => {
                last.value.end = value_end(block, end);
                last.end = end;
            }
            _ => {
                if let Some(colon) = line.iter().position(|&b| b == b':') {
                    out.push(Field {
                        name: start..start + colon,
                        value: start + colon + 1..value_end(block, end),
                        end,
                    });
                }
            }
        }
        start = end;
    }
    out
}

/// Where a value ending with the line that ends at `end` stops, before its line break.
fn value_end(block: &[u8], end: usize) -> usize {
    let mut e = end;
    while e > 0 && matches!(block[e - 1], b'\n' | b'\r') {
        e -= 1;
    }
    e
}

/// Whether a header value needs rewriting: 8-bit bytes, escapes, encoded words, or (for the
/// parameter headers) RFC 2231 sections.
fn needs_rewrite(name: &[u8], value: &[u8]) -> bool {
    value.iter().any(|&b| b >= 0x80 || b == 0x1b)
        || value.windows(2).any(|w| w == b"=?")
        || (name.eq_ignore_ascii_case(b"content-type")
            || name.eq_ignore_ascii_case(b"content-disposition"))
            && value.windows(2).any(|w| w == b"*=")
}

/// The bytes with the header blocks at `blocks` (sorted, not overlapping) rewritten into UTF-8;
/// `None` when no header needed it. `declared` is the top-level `Content-Type` charset.
pub fn utf8_header_blocks(
    raw: &[u8],
    blocks: &[Range<usize>],
    declared: Option<&str>,
) -> Option<Vec<u8>> {
    let found: Vec<(usize, Vec<Field>)> = blocks
        .iter()
        .filter(|b| b.start <= b.end && b.end <= raw.len())
        .map(|b| (b.start, fields(&raw[b.clone()])))
        .collect();
    let at = |base: usize, r: &Range<usize>| &raw[base + r.start..base + r.end];
    let mut dirty = found
        .iter()
        .flat_map(|(base, fs)| fs.iter().map(move |f| (*base, f)))
        .filter(|(base, f)| needs_rewrite(at(*base, &f.name), at(*base, &f.value)))
        .peekable();
    dirty.peek()?;
    let dirty: Vec<(usize, &Field)> = dirty.collect();
    let charset = RawCharset::new(declared, dirty.iter().map(|(base, f)| at(*base, &f.value)));
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 8);
    let mut copied = 0;
    for (base, f) in dirty {
        let (start, end) = (base + f.value.start, base + f.value.end);
        if start < copied {
            continue;
        }
        out.extend_from_slice(&raw[copied..start]);
        out.push(b' ');
        let text = utf8_value(at(base, &f.name), &raw[start..end], &charset);
        out.extend_from_slice(text.trim_start().as_bytes());
        copied = end;
    }
    out.extend_from_slice(&raw[copied..]);
    Some(out)
}

/// The message's source with the header blocks of it and its MIME parts rewritten into UTF-8,
/// for mail-parser to read again; `None` when none needed it. Messages attached inside are left
/// as they are (their own headers are not shown).
pub fn utf8_headers(m: &Message<'_>) -> Option<Vec<u8>> {
    let raw = m.raw_message();
    let mut blocks: Vec<Range<usize>> = m
        .parts
        .iter()
        .filter_map(|p| {
            let start = usize::try_from(p.offset_header).ok()?;
            let end = usize::try_from(p.offset_body).ok()?;
            (start <= end && end <= raw.len()).then_some(start..end)
        })
        .collect();
    blocks.sort_by_key(|b| b.start);
    let mut last = 0;
    blocks.retain(|b| {
        let keep = b.start >= last;
        last = last.max(b.end);
        keep
    });
    let declared = m
        .root_part()
        .content_type()
        .and_then(|c| c.attribute("charset"));
    utf8_header_blocks(raw, &blocks, declared)
}

/// A header section alone (as IMAP's `BODY[HEADER.FIELDS (…)]` gives it) rewritten into UTF-8;
/// `None` when no header needed it.
pub fn utf8_header_block(block: &[u8], declared: Option<&str>) -> Option<Vec<u8>> {
    utf8_header_blocks(block, std::slice::from_ref(&(0..block.len())), declared)
}

/// One unstructured header value (a subject: raw bytes, encoded words and all) as text.
pub fn header_text(value: &[u8]) -> String {
    let mut block = b"Subject: ".to_vec();
    block.extend_from_slice(value);
    block.extend_from_slice(b"\r\n\r\n");
    let fixed = utf8_header_block(&block, None);
    let block = fixed.as_deref().unwrap_or(&block);
    MessageParser::default()
        .parse_headers(block)
        .and_then(|m| m.subject().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Subject, From (name and address) and attachment names as the preview would read `raw`.
    fn read(raw: &[u8]) -> (String, String, Vec<String>) {
        let first = MessageParser::default().parse(raw).unwrap();
        let fixed = utf8_headers(&first);
        let m = match &fixed {
            Some(bytes) => MessageParser::default().parse(bytes).unwrap(),
            None => first,
        };
        let from = m
            .from()
            .and_then(|a| a.first())
            .map(|a| {
                format!(
                    "{} <{}>",
                    a.name.as_deref().unwrap_or_default(),
                    a.address.as_deref().unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let names = m
            .attachments()
            .map(|a| a.attachment_name().unwrap_or_default().to_owned())
            .collect();
        (m.subject().unwrap_or_default().to_owned(), from, names)
    }

    fn headers(h: &[u8]) -> (String, String) {
        let mut raw = h.to_vec();
        raw.extend_from_slice(b"\r\n\r\nbody\r\n");
        let (subject, from, _) = read(&raw);
        (subject, from)
    }

    #[test]
    fn raw_8bit_is_utf8_when_valid_else_detected() {
        assert_eq!(
            headers("From: Jörg <j@example.test>\r\nSubject: Grüße".as_bytes()),
            ("Grüße".into(), "Jörg <j@example.test>".into())
        );
        assert_eq!(
            headers(b"From: J\xf6rg M\xfcller <j@example.test>\r\nSubject: Gr\xfc\xdfe aus K\xf6ln \x96 25 \x80"),
            ("Grüße aus Köln – 25 €".into(), "Jörg Müller <j@example.test>".into())
        );
        assert_eq!(
            headers(b"Subject: \xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0"),
            ("Привет, мир".into(), String::new())
        );
        assert_eq!(
            headers(b"Subject: \xf3\xde\xa3\xd4 \xce\xc1 \xcf\xd0\xcc\xc1\xd4\xd5").0,
            "Счёт на оплату"
        );
    }

    #[test]
    fn the_content_type_charset_comes_before_detection() {
        // Alone these bytes read as Windows-1252 ("Za¿ó³æ"); the message says ISO-8859-2.
        let raw = b"Subject: Za\xbf\xf3\xb3\xe6 g\xea\xb6l\xb1 ja\xbc\xf1\r\nContent-Type: text/plain; charset=\"ISO-8859-2\"\r\n\r\nx\r\n";
        assert_eq!(read(raw).0, "Zażółć gęślą jaźń");
        // A declared charset the bytes are not valid in is passed over (UTF-8 here).
        let raw = b"Subject: Gr\xfc\xdfe\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n";
        assert_eq!(read(raw).0, "Grüße");
    }

    #[test]
    fn shift_jis_whose_second_bytes_look_like_syntax_stays_one_name() {
        // ソ is 0x83 0x5C: a backslash inside the quoted name.
        let (subject, from) = headers(
            b"From: \"\x83\x5c\x83t\x83g\" <soft@example.test>\r\nSubject: \x89\xef\x8bc\x82\xcc\x8e\x91\x97\xbf\x82\xc9\x82\xc2\x82\xa2\x82\xc4",
        );
        assert_eq!(subject, "会議の資料について");
        assert_eq!(from, "ソフト <soft@example.test>");
    }

    #[test]
    fn raw_iso_2022_jp_is_decoded_and_its_bytes_are_no_syntax() {
        // 山 is ESC $ B ";3": a semicolon would end an address group.
        let (subject, from) = headers(
            b"From: \x1b$B;3EDB@O:\x1b(B <yamada@example.test>\r\nSubject: \x1b$B%O%m!<!&%o!<%k%I\x1b(B",
        );
        assert_eq!(subject, "ハロー・ワールド");
        assert_eq!(from, "山田太郎 <yamada@example.test>");
    }

    #[test]
    fn encoded_words_in_misspelt_or_unknown_charsets_read_in_the_closest() {
        for (word, text) in [
            ("=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?=", "안녕하세요"),
            ("=?gb2312?B?xOO6w6OsysC95w==?=", "你好，世界"),
            ("=?iso-8859-8-i?Q?=F9=EC=E5=ED?=", "שלום"),
            ("=?windows-874?Q?=CA=C7=D1=CA=B4=D5?=", "สวัสดี"),
            ("=?utf8?Q?caf=C3=A9?=", "café"),
            ("=?cp1252?Q?=80_5?=", "€ 5"),
            ("=?CP932?B?g1yDdINn?=", "ソフト"),
            ("=?x-unknown?Q?Gr=FC=DFe?=", "Grüße"),
            ("=?unknown-8bit?Q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
            ("=?utf-8?Q?M=FCller?=", "Müller"),
            (
                "=?ISO-2022-JP?B?ie+LY4LMjpGXv4LJgsKCooLE?=",
                "会議の資料について",
            ),
            ("=?utf-8*de?Q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
            // A character split between two words.
            ("=?utf-8?Q?Caf=C3?= =?UTF-8?B?qQ==?=", "Café"),
            ("=?utf-7?Q?Hi_+AKM-1?=", "Hi £1"),
        ] {
            assert_eq!(header_text(word.as_bytes()), text, "{word}");
        }
    }

    #[test]
    fn attachment_names_in_raw_8bit_and_rfc_2231_sections() {
        let raw = b"Subject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
--b\r\nContent-Type: application/msword; name=\"\xcf\xf0\xe8\xe2\xe5\xf2.doc\"\r\nContent-Disposition: attachment; filename=\"\xcf\xf0\xe8\xe2\xe5\xf2.doc\"\r\n\r\nAA==\r\n\
--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*=shift_jis''%89%EF%8B; filename*1*=c%8E%91%97%BF.pdf\r\n\r\nAA==\r\n\
--b\r\nContent-Type: text/plain; name*=ks_c_5601-1987'ko'%BE%C8%B3%E7.txt\r\nContent-Disposition: attachment\r\n\r\nAA==\r\n\
--b--\r\n";
        assert_eq!(read(raw).2, ["Привет.doc", "会議資料.pdf", "안녕.txt"]);
    }

    #[test]
    fn labels_map_to_the_closest_encoding() {
        for (label, name) in [
            ("ks_c_5601-1987", "EUC-KR"),
            ("gb2312", "GBK"),
            ("iso-8859-8-i", "ISO-8859-8-I"),
            ("cp932", "Shift_JIS"),
            ("euc_kr", "EUC-KR"),
            ("x-cp1251", "windows-1251"),
            ("latin-1", "windows-1252"),
        ] {
            assert_eq!(
                charset_for_label(label.as_bytes()).map(Encoding::name),
                Some(name),
                "{label}"
            );
        }
        assert_eq!(charset_for_label(b"x-unknown"), None);
        assert_eq!(charset_for_label(b"x-user-defined"), None);
    }

    #[test]
    fn any_bytes_decode_to_something() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2000 {
            let mut h = b"Subject: ".to_vec();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let pick = [
                    &b"=?"[..],
                    b"?q?",
                    b"?b?",
                    b"?=",
                    b"\x1b$B",
                    b"\x1b(B",
                    b"\xff",
                    b"\xc3",
                    b" ",
                    b"\r\n ",
                    b"*=",
                    b"%",
                    b"'",
                    b";",
                    b"\"",
                ];
                h.extend_from_slice(pick[usize::try_from(state % 15).unwrap()]);
            }
            let _ = header_text(&h);
            let mut ct = b"Content-Type: a/b; name*0*=".to_vec();
            ct.extend_from_slice(&h);
            let _ = utf8_header_block(&ct, Some("shift_jis"));
        }
    }
}
