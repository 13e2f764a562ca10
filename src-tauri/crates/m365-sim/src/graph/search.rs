//! `$search` on message lists: the KQL subset Microsoft documents for messages ("Use the $search
//! query parameter": attachment, bcc, body, cc, from, hasAttachments, importance, kind,
//! participants, received, recipients, sent, size, subject, to, and free text over from, subject
//! and body), with implicit or explicit `AND`. Results sorted by the sent date, newest first, and
//! at most 1,000 of them, as Graph answers. Matching is by words (case-insensitive, `word*` for a
//! prefix), as Exchange's index matches, not by substrings.
//! The fields of each message file are read once and kept (Exchange keeps an index too).

use super::decoded::read_decoded;
use super::error::GraphError;
use crate::tenant::mail_store::Entry;
use axum::http::StatusCode;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// "A `$search` request returns up to 1,000 results."
pub const MAX_RESULTS: usize = 1000;

/// What KQL can ask about one message, as words (lowercase) and values.
#[derive(Debug, Default)]
pub struct Fields {
    from: Vec<String>,
    to: Vec<String>,
    cc: Vec<String>,
    bcc: Vec<String>,
    subject: Vec<String>,
    body: Vec<String>,
    attachment_names: Vec<String>,
    pub has_attachments: bool,
    pub sent: Option<DateTime<Utc>>,
    size: u64,
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The fields of the message behind `entry`, read once per file.
pub fn fields(entry: &Entry) -> Arc<Fields> {
    static INDEX: OnceLock<Mutex<HashMap<PathBuf, Arc<Fields>>>> = OnceLock::new();
    let index = INDEX.get_or_init(Mutex::default);
    if let Some(f) = index
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&entry.path)
    {
        return f.clone();
    }
    let read = Arc::new(read_fields(entry));
    index
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(entry.path.clone(), read.clone());
    read
}

fn read_fields(entry: &Entry) -> Fields {
    let bytes = read_decoded(entry);
    let size = std::fs::metadata(&entry.path).map_or(0, |m| m.len());
    let Some(m) = MessageParser::default().parse(&bytes) else {
        return Fields {
            size,
            ..Fields::default()
        };
    };
    let people = |a: Option<&mail_parser::Address>| -> Vec<String> {
        a.map(|a| {
            a.iter()
                .flat_map(|p| {
                    let name = p.name.as_deref().unwrap_or_default();
                    let address = p.address.as_deref().unwrap_or_default();
                    let mut w = words(name);
                    w.extend(words(address));
                    // The whole address and its alias are one word each as well.
                    w.push(address.to_lowercase());
                    w.extend(address.split('@').next().map(str::to_lowercase));
                    w
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let body = m.body_text(0).map(|t| words(&t)).unwrap_or_default();
    Fields {
        from: people(m.from()),
        to: people(m.to()),
        cc: people(m.cc()),
        bcc: people(m.bcc()),
        subject: words(m.subject().unwrap_or_default()),
        body,
        attachment_names: m
            .attachments()
            .filter_map(|a| a.attachment_name().map(words))
            .flatten()
            .collect(),
        has_attachments: m.attachment_count() > 0,
        sent: m
            .date()
            .and_then(|d| DateTime::parse_from_rfc3339(&d.to_rfc3339()).ok())
            .map(|d| d.with_timezone(&Utc)),
        size,
    }
}

fn bad(message: String) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// `$search` together with `$orderby` or `$filter`, which Graph refuses for messages.
pub fn refuse_combination(q: &HashMap<String, String>) -> Result<(), GraphError> {
    if q.keys().any(|k| k.eq_ignore_ascii_case("$orderby")) {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "SearchWithOrderBy",
            "The query parameter '$orderBy' is not supported with '$search'.",
        ));
    }
    if q.keys().any(|k| k.eq_ignore_ascii_case("$filter")) {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "SearchWithFilter",
            "The query parameter '$filter' is not supported with '$search'.",
        ));
    }
    Ok(())
}

/// The `$search` value without its enclosing quotes, `\"` and `\\` read as the characters.
fn unquote(raw: &str) -> Result<String, GraphError> {
    let t = raw.trim();
    let inner = match t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(i) if t.len() >= 2 => i,
        _ => t,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '"' if t.starts_with('"') => {
                return Err(bad(format!(
                    "Syntax error: the $search value {raw} has a double quote that is not escaped with a backslash."
                )))
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// One KQL restriction.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    /// Words in a property (`None`: from, subject and body), in this order; the last may be a
    /// prefix (`word*`).
    Words {
        property: Option<Prop>,
        words: Vec<String>,
        prefix: bool,
    },
    Date {
        sent: bool,
        from: Option<DateTime<Utc>>,
        /// Exclusive.
        until: Option<DateTime<Utc>>,
    },
    HasAttachments(bool),
    Size {
        min: u64,
        max: u64,
    },
    /// `kind:email`, `importance:normal`/`medium`: every simulated message; other values none.
    Constant(bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Prop {
    From,
    To,
    Cc,
    Bcc,
    Participants,
    Recipients,
    Subject,
    Body,
    Attachment,
}

/// KQL's tokens: words and `"phrases"` (a phrase keeps its quotes).
fn tokens(kql: &str) -> Result<Vec<String>, GraphError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in kql.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(bad(format!(
            "Syntax error: a phrase in the $search query '{kql}' is not closed."
        )));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

fn parse_date(value: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%m/%d/%Y"))
        .ok()?;
    let day = if end_of_day {
        day.checked_add_days(Days::new(1))?
    } else {
        day
    };
    Utc.from_local_datetime(&day.and_hms_opt(0, 0, 0)?).single()
}

/// Whether a date value names a whole day (`2026-01-05`), not an instant.
fn is_day(value: &str) -> bool {
    DateTime::parse_from_rfc3339(value).is_err()
}

fn term(token: &str) -> Result<Term, GraphError> {
    let (name, op, value) = match token.find([':', '<', '>', '=']) {
        Some(i) if !token.starts_with('"') => {
            let rest = &token[i..];
            let op = ["<=", ">=", ":", "<", ">", "="]
                .into_iter()
                .find(|o| rest.starts_with(o))
                .unwrap_or(":");
            (Some(&token[..i]), op, &rest[op.len()..])
        }
        _ => (None, ":", token),
    };
    let value = value.trim_matches('"');
    let Some(name) = name else {
        return Ok(words_term(None, value));
    };
    let prop = match name.to_ascii_lowercase().as_str() {
        "from" => Prop::From,
        "to" => Prop::To,
        "cc" => Prop::Cc,
        "bcc" => Prop::Bcc,
        "participants" => Prop::Participants,
        "recipients" => Prop::Recipients,
        "subject" => Prop::Subject,
        "body" => Prop::Body,
        "attachment" => Prop::Attachment,
        "received" | "sent" => return date_term(name.eq_ignore_ascii_case("sent"), op, value),
        "hasattachments" | "hasattachment" => {
            return match value.to_ascii_lowercase().as_str() {
                "true" => Ok(Term::HasAttachments(true)),
                "false" => Ok(Term::HasAttachments(false)),
                _ => Err(bad(format!(
                    "The value '{value}' of the KQL property 'hasAttachments' is not a boolean."
                ))),
            }
        }
        "size" => return size_term(op, value),
        "kind" => return Ok(Term::Constant(value.eq_ignore_ascii_case("email"))),
        "importance" => {
            return Ok(Term::Constant(
                value.eq_ignore_ascii_case("normal") || value.eq_ignore_ascii_case("medium"),
            ))
        }
        other => {
            return Err(bad(format!(
                "The property '{other}' is not a searchable message property for $search; use attachment, bcc, body, cc, from, hasAttachments, importance, kind, participants, received, recipients, sent, size, subject or to."
            )))
        }
    };
    if op != ":" {
        return Err(bad(format!(
            "The operator '{op}' cannot be used with the text property '{name}'."
        )));
    }
    Ok(words_term(Some(prop), value))
}

fn words_term(property: Option<Prop>, value: &str) -> Term {
    let prefix = value.ends_with('*');
    // A whole address is one word of its own as well as its parts.
    let w = if value.contains('@') && !value.contains(char::is_whitespace) {
        vec![value.trim_end_matches('*').to_lowercase()]
    } else {
        words(value)
    };
    Term::Words {
        property,
        words: w,
        prefix,
    }
}

fn date_term(sent: bool, op: &str, value: &str) -> Result<Term, GraphError> {
    let invalid = || {
        bad(format!("'{value}' is not a date the KQL property accepts (2026-01-31, 01/31/2026 or 2026-01-31T09:00:00Z)."))
    };
    let (from, until) = if let Some((a, b)) = value.split_once("..") {
        let a = parse_date(a, false).ok_or_else(invalid)?;
        let b = parse_date(b, is_day(b)).ok_or_else(invalid)?;
        (Some(a), Some(b))
    } else {
        let day = is_day(value);
        let start = parse_date(value, false).ok_or_else(invalid)?;
        let end = parse_date(value, day).ok_or_else(invalid)?;
        let after = |t: DateTime<Utc>| t + chrono::Duration::seconds(1);
        match op {
            ":" | "=" if day => (Some(start), Some(end)),
            ":" | "=" => (Some(start), Some(after(start))),
            ">=" => (Some(start), None),
            ">" if day => (Some(end), None),
            ">" => (Some(after(start)), None),
            "<" => (None, Some(start)),
            "<=" => (None, Some(if day { end } else { after(start) })),
            _ => return Err(invalid()),
        }
    };
    Ok(Term::Date { sent, from, until })
}

fn size_term(op: &str, value: &str) -> Result<Term, GraphError> {
    let n = |s: &str| {
        s.parse::<u64>()
            .map_err(|_| bad(format!("'{value}' is not a size in bytes.")))
    };
    let (min, max) = match (op, value.split_once("..")) {
        (_, Some((a, b))) => (n(a)?, n(b)?),
        (":" | "=", None) => (n(value)?, n(value)?),
        (">=", None) => (n(value)?, u64::MAX),
        (">", None) => (n(value)?.saturating_add(1), u64::MAX),
        ("<=", None) => (0, n(value)?),
        ("<", None) => (0, n(value)?.saturating_sub(1)),
        _ => return Err(bad(format!("'{value}' is not a size in bytes."))),
    };
    Ok(Term::Size { min, max })
}

/// The `$search` value as its terms (all must hold).
fn parse(raw: &str) -> Result<Vec<Term>, GraphError> {
    let kql = unquote(raw)?;
    let mut terms = Vec::new();
    for t in tokens(&kql)? {
        match t.as_str() {
            "AND" => {}
            "OR" | "NOT" => {
                return Err(bad(format!(
                    "The KQL operator '{t}' is not supported by the simulator; it supports AND."
                )))
            }
            _ => terms.push(term(&t)?),
        }
    }
    if terms.is_empty() {
        return Err(bad("The $search query is empty.".into()));
    }
    Ok(terms)
}

/// Whether `have` holds `want` as consecutive words (the last one a prefix, if asked).
fn contains(have: &[String], want: &[String], prefix: bool) -> bool {
    if want.is_empty() {
        return true;
    }
    have.windows(want.len()).any(|w| {
        w.iter().zip(want).enumerate().all(|(i, (h, q))| {
            if prefix && i == want.len() - 1 {
                h.starts_with(q.as_str())
            } else {
                h == q
            }
        })
    })
}

fn holds(t: &Term, f: &Fields, entry: &Entry) -> bool {
    match t {
        Term::Words {
            property,
            words,
            prefix,
        } => {
            let fields: Vec<&Vec<String>> = match property {
                None => vec![&f.from, &f.subject, &f.body],
                Some(Prop::From) => vec![&f.from],
                Some(Prop::To) => vec![&f.to],
                Some(Prop::Cc) => vec![&f.cc],
                Some(Prop::Bcc) => vec![&f.bcc],
                Some(Prop::Participants) => vec![&f.from, &f.to, &f.cc, &f.bcc],
                Some(Prop::Recipients) => vec![&f.to, &f.cc, &f.bcc],
                Some(Prop::Subject) => vec![&f.subject],
                Some(Prop::Body) => vec![&f.body],
                Some(Prop::Attachment) => vec![&f.attachment_names],
            };
            fields.iter().any(|have| contains(have, words, *prefix))
        }
        Term::Date { sent, from, until } => {
            let at = if *sent {
                f.sent.unwrap_or(entry.received)
            } else {
                entry.received
            };
            from.is_none_or(|a| at >= a) && until.is_none_or(|b| at < b)
        }
        Term::HasAttachments(want) => f.has_attachments == *want,
        Term::Size { min, max } => (*min..=*max).contains(&f.size),
        Term::Constant(all) => *all,
    }
}

/// The entries `raw` (the `$search` value) finds, newest sent first, at most [`MAX_RESULTS`].
pub fn search(raw: &str, entries: Vec<Entry>) -> Result<Vec<Entry>, GraphError> {
    let terms = parse(raw)?;
    let mut found: Vec<(DateTime<Utc>, Entry)> = entries
        .into_iter()
        .filter_map(|e| {
            let f = fields(&e);
            terms
                .iter()
                .all(|t| holds(t, &f, &e))
                .then(|| (f.sent.unwrap_or(e.received), e))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.key.cmp(&a.1.key)));
    found.truncate(MAX_RESULTS);
    Ok(found.into_iter().map(|(_, e)| e).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_value_is_read_as_graph_reads_it() {
        assert_eq!(unquote(r#""pizza""#).unwrap(), "pizza");
        assert_eq!(
            unquote(r#""from:\"Acme Corp\" AND subject:x""#).unwrap(),
            r#"from:"Acme Corp" AND subject:x"#
        );
        assert!(unquote(r#""from:"Acme Corp"""#).is_err());
        let t =
            parse(r#""from:\"Acme Corp\" AND received>=2026-01-01 hasAttachments:true""#).unwrap();
        assert_eq!(t.len(), 3);
        assert!(
            matches!(&t[0], Term::Words { property: Some(Prop::From), words, .. } if words == &["acme", "corp"])
        );
    }

    #[test]
    fn unknown_properties_and_operators_are_refused() {
        for bad in [
            r#""receivedDateTime>2026-01-01""#,
            r#""a OR b""#,
            r#""subject>=x""#,
            r#""hasAttachments:maybe""#,
            r#""""#,
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn days_and_instants_bound_as_kql_reads_them() {
        let Term::Date { from, until, .. } = date_term(false, ":", "2026-01-05").unwrap() else {
            unreachable!()
        };
        assert_eq!(from.unwrap().to_rfc3339(), "2026-01-05T00:00:00+00:00");
        assert_eq!(until.unwrap().to_rfc3339(), "2026-01-06T00:00:00+00:00");
        let Term::Date { until, .. } = date_term(false, "<", "01/05/2026").unwrap() else {
            unreachable!()
        };
        assert_eq!(until.unwrap().to_rfc3339(), "2026-01-05T00:00:00+00:00");
    }

    #[test]
    fn words_match_whole_or_as_a_prefix() {
        let have = words("Bulk message 12 in Bulk");
        assert!(contains(&have, &words("message 12"), false));
        assert!(!contains(&have, &words("message 1"), false));
        assert!(contains(&have, &words("message 1"), true));
    }
}
