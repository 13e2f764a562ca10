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

/// `--json` carries what a script needs from a bounce: the code, Microsoft's cause, the fix and
/// the source of both.
#[test]
fn a_bounce_is_explained_with_its_source() {
    let reply = "Remote server returned '550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230)'";
    let out = run(&["diagnose", reply, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["result"];
    assert_eq!(d["code"], "smtp.5.7.705");
    let detail = d["detail"].as_str().unwrap();
    assert!(
        detail.contains("detected as suspicious") && detail.contains("550 5.7.708"),
        "{detail}"
    );
    assert!(
        d["fix"].as_str().unwrap().contains("open relays"),
        "{}",
        d["fix"]
    );
    assert_eq!(
        d["docs_url"],
        "https://learn.microsoft.com/exchange/troubleshoot/email-delivery/ndr/fix-error-codes-550-5-7-703-550-5-7-705-550-5-7-708-550-5-7-750"
    );

    let out = run(&["diagnose", "550 5.7.708 Access denied"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("The tenant's sending is banned"), "{text}");
    assert!(
        text.contains("See: https://learn.microsoft.com/exchange/troubleshoot/"),
        "{text}"
    );
}

#[test]
fn an_unknown_status_code_is_read_by_class_and_subject() {
    let out = run(&["diagnose", "550 5.7.999 Rejected for reasons", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["result"];
    assert_eq!(d["code"], "smtp.5.7.x");
    assert_eq!(d["title"], "5.7.x: a permanent failure, security or policy");
    assert!(d["detail"].as_str().unwrap().contains("RFC 3463"), "{d}");
    assert!(!d["fix"].as_str().unwrap().is_empty());
    assert_eq!(d["docs_url"], "https://www.rfc-editor.org/rfc/rfc3463");
}

#[test]
fn an_imap_refusal_names_its_cause_and_source() {
    let out = run(&["diagnose", "A7 NO EXPUNGE failed.", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["result"];
    assert_eq!(d["code"], "imap.expunge_failed");
    assert!(d["detail"].as_str().unwrap().contains("quota"), "{d}");
    assert!(
        d["fix"].as_str().unwrap().contains("RetainDeletedItemsFor"),
        "{d}"
    );
    assert!(
        d["docs_url"]
            .as_str()
            .unwrap()
            .starts_with("https://learn.microsoft.com/"),
        "{d}"
    );

    let out = run(&["diagnose", "CBDM90 NO Server Unavailable. 15", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"]["code"], "imap.unavailable");
    assert_eq!(
        v["result"]["docs_url"],
        "https://www.rfc-editor.org/rfc/rfc5530"
    );
}
