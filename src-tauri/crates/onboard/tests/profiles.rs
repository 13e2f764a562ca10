//! Profiles, the token store and refresh rotation against the simulated tenant: real sign-ins
//! (authorization code with PKCE), real refreshes, the simulator's clock and faults.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use chrono::{Duration, Utc};
use m365_sim::sandbox::demo_seed;
use m365_sim::tenant::request_log::{Fault, FaultRule};
use m365_sim::tenant::seed::Seed;
use m365_sim::RunningSim;
use onboard::cloud::graph_get::graph_get;
use onboard::{
    app_registration::client_secret_key,
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{
        request_token, ChannelKind, Identity, Resource, TokenEndpoint, TokenFailure, TokenResponse,
        TokenSource,
    },
    platform::{Secret, SecretStore},
    profile::{
        refresh_token_key, MailboxChoice, NewProfile, ProfileCloud, ProfileStore, Session, SignIn,
        SignInFlow,
    },
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use support::sim::sim_cloud_with;

const OUTLOOK: &str = "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access openid profile email";
const GRAPH: &str = "https://graph.microsoft.com/Mail.ReadWrite https://graph.microsoft.com/Mail.ReadWrite.Shared offline_access openid profile email";

/// A keyring that can list its keys and be told to fail its next `put`.
#[derive(Default)]
struct Keyring {
    map: Mutex<HashMap<String, Secret>>,
    fail_next_put: Mutex<bool>,
}

impl Keyring {
    fn keys(&self) -> Vec<String> {
        let mut k: Vec<_> = self.map.lock().unwrap().keys().cloned().collect();
        k.sort();
        k
    }
    fn value(&self, key: &str) -> Option<String> {
        self.map
            .lock()
            .unwrap()
            .get(key)
            .map(|s| s.expose().to_owned())
    }
}

impl SecretStore for Keyring {
    fn backend(&self) -> &'static str {
        "test keyring"
    }
    fn put(&self, key: &str, secret: &Secret) -> Result<(), Diagnosis> {
        if std::mem::take(&mut *self.fail_next_put.lock().unwrap()) {
            return Err(Diagnosis::new(
                "keyring.unavailable",
                "The OS keyring cannot be used",
                "The keyring daemon went away.",
                "Restart it.",
            ));
        }
        self.map.lock().unwrap().insert(key.into(), secret.clone());
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis> {
        Ok(self.map.lock().unwrap().get(key).cloned())
    }
    fn delete(&self, key: &str) -> Result<(), Diagnosis> {
        self.map.lock().unwrap().remove(key);
        Ok(())
    }
}

/// An access token and the refresh token that came with it.
type Issued = (String, Option<String>);

/// The real token endpoint, noting each refresh token and access token it issued.
#[derive(Clone, Default)]
struct Spy {
    issued: Arc<Mutex<Vec<Issued>>>,
}

impl Spy {
    fn issued(&self) -> Vec<Issued> {
        self.issued.lock().unwrap().clone()
    }
    fn last_refresh_token(&self) -> String {
        self.issued().last().unwrap().1.clone().unwrap()
    }
}

impl TokenSource for Spy {
    async fn request(
        &self,
        cloud: &Cloud,
        tenant: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, TokenFailure> {
        let answer = TokenEndpoint.request(cloud, tenant, form).await;
        if let Ok(t) = &answer {
            self.issued.lock().unwrap().push((
                t.access_token.expose().to_owned(),
                t.refresh_token.as_ref().map(|r| r.expose().to_owned()),
            ));
        }
        answer
    }
}

/// The sandbox tenant with everything a test of profiles needs.
struct World {
    sim: RunningSim,
    cloud: Cloud,
    seed: Seed,
    _dir: tempfile::TempDir,
    profiles_dir: std::path::PathBuf,
    keyring: Arc<Keyring>,
    spy: Spy,
}

impl World {
    async fn start(seed: Seed) -> Self {
        let (sim, cloud) = sim_cloud_with(seed.clone()).await;
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(Keyring::default());
        let app = &seed.tenants[0].apps[0];
        keyring
            .put(
                &client_secret_key(&app.client_id),
                &Secret::new(&app.secrets[0].value),
            )
            .unwrap();
        Self {
            sim,
            cloud,
            profiles_dir: dir.path().join("profiles"),
            _dir: dir,
            seed,
            keyring,
            spy: Spy::default(),
        }
    }

    /// A new session, as after a restart of the app: nothing cached.
    fn session(&self) -> Session<Spy> {
        Session::with_source(
            ProfileStore::new(&self.profiles_dir),
            self.keyring.clone(),
            self.spy.clone(),
        )
        .with_sandbox(self.cloud.clone())
    }

    fn tenant(&self) -> &str {
        &self.seed.tenants[0].id
    }

    fn client_id(&self) -> &str {
        &self.seed.tenants[0].apps[0].client_id
    }

    fn identity(&self, upn: &str) -> Identity {
        let u = self.seed.tenants[0]
            .users
            .iter()
            .find(|u| u.upn == upn)
            .unwrap();
        Identity {
            object_id: u.id.clone(),
            tenant_id: self.tenant().to_owned(),
            username: u.upn.clone(),
            display_name: Some(u.display_name.clone()),
        }
    }

    /// What a sign-in flow produces: `upn` signs in (auto sign-in with login_hint) and the code
    /// is redeemed with PKCE.
    async fn sign_in(&self, upn: &str, scope: &str, audience: Resource) -> SignIn {
        let verifier = "profiles-test-verifier-0123456789-abcdefghijklmnop";
        let authorize = url::Url::parse_with_params(
            &self
                .cloud
                .authority_url(self.tenant(), "oauth2/v2.0/authorize"),
            [
                ("client_id", self.client_id()),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost"),
                ("scope", scope),
                ("state", "s"),
                ("nonce", "n"),
                (
                    "code_challenge",
                    &m365_sim::tenant::keys::pkce_s256(verifier),
                ),
                ("code_challenge_method", "S256"),
                ("login_hint", upn),
            ],
        )
        .unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(
                    self.cloud.extra_ca_pem.as_deref().unwrap().as_bytes(),
                )
                .unwrap(),
            )
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let res = http.get(authorize).send().await.unwrap();
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let code = url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap_or_else(|| panic!("no code in {location}"))
            .1
            .into_owned();
        let secret = &self.seed.tenants[0].apps[0].secrets[0].value;
        let tokens = request_token(
            &self.cloud,
            self.tenant(),
            &[
                ("grant_type", "authorization_code"),
                ("client_id", self.client_id()),
                ("client_secret", secret),
                ("code", &code),
                ("redirect_uri", "http://localhost"),
                ("code_verifier", verifier),
            ],
        )
        .await
        .unwrap();
        SignIn {
            identity: self.identity(upn),
            tokens,
            audience,
            flow: SignInFlow::Browser,
        }
    }

    fn new_profile(&self, mailbox: MailboxChoice, channel: ChannelKind) -> NewProfile {
        NewProfile {
            name: None,
            mailbox,
            client_id: self.client_id().to_owned(),
            confidential_client: true,
            cloud: ProfileCloud::Sandbox,
            channel,
        }
    }

    /// Connects alice's own mailbox for IMAP; returns the refresh token of the sign-in.
    async fn connect_alice(&self) -> (String, String) {
        let sign_in = self
            .sign_in("alice@contoso.test", OUTLOOK, Resource::Outlook)
            .await;
        let rt0 = sign_in
            .tokens
            .refresh_token
            .as_ref()
            .unwrap()
            .expose()
            .to_owned();
        let p = self
            .session()
            .connect(
                self.new_profile(MailboxChoice::User, ChannelKind::ImapDelegated),
                &sign_in,
            )
            .unwrap();
        (p.name, rt0)
    }

    fn stored_refresh_token(&self, name: &str) -> Option<String> {
        self.keyring.value(&refresh_token_key(name))
    }
}

#[tokio::test]
async fn only_the_newest_refresh_token_is_kept_and_it_works() {
    let w = World::start(demo_seed().unwrap()).await;
    let (name, rt0) = w.connect_alice().await;
    assert_eq!(w.stored_refresh_token(&name), Some(rt0.clone()));

    // Two refreshes, each in a fresh session (nothing cached): Outlook, then Graph.
    let outlook = w
        .session()
        .access_token(&name, Resource::Outlook)
        .await
        .unwrap();
    let rt1 = w.spy.last_refresh_token();
    let graph = w
        .session()
        .access_token(&name, Resource::Graph)
        .await
        .unwrap();
    let rt2 = w.spy.last_refresh_token();
    assert_eq!(w.spy.issued().len(), 2);
    assert!(
        rt0 != rt1 && rt1 != rt2 && rt0 != rt2,
        "the simulator rotates"
    );
    assert_eq!(outlook.expose(), w.spy.issued()[0].0);

    // Only the newest refresh token is in the keyring: one entry for the profile, holding rt2.
    assert_eq!(
        w.keyring.keys(),
        [client_secret_key(w.client_id()), refresh_token_key(&name)]
    );
    assert_eq!(w.stored_refresh_token(&name), Some(rt2.clone()));
    // No token reached the profile file.
    let file = std::fs::read_to_string(ProfileStore::new(&w.profiles_dir).path_of(&name)).unwrap();
    for t in [
        &rt0,
        &rt1,
        &rt2,
        &outlook.expose().to_owned(),
        &graph.expose().to_owned(),
    ] {
        assert!(!file.contains(t.as_str()));
    }
    let profile = ProfileStore::new(&w.profiles_dir).require(&name).unwrap();
    assert!(profile.last_refreshed_at.is_some());
    // Nothing was recorded for Graph, so everything consented was asked for (`/.default`).
    assert_eq!(
        profile.scopes.graph,
        [
            "Mail.ReadWrite",
            "Mail.Send",
            "Mail.ReadWrite.Shared",
            "Mail.Send.Shared"
        ]
    );
    assert_eq!(
        profile.scopes.outlook,
        ["IMAP.AccessAsUser.All", "SMTP.Send"]
    );

    // The Graph token is for Graph and works there; the stored refresh token refreshes again.
    let inbox = graph_get(&w.cloud, &graph, "/me/mailFolders/inbox")
        .await
        .unwrap();
    assert_eq!(inbox["displayName"], "Inbox");
    w.session()
        .access_token(&name, Resource::Outlook)
        .await
        .unwrap();
    assert_eq!(
        w.spy.issued()[2].1.as_deref(),
        w.stored_refresh_token(&name).as_deref()
    );
    // (Microsoft does not revoke a replaced refresh token, and neither does the simulator:
    // the guarantee tested here is that the store keeps only the newest one.)
    w.sim.stop().await;
}

#[tokio::test]
async fn an_interrupted_save_leaves_the_previous_refresh_token_usable() {
    let w = World::start(demo_seed().unwrap()).await;
    let (name, rt0) = w.connect_alice().await;
    let session = w.session();

    *w.keyring.fail_next_put.lock().unwrap() = true;
    let d = session
        .access_token(&name, Resource::Graph)
        .await
        .unwrap_err();
    assert_eq!(d.code, "token.not_saved");
    assert_eq!(
        w.spy.issued().len(),
        1,
        "the simulator did issue new tokens"
    );
    let (lost_access, lost_refresh) = w.spy.issued()[0].clone();
    assert!(
        !d.detail.contains(&lost_access) && !d.detail.contains(lost_refresh.as_deref().unwrap())
    );
    assert_eq!(
        w.stored_refresh_token(&name),
        Some(rt0),
        "the previous token stays"
    );

    // The new access token was not handed out nor cached: the next call refreshes again, with
    // the previous refresh token, which still works.
    let graph = session.access_token(&name, Resource::Graph).await.unwrap();
    assert_eq!(w.spy.issued().len(), 2);
    assert_ne!(graph.expose(), lost_access);
    assert_eq!(
        w.stored_refresh_token(&name),
        Some(w.spy.last_refresh_token())
    );
    let inbox = graph_get(&w.cloud, &graph, "/me/mailFolders/inbox")
        .await
        .unwrap();
    assert_eq!(inbox["displayName"], "Inbox");
    w.sim.stop().await;
}

#[tokio::test]
async fn inactivity_revocation_and_outages_keep_the_refresh_token() {
    let mut seed = demo_seed().unwrap();
    // Bob's password changes a day after he signs in (in the simulator's time).
    seed.tenants[0].users[1].password_changed = Some(Utc::now() + Duration::days(1));
    let w = World::start(seed).await;
    let (name, rt0) = w.connect_alice().await;

    // 91 days unused: AADSTS700082, in the user's words; the token stays.
    w.sim.sim.clock.set_offset(91 * 86_400);
    let d = w
        .session()
        .access_token(&name, Resource::Outlook)
        .await
        .unwrap_err();
    assert_eq!(d.code, "reauth.700082");
    assert!(d.detail.contains("90 days"), "{}", d.detail);
    assert!(d.fix.contains("as alice@contoso.test"), "{}", d.fix);
    assert_eq!(w.stored_refresh_token(&name), Some(rt0.clone()));
    w.sim.sim.clock.set_offset(0);

    // The token endpoint failing (HTTP 503) is an outage, not a reason to sign in again.
    w.sim.sim.faults.lock().unwrap().push(FaultRule {
        path_prefix: format!("/{}/oauth2/v2.0/token", w.tenant()),
        method: None,
        fault: Fault::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(1),
    });
    let d = w
        .session()
        .access_token(&name, Resource::Outlook)
        .await
        .unwrap_err();
    assert!(!d.code.starts_with("reauth."), "{d:?}");
    assert_eq!(w.stored_refresh_token(&name), Some(rt0));
    // Both times the kept token was fine: it refreshes now.
    w.session()
        .access_token(&name, Resource::Outlook)
        .await
        .unwrap();

    // A password change revokes the grant: AADSTS50173.
    let bob = w.sign_in("bob@contoso.test", GRAPH, Resource::Graph).await;
    let bob_rt = bob.tokens.refresh_token.clone().unwrap();
    let p = w
        .session()
        .connect(
            w.new_profile(MailboxChoice::User, ChannelKind::GraphDelegated),
            &bob,
        )
        .unwrap();
    w.sim.sim.clock.set_offset(2 * 86_400);
    let d = w
        .session()
        .access_token(&p.name, Resource::Graph)
        .await
        .unwrap_err();
    assert_eq!(d.code, "reauth.50173");
    assert!(
        d.detail.contains("password of bob@contoso.test"),
        "{}",
        d.detail
    );
    assert_eq!(
        w.keyring.get(&refresh_token_key(&p.name)).unwrap(),
        Some(bob_rt)
    );
    w.sim.stop().await;
}

#[tokio::test]
async fn profiles_side_by_side_and_deleting_one() {
    let w = World::start(demo_seed().unwrap()).await;
    let (alice, _) = w.connect_alice().await;
    // The shared mailbox, through bob as the delegate, for Graph.
    let bob = w.sign_in("bob@contoso.test", GRAPH, Resource::Graph).await;
    let shared = MailboxChoice::Shared {
        address: "support@contoso.test".into(),
    };
    let support = w
        .session()
        .connect(
            w.new_profile(shared.clone(), ChannelKind::GraphDelegated),
            &bob,
        )
        .unwrap()
        .name;
    assert_eq!(support, "support@contoso.test");

    // Connecting the same mailbox again is refused, naming the profile; nothing changes.
    let again = w
        .sign_in("alice@contoso.test", GRAPH, Resource::Graph)
        .await;
    let before = w.keyring.keys();
    let d = w
        .session()
        .connect(
            w.new_profile(
                MailboxChoice::Shared {
                    address: "SUPPORT@contoso.test".into(),
                },
                ChannelKind::GraphDelegated,
            ),
            &again,
        )
        .unwrap_err();
    assert_eq!(d.code, "profile.duplicate");
    assert!(d.detail.contains("“support@contoso.test”"), "{}", d.detail);
    assert_eq!(w.keyring.keys(), before);

    // Bob may not re-authenticate alice's own mailbox; alice may take over the shared one.
    let d = w.session().reauthenticate(&alice, &bob).unwrap_err();
    assert_eq!(d.code, "reauth.user_mismatch");
    let taken = w.session().reauthenticate(&support, &again).unwrap();
    assert_eq!(taken.identity.username, "alice@contoso.test");

    // Both refresh side by side, each from its own refresh token.
    let session = w.session();
    let a = session
        .access_token(&alice, Resource::Outlook)
        .await
        .unwrap();
    let s = session
        .access_token(&support, Resource::Graph)
        .await
        .unwrap();
    assert_ne!(a, s);
    let inbox = graph_get(
        &w.cloud,
        &s,
        "/users/support@contoso.test/mailFolders/inbox",
    )
    .await
    .unwrap();
    assert_eq!(inbox["displayName"], "Inbox");
    assert_ne!(
        w.stored_refresh_token(&alice),
        w.stored_refresh_token(&support)
    );

    // Deleting alice's profile removes her refresh token only; the app's secret stays for the
    // shared mailbox, which still refreshes.
    let deleted = session.delete(&alice).unwrap();
    assert_eq!(deleted.keyring_keys, [refresh_token_key(&alice)]);
    assert_eq!(
        w.keyring.keys(),
        [
            client_secret_key(w.client_id()),
            refresh_token_key(&support)
        ]
    );
    assert_eq!(
        session
            .access_token(&alice, Resource::Outlook)
            .await
            .unwrap_err()
            .code,
        "profile.not_found"
    );
    w.session()
        .access_token(&support, Resource::Graph)
        .await
        .unwrap();

    // The last profile of the app takes the app's secret with it.
    let deleted = session.delete(&support).unwrap();
    assert_eq!(deleted.client_secret_kept, None);
    assert!(w.keyring.keys().is_empty(), "{:?}", w.keyring.keys());
    w.sim.stop().await;
}
