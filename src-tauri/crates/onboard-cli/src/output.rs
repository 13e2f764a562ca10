//! How results and diagnoses are printed: text for people, one JSON document for scripts.

use onboard::{
    catalog::{CheckStatus, CheckStep, Diagnosis},
    server::{ServerCheck, ServerProbe},
};
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

/// One check step (the verify step's tests): the row, and the fix under a failure; exit 1 unless
/// it passed. In JSON the failed step's diagnosis is also `error`, as other commands give it.
pub fn step_verdict(json: bool, result: Result<CheckStep, Diagnosis>) -> ExitCode {
    let step = match result {
        Ok(s) => s,
        Err(d) => return verdict::<()>(json, Err(d), |_| String::new()),
    };
    let ok = step.status == CheckStatus::Ok;
    if json {
        let mut v = serde_json::json!({ "ok": ok, "result": step });
        if let (false, Some(d)) = (ok, &step.diagnosis) {
            v["error"] = serde_json::json!(d);
        }
        println!("{}", to_json(&v));
    } else {
        print!("{}", steps_text(std::slice::from_ref(&step)));
    }
    if ok {
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

/// The offline result and the live checks; exit 1 when a live check failed (warnings pass).
pub fn server_probe_verdict(json: bool, check: &ServerCheck, probe: &ServerProbe) -> ExitCode {
    let ok = !probe.failed();
    if json {
        println!(
            "{}",
            to_json(&serde_json::json!({ "ok": ok, "result": check, "probe": probe }))
        );
    } else {
        print!("{}{}", server_check_text(check), server_probe_text(probe));
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub fn server_probe_text(p: &ServerProbe) -> String {
    let mut s = format!("Live checks:\n{}", steps_text(&p.checks));
    if p.failed() {
        s.push_str("  A failed live check may only mean this machine cannot reach the helpdesk (an internal server); the callback URL above is still right.\n");
    }
    s
}

/// `✓ DNS  12 ms  desk.example.com → 192.0.2.10`, and the fix under a failure or warning.
pub fn steps_text(steps: &[CheckStep]) -> String {
    let mut s = String::new();
    let width = steps
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0);
    for c in steps {
        let mark = match c.status {
            CheckStatus::Ok => "✓",
            CheckStatus::Warning => "!",
            CheckStatus::Failed => "✗",
            CheckStatus::Skipped => "–",
        };
        let time = match c.status {
            CheckStatus::Skipped => String::new(),
            _ => format!("{} ms", c.millis),
        };
        // A failure's row says what failed; the lines below say why and the fix.
        let row = match (&c.diagnosis, c.status) {
            (Some(d), CheckStatus::Failed) => &d.title,
            _ => &c.detail,
        };
        s.push_str(&format!("  {mark} {:width$}  {time:>7}  {row}\n", c.label));
        match (&c.diagnosis, c.status) {
            (Some(d), CheckStatus::Failed) => {
                s.push_str(&format!("      {}\n      Fix: {}\n", d.detail, d.fix));
            }
            (Some(d), _) => s.push_str(&format!("      {}\n      Fix: {}\n", d.title, d.fix)),
            (None, _) => {}
        }
    }
    s
}
