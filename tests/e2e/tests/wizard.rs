//! The wizard shell and the Server step, through the real app.

use onboard::server::{check_server, ServerCheckInput, ServerKind};
use onboard_e2e::{Error, Harness, Key};

#[tokio::test]
async fn starts_with_the_stepper_and_a_working_keyring() -> Result<(), Error> {
    let mut h = Harness::start("start").await?;
    let steps = h
        .find_all("nav[aria-label='Wizard steps'] button .title")
        .await?;
    let mut titles = Vec::new();
    for s in steps {
        titles.push(s.text().await?);
    }
    assert_eq!(
        titles,
        [
            "Server",
            "App registration",
            "Admin consent",
            "Account",
            "Channel options",
            "Verify and export"
        ]
    );
    assert_eq!(
        h.attr("[aria-current='step']", "data-step")
            .await?
            .as_deref(),
        Some("server")
    );
    assert!(
        !h.is_enabled("#next").await?,
        "Next must wait for a valid server"
    );

    // The app's own round trip through the real Secret Service of this session.
    let status = h
        .eventually("the keyring status", || async {
            let text = h.text("[data-testid='keyring-status']").await?;
            Ok((!text.starts_with("Checking")).then_some(text))
        })
        .await?;
    assert_eq!(status, "✓ Secrets are kept in the OS keyring.");
    h.screenshot("server-empty").await?;
    h.finish().await
}

#[tokio::test]
async fn a_valid_host_shows_the_callback_url_computed_in_rust() -> Result<(), Error> {
    let mut h = Harness::start("valid-host").await?;
    h.click("input[data-kind='zammad-imap']").await?;
    h.type_into("#fqdn", "https://Hilfe.Bücher.example/")
        .await?;
    let shown = h.text("#callback-url").await?;
    let expected = check_server(&ServerCheckInput {
        kind: ServerKind::ZammadImap,
        fqdn: "https://Hilfe.Bücher.example/".into(),
        callback_template: None,
    })?;
    assert_eq!(shown, expected.callback_url);
    assert!(h.is_enabled("#next").await?);
    h.screenshot("server-valid").await?;
    h.finish().await
}

#[tokio::test]
async fn an_invalid_host_names_the_field_and_the_fix() -> Result<(), Error> {
    let mut h = Harness::start("invalid-host").await?;
    h.type_into("#fqdn", "help_desk.example.com").await?;
    let text = h.text("[role='alert']").await?;
    assert!(text.contains("Check the field “FQDN”"), "{text}");
    assert!(
        text.contains("Fix: Use a hyphen instead of the underscore"),
        "{text}"
    );
    assert_eq!(
        h.attr("[role='alert']", "data-code").await?.as_deref(),
        Some("fqdn.underscore")
    );
    assert_eq!(
        h.attr("#fqdn", "aria-invalid").await?.as_deref(),
        Some("true")
    );
    assert!(!h.is_enabled("#next").await?);
    h.screenshot("server-invalid").await?;
    h.finish().await
}

#[tokio::test]
async fn the_draft_survives_closing_the_app() -> Result<(), Error> {
    let mut h = Harness::start("draft").await?;
    h.click("input[data-kind='osticket']").await?;
    h.type_into("#fqdn", "desk.example.com/support").await?;
    h.find("#callback-url").await?;
    h.next().await?;
    h.find("#app-heading").await?;
    // osTicket reads mail over IMAP.
    let channel = h.value("#channel").await?;
    assert_eq!(channel.as_deref(), Some("imap-delegated"));
    h.type_into("#tenant", "contoso.onmicrosoft.com").await?;
    h.type_into("#client-id", "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f")
        .await?;
    h.type_into("#client-secret", "never-saved~because-never-checked")
        .await?;
    h.screenshot("app-registration-typed").await?;
    h.draft_saved("contoso.onmicrosoft.com").await?;

    h.restart().await?;
    assert_eq!(
        h.attr("[aria-current='step']", "data-step")
            .await?
            .as_deref(),
        Some("app-registration")
    );
    let tenant = h.value("#tenant").await?;
    assert_eq!(tenant.as_deref(), Some("contoso.onmicrosoft.com"));
    // The secret was never sent, so it is neither in the draft nor in the keyring.
    let secret = h.value("#client-secret").await?;
    assert_eq!(secret.as_deref(), Some(""));
    assert!(h.find_all("[data-testid='secret-saved']").await?.is_empty());
    h.click("#back").await?;
    assert_eq!(
        h.value("#fqdn").await?.as_deref(),
        Some("desk.example.com/support")
    );
    assert!(h.is_checked("input[data-kind='osticket']").await?);
    assert_eq!(
        h.text("#callback-url").await?,
        "https://desk.example.com/support/api/auth/oauth2"
    );
    h.screenshot("server-restored").await?;
    h.finish().await
}

#[tokio::test]
async fn the_sandbox_tenant_starts_from_the_first_screen() -> Result<(), Error> {
    let mut h = Harness::start("sandbox").await?;
    h.click("#sandbox-start").await?;
    let banner = h.text("[data-testid='sandbox-banner']").await?;
    // The tenant GUID comes from OpenID discovery against the in-process simulator over HTTPS.
    assert!(
        banner.contains("contoso.test") && banner.contains("6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e"),
        "{banner}"
    );
    assert_eq!(
        h.value("#fqdn").await?.as_deref(),
        Some("helpdesk.contoso.test")
    );
    assert!(h
        .text("#callback-url")
        .await?
        .starts_with("https://helpdesk.contoso.test/"));
    h.screenshot("sandbox").await?;

    // The sandbox comes back with the app, and can be left.
    h.draft_saved("\"sandbox\": true").await?;
    h.restart().await?;
    h.find("[data-testid='sandbox-banner']").await?;
    h.click("#sandbox-leave").await?;
    h.find("#sandbox-start").await?;
    h.absent("[data-testid='sandbox-banner']").await?;
    h.finish().await
}

#[tokio::test]
async fn the_first_three_steps_against_the_sandbox() -> Result<(), Error> {
    let mut h = Harness::start("steps-1-3").await?;
    to_the_app_step(&h).await?;

    // Step 2 comes prefilled with the sandbox tenant and app.
    h.find("#app-heading").await?;
    let tenant = h.value("#tenant").await?;
    assert_eq!(tenant.as_deref(), Some("contoso.test"));

    // A secret's ID instead of its value is caught before anything is sent.
    h.type_into("#client-secret", "8e2b5f8a-1c9d-4e3f-a2b1-c0d9e8f7a6b5")
        .await?;
    h.click("#check-app").await?;
    let card = h
        .text(".diagnosis[data-code='client_secret.secret_id']")
        .await?;
    assert!(card.contains("Certificates & secrets"), "{card}");

    // A wrong value goes to Microsoft (the simulator), and AADSTS7000215 comes back explained.
    h.type_into("#client-secret", "abc8Q~not-the-right-secret-value")
        .await?;
    h.click("#check-app").await?;
    let failed = h
        .text("[data-step='app'] .diagnosis[data-code='aadsts.7000215']")
        .await?;
    assert!(failed.contains("Fix:"), "{failed}");
    assert!(!h.is_enabled("#next").await?);
    h.scroll_to("[data-step='app']").await?;
    h.screenshot("app-wrong-secret").await?;

    h.type_into("#client-secret", SANDBOX_SECRET).await?;
    h.click("#check-app").await?;
    h.find("[data-step='app'][data-status='ok']").await?;
    h.find("[data-testid='secret-saved']").await?;
    let tenant_step = h.text("[data-step='tenant']").await?;
    assert!(
        tenant_step.contains("6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e"),
        "{tenant_step}"
    );
    h.scroll_to("[data-testid='app-check']").await?;
    h.screenshot("app-checked").await?;
    h.scroll_to("[data-permission='Mail.ReadWrite']").await?;
    h.screenshot("app-checklist").await?;
    h.next().await?;

    // Step 3: the browser (the simulator's player) signs in as the admin and accepts.
    h.find("#consent-heading").await?;
    let link = h.text("#consent-link").await?;
    assert!(
        link.contains("/v2.0/adminconsent?client_id=0d3c8e4f"),
        "{link}"
    );
    h.click("#grant-consent").await?;
    let granted = h.text("[data-testid='consent-granted']").await?;
    assert!(
        granted.contains("6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e"),
        "{granted}"
    );
    assert!(h.is_enabled("#next").await?);
    h.screenshot("consent-granted").await?;
    h.finish().await
}

#[tokio::test]
async fn create_it_for_me_registers_a_new_app_in_the_sandbox() -> Result<(), Error> {
    let mut h = Harness::start("create-app").await?;
    to_the_app_step(&h).await?;
    h.click("[data-mode='create']").await?;
    // Prefilled with the sandbox app's ID (to repair it); empty means a new app by name.
    h.type_into("#repair-id", "").await?;
    h.click("#admin-sign-in").await?;

    h.find("#user-code").await?;
    h.screenshot("device-code").await?;
    approve_device_code(&h).await?;

    // The plan is shown before anything changes.
    let plan = h.text("[data-testid='plan']").await?;
    assert!(
        plan.contains("Helpdesk mail (helpdesk.contoso.test)"),
        "{plan}"
    );
    h.find("[data-action='create-application']").await?;
    h.find("[data-action='grant-delegated']").await?;
    h.scroll_to("#apply-plan").await?;
    h.screenshot("plan").await?;
    h.click("#apply-plan").await?;

    let secret = h.text("#new-secret").await?;
    assert!(secret.len() >= 30, "{secret}");
    h.scroll_to("#new-secret").await?;
    h.screenshot("applied").await?;

    // The new app passes the live checks with the secret from the keyring.
    h.click("#use-created").await?;
    h.find("[data-step='app']").await?;
    h.scroll_to("[data-step='app']").await?;
    h.screenshot("created-app-checked").await?;
    h.find("[data-step='app'][data-status='ok']").await?;
    // The administrator is still signed in, so the new secret's expiry can be read.
    let expiry = h
        .text("[data-step='secret-expiry'][data-status='ok']")
        .await?;
    assert!(expiry.contains("days"), "{expiry}");
    let client_id = h.value("#client-id").await?;
    assert_ne!(
        client_id.as_deref(),
        Some("0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f")
    );
    h.next().await?;
    h.find("[data-testid='consent-granted']").await?;
    h.finish().await
}

/// The admin enters the code on the simulator's device login page; the test approves it
/// through the simulator's control endpoint instead, as alice (an admin of the sandbox).
async fn approve_device_code(h: &Harness) -> Result<(), Error> {
    let code = h.text("#user-code").await?;
    let page = h
        .attr("[data-testid='device-code'] a", "href")
        .await?
        .ok_or("no verification link")?;
    let base = page.split("/devicelogin").next().unwrap_or_default();
    let approved = sandbox_client()?
        .post(format!("{base}/_sim/device"))
        .json(&serde_json::json!({"user_code": code, "upn": "alice@contoso.test", "decision": "approve"}))
        .send()
        .await?;
    assert!(approved.status().is_success(), "{approved:?}");
    Ok(())
}

/// Enters the sandbox and goes on from the server step (its host comes prefilled).
async fn to_the_app_step(h: &Harness) -> Result<(), Error> {
    h.click("#sandbox-start").await?;
    h.find("#callback-url").await?;
    h.next().await
}

/// Walks steps 1–3 against the sandbox with the IMAP channel, up to the account step.
async fn to_the_account_step(h: &mut Harness) -> Result<(), Error> {
    to_the_app_step(h).await?;
    h.click("#channel option[value='imap-delegated']").await?;
    h.type_into("#client-secret", SANDBOX_SECRET).await?;
    h.click("#check-app").await?;
    h.find("[data-step='app'][data-status='ok']").await?;
    h.next().await?;
    h.click("#grant-consent").await?;
    h.find("[data-testid='consent-granted']").await?;
    h.next().await?;
    h.find("#account-heading").await?;
    Ok(())
}

/// The sandbox app's client secret (demo seed).
const SANDBOX_SECRET: &str = "sandbox~secret-value-not-for-production-0001";
const SANDBOX_CLIENT_ID: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
/// support@'s sealed export's passphrase.
const PASSPHRASE: &str = "correct horse battery staple";

/// The preview's sandboxed frame with a message's HTML.
const MESSAGE_FRAME: &str = "iframe[data-testid='message-html']";

/// The account step's checks of a mailbox over IMAP and SMTP, every one passed.
const MAIL_CHECKS_PASSED: [&str; 5] = [
    "imap-connect:ok",
    "imap-auth:ok",
    "imap-inbox:ok",
    "smtp-connect:ok",
    "smtp-auth:ok",
];

/// The checks listed under `css`, each as `id:status`, read in one go.
async fn step_statuses(h: &Harness, css: &str) -> Result<Vec<String>, Error> {
    let seen = h
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' li.step')]
               .map((s) => `${s.dataset.step}:${s.dataset.status}`);",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(serde_json::from_value(seen)?)
}

/// The account step's result once its heading shows, with its checks as they were at that very
/// moment (one script reads both): a heading that says "Connected" must come with every check
/// it summarises finished.
async fn account_result(h: &Harness) -> Result<(String, Vec<String>), Error> {
    h.eventually("the account result", || async {
        let seen = h
            .client
            .execute(
                "const card = document.querySelector(\"[data-testid='account-result']\");
                 const heading = card && card.querySelector('h3');
                 return heading && [heading.textContent.trim(),
                   ...[...card.querySelectorAll('li.step')]
                     .map((s) => `${s.dataset.step}:${s.dataset.status}`)];",
                vec![],
            )
            .await?;
        let seen: Option<Vec<String>> = serde_json::from_value(seen)?;
        Ok(seen.map(|mut v| (v.remove(0), v)))
    })
    .await
}

/// The keyring's value for `key`, read with `secret-tool` as another program would.
fn keyring(key: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "m365-onboard", "username", key])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every file below `dir` that contains `needle`.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle))
            {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn a_user_and_a_shared_mailbox_are_connected_through_the_real_app() -> Result<(), Error> {
    let mut h = Harness::start("account").await?;
    to_the_account_step(&mut h).await?;

    // alice's own mailbox: the browser (the simulator's player) signs her in; IMAP and SMTP
    // are checked on the sandbox's Dovecot.
    h.click("#sign-in").await?;
    let (heading, steps) = account_result(&h).await?;
    assert_eq!(heading, "✓ Connected alice@contoso.test — user mailbox");
    assert_eq!(steps, MAIL_CHECKS_PASSED);
    h.scroll_to("[data-testid='account-result']").await?;
    h.screenshot("user-mailbox").await?;

    // support@ as alice's delegate.
    h.click("[data-shared]").await?;
    h.type_into("#shared-address", "support@contoso.test")
        .await?;
    h.click("#sign-in").await?;
    let (heading, steps) = account_result(&h).await?;
    assert_eq!(
        heading,
        "✓ Connected support@contoso.test — shared, via alice@contoso.test"
    );
    assert_eq!(steps, MAIL_CHECKS_PASSED);
    h.find("[data-profile='support@contoso.test']").await?;
    h.enabled("#next").await?;
    h.scroll_to("[data-testid='profiles']").await?;
    h.screenshot("shared-mailbox").await?;

    // A kept mailbox is checked again with its stored sign-in.
    h.click("[data-profile='alice@contoso.test'] button")
        .await?;
    h.find("[data-testid='profile-check'] [data-step='imap-inbox'][data-status='ok']")
        .await?;
    h.text_containing("[data-testid='profile-check'] h4", "alice@contoso.test")
        .await?;

    // The refresh tokens are in the real Secret Service, and in no file of the app's.
    for profile in ["alice@contoso.test", "support@contoso.test"] {
        let token = keyring(&format!("profile/{profile}/refresh-token"))
            .unwrap_or_else(|| panic!("no refresh token for {profile} in the keyring"));
        assert!(token.len() > 20);
        assert_eq!(
            files_containing(h.home(), token.trim()),
            Vec::<std::path::PathBuf>::new()
        );
    }
    assert!(
        !files_containing(h.home(), "support@contoso.test").is_empty(),
        "the profiles are on disk"
    );

    // Channel options for support@: a nested folder, and archive mode's live counts.
    h.next().await?;
    h.find("#options-heading").await?;
    h.click("[data-folder$='Tech-Support']").await?;
    let path = h.text("#folder-path").await?;
    assert!(path.ends_with("Inquiries/Tech-Support"), "{path}");
    h.set_value("#archive-before", "2026-11-15").await?;
    let counts = h
        .text_containing("[data-testid='archive-counts']", "on or before 2026-11-15")
        .await?;
    assert!(counts.contains("will be archived"), "{counts}");
    assert!(!h.is_enabled("#next").await?, "a group is still missing");
    h.type_into("#group", "Support").await?;
    h.scroll_to("[data-testid='archive']").await?;
    h.screenshot("channel-options").await?;

    // Verify: the newest message is read at once; the test mail goes out on request.
    h.next().await?;
    h.find("[data-step='fetch'][data-status='ok']").await?;
    let recipient = format!("e2e-{}@example.test", std::process::id());
    h.type_into("#test-recipient", &recipient).await?;
    h.click("#send-test").await?;
    let sent = h.text("[data-step='send'][data-status='ok']").await?;
    assert!(sent.contains(&recipient), "{sent}");
    let arrived = h
        .eventually("the test mail in the sandbox's sink", || async {
            Ok(sandbox_sink_mail(&recipient))
        })
        .await?;
    assert!(arrived.contains("From: support@contoso.test"), "{arrived}");
    h.screenshot("verify").await?;

    // Export for Zammad: the file holds the channel and no secret.
    h.click("[data-format='zammad']").await?;
    h.click("#export-save").await?;
    h.text_containing("[data-testid='exported']", "zammad-channel.json")
        .await?;
    let zammad = h
        .saved_file("zammad-channel.json", "Microsoft365::Account")
        .await?;
    assert!(zammad.contains("support@contoso.test"), "{zammad}");
    assert!(
        !zammad.contains("sandbox~secret-value"),
        "the client secret leaked: {zammad}"
    );
    let refresh = keyring("profile/support@contoso.test/refresh-token").unwrap_or_default();
    assert!(refresh.trim().len() > 20 && !zammad.contains(refresh.trim()));
    h.scroll_to("[data-testid='export']").await?;
    h.screenshot("export").await?;
    h.click("[data-testid='export'] summary").await?;
    h.find("[data-testid='copy-cards']").await?;
    h.scroll_to("[data-testid='copy-cards']").await?;
    h.screenshot("copy-cards").await?;

    let hits = canary()?;
    preview_blocks_remote_content_and_saves_attachments(&mut h, &hits).await?;
    preview_search_finds_the_customers_mail(&mut h).await?;
    hostile_mail_stays_inert(&mut h, &hits).await?;
    export_delete_and_import_back(&mut h).await?;
    health_view_checks_every_profile(&mut h).await?;
    let renewed = renew_the_app_secret(&mut h).await?;

    // After the whole run: no secret (the client secret, and every refresh and access token
    // the sandbox issued) in the app's data, config, logs (its stdout and stderr) or the export
    // made without secrets.
    let mut secrets = vec![SANDBOX_SECRET.to_owned(), renewed];
    for profile in ["alice@contoso.test", "support@contoso.test"] {
        secrets.extend(
            keyring(&format!("profile/{profile}/refresh-token")).map(|t| t.trim().to_owned()),
        );
    }
    assert_eq!(secrets.len(), 4, "both refresh tokens are in the keyring");
    let issued = issued_tokens(&h).await?;
    assert!(
        issued.len() >= 4,
        "the sandbox issued access and refresh tokens: {}",
        issued.len()
    );
    secrets.extend(issued);
    assert!(h.home().join("app-stderr.log").exists());
    for secret in &secrets {
        assert_eq!(
            files_containing(h.home(), secret),
            Vec::<std::path::PathBuf>::new()
        );
    }
    expiry_banner_at_start(&mut h).await?;
    h.finish().await
}

/// The Health view from the profile list: "Check all" checks both mailboxes again (read-only)
/// and keeps the results, which the profile list then shows.
async fn health_view_checks_every_profile(h: &mut Harness) -> Result<(), Error> {
    h.click("nav button[data-step='account']").await?;
    h.click("[data-testid='open-health']").await?;
    h.find("[data-health-profile='alice@contoso.test'] [data-status='NONE']")
        .await?;
    h.click("#health-check-all").await?;
    for profile in ["alice@contoso.test", "support@contoso.test"] {
        h.find(&format!(
            "[data-health-profile='{profile}'] .row [data-status='OK']"
        ))
        .await?;
    }
    let checks = h
        .text("[data-health-profile='support@contoso.test'] .checks")
        .await?;
    for label in ["Access token", "Permissions"] {
        assert!(checks.contains(label), "{checks}");
    }
    h.screenshot("health").await?;
    h.click("[data-testid='health'] .head button:last-child")
        .await?;
    h.find("li[data-profile='alice@contoso.test'] [data-last-status='OK']")
        .await?;
    Ok(())
}

/// "Renew secret…" on alice's row: the administrator's device code, the plan (both profiles of
/// the sandbox app, support@'s two exports), the renewal; the new secret shown once and kept in
/// the keyring, the sealed export written again, both profiles checked with it; the old secret
/// removed only on a second click, and refused by the token endpoint from then on.
async fn renew_the_app_secret(h: &mut Harness) -> Result<String, Error> {
    let sealed = h.saved_dir().join("channel.json");
    let sealed_before = std::fs::read(&sealed)?;
    h.click("[data-testid='open-health']").await?;
    h.click("[data-health-profile='alice@contoso.test'] [data-renew]")
        .await?;
    h.click("#renew-plan").await?;
    approve_device_code(h).await?;
    let plan = h.text("[data-testid='renewal-plan']").await?;
    for part in [
        "used by alice@contoso.test, support@contoso.test",
        "zammad-channel.json: holds no secret",
        "channel.json: write again with the new secret, sealed",
        "The old secret",
    ] {
        assert!(plan.contains(part), "{part}: {plan}");
    }
    h.set_value("#renew-passphrase", PASSPHRASE).await?;
    h.scroll_to("#renew-apply").await?;
    h.screenshot("renewal-plan").await?;
    h.click("#renew-apply").await?;

    let secret = h.text("#new-secret").await?;
    assert!(secret.len() >= 30 && secret != SANDBOX_SECRET, "{secret}");
    let kept = keyring(&format!("app/{SANDBOX_CLIENT_ID}/client-secret")).unwrap_or_default();
    assert_eq!(kept.trim(), secret, "the new secret is the kept one");
    let written = h
        .text("[data-testid='renewed-exports'] li[data-written='true']")
        .await?;
    assert!(written.contains("channel.json"), "{written}");
    assert_ne!(std::fs::read(&sealed)?, sealed_before, "sealed anew");
    // Both profiles checked with it: none critical (support@'s Zammad export, written before the
    // renewal, is a warning until it is exported again).
    assert_eq!(h.find_all("[data-testid='renewed'] .chip").await?.len(), 2);
    assert!(h
        .find_all("[data-testid='renewed'] .chip.bad")
        .await?
        .is_empty());

    // The old secret goes on the second click only.
    h.click("#renew-remove").await?;
    h.scroll_to("#renew-remove-confirm").await?;
    h.screenshot("renewed").await?;
    assert_eq!(token_with_secret(h, SANDBOX_SECRET).await?, 200);
    h.click("#renew-remove-confirm").await?;
    h.text_containing("[data-testid='old-removed']", "Removed the old secret")
        .await?;
    assert_eq!(token_with_secret(h, SANDBOX_SECRET).await?, 401);
    assert_eq!(token_with_secret(h, &secret).await?, 200);
    h.click("[data-testid='health'] .head button:last-child")
        .await?;
    Ok(secret)
}

/// The status of a client credentials token request of the sandbox app with `secret`.
async fn token_with_secret(h: &Harness, secret: &str) -> Result<u16, Error> {
    let info = sandbox_info(h).await?;
    let url = info["tenant"]["token_endpoint"]
        .as_str()
        .ok_or("the sandbox tenant's token endpoint")?
        .to_owned();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", SANDBOX_CLIENT_ID),
        ("client_secret", secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let res = sandbox_client()?.post(url).form(&form).send().await?;
    Ok(res.status().as_u16())
}

/// A secret that the last check (here: edited to 12 days left, as a `doctor` timer could
/// have found it) measured near its end is named in a banner when the app opens.
async fn expiry_banner_at_start(h: &mut Harness) -> Result<(), Error> {
    let file = h
        .home()
        .join("data/net.m365onboard.wizard/last-health.json");
    let mut last: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
    let checks = last["alice@contoso.test"]["checks"]
        .as_array_mut()
        .ok_or("alice's last checks are kept")?;
    let expiry = checks
        .iter_mut()
        .find(|c| c["id"] == "secret-expiry")
        .ok_or("a secret-expiry check")?;
    expiry["values"]["days_left"] = 12.into();
    std::fs::write(&file, serde_json::to_vec(&last)?)?;
    h.restart().await?;
    let banner = h
        .text_containing("[data-testid='expiry-banner']", "alice@contoso.test")
        .await?;
    assert!(banner.contains("(12 days left, "), "{banner}");
    assert!(!banner.contains("support@"), "{banner}");
    h.screenshot("expiry-banner").await?;
    // "Renew…" opens alice's renewal in the Health view.
    h.click("[data-testid='expiry-banner'] button").await?;
    h.find("[data-health-profile='alice@contoso.test'] .row [data-status='OK']")
        .await?;
    h.find("[data-health-profile='alice@contoso.test'] [data-testid='renewal'] #renew-plan")
        .await?;
    Ok(())
}

/// support@'s neutral JSON export with its secrets under a passphrase; the profile deleted; the
/// file imported back in the Account step (the harness's stand-in for the open dialog picks
/// `saved/channel.json`): the passphrase is asked for, a wrong one refused, the right one
/// restores the profile and its sign-in, and its check passes; the channel options then follow
/// the profile picked.
async fn export_delete_and_import_back(h: &mut Harness) -> Result<(), Error> {
    h.click("[data-format='json']").await?;
    h.click("input[name='secrets'][value='encrypt']").await?;
    h.find("#export-passphrase")
        .await?
        .send_keys(PASSPHRASE)
        .await?;
    h.click("#export-save").await?;
    h.text_containing("[data-testid='exported']", "channel.json")
        .await?;
    h.saved_file("channel.json", "-----BEGIN AGE ENCRYPTED FILE-----")
        .await?;
    let refresh = keyring("profile/support@contoso.test/refresh-token").unwrap_or_default();

    h.click("nav button[data-step='account']").await?;
    h.click("li[data-profile='support@contoso.test'] button:last-child")
        .await?;
    // "Delete the profile…?": WebKit's driver may have accepted the confirm itself already.
    let _ = h.client.accept_alert().await;
    h.absent("li[data-profile='support@contoso.test']").await?;
    assert_eq!(
        keyring("profile/support@contoso.test/refresh-token"),
        None,
        "the sign-in went with the profile"
    );

    h.click("[data-testid='import'] summary").await?;
    h.click("#import-choose").await?;
    h.find("[data-testid='import'] [data-code='import.passphrase_needed']")
        .await?;
    h.set_value("#import-passphrase", "wrong passphrase")
        .await?;
    h.click("#import-run").await?;
    h.find("[data-testid='import'] [data-code='import.wrong_passphrase']")
        .await?;
    assert!(h
        .find_all("li[data-profile='support@contoso.test']")
        .await?
        .is_empty());
    h.scroll_to("[data-testid='import']").await?;
    h.screenshot("import-passphrase").await?;
    h.set_value("#import-passphrase", PASSPHRASE).await?;
    h.click("#import-run").await?;
    h.find("[data-testid='imported']").await?;
    h.find("li[data-profile='support@contoso.test'] input:checked")
        .await?;
    assert_eq!(
        keyring("profile/support@contoso.test/refresh-token")
            .unwrap_or_default()
            .trim(),
        refresh.trim(),
        "the sign-in came back from the file"
    );
    h.screenshot("import").await?;
    h.click("li[data-profile='support@contoso.test'] button")
        .await?;
    h.text_containing("[data-testid='profile-check'] h4", "support@contoso.test")
        .await?;
    assert_eq!(
        step_statuses(h, "[data-testid='profile-check']").await?,
        MAIL_CHECKS_PASSED
    );

    // The channel options follow the profile: alice's mailbox starts without a folder (support@'s
    // is not hers), and support@'s kept options come back with it.
    h.click("li[data-profile='alice@contoso.test'] input")
        .await?;
    h.click("nav button[data-step='channel-options']").await?;
    h.find("[data-folder]").await?;
    h.eventually("no folder chosen for alice", || async {
        Ok(h.attr("#next", "disabled").await?.map(|_| ()))
    })
    .await?;
    assert!(h.find_all("#folder-path").await?.is_empty());
    h.click("nav button[data-step='account']").await?;
    h.click("li[data-profile='support@contoso.test'] input")
        .await?;
    h.click("nav button[data-step='channel-options']").await?;
    h.text_containing("#folder-path", "Inquiries/Tech-Support")
        .await?;
    Ok(())
}

/// What the app's running sandbox is (`start_sandbox` answers with the running one).
async fn sandbox_info(h: &Harness) -> Result<serde_json::Value, Error> {
    let info = h
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('start_sandbox').then(done, () => done(null));",
            vec![],
        )
        .await?;
    match info["cloud"]["authority"].is_string() {
        true => Ok(info),
        false => Err(format!("no sandbox: {info}").into()),
    }
}

/// A URL of the app's sandbox simulator: `path` under its authority (`/_sim/…`).
async fn sandbox_url(h: &Harness, path: &str) -> Result<String, Error> {
    let info = sandbox_info(h).await?;
    let authority = info["cloud"]["authority"].as_str().unwrap_or_default();
    Ok(format!("{authority}{path}"))
}

/// The sandbox simulator's request log (`/_sim/log`), and emptying it.
async fn sandbox_log(h: &Harness) -> Result<Vec<serde_json::Value>, Error> {
    let url = sandbox_url(h, "/_sim/log").await?;
    Ok(sandbox_client()?.get(url).send().await?.json().await?)
}

async fn clear_sandbox_log(h: &Harness) -> Result<(), Error> {
    let url = sandbox_url(h, "/_sim/log").await?;
    sandbox_client()?
        .delete(url)
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// The simulator's CA stays in the app (it is not sent to the front end); this is loopback.
fn sandbox_client() -> Result<reqwest::Client, Error> {
    Ok(reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()?)
}

/// Every access and refresh token the app's sandbox tenant issued, as its simulator lists them.
async fn issued_tokens(h: &Harness) -> Result<Vec<String>, Error> {
    let issued: serde_json::Value = sandbox_client()?
        .get(sandbox_url(h, "/_sim/tokens").await?)
        .send()
        .await?
        .json()
        .await?;
    let all = ["access", "refresh"].iter().flat_map(|kind| {
        issued[kind]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_owned))
    });
    Ok(all.collect())
}

/// The sandbox's SMTP sink (`m365-sandbox-*/sent/` in the app's temp dir) holds each relayed
/// mail as a file; the one addressed to `recipient`, if it arrived.
fn sandbox_sink_mail(recipient: &str) -> Option<String> {
    let tmp = std::env::temp_dir();
    std::fs::read_dir(&tmp)
        .ok()?
        .flatten()
        .filter(|d| d.file_name().to_string_lossy().starts_with("m365-sandbox-"))
        .flat_map(|d| {
            std::fs::read_dir(d.path().join("sent"))
                .into_iter()
                .flatten()
                .flatten()
        })
        .filter_map(|f| std::fs::read_to_string(f.path()).ok())
        .find(|mail| mail.contains(recipient))
}

type Hits = std::sync::Arc<std::sync::atomic::AtomicUsize>;

/// A loopback HTTP listener on the port the sandbox's newsletter and hostile mail aim their
/// remote images, scripts, CSS and refreshes at (tests/corpus/); it counts connections.
fn canary() -> Result<Hits, Error> {
    let listener = std::net::TcpListener::bind("127.0.0.1:47613")?;
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    Ok(hits)
}

/// The read-only preview of support@: the newsletter's remote image stays blocked and nothing
/// reaches the canary; its attachment is saved with the right bytes.
async fn preview_blocks_remote_content_and_saves_attachments(
    h: &mut Harness,
    hits: &Hits,
) -> Result<(), Error> {
    h.click("#open-preview").await?;
    h.find("#preview-heading").await?;
    h.click("[data-subject^='November update']").await?;
    h.find("[data-testid='images-blocked']").await?;
    // Inside the sandboxed frame, loaded: the image is there without a source, and no script
    // ran; nothing the frame could have loaded reached the canary.
    let (src, body) = h
        .in_frame(MESSAGE_FRAME, || async {
            Ok((h.attr("img", "src").await?, h.text("body").await?))
        })
        .await?;
    assert_eq!(src, None, "the remote image must have no source");
    assert!(body.contains("attached as a CSV"), "{body}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the canary was reached"
    );
    h.screenshot("preview-html").await?;

    // Allowed, the image is still not fetched: it points at this computer (the canary), and
    // the app fetches remote images from the public internet only; the notice says why.
    h.click("#allow-images").await?;
    h.text_containing("[data-testid='images-not-loaded']", "could not be loaded")
        .await?;
    h.click("[data-testid='images-not-loaded'] summary").await?;
    h.text_containing(
        "[data-testid='images-not-loaded']",
        "127.0.0.1:47613/canary.png",
    )
    .await?;
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the app fetched an image from this computer"
    );
    h.screenshot("preview-images-refused").await?;

    h.click("[data-attachment='november-figures.csv']").await?;
    h.text_containing("[data-testid='saved']", "november-figures.csv")
        .await?;
    h.saved_file("november-figures.csv", "2026-11,377,360")
        .await?;
    h.click("[data-tab='raw']").await?;
    h.text_containing("[data-testid='message-raw']", "boundary=\"outer-7f3a\"")
        .await?;
    h.screenshot("preview-raw").await?;

    // A message's own images (multipart/related, `cid:`) show, inlined: Thunderbird's 16×16 PNG.
    h.click("[data-subject^='30 plaintext']").await?;
    h.text_containing("[data-testid='message-detail']", "embedded image")
        .await?;
    h.click("[data-tab='html']").await?;
    let (src, drawn) = h
        .in_frame(MESSAGE_FRAME, || async {
            let src = h.attr("img", "src").await?.unwrap_or_default();
            let img = h.find("img").await?;
            let drawn = h
                .eventually("the embedded image drawn", || async {
                    let (_, _, width, height) = img.rectangle().await?;
                    Ok((width > 0.0).then_some((width, height)))
                })
                .await?;
            Ok((src, drawn))
        })
        .await?;
    assert!(src.starts_with("data:image/png;base64,"), "{src}");
    assert_eq!(drawn, (16.0, 16.0));
    h.screenshot("preview-inline-image").await?;
    h.click("#close-preview").await?;
    h.find("#verify-heading").await?;
    Ok(())
}

/// Search in support@'s preview over the real Dovecot, as a support agent looks for a customer's
/// mail: words across all folders (each hit's folder named), a sender and a day in the Inbox, a
/// subject with an umlaut (`UID SEARCH CHARSET UTF-8`); the hit opened, saved as .eml, its
/// Message-ID copied, Esc back to the folder; the unread counts unchanged afterwards.
async fn preview_search_finds_the_customers_mail(h: &mut Harness) -> Result<(), Error> {
    h.click("#open-preview").await?;
    let before = folder_counts(h).await?;
    h.find("[data-subject^='November update']").await?;

    h.type_into("#search-text", "Perl").await?;
    h.choose("#search-scope", "all").await?;
    h.click("#search-go").await?;
    let result = h
        .text_containing("[data-testid='search-result']", "found")
        .await?;
    assert_eq!(result, "2 messages found in all folders.");
    assert_eq!(
        h.text("[data-folder-of='INBOX/Inquiries'] .in-folder")
            .await?,
        "in INBOX/Inquiries"
    );
    h.find("[data-folder-of='INBOX'][data-subject^='Re: Limiting Perl']")
        .await?;
    h.screenshot("preview-search").await?;

    // A sender and a day, in the Inbox: one of Doug's two mails is from after the 17th.
    h.click("#clear-search").await?;
    h.click("#search-filters").await?;
    h.type_into("#search-from", "Doug").await?;
    h.set_value("#search-since", "2026-11-17").await?;
    h.click("#search-go").await?;
    h.text_containing("[data-testid='search-result']", "1 message found in INBOX.")
        .await?;
    h.find("[data-subject='Die Hasen und die Frösche']").await?;
    h.screenshot("preview-search-filters").await?;

    // A subject in UTF-8, in all folders; then the hit, opened.
    h.type_into("#search-from", "").await?;
    h.set_value("#search-since", "").await?;
    h.type_into("#search-subject", "Frösche").await?;
    h.choose("#search-scope", "all").await?;
    h.click("#search-go").await?;
    h.text_containing(
        "[data-testid='search-result']",
        "1 message found in all folders.",
    )
    .await?;
    h.click("[data-subject='Die Hasen und die Frösche']")
        .await?;
    let title = h
        .attr("[data-testid='message-date']", "title")
        .await?
        .unwrap_or_default();
    assert!(
        title.contains("Date: Fri, 19 May 2000 10:26:12 -0400"),
        "{title}"
    );
    let received = h
        .attr(
            "[data-subject='Die Hasen und die Frösche'] [data-received]",
            "title",
        )
        .await?
        .unwrap_or_default();
    assert!(received.ends_with("2026-11-19T09:12:00Z"), "{received}");

    h.click("#save-eml").await?;
    h.text_containing("[data-testid='saved-eml']", "Die Hasen und die Frösche.eml")
        .await?;
    let eml = h
        .saved_file(
            "Die Hasen und die Frösche.eml",
            "Message-ID: <Pine.LNX.4.21.0005191024380.8452-200000@penguin.example.com>",
        )
        .await?;
    assert!(
        eml.contains("Subject: =?iso-8859-1?Q?Die_Hasen_und_die_Fr=F6sche?="),
        "the raw MIME, not a re-encoding: {eml}"
    );
    h.click("[data-testid='copy-message-id'] button").await?;
    h.text_containing("[data-testid='copy-message-id']", "Copied")
        .await?;
    h.screenshot("preview-search-message").await?;

    // Esc: from the message to its row in the list, then from the search to the folder.
    h.click("[data-tab='raw']").await?;
    h.press(Key::Escape).await?;
    h.press(Key::Escape).await?;
    h.absent("[data-testid='search-status']").await?;
    h.find("[data-subject^='November update']").await?;

    // Read-only: the folders' unread counts, read afresh, are what they were.
    h.click("#close-preview").await?;
    h.click("#open-preview").await?;
    assert_eq!(folder_counts(h).await?, before);
    h.click("#close-preview").await?;
    h.find("#verify-heading").await?;
    Ok(())
}

/// The preview's unread/total counts of support@'s folders with mail.
async fn folder_counts(h: &Harness) -> Result<Vec<String>, Error> {
    h.find("[data-preview-folder='INBOX/Inquiries']").await?;
    let mut counts = Vec::new();
    for folder in ["INBOX", "INBOX/Inquiries", "Archive"] {
        counts.push(
            h.text(&format!("[data-preview-folder='{folder}'] .count"))
                .await?,
        );
    }
    Ok(counts)
}

/// The Quarantine folder of support@ holds the hostile corpus (tests/corpus/hostile/), opened
/// one message after another in the real preview: no script runs (none leaves its mark on the
/// frame or the app), nothing reaches the canary, and the app answers at once after each, the
/// 6.8 MB message and the DOM bomb included.
async fn hostile_mail_stays_inert(h: &mut Harness, hits: &Hits) -> Result<(), Error> {
    h.click("#open-preview").await?;
    h.click("[data-preview-folder='Quarantine']").await?;
    for subject in [
        "Active content",
        "Nested MIME (60 levels)",
        "Nested MIME (500 levels)",
        "Oversized",
        "DOM bomb",
    ] {
        h.click(&format!("[data-subject^='{subject}']")).await?;
        // In the headers, or in the raw text of a message too deep to parse.
        h.text_containing("[data-testid='message-detail']", subject)
            .await?;
        // The detail is shown: it has an HTML frame now, or none (a message shown as text).
        if !h.find_all(MESSAGE_FRAME).await?.is_empty() {
            let (mark, scripts) = h
                .in_frame(MESSAGE_FRAME, || async {
                    let mark = h.attr("html", "data-pwned").await?;
                    let active = h.find_all("script, iframe, form, object, embed").await?;
                    Ok((mark, active.len()))
                })
                .await?;
            assert_eq!(mark, None, "{subject}: a script ran in the frame");
            assert_eq!(scripts, 0, "{subject}: active elements reached the frame");
        }
        // The app is not frozen: it answers a script at once, and no script touched it.
        let started = std::time::Instant::now();
        let mark = h
            .client
            .execute(
                "return document.title + ' ' + document.documentElement.getAttribute('data-pwned')",
                vec![],
            )
            .await?;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "{subject}: the app froze"
        );
        assert!(!mark.to_string().contains("PWNED"), "{subject}: {mark}");
        if subject == "Active content" {
            h.screenshot("preview-hostile").await?;
        }
        assert_eq!(
            hits.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "{subject}: the canary was reached"
        );
    }
    h.click("#close-preview").await?;
    h.find("#verify-heading").await?;
    Ok(())
}

/// The whole sandbox wizard with the keyboard only: Tab to each control, Enter or Space on it,
/// keys into the fields. Nothing is clicked.
#[tokio::test]
async fn the_sandbox_wizard_is_completed_with_the_keyboard_only() -> Result<(), Error> {
    let mut h = Harness::start("keyboard").await?;
    h.activate("#sandbox-start").await?;
    h.find("#callback-url").await?;
    h.activate("#next").await?;

    // App registration: the sandbox's app, with the secret typed in.
    h.tab_to("#client-secret").await?;
    h.type_keys(SANDBOX_SECRET).await?;
    h.activate("#check-app").await?;
    h.find("[data-step='app'][data-status='ok']").await?;
    h.activate("#next").await?;

    // Admin consent, then alice's own mailbox.
    h.activate("#grant-consent").await?;
    h.find("[data-testid='consent-granted']").await?;
    h.activate("#next").await?;
    h.activate("#sign-in").await?;
    let (heading, steps) = account_result(&h).await?;
    assert_eq!(heading, "✓ Connected alice@contoso.test — user mailbox");
    assert_eq!(
        steps,
        ["graph-mailbox:ok"],
        "the Graph channel is checked over Graph"
    );
    h.activate("#next").await?;

    // Channel options: the first folder, by Space; a group typed in.
    h.tab_to("input[name='folder']").await?;
    h.press(Key::Space).await?;
    h.find("#folder-path").await?;
    h.tab_to("#group").await?;
    h.type_keys("Users").await?;
    h.activate("#next").await?;

    // Verify and export.
    h.find("[data-step='fetch'][data-status='ok']").await?;
    h.activate("#send-test").await?;
    h.find("[data-step='send'][data-status='ok']").await?;
    // A radio group takes one Tab stop, at its checked radio; arrows move the choice.
    h.tab_to("input[name='format']:checked").await?;
    h.eventually("the neutral JSON format chosen by arrow keys", || async {
        if !h.find_all("[data-format='json']:checked").await?.is_empty() {
            return Ok(Some(()));
        }
        h.press(Key::Down).await?;
        Ok(None)
    })
    .await?;
    h.activate("#export-save").await?;
    h.text_containing("[data-testid='exported']", "channel.json")
        .await?;
    h.saved_file("channel.json", "\"format\"").await?;

    // The preview: down the list to the third message, Enter opens it; `/` searches over
    // Graph's $search, Esc goes back to the folder. Every Graph request was a GET (or a $batch
    // of GETs).
    clear_sandbox_log(&h).await?;
    h.activate("#open-preview").await?;
    h.find("#preview-heading").await?;
    h.tab_to("[data-testid='message-list'] button").await?;
    let listed = h.find_all("[data-testid='message-list'] li").await?.len();
    // Newest first: the test mail just sent, 64423, then the dingus fish.
    h.press(Key::Down).await?;
    h.press(Key::Down).await?;
    h.press(Key::Enter).await?;
    h.text_containing("[data-testid='message-detail']", "Here is your dingus fish")
        .await?;
    h.screenshot("keyboard-preview").await?;
    h.tab_to("#save-eml").await?;
    h.press(Key::Escape).await?;
    assert!(
        h.is_focused("[data-subject='Here is your dingus fish']")
            .await?,
        "Esc in the message goes back to its row"
    );
    h.type_keys("/dingus").await?;
    h.press(Key::Enter).await?;
    h.text_containing("[data-testid='search-result']", "1 message found in Inbox.")
        .await?;
    h.find("[data-subject='Here is your dingus fish']").await?;
    h.press(Key::Escape).await?;
    h.absent("[data-testid='search-status']").await?;
    assert_eq!(
        h.find_all("[data-testid='message-list'] li").await?.len(),
        listed
    );
    let log = sandbox_log(&h).await?;
    let graph: Vec<&serde_json::Value> = log
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/graph")))
        .collect();
    assert!(
        graph
            .iter()
            .any(|e| e["query"].as_str().unwrap_or_default().contains("search")),
        "{log:?}"
    );
    // The folder tree comes in $batches, whose requests the simulator logs one by one.
    assert!(
        graph
            .iter()
            .all(|e| e["method"] == "GET" || e["path"] == "/graph/v1.0/$batch"),
        "{log:?}"
    );

    // The layout outlives the app: the message pane hidden stays hidden after a restart.
    h.activate("#toggle-detail").await?;
    h.absent("#message-pane").await?;
    h.restart().await?;
    h.activate("#open-preview").await?;
    h.text_containing("#toggle-detail", "Show the message pane")
        .await?;
    h.absent("#message-pane").await?;
    h.activate("#close-preview").await?;
    h.find("#verify-heading").await?;
    h.finish().await
}
