//! Renewal of an app's client secret against the simulated tenant and the real Dovecot (an IMAP
//! channel, so the proof is a fetch over IMAP): a new secret that fails its proof is removed
//! again; one kept aside when the process stops is resumed, not added twice; the exports are
//! written again or reported stale; the old secret works until it is removed, which is refused
//! for the kept one.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use onboard::{
    app_registration::{admin_scopes, app_secrets, client_secret_key, AZURE_CLI_CLIENT_ID},
    catalog::{CheckStatus, Diagnosis},
    export::{export_profile, write_remembered, ExportFormat, ExportOptions, SecretHandling},
    health::Health,
    identity::{poll_device_code, request_token, start_device_code, ChannelKind},
    mailbox::profile_fetch_test,
    platform::{MemoryStore, Secret, SecretStore},
    profile::{MailboxChoice, ProfileStore, Session},
    renewal::{pending_secret_key, plan_renewal, renew, retire, ExportAction},
};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::mail::{MailWorld, ALICE};
use support::profile::{Profiles, ALICE_PASSWORD, APP, SECRET};

const TENANT: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";

/// Fails one `put` of `key`, as a keyring that locks (or a process that dies) at that moment.
struct FailPutOnce {
    inner: Arc<MemoryStore>,
    key: String,
    armed: AtomicBool,
}

impl SecretStore for FailPutOnce {
    fn backend(&self) -> &'static str {
        "test keyring"
    }
    fn put(&self, key: &str, secret: &Secret) -> Result<(), Diagnosis> {
        if key == self.key && self.armed.swap(false, Ordering::SeqCst) {
            return Err(Diagnosis::new(
                "keyring.locked",
                "locked",
                "locked",
                "unlock",
            ));
        }
        self.inner.put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis> {
        self.inner.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), Diagnosis> {
        self.inner.delete(key)
    }
}

async fn admin_token(w: &MailWorld) -> Secret {
    let cloud = w.cloud();
    let prompt = start_device_code(&cloud, TENANT, AZURE_CLI_CLIENT_ID, &admin_scopes(&cloud))
        .await
        .unwrap();
    let body = json!({ "user_code": prompt.user_code, "upn": ALICE, "decision": "approve" });
    w.control(reqwest::Method::POST, "/_sim/device", Some(body))
        .await;
    poll_device_code(&cloud, TENANT, AZURE_CLI_CLIENT_ID, &prompt, None)
        .await
        .unwrap()
        .access_token
}

/// Whether the token endpoint takes `secret` for the app (client credentials).
async fn accepted(w: &MailWorld, secret: &str) -> bool {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    request_token(&w.cloud(), TENANT, &form).await.is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_is_renewed_safely_and_the_old_one_removed_last() {
    let w = MailWorld::start().await;
    let p = Profiles::new(&w);
    let name = p
        .keep(
            &w,
            ChannelKind::ImapDelegated,
            ALICE,
            ALICE_PASSWORD,
            MailboxChoice::User,
        )
        .await
        .name;
    let session = &p.session;
    let files = tempfile::tempdir().unwrap();
    let opts = ExportOptions::default();
    let plain = files.path().join("channel.json");
    let named = files.path().join("m365.env");
    for (out, format, handling) in [
        (&plain, ExportFormat::Json, SecretHandling::Plain),
        (&named, ExportFormat::Env, SecretHandling::Omit),
    ] {
        let e = export_profile(session, &name, format, &handling, &opts)
            .await
            .unwrap();
        write_remembered(session.profiles(), &name, out, &e, &opts).unwrap();
    }
    assert!(std::fs::read_to_string(&plain).unwrap().contains(SECRET));
    let admin = admin_token(&w).await;
    let cloud = w.cloud();
    let before = app_secrets(&cloud, &admin, APP, chrono::Utc::now())
        .await
        .unwrap();

    // The plan reads and changes nothing.
    let plan = plan_renewal(session, &admin, &name, 6).await.unwrap();
    let old = plan
        .current
        .clone()
        .expect("the kept secret is found by its hint");
    assert_eq!(old.hint, &SECRET[..3]);
    assert!(plan.resume.is_none());
    assert_eq!(plan.profiles, std::slice::from_ref(&name));
    let actions: Vec<ExportAction> = plan.exports.iter().map(|e| e.action).collect();
    assert_eq!(actions, [ExportAction::Rewrite, ExportAction::EnterByHand]);
    let count = |a: &onboard::app_registration::AppSecrets| a.secrets.len();
    let now = || chrono::Utc::now();
    assert_eq!(
        count(&app_secrets(&cloud, &admin, APP, now()).await.unwrap()),
        count(&before)
    );

    // A proof that fails (the mailbox unreachable): the new secret is removed again.
    w.stop_dovecot();
    let failed = renew(session, &admin, &plan, None, |_| {})
        .await
        .unwrap_err();
    w.restart_dovecot();
    assert!(
        failed.fix.contains("removed from the app again"),
        "{failed:#?}"
    );
    assert_eq!(
        count(&app_secrets(&cloud, &admin, APP, now()).await.unwrap()),
        count(&before)
    );
    assert_eq!(
        p.secrets.get(&client_secret_key(APP)).unwrap(),
        Some(Secret::new(SECRET))
    );
    assert_eq!(p.secrets.get(&pending_secret_key(APP)).unwrap(), None);

    // Stopped while keeping the proven secret: the old one is still kept, the new one aside.
    let stopping = Session::new(
        ProfileStore::new(session.profiles().dir()),
        Arc::new(FailPutOnce {
            inner: p.secrets.clone(),
            key: client_secret_key(APP),
            armed: AtomicBool::new(true),
        }),
    )
    .with_sandbox(cloud.clone());
    assert!(renew(&stopping, &admin, &plan, None, |_| {}).await.is_err());
    assert_eq!(
        p.secrets.get(&client_secret_key(APP)).unwrap(),
        Some(Secret::new(SECRET))
    );
    let aside = p.secrets.get(&pending_secret_key(APP)).unwrap().unwrap();
    assert_eq!(
        profile_fetch_test(session, &name).await.status,
        CheckStatus::Ok
    );

    // Planned again, the renewal resumes with that secret instead of adding another.
    let plan = plan_renewal(session, &admin, &name, 6).await.unwrap();
    let resumed = plan.resume.clone().expect("the secret kept aside");
    assert_eq!(resumed.hint, aside.expose()[..3]);
    let steps = std::sync::Mutex::new(Vec::new());
    let renewed = renew(session, &admin, &plan, None, |s| {
        steps.lock().unwrap().push(s.to_owned())
    })
    .await
    .unwrap();
    let steps = steps.into_inner().unwrap();
    assert!(!steps.iter().any(|s| s.starts_with("Adding")), "{steps:?}");
    assert!(steps.iter().any(|s| s.starts_with("Proving")), "{steps:?}");
    assert_eq!(renewed.secret_id, resumed.key_id);
    assert_eq!(renewed.value, aside);
    assert_eq!(
        renewed.proof.status,
        CheckStatus::Ok,
        "{:#?}",
        renewed.proof
    );
    assert_eq!(
        count(&app_secrets(&cloud, &admin, APP, now()).await.unwrap()),
        count(&before) + 1
    );
    assert_eq!(
        p.secrets.get(&client_secret_key(APP)).unwrap(),
        Some(aside.clone())
    );
    assert_eq!(p.secrets.get(&pending_secret_key(APP)).unwrap(), None);

    // The clear export carries the new secret; the one without secrets is left for the admin,
    // and the doctor says the server may hold the old secret.
    let rewritten = std::fs::read_to_string(&plain).unwrap();
    assert!(rewritten.contains(aside.expose()) && !rewritten.contains(SECRET));
    let written: Vec<bool> = renewed.exports.iter().map(|e| e.written).collect();
    assert_eq!(written, [true, false]);
    let health = &renewed.health[0];
    let exports = health.checks.iter().find(|c| c.id == "exports").unwrap();
    assert_eq!(exports.status, Health::Warning, "{health:#?}");
    assert!(
        exports.cause.as_deref().unwrap().contains("m365.env"),
        "{exports:#?}"
    );
    assert!(!exports.cause.as_deref().unwrap().contains("channel.json"));
    assert_eq!(renewed.old.as_ref().map(|o| &o.key_id), Some(&old.key_id));

    // Both secrets work until the old one is removed; the kept one cannot be removed.
    assert!(accepted(&w, SECRET).await && accepted(&w, aside.expose()).await);
    let refused = retire(session, &admin, &name, &renewed.secret_id)
        .await
        .unwrap_err();
    assert_eq!(refused.code, "renew.removes_kept");
    let removed = retire(session, &admin, &name, &old.key_id).await.unwrap();
    assert_eq!(removed.key_id, old.key_id);
    assert!(!accepted(&w, SECRET).await);
    assert!(accepted(&w, aside.expose()).await);
    assert_eq!(
        profile_fetch_test(session, &name).await.status,
        CheckStatus::Ok
    );
    w.stop().await;
}
