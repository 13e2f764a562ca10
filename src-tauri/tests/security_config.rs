//! The webview's reach, read from the files that grant it: the CSP loads nothing from another
//! origin, and the window's capability grants exactly the wizard's commands that the front end
//! calls (no unused command, no plugin permission beyond events).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The quoted names in the `commands` list of build.rs.
fn built_commands() -> BTreeSet<String> {
    let build = read("src-tauri/build.rs");
    let list = build
        .split("let commands = &[")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("build.rs lists the commands");
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_csp_names_no_remote_origin_and_runs_nothing_inline() {
    let conf: Value = serde_json::from_str(&read("tauri.conf.json")).expect("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP string");
    for directive in csp.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let mut parts = directive.split_whitespace();
        let name = parts.next().unwrap_or_default();
        for source in parts {
            let allowed = source.starts_with('\'')
                || source == "data:"
                || source == "ipc:"
                || source == "http://ipc.localhost";
            assert!(
                allowed,
                "{name} allows {source}: the webview must load nothing remote"
            );
            assert!(
                !(name == "script-src" && source.contains("unsafe")),
                "script-src allows {source}"
            );
        }
    }
    for required in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ] {
        assert!(csp.contains(required), "the CSP lacks {required}");
    }
}

#[test]
fn the_window_may_call_exactly_the_commands_the_front_end_uses() {
    let commands = built_commands();
    let capability: Value =
        serde_json::from_str(&read("src-tauri/capabilities/main.json")).expect("capability");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let wanted: BTreeSet<String> = commands
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .chain(["core:event:default".to_owned()])
        .collect();
    assert_eq!(
        granted, wanted,
        "capabilities/main.json and build.rs disagree"
    );

    let api = read("ui/src/lib/api.ts");
    let unused: Vec<&String> = commands
        .iter()
        .filter(|c| !api.contains(&format!("('{c}'")))
        .collect();
    assert!(
        unused.is_empty(),
        "commands the front end never calls: {unused:?}"
    );

    let lib = read("src-tauri/src/lib.rs");
    for c in &commands {
        assert!(
            lib.contains(&format!("::{c},")),
            "{c} is granted but not registered"
        );
    }
}
