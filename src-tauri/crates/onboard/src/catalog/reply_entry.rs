//! One catalogue entry for a mail server's reply, as the IMAP, SMTP submission and NDR tables
//! write it: when it applies, what it means, the fix, where the facts come from, and a reply
//! as servers send it (so a code alone can be explained, and each entry is tested).

use crate::catalog::Diagnosis;

/// When an entry applies to a reply line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum When {
    /// The line says one of these (lowercase; matched case-insensitively).
    Says(&'static [&'static str]),
    /// The enhanced status code is one of these: `5.7.708`, or a range `4.7.500-699`.
    Status(&'static [&'static str]),
    /// Both: a code of the list and one of the words (several texts share one code).
    StatusSays(&'static [&'static str], &'static [&'static str]),
    /// Either a code of the list or one of the words.
    Either(&'static [&'static str], &'static [&'static str]),
    /// The SMTP basic reply code.
    Basic(u16),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// Stable: tests, scripts and `diagnose CODE` use it.
    pub code: &'static str,
    pub when: When,
    pub title: &'static str,
    /// What the reply means, from the source's own text.
    pub cause: &'static str,
    pub fix: &'static str,
    /// Where the cause and fix come from.
    pub docs: &'static str,
    /// A reply as the server sends it.
    pub example: &'static str,
}

impl Entry {
    pub(crate) fn matches(&self, basic: Option<u16>, status: Option<&str>, lower: &str) -> bool {
        let says = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        let status_in =
            |codes: &[&str]| status.is_some_and(|s| codes.iter().any(|c| status_matches(c, s)));
        match self.when {
            When::Says(words) => says(words),
            When::Status(codes) => status_in(codes),
            When::StatusSays(codes, words) => status_in(codes) && says(words),
            When::Either(codes, words) => status_in(codes) || says(words),
            When::Basic(code) => basic == Some(code),
        }
    }

    /// The diagnosis, quoting what the server said.
    pub(crate) fn diagnosis(&self, said: &str) -> Diagnosis {
        Diagnosis::new(
            self.code,
            self.title,
            format!("{} {said}", self.cause),
            self.fix,
        )
        .with_docs(self.docs)
    }
}

/// `5.7.708` against `5.7.708`, or `4.7.650` against the range `4.7.500-699`.
fn status_matches(pattern: &str, status: &str) -> bool {
    let Some((prefix, range)) = pattern.rsplit_once('.') else {
        return false;
    };
    let Some((class_subject, detail)) = status.rsplit_once('.') else {
        return false;
    };
    if prefix != class_subject {
        return false;
    }
    match range.split_once('-') {
        Some((lo, hi)) => match (lo.parse::<u16>(), hi.parse::<u16>(), detail.parse::<u16>()) {
            (Ok(lo), Ok(hi), Ok(d)) => (lo..=hi).contains(&d),
            _ => false,
        },
        None => range == detail,
    }
}

/// The first entry of `table` that applies.
pub(crate) fn find<'t>(
    table: &'t [Entry],
    basic: Option<u16>,
    status: Option<&str>,
    lower: &str,
) -> Option<&'t Entry> {
    table.iter().find(|e| e.matches(basic, status, lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_ranges_match_exactly() {
        assert!(status_matches("5.7.708", "5.7.708"));
        assert!(!status_matches("5.7.70", "5.7.708"));
        assert!(status_matches("4.7.500-699", "4.7.650"));
        assert!(status_matches("4.7.500-699", "4.7.500"));
        assert!(!status_matches("4.7.500-699", "4.7.700"));
        assert!(!status_matches("4.7.500-699", "5.7.650"));
        assert!(!status_matches("4.7.500-699", "4.7.x"));
        assert!(!status_matches("nonsense", "4.7.1"));
    }
}
