//! The mailboxes, kept as Maildir++ directories on disk so that Graph (served here) and IMAP
//! (Dovecot, pointed at the same directories) are two views of one mailbox. A message's receive
//! time and read flag live in its file name, so listing, counting and filtering never parse mail.

use crate::tenant::listing_cache::ListingCache;
use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Folder names that Graph also knows by a well-known name.
pub const WELL_KNOWN: [(&str, &str); 6] = [
    ("inbox", "Inbox"),
    ("sentitems", "Sent Items"),
    ("deleteditems", "Deleted Items"),
    ("drafts", "Drafts"),
    ("junkemail", "Junk Email"),
    ("archive", "Archive"),
];

#[derive(Debug, Clone, Deserialize)]
pub struct SeedMailbox {
    #[serde(default)]
    pub folders: Vec<SeedFolder>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedFolder {
    pub name: String,
    #[serde(default)]
    pub messages: Vec<SeedMessage>,
    #[serde(default)]
    pub children: Vec<SeedFolder>,
    /// Hidden from folder lists unless `includeHiddenFolders=true`.
    #[serde(default)]
    pub hidden: bool,
    /// This many synthetic messages are written besides `messages`, for bulk mailboxes
    /// (benchmarks use 100,000) that are not worth committing.
    #[serde(default)]
    pub generated: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedMessage {
    /// Relative to the seed file's directory.
    pub eml: PathBuf,
    pub received: DateTime<Utc>,
    #[serde(default)]
    pub is_read: bool,
}

/// One message file.
#[derive(Debug, Clone)]
pub struct Entry {
    pub folder: String,
    pub path: PathBuf,
    /// The file name before `:2,`, stable across flag changes.
    pub key: String,
    pub received: DateTime<Utc>,
    pub read: bool,
}

const HIDDEN_MARK: &str = "m365-sim-hidden";

pub struct MailStore {
    pub root: PathBuf,
    listings: ListingCache<Entry>,
}

impl MailStore {
    /// Writes the seeded mailboxes under `root/<address>/Maildir`.
    pub fn materialize(
        root: &Path,
        mailboxes: &[(String, SeedMailbox)],
        base: &Path,
    ) -> Result<Self, String> {
        let store = MailStore {
            root: root.to_path_buf(),
            listings: ListingCache::default(),
        };
        for (address, mailbox) in mailboxes {
            let mut n = 0usize;
            for folder in &mailbox.folders {
                store.write_folder(address, "", folder, base, &mut n)?;
            }
            // Every mailbox has an Inbox, seeded or not.
            std::fs::create_dir_all(store.folder_dir(address, "Inbox").join("cur"))
                .map_err(|e| e.to_string())?;
        }
        Ok(store)
    }

    fn write_folder(
        &self,
        address: &str,
        parent: &str,
        folder: &SeedFolder,
        base: &Path,
        n: &mut usize,
    ) -> Result<(), String> {
        let path = if parent.is_empty() {
            folder.name.clone()
        } else {
            format!("{parent}/{}", folder.name)
        };
        let dir = self.folder_dir(address, &path);
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        for m in &folder.messages {
            let source = base.join(&m.eml);
            let bytes = std::fs::read(&source)
                .map_err(|e| format!("seed message {}: {e}", source.display()))?;
            *n += 1;
            let flags = if m.is_read { "S" } else { "" };
            let file = dir.join("cur").join(format!(
                "{}.S{n}.m365-sim:2,{flags}",
                m.received.timestamp()
            ));
            std::fs::write(&file, bytes).map_err(|e| e.to_string())?;
            // Dovecot takes a Maildir message's received date from the file's mtime.
            let f = std::fs::File::options()
                .write(true)
                .open(&file)
                .map_err(|e| e.to_string())?;
            f.set_modified(m.received.into())
                .map_err(|e| e.to_string())?;
        }
        if folder.hidden {
            std::fs::write(dir.join(HIDDEN_MARK), b"").map_err(|e| e.to_string())?;
        }
        generate(&dir, address, &path, folder.generated, n)?;
        for child in &folder.children {
            self.write_folder(address, &path, child, base, n)?;
        }
        Ok(())
    }

    pub fn maildir(&self, address: &str) -> PathBuf {
        self.root.join(address.to_ascii_lowercase()).join("Maildir")
    }

    /// `Inbox` is the Maildir itself; `A/B` is `.A.B`, as Dovecot's Maildir++ layout has it.
    /// Inbox's children are `.INBOX.B`: Dovecot names them `INBOX/B` (INBOX is case-blind) and
    /// looks for them there.
    pub fn folder_dir(&self, address: &str, path: &str) -> PathBuf {
        if path.eq_ignore_ascii_case("Inbox") {
            return self.maildir(address);
        }
        let path = match path.split_once('/') {
            Some((first, rest)) if first.eq_ignore_ascii_case("Inbox") => format!("INBOX/{rest}"),
            _ => path.to_owned(),
        };
        self.maildir(address)
            .join(format!(".{}", path.replace('/', ".")))
    }

    /// Hidden folders carry a marker file, which Dovecot ignores.
    pub fn is_hidden(&self, address: &str, path: &str) -> bool {
        self.folder_dir(address, path).join(HIDDEN_MARK).exists()
    }

    /// Every folder path of a mailbox, Inbox first.
    pub fn folders(&self, address: &str) -> Vec<String> {
        let mut paths = vec!["Inbox".to_owned()];
        let mut others: Vec<String> = std::fs::read_dir(self.maildir(address))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_prefix('.'))
                    .map(|n| n.replace('.', "/"))
            })
            .map(|p| match p.strip_prefix("INBOX/") {
                Some(rest) => format!("Inbox/{rest}"),
                None => p,
            })
            .collect();
        others.sort();
        paths.extend(others);
        paths
    }

    /// The folder's messages, newest first; listed once while the folder is unchanged.
    pub fn entries(&self, address: &str, folder: &str) -> Arc<Vec<Entry>> {
        let dir = self.folder_dir(address, folder);
        self.listings.get(&dir, || {
            let mut all: Vec<Entry> = ["cur", "new"]
                .iter()
                .flat_map(|sub| {
                    std::fs::read_dir(dir.join(sub))
                        .into_iter()
                        .flatten()
                        .flatten()
                })
                .filter_map(|e| {
                    let name = e.file_name().to_str()?.to_owned();
                    let (key, info) = name.split_once(":2,").unwrap_or((&name, ""));
                    let secs: i64 = key.split('.').next()?.parse().ok()?;
                    Some(Entry {
                        folder: folder.to_owned(),
                        path: e.path(),
                        key: key.to_owned(),
                        received: Utc.timestamp_opt(secs, 0).single()?,
                        read: info.contains('S'),
                    })
                })
                .collect();
            all.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| b.key.cmp(&a.key)));
            all
        })
    }

    /// Sets or clears the Seen flag by renaming into `cur/`, as Maildir clients do.
    pub fn set_read(&self, entry: &Entry, read: bool) -> std::io::Result<PathBuf> {
        let flags: String = entry
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split_once(":2,"))
            .map(|(_, f)| f.chars().filter(|c| *c != 'S').collect())
            .unwrap_or_default();
        let mut flags: Vec<char> = flags.chars().collect();
        if read {
            flags.push('S');
        }
        flags.sort_unstable();
        let folder_dir = entry
            .path
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        let target = folder_dir.join("cur").join(format!(
            "{}:2,{}",
            entry.key,
            flags.iter().collect::<String>()
        ));
        std::fs::rename(&entry.path, &target)?;
        Ok(target)
    }

    /// Stores a new message in a folder (created if missing), as delivery or Sent Items does.
    pub fn deliver(
        &self,
        address: &str,
        folder: &str,
        bytes: &[u8],
        received: DateTime<Utc>,
        read: bool,
    ) -> std::io::Result<PathBuf> {
        let dir = self.folder_dir(address, folder);
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        let unique = crate::tenant::keys::random_token(9).replace(['-', '_'], "x");
        let name = format!("{}.D{unique}.m365-sim", received.timestamp());
        let tmp = dir.join("tmp").join(&name);
        std::fs::write(&tmp, bytes)?;
        let target = dir
            .join("cur")
            .join(format!("{name}:2,{}", if read { "S" } else { "" }));
        std::fs::rename(&tmp, &target)?;
        Ok(target)
    }

    /// Deleted mail leaves the mailbox for Recoverable Items, outside what IMAP and Graph list.
    pub fn delete(&self, address: &str, entry: &Entry) -> std::io::Result<()> {
        let bin = self
            .root
            .join(address.to_ascii_lowercase())
            .join("recoverable-items");
        std::fs::create_dir_all(&bin)?;
        std::fs::rename(&entry.path, bin.join(&entry.key))
    }
}

/// Writes `count` small plain-text messages, one a minute back from 2026-01-01, every third read.
fn generate(
    dir: &Path,
    address: &str,
    folder: &str,
    count: usize,
    n: &mut usize,
) -> Result<(), String> {
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    for i in 0..count {
        *n += 1;
        let received = start - chrono::Duration::minutes(i as i64);
        let flags = if i % 3 == 0 { "S" } else { "" };
        let body = format!(
            "From: Customer {i} <customer{i}@example.net>\r\nTo: {address}\r\nSubject: Bulk message {i} in {folder}\r\n\
             Date: {}\r\nMessage-ID: <bulk-{i}@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Generated message {i} for bulk tests.\r\n",
            received.to_rfc2822()
        );
        let file = dir
            .join("cur")
            .join(format!("{}.G{n}.m365-sim:2,{flags}", received.timestamp()));
        let mut f = std::fs::File::create(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        std::io::Write::write_all(&mut f, body.as_bytes()).map_err(|e| e.to_string())?;
        // As for seeded messages: Dovecot's received date is the mtime, Graph's the file name.
        f.set_modified(received.into()).map_err(|e| e.to_string())?;
    }
    Ok(())
}
