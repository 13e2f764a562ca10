//! Importing a neutral JSON export ([`ChannelConfig`]) as a profile: on another machine, or
//! back after a reinstall. Everything is checked before anything is written (the file, its
//! version, the passphrase, a clash with an existing profile); a refused import changes nothing.
//! Secrets the file carries go to the keyring first, then the profile is saved; if that fails the
//! keyring is put back as it was.
//!
//! The file may come from anyone (it is mailed around to be imported): it is read up to
//! [`MAX_IMPORT_BYTES`], a wrong field is named by its path without its value (which may be a
//! secret), and the tenant and client IDs must be GUIDs. The endpoints the file lists are not
//! used: the profile keeps only which cloud it is in.

use crate::export::channel_config::{CHANNEL_CONFIG_FORMAT, CHANNEL_CONFIG_VERSION};
use crate::export::secrets::SecretValues;
use crate::profile::record::refresh_token_key;
use crate::{
    app_registration::client_secret_key,
    catalog::Diagnosis,
    export::{ChannelConfig, IncludedSecrets, ZAMMAD_FORMAT},
    platform::{Secret, SecretStore},
    profile::{Profile, ProfileStore},
};
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use ts_rs::TS;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Imported {
    pub profile: Profile,
    /// The keyring entries written (names only).
    pub keyring_keys: Vec<String>,
    /// Secrets the profile needs that the file did not carry, each with what to do.
    pub missing: Vec<String>,
}

/// Imports the neutral JSON export in `path` ([`read_channel_config`], then
/// [`import_channel_config`]).
pub fn import_file(
    path: &Path,
    passphrase: Option<&Secret>,
    profiles: &ProfileStore,
    secrets: &dyn SecretStore,
) -> Result<Imported, Diagnosis> {
    let config = read_channel_config(path)?;
    import_channel_config(
        &config,
        passphrase,
        &path.display().to_string(),
        profiles,
        secrets,
    )
}

/// The largest file imported: an export is a few KB, with encrypted secrets a few more.
pub const MAX_IMPORT_BYTES: u64 = 1024 * 1024;

/// Reads and checks the channel config in `path`, migrating an older version.
pub fn read_channel_config(path: &Path) -> Result<ChannelConfig, Diagnosis> {
    let name = path.display().to_string();
    let unreadable = |e: &dyn std::fmt::Display| {
        let mut d = Diagnosis::new(
            "import.unreadable",
            "The file cannot be read",
            format!("{name}: {e}."),
            "Check the path, and that the file is a text file you may read.",
        );
        d.field = Some(name.clone());
        d
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_IMPORT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        let mut d = Diagnosis::new(
            "import.too_large",
            "The file is too large for a channel config",
            format!(
                "{name} is larger than {} KB; a channel config is a few KB. Nothing was imported.",
                MAX_IMPORT_BYTES / 1024
            ),
            "Import the neutral JSON export (export --format json), unchanged.",
        );
        d.field = Some(name);
        return Err(d);
    }
    let text = String::from_utf8(bytes).map_err(|_| unreadable(&"it is not UTF-8 text"))?;
    parse_channel_config(&text, &name)
}

/// [`read_channel_config`] for text already read; `source` names it in diagnoses.
pub fn parse_channel_config(text: &str, source: &str) -> Result<ChannelConfig, Diagnosis> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| wrong_file(source, &format!("it is not JSON ({e}){}", sniff(text))))?;
    let format = value.get("format").and_then(|f| f.as_str());
    match format {
        Some(CHANNEL_CONFIG_FORMAT) => {}
        Some(ZAMMAD_FORMAT) => {
            return Err(wrong_file(
                source,
                "it is a Zammad export, which is for the Zammad server",
            ))
        }
        Some(other) => {
            return Err(wrong_file(source, &format!("its format is “{other}”")))
        }
        None if value.get("mailbox").is_some() && value.get("version").is_some() => {
            return Err(wrong_file(
                source,
                "it is a profile file of this app, not an export (profiles are read from the profiles folder)",
            ))
        }
        None => return Err(wrong_file(source, "it has no channel config format")),
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version > u64::from(CHANNEL_CONFIG_VERSION) {
        let mut d = Diagnosis::new(
            "import.newer_version",
            "The export is from a newer version",
            format!(
                "{source} has channel config format {version}; this version reads up to {CHANNEL_CONFIG_VERSION}. Nothing was imported."
            ),
            "Update m365-onboard on this machine, then import again.",
        );
        d.field = Some(source.to_owned());
        return Err(d);
    }
    if version == 0 {
        return Err(damaged(source, "it has no format version"));
    }
    // Format 1 is the first: later versions migrate older files here, one version at a time.
    let config: ChannelConfig =
        serde_path_to_error::deserialize(value).map_err(|e| damaged(source, &wrong_field(&e)))?;
    for (field, value) in [
        ("tenant_id", &config.tenant_id),
        ("client_id", &config.client_id),
    ] {
        if !crate::app_registration::is_guid(value) {
            return Err(damaged(
                source,
                &format!("the field “{field}” is not a GUID"),
            ));
        }
    }
    Ok(config)
}

/// Which field is wrong and how, without the value serde would quote (it may be a secret).
fn wrong_field(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let what = without_value(&e.inner().to_string());
    if path == "." {
        what
    } else {
        format!("the field “{path}” is wrong: {what}")
    }
}

/// serde's message with the value it quotes left out: `invalid type: string "…", expected u32`
/// becomes `expected u32, found string`.
fn without_value(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return format!("an unknown value, expected {expected}");
    }
    let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    else {
        return message.to_owned();
    };
    let kind = rest.split([' ', ',']).next().unwrap_or("value");
    let expected = rest
        .rsplit_once(", expected ")
        .map_or("another value", |(_, e)| e);
    format!("expected {expected}, found {kind}")
}

/// Makes a profile of `config`, with the secrets it carries (opened with `passphrase` when they
/// are encrypted) in `secrets`. A name or mailbox another profile has is refused, naming it.
pub fn import_channel_config(
    config: &ChannelConfig,
    passphrase: Option<&Secret>,
    source: &str,
    profiles: &ProfileStore,
    secrets: &dyn SecretStore,
) -> Result<Imported, Diagnosis> {
    let profile = config.to_profile()?;
    crate::profile::reauth::check_new(profiles, &profile.name, profile.mailbox.address())?;
    let values = match &config.secrets {
        None => SecretValues {
            client_secret: None,
            refresh_token: None,
        },
        Some(IncludedSecrets::Plain {
            client_secret,
            refresh_token,
        }) => SecretValues {
            client_secret: client_secret.clone(),
            refresh_token: refresh_token.clone(),
        },
        Some(IncludedSecrets::Age { armored }) => {
            let passphrase = passphrase.ok_or_else(|| {
                Diagnosis::field(
                    "Passphrase",
                    "import.passphrase_needed",
                    format!("The secrets in {source} are encrypted, and no passphrase was given. Nothing was imported."),
                    "Give the passphrase used for the export (on the command line: read -rs PASS; export PASS, then --passphrase-env PASS).",
                )
            })?;
            let plain = crate::export::open(armored, passphrase, source)?;
            let mut json = serde_json::Deserializer::from_slice(&plain);
            serde_path_to_error::deserialize(&mut json).map_err(|e| {
                damaged(
                    source,
                    &format!(
                        "its encrypted secrets are not as expected ({})",
                        wrong_field(&e)
                    ),
                )
            })?
        }
    };

    let mut writes: Vec<(String, Secret)> = Vec::new();
    let mut missing = Vec::new();
    for (wanted, value, key, what) in [
        (
            config.client_secret.is_some(),
            values.client_secret,
            client_secret_key(&profile.client_id),
            "the app's client secret: check the app again with it (check-app --client-secret-env VAR, or the App registration step)",
        ),
        (
            config.refresh_token.is_some(),
            values.refresh_token,
            refresh_token_key(&profile.name),
            "the mailbox's sign-in: sign in again to this profile (sign-in --reauth NAME, or the Account step)",
        ),
    ] {
        match (wanted, value) {
            (true, Some(v)) => writes.push((key, Secret::new(v))),
            (true, None) => missing.push(what.to_owned()),
            (false, _) => {}
        }
    }

    let mut done: Vec<(String, Option<Secret>)> = Vec::new();
    let result = (|| {
        for (key, value) in &writes {
            done.push((key.clone(), secrets.get(key)?));
            secrets.put(key, value)?;
        }
        profiles.save(&profile)
    })();
    if let Err(e) = result {
        for (key, before) in done.iter().rev() {
            let _ = match before {
                Some(old) => secrets.put(key, old),
                None => secrets.delete(key),
            };
        }
        return Err(e);
    }
    Ok(Imported {
        profile,
        keyring_keys: writes.into_iter().map(|(k, _)| k).collect(),
        missing,
    })
}

/// A hint at what a non-JSON file is.
fn sniff(text: &str) -> &'static str {
    let t = text.trim_start();
    if t.starts_with("-----BEGIN AGE ENCRYPTED FILE-----") {
        "; it is an encrypted Zammad or env export, which is for the server"
    } else if t.contains("server_address") && t.contains('[') {
        "; it looks like an emailproxy.config, which is for email-oauth2-proxy"
    } else if t.contains("M365_") {
        "; it looks like an env file, which is for a custom server"
    } else {
        ""
    }
}

fn wrong_file(source: &str, why: &str) -> Diagnosis {
    let mut d = Diagnosis::new(
        "import.wrong_kind",
        "Not a channel config",
        format!("{source} cannot be imported: {why}. Nothing was imported."),
        "Import the neutral JSON export (export --format json), unchanged.",
    );
    d.field = Some(source.to_owned());
    d
}

fn damaged(source: &str, why: &str) -> Diagnosis {
    let mut d = Diagnosis::new(
        "import.damaged",
        "The channel config is damaged",
        format!("{source} cannot be imported: {why}. Nothing was imported."),
        "Export the profile again and copy the file unchanged.",
    );
    d.field = Some(source.to_owned());
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::platform::MemoryStore;

    #[test]
    fn what_is_not_a_channel_config_is_named() {
        let code = |text: &str| parse_channel_config(text, "x.json").unwrap_err().code;
        assert_eq!(code("{\"version\": 1"), "import.wrong_kind");
        assert_eq!(code("[IMAP-1993]\nserver_address = a"), "import.wrong_kind");
        assert_eq!(
            code("{\"format\": \"m365-onboard/zammad-channel\"}"),
            "import.wrong_kind"
        );
        assert_eq!(
            code("{\"version\": 1, \"mailbox\": {}}"),
            "import.wrong_kind"
        );
        assert_eq!(
            code("{\"format\": \"m365-onboard/channel-config\", \"version\": 9}"),
            "import.newer_version"
        );
        assert_eq!(
            code("{\"format\": \"m365-onboard/channel-config\", \"version\": 1}"),
            "import.damaged"
        );
        assert_eq!(
            code("{\"format\": \"m365-onboard/channel-config\"}"),
            "import.damaged"
        );
        let d = parse_channel_config("-----BEGIN AGE ENCRYPTED FILE-----", "x.env").unwrap_err();
        assert!(
            d.detail.contains("x.env") && d.detail.contains("encrypted"),
            "{}",
            d.detail
        );
    }

    /// An export of format 1, as this version wrote it: every later version must import it.
    #[test]
    fn a_format_1_export_imports() {
        let text = include_str!("../../tests/fixtures/channel-config-v1.json");
        let c = parse_channel_config(text, "channel-config-v1.json").unwrap();
        assert_eq!(
            c.to_profile().unwrap(),
            crate::profile::record::tests::sample("support@contoso.test")
        );
    }

    #[test]
    fn a_failed_save_puts_the_keyring_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        let secrets = MemoryStore::default();
        let mut c = config();
        // A valid name whose escaped file name is too long: the save fails, after the keyring.
        c.profile.name = "S".repeat(100);
        c.secrets = Some(IncludedSecrets::Plain {
            client_secret: Some("new".into()),
            refresh_token: Some("rt".into()),
        });
        let key = client_secret_key(&c.client_id);
        secrets.put(&key, &Secret::new("old")).unwrap();
        let d = import_channel_config(&c, None, "x.json", &store, &secrets).unwrap_err();
        assert_eq!(d.code, "profile.name");
        assert_eq!(secrets.get(&key).unwrap(), Some(Secret::new("old")));
        assert_eq!(
            secrets.get(&refresh_token_key(&c.profile.name)).unwrap(),
            None
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
