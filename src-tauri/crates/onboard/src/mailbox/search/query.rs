//! What a preview search asks for, as the GUI and the CLI send it, and its validation: every
//! refusal names the field at fault and how to fix it.

use crate::catalog::Diagnosis;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The longest text of one field: more is no search a person types, and Graph's URLs and IMAP's
/// lines stay short.
pub const MAX_TERM_CHARS: usize = 200;

/// Where to search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SearchScope {
    /// One folder: a `Folder::id` from the folder tree.
    Folder { folder: String },
    /// The whole mailbox: Graph's mailbox-wide `/messages`, IMAP folder by folder.
    AllFolders,
}

/// A search as typed. Empty strings count as not given; `since` and `before` are days
/// (`YYYY-MM-DD`, UTC): `since` includes its day, `before` does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchQuery {
    /// Free text: over Graph in from, subject and body; over IMAP anywhere in the message.
    #[serde(default)]
    pub text: Option<String>,
    /// The sender's address, or part of their name.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub has_attachments: bool,
    pub scope: SearchScope,
}

/// A search that passed [`SearchQuery::validate`]: trimmed, dates parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidQuery {
    pub text: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub since: Option<NaiveDate>,
    pub before: Option<NaiveDate>,
    pub has_attachments: bool,
    /// `None`: all folders.
    pub folder: Option<String>,
}

impl ValidQuery {
    /// The search words, if any (the parts a `$filter` cannot express).
    pub fn has_words(&self) -> bool {
        self.text.is_some() || self.from.is_some() || self.subject.is_some()
    }

    /// A short fingerprint, so that a page cursor of one search is not taken for another's.
    pub(crate) fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let text = format!("{self:?}");
        let hash = Sha256::digest(text.as_bytes());
        hash[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn term(field: &str, value: &Option<String>) -> Result<Option<String>, Diagnosis> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().any(char::is_control) {
        return Err(Diagnosis::field(
            field,
            "search.control",
            format!("The {field} text holds a line break, tab or other control character."),
            "Type the words on one line, without tabs.",
        ));
    }
    if v.chars().count() > MAX_TERM_CHARS {
        return Err(Diagnosis::field(
            field,
            "search.too_long",
            format!(
                "The {field} text has {} characters; a search takes at most {MAX_TERM_CHARS}.",
                v.chars().count()
            ),
            "Search for a few distinctive words instead.",
        ));
    }
    // Graph's KQL takes no quote inside a phrase, and a lone quote ends nothing over IMAP.
    if v.contains('"') {
        return Err(Diagnosis::field(
            field,
            "search.quote",
            format!("The {field} text holds a double quote (\"), which a search cannot carry."),
            "Leave out the quotes: the words are searched as one phrase already.",
        ));
    }
    Ok(Some(v.to_owned()))
}

fn day(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, Diagnosis> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let parsed = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .filter(|d| v.len() == 10 && d.format("%Y-%m-%d").to_string() == v);
    parsed.map(Some).ok_or_else(|| {
        Diagnosis::field(
            field,
            "search.date",
            format!("“{v}” is not a date as YYYY-MM-DD."),
            "Type the day as year-month-day, e.g. 2026-11-24.",
        )
    })
}

impl SearchQuery {
    /// A search in one folder.
    pub fn in_folder(folder: &str) -> Self {
        Self {
            text: None,
            from: None,
            subject: None,
            since: None,
            before: None,
            has_attachments: false,
            scope: SearchScope::Folder {
                folder: folder.to_owned(),
            },
        }
    }

    pub fn validate(&self) -> Result<ValidQuery, Diagnosis> {
        let folder = match &self.scope {
            SearchScope::AllFolders => None,
            SearchScope::Folder { folder } if folder.trim().is_empty() => {
                return Err(Diagnosis::field(
                    "Folder",
                    "search.folder",
                    "No folder was chosen to search in.",
                    "Pick a folder, or search all folders.",
                ))
            }
            SearchScope::Folder { folder } => Some(folder.clone()),
        };
        let q = ValidQuery {
            text: term("Search", &self.text)?,
            from: term("From", &self.from)?,
            subject: term("Subject", &self.subject)?,
            since: day("Since", &self.since)?,
            before: day("Before", &self.before)?,
            has_attachments: self.has_attachments,
            folder,
        };
        if let (Some(since), Some(before)) = (q.since, q.before) {
            if before <= since {
                return Err(Diagnosis::field(
                    "Before",
                    "search.range",
                    format!("“Before” ({before}) is not after “Since” ({since}), so no day is left between them."),
                    "Set “Before” to a later day than “Since”: since 2026-11-01 before 2026-12-01 is November.",
                ));
            }
        }
        let any = q.has_words() || q.since.is_some() || q.before.is_some() || q.has_attachments;
        if !any {
            return Err(Diagnosis::field(
                "Search",
                "search.empty",
                "The search has nothing to look for.",
                "Type words to search for, or set a sender, subject, date or “has attachments”.",
            ));
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(edit: impl FnOnce(&mut SearchQuery)) -> Result<ValidQuery, Diagnosis> {
        let mut s = SearchQuery::in_folder("INBOX");
        edit(&mut s);
        s.validate()
    }

    fn refusal(edit: impl FnOnce(&mut SearchQuery)) -> (String, String) {
        let d = q(edit).unwrap_err();
        (d.code, d.field.unwrap_or_default())
    }

    #[test]
    fn good_input_is_trimmed_and_parsed() {
        let v = q(|s| {
            s.text = Some("  invoice 4711 ".into());
            s.from = Some(" ".into());
            s.since = Some("2026-11-01".into());
            s.before = Some("2026-12-01".into());
        })
        .unwrap();
        assert_eq!(v.text.as_deref(), Some("invoice 4711"));
        assert_eq!(v.from, None);
        assert_eq!(v.since, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(v.folder.as_deref(), Some("INBOX"));
        assert!(q(|s| s.has_attachments = true).is_ok());
    }

    #[test]
    fn bad_input_names_its_field() {
        assert_eq!(refusal(|_| {}), ("search.empty".into(), "Search".into()));
        assert_eq!(
            refusal(|s| s.since = Some("24.11.2026".into())),
            ("search.date".into(), "Since".into())
        );
        assert_eq!(
            refusal(|s| s.before = Some("2026-2-1".into())),
            ("search.date".into(), "Before".into())
        );
        assert_eq!(
            refusal(|s| {
                s.since = Some("2026-12-01".into());
                s.before = Some("2026-12-01".into());
            }),
            ("search.range".into(), "Before".into())
        );
        assert_eq!(
            refusal(|s| s.subject = Some("a\r\nb".into())),
            ("search.control".into(), "Subject".into())
        );
        assert_eq!(
            refusal(|s| s.from = Some("x".repeat(201))),
            ("search.too_long".into(), "From".into())
        );
        assert_eq!(
            refusal(|s| s.text = Some("say \"hi\"".into())),
            ("search.quote".into(), "Search".into())
        );
        assert_eq!(
            refusal(|s| s.scope = SearchScope::Folder { folder: " ".into() }),
            ("search.folder".into(), "Folder".into())
        );
    }

    #[test]
    fn the_fingerprint_tells_searches_apart() {
        let a = q(|s| s.text = Some("a".into())).unwrap();
        let b = q(|s| s.text = Some("b".into())).unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), a.clone().fingerprint());
    }
}
