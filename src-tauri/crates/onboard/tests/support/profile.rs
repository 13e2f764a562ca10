//! Profiles made as the wizard makes them: a person signs in through the (played) system
//! browser, and the mailbox is verified over its channel's protocol and kept, in a session over
//! a temporary profile folder and an in-memory secret store.

use super::mail::{MailWorld, ALICE};
use m365_sim::player::{play, Person};
use onboard::{
    cloud::Cloud,
    identity::{sign_in_with_browser, ChannelKind},
    mailbox::{connect_mailbox, AppConnection, Credentials},
    platform::{MemoryStore, Secret},
    profile::{MailboxChoice, Profile, ProfileCloud, ProfileStore, Session, SignInFlow},
};
use std::sync::Arc;
use std::time::Duration;

pub const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
pub const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
pub const ALICE_PASSWORD: &str = "sandbox-alice";

/// A session on the profiles in `dir` with the secrets in `secrets`, in the sandbox `cloud`.
pub fn session(cloud: Cloud, dir: &tempfile::TempDir, secrets: &Arc<MemoryStore>) -> Session {
    // A folder of its own, as the app's: the files kept beside it stay in the test's folder.
    Session::new(
        ProfileStore::new(dir.path().join("profiles")),
        secrets.clone(),
    )
    .with_sandbox(cloud)
}

/// Signs alice in and keeps `choice` as a profile; its name.
pub async fn connect(
    session: &Session,
    cloud: Cloud,
    channel: ChannelKind,
    choice: MailboxChoice,
) -> String {
    connect_as(session, cloud, channel, ALICE, ALICE_PASSWORD, choice)
        .await
        .name
}

/// `user` signs in through the (played) browser and `choice` is connected and kept.
pub async fn connect_as(
    session: &Session,
    cloud: Cloud,
    channel: ChannelKind,
    user: &str,
    password: &str,
    choice: MailboxChoice,
) -> Profile {
    let app = AppConnection {
        cloud,
        profile_cloud: ProfileCloud::Sandbox,
        tenant: "contoso.test".into(),
        client_id: APP.into(),
        client_secret: Some(Secret::new(SECRET)),
        channel,
    };
    let person = Person {
        user: user.into(),
        password: password.into(),
        decision: "accept".into(),
    };
    let open = move |url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move { play(&url, &person).await });
        Ok(())
    };
    let signed_in = sign_in_with_browser(
        app.sign_in_request(Some(user.into())),
        open,
        Duration::from_secs(20),
        std::future::pending(),
    )
    .await
    .unwrap();
    let creds = Credentials::Delegated {
        signed_in,
        flow: SignInFlow::Browser,
    };
    let connected = connect_mailbox(session, &app, choice, creds, None)
        .await
        .unwrap();
    connected
        .profile
        .unwrap_or_else(|| panic!("not kept: {:#?}", connected.checks))
}

/// A session whose profiles live as long as it does.
pub struct Profiles {
    pub session: Session,
    pub secrets: Arc<MemoryStore>,
    _dir: tempfile::TempDir,
}

impl Profiles {
    pub fn new(w: &MailWorld) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let session = session(w.cloud(), &dir, &secrets);
        Self {
            session,
            secrets,
            _dir: dir,
        }
    }

    /// `user` signs in through the (played) browser and `choice` is connected and kept.
    pub async fn keep(
        &self,
        w: &MailWorld,
        channel: ChannelKind,
        user: &str,
        password: &str,
        choice: MailboxChoice,
    ) -> Profile {
        connect_as(&self.session, w.cloud(), channel, user, password, choice).await
    }
}
