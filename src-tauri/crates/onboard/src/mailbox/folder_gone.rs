//! A folder that went away while it was read (renamed or deleted in Outlook meanwhile), named
//! as such rather than as the protocol's bare refusal; shared by the folder tree, the archive
//! counts and the preview of both protocols.

use crate::catalog::diagnosis::Diagnosis;

/// A folder that went away while it was read: the catalog's diagnosis, naming the folder.
pub(crate) fn gone(mut d: Diagnosis, path: &str) -> Diagnosis {
    if d.code == "graph.ErrorItemNotFound" && !path.is_empty() {
        d.title = format!("The folder “{path}” is gone");
        d.detail = format!(
            "The folder “{path}” was moved or deleted while it was read. {}",
            d.detail
        );
    }
    d
}

/// A `NO` to `STATUS`: the folder went away between `LIST` and `STATUS`.
pub(crate) fn imap_gone(mut d: Diagnosis, segments: &[String]) -> Diagnosis {
    // Only a plain refusal: a refusal that names its own cause (over quota, unavailable,
    // throttled, expired) keeps its diagnosis.
    if matches!(d.code.as_str(), "imap.no" | "imap.cannot") {
        let path = segments.join("/");
        d.code = "imap.folder_gone".to_owned();
        d.title = format!("The folder “{path}” is gone");
        d.detail = format!(
            "The server refused to read the folder “{path}”: it was probably renamed or deleted meanwhile. {}",
            d.detail
        );
        d.fix = "Reload the folder list and pick the folder again.".to_owned();
    }
    d
}
