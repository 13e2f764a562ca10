//! The CLI gives the same verdict as the core (and so as the GUI), with the documented exit codes.
//! Offline checks use `--offline`; the live ones here need no network (.invalid never resolves).

use onboard::server::{check_server, ServerCheckInput, ServerKind};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_m365-onboard"))
        .args(args)
        .output()
        .expect("run m365-onboard")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

#[test]
fn json_verdict_is_the_core_result() {
    let out = run(&[
        "check-server",
        "Hilfe.Bücher.example",
        "--server",
        "zammad-imap",
        "--json",
        "--offline",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let core = check_server(&ServerCheckInput {
        kind: ServerKind::ZammadImap,
        fqdn: "Hilfe.Bücher.example".into(),
        callback_template: None,
    })
    .unwrap();
    assert_eq!(
        json(&out),
        serde_json::json!({ "ok": true, "result": core })
    );
}

#[test]
fn failed_check_exits_1_and_names_field_and_fix() {
    let out = run(&["check-server", "help_desk.example.com", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "fqdn.underscore");
    assert_eq!(v["error"]["field"], "FQDN");

    let out = run(&["check-server", "help_desk.example.com"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("FQDN") && text.contains("Fix: Use a hyphen"),
        "{text}"
    );
}

#[test]
fn text_output_shows_the_callback() {
    let out = run(&[
        "check-server",
        "https://desk.example.com/support/",
        "--server",
        "osticket",
        "--offline",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("https://desk.example.com/support/api/auth/oauth2"),
        "{text}"
    );
    assert!(text.contains("Web platform"), "{text}");
}

#[test]
fn custom_template_comes_from_the_flag() {
    let out = run(&[
        "check-server",
        "desk.example.com",
        "--server",
        "custom",
        "--callback-template",
        "https://{fqdn}/cb",
        "--json",
        "--offline",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json(&out)["result"]["callback_url"],
        "https://desk.example.com/cb"
    );
    let out = run(&[
        "check-server",
        "desk.example.com",
        "--server",
        "custom",
        "--json",
    ]);
    assert_eq!(json(&out)["error"]["field"], "Callback template");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["check-server"]).status.code(), Some(2));
    assert_eq!(
        run(&["check-server", "x.example.com", "--server", "jira"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn live_checks_follow_the_offline_ones_and_a_failure_exits_1() {
    let out = run(&["check-server", "helpdesk.invalid", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(
        v["result"]["callback_url"],
        "https://helpdesk.invalid/api/v1/external_credentials/microsoft_graph/callback"
    );
    let checks = v["probe"]["checks"].as_array().expect("probe steps");
    let ids: Vec<&str> = checks.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["dns", "https", "answer", "callback"]);
    assert_eq!(checks[0]["status"], "failed");
    assert_eq!(checks[0]["diagnosis"]["code"], "net.reserved_name");
    assert!(checks[1..].iter().all(|c| c["status"] == "skipped"), "{v}");

    let out = run(&["check-server", "helpdesk.invalid"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("✓ helpdesk.invalid"), "{text}");
    assert!(text.contains("✗ DNS"), "{text}");
    assert!(
        text.contains("Fix: Type the helpdesk's real host name."),
        "{text}"
    );
    assert!(
        text.contains("– HTTPS") && text.contains("not run: DNS failed"),
        "{text}"
    );

    let offline = run(&["check-server", "helpdesk.invalid", "--offline", "--json"]);
    assert_eq!(offline.status.code(), Some(0));
    assert!(json(&offline).get("probe").is_none());
}

#[test]
fn live_check_options_are_checked() {
    let out = run(&[
        "check-server",
        "helpdesk.invalid",
        "--ca-file",
        "/nonexistent/ca.pem",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "cli.ca_file");
    let out = run(&[
        "check-server",
        "helpdesk.invalid",
        "--timeout",
        "0",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "cli.timeout");
    // --ca-file is global: it may come before the subcommand.
    let out = run(&[
        "--ca-file",
        "/nonexistent/ca.pem",
        "check-server",
        "x.example.com",
        "--offline",
    ]);
    assert_eq!(out.status.code(), Some(0));
}
