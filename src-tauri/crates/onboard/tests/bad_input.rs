//! The bad-input tables, one per wizard step: each malformed value, given to the function the
//! step's Tauri command calls, is refused with the field's name, a stable code and a fix that
//! says what to do. All offline. (The app fields' and host names' own tables are unit tests in
//! `app_input.rs` and `host_name.rs`.)
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use onboard::catalog::Diagnosis;

/// The refusal of a row's input; a row that is accepted fails the test at its own line.
#[track_caller]
fn refused<T: std::fmt::Debug>(r: Result<T, Diagnosis>) -> Diagnosis {
    match r {
        Ok(v) => panic!("accepted: {v:?}"),
        Err(d) => d,
    }
}

/// Every row names its field, has its code, and a fix that is a sentence of its own.
fn check_table(step: &str, rows: Vec<(Diagnosis, &str, &str)>, at_least: usize) {
    assert!(
        rows.len() >= at_least,
        "{step}: {} rows, expected at least {at_least}",
        rows.len()
    );
    for (i, (d, field, code)) in rows.iter().enumerate() {
        let row = format!("{step} row {}: {d:?}", i + 1);
        assert_eq!(
            (d.field.as_deref(), d.code.as_str()),
            (Some(*field), *code),
            "{row}"
        );
        assert!(d.fix.len() > 20 && d.fix.ends_with('.'), "{row}");
        assert_ne!(d.fix, d.detail, "{row}");
    }
}

/// Step 1: the helpdesk's host name and, for a custom server, the callback template.
mod server {
    use super::*;
    use onboard::server::{check_server, ServerCheckInput, ServerKind};

    fn check(kind: ServerKind, fqdn: &str, template: Option<&str>) -> Diagnosis {
        refused(check_server(&ServerCheckInput {
            kind,
            fqdn: fqdn.to_owned(),
            callback_template: template.map(str::to_owned),
        }))
    }

    fn zammad(fqdn: &str) -> Diagnosis {
        check(ServerKind::ZammadGraph, fqdn, None)
    }

    fn custom(template: Option<&str>) -> Diagnosis {
        check(ServerKind::Custom, "desk.example.com", template)
    }

    #[test]
    fn bad_server_input_names_the_field_and_the_fix() {
        let long_label = "a".repeat(64);
        let long_path = format!("desk.example.com/{}", "p".repeat(240));
        let rows = vec![
            (zammad(""), "FQDN", "fqdn.empty"),
            (zammad("https://"), "FQDN", "fqdn.empty"),
            (zammad("helpdesk .example.com"), "FQDN", "fqdn.whitespace"),
            (zammad("ssh://desk.example.com"), "FQDN", "fqdn.scheme"),
            (zammad("mailto:support@example.com"), "FQDN", "fqdn.email"),
            (zammad("desk.example.com:99999"), "FQDN", "fqdn.port"),
            (zammad("desk.example.com:-1"), "FQDN", "fqdn.port"),
            (zammad("10.0.0.5:8443"), "FQDN", "fqdn.ip_literal"),
            (zammad("[::1]"), "FQDN", "fqdn.ip_literal"),
            (zammad("desk.example.c_m"), "FQDN", "fqdn.underscore"),
            (zammad("desk.exa%mple.com"), "FQDN", "fqdn.characters"),
            (zammad("desk..example.com"), "FQDN", "fqdn.empty_label"),
            (zammad("desk.example.com-"), "FQDN", "fqdn.hyphen"),
            (zammad("zammad"), "FQDN", "fqdn.single_label"),
            (zammad("10.0.0.300"), "FQDN", "fqdn.numeric_tld"),
            (
                zammad(&format!("{long_label}.example.com")),
                "FQDN",
                "fqdn.label_too_long",
            ),
            (
                check(ServerKind::Freescout, &long_path, None),
                "FQDN",
                "callback.too_long",
            ),
            (custom(None), "Callback template", "template.missing"),
            (
                custom(Some("https://{FQDN}/cb")),
                "Callback template",
                "template.prefix",
            ),
            (
                custom(Some("{fqdn}/cb")),
                "Callback template",
                "template.prefix",
            ),
            (
                custom(Some("https://{fqdn}cb")),
                "Callback template",
                "template.prefix",
            ),
            (
                custom(Some("https://{fqdn}/cb?back={fqdn}")),
                "Callback template",
                "template.placeholder",
            ),
            (
                custom(Some("https://{fqdn}/c\tb")),
                "Callback template",
                "template.characters",
            ),
            // The template is checked even when the host is fine but the server kind is custom.
            (
                check(ServerKind::Custom, "desk.example.com", Some("")),
                "Callback template",
                "template.missing",
            ),
        ];
        check_table("server", rows, 24);
    }
}

/// Step 2: "create it for me": the admin's sign-in and the app registration to create. (The
/// tenant, client ID and secret fields have their table in `app_input.rs`.)
mod app {
    use super::*;
    use onboard::{
        app_registration::{admin_sign_in_app, DesiredApp},
        identity::ChannelKind,
        server::ServerKind,
    };

    const CALLBACK: &str =
        "https://desk.example.com/api/v1/external_credentials/microsoft365/callback";

    fn desired(name: &str, callback: &str) -> Diagnosis {
        refused(DesiredApp::new(
            name,
            callback,
            ServerKind::ZammadImap,
            ChannelKind::ImapDelegated,
        ))
    }

    fn changed(edit: impl FnOnce(&mut DesiredApp)) -> Diagnosis {
        let mut d = DesiredApp::new(
            "Helpdesk",
            CALLBACK,
            ServerKind::ZammadImap,
            ChannelKind::ImapDelegated,
        )
        .unwrap();
        edit(&mut d);
        refused(d.validate())
    }

    fn admin(tenant: &str, client: Option<&str>) -> Diagnosis {
        refused(admin_sign_in_app(tenant, client))
    }

    #[test]
    fn bad_app_registration_input_names_the_field_and_the_fix() {
        let rows = vec![
            (admin("", None), "Tenant", "tenant.empty"),
            (admin("consumers", None), "Tenant", "tenant.personal"),
            (admin("admin@contoso.com", None), "Tenant", "tenant.email"),
            (admin("contoso", None), "Tenant", "tenant.invalid"),
            (
                admin("contoso.com", Some("azure-cli")),
                "Sign-in app",
                "register.admin_client_id",
            ),
            (
                admin("contoso.com", Some("04b07795-8ddb-461a-bbee")),
                "Sign-in app",
                "register.admin_client_id",
            ),
            (desired("", CALLBACK), "App name", "register.name.empty"),
            (desired("  ", CALLBACK), "App name", "register.name.empty"),
            (
                desired(&"n".repeat(121), CALLBACK),
                "App name",
                "register.name.long",
            ),
            (desired("Helpdesk", ""), "Callback URL", "register.callback"),
            (
                desired("Helpdesk", "desk.example.com/callback"),
                "Callback URL",
                "register.callback",
            ),
            (
                desired("Helpdesk", "http://desk.example.com/callback"),
                "Callback URL",
                "register.callback",
            ),
            (
                desired("Helpdesk", "https://desk.example.com/callback#top"),
                "Callback URL",
                "register.callback",
            ),
            (
                desired(
                    "Helpdesk",
                    &format!("https://desk.example.com/{}", "c".repeat(250)),
                ),
                "Callback URL",
                "register.callback",
            ),
            (
                changed(|d| d.secret_months = 0),
                "Secret lifetime",
                "register.secret_months",
            ),
            (
                changed(|d| d.secret_months = 36),
                "Secret lifetime",
                "register.secret_months",
            ),
            (
                changed(|d| d.existing_client_id = Some("Helpdesk".into())),
                "Client ID",
                "register.client_id",
            ),
        ];
        check_table("app", rows, 17);
    }
}

/// Step 3: the consent link for an administrator on another machine.
mod consent {
    use super::*;
    use onboard::{
        app_registration::{consent_link, AppInput},
        cloud::{Cloud, CloudPreset},
    };

    const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
    const CALLBACK: &str = "https://desk.example.com/mailbox/oauth";

    fn link(tenant: &str, client_id: &str, redirect_uri: &str) -> Diagnosis {
        let app = AppInput {
            client_id: client_id.into(),
            tenant: tenant.into(),
            client_secret: None,
        };
        refused(consent_link(
            &Cloud::preset(CloudPreset::Global),
            &app,
            redirect_uri,
            "state",
        ))
    }

    fn redirect(uri: &str) -> Diagnosis {
        link("contoso.com", APP, uri)
    }

    #[test]
    fn bad_consent_input_names_the_field_and_the_fix() {
        let rows = vec![
            (link("", APP, CALLBACK), "Tenant", "tenant.empty"),
            (link("common", APP, CALLBACK), "Tenant", "tenant.personal"),
            (
                link(
                    "https://login.microsoftonline.com/contoso.com",
                    APP,
                    CALLBACK,
                ),
                "Tenant",
                "tenant.url",
            ),
            (
                link("contoso.com", "", CALLBACK),
                "Client ID",
                "client_id.empty",
            ),
            (
                link("contoso.com", &format!("api://{APP}"), CALLBACK),
                "Client ID",
                "client_id.app_id_uri",
            ),
            (redirect(""), "Redirect URI", "consent.redirect_uri"),
            (redirect("  "), "Redirect URI", "consent.redirect_uri"),
            (redirect("x"), "Redirect URI", "consent.redirect_uri"),
            (
                redirect("desk.example.com/mailbox/oauth"),
                "Redirect URI",
                "consent.redirect_uri",
            ),
            (
                redirect("http://desk.example.com/mailbox/oauth"),
                "Redirect URI",
                "consent.redirect_uri",
            ),
            (
                redirect("ftp://desk.example.com/mailbox/oauth"),
                "Redirect URI",
                "consent.redirect_uri",
            ),
            (
                redirect("javascript:alert(1)"),
                "Redirect URI",
                "consent.redirect_uri",
            ),
            (
                redirect("https://desk.example.com/mailbox/oauth#done"),
                "Redirect URI",
                "consent.redirect_uri",
            ),
            (
                redirect(&format!("{CALLBACK}/{}", "x".repeat(250))),
                "Redirect URI",
                "consent.redirect_uri",
            ),
        ];
        check_table("consent", rows, 14);
    }
}

/// Step 4: which mailbox, who signs in, and the profile signed in again; checked before the
/// sign-in, against the profiles kept so far (here one, imported from the fixture).
mod account {
    use super::*;
    use onboard::profile::reauth::check_sign_in;
    use onboard::{
        export::import_file,
        platform::MemoryStore,
        profile::{MailboxChoice, ProfileStore},
    };
    use std::path::Path;

    const FIXTURE: &str = "tests/fixtures/channel-config-v1.json";
    /// The mailbox (and profile name) of the fixture.
    const KEPT: &str = "support@contoso.test";

    fn shared(address: &str) -> MailboxChoice {
        MailboxChoice::Shared {
            address: address.into(),
        }
    }

    #[test]
    fn bad_account_input_names_the_field_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let profiles = ProfileStore::new(dir.path().to_owned());
        import_file(Path::new(FIXTURE), None, &profiles, &MemoryStore::default()).unwrap();
        let check = |choice: MailboxChoice, hint: Option<&str>, reauth: Option<&str>| {
            refused(check_sign_in(&profiles, &choice, hint, reauth))
        };
        let mailbox = |address: &str| check(shared(address), None, None);
        let hint = |h: &str| check(MailboxChoice::User, Some(h), None);
        let rows = vec![
            (mailbox(""), "Mailbox", "profile.address"),
            (mailbox("   "), "Mailbox", "profile.address"),
            (mailbox("support"), "Mailbox", "profile.address"),
            (mailbox("support@"), "Mailbox", "profile.address"),
            (mailbox("@contoso.test"), "Mailbox", "profile.address"),
            (
                mailbox("sup port@contoso.test"),
                "Mailbox",
                "profile.address",
            ),
            (
                mailbox("Support <support@contoso.test>"),
                "Mailbox",
                "profile.address",
            ),
            (
                mailbox("support@contoso.test; sales@contoso.test"),
                "Mailbox",
                "profile.address",
            ),
            (
                mailbox("support@contoso.test\nBcc: x@evil.test"),
                "Mailbox",
                "profile.address",
            ),
            (mailbox(KEPT), "Mailbox", "profile.duplicate"),
            (
                mailbox(" Support@Contoso.test "),
                "Mailbox",
                "profile.duplicate",
            ),
            (hint("alice"), "Sign in as", "account.login_hint"),
            (
                hint("alice smith@contoso.test"),
                "Sign in as",
                "account.login_hint",
            ),
            (
                hint("Alice <alice@contoso.test>"),
                "Sign in as",
                "account.login_hint",
            ),
            (
                check(MailboxChoice::User, None, Some("nobody@contoso.test")),
                "Profile",
                "profile.not_found",
            ),
            (
                check(shared("sales@contoso.test"), None, Some("")),
                "Profile name",
                "profile.name",
            ),
        ];
        check_table("account", rows, 16);
        // The kept profile may be signed in to again, and an empty hint is no hint.
        check_sign_in(&profiles, &shared(KEPT), Some(" "), Some(KEPT)).unwrap();
    }
}

/// Step 5: the channel options (archive day and state, and the server they go with), the
/// archive counts' cut-off, and the helpdesk's group list.
mod options {
    use super::*;
    use onboard::{
        platform::Secret,
        profile::{end_of_day, ChannelSetup, OptionsDraft, ServerDraft},
        server::{zammad_groups, ServerKind},
    };

    fn server() -> ServerDraft {
        ServerDraft {
            kind: ServerKind::ZammadGraph,
            fqdn: "desk.example.com".into(),
            ..Default::default()
        }
    }

    fn archive(before: &str, state: &str) -> Diagnosis {
        let options = OptionsDraft {
            archive: true,
            archive_before: before.into(),
            archive_state: state.into(),
            ..Default::default()
        };
        refused(ChannelSetup::from_drafts(&server(), &options))
    }

    fn with_server(server: ServerDraft) -> Diagnosis {
        let options = OptionsDraft {
            archive: false,
            ..Default::default()
        };
        refused(ChannelSetup::from_drafts(&server, &options))
    }

    async fn groups(url: &str, token: &str) -> Diagnosis {
        refused(zammad_groups(url, &Secret::new(token), None).await)
    }

    #[tokio::test]
    async fn bad_channel_options_name_the_field_and_the_fix() {
        let rows = vec![
            (
                archive("", "closed"),
                "Archive before",
                "channel.archive_before",
            ),
            (
                archive("15.11.2026", "closed"),
                "Archive before",
                "channel.archive_before",
            ),
            (
                archive("2026/11/15", "closed"),
                "Archive before",
                "channel.archive_before",
            ),
            (
                archive("2026-13-01", "closed"),
                "Archive before",
                "channel.archive_before",
            ),
            (
                archive("2026-02-30", "closed"),
                "Archive before",
                "channel.archive_before",
            ),
            (
                archive("yesterday", "closed"),
                "Archive before",
                "channel.archive_before",
            ),
            (
                archive("2026-11-15T18:00:00Z", "closed"),
                "Archive before",
                "channel.archive_before",
            ),
            (
                archive("2026-11-15", ""),
                "Archived tickets' state",
                "channel.empty",
            ),
            (
                archive("2026-11-15", " \t"),
                "Archived tickets' state",
                "channel.empty",
            ),
            (
                with_server(ServerDraft {
                    fqdn: "help desk".into(),
                    ..server()
                }),
                "FQDN",
                "fqdn.whitespace",
            ),
            (
                with_server(ServerDraft {
                    kind: ServerKind::Custom,
                    callback_template: "https://{fqdn}/a#b".into(),
                    ..server()
                }),
                "Callback template",
                "template.characters",
            ),
            (
                refused(end_of_day("11/15/2026")),
                "Archive before",
                "channel.archive_before",
            ),
            (groups("", "t0ken").await, "Helpdesk URL", "zammad.url"),
            (
                groups("http://desk.example.com", "t0ken").await,
                "Helpdesk URL",
                "zammad.url",
            ),
            (
                groups("ftp://desk.example.com", "t0ken").await,
                "Helpdesk URL",
                "zammad.url",
            ),
            (
                groups("https://desk exa mple", "t0ken").await,
                "Helpdesk URL",
                "zammad.url",
            ),
            (
                groups("desk.example.com", "").await,
                "Zammad API token",
                "zammad.token_missing",
            ),
            (
                groups("desk.example.com", "abc\ndef").await,
                "Zammad API token",
                "zammad.token_missing",
            ),
        ];
        check_table("options", rows, 18);
    }
}

/// Step 6: the send test's recipient, the export's passphrase and file, and the file imported.
mod verify_export {
    use super::*;
    use onboard::{
        export::{
            check_passphrase, parse_channel_config, read_channel_config, write_export, Export,
            ExportFormat, SecretsIncluded,
        },
        mailbox::TestMail,
        platform::Secret,
    };
    use std::path::Path;

    const SOURCE: &str = "channel.json";

    fn recipient(to: &str) -> Diagnosis {
        refused(TestMail::new(
            "support@contoso.test",
            Some(to),
            chrono::Utc::now(),
        ))
    }

    fn passphrase(p: &str) -> Diagnosis {
        refused(check_passphrase(&Secret::new(p)))
    }

    fn write_to(out: &Path) -> Diagnosis {
        let export = Export {
            format: ExportFormat::Json,
            content: "{}".into(),
            readme: None,
            secrets: SecretsIncluded::None,
        };
        refused(write_export(out, &export))
    }

    fn import(text: &str) -> Diagnosis {
        refused(parse_channel_config(text, SOURCE))
    }

    #[test]
    fn bad_verify_and_export_input_names_the_field_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let fixture = std::fs::read_to_string("tests/fixtures/channel-config-v1.json").unwrap();
        let edited = |edit: fn(&mut serde_json::Value)| {
            let mut v: serde_json::Value = serde_json::from_str(&fixture).unwrap();
            edit(&mut v);
            import(&v.to_string())
        };
        // An import's field is the file it was given.
        let missing = dir.path().join("nothing.json");
        let missing_name = missing.display().to_string();
        let rows = vec![
            (recipient("bob"), "Test recipient", "send.bad_recipient"),
            (recipient("bob@"), "Test recipient", "send.bad_recipient"),
            (
                recipient("Bob <bob@contoso.test>"),
                "Test recipient",
                "send.bad_recipient",
            ),
            (
                recipient("bob@contoso.test, eve@contoso.test"),
                "Test recipient",
                "send.bad_recipient",
            ),
            (
                recipient("bob@contoso.test\r\nBcc: eve@contoso.test"),
                "Test recipient",
                "send.bad_recipient",
            ),
            (passphrase(""), "Passphrase", "export.passphrase_short"),
            (
                passphrase("1234567"),
                "Passphrase",
                "export.passphrase_short",
            ),
            (
                passphrase("äöü✓✓✓"),
                "Passphrase",
                "export.passphrase_short",
            ),
            (write_to(dir.path()), "Export file", "export.out_is_dir"),
            (
                write_to(&dir.path().join("missing/channel.json")),
                "Export file",
                "export.write",
            ),
            (
                refused(read_channel_config(&missing)),
                missing_name.as_str(),
                "import.unreadable",
            ),
            (import("not json"), SOURCE, "import.wrong_kind"),
            (
                import("-----BEGIN AGE ENCRYPTED FILE-----\n"),
                SOURCE,
                "import.wrong_kind",
            ),
            (
                import(r#"{"format": "m365-onboard/zammad-channel"}"#),
                SOURCE,
                "import.wrong_kind",
            ),
            (
                import(r#"{"format": "other"}"#),
                SOURCE,
                "import.wrong_kind",
            ),
            (import("{}"), SOURCE, "import.wrong_kind"),
            (
                edited(|v| v["version"] = 99.into()),
                SOURCE,
                "import.newer_version",
            ),
            (
                edited(|v| v["version"] = 0.into()),
                SOURCE,
                "import.damaged",
            ),
            (
                edited(|v| v["client_id"] = serde_json::Value::Null),
                SOURCE,
                "import.damaged",
            ),
        ];
        check_table("verify and export", rows, 19);
    }
}
