//! Profiles made as the wizard makes them: alice signs in through the (played) system browser
//! and the mailbox is verified and kept.

use super::mail::ALICE;
use m365_sim::player::{play, Person};
use onboard::{
    connect_mailbox, sign_in_with_browser, AppConnection, ChannelKind, Cloud, Credentials,
    MailboxChoice, MemoryStore, ProfileCloud, ProfileStore, Secret, Session, SignInFlow,
};
use std::sync::Arc;
use std::time::Duration;

pub const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
pub const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
pub const ALICE_PASSWORD: &str = "sandbox-alice";

/// A session on the profiles in `dir` with the secrets in `secrets`, in the sandbox `cloud`.
pub fn session(cloud: Cloud, dir: &tempfile::TempDir, secrets: &Arc<MemoryStore>) -> Session {
    Session::new(ProfileStore::new(dir.path()), secrets.clone()).with_sandbox(cloud)
}

/// Signs alice in through the (played) browser and keeps `choice` as a profile; its name.
pub async fn connect(
    session: &Session,
    cloud: Cloud,
    channel: ChannelKind,
    choice: MailboxChoice,
) -> String {
    let app = AppConnection {
        cloud,
        profile_cloud: ProfileCloud::Sandbox,
        tenant: "contoso.test".into(),
        client_id: APP.into(),
        client_secret: Some(Secret::new(SECRET)),
        channel,
    };
    let person = Person {
        user: ALICE.into(),
        password: ALICE_PASSWORD.into(),
        decision: "accept".into(),
    };
    let open = move |url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move { play(&url, &person).await });
        Ok(())
    };
    let signed_in = sign_in_with_browser(
        app.sign_in_request(Some(ALICE.into())),
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
        .unwrap_or_else(|| panic!("{:#?}", connected.checks))
        .name
}
