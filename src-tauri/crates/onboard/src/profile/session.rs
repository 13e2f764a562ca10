//! The live credentials of the profiles: access tokens on demand, refreshed ahead of expiry.
//!
//! Access tokens live in memory only. A refresh rotates the refresh token, and the rotated one
//! is saved to the [`SecretStore`] *before* the new access token is cached or handed out: if the
//! save fails, the new access token is dropped and the previous refresh token (still in the
//! store, and still accepted by Microsoft, which does not revoke a replaced refresh token) keeps
//! working. A crash after the save loses nothing; a crash before it loses only an access token.

use crate::profile::kept::{Kept, KeptStates};
use crate::profile::reauth::{self, NewProfile, SignIn};
use crate::profile::record::refresh_token_key;
use crate::{
    app_registration::client_secret_key,
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{
        AccessToken, Audience, Resource, TokenEndpoint, TokenFailure, TokenResponse, TokenSource,
    },
    platform::{Secret, SecretStore, TrialStore},
    profile::{NeedsSignIn, Profile, ProfileCloud, ProfileStore},
};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A cached access token is used only while it is valid for more than this.
pub const REFRESH_AHEAD_SECS: i64 = 5 * 60;

struct Cached {
    token: Secret,
    expires_at: DateTime<Utc>,
    /// The profile's `signed_in_at` when the token was cached: a re-authentication (here or in
    /// another process) makes the cached token stale.
    signed_in_at: DateTime<Utc>,
}

pub struct Session<T: TokenSource = TokenEndpoint> {
    profiles: ProfileStore,
    secrets: Arc<dyn SecretStore>,
    tokens: T,
    /// The running sandbox's endpoints (it starts and stops while the app runs).
    sandbox: std::sync::RwLock<Option<Cloud>>,
    /// Endpoints used instead of every preset's (the CLI's URL flags: a proxy, the simulator).
    overrides: Option<Cloud>,
    cache: Mutex<HashMap<(String, Resource), Cached>>,
    /// One refresh at a time per profile: two concurrent refreshes of one profile would race to
    /// save their rotated refresh tokens. Profiles refresh side by side (the doctor's fleet).
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// What other concepts keep between calls, such as the preview's connections.
    kept: KeptStates,
}

impl Session<TokenEndpoint> {
    /// The app's and the CLI's session: the identity platform's token endpoint.
    pub fn new(profiles: ProfileStore, secrets: Arc<dyn SecretStore>) -> Self {
        Self::with_source(profiles, secrets, TokenEndpoint)
    }
}

impl<T: TokenSource> Session<T> {
    pub fn with_source(profiles: ProfileStore, secrets: Arc<dyn SecretStore>, tokens: T) -> Self {
        Self {
            profiles,
            secrets,
            tokens,
            sandbox: std::sync::RwLock::new(None),
            overrides: None,
            cache: Mutex::new(HashMap::new()),
            refreshing: Mutex::default(),
            kept: KeptStates::default(),
        }
    }

    /// The session's `K` ([`Kept`]), made on first use.
    pub fn kept<K: Kept + Default>(&self) -> Arc<K> {
        self.kept.get()
    }

    /// `value` as the session's `K`, instead of its default.
    pub fn with_kept<K: Kept>(self, value: K) -> Self {
        self.kept.set(value);
        self
    }

    /// The running sandbox's endpoints, for profiles made in the sandbox.
    pub fn with_sandbox(self, cloud: Cloud) -> Self {
        self.set_sandbox(Some(cloud));
        self
    }

    /// The sandbox started (`Some`) or stopped (`None`).
    pub fn set_sandbox(&self, cloud: Option<Cloud>) {
        // A poisoned lock still holds a whole value: it is only ever replaced.
        *self.sandbox.write().unwrap_or_else(|e| e.into_inner()) = cloud;
    }

    /// Endpoints that replace every preset's, as the CLI's `--authority-url` and friends do.
    pub fn with_overrides(mut self, cloud: Cloud) -> Self {
        self.overrides = Some(cloud);
        self
    }

    /// A session like this one whose app `client_id` uses `secret` instead of the kept client
    /// secret: a renewed secret is proven with it before it replaces the kept one. It starts
    /// with no cached token, so every token it hands out was made with `secret`.
    pub fn with_trial_secret(&self, client_id: &str, secret: Secret) -> Session<T>
    where
        T: Clone,
    {
        let trial = TrialStore {
            inner: self.secrets.clone(),
            key: client_secret_key(client_id),
            value: secret,
        };
        let mut s = Session::with_source(
            ProfileStore::new(self.profiles.dir()),
            Arc::new(trial),
            self.tokens.clone(),
        );
        s.overrides = self.overrides.clone();
        s.set_sandbox(
            self.sandbox
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        );
        s
    }

    pub fn profiles(&self) -> &ProfileStore {
        &self.profiles
    }

    pub fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    /// The endpoints of `profile`'s cloud.
    pub fn cloud_of(&self, profile: &Profile) -> Result<Cloud, Diagnosis> {
        if let (ProfileCloud::Preset { .. }, Some(cloud)) = (&profile.cloud, &self.overrides) {
            return Ok(cloud.clone());
        }
        let sandbox = self.sandbox.read().unwrap_or_else(|e| e.into_inner());
        profile.cloud.resolve(sandbox.as_ref())
    }

    /// An access token of the profile `name` for `audience`: the cached one while it is valid
    /// for more than [`REFRESH_AHEAD_SECS`], else a new one from the refresh token (or, app-only,
    /// the client secret). A refresh that Microsoft refuses for good is a `reauth.*` diagnosis
    /// ([`NeedsSignIn`]); on any failure the stored refresh token is left as it was.
    /// [`Self::access_token`] with the audience in the type, for the functions that take one
    /// (so a Graph token cannot reach IMAP, or the other way round).
    pub async fn token<A: Audience>(&self, name: &str) -> Result<AccessToken<A>, Diagnosis> {
        let token = self.access_token(name, A::RESOURCE).await?;
        let expires_at = self
            .profiles
            .require(name)?
            .access_expires_at
            .unwrap_or_else(Utc::now);
        Ok(AccessToken::from_session(token, expires_at))
    }

    /// `op` with an access token of `name` for `A`. When the server refuses a token taken from
    /// the cache (its clock runs ahead of ours, or it ended the token early), that token is
    /// dropped and `op` runs once more with a new one: an expiry mid-preview costs one refresh,
    /// not an error. A token refreshed for this call is not retried: a new one would not help.
    pub async fn with_token<A: Audience, R, Fut>(
        &self,
        name: &str,
        mut op: impl FnMut(AccessToken<A>) -> Fut,
    ) -> Result<R, Diagnosis>
    where
        Fut: std::future::Future<Output = Result<R, Diagnosis>>,
    {
        let profile = self.profiles.require(name)?;
        let was_cached = self.cached(&profile, A::RESOURCE).is_some();
        let token = self.token::<A>(name).await?;
        let used = token.secret().clone();
        match op(token).await {
            Err(d) if was_cached && refuses_token(&d) => {
                self.drop_token(name, A::RESOURCE, &used);
                op(self.token::<A>(name).await?).await
            }
            other => other,
        }
    }

    /// Forgets the cached token of `name` for `audience` if it is still `used` (another task
    /// may have renewed it already).
    fn drop_token(&self, name: &str, audience: Resource, used: &Secret) {
        let mut cache = self.cache_map();
        let key = (name.to_owned(), audience);
        if cache.get(&key).is_some_and(|c| c.token == *used) {
            cache.remove(&key);
        }
    }

    pub async fn access_token(&self, name: &str, audience: Resource) -> Result<Secret, Diagnosis> {
        let profile = self.profiles.require(name)?;
        if let Some(token) = self.cached(&profile, audience) {
            return Ok(token);
        }
        let gate = self
            .refreshing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(profile.name.to_lowercase())
            .or_default()
            .clone();
        let _one_at_a_time = gate.lock().await;
        // Another task may have refreshed while this one waited.
        let profile = self.profiles.require(name)?;
        if let Some(token) = self.cached(&profile, audience) {
            return Ok(token);
        }
        let cloud = self.cloud_of(&profile)?;
        let client_secret = self.client_secret(&profile)?;
        let mut form: Vec<(&str, &str)> = vec![("client_id", &profile.client_id)];
        if let Some(secret) = &client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let resource_default;
        let scope;
        let refresh_token;
        if profile.flow.has_refresh_token() {
            refresh_token = self
                .secrets
                .get(&refresh_token_key(&profile.name))?
                .ok_or_else(|| {
                    NeedsSignIn::missing_refresh_token(&profile, self.secrets.backend())
                })?;
            scope = profile.scopes.request(audience, &cloud);
            form.extend([
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose()),
                ("scope", scope.as_str()),
            ]);
        } else {
            resource_default = format!("{}/.default", audience.identifier(&cloud));
            form.extend([
                ("grant_type", "client_credentials"),
                ("scope", resource_default.as_str()),
            ]);
        }
        let now = Utc::now();
        let tokens = match self.tokens.request(&cloud, &profile.tenant_id, &form).await {
            Ok(tokens) => tokens,
            Err(TokenFailure::Unavailable(d)) => return Err(d),
            Err(TokenFailure::Refused { error, diagnosis }) => {
                return Err(NeedsSignIn::from_refusal(&profile, &error, &diagnosis)
                    .map_or(diagnosis, |n| n.diagnosis()))
            }
        };
        // The rotated refresh token is saved before anything uses the new access token.
        if let Some(rotated) = &tokens.refresh_token {
            self.secrets
                .put(&refresh_token_key(&profile.name), rotated)
                .map_err(|d| not_saved(&profile, d))?;
        }
        let expires_at = now + Duration::seconds(i64::try_from(tokens.expires_in).unwrap_or(0));
        self.remember(&profile, audience, &tokens, expires_at);
        let mut updated = profile;
        if !tokens.scope.trim().is_empty() {
            updated.scopes.set_from_response(audience, &tokens.scope);
        }
        updated.access_expires_at = Some(expires_at);
        updated.last_refreshed_at = Some(now);
        // The token is cached already: a failed save is reported, and the next call succeeds.
        self.profiles.save(&updated)?;
        Ok(tokens.access_token)
    }

    /// Drops the cached access tokens of `name` and what is kept for it (after a deletion, say).
    pub fn forget(&self, name: &str) {
        self.cache_map().retain(|(n, _), _| n != name);
        self.kept.forget(name);
    }

    /// Adds a profile for a fresh sign-in ([`reauth::connect`]) and keeps its access token.
    pub fn connect(&self, new: NewProfile, sign_in: &SignIn) -> Result<Profile, Diagnosis> {
        let profile = reauth::connect(
            &self.profiles,
            self.secrets.as_ref(),
            new,
            sign_in,
            Utc::now(),
        )?;
        self.remember_sign_in(&profile, sign_in);
        Ok(profile)
    }

    /// Signs in again to the profile `name` ([`reauth::reauthenticate`]: the same-user rule).
    pub fn reauthenticate(&self, name: &str, sign_in: &SignIn) -> Result<Profile, Diagnosis> {
        let profile = reauth::reauthenticate(
            &self.profiles,
            self.secrets.as_ref(),
            name,
            sign_in,
            Utc::now(),
        )?;
        self.forget(name);
        self.remember_sign_in(&profile, sign_in);
        Ok(profile)
    }

    /// Deletes the profile and its keyring entries ([`ProfileStore::delete`]).
    pub fn delete(&self, name: &str) -> Result<crate::profile::Deleted, Diagnosis> {
        self.forget(name);
        self.profiles.delete(name, self.secrets.as_ref())
    }

    fn remember_sign_in(&self, profile: &Profile, sign_in: &SignIn) {
        if let Some(expires_at) = profile.access_expires_at {
            self.remember(profile, sign_in.audience, &sign_in.tokens, expires_at);
        }
    }

    fn remember(
        &self,
        profile: &Profile,
        audience: Resource,
        tokens: &TokenResponse,
        expires_at: DateTime<Utc>,
    ) {
        self.cache_map().insert(
            (profile.name.clone(), audience),
            Cached {
                token: tokens.access_token.clone(),
                expires_at,
                signed_in_at: profile.signed_in_at,
            },
        );
    }

    fn cached(&self, profile: &Profile, audience: Resource) -> Option<Secret> {
        let cache = self.cache_map();
        let c = cache.get(&(profile.name.clone(), audience))?;
        let fresh = c.expires_at - Utc::now() > Duration::seconds(REFRESH_AHEAD_SECS);
        (fresh && c.signed_in_at == profile.signed_in_at).then(|| c.token.clone())
    }

    fn cache_map(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Resource), Cached>> {
        // Every operation is a single insert, lookup or retain: a poisoned map is consistent.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The app's secret of a confidential client, from the store; missing is an error.
    pub(crate) fn client_secret(&self, profile: &Profile) -> Result<Option<Secret>, Diagnosis> {
        if !profile.confidential_client {
            return Ok(None);
        }
        let key = client_secret_key(&profile.client_id);
        match self.secrets.get(&key)? {
            Some(s) => Ok(Some(s)),
            None => Err(Diagnosis::field(
                "Client secret",
                "profile.client_secret_missing",
                format!(
                    "The profile “{}” uses the app {} with a client secret, but the {} holds none for it.",
                    profile.name,
                    profile.client_id,
                    self.secrets.backend()
                ),
                "Enter the app's client secret again in the App registration step (or `m365-onboard check-app --client-secret-env VAR`).",
            )),
        }
    }
}

/// The server refused the access token itself (expired, or not yet valid by its clock), as
/// Graph, Exchange's IMAP and its SMTP AUTH say it.
fn refuses_token(d: &Diagnosis) -> bool {
    matches!(
        d.code.as_str(),
        "graph.InvalidAuthenticationToken"
            | "imap.auth_failed"
            | "imap.expired"
            | "smtp.535"
            | "smtp.535_5.7.3"
    )
}

/// The rotated refresh token could not be saved: the new access token is not used.
fn not_saved(profile: &Profile, cause: Diagnosis) -> Diagnosis {
    Diagnosis::new(
        "token.not_saved",
        "The renewed sign-in could not be saved",
        format!(
            "Microsoft renewed the sign-in of “{}”, but saving the new refresh token failed, so the wizard did not use it and kept the previous one. {}",
            profile.name, cause.detail
        ),
        cause.fix,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::reauth::{MailboxChoice, NewProfile};
    use crate::profile::record::tests::{alice, sample};
    use crate::{
        catalog,
        cloud::CloudPreset,
        identity::ChannelKind,
        platform::MemoryStore,
        profile::{MailboxRef, ProfileCloud, SignInFlow},
    };
    use std::collections::VecDeque;

    type Form = Vec<(String, String)>;

    #[test]
    fn a_refused_token_is_known_in_each_protocol_s_words() {
        use catalog::MailProtocol::{Imap, Smtp};
        for (protocol, reply) in [
            (Imap, "A1 NO AUTHENTICATE failed."),
            (Imap, "A1 NO [EXPIRED] Token expired"),
            (Smtp, "535 5.7.3 Authentication unsuccessful"),
        ] {
            assert!(
                refuses_token(&catalog::mail_reply(protocol, reply)),
                "{reply}"
            );
        }
        assert!(!refuses_token(&catalog::mail_reply(
            Imap,
            "A1 NO [AUTHORIZATIONFAILED] Authorization failed"
        )));
    }

    /// Answers from a script and records every form it was sent.
    #[derive(Default)]
    struct Script {
        answers: Mutex<VecDeque<Result<TokenResponse, TokenFailure>>>,
        forms: Mutex<Vec<Form>>,
    }

    impl Script {
        fn answer(&self, a: Result<TokenResponse, TokenFailure>) {
            self.answers.lock().unwrap().push_back(a);
        }
        fn forms(&self) -> Vec<Form> {
            self.forms.lock().unwrap().clone()
        }
        fn sent(&self, i: usize, name: &str) -> Option<String> {
            self.forms()[i]
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    impl TokenSource for Arc<Script> {
        async fn request(
            &self,
            _: &Cloud,
            _: &str,
            form: &[(&str, &str)],
        ) -> Result<TokenResponse, TokenFailure> {
            self.forms.lock().unwrap().push(
                form.iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            );
            self.answers
                .lock()
                .unwrap()
                .pop_front()
                .expect("an unscripted token request")
        }
    }

    fn granted(n: u32, expires_in: u64) -> Result<TokenResponse, TokenFailure> {
        Ok(TokenResponse {
            access_token: Secret::new(format!("at-{n}")),
            refresh_token: Some(Secret::new(format!("rt-{n}"))),
            id_token: None,
            expires_in,
            scope: "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access".into(),
        })
    }

    fn refused(code: u32) -> Result<TokenResponse, TokenFailure> {
        let body = format!(
            r#"{{"error":"invalid_grant","error_description":"AADSTS{code}: words","error_codes":[{code}]}}"#
        );
        Err(TokenFailure::Refused {
            error: "invalid_grant".into(),
            diagnosis: catalog::token_error(400, &body),
        })
    }

    /// A store whose next `put` fails (once), as a locked keyring would.
    struct FailNextPut {
        inner: MemoryStore,
        fail: Mutex<bool>,
    }
    impl SecretStore for FailNextPut {
        fn backend(&self) -> &'static str {
            "flaky keyring"
        }
        fn put(&self, k: &str, s: &Secret) -> Result<(), Diagnosis> {
            if std::mem::take(&mut *self.fail.lock().unwrap()) {
                return Err(Diagnosis::new(
                    "keyring.unavailable",
                    "The OS keyring cannot be used",
                    "The keyring is locked.",
                    "Unlock it.",
                ));
            }
            self.inner.put(k, s)
        }
        fn get(&self, k: &str) -> Result<Option<Secret>, Diagnosis> {
            self.inner.get(k)
        }
        fn delete(&self, k: &str) -> Result<(), Diagnosis> {
            self.inner.delete(k)
        }
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        secrets: Arc<FailNextPut>,
        script: Arc<Script>,
        session: Session<Arc<Script>>,
        name: String,
    }

    /// A user mailbox profile whose refresh token is `rt-0`, with the app's client secret stored.
    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(FailNextPut {
            inner: MemoryStore::default(),
            fail: Mutex::new(false),
        });
        let mut p = sample("alice@contoso.test");
        p.mailbox = MailboxRef::User {
            address: p.name.clone(),
        };
        let store = ProfileStore::new(dir.path());
        store.save(&p).unwrap();
        secrets
            .put(&refresh_token_key(&p.name), &Secret::new("rt-0"))
            .unwrap();
        secrets
            .put(&client_secret_key(&p.client_id), &Secret::new("app-secret"))
            .unwrap();
        let script = Arc::new(Script::default());
        let session = Session::with_source(store, secrets.clone(), script.clone());
        Fixture {
            _dir: dir,
            secrets,
            script,
            session,
            name: p.name,
        }
    }

    impl Fixture {
        fn rt(&self) -> String {
            self.secrets
                .get(&refresh_token_key(&self.name))
                .unwrap()
                .unwrap()
                .expose()
                .to_owned()
        }
        async fn token(&self, audience: Resource) -> Result<String, Diagnosis> {
            self.session
                .access_token(&self.name, audience)
                .await
                .map(|s| s.expose().to_owned())
        }
    }

    #[test]
    fn clouds_follow_the_sandbox_and_the_overrides() {
        let f = fixture();
        let mut p = f.session.profiles().require(&f.name).unwrap();
        let global = f.session.cloud_of(&p).unwrap();
        assert_eq!(global.authority, "https://login.microsoftonline.com");

        p.cloud = ProfileCloud::Sandbox;
        let d = f.session.cloud_of(&p).unwrap_err();
        assert_eq!(d.code, "profile.sandbox_not_running");
        let mut sandbox = global.clone();
        sandbox.authority = "https://127.0.0.1:1".into();
        f.session.set_sandbox(Some(sandbox));
        assert_eq!(
            f.session.cloud_of(&p).unwrap().authority,
            "https://127.0.0.1:1"
        );
        f.session.set_sandbox(None);
        assert!(f.session.cloud_of(&p).is_err());

        let mut proxy = global;
        proxy.authority = "https://127.0.0.1:2".into();
        let session = f.session.with_overrides(proxy);
        p.cloud = ProfileCloud::Preset {
            preset: crate::cloud::CloudPreset::Global,
        };
        assert_eq!(
            session.cloud_of(&p).unwrap().authority,
            "https://127.0.0.1:2"
        );
    }

    #[tokio::test]
    async fn a_refresh_saves_the_rotated_token_and_the_token_is_reused_while_fresh() {
        let f = fixture();
        f.script.answer(granted(1, 3599));
        let before = Utc::now();
        assert_eq!(f.token(Resource::Outlook).await.unwrap(), "at-1");
        assert_eq!(f.rt(), "rt-1");
        assert_eq!(
            f.script.sent(0, "grant_type").as_deref(),
            Some("refresh_token")
        );
        assert_eq!(f.script.sent(0, "refresh_token").as_deref(), Some("rt-0"));
        assert_eq!(
            f.script.sent(0, "client_secret").as_deref(),
            Some("app-secret")
        );
        assert_eq!(
            f.script.sent(0, "scope").as_deref(),
            Some("https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access")
        );
        let p = f.session.profiles().require(&f.name).unwrap();
        assert!(p.last_refreshed_at.unwrap() >= before);
        assert!(p.access_expires_at.unwrap() >= before + Duration::seconds(3599));

        // Valid for an hour: the same token, no request.
        assert_eq!(f.token(Resource::Outlook).await.unwrap(), "at-1");
        assert_eq!(f.script.forms().len(), 1);

        // Another audience is another token (from the same, rotated, refresh token).
        f.script.answer(granted(2, 3599));
        assert_eq!(f.token(Resource::Graph).await.unwrap(), "at-2");
        assert_eq!(f.script.sent(1, "refresh_token").as_deref(), Some("rt-1"));
        assert!(f
            .script
            .sent(1, "scope")
            .unwrap()
            .starts_with("https://graph.microsoft.com/Mail.ReadWrite"));
        assert_eq!(f.rt(), "rt-2");
    }

    #[tokio::test]
    async fn a_token_valid_for_five_minutes_or_less_is_refreshed() {
        let f = fixture();
        f.script.answer(granted(1, 300));
        f.script.answer(granted(2, 301 + 60));
        assert_eq!(f.token(Resource::Outlook).await.unwrap(), "at-1");
        assert_eq!(
            f.token(Resource::Outlook).await.unwrap(),
            "at-2",
            "300 s left is not enough"
        );
        assert_eq!(
            f.token(Resource::Outlook).await.unwrap(),
            "at-2",
            "361 s left is"
        );
        assert_eq!(f.script.forms().len(), 2);
    }

    #[tokio::test]
    async fn when_the_rotated_token_cannot_be_saved_the_new_access_token_is_not_used() {
        let f = fixture();
        *f.secrets.fail.lock().unwrap() = true;
        f.script.answer(granted(1, 3599));
        let d = f.token(Resource::Outlook).await.unwrap_err();
        assert_eq!(d.code, "token.not_saved");
        assert!(d.detail.contains("kept the previous one") && d.detail.contains("locked"));
        assert!(!d.detail.contains("rt-1") && !d.detail.contains("at-1"));
        assert_eq!(f.rt(), "rt-0", "the previous refresh token stays");
        let p = f.session.profiles().require(&f.name).unwrap();
        assert_eq!(p.last_refreshed_at, sample(&f.name).last_refreshed_at);

        // at-1 was not cached: the next call refreshes again, with the previous token.
        f.script.answer(granted(2, 3599));
        assert_eq!(f.token(Resource::Outlook).await.unwrap(), "at-2");
        assert_eq!(f.script.sent(1, "refresh_token").as_deref(), Some("rt-0"));
        assert_eq!(f.rt(), "rt-2");
    }

    #[tokio::test]
    async fn refusals_ask_for_a_sign_in_and_keep_the_refresh_token() {
        let f = fixture();
        for code in [700082, 50173, 70008, 54005, 70000] {
            f.script.answer(refused(code));
            let d = f.token(Resource::Outlook).await.unwrap_err();
            assert_eq!(d.code, format!("reauth.{code}"));
            assert!(d.title.contains(&f.name));
            assert_eq!(f.rt(), "rt-0", "{code}: nothing is deleted");
        }
        // A network failure is reported as such, not as a sign-in prompt.
        f.script
            .answer(Err(TokenFailure::Unavailable(catalog::network_failure(
                "login.microsoftonline.com",
                "connection refused",
                false,
            ))));
        let d = f.token(Resource::Outlook).await.unwrap_err();
        assert!(!d.code.starts_with("reauth."), "{d:?}");
        // A wrong client secret is the app's problem: its own diagnosis.
        f.script.answer(Err(TokenFailure::Refused {
            error: "invalid_client".into(),
            diagnosis: catalog::token_error(
                401,
                r#"{"error":"invalid_client","error_codes":[7000222]}"#,
            ),
        }));
        assert_eq!(
            f.token(Resource::Outlook).await.unwrap_err().code,
            "aadsts.7000222"
        );
        assert_eq!(f.rt(), "rt-0");
        // The token still works once the cause is gone.
        f.script.answer(granted(1, 3599));
        assert_eq!(f.token(Resource::Outlook).await.unwrap(), "at-1");
    }

    #[tokio::test]
    async fn missing_secrets_are_named() {
        let f = fixture();
        f.secrets
            .delete(&client_secret_key(&sample("x").client_id))
            .unwrap();
        assert_eq!(
            f.token(Resource::Graph).await.unwrap_err().code,
            "profile.client_secret_missing"
        );
        f.secrets.delete(&refresh_token_key(&f.name)).unwrap();
        let mut p = f.session.profiles().require(&f.name).unwrap();
        p.confidential_client = false;
        f.session.profiles().save(&p).unwrap();
        let d = f.token(Resource::Graph).await.unwrap_err();
        assert_eq!(d.code, "reauth.no_refresh_token");
        assert!(d.detail.contains("flaky keyring"));
        assert!(f.script.forms().is_empty(), "nothing was sent");
        assert_eq!(
            f.session
                .access_token("nobody", Resource::Graph)
                .await
                .unwrap_err()
                .code,
            "profile.not_found"
        );
    }

    #[tokio::test]
    async fn app_only_profiles_use_the_client_secret_and_keep_no_refresh_token() {
        let f = fixture();
        let mut p = f.session.profiles().require(&f.name).unwrap();
        p.flow = SignInFlow::ClientCredentials;
        f.session.profiles().save(&p).unwrap();
        f.secrets.delete(&refresh_token_key(&f.name)).unwrap();
        let mut answer = granted(1, 3599);
        if let Ok(t) = &mut answer {
            t.refresh_token = None;
        }
        f.script.answer(answer);
        assert_eq!(f.token(Resource::Outlook).await.unwrap(), "at-1");
        assert_eq!(
            f.script.sent(0, "grant_type").as_deref(),
            Some("client_credentials")
        );
        assert_eq!(
            f.script.sent(0, "scope").as_deref(),
            Some("https://outlook.office.com/.default")
        );
        assert_eq!(f.script.sent(0, "refresh_token"), None);
        assert_eq!(f.secrets.get(&refresh_token_key(&f.name)).unwrap(), None);
    }

    #[tokio::test]
    async fn a_new_sign_in_replaces_cached_tokens() {
        let f = fixture();
        f.script.answer(granted(1, 3599));
        assert_eq!(f.token(Resource::Outlook).await.unwrap(), "at-1");
        let sign_in = SignIn {
            identity: alice(),
            tokens: granted(9, 3599).unwrap(),
            audience: Resource::Outlook,
            flow: SignInFlow::Browser,
        };
        f.session.reauthenticate(&f.name, &sign_in).unwrap();
        assert_eq!(f.rt(), "rt-9");
        assert_eq!(
            f.token(Resource::Outlook).await.unwrap(),
            "at-9",
            "the sign-in's own token"
        );
        assert_eq!(f.script.forms().len(), 1);

        // A second profile, and deleting the first: its token is gone from memory and keyring.
        let mut bob = alice();
        bob.object_id = "8d7c6b5a-4e3f-4a1b-9c8d-7e6f5a4b3c2d".into();
        bob.username = "bob@contoso.test".into();
        let new = NewProfile {
            name: None,
            mailbox: MailboxChoice::User,
            client_id: sample("x").client_id,
            confidential_client: true,
            cloud: ProfileCloud::Preset {
                preset: CloudPreset::Global,
            },
            channel: ChannelKind::GraphDelegated,
        };
        let sign_in = SignIn {
            identity: bob,
            tokens: granted(5, 3599).unwrap(),
            audience: Resource::Graph,
            flow: SignInFlow::Device,
        };
        let bob = f.session.connect(new, &sign_in).unwrap();
        assert_eq!(
            f.session
                .access_token(&bob.name, Resource::Graph)
                .await
                .unwrap()
                .expose(),
            "at-5"
        );
        f.session.delete(&f.name).unwrap();
        assert_eq!(f.secrets.get(&refresh_token_key(&f.name)).unwrap(), None);
        assert_eq!(
            f.token(Resource::Outlook).await.unwrap_err().code,
            "profile.not_found"
        );
        assert!(f
            .secrets
            .get(&refresh_token_key(&bob.name))
            .unwrap()
            .is_some());
        assert!(f
            .secrets
            .get(&client_secret_key(&bob.client_id))
            .unwrap()
            .is_some());
    }
}
