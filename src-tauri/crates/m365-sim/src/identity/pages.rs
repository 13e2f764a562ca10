//! The HTML pages people see in the browser: sign-in, consent, errors, device code entry.
//! Plain forms, no scripts, so a test (or the sandbox's stand-in browser) can drive them.

use crate::tenant::aad_error::AadError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font:15px system-ui,sans-serif;max-width:440px;margin:48px auto;padding:0 16px}}\
         .sim{{color:#92400e;font-size:13px}}label{{display:block;margin-top:12px}}input[type=text],input[type=password]{{width:100%;padding:6px}}\
         button{{margin-top:16px;margin-right:8px;padding:6px 16px}}.err{{color:#b91c1c}}</style></head>\
         <body><p class=\"sim\">Simulated Microsoft 365 sign-in (m365-sim)</p><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    )
}

pub fn sign_in(action: &str, flow: &str, hint: Option<&str>, error: Option<&str>) -> Response {
    let err = error
        .map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e)))
        .unwrap_or_default();
    Html(page(
        "Sign in",
        &format!(
            "{err}<form method=\"post\" action=\"{a}\"><input type=\"hidden\" name=\"flow\" value=\"{f}\">\
             <label>Email<input type=\"text\" name=\"username\" value=\"{h}\" autocomplete=\"username\"></label>\
             <label>Password<input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>\
             <button type=\"submit\">Sign in</button></form>",
            a = esc(action),
            f = esc(flow),
            h = esc(hint.unwrap_or_default())
        ),
    ))
    .into_response()
}

pub fn consent(
    action: &str,
    flow: &str,
    app: &str,
    permissions: &[String],
    for_org: bool,
) -> Response {
    let items: String = permissions
        .iter()
        .map(|p| format!("<li>{}</li>", esc(p)))
        .collect();
    let org = if for_org {
        "<p>As an administrator, you accept for your whole organization.</p>"
    } else {
        ""
    };
    Html(page(
        "Permissions requested",
        &format!(
            "<p><strong>{app}</strong> would like to:</p><ul>{items}</ul>{org}\
             <form method=\"post\" action=\"{a}\"><input type=\"hidden\" name=\"flow\" value=\"{f}\">{org_field}\
             <button type=\"submit\" name=\"decision\" value=\"accept\">Accept</button>\
             <button type=\"submit\" name=\"decision\" value=\"decline\">Cancel</button></form>",
            app = esc(app),
            a = esc(action),
            f = esc(flow),
            org_field = if for_org { "<input type=\"hidden\" name=\"org\" value=\"1\">" } else { "" },
        ),
    ))
    .into_response()
}

pub fn error(
    e: &AadError,
    trace: &str,
    correlation: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Response {
    let body = format!(
        "<p class=\"err\" role=\"alert\">AADSTS{}: {}</p><p>Trace ID: {}<br>Correlation ID: {}<br>Timestamp: {}</p>",
        e.code,
        esc(&e.message),
        esc(trace),
        esc(correlation),
        crate::tenant::aad_error::timestamp(at)
    );
    (
        StatusCode::BAD_REQUEST,
        Html(page(
            "Sorry, but we’re having trouble signing you in.",
            &body,
        )),
    )
        .into_response()
}

pub fn message(title: &str, text: &str) -> Response {
    Html(page(title, &format!("<p>{}</p>", esc(text)))).into_response()
}

pub fn device_code_entry(action: &str, error: Option<&str>) -> Response {
    let err = error
        .map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e)))
        .unwrap_or_default();
    Html(page(
        "Enter code",
        &format!(
            "{err}<p>Enter the code displayed on your app or device.</p><form method=\"post\" action=\"{a}\">\
             <label>Code<input type=\"text\" name=\"otc\"></label><button type=\"submit\">Next</button></form>",
            a = esc(action)
        ),
    ))
    .into_response()
}
