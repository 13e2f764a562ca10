//! `m365-onboard diagnose` prints the core's diagnosis; exit 0 when recognised, 1 when not.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_m365-onboard"))
        .args(args)
        .output()
        .expect("run m365-onboard")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_bare_code_is_explained() {
    let out = run(&["diagnose", "700016"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("The app is not found in this tenant"),
        "{text}"
    );
    assert!(
        text.contains("Fix: Copy the Application (client) ID"),
        "{text}"
    );
    assert!(
        text.contains("See: https://login.microsoftonline.com/error?code=700016"),
        "{text}"
    );
}

#[test]
fn a_pasted_aadsts_line_is_explained_with_microsofts_words() {
    let out = run(&[
        "diagnose",
        "Error: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\nTrace ID: 03da4b8e",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("The client secret is wrong"), "{text}");
    assert!(text.contains("Invalid client secret provided."), "{text}");
    assert!(!text.contains("Trace ID"), "{text}");
    assert!(text.contains("not the Secret ID"), "{text}");
}

#[test]
fn an_smtp_reply_names_the_powershell_fix() {
    let out = run(&[
        "diagnose",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("SMTP AUTH is turned off"), "{text}");
    assert!(
        text.contains(
            "Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false"
        ),
        "{text}"
    );
}

#[test]
fn json_output_is_the_core_diagnosis() {
    let out = run(&["diagnose", "ErrorItemNotFound", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let core = serde_json::to_value(onboard::catalog::diagnose("ErrorItemNotFound")).unwrap();
    assert_eq!(v, serde_json::json!({ "ok": true, "result": core }));
    assert_eq!(v["result"]["code"], "graph.ErrorItemNotFound");
}

#[test]
fn unknown_text_exits_1_and_says_what_to_paste() {
    let out = run(&["diagnose", "the thing broke"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("Not recognised") && text.contains("AADSTS code"),
        "{text}"
    );

    let out = run(&["diagnose", "the thing broke", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "diagnose.unknown");
}
