//! The account step end to end in the core: a browser sign-in (the simulator's player), the
//! mailbox verified over its channel's protocol against the real Dovecot or Graph, and the
//! profile kept with its refresh token in the secret store. Needs root and Dovecot.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::player::{play, Person};
use onboard::{
    catalog::{CheckStatus, Diagnosis},
    identity::{sign_in_with_browser, ChannelKind},
    mailbox::{
        connect_mailbox, profile_archive_counts, profile_folders, reverify, AppConnection,
        Connected, Credentials,
    },
    platform::{MemoryStore, Secret, SecretStore},
    profile::{
        refresh_token_key, MailboxChoice, MailboxRef, ProfileCloud, ProfileStore, Session,
        SignInFlow,
    },
};
use std::sync::Arc;
use std::time::Duration;
use support::mail::{MailWorld, ALICE, BOB, SUPPORT};

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";

struct World {
    mail: MailWorld,
    session: Session,
    secrets: Arc<MemoryStore>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let mail = MailWorld::start().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let session =
        Session::new(ProfileStore::new(dir.path()), secrets.clone()).with_sandbox(mail.cloud());
    World {
        mail,
        session,
        secrets,
        _dir: dir,
    }
}

fn app(w: &World, channel: ChannelKind) -> AppConnection {
    AppConnection {
        cloud: w.mail.cloud(),
        profile_cloud: ProfileCloud::Sandbox,
        tenant: "contoso.test".into(),
        client_id: APP.into(),
        client_secret: Some(Secret::new(SECRET)),
        channel,
    }
}

/// Signs `user` in through the browser (played) and connects `choice`.
async fn connect(
    w: &World,
    channel: ChannelKind,
    user: &str,
    password: &str,
    choice: MailboxChoice,
    reauth: Option<&str>,
) -> Result<Connected, Diagnosis> {
    let app = app(w, channel);
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
    .await?;
    let creds = Credentials::Delegated {
        signed_in,
        flow: SignInFlow::Browser,
    };
    connect_mailbox(&w.session, &app, choice, creds, reauth).await
}

fn statuses(c: &Connected) -> Vec<(&str, CheckStatus)> {
    c.checks.iter().map(|s| (s.id.as_str(), s.status)).collect()
}

#[tokio::test]
async fn a_user_mailbox_is_verified_over_imap_and_smtp_and_kept() {
    let w = world().await;
    let c = connect(
        &w,
        ChannelKind::ImapDelegated,
        ALICE,
        "sandbox-alice",
        MailboxChoice::User,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        statuses(&c),
        [
            ("imap-connect", CheckStatus::Ok),
            ("imap-auth", CheckStatus::Ok),
            ("imap-inbox", CheckStatus::Ok),
            ("smtp-connect", CheckStatus::Ok),
            ("smtp-auth", CheckStatus::Ok),
        ]
    );
    let profile = c.profile.unwrap();
    assert_eq!(
        profile.mailbox,
        MailboxRef::User {
            address: ALICE.into()
        }
    );
    assert!(w
        .secrets
        .get(&refresh_token_key(&profile.name))
        .unwrap()
        .is_some());
    assert!(!serde_json::to_string(&profile).unwrap().contains(SECRET));

    // The channel options step reads the kept profile's folders and counts over IMAP.
    let folders = profile_folders(&w.session, ALICE, false).await.unwrap();
    let inbox = folders
        .iter()
        .find(|f| f.well_known.as_deref() == Some("inbox"))
        .unwrap_or_else(|| panic!("{folders:#?}"));
    let counts = profile_archive_counts(&w.session, ALICE, &inbox.id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        u64::from(inbox.total.unwrap()),
        counts.before + counts.after
    );
    assert_eq!(counts.after, 0, "nothing arrived after now");

    // Checked again later with the kept tokens; after 90 days without use Microsoft wants a
    // new sign-in, and the check says so in the user's words.
    let again = reverify(&w.session, ALICE).await.unwrap();
    assert!(
        again.iter().all(|c| c.status == CheckStatus::Ok),
        "{again:?}"
    );
    w.session.forget(ALICE);
    w.mail.sim.sim.clock.set_offset(91 * 86_400);
    let d = reverify(&w.session, ALICE).await.unwrap_err();
    assert_eq!(d.code, "reauth.700082", "{d:?}");
    w.mail.sim.sim.clock.set_offset(0);

    // The same mailbox again is refused, naming the profile that has it.
    let d = connect(
        &w,
        ChannelKind::ImapDelegated,
        ALICE,
        "sandbox-alice",
        MailboxChoice::User,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(d.code, "profile.duplicate");

    // Signing in again as someone else changes nothing.
    let before = w.secrets.get(&refresh_token_key(ALICE)).unwrap().unwrap();
    let d = connect(
        &w,
        ChannelKind::ImapDelegated,
        BOB,
        "sandbox-bob",
        MailboxChoice::User,
        Some(ALICE),
    )
    .await
    .unwrap_err();
    assert_eq!(d.code, "reauth.user_mismatch");
    assert_eq!(
        w.secrets.get(&refresh_token_key(ALICE)).unwrap().unwrap(),
        before
    );

    // The same user may; the refresh token is replaced.
    let again = connect(
        &w,
        ChannelKind::ImapDelegated,
        ALICE,
        "sandbox-alice",
        MailboxChoice::User,
        Some(ALICE),
    )
    .await
    .unwrap();
    assert!(again.profile.is_some());
    assert_ne!(
        w.secrets.get(&refresh_token_key(ALICE)).unwrap().unwrap(),
        before
    );
    w.mail.stop().await;
}

#[tokio::test]
async fn a_shared_mailbox_needs_a_delegate_with_full_access() {
    let w = world().await;
    let shared = || MailboxChoice::Shared {
        address: SUPPORT.into(),
    };

    // Bob has no Full Access on support@: the checks say so and nothing is kept.
    let refused = connect(
        &w,
        ChannelKind::ImapDelegated,
        BOB,
        "sandbox-bob",
        shared(),
        None,
    )
    .await
    .unwrap();
    assert!(refused.profile.is_none());
    let failed = refused
        .checks
        .iter()
        .find(|c| c.status == CheckStatus::Failed)
        .unwrap();
    assert!(
        failed
            .diagnosis
            .as_ref()
            .unwrap()
            .fix
            .contains("Add-MailboxPermission"),
        "{failed:?}"
    );
    assert!(w.session.profiles().list().unwrap().profiles.is_empty());
    assert!(w
        .secrets
        .get(&refresh_token_key(SUPPORT))
        .unwrap()
        .is_none());

    // Alice has: over IMAP and SMTP, and over Graph.
    let ok = connect(
        &w,
        ChannelKind::ImapDelegated,
        ALICE,
        "sandbox-alice",
        shared(),
        None,
    )
    .await
    .unwrap();
    let profile = ok.profile.unwrap();
    assert!(
        matches!(&profile.mailbox, MailboxRef::Shared { address, delegate } if address == SUPPORT && delegate.username == ALICE)
    );
    w.session.delete(&profile.name).unwrap();

    let graph = connect(
        &w,
        ChannelKind::GraphDelegated,
        ALICE,
        "sandbox-alice",
        shared(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(statuses(&graph), [("graph-mailbox", CheckStatus::Ok)]);
    let name = graph.profile.unwrap().name;
    // Over Graph, the shared mailbox's tree (not alice's own) with its nested folder.
    let folders = profile_folders(&w.session, &name, false).await.unwrap();
    let paths: Vec<String> = folders
        .iter()
        .flat_map(|f| f.flatten())
        .map(|f| f.path.clone())
        .collect();
    assert!(paths.iter().any(|p| p.starts_with("Inbox/")), "{paths:?}");
    w.mail.stop().await;
}
