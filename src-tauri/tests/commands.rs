//! The IPC commands through Tauri's mock runtime: the JSON the webview sends in, the JSON it gets
//! back, errors in the one IPC shape.

use m365_onboard_app::{setup, Secrets};
use onboard::platform::MemoryStore;
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app() -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let secrets: Secrets = Arc::new(MemoryStore::default());
    let app = setup(mock_builder(), secrets)
        .build(mock_context(noop_assets()))
        .expect("app builds");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|b| b.deserialize::<Value>().expect("JSON body"))
}

#[test]
fn check_server_answers_with_the_core_result_or_a_diagnosis() {
    let (_app, window) = app();
    let ok = invoke(&window, "check_server", json!({ "input": { "kind": "zammad-graph", "fqdn": "desk.example.com", "callback_template": null } }))
        .expect("valid host");
    assert_eq!(
        ok["callback_url"],
        "https://desk.example.com/api/v1/external_credentials/microsoft_graph/callback"
    );

    let err = invoke(
        &window,
        "check_server",
        json!({ "input": { "kind": "osticket", "fqdn": "192.0.2.1", "callback_template": null } }),
    )
    .expect_err("IP literal");
    assert_eq!(err["code"], "fqdn.ip_literal");
    assert_eq!(err["field"], "FQDN");
    for key in ["title", "detail", "fix", "docs_url"] {
        assert!(err.get(key).is_some(), "{key} missing from {err}");
    }
}

#[test]
fn probe_server_runs_the_live_checks_after_the_offline_ones() {
    let (_app, window) = app();
    let probe = invoke(&window, "probe_server", json!({ "input": { "kind": "freescout", "fqdn": "desk.invalid", "callback_template": null } }))
        .expect("a probe, even when a step fails");
    let checks = probe["checks"].as_array().expect("steps");
    assert_eq!(checks[0]["id"], "dns");
    assert_eq!(checks[0]["status"], "failed");
    assert_eq!(checks[0]["diagnosis"]["code"], "net.reserved_name");
    assert_eq!(checks[3]["status"], "skipped");

    let err = invoke(&window, "probe_server", json!({ "input": { "kind": "freescout", "fqdn": "help_desk.example.com", "callback_template": null } }))
        .expect_err("offline check fails first");
    assert_eq!(err["code"], "fqdn.underscore");
}

#[test]
fn drafts_survive_a_restart_and_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::env::set_var("XDG_DATA_HOME", dir.path());
    let draft = json!({
        "step": "admin-consent",
        "server": { "kind": "freescout", "fqdn": "desk.example.com", "callback_template": "https://{fqdn}/" },
        "app": { "client_id": "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f", "tenant": "contoso.test", "cloud": "usgov", "channel": "imap-delegated", "consented_tenant": null },
        "account": { "shared": true, "shared_address": "support@contoso.test", "flow": "device", "login_hint": "", "profile": null },
        "options": { "folder_id": "f1", "folder_path": "Inbox/Inquiries", "group": "Support", "group_id": "3", "keep_on_server": false, "archive": true, "archive_before": "2026-11-15", "archive_state": "closed" },
        "sandbox": false,
    });
    {
        let (_app, window) = app();
        assert_eq!(
            invoke(&window, "load_draft", json!({})).expect("fresh draft")["step"],
            "server"
        );
        invoke(&window, "save_draft", json!({ "draft": draft })).expect("saved");
    }
    let (_app, window) = app();
    assert_eq!(
        invoke(&window, "load_draft", json!({})).expect("draft"),
        draft
    );

    let file = walk(dir.path())
        .into_iter()
        .find(|p| p.ends_with("draft.json"))
        .expect("draft.json written");
    std::fs::write(&file, "{\"draft\": {\"step\": \"acc").expect("damage it");
    drop((_app, window));
    let (_app, window) = app();
    assert_eq!(
        invoke(&window, "load_draft", json!({})).expect("damaged draft still opens")["step"],
        "server"
    );
}

#[test]
fn keyring_status_reports_the_managed_store() {
    let (_app, window) = app();
    let status = invoke(&window, "secret_store_status", json!({})).expect("status");
    assert_eq!(
        status,
        json!({ "backend": "in-memory", "available": true, "problem": null })
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_app_check_keeps_an_accepted_secret_in_the_store_and_nowhere_else() {
    let (_app, window) = app();
    let sandbox = invoke(&window, "start_sandbox", json!({})).expect("sandbox starts");
    let client_id = sandbox["client_id"].as_str().expect("client id").to_owned();
    let input = |secret: Option<&str>| {
        json!({
            "input": { "client_id": client_id, "tenant": "contoso.test", "client_secret": secret },
            "channel": "graph-delegated",
            "preset": "global",
        })
    };
    // Offline mistakes are refused before anything is sent, naming the field.
    let err = invoke(
        &window,
        "check_app",
        input(Some("8e2b5f8a-1c9d-4e3f-a2b1-c0d9e8f7a6b5")),
    )
    .expect_err("a secret ID");
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("client_secret.secret_id"), Some("Client secret"))
    );

    // A refused secret is not kept.
    let refused = invoke(
        &window,
        "check_app",
        input(Some("abc8Q~wrong-secret-value")),
    )
    .expect("a result");
    assert_eq!(refused["steps"][1]["diagnosis"]["code"], "aadsts.7000215");
    let saved = |w: &WebviewWindow<MockRuntime>| {
        invoke(w, "client_secret_saved", json!({ "clientId": client_id })).expect("answer")
    };
    assert_eq!(saved(&window), json!(false));

    // The sandbox tenant answers (not the global cloud named by the preset); the accepted
    // secret goes to the store, and the next check uses it from there.
    let secret = "sandbox~secret-value-not-for-production-0001";
    let ok = invoke(&window, "check_app", input(Some(secret))).expect("a result");
    assert_eq!(ok["steps"][1]["status"], "ok", "{ok}");
    assert!(!ok.to_string().contains(secret));
    assert_eq!(saved(&window), json!(true));
    let again = invoke(&window, "check_app", input(None)).expect("a result");
    assert_eq!(again["steps"][1]["status"], "ok", "{again}");

    let link = invoke(&window, "consent_link", json!({ "tenant": "contoso.test", "clientId": client_id, "redirectUri": "https://helpdesk.contoso.test/cb", "preset": "global" }))
        .expect("a link");
    assert!(link
        .as_str()
        .expect("text")
        .contains("/contoso.test/v2.0/adminconsent?client_id="));
    invoke(&window, "stop_sandbox", json!({})).expect("sandbox stops");
}

#[test]
fn the_admins_sign_in_app_must_be_a_client_id() {
    let (_app, window) = app();
    let err = invoke(
        &window,
        "admin_sign_in_start",
        json!({ "tenant": "contoso.test", "preset": "global", "adminClientId": "azure cli" }),
    )
    .expect_err("not a GUID");
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("register.admin_client_id"), Some("Sign-in app"))
    );
    let err = invoke(
        &window,
        "admin_sign_in_start",
        json!({ "tenant": "alice@contoso.test", "preset": "global", "adminClientId": null }),
    )
    .expect_err("an address as the tenant");
    assert_eq!(err["field"], "Tenant");
}
