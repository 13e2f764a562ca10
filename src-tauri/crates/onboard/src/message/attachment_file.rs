//! Saving an attachment from the preview: a file name that stays in the chosen folder, and an
//! atomic write, so a crash leaves no half-written file under the attachment's name.

use crate::catalog::Diagnosis;
use crate::platform::private_file::write_atomically;
use std::path::Path;

/// The attachment's name as a file name: no directories, no control characters, no leading
/// dots (a hidden file, or `..`), at most 200 bytes; `attachment` when nothing is left.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut out = cleaned.trim().trim_start_matches('.').trim().to_owned();
    while out.len() > 200 {
        out.pop();
    }
    if out.is_empty() {
        "attachment".to_owned()
    } else {
        out
    }
}

/// Writes `bytes` to `path` atomically (readable by the user only, as mail is private).
pub fn save_attachment_file(path: &Path, bytes: &[u8]) -> Result<(), Diagnosis> {
    write_atomically(path, bytes).map_err(|e| {
        Diagnosis::new(
            "attachment.write",
            "The attachment could not be saved",
            format!("Could not write {}: {e}.", path.display()),
            "Check that the folder exists, belongs to you and the disk is not full, then try again.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_leave_the_folder_or_hide() {
        for (given, want) in [
            ("report.pdf", "report.pdf"),
            ("../../.bashrc", "_.._.bashrc"),
            ("/etc/passwd", "_etc_passwd"),
            ("..", "attachment"),
            ("  .hidden ", "hidden"),
            ("a\u{0}b\nc.txt", "a_b_c.txt"),
            ("C:\\x\\y.doc", "C__x_y.doc"),
            ("", "attachment"),
        ] {
            assert_eq!(safe_file_name(given), want, "{given:?}");
        }
        assert!(safe_file_name(&"é".repeat(300)).len() <= 200);
    }

    #[test]
    fn a_saved_file_has_the_bytes_and_no_temp_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("figures.csv");
        save_attachment_file(&path, b"a,b\n").unwrap();
        save_attachment_file(&path, b"c,d\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"c,d\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
