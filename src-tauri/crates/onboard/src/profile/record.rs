//! A profile: one connected mailbox, as the wizard remembers it between runs.
//!
//! A profile holds no secret. It has no field of type [`Secret`](crate::platform::Secret) (which does not
//! implement `Serialize`, so `#[derive(Serialize)]` on `Profile` would not compile with one), and
//! no string field meant for a token: the refresh token lives in the [`SecretStore`](crate::platform::SecretStore)
//! under [`refresh_token_key`], the client secret under
//! [`client_secret_key`](crate::app_registration::client_secret_key), and access tokens only in memory
//! ([`Session`](crate::profile::Session)). A test serializes a full profile and checks it.

use crate::{
    catalog::Diagnosis,
    cloud::{Cloud, CloudPreset},
    identity::{ChannelKind, Identity, Resource},
    profile::ChannelSetup,
};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The profile format written by this version. Older files are migrated when read
/// ([`Profile::from_json`]); newer ones are reported, never overwritten. Format 2 added
/// `channel_setup`: a format-1 app would drop it when saving, so it must refuse these files.
pub const PROFILE_VERSION: u32 = 2;

/// The keyring key of a profile's refresh token: `profile/{name}/refresh-token`. One refresh
/// token serves every audience (Graph and Outlook) of the profile, as Microsoft's do.
pub fn refresh_token_key(profile_name: &str) -> String {
    format!("profile/{profile_name}/refresh-token")
}

/// Which mailbox a profile connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MailboxRef {
    /// The signed-in user's own mailbox: the profile's identity IS the mailbox.
    User { address: String },
    /// A shared mailbox, reached through a delegate with full access (and send-as).
    Shared { address: String, delegate: Identity },
}

impl MailboxRef {
    pub fn address(&self) -> &str {
        match self {
            MailboxRef::User { address } | MailboxRef::Shared { address, .. } => address,
        }
    }

    /// Mailbox addresses compare without regard to case.
    pub fn same_address(&self, address: &str) -> bool {
        self.address().trim().eq_ignore_ascii_case(address.trim())
    }
}

/// Where the profile's tenant lives. The sandbox's URLs (and its CA) change every run, so a
/// sandbox profile remembers only that it belongs to the sandbox: the running sandbox supplies
/// its `Cloud`. Its tokens do not outlive the sandbox either; the refresh then asks for a new
/// sign-in, which the sandbox answers at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ProfileCloud {
    Preset { preset: CloudPreset },
    Sandbox,
}

impl ProfileCloud {
    /// The endpoints to use: the preset's, or the running sandbox's.
    pub fn resolve(&self, sandbox: Option<&Cloud>) -> Result<Cloud, Diagnosis> {
        match (self, sandbox) {
            (ProfileCloud::Preset { preset }, _) => Ok(Cloud::preset(*preset)),
            (ProfileCloud::Sandbox, Some(cloud)) => Ok(cloud.clone()),
            (ProfileCloud::Sandbox, None) => Err(Diagnosis::new(
                "profile.sandbox_not_running",
                "This profile belongs to the sandbox",
                "The profile was made in the sandbox tenant, which is not running now.",
                "Start the wizard in sandbox mode (or the CLI with the sandbox's URLs) to use it, or delete the profile.",
            )),
        }
    }
}

/// How the profile's credentials were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignInFlow {
    /// System browser with a loopback redirect.
    Browser,
    /// The helpdesk's own callback captured in a wizard window.
    Embedded,
    Device,
    /// App-only: no user, no refresh token; each access token comes from the client secret.
    ClientCredentials,
}

impl SignInFlow {
    /// Delegated flows keep a refresh token; app-only does not.
    pub fn has_refresh_token(self) -> bool {
        self != SignInFlow::ClientCredentials
    }
}

/// Scopes the identity platform granted, per audience, as short names (`Mail.ReadWrite`,
/// `IMAP.AccessAsUser.All`); the OpenID scopes (`openid profile email offline_access`) are not
/// listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(default)]
pub struct GrantedScopes {
    pub graph: Vec<String>,
    pub outlook: Vec<String>,
}

const OIDC: [&str; 4] = ["openid", "profile", "email", "offline_access"];

impl GrantedScopes {
    pub fn get(&self, audience: Resource) -> &[String] {
        match audience {
            Resource::Graph => &self.graph,
            Resource::Outlook => &self.outlook,
        }
    }

    /// Records the `scope` of a token response for `audience` (replacing what was there).
    /// Full names (`https://outlook.office.com/IMAP.AccessAsUser.All`) lose their resource.
    pub fn set_from_response(&mut self, audience: Resource, scope: &str) {
        let names = scope
            .split_whitespace()
            .map(|s| s.rsplit_once('/').map_or(s, |(_, name)| name))
            .filter(|s| !s.is_empty() && !OIDC.iter().any(|o| o.eq_ignore_ascii_case(s)))
            .map(str::to_owned)
            .collect();
        match audience {
            Resource::Graph => self.graph = names,
            Resource::Outlook => self.outlook = names,
        }
    }

    /// The `scope` parameter of a refresh for `audience`: its granted scopes in full, plus
    /// `offline_access` so the answer carries the rotated refresh token. With nothing recorded
    /// for that audience, everything consented (`/.default`).
    pub fn request(&self, audience: Resource, cloud: &Cloud) -> String {
        let resource = audience.identifier(cloud);
        let names = self.get(audience);
        let mut parts: Vec<String> = if names.is_empty() {
            vec![format!("{resource}/.default")]
        } else {
            names.iter().map(|n| format!("{resource}/{n}")).collect()
        };
        parts.push("offline_access".to_owned());
        parts.join(" ")
    }
}

/// One connected mailbox. Unknown keys (from newer versions) are ignored when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Profile {
    /// The format version ([`PROFILE_VERSION`]).
    pub version: u32,
    /// Unique among profiles (compared without regard to case); the mailbox address by default.
    pub name: String,
    pub mailbox: MailboxRef,
    /// Who signed in: the mailbox's user, or a shared mailbox's delegate (for app-only, the app).
    pub identity: Identity,
    pub tenant_id: String,
    pub client_id: String,
    /// The app authenticates with its client secret (kept in the keyring under
    /// `app/{client_id}/client-secret`); otherwise it is a public client.
    pub confidential_client: bool,
    pub cloud: ProfileCloud,
    pub channel: ChannelKind,
    pub flow: SignInFlow,
    pub scopes: GrantedScopes,
    /// When the last access token handed out expires (any audience); informational.
    #[ts(type = "string | null")]
    pub access_expires_at: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub last_refreshed_at: Option<DateTime<Utc>>,
    /// When someone last signed in interactively for this profile (creation or re-auth).
    #[ts(type = "string")]
    pub signed_in_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// The channel options step's choices, once made (folder, group, archive mode, server).
    #[serde(default)]
    pub channel_setup: Option<ChannelSetup>,
}

impl Profile {
    /// Reads a stored profile, migrating older versions. A file written by a newer version is
    /// refused (saving it here could drop what that version added).
    pub fn from_json(text: &str) -> Result<Self, String> {
        let mut value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version > u64::from(PROFILE_VERSION) {
            return Err(format!(
                "it was written by a newer version of this app (profile format {version}, this app reads up to {PROFILE_VERSION})"
            ));
        }
        if let Some(obj) = value.as_object_mut() {
            // Format 0 (before versioning) lacked the sign-in time; format 1 lacked
            // `channel_setup`, which reads as none.
            if version == 0 && !obj.contains_key("signed_in_at") {
                let created = obj.get("created_at").cloned().unwrap_or_default();
                obj.insert("signed_in_at".into(), created);
            }
            obj.insert("version".into(), PROFILE_VERSION.into());
        }
        serde_json::from_value(value).map_err(|e| format!("a field is missing or wrong ({e})"))
    }

    /// Checks a name before it becomes a file and a keyring key.
    pub fn validate_name(name: &str) -> Result<(), Diagnosis> {
        let bad = |detail: String| {
            Diagnosis::field(
                "Profile name",
                "profile.name",
                detail,
                "Use the mailbox address, or a short name without slashes or control characters.",
            )
        };
        if name.trim().is_empty() {
            return Err(bad("The profile name is empty.".into()));
        }
        if name.trim() != name {
            return Err(bad(format!("“{name}” starts or ends with a space.")));
        }
        if name.chars().count() > 200 {
            return Err(bad("The profile name is longer than 200 characters.".into()));
        }
        // `.` and `..` are no file names of their own anywhere a profile's name may end up.
        if name == "." || name == ".." {
            return Err(bad(format!("“{name}” names a folder, not a profile.")));
        }
        if name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        {
            return Err(bad(format!(
                "“{}” contains a slash or a control character.",
                name.escape_debug()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn alice() -> Identity {
        Identity {
            object_id: "3c9a5f7e-2b1d-4e8f-9a6c-1d2e3f4a5b6c".into(),
            tenant_id: "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e".into(),
            username: "alice@contoso.test".into(),
            display_name: Some("Alice Admin".into()),
        }
    }

    /// A profile with every field filled in (options set).
    pub(crate) fn sample(name: &str) -> Profile {
        let at = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        Profile {
            version: PROFILE_VERSION,
            name: name.into(),
            mailbox: MailboxRef::Shared {
                address: name.into(),
                delegate: alice(),
            },
            identity: alice(),
            tenant_id: alice().tenant_id,
            client_id: "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f".into(),
            confidential_client: true,
            cloud: ProfileCloud::Preset {
                preset: CloudPreset::Global,
            },
            channel: ChannelKind::ImapDelegated,
            flow: SignInFlow::Browser,
            scopes: GrantedScopes {
                graph: vec!["Mail.ReadWrite".into()],
                outlook: vec!["IMAP.AccessAsUser.All".into(), "SMTP.Send".into()],
            },
            access_expires_at: Some(at),
            last_refreshed_at: Some(at),
            signed_in_at: at,
            created_at: at,
            channel_setup: Some(ChannelSetup {
                server: crate::server::ServerKind::ZammadImap,
                callback_url:
                    "https://desk.example.com/api/v1/external_credentials/microsoft365/callback"
                        .into(),
                group: "Support L1".into(),
                folder: crate::profile::FolderRef {
                    id: "INBOX.Inquiries".into(),
                    path: "Inbox/Inquiries".into(),
                },
                keep_on_server: true,
                archive: Some(crate::profile::ArchiveMode {
                    before: at,
                    state: "closed".into(),
                }),
            }),
        }
    }

    /// Every key of a JSON document, at any depth.
    fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }

    /// No key of a serialized profile names a token or secret, and every string value is one
    /// of the known non-secret values. (That `Profile` has no `Secret` field is checked by the
    /// compiler: `Secret` does not implement `Serialize`.)
    #[test]
    fn a_profile_has_no_place_for_a_secret() {
        let p = sample("support@contoso.test");
        let v = serde_json::to_value(&p).unwrap();
        let mut all = Vec::new();
        keys(&v, &mut all);
        assert!(all.len() > 20, "{all:?}");
        for k in &all {
            let k = k.to_ascii_lowercase();
            assert!(
                !k.contains("token") && !k.contains("secret") && !k.contains("password"),
                "key {k} could hold a secret"
            );
        }
        // Long opaque strings are what tokens look like; a profile has none.
        let text = v.to_string();
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_.~".contains(c))) {
            assert!(word.len() <= 40, "an opaque value in a profile: {word}");
        }
        assert_eq!(Profile::from_json(&text).unwrap(), p);
    }

    /// A profile as format 1 wrote it (before channel setups) reads as format 2 without one.
    #[test]
    fn a_format_1_file_migrates() {
        let p = Profile::from_json(include_str!("../../tests/fixtures/profile-v1.json")).unwrap();
        assert_eq!(p.version, PROFILE_VERSION);
        assert_eq!(p.channel_setup, None);
        let mut expected = sample("support@contoso.test");
        expected.channel_setup = None;
        assert_eq!(p, expected);
    }

    #[test]
    fn old_profiles_migrate_and_newer_ones_are_refused() {
        let p = sample("a@contoso.test");
        let mut v = serde_json::to_value(&p).unwrap();
        let obj = v.as_object_mut().unwrap();
        obj.remove("version");
        obj.remove("signed_in_at");
        obj.insert("from_the_future".into(), 1.into());
        let migrated = Profile::from_json(&v.to_string()).unwrap();
        assert_eq!(migrated.version, PROFILE_VERSION);
        assert_eq!(migrated.signed_in_at, p.created_at);

        let mut newer = serde_json::to_value(&p).unwrap();
        newer["version"] = (PROFILE_VERSION + 1).into();
        assert!(Profile::from_json(&newer.to_string())
            .unwrap_err()
            .contains("newer version"));
        assert!(Profile::from_json("{\"version\":1}")
            .unwrap_err()
            .contains("missing"));
    }

    #[test]
    fn scopes_are_kept_short_and_requested_in_full() {
        let cloud = Cloud::preset(CloudPreset::Global);
        let mut s = GrantedScopes::default();
        s.set_from_response(
            Resource::Outlook,
            "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send openid profile offline_access",
        );
        s.set_from_response(Resource::Graph, "Mail.ReadWrite openid email");
        assert_eq!(s.outlook, ["IMAP.AccessAsUser.All", "SMTP.Send"]);
        assert_eq!(s.graph, ["Mail.ReadWrite"]);
        assert_eq!(
            s.request(Resource::Outlook, &cloud),
            "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
        );
        assert_eq!(
            GrantedScopes::default().request(Resource::Graph, &cloud),
            "https://graph.microsoft.com/.default offline_access"
        );
    }

    #[test]
    fn names_and_mailboxes() {
        for bad in ["", " a", "a/b", "a\nb", "x\\y"] {
            assert_eq!(
                Profile::validate_name(bad).unwrap_err().code,
                "profile.name",
                "{bad:?}"
            );
        }
        Profile::validate_name("Support@Contoso.test").unwrap();
        let m = MailboxRef::User {
            address: "Alice@Contoso.test".into(),
        };
        assert!(m.same_address(" alice@contoso.TEST"));
        assert!(!m.same_address("bob@contoso.test"));
        assert_eq!(
            refresh_token_key("alice@contoso.test"),
            "profile/alice@contoso.test/refresh-token"
        );
        assert_eq!(
            ProfileCloud::Sandbox.resolve(None).unwrap_err().code,
            "profile.sandbox_not_running"
        );
        let sandbox = Cloud {
            name: "Sandbox".into(),
            ..Cloud::preset(CloudPreset::Global)
        };
        assert_eq!(
            ProfileCloud::Sandbox.resolve(Some(&sandbox)).unwrap().name,
            "Sandbox"
        );
    }
}
