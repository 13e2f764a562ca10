//! Saving an attachment or a whole message (`.eml`) from the preview: a file name that stays in
//! the chosen folder, and an atomic write, so a crash leaves no half-written file under its name.

use crate::catalog::Diagnosis;
use crate::platform::private_file::write_atomically;
use std::path::Path;

/// The longest file name made, in bytes (file systems take 255).
const MAX_NAME_BYTES: usize = 200;

/// The attachment's name as a file name: no directories, no control or bidirectional-override
/// characters (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`), no leading dots (a hidden
/// file, or `..`), no trailing dots or spaces (Windows drops them), no reserved Windows device
/// name (`CON`, `nul.txt`, `COM1`), at most [`MAX_NAME_BYTES`] with its extension kept;
/// `attachment` when nothing is left.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control()
                || is_bidi_control(c)
                || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
            {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut out = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' '])
        .trim()
        .to_owned();
    if out.len() > MAX_NAME_BYTES {
        out = shortened(&out);
    }
    if out.is_empty() {
        return "attachment".to_owned();
    }
    if is_reserved_on_windows(&out) {
        out.insert(0, '_');
    }
    out
}

/// The marks that reorder how a name is shown (Unicode's bidirectional controls).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `name` cut to [`MAX_NAME_BYTES`] on a character boundary, keeping a short extension.
fn shortened(name: &str) -> String {
    let ext = name
        .rfind('.')
        .map(|i| &name[i..])
        .filter(|e| e.len() <= 16)
        .unwrap_or("");
    let mut stem = name[..name.len() - ext.len()].to_owned();
    while stem.len() + ext.len() > MAX_NAME_BYTES {
        stem.pop();
    }
    format!("{}{ext}", stem.trim_end_matches(['.', ' ']))
}

/// A DOS device name, with or without an extension: Windows opens the device, not a file.
fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ((upper.starts_with("COM") || upper.starts_with("LPT"))
        && upper.len() == 4
        && matches!(
            stem.chars().nth(3),
            Some('0'..='9' | '\u{00B9}' | '\u{00B2}' | '\u{00B3}')
        ))
}

/// The file name suggested for a message saved as `.eml`: its subject, made safe.
pub fn eml_file_name(subject: &str) -> String {
    let stem = subject.trim().trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "message" } else { stem };
    safe_file_name(&format!("{stem}.eml"))
}

/// Writes `bytes` to `path` atomically (readable by the user only, as mail is private).
pub fn save_private_file(path: &Path, bytes: &[u8]) -> Result<(), Diagnosis> {
    write_atomically(path, bytes).map_err(|e| {
        Diagnosis::new(
            "preview.write",
            "The file could not be saved",
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
            ("nul.txt", "_nul.txt"),
            ("COM1", "_COM1"),
            ("CONSOLE.txt", "CONSOLE.txt"),
            ("report.pdf. . ", "report.pdf"),
            ("invoice\u{202E}fdp.exe", "invoice_fdp.exe"),
        ] {
            assert_eq!(safe_file_name(given), want, "{given:?}");
        }
        assert!(safe_file_name(&"é".repeat(300)).len() <= 200);
    }

    #[test]
    fn a_message_is_saved_under_its_subject() {
        assert_eq!(
            eml_file_name("Re: Limiting Perl CPU Utilization..."),
            "Re_ Limiting Perl CPU Utilization.eml"
        );
        assert_eq!(eml_file_name("  "), "message.eml");
        assert_eq!(eml_file_name("../CON"), "_CON.eml");
        let long = eml_file_name(&"x".repeat(400));
        assert!(long.len() <= 200 && long.ends_with(".eml"), "{long}");
    }

    #[test]
    fn a_saved_file_has_the_bytes_and_no_temp_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("figures.csv");
        save_private_file(&path, b"a,b\n").unwrap();
        save_private_file(&path, b"c,d\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"c,d\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
