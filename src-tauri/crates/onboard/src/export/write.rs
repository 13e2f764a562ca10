//! An export written to disk: the file and its README beside it, each atomically with mode
//! 0600, so that a failed write leaves nothing half-written.

use crate::catalog::Diagnosis;
use crate::export::format::Export;
use crate::platform::private_file::write_atomically;
use std::path::{Path, PathBuf};

/// Where the README of an export written to `out` goes: beside it, `NAME.README.md`.
pub fn readme_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "export".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.README.md"))
}

/// Writes the export to `out` (and its README beside it), each atomically with mode 0600.
/// Returns the files written.
pub fn write_export(out: &Path, export: &Export) -> Result<Vec<PathBuf>, Diagnosis> {
    if out.is_dir() {
        return Err(Diagnosis::field(
            "Export file",
            "export.out_is_dir",
            format!("{} is a folder.", out.display()),
            "Give the path of the file to write, such as ./channel.json.",
        ));
    }
    let write = |path: &Path, bytes: &[u8]| {
        write_atomically(path, bytes).map_err(|e| {
            let mut d = Diagnosis::new(
                "export.write",
                "The export could not be written",
                format!("Could not write {}: {e}.", path.display()),
                "Check that the folder exists, belongs to you and the disk is not full, then try again.",
            );
            d.field = Some("Export file".to_owned());
            d
        })
    };
    let mut written = vec![out.to_path_buf()];
    write(out, export.content.as_bytes())?;
    if let Some(readme) = &export.readme {
        let path = readme_path(out);
        write(&path, readme.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::export::format::{ExportFormat, ExportOptions};
    use crate::export::render::export;
    use crate::export::{ExportSecrets, SecretHandling};

    #[test]
    fn files_are_private_and_the_readme_goes_beside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("zammad-channel.json");
        let e = export(
            &config(),
            ExportFormat::Zammad,
            &ExportSecrets::default(),
            &SecretHandling::Omit,
            &ExportOptions::default(),
        )
        .unwrap();
        let written = write_export(&out, &e).unwrap();
        assert_eq!(
            written,
            [out.clone(), dir.path().join("zammad-channel.README.md")]
        );
        #[cfg(unix)]
        for f in &written {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(f).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", f.display());
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), e.content);
        assert_eq!(
            write_export(dir.path(), &e).unwrap_err().code,
            "export.out_is_dir"
        );
        let d = write_export(&dir.path().join("no/such/dir/x.json"), &e).unwrap_err();
        assert_eq!(
            (d.code.as_str(), d.field.as_deref()),
            ("export.write", Some("Export file"))
        );
        assert!(d.detail.contains("no/such/dir"), "{}", d.detail);
    }
}
