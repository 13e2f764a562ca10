//! The bad-input tables, one per subcommand: each malformed argument ends the command with exit
//! code 2 (usage, clap's message) or 1 (the core's diagnosis), and the output names the flag or
//! field and says how to fix it. Nothing here reaches a network: Microsoft's URLs point at a
//! closed loopback port, so an input that slipped through fails its row instead of going out.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use std::path::{Path, PathBuf};
use tempfile::TempDir;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
/// The profile the fixture imports (its mailbox address).
const KEPT: &str = "support@contoso.test";
/// Set in every run: a variable that holds something, for the `--…-env` flags.
const TOKEN_VAR: &str = "BAD_INPUT_TOKEN";
const SHORT_VAR: &str = "BAD_INPUT_SHORT";
const SECRET_ID_VAR: &str = "BAD_INPUT_SECRET_ID";
/// Never set.
const UNSET_VAR: &str = "BAD_INPUT_UNSET";

/// One row: the arguments, the exit code, what names the flag or field, and a piece of the fix.
type Row<'a> = (Vec<&'a str>, i32, &'a str, &'a str);

fn run(data: &Path, args: &[&str]) -> (i32, String) {
    let mut cmd = support::offline(data);
    if !args.contains(&"--authority-url") {
        cmd.args(["--authority-url", "http://127.0.0.1:9"]);
    }
    let out = cmd
        .args(["--graph-url", "http://127.0.0.1:9"])
        .args(args)
        .env(TOKEN_VAR, "not-a-real-token")
        .env(SHORT_VAR, "short")
        .env(SECRET_ID_VAR, "8e2b5f8a-1c9d-4e3f-a2b1-c0d9e8f7a6b5")
        .env_remove(UNSET_VAR)
        .output()
        .expect("run m365-onboard");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().expect("an exit code"), text)
}

fn check_table(data: &Path, rows: &[Row], at_least: usize) {
    assert!(rows.len() >= at_least, "{} rows", rows.len());
    for (args, exit, names, fix) in rows {
        let (code, text) = run(data, args);
        assert_eq!(code, *exit, "{args:?}: {text}");
        assert!(
            text.contains(names),
            "{args:?} does not name {names}: {text}"
        );
        assert!(text.contains(fix), "{args:?} has no fix “{fix}”: {text}");
        if *exit == 1 {
            assert!(text.contains("Fix: "), "{args:?}: {text}");
        }
    }
}

/// An empty profiles folder.
fn empty() -> TempDir {
    tempfile::tempdir().unwrap()
}

/// A profiles folder with [`KEPT`], imported from the core's fixture.
fn kept() -> TempDir {
    let dir = empty();
    let (code, text) = run(dir.path(), &["import", &fixture().display().to_string()]);
    assert_eq!(code, 0, "{text}");
    dir
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../onboard/tests/fixtures/channel-config-v1.json")
}

#[test]
fn check_server() {
    let rows: Vec<Row> = vec![
        (vec!["check-server"], 2, "<FQDN>", "Usage:"),
        (
            vec!["check-server", "x.example.com", "--server", "jira"],
            2,
            "--server",
            "possible values",
        ),
        (
            vec!["check-server", "x.example.com", "--timeout=soon"],
            2,
            "--timeout",
            "invalid float",
        ),
        (
            vec!["check-server", "help desk.example.com", "--offline"],
            1,
            "FQDN",
            "Remove the spaces",
        ),
        (
            vec!["check-server", "192.0.2.10", "--offline"],
            1,
            "FQDN",
            "Use the DNS name",
        ),
        (
            vec![
                "check-server",
                "x.example.com",
                "--server",
                "custom",
                "--offline",
            ],
            1,
            "Callback template",
            "https://{fqdn}/path",
        ),
        (
            vec![
                "check-server",
                "x.example.com",
                "--server",
                "custom",
                "--callback-template",
                "http://{fqdn}/cb",
                "--offline",
            ],
            1,
            "Callback template",
            "https://{fqdn}/path",
        ),
        (
            vec!["check-server", "x.example.com", "--timeout", "0"],
            1,
            "--timeout",
            "positive number of seconds",
        ),
        (
            vec![
                "check-server",
                "x.example.com",
                "--ca-file",
                "/nonexistent/ca.pem",
            ],
            1,
            "--ca-file",
            "PEM file",
        ),
    ];
    check_table(empty().path(), &rows, 9);
}

#[test]
fn check_app() {
    let app = |extra: &[&'static str]| {
        let mut a = vec!["check-app", "--tenant", "contoso.com", "--client-id", APP];
        a.extend_from_slice(extra);
        a
    };
    let global = |flags: &[&'static str]| {
        let mut a = flags.to_vec();
        a.extend(app(&[]));
        a
    };
    let rows: Vec<Row> = vec![
        (vec!["check-app"], 2, "--tenant", "Usage:"),
        (
            vec!["check-app", "--tenant", "contoso.com"],
            2,
            "--client-id",
            "Usage:",
        ),
        (
            vec!["check-app", "--tenant", "common", "--client-id", APP],
            1,
            "Tenant",
            "work or school",
        ),
        (
            vec![
                "check-app",
                "--tenant",
                "contoso.com",
                "--client-id",
                "helpdesk",
            ],
            1,
            "Client ID",
            "Application (client) ID",
        ),
        (
            app(&["--client-secret-env", UNSET_VAR]),
            1,
            "--client-secret-env",
            "export BAD_INPUT_UNSET",
        ),
        (
            app(&["--client-secret-env", SECRET_ID_VAR]),
            1,
            "Client secret",
            "“Value” column",
        ),
        (
            app(&["--channel", "pop3"]),
            2,
            "--channel",
            "possible values",
        ),
        (
            global(&["--cloud", "germany"]),
            2,
            "--cloud",
            "possible values",
        ),
        (global(&["--tls", "ssl3"]), 1, "--tls", "Give implicit"),
        (
            global(&["--smtp-tls", "ssl3"]),
            1,
            "--smtp-tls",
            "Give implicit",
        ),
        (
            global(&["--imap", "outlook.office365.com"]),
            1,
            "IMAP server",
            "host and port",
        ),
        (
            global(&["--smtp", "mail.example.com"]),
            1,
            "SMTP server",
            "host and port",
        ),
        (
            global(&["--authority-url", "http://login.example.com"]),
            1,
            "Authority URL",
            "Give an https:// URL",
        ),
    ];
    check_table(empty().path(), &rows, 12);
}

#[test]
fn consent_url() {
    let consent = |tenant: &'static str, client: &'static str, redirect: &'static str| {
        vec![
            "consent-url",
            "--tenant",
            tenant,
            "--client-id",
            client,
            "--redirect-uri",
            redirect,
        ]
    };
    let ok = "https://desk.example.com/mailbox/oauth";
    let rows: Vec<Row> = vec![
        (
            vec!["consent-url", "--tenant", "contoso.com", "--client-id", APP],
            2,
            "--redirect-uri",
            "Usage:",
        ),
        (
            consent("contoso.com", APP, "x"),
            1,
            "Redirect URI",
            "callback URL",
        ),
        (
            consent("contoso.com", APP, "http://desk.example.com/cb"),
            1,
            "Redirect URI",
            "plain http only for localhost",
        ),
        (
            consent("contoso.com", APP, "https://desk.example.com/cb#done"),
            1,
            "Redirect URI",
            "callback URL",
        ),
        (
            consent("contoso.com", APP, ""),
            1,
            "Redirect URI",
            "callback URL",
        ),
        (
            consent("alice@contoso.com", APP, ok),
            1,
            "Tenant",
            "Enter “contoso.com”",
        ),
        (
            consent("contoso.com", "api://helpdesk", ok),
            1,
            "Client ID",
            "Application (client) ID",
        ),
    ];
    check_table(empty().path(), &rows, 7);
}

#[test]
fn register_app() {
    let register = |extra: &[&'static str]| {
        let mut a = vec!["register-app", "--tenant", "contoso.com"];
        a.extend_from_slice(extra);
        a
    };
    let fqdn = |extra: &[&'static str]| {
        let mut a = register(&["--fqdn", "desk.example.com"]);
        a.extend_from_slice(extra);
        a
    };
    let rows: Vec<Row> = vec![
        (register(&[]), 2, "--callback-url", "Usage:"),
        (
            fqdn(&["--callback-url", "https://desk.example.com/cb"]),
            2,
            "--callback-url",
            "cannot be used with",
        ),
        (
            register(&["--fqdn", "help_desk.example.com"]),
            1,
            "FQDN",
            "Use a hyphen",
        ),
        (
            register(&["--callback-url", "http://desk.example.com/cb"]),
            1,
            "Callback URL",
            "plain http only for localhost",
        ),
        (fqdn(&["--name", " "]), 1, "App name", "Type a name"),
        (
            fqdn(&["--secret-months", "30"]),
            1,
            "Secret lifetime",
            "between 1 and 24 months",
        ),
        (
            fqdn(&["--secret-months", "two"]),
            2,
            "--secret-months",
            "invalid digit",
        ),
        (
            fqdn(&["--client-id", "Helpdesk"]),
            1,
            "Client ID",
            "Application (client) ID",
        ),
        (
            vec![
                "register-app",
                "--tenant",
                "consumers",
                "--fqdn",
                "desk.example.com",
            ],
            1,
            "Tenant",
            "work or school",
        ),
        (
            fqdn(&["--admin-client-id", "azure-cli"]),
            1,
            "Sign-in app",
            "Leave it empty for Microsoft's Azure CLI",
        ),
    ];
    check_table(empty().path(), &rows, 10);
}

#[test]
fn diagnose() {
    let rows: Vec<Row> = vec![
        (vec!["diagnose"], 2, "<TEXT>", "Usage:"),
        (
            vec!["diagnose", "the thing broke"],
            1,
            "“the thing broke”",
            "Paste an AADSTS code",
        ),
        (
            vec!["diagnose", " \n "],
            1,
            "Nothing was given",
            "Paste an AADSTS code",
        ),
        (
            vec!["diagnose", "AADSTS"],
            1,
            "“AADSTS”",
            "Paste an AADSTS code",
        ),
    ];
    check_table(empty().path(), &rows, 4);
}

#[test]
fn sign_in() {
    let sign_in = |extra: &[&'static str]| {
        let mut a = vec![
            "sign-in",
            "--tenant",
            "contoso.com",
            "--client-id",
            APP,
            "--flow",
            "device",
        ];
        a.extend_from_slice(extra);
        a
    };
    let rows: Vec<Row> = vec![
        (vec!["sign-in"], 2, "--tenant", "Usage:"),
        (
            vec![
                "sign-in",
                "--tenant",
                "contoso.com",
                "--client-id",
                APP,
                "--flow",
                "pigeon",
            ],
            2,
            "--flow",
            "possible values",
        ),
        (
            vec!["sign-in", "--tenant", "live.com", "--client-id", APP],
            1,
            "Tenant",
            "work or school",
        ),
        (
            vec![
                "sign-in",
                "--tenant",
                "contoso.com",
                "--client-id",
                "{helpdesk}",
            ],
            1,
            "Client ID",
            "Application (client) ID",
        ),
        (
            sign_in(&["--shared", "support"]),
            1,
            "Mailbox",
            "such as support@contoso.com",
        ),
        (
            sign_in(&["--shared", "Support <support@contoso.test>"]),
            1,
            "Mailbox",
            "without a name or <>",
        ),
        (
            sign_in(&["--shared", KEPT]),
            1,
            "already connected",
            "sign in again there, or delete it first",
        ),
        (
            sign_in(&["--login-hint", "alice"]),
            1,
            "Sign in as",
            "such as alice@contoso.com",
        ),
        (
            sign_in(&["--reauth", "nobody@contoso.test"]),
            1,
            "no profile named “nobody@contoso.test”",
            "Pick one of the connected mailboxes",
        ),
        (
            sign_in(&["--client-secret-env", UNSET_VAR]),
            1,
            "--client-secret-env",
            "export BAD_INPUT_UNSET",
        ),
        (
            vec![
                "sign-in",
                "--tenant",
                "contoso.com",
                "--client-id",
                APP,
                "--flow",
                "client-credentials",
                "--shared",
                "sales@contoso.test",
            ],
            1,
            "--client-secret-env",
            "Pass --client-secret-env VAR",
        ),
    ];
    check_table(kept().path(), &rows, 11);
}

#[test]
fn profiles() {
    let rows: Vec<Row> = vec![
        (
            vec!["profiles", "--delete", "nobody@contoso.test"],
            1,
            "no profile named “nobody@contoso.test”",
            "Pick one of the connected mailboxes",
        ),
        (
            vec!["profiles", "--delete", "../support"],
            1,
            "Profile name",
            "without slashes",
        ),
        (
            vec!["profiles", "--delete", ""],
            1,
            "Profile name",
            "Use the mailbox address",
        ),
        (
            vec!["profiles", "--delete"],
            2,
            "--delete",
            "a value is required",
        ),
        (vec!["profiles", "--all"], 2, "--all", "Usage:"),
    ];
    check_table(kept().path(), &rows, 5);
}

#[test]
fn folders() {
    let rows: Vec<Row> = vec![
        (vec!["folders"], 1, "--profile", "Add --profile NAME"),
        (
            vec!["folders", "--profile", "nobody"],
            1,
            "--profile",
            "m365-onboard profiles",
        ),
        (
            vec!["folders", "--access-token-env", UNSET_VAR],
            1,
            "--access-token-env",
            "Export the access token as BAD_INPUT_UNSET",
        ),
        (
            vec!["folders", "--via", "imap", "--access-token-env", TOKEN_VAR],
            1,
            "--mailbox",
            "Add --mailbox ADDRESS",
        ),
        (
            vec![
                "--imap",
                "mail.example.com:143",
                "--tls",
                "none",
                "folders",
                "--via",
                "imap",
                "--mailbox",
                "support@contoso.test",
                "--access-token-env",
                TOKEN_VAR,
            ],
            1,
            "IMAP TLS",
            "Choose implicit",
        ),
        (
            vec!["folders", "--via", "pop3"],
            2,
            "--via",
            "possible values",
        ),
        (
            vec![
                "folders",
                "--access-token-env",
                TOKEN_VAR,
                "--profile",
                KEPT,
            ],
            2,
            "--access-token-env",
            "cannot be used with",
        ),
    ];
    check_table(kept().path(), &rows, 7);
}

#[test]
fn count() {
    let rows: Vec<Row> = vec![
        (vec!["count"], 2, "--folder", "Usage:"),
        (
            vec!["count", "--folder", "Inbox", "--before", "15.11.2026"],
            1,
            "--before",
            "Give YYYY-MM-DD",
        ),
        (
            vec!["count", "--folder", "Inbox", "--before", "2026-02-30"],
            1,
            "--before",
            "Give YYYY-MM-DD",
        ),
        (
            vec!["count", "--folder", "Inbox"],
            1,
            "--profile",
            "Add --profile NAME",
        ),
        (
            vec!["count", "--folder", "Inbox", "--profile", "nobody"],
            1,
            "--profile",
            "m365-onboard profiles",
        ),
    ];
    check_table(empty().path(), &rows, 5);
}

#[test]
fn send_test() {
    let rows: Vec<Row> = vec![
        (
            vec!["send-test", "--profile", KEPT, "--to", "bob"],
            1,
            "Test recipient",
            "Type one address",
        ),
        (
            vec![
                "send-test",
                "--profile",
                KEPT,
                "--to",
                "Bob <bob@contoso.test>",
            ],
            1,
            "Test recipient",
            "Type one address",
        ),
        (
            vec![
                "send-test",
                "--profile",
                KEPT,
                "--to",
                "bob@contoso.test, eve@contoso.test",
            ],
            1,
            "Test recipient",
            "no list",
        ),
        (
            vec!["send-test", "--access-token-env", TOKEN_VAR],
            1,
            "--mailbox",
            "Add --mailbox ADDRESS",
        ),
        (
            vec!["send-test", "--profile", "nobody"],
            1,
            "no profile named “nobody”",
            "Pick one of the connected mailboxes",
        ),
        (vec!["send-test", "--to"], 2, "--to", "a value is required"),
    ];
    check_table(kept().path(), &rows, 6);
}

#[test]
fn fetch_test() {
    let rows: Vec<Row> = vec![
        (vec!["fetch-test"], 1, "--profile", "Add --profile NAME"),
        (
            vec!["fetch-test", "--profile", "nobody"],
            1,
            "no profile named “nobody”",
            "Pick one of the connected mailboxes",
        ),
        (
            vec!["fetch-test", "--access-token-env", UNSET_VAR],
            1,
            "--access-token-env",
            "Export the access token",
        ),
        (
            vec![
                "fetch-test",
                "--via",
                "imap",
                "--access-token-env",
                TOKEN_VAR,
            ],
            1,
            "--mailbox",
            "Add --mailbox ADDRESS",
        ),
    ];
    check_table(empty().path(), &rows, 4);
}

#[test]
fn preview() {
    let rows: Vec<Row> = vec![
        (vec!["preview"], 2, "--folder", "Usage:"),
        (
            vec!["preview", "--folder", "Inbox", "--top", "0"],
            2,
            "--top",
            "1..=50",
        ),
        (
            vec!["preview", "--folder", "Inbox", "--top", "500"],
            2,
            "--top",
            "1..=50",
        ),
        (
            vec!["preview", "--folder", "Inbox", "--raw"],
            2,
            "--message",
            "Usage:",
        ),
        (
            vec![
                "preview",
                "--folder",
                "Inbox",
                "--cursor",
                "c",
                "--message",
                "m",
            ],
            2,
            "--cursor",
            "cannot be used with",
        ),
        (
            vec!["preview", "--folder", "Inbox"],
            1,
            "--profile",
            "Add --profile NAME",
        ),
        (
            vec!["preview", "--folder", "Inbox", "--profile", "nobody"],
            1,
            "--profile",
            "m365-onboard profiles",
        ),
    ];
    check_table(empty().path(), &rows, 7);
}

#[test]
fn export() {
    let data = kept();
    let out = data.path().join("channel.json").display().to_string();
    let dir = data.path().display().to_string();
    let export = |extra: &[&'static str]| {
        let mut a = vec!["export", "--profile", KEPT, "--format", "json", "--out"];
        a.push(out.as_str());
        a.extend_from_slice(extra);
        a
    };
    let options = |extra: &[&'static str]| {
        let mut a = vec![
            "export",
            "--profile",
            KEPT,
            "--out",
            out.as_str(),
            "--server",
            "zammad-graph",
        ];
        a.extend_from_slice(extra);
        a
    };
    let rows: Vec<Row> = vec![
        (vec!["export"], 2, "--profile", "Usage:"),
        (
            vec![
                "export",
                "--profile",
                KEPT,
                "--format",
                "pdf",
                "--out",
                &out,
            ],
            2,
            "--format",
            "possible values",
        ),
        (
            export(&["--include-secrets"]),
            2,
            "--passphrase-env",
            "Usage:",
        ),
        (
            export(&["--plain-secrets"]),
            2,
            "--yes-write-plain-secrets",
            "Usage:",
        ),
        (
            export(&["--include-secrets", "--passphrase-env", SHORT_VAR]),
            1,
            "Passphrase",
            "at least 8 characters",
        ),
        (
            export(&["--include-secrets", "--passphrase-env", UNSET_VAR]),
            1,
            "--passphrase-env",
            "export BAD_INPUT_UNSET",
        ),
        (
            vec![
                "export",
                "--profile",
                "nobody",
                "--format",
                "json",
                "--out",
                &out,
            ],
            1,
            "no profile named “nobody”",
            "Pick one of the connected mailboxes",
        ),
        (
            vec![
                "export",
                "--profile",
                KEPT,
                "--format",
                "json",
                "--out",
                &dir,
            ],
            1,
            "Export file",
            "path of the file to write",
        ),
        (
            export(&["--fqdn", "desk.example.com"]),
            2,
            "--server",
            "Usage:",
        ),
        (
            options(&["--format", "json", "--fqdn", "help desk"]),
            1,
            "FQDN",
            "Remove the spaces",
        ),
        (
            options(&[
                "--format",
                "json",
                "--fqdn",
                "desk.example.com",
                "--archive-before",
                "15.11.2026",
            ]),
            1,
            "Archive before",
            "as YYYY-MM-DD",
        ),
        (
            options(&["--format", "zammad", "--fqdn", "desk.example.com"]),
            1,
            "Destination group",
            "--group",
        ),
        (
            export(&["--proxy-imap-port", "70000"]),
            2,
            "--proxy-imap-port",
            "0..=65535",
        ),
    ];
    check_table(data.path(), &rows, 13);
}

#[test]
fn import() {
    let data = kept();
    let file = |name: &str, text: &str| {
        let path = data.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let not_json = file("notes.txt", "Tenant: contoso.com");
    let zammad = file(
        "zammad.json",
        r#"{"format": "m365-onboard/zammad-channel"}"#,
    );
    let newer = file(
        "newer.json",
        r#"{"format": "m365-onboard/channel-config", "version": 99}"#,
    );
    let missing = data.path().join("missing.json").display().to_string();
    let dir = data.path().display().to_string();
    let again = fixture().display().to_string();
    let rows: Vec<Row> = vec![
        (vec!["import"], 2, "<FILE>", "Usage:"),
        (vec!["import", &missing], 1, &missing, "Check the path"),
        (vec!["import", &dir], 1, &dir, "Check the path"),
        (
            vec!["import", &not_json],
            1,
            &not_json,
            "Import the neutral JSON export",
        ),
        (
            vec!["import", &zammad],
            1,
            &zammad,
            "Import the neutral JSON export",
        ),
        (vec!["import", &newer], 1, &newer, "Update m365-onboard"),
        (
            vec!["import", &again],
            1,
            "already connected",
            "sign in again there, or delete it first",
        ),
        (
            vec!["import", &again, "--passphrase-env", UNSET_VAR],
            1,
            "--passphrase-env",
            "export BAD_INPUT_UNSET",
        ),
    ];
    check_table(data.path(), &rows, 8);
}
