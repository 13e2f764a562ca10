//! Private files, written so that nothing is ever half-written: the bytes go to a temporary file
//! in the same folder (readable by the user only), which is synced and renamed over the target,
//! and the folder is synced. A crash leaves the old file or the new one, never a mix. Profiles,
//! exports and saved attachments are written this way.
//!
//! On Unix the file is created with mode 0600. Windows has no mode bits: a new file takes the
//! folder's ACL, which under the user's profile (`%APPDATA%`, the user's chosen folder) admits the
//! user, SYSTEM and Administrators only; the standard library's rename there is `MoveFileExW`
//! with `MOVEFILE_REPLACE_EXISTING`, which replaces the target in one step.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Temp file in the same directory, fsync, rename over `path`, sync the directory.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(dir);
    Ok(())
}

/// Makes a rename or removal durable. Best effort: Windows cannot open a directory as a file (and
/// flushes the rename itself).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
