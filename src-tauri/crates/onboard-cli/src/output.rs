//! How results and diagnoses are printed: text for people, one JSON document for scripts.

use onboard::{Diagnosis, ServerCheck};
use serde::Serialize;
use std::process::ExitCode;

/// Prints a check's result and maps it to the exit code (0 passed, 1 failed).
pub fn verdict<T: Serialize>(
    json: bool,
    result: Result<T, Diagnosis>,
    text: fn(&T) -> String,
) -> ExitCode {
    match (json, &result) {
        (true, Ok(v)) => println!(
            "{}",
            to_json(&serde_json::json!({ "ok": true, "result": v }))
        ),
        (true, Err(d)) => println!(
            "{}",
            to_json(&serde_json::json!({ "ok": false, "error": d }))
        ),
        (false, Ok(v)) => print!("{}", text(v)),
        (false, Err(d)) => eprint!("{}", diagnosis_text(d)),
    }
    if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn to_json(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v)
        .unwrap_or_else(|e| format!("{{\"ok\":false,\"error\":\"{e}\"}}"))
}

pub fn diagnosis_text(d: &Diagnosis) -> String {
    let mut s = format!("✗ {}\n  {}\n  Fix: {}\n", d.title, d.detail, d.fix);
    if let Some(url) = &d.docs_url {
        s.push_str(&format!("  See: {url}\n"));
    }
    s
}

pub fn server_check_text(c: &ServerCheck) -> String {
    let mut s = format!("✓ {} ({})\n", c.host.unicode, c.kind.label());
    s.push_str(&format!(
        "  Callback URL, register under the {} platform:\n    {}\n",
        c.platform, c.callback_url
    ));
    if c.callback_url_display != c.callback_url {
        s.push_str(&format!("    (reads as {})\n", c.callback_url_display));
    }
    for r in &c.requirements {
        s.push_str(&format!("  • {r}\n"));
    }
    for n in &c.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    s
}
