//! The rules for a sign-in that creates a profile or renews one:
//! - a mailbox address (or profile name) already in another profile is refused, naming it
//!   (`profile.duplicate`);
//! - a user mailbox must come back as the same user (`reauth.user_mismatch`, naming both), a
//!   shared mailbox accepts any delegate (the caller verifies the delegate's access), and
//!   neither may change tenant (`reauth.tenant_mismatch`); a refused sign-in changes nothing;
//! - an accepted sign-in saves its refresh token first, then the profile (atomically).

use crate::profile::record::{refresh_token_key, PROFILE_VERSION};
use crate::{
    catalog::Diagnosis,
    identity::{ChannelKind, Identity, Resource, TokenResponse},
    platform::SecretStore,
    profile::{GrantedScopes, MailboxRef, Profile, ProfileCloud, ProfileStore, SignInFlow},
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A completed sign-in, as the sign-in flows produce it (the ID token already validated).
#[derive(Debug, Clone)]
pub struct SignIn {
    pub identity: Identity,
    pub tokens: TokenResponse,
    /// The audience of `tokens.access_token`.
    pub audience: Resource,
    pub flow: SignInFlow,
}

/// Which mailbox a new profile connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MailboxChoice {
    /// The signed-in user's own mailbox.
    User,
    /// A shared mailbox, signed in to as a delegate.
    Shared { address: String },
}

/// The wizard's choices for a new profile (everything but the sign-in itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewProfile {
    /// Defaults to the mailbox address.
    pub name: Option<String>,
    pub mailbox: MailboxChoice,
    pub client_id: String,
    pub confidential_client: bool,
    pub cloud: ProfileCloud,
    pub channel: ChannelKind,
}

/// The account step's inputs, checked before anyone signs in: a shared mailbox's address, the
/// optional login hint, and the profile to renew (or, for a new shared mailbox, that no profile
/// has it yet).
pub fn check_sign_in(
    profiles: &ProfileStore,
    choice: &MailboxChoice,
    login_hint: Option<&str>,
    reauth: Option<&str>,
) -> Result<(), Diagnosis> {
    if let Some(hint) = login_hint.map(str::trim).filter(|h| !h.is_empty()) {
        address(hint).ok_or_else(|| {
            Diagnosis::field(
                "Sign in as",
                "account.login_hint",
                format!("“{}” is not an account name.", shown(hint)),
                "Type the sign-in name (UPN) of the account, such as alice@contoso.com, or leave the field empty.",
            )
        })?;
    }
    let shared = match choice {
        MailboxChoice::Shared { address } => Some(shared_address(address)?),
        MailboxChoice::User => None,
    };
    match (reauth, shared) {
        (Some(name), _) => profiles.require(name).map(drop),
        (None, Some(address)) => check_new(profiles, &address, &address),
        (None, None) => Ok(()),
    }
}

/// A shared mailbox's address as typed, trimmed; one plain address, or the "Mailbox" field's
/// mistake.
pub fn shared_address(typed: &str) -> Result<String, Diagnosis> {
    address(typed.trim()).ok_or_else(|| {
        Diagnosis::field(
            "Mailbox",
            "profile.address",
            format!("“{}” is not a mailbox address.", shown(typed.trim())),
            "Type the shared mailbox's address, such as support@contoso.com (the address only, without a name or <>).",
        )
    })
}

fn address(s: &str) -> Option<String> {
    s.parse::<lettre::Address>().ok().map(|a| a.to_string())
}

/// A typed value as a message quotes it: control characters replaced, long ones cut.
fn shown(s: &str) -> String {
    let mut t: String = s
        .chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().count() > 80 {
        t.push('…');
    }
    t
}

/// Refuses a new profile whose name or mailbox is taken, naming the profile that has it.
/// Call it before the sign-in too, so nobody signs in for nothing.
pub fn check_new(profiles: &ProfileStore, name: &str, address: &str) -> Result<(), Diagnosis> {
    Profile::validate_name(name)?;
    for p in profiles.list()?.profiles {
        if p.mailbox.same_address(address) || p.name.eq_ignore_ascii_case(name) {
            let what = if p.mailbox.same_address(address) {
                format!("The mailbox {address} is already connected")
            } else {
                format!("The name “{name}” is already used")
            };
            let mut d = Diagnosis::new(
                "profile.duplicate",
                format!("{address} is already connected"),
                format!("{what} in the profile “{}”.", p.name),
                format!(
                    "Open the profile “{}” and sign in again there, or delete it first.",
                    p.name
                ),
            );
            d.field = Some("Mailbox".to_owned());
            return Err(d);
        }
    }
    Ok(())
}

/// Adds a profile for a fresh sign-in: the refresh token goes to the keyring under
/// [`refresh_token_key`], then the profile is saved. If the profile cannot be saved the new
/// refresh token is removed again, so nothing is left behind.
pub fn connect(
    profiles: &ProfileStore,
    secrets: &dyn SecretStore,
    new: NewProfile,
    sign_in: &SignIn,
    now: DateTime<Utc>,
) -> Result<Profile, Diagnosis> {
    let identity = sign_in.identity.clone();
    let mailbox = match new.mailbox {
        MailboxChoice::User => MailboxRef::User {
            address: identity.username.clone(),
        },
        MailboxChoice::Shared { address } => MailboxRef::Shared {
            address: shared_address(&address)?,
            delegate: identity.clone(),
        },
    };
    let name = new.name.unwrap_or_else(|| mailbox.address().to_owned());
    check_new(profiles, &name, mailbox.address())?;
    let mut profile = Profile {
        version: PROFILE_VERSION,
        name,
        mailbox,
        tenant_id: identity.tenant_id.clone(),
        identity,
        client_id: new.client_id,
        confidential_client: new.confidential_client,
        cloud: new.cloud,
        channel: new.channel,
        flow: sign_in.flow,
        scopes: GrantedScopes::default(),
        access_expires_at: None,
        last_refreshed_at: None,
        signed_in_at: now,
        created_at: now,
        channel_setup: None,
    };
    record(&mut profile, sign_in, now);
    let key = refresh_token_key(&profile.name);
    store_refresh_token(secrets, &profile, sign_in)?;
    if let Err(e) = profiles.save(&profile) {
        let _ = secrets.delete(&key);
        return Err(e);
    }
    Ok(profile)
}

/// Whether `identity` may sign in again to `profile` (nothing is changed).
pub fn check_reauth(profile: &Profile, identity: &Identity) -> Result<(), Diagnosis> {
    if !profile.tenant_id.eq_ignore_ascii_case(&identity.tenant_id) {
        return Err(Diagnosis::new(
            "reauth.tenant_mismatch",
            "Signed in to another organization",
            format!(
                "The profile “{}” belongs to the tenant {}, but {} signed in to the tenant {}.",
                profile.name, profile.tenant_id, identity.username, identity.tenant_id
            ),
            "Sign in again with an account of the mailbox's organization.",
        ));
    }
    match &profile.mailbox {
        MailboxRef::User { address } if !profile.identity.same_user(identity) => {
            let mut d = Diagnosis::new(
                "reauth.user_mismatch",
                "Signed in as someone else",
                format!(
                    "The profile “{}” is the mailbox of {} ({address}), but {} signed in. Nothing was changed.",
                    profile.name, profile.identity.username, identity.username
                ),
                format!(
                    "Sign in again as {}. To connect the mailbox of {} instead, add it as a new profile.",
                    profile.identity.username, identity.username
                ),
            );
            d.field = Some("Account".to_owned());
            Err(d)
        }
        _ => Ok(()),
    }
}

/// Applies a new sign-in to the existing profile `name` under [`check_reauth`]'s rules: the new
/// refresh token replaces the old one in the keyring, then the profile is saved atomically.
pub fn reauthenticate(
    profiles: &ProfileStore,
    secrets: &dyn SecretStore,
    name: &str,
    sign_in: &SignIn,
    now: DateTime<Utc>,
) -> Result<Profile, Diagnosis> {
    let mut profile = profiles.require(name)?;
    check_reauth(&profile, &sign_in.identity)?;
    store_refresh_token(secrets, &profile, sign_in)?;
    profile.identity = sign_in.identity.clone();
    if let MailboxRef::Shared { delegate, .. } = &mut profile.mailbox {
        *delegate = sign_in.identity.clone();
    }
    profile.flow = sign_in.flow;
    profile.signed_in_at = now;
    record(&mut profile, sign_in, now);
    profiles.save(&profile)?;
    Ok(profile)
}

fn store_refresh_token(
    secrets: &dyn SecretStore,
    profile: &Profile,
    sign_in: &SignIn,
) -> Result<(), Diagnosis> {
    match (&sign_in.tokens.refresh_token, sign_in.flow.has_refresh_token()) {
        (Some(rt), true) => secrets.put(&refresh_token_key(&profile.name), rt),
        (None, true) => Err(Diagnosis::new(
            "signin.no_refresh_token",
            "The sign-in gave no refresh token",
            format!(
                "Microsoft returned no refresh token for {}, so the mailbox could not be used after an hour.",
                sign_in.identity.username
            ),
            "Add the delegated permission offline_access to the app (API permissions) and grant consent, then sign in again.",
        )),
        (_, false) => Ok(()),
    }
}

/// The sign-in's scopes and expiry.
fn record(profile: &mut Profile, sign_in: &SignIn, now: DateTime<Utc>) {
    let t = &sign_in.tokens;
    if !t.scope.trim().is_empty() {
        profile.scopes.set_from_response(sign_in.audience, &t.scope);
    }
    profile.access_expires_at =
        Some(now + Duration::seconds(i64::try_from(t.expires_in).unwrap_or(0)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::record::tests::alice;
    use crate::{
        cloud::CloudPreset,
        platform::{MemoryStore, Secret},
    };

    fn bob() -> Identity {
        Identity {
            object_id: "8d7c6b5a-4e3f-4a1b-9c8d-7e6f5a4b3c2d".into(),
            username: "bob@contoso.test".into(),
            display_name: Some("Bob Agent".into()),
            ..alice()
        }
    }

    fn sign_in(who: Identity, rt: &str) -> SignIn {
        SignIn {
            identity: who,
            tokens: TokenResponse {
                access_token: Secret::new(format!("at-{rt}")),
                refresh_token: Some(Secret::new(rt)),
                id_token: None,
                expires_in: 3599,
                scope: "https://outlook.office.com/IMAP.AccessAsUser.All openid offline_access"
                    .into(),
            },
            audience: Resource::Outlook,
            flow: SignInFlow::Browser,
        }
    }

    fn new_profile(mailbox: MailboxChoice) -> NewProfile {
        NewProfile {
            name: None,
            mailbox,
            client_id: "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f".into(),
            confidential_client: true,
            cloud: ProfileCloud::Preset {
                preset: CloudPreset::Global,
            },
            channel: ChannelKind::ImapDelegated,
        }
    }

    fn setup() -> (tempfile::TempDir, ProfileStore, MemoryStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        (dir, store, MemoryStore::default())
    }

    fn rt(secrets: &MemoryStore, name: &str) -> Option<String> {
        secrets
            .get(&refresh_token_key(name))
            .unwrap()
            .map(|s| s.expose().to_owned())
    }

    #[test]
    fn connecting_saves_the_refresh_token_and_a_profile_without_it() {
        let (_d, store, secrets) = setup();
        let now = Utc::now();
        let p = connect(
            &store,
            &secrets,
            new_profile(MailboxChoice::User),
            &sign_in(alice(), "rt-1"),
            now,
        )
        .unwrap();
        assert_eq!(p.name, "alice@contoso.test");
        assert_eq!(
            p.mailbox,
            MailboxRef::User {
                address: "alice@contoso.test".into()
            }
        );
        assert_eq!(p.tenant_id, alice().tenant_id);
        assert_eq!(p.scopes.outlook, ["IMAP.AccessAsUser.All"]);
        assert_eq!(p.access_expires_at, Some(now + Duration::seconds(3599)));
        assert_eq!(rt(&secrets, "alice@contoso.test").as_deref(), Some("rt-1"));
        let text = std::fs::read_to_string(store.path_of(&p.name)).unwrap();
        assert!(
            !text.contains("rt-1") && !text.contains("at-rt-1"),
            "{text}"
        );
        assert_eq!(store.get(&p.name).unwrap(), Some(p));

        // No refresh token from a delegated sign-in: refused, nothing saved.
        let mut s = sign_in(bob(), "x");
        s.tokens.refresh_token = None;
        assert_eq!(
            connect(&store, &secrets, new_profile(MailboxChoice::User), &s, now)
                .unwrap_err()
                .code,
            "signin.no_refresh_token"
        );
        assert_eq!(store.get("bob@contoso.test").unwrap(), None);
    }

    #[test]
    fn a_mailbox_in_another_profile_is_refused_naming_it() {
        let (_d, store, secrets) = setup();
        let now = Utc::now();
        let shared = MailboxChoice::Shared {
            address: "support@contoso.test".into(),
        };
        let mut first = new_profile(shared);
        first.name = Some("Support desk".into());
        connect(&store, &secrets, first, &sign_in(alice(), "rt-a"), now).unwrap();

        let again = new_profile(MailboxChoice::Shared {
            address: " SUPPORT@Contoso.TEST".into(),
        });
        let d = connect(&store, &secrets, again, &sign_in(bob(), "rt-b"), now).unwrap_err();
        assert_eq!(d.code, "profile.duplicate");
        assert!(d.detail.contains("“Support desk”"), "{}", d.detail);
        assert!(d.fix.contains("Support desk"));
        assert_eq!(
            rt(&secrets, "Support desk").as_deref(),
            Some("rt-a"),
            "nothing changed"
        );
        assert_eq!(store.list().unwrap().profiles.len(), 1);

        // The same name for another mailbox is refused as well.
        let mut named = new_profile(MailboxChoice::User);
        named.name = Some("support DESK".into());
        assert_eq!(
            connect(&store, &secrets, named, &sign_in(bob(), "rt-b"), now)
                .unwrap_err()
                .code,
            "profile.duplicate"
        );
        assert_eq!(
            connect(
                &store,
                &secrets,
                new_profile(MailboxChoice::Shared {
                    address: "support".into()
                }),
                &sign_in(bob(), "x"),
                now
            )
            .unwrap_err()
            .code,
            "profile.address"
        );
    }

    #[test]
    fn a_user_mailbox_takes_back_only_its_own_user() {
        let (_d, store, secrets) = setup();
        let t0 = Utc::now() - Duration::days(3);
        let p = connect(
            &store,
            &secrets,
            new_profile(MailboxChoice::User),
            &sign_in(alice(), "rt-1"),
            t0,
        )
        .unwrap();
        let file_before = std::fs::read(store.path_of(&p.name)).unwrap();

        let d = reauthenticate(
            &store,
            &secrets,
            &p.name,
            &sign_in(bob(), "rt-bob"),
            Utc::now(),
        )
        .unwrap_err();
        assert_eq!(d.code, "reauth.user_mismatch");
        assert!(
            d.detail.contains("alice@contoso.test") && d.detail.contains("bob@contoso.test"),
            "{}",
            d.detail
        );
        assert_eq!(
            rt(&secrets, &p.name).as_deref(),
            Some("rt-1"),
            "the refresh token is untouched"
        );
        assert_eq!(
            std::fs::read(store.path_of(&p.name)).unwrap(),
            file_before,
            "the profile is untouched"
        );

        // Another tenant is refused too, even with the same object ID.
        let mut elsewhere = alice();
        elsewhere.tenant_id = "22222222-2222-4222-8222-222222222222".into();
        assert_eq!(
            reauthenticate(
                &store,
                &secrets,
                &p.name,
                &sign_in(elsewhere, "rt-x"),
                Utc::now()
            )
            .unwrap_err()
            .code,
            "reauth.tenant_mismatch"
        );

        // The same user (a renamed UPN is still the same object) replaces the token.
        let mut renamed = alice();
        renamed.username = "alice.admin@contoso.test".into();
        let now = Utc::now();
        let mut s = sign_in(renamed.clone(), "rt-2");
        s.flow = SignInFlow::Device;
        let after = reauthenticate(&store, &secrets, &p.name, &s, now).unwrap();
        assert_eq!(rt(&secrets, &p.name).as_deref(), Some("rt-2"));
        assert_eq!((after.signed_in_at, after.created_at), (now, t0));
        assert_eq!(
            (after.identity.clone(), after.flow),
            (renamed, SignInFlow::Device)
        );
        assert_eq!(store.get(&p.name).unwrap(), Some(after));
    }

    #[test]
    fn a_shared_mailbox_takes_any_delegate() {
        let (_d, store, secrets) = setup();
        let shared = MailboxChoice::Shared {
            address: "support@contoso.test".into(),
        };
        let p = connect(
            &store,
            &secrets,
            new_profile(shared),
            &sign_in(alice(), "rt-a"),
            Utc::now(),
        )
        .unwrap();
        let after = reauthenticate(
            &store,
            &secrets,
            &p.name,
            &sign_in(bob(), "rt-b"),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(
            after.mailbox,
            MailboxRef::Shared {
                address: "support@contoso.test".into(),
                delegate: bob()
            }
        );
        assert_eq!(after.identity, bob());
        assert_eq!(rt(&secrets, &p.name).as_deref(), Some("rt-b"));
        assert_eq!(store.get(&p.name).unwrap(), Some(after));
    }
}
