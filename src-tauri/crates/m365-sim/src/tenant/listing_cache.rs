//! A folder's message files, listed once and kept while the folder is unchanged: a folder of
//! 100,000 messages costs the simulator a directory read of 100,000 names per request
//! otherwise, which would swamp the client's own time in the benchmarks. A listing is kept
//! against the modification times of the folder's `cur/` and `new/`, which every delivery,
//! flag change or removal updates (the simulator's own, and Dovecot's on the same Maildir).
//! Only a listing taken well after the last change is kept: file systems stamp times with a
//! coarse clock, so a change in the same tick as the listing would not show.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// How much older than the listing the folder's last change must be for the listing to be
/// kept: far more than any file system's timestamp granularity.
const SETTLED: Duration = Duration::from_millis(50);

type Stamp = (Option<SystemTime>, Option<SystemTime>);
/// Each folder's listing and the stamp it was taken at.
type Kept<T> = HashMap<PathBuf, (Stamp, Arc<Vec<T>>)>;

pub struct ListingCache<T> {
    kept: Mutex<Kept<T>>,
}

impl<T> Default for ListingCache<T> {
    fn default() -> Self {
        Self {
            kept: Mutex::default(),
        }
    }
}

fn stamp(dir: &Path) -> Stamp {
    let modified = |sub: &str| {
        std::fs::metadata(dir.join(sub))
            .and_then(|m| m.modified())
            .ok()
    };
    (modified("cur"), modified("new"))
}

impl<T> ListingCache<T> {
    /// The listing of `dir`, kept or made by `list`.
    pub fn get(&self, dir: &Path, list: impl FnOnce() -> Vec<T>) -> Arc<Vec<T>> {
        let before = stamp(dir);
        if let Some((kept_stamp, listing)) = self.lock().get(dir) {
            if *kept_stamp == before {
                return listing.clone();
            }
        }
        let listed_at = SystemTime::now();
        let listing = Arc::new(list());
        let settled = |t: Option<SystemTime>| {
            t.is_none_or(|t| listed_at.duration_since(t).is_ok_and(|age| age > SETTLED))
        };
        if stamp(dir) == before && settled(before.0) && settled(before.1) {
            self.lock()
                .insert(dir.to_path_buf(), (before, listing.clone()));
        }
        listing
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept<T>> {
        // Every use is one lookup or insert: a poisoned map is whole.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_kept_until_the_folder_changes() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::thread::sleep(SETTLED * 2);
        let cache = ListingCache::default();
        let count = |cache: &ListingCache<String>| {
            cache.get(dir.path(), || {
                std::fs::read_dir(dir.path().join("cur"))
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
        };
        assert!(count(&cache).is_empty());
        let mut calls = 0;
        cache.get(dir.path(), || {
            calls += 1;
            vec![]
        });
        assert_eq!(calls, 0, "kept");
        std::fs::write(dir.path().join("cur").join("1.a:2,"), b"x").unwrap();
        // Listed in the same tick as the change: listed again next time, not kept.
        assert_eq!(count(&cache).len(), 1);
        std::thread::sleep(SETTLED * 2);
        assert_eq!(count(&cache).len(), 1);
        let mut calls = 0;
        cache.get(dir.path(), || {
            calls += 1;
            vec![]
        });
        assert_eq!(calls, 0, "kept once settled");
    }
}
