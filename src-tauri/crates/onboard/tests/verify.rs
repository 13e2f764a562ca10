//! The verify step on the real servers: the send test over SMTP submission (Dovecot relaying to
//! the simulator's sink) and over Graph sendMail, from a user and from a shared mailbox; the
//! fetch test over IMAP, read-only; the two seeded refusals (Send As missing, SMTP AUTH turned
//! off for the tenant) with their fixes; and the per-profile functions the GUI calls.
//! Needs root and Dovecot.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use onboard::{
    catalog::{CheckStatus, CheckStep},
    identity::{ChannelKind, Resource},
    mailbox::{
        check_smtp, graph_fetch_test, graph_message_page, graph_send_test, imap_fetch_test,
        profile_fetch_test, profile_send_test, smtp_send_test, MailLogin,
    },
    platform::Secret,
    profile::MailboxChoice,
};
use support::mail::{opts, typed, MailWorld, ALICE, SUPPORT};
use support::profile::Profiles;

const OUTSIDE: &str = "desk@fabrikam.test";
const GRAPH_SEND: &str =
    "Mail.ReadWrite Mail.ReadWrite.Shared Mail.Send Mail.Send.Shared offline_access";

fn none() -> Secret {
    Secret::new("")
}

/// The one message the sink received since `before`, as (From, To, Subject, envelope lines).
fn arrived(w: &MailWorld, before: usize) -> (String, String, String, String) {
    let all = w.sink.messages();
    assert_eq!(all.len(), before + 1, "one new message: {all:#?}");
    let raw = &all[before];
    let m = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    let first = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|x| x.address.as_deref())
            .unwrap_or_default()
            .to_owned()
    };
    let envelope: String = raw
        .lines()
        .filter(|l| l.starts_with("X-Sink-Envelope:"))
        .collect::<Vec<_>>()
        .join("\n");
    (
        first(m.from()),
        first(m.to()),
        m.subject().unwrap_or_default().to_owned(),
        envelope,
    )
}

fn assert_passed(step: &CheckStep) {
    assert_eq!(step.status, CheckStatus::Ok, "{step:#?}");
}

/// The subject the step reports, between “ and ”.
fn subject_of(step: &CheckStep) -> String {
    let (_, rest) = step.detail.split_once('“').unwrap();
    rest.split(['”', ';']).next().unwrap().to_owned()
}

/// Maildir file names (they carry the flags, `S` for \Seen) of a mailbox's Inbox.
fn inbox_files(w: &MailWorld, mailbox: &str) -> Vec<String> {
    let mut files: Vec<String> = ["cur", "new"]
        .iter()
        .flat_map(|d| std::fs::read_dir(w.maildir(mailbox).join(d)).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn over_imap_and_smtp_a_user_and_a_shared_mailbox_send_and_read() {
    // Every message of alice's Inbox unread, so that a FETCH that sets \Seen shows.
    let w = MailWorld::start_with(|seed| {
        for m in &mut seed.mailboxes.get_mut(ALICE).unwrap().folders[0].messages {
            m.is_read = false;
        }
    })
    .await;
    let cloud = w.cloud();
    let token = typed(&w.outlook_token(ALICE).await, Resource::Outlook);

    // A user mailbox: from alice, the login Dovecot names to its relay is alice.
    let own = MailLogin::own(ALICE, &none());
    let step = smtp_send_test(&cloud, &token, &own, Some(OUTSIDE), &opts()).await;
    assert_passed(&step);
    assert_eq!(step.id, "send");
    assert!(
        step.detail.starts_with(&format!(
            "Sent to {OUTSIDE} via 127.0.0.1:{} (“M365 Onboarding test ",
            w.submission
        )),
        "{}",
        step.detail
    );
    let (from, to, subject, envelope) = arrived(&w, 0);
    assert_eq!((from.as_str(), to.as_str()), (ALICE, OUTSIDE));
    assert_eq!(subject, subject_of(&step));
    assert!(envelope.contains(&format!("AUTH={ALICE}")), "{envelope}");

    // The default recipient is the mailbox itself.
    let step = smtp_send_test(&cloud, &token, &own, None, &opts()).await;
    assert_passed(&step);
    assert_eq!(arrived(&w, 1).1, ALICE);

    // A shared mailbox: alice's token, from support@, which alice may send as.
    let shared = MailLogin::shared(SUPPORT, ALICE, &none());
    let step = smtp_send_test(&cloud, &token, &shared, Some(OUTSIDE), &opts()).await;
    assert_passed(&step);
    let (from, to, _, envelope) = arrived(&w, 2);
    assert_eq!((from.as_str(), to.as_str()), (SUPPORT, OUTSIDE));
    assert!(
        envelope.contains(&format!("MAIL FROM:<{SUPPORT}> AUTH={ALICE}")),
        "{envelope}"
    );

    // The fetch test reads the newest header over IMAP, as Graph reads it, and marks nothing.
    let graph = typed(&w.token(ALICE, GRAPH_SEND).await, Resource::Graph);
    for (login, mailbox, graph_mailbox) in [(&own, ALICE, "me"), (&shared, SUPPORT, SUPPORT)] {
        let before = inbox_files(&w, mailbox);
        let step = imap_fetch_test(&cloud, &token, login, &opts()).await;
        assert_passed(&step);
        assert_eq!(step.id, "fetch");
        assert!(step.detail.starts_with("Newest: "), "{}", step.detail);
        assert_eq!(inbox_files(&w, mailbox), before, "flags unchanged");
        let over_graph = graph_fetch_test(&cloud, &graph, graph_mailbox).await;
        assert_eq!(step.detail, over_graph.detail, "IMAP and Graph agree");
    }
    assert!(
        inbox_files(&w, ALICE).iter().all(|f| !f
            .rsplit_once(":2,")
            .is_some_and(|(_, flags)| flags.contains('S'))),
        "still unread: {:?}",
        inbox_files(&w, ALICE)
    );
    w.stop().await;
}

#[tokio::test]
async fn over_graph_a_user_and_a_shared_mailbox_send_with_a_copy_in_sent_items() {
    let w = MailWorld::start().await;
    let cloud = w.cloud();
    let token = typed(&w.token(ALICE, GRAPH_SEND).await, Resource::Graph);

    let step = graph_send_test(&cloud, &token, "me", ALICE, None, Some(OUTSIDE)).await;
    assert_passed(&step);
    assert!(
        step.detail
            .starts_with(&format!("Sent to {OUTSIDE} via 127.0.0.1 (“")),
        "{}",
        step.detail
    );
    let (from, to, subject, _) = arrived(&w, 0);
    assert_eq!((from.as_str(), to.as_str()), (ALICE, OUTSIDE));
    assert_eq!(subject, subject_of(&step));
    let sent = graph_message_page(&cloud, &token, "me", "sentitems", 1, None)
        .await
        .unwrap();
    assert_eq!(sent.messages[0].subject, subject);

    let step = graph_send_test(&cloud, &token, SUPPORT, SUPPORT, Some(ALICE), Some(OUTSIDE)).await;
    assert_passed(&step);
    let (from, to, _, _) = arrived(&w, 1);
    assert_eq!((from.as_str(), to.as_str()), (SUPPORT, OUTSIDE));
    w.stop().await;
}

/// A delegate with Full Access but without Send As: both protocols refuse, and the step names
/// both people and the exact Add-RecipientPermission; nothing goes out.
#[tokio::test]
async fn send_as_missing_is_named_with_its_fix_over_both_protocols() {
    let w = MailWorld::start_with(|seed| seed.tenants[0].shared_mailboxes[0].send_as.clear()).await;
    let cloud = w.cloud();
    let fix = format!(
        "Add-RecipientPermission -Identity {SUPPORT} -Trustee {ALICE} -AccessRights SendAs"
    );

    let token = typed(&w.outlook_token(ALICE).await, Resource::Outlook);
    let shared = MailLogin::shared(SUPPORT, ALICE, &none());
    let step = smtp_send_test(&cloud, &token, &shared, Some(OUTSIDE), &opts()).await;
    assert_eq!(step.status, CheckStatus::Failed);
    let d = step.diagnosis.unwrap();
    assert_eq!(d.code, "mailbox.no_send_as");
    assert!(d.fix.contains(&fix), "{}", d.fix);
    assert!(
        d.detail.contains(&format!(
            "554 5.2.252 SendAsDenied; {ALICE} not allowed to send as {SUPPORT}"
        )),
        "{}",
        d.detail
    );
    // Her own address stays hers.
    assert_passed(
        &smtp_send_test(
            &cloud,
            &token,
            &MailLogin::own(ALICE, &none()),
            Some(OUTSIDE),
            &opts(),
        )
        .await,
    );

    let graph = typed(&w.token(ALICE, GRAPH_SEND).await, Resource::Graph);
    let step = graph_send_test(&cloud, &graph, SUPPORT, SUPPORT, Some(ALICE), Some(OUTSIDE)).await;
    let d = step.diagnosis.unwrap();
    assert_eq!(d.code, "mailbox.no_send_as");
    assert!(d.fix.contains(&fix), "{}", d.fix);
    assert_eq!(
        w.sink.messages().len(),
        1,
        "only alice's own test mail went out"
    );
    w.stop().await;
}

/// `"smtp_client_auth": false`: the sign-in itself is refused with Exchange's reason, for the
/// user and for the delegate (no Full Access advice); the account step's SMTP check says the
/// same; IMAP still reads.
#[tokio::test]
async fn smtp_auth_turned_off_is_named_with_its_fix() {
    let w = MailWorld::start_with(|seed| seed.tenants[0].smtp_client_auth = false).await;
    let cloud = w.cloud();
    let token = typed(&w.outlook_token(ALICE).await, Resource::Outlook);
    for login in [
        MailLogin::own(ALICE, &none()),
        MailLogin::shared(SUPPORT, ALICE, &none()),
    ] {
        let step = smtp_send_test(&cloud, &token, &login, Some(OUTSIDE), &opts()).await;
        let d = step.diagnosis.unwrap();
        assert_eq!(d.code, "smtp.client_auth_disabled", "{d:#?}");
        assert!(
            d.fix.starts_with("Enable it for the mailbox: `Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false`"),
            "{}",
            d.fix
        );
        assert!(d
            .detail
            .contains("SmtpClientAuthentication is disabled for the Tenant"));
    }
    let login = MailLogin::own(ALICE, token.secret());
    let check = check_smtp(&cloud, &login, &opts()).await;
    assert_eq!(
        check.diagnosis().map(|d| d.code.as_str()),
        Some("smtp.client_auth_disabled")
    );
    assert_passed(&imap_fetch_test(&cloud, &token, &MailLogin::own(ALICE, &none()), &opts()).await);
    assert!(w.sink.messages().is_empty());
    w.stop().await;
}

/// What the GUI calls: a kept IMAP profile of alice's and a kept Graph profile of the shared
/// mailbox, each tested over its own channel.
#[tokio::test]
async fn a_kept_profile_is_tested_over_its_channel() {
    let w = MailWorld::start().await;
    let p = Profiles::new(&w);
    let imap = p
        .keep(
            &w,
            ChannelKind::ImapDelegated,
            ALICE,
            "sandbox-alice",
            MailboxChoice::User,
        )
        .await;
    let graph = p
        .keep(
            &w,
            ChannelKind::GraphDelegated,
            ALICE,
            "sandbox-alice",
            MailboxChoice::Shared {
                address: SUPPORT.into(),
            },
        )
        .await;

    let step = profile_fetch_test(&p.session, &imap.name).await;
    assert_passed(&step);
    assert!(step.detail.starts_with("Newest: "), "{}", step.detail);
    let step = profile_send_test(&p.session, &imap.name, None).await;
    assert_passed(&step);
    assert!(step
        .detail
        .contains(&format!("via 127.0.0.1:{}", w.submission)));
    let (from, to, _, _) = arrived(&w, 0);
    assert_eq!((from.as_str(), to.as_str()), (ALICE, ALICE));

    assert_passed(&profile_fetch_test(&p.session, &graph.name).await);
    let step = profile_send_test(&p.session, &graph.name, Some(OUTSIDE)).await;
    assert_passed(&step);
    let (from, to, _, _) = arrived(&w, 1);
    assert_eq!((from.as_str(), to.as_str()), (SUPPORT, OUTSIDE));

    // A bad recipient is the field's mistake, and nothing is sent.
    let step = profile_send_test(&p.session, &graph.name, Some("desk at fabrikam")).await;
    let d = step.diagnosis.unwrap();
    assert_eq!(
        (d.code.as_str(), d.field.as_deref()),
        ("send.bad_recipient", Some("Test recipient"))
    );
    assert_eq!(step.id, "send");
    // An unknown profile fails the step, not the caller.
    let step = profile_fetch_test(&p.session, "nobody").await;
    assert_eq!(step.status, CheckStatus::Failed);
    assert_eq!(w.sink.messages().len(), 2);
    w.stop().await;
}
