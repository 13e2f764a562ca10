//! The one error shape that reaches people: what went wrong, why, and the exact fix.

use serde::Serialize;
use ts_rs::TS;

/// Every failure the user can see, in the GUI, the CLI or an export, is a `Diagnosis`.
/// `code` is stable (tests and scripts match on it); the prose may improve over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{title}: {detail} Fix: {fix}")]
pub struct Diagnosis {
    pub code: String,
    pub title: String,
    pub detail: String,
    pub fix: String,
    pub docs_url: Option<String>,
    /// The input field at fault, when one is (so the UI can point at it).
    pub field: Option<String>,
}

impl Diagnosis {
    pub fn new(
        code: &str,
        title: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            code: code.to_owned(),
            title: title.into(),
            detail: detail.into(),
            fix: fix.into(),
            docs_url: None,
            field: None,
        }
    }

    /// A bad value in a named input field.
    pub fn field(
        field: &str,
        code: &str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        let mut d = Self::new(code, format!("Check the field “{field}”"), detail, fix);
        d.field = Some(field.to_owned());
        d
    }

    pub fn with_docs(mut self, url: &str) -> Self {
        self.docs_url = Some(url.to_owned());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_to_the_ipc_shape() {
        let d = Diagnosis::field(
            "FQDN",
            "fqdn.empty",
            "Nothing was typed.",
            "Type the host name.",
        );
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "code": "fqdn.empty",
                "title": "Check the field “FQDN”",
                "detail": "Nothing was typed.",
                "fix": "Type the host name.",
                "docs_url": null,
                "field": "FQDN"
            })
        );
        assert_eq!(
            d.to_string(),
            "Check the field “FQDN”: Nothing was typed. Fix: Type the host name."
        );
    }
}
