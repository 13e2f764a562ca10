//! Profiles on disk: one JSON file per profile in one directory.
//!
//! One file per profile rather than one index file, because:
//! - a damaged or half-written file costs one profile, never all of them;
//! - saving one profile rewrites only its own file, so two windows (or the app and the CLI)
//!   saving different profiles cannot overwrite each other's changes;
//! - deleting a profile is deleting its file.
//!
//! Every write is atomic: the JSON goes to a temporary file in the same directory (mode 0600 on
//! Unix), is flushed to disk (`fsync`), then renamed over the profile's file, and the directory
//! is synced. A crash leaves the old file or the new one, never a mixture.
//!
//! File names are the profile name with everything outside `[a-z0-9@._+-]` (and a leading dot)
//! written as `%XX`, so they are readable (`alice@contoso.test.json`), cannot leave the
//! directory, and differ for names that differ only in case.
//!
//! Secrets are not here: [`ProfileStore::delete`] removes the profile's keyring entries
//! ([`refresh_token_key`]; the app's client secret only when no other profile uses that app).

use crate::platform::private_file::{sync_dir, write_atomically};
use crate::profile::channel_setup::ChannelSetup;
use crate::profile::record::refresh_token_key;
use crate::{
    app_registration::client_secret_key, catalog::Diagnosis, platform::SecretStore,
    profile::Profile,
};
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};
use ts_rs::TS;

pub struct ProfileStore {
    dir: PathBuf,
}

/// What [`ProfileStore::list`] found: the readable profiles, sorted by name, and a diagnosis
/// naming each file that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ProfileList {
    pub profiles: Vec<Profile>,
    pub damaged: Vec<Diagnosis>,
}

/// What [`ProfileStore::delete`] removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Deleted {
    pub profile: String,
    /// The keyring keys removed (names only).
    pub keyring_keys: Vec<String>,
    /// Why the app's client secret was kept, when it was.
    pub client_secret_kept: Option<String>,
}

/// The app's identifier (tauri.conf.json): the wizard and the CLI share its data folder.
pub const APP_IDENTIFIER: &str = "net.m365onboard.wizard";

/// Where profiles live: `profiles` in the folder Tauri gives the wizard (the platform's data folder
/// and the app's identifier), so the CLI sees the same ones: `$XDG_DATA_HOME` or `~/.local/share`
/// on Linux, `%APPDATA%` on Windows, `~/Library/Application Support` on macOS.
pub fn default_profiles_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
        .join("profiles")
}

impl ProfileStore {
    /// Profiles in `dir` (created on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The file `name` beside the profiles folder, for what is kept about all profiles (not in
    /// the folder: every `.json` there is read as a profile).
    pub fn beside(&self, name: &str) -> PathBuf {
        self.dir.parent().unwrap_or(&self.dir).join(name)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of the profile named `name`.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{}.json", file_stem(name)))
    }

    /// Every profile, and a diagnosis for each file that cannot be read. A missing directory
    /// is an empty list; an unreadable directory is a diagnosis.
    pub fn list(&self) -> Result<ProfileList, Diagnosis> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ProfileList::default()),
            Err(e) => return Err(io_failure("read", &self.dir, &e)),
        };
        let mut list = ProfileList::default();
        for entry in entries {
            let path = match entry {
                Ok(e) => e.path(),
                Err(e) => {
                    list.damaged.push(io_failure("read", &self.dir, &e));
                    continue;
                }
            };
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue; // temporary files of writes in progress, and anything else
            }
            match read(&path) {
                Ok(p) if path == self.path_of(&p.name) => list.profiles.push(p),
                Ok(p) => list.damaged.push(damaged(
                    &path,
                    &format!(
                        "it holds the profile “{}”, whose file is {}",
                        p.name,
                        self.path_of(&p.name).display()
                    ),
                )),
                Err(d) => list.damaged.push(d),
            }
        }
        list.profiles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }

    /// The profile named `name`, or `None` when there is none. A damaged file is a diagnosis.
    pub fn get(&self, name: &str) -> Result<Option<Profile>, Diagnosis> {
        let path = self.path_of(name);
        match fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            _ => read(&path).map(Some),
        }
    }

    /// The profile named `name`, or `profile.not_found`.
    pub fn require(&self, name: &str) -> Result<Profile, Diagnosis> {
        Profile::validate_name(name)?;
        self.get(name)?.ok_or_else(|| {
            let mut d = Diagnosis::new(
                "profile.not_found",
                "No such profile",
                format!("There is no profile named “{name}”."),
                "Pick one of the connected mailboxes (`m365-onboard profiles`), or connect this mailbox in the Account step.",
            );
            d.field = Some("Profile".to_owned());
            d
        })
    }

    /// Writes `profile` atomically, replacing the file of the same name.
    pub fn save(&self, profile: &Profile) -> Result<(), Diagnosis> {
        Profile::validate_name(&profile.name)?;
        if file_stem(&profile.name).len() > 240 {
            return Err(Diagnosis::field(
                "Profile name",
                "profile.name",
                "The profile name is too long for a file name.",
                "Use a shorter name, such as the mailbox address.",
            ));
        }
        let json = serde_json::to_vec_pretty(profile).map_err(|e| {
            Diagnosis::new(
                "profile.write",
                "The profile could not be saved",
                format!("It could not be written as JSON ({e})."),
                "Report this as a bug.",
            )
        })?;
        fs::create_dir_all(&self.dir).map_err(|e| io_failure("create", &self.dir, &e))?;
        let path = self.path_of(&profile.name);
        write_atomically(&path, &json).map_err(|e| io_failure("write", &path, &e))
    }

    /// Deletes the profile and its keyring entries. The keyring goes first: if that fails,
    /// the profile stays (so nothing is left behind unnamed) and the deletion can be retried.
    /// The app's client secret is removed only when no other profile uses the same client ID
    /// and every profile file could be read (a damaged one might use it).
    pub fn delete(&self, name: &str, secrets: &dyn SecretStore) -> Result<Deleted, Diagnosis> {
        let profile = self.require(name)?;
        let mut keyring_keys = vec![refresh_token_key(&profile.name)];
        let list = self.list()?;
        let users: Vec<&str> = list
            .profiles
            .iter()
            .filter(|p| {
                p.name != profile.name && p.client_id.eq_ignore_ascii_case(&profile.client_id)
            })
            .map(|p| p.name.as_str())
            .collect();
        let client_secret_kept = if let Some(other) = users.first() {
            Some(format!("the profile “{other}” uses the same app"))
        } else if !list.damaged.is_empty() {
            Some(format!(
                "{} profile file(s) could not be read and might use the same app",
                list.damaged.len()
            ))
        } else {
            keyring_keys.push(client_secret_key(&profile.client_id));
            None
        };
        for key in &keyring_keys {
            secrets.delete(key)?;
        }
        let path = self.path_of(&profile.name);
        fs::remove_file(&path).map_err(|e| io_failure("delete", &path, &e))?;
        sync_dir(&self.dir);
        Ok(Deleted {
            profile: profile.name,
            keyring_keys,
            client_secret_kept,
        })
    }
}

fn read(path: &Path) -> Result<Profile, Diagnosis> {
    let text = fs::read_to_string(path).map_err(|e| io_failure("read", path, &e))?;
    Profile::from_json(&text).map_err(|why| damaged(path, &why))
}

fn damaged(path: &Path, why: &str) -> Diagnosis {
    let mut d = Diagnosis::new(
        "profile.damaged",
        "A profile file cannot be read",
        format!("{} cannot be used: {why}.", path.display()),
        "Move the file away (or delete it) and connect that mailbox again; the other profiles are not affected.",
    );
    d.field = Some(path.display().to_string());
    d
}

fn io_failure(verb: &str, path: &Path, e: &std::io::Error) -> Diagnosis {
    Diagnosis::new(
        "profile.io",
        "The profiles folder cannot be used",
        format!("Could not {verb} {}: {e}.", path.display()),
        "Check that the folder exists, belongs to you and the disk is not full, then try again.",
    )
}

/// The file stem of a profile name (see the module documentation).
fn file_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        let plain = matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'@' | b'_' | b'+' | b'-')
            || (b == b'.' && i > 0);
        if plain {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Keeps `setup` in the profile `name` (replacing what it had), atomically; the saved profile.
pub fn keep_channel_setup(
    profiles: &ProfileStore,
    name: &str,
    setup: ChannelSetup,
) -> Result<Profile, Diagnosis> {
    let mut profile = profiles.require(name)?;
    profile.channel_setup = Some(setup);
    profiles.save(&profile)?;
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{MemoryStore, Secret};
    use crate::profile::record::tests::sample;

    fn temp_store() -> (tempfile::TempDir, ProfileStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path().join("profiles"));
        (dir, store)
    }

    #[test]
    fn profiles_round_trip_in_private_files() {
        let (_dir, store) = temp_store();
        assert_eq!(store.list().unwrap(), ProfileList::default());
        assert_eq!(store.get("nobody@contoso.test").unwrap(), None);
        assert_eq!(
            store.require("nobody@contoso.test").unwrap_err().code,
            "profile.not_found"
        );
        let a = sample("support@contoso.test");
        let b = sample("Sales@Contoso.test");
        store.save(&a).unwrap();
        store.save(&b).unwrap();
        assert_eq!(store.get(&a.name).unwrap().as_ref(), Some(&a));
        assert_eq!(store.list().unwrap().profiles, vec![b.clone(), a.clone()]);
        assert_eq!(
            store.path_of(&a.name).file_name().unwrap(),
            "support@contoso.test.json"
        );
        assert_eq!(
            store.path_of(&b.name).file_name().unwrap(),
            "%53ales@%43ontoso.test.json"
        );
        assert_eq!(
            store.path_of("../x").file_name().unwrap(),
            "%2E.%2Fx.json",
            "names cannot leave the folder"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path_of(&a.name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Saving again replaces the file and leaves no temporary file behind.
        let mut a2 = a.clone();
        a2.channel = crate::identity::ChannelKind::GraphDelegated;
        store.save(&a2).unwrap();
        assert_eq!(store.get(&a.name).unwrap(), Some(a2));
        let files: Vec<_> = fs::read_dir(store.dir()).unwrap().collect();
        assert_eq!(files.len(), 2, "{files:?}");
    }

    #[test]
    fn a_damaged_file_is_named_and_the_others_still_load() {
        let (_dir, store) = temp_store();
        let good = sample("support@contoso.test");
        store.save(&good).unwrap();
        fs::write(store.dir().join("broken.json"), b"{\"name\": \"bro").unwrap();
        fs::write(store.dir().join("empty.json"), b"").unwrap();
        fs::write(store.dir().join("notes.txt"), b"not a profile").unwrap();
        // A valid profile in the wrong file is damage too (its name decides its file).
        fs::write(
            store.dir().join("moved.json"),
            serde_json::to_vec(&sample("other@contoso.test")).unwrap(),
        )
        .unwrap();
        let list = store.list().unwrap();
        assert_eq!(list.profiles, vec![good]);
        let mut named: Vec<_> = list
            .damaged
            .iter()
            .map(|d| {
                assert_eq!(d.code, "profile.damaged");
                Path::new(d.field.as_deref().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        named.sort();
        assert_eq!(named, ["broken.json", "empty.json", "moved.json"]);
        fs::write(store.path_of("x@contoso.test"), b"[]").unwrap();
        assert_eq!(
            store.get("x@contoso.test").unwrap_err().code,
            "profile.damaged"
        );
    }

    #[test]
    fn deleting_removes_the_refresh_token_and_the_client_secret_only_when_unused() {
        let (_dir, store) = temp_store();
        let secrets = MemoryStore::default();
        let a = sample("a@contoso.test");
        let b = sample("b@contoso.test");
        let mut c = sample("c@contoso.test");
        c.client_id = "11111111-2222-4333-8444-555555555555".into();
        for p in [&a, &b, &c] {
            store.save(p).unwrap();
            secrets
                .put(
                    &refresh_token_key(&p.name),
                    &Secret::new(format!("rt-{}", p.name)),
                )
                .unwrap();
            secrets
                .put(&client_secret_key(&p.client_id), &Secret::new("app-secret"))
                .unwrap();
        }
        let d = store.delete(&a.name, &secrets).unwrap();
        assert_eq!(d.keyring_keys, [refresh_token_key(&a.name)]);
        assert!(d.client_secret_kept.unwrap().contains("b@contoso.test"));
        assert_eq!(secrets.get(&refresh_token_key(&a.name)).unwrap(), None);
        assert!(secrets
            .get(&client_secret_key(&a.client_id))
            .unwrap()
            .is_some());
        assert_eq!(store.get(&a.name).unwrap(), None);

        // b is the last user of the app: its secret goes with it. c's entries stay.
        let d = store.delete(&b.name, &secrets).unwrap();
        assert_eq!(d.client_secret_kept, None);
        assert_eq!(secrets.get(&client_secret_key(&b.client_id)).unwrap(), None);
        assert_eq!(
            secrets.get(&refresh_token_key(&c.name)).unwrap(),
            Some(Secret::new("rt-c@contoso.test"))
        );
        assert!(secrets
            .get(&client_secret_key(&c.client_id))
            .unwrap()
            .is_some());
        assert_eq!(store.list().unwrap().profiles, vec![c.clone()]);

        // With a damaged file around, the client secret is kept: it might be that profile's.
        fs::write(store.dir().join("broken.json"), b"{").unwrap();
        let d = store.delete(&c.name, &secrets).unwrap();
        assert!(d.client_secret_kept.unwrap().contains("could not be read"));
        assert!(secrets
            .get(&client_secret_key(&c.client_id))
            .unwrap()
            .is_some());
        assert_eq!(secrets.get(&refresh_token_key(&c.name)).unwrap(), None);
        assert_eq!(
            store.delete(&c.name, &secrets).unwrap_err().code,
            "profile.not_found"
        );
    }

    /// A keyring that refuses deletions: the profile must stay, so the deletion can be retried.
    struct NoDelete(MemoryStore);
    impl SecretStore for NoDelete {
        fn backend(&self) -> &'static str {
            "no-delete"
        }
        fn put(&self, k: &str, s: &Secret) -> Result<(), Diagnosis> {
            self.0.put(k, s)
        }
        fn get(&self, k: &str) -> Result<Option<Secret>, Diagnosis> {
            self.0.get(k)
        }
        fn delete(&self, _: &str) -> Result<(), Diagnosis> {
            Err(Diagnosis::new("keyring.unavailable", "t", "d", "f"))
        }
    }

    #[test]
    fn a_failed_keyring_deletion_keeps_the_profile() {
        let (_dir, store) = temp_store();
        let p = sample("a@contoso.test");
        store.save(&p).unwrap();
        let secrets = NoDelete(MemoryStore::default());
        assert_eq!(
            store.delete(&p.name, &secrets).unwrap_err().code,
            "keyring.unavailable"
        );
        assert_eq!(store.get(&p.name).unwrap(), Some(p));
    }
}
