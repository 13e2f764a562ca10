//! The device code flow: `/devicecode` for the app, `/devicelogin` for the person.

use crate::identity::authorize::start;
use crate::identity::pages;
use crate::tenant::aad_error::AadError;
use crate::tenant::sim::Shared;
use crate::tenant::world::{DeviceFlow, DeviceState};
use crate::tenant::world::{Flow, FlowKind};
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde_json::json;
use std::collections::HashMap;

const LIFETIME_SECS: i64 = 900;
const INTERVAL_SECS: i64 = 5;

pub async fn device_code(
    State(sim): State<Shared>,
    Path(segment): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let now = sim.clock.now();
    let result = (|| {
        let mut world = sim.world();
        let path = world.resolve_tenant(&segment)?;
        let client_id = form.get("client_id").cloned().unwrap_or_default();
        let (home, _) = world.find_app(path, &client_id)?;
        let scope = form.get("scope").cloned().unwrap_or_default();
        crate::tenant::scopes::parse(&scope)?;
        let user_code = user_code();
        let device_code = crate::tenant::keys::random_token(48);
        world.devices.insert(
            device_code.clone(),
            DeviceFlow {
                tenant: home,
                path,
                client_id,
                scope,
                user_code: user_code.clone(),
                expires: now + Duration::seconds(LIFETIME_SECS),
                state: DeviceState::Pending,
                user: None,
            },
        );
        let uri = format!("{}/devicelogin", sim.base_url);
        Ok::<_, AadError>(json!({
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": uri,
            "expires_in": LIFETIME_SECS,
            "interval": INTERVAL_SECS,
            "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
        }))
    })();
    match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(e) => e.into_response_at(now, None),
    }
}

/// Nine characters from an alphabet without look-alikes, as Microsoft's codes look.
fn user_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..9)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub async fn device_login_page() -> Response {
    pages::device_code_entry("/devicelogin", None)
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    otc: String,
}

pub async fn device_login(State(sim): State<Shared>, Form(f): Form<CodeForm>) -> Response {
    let code = f.otc.trim().to_ascii_uppercase();
    let found = {
        let world = sim.world();
        world
            .devices
            .iter()
            .find(|(_, d)| d.user_code == code && d.state == DeviceState::Pending)
            .map(|(k, d)| (k.clone(), d.clone()))
    };
    let Some((device_code, d)) = found else {
        return pages::device_code_entry(
            "/devicelogin",
            Some("AADSTS70018: That code didn't work. Check the code and try again."),
        );
    };
    if sim.clock.now() > d.expires {
        return pages::device_code_entry(
            "/devicelogin",
            Some("AADSTS70019: That code has expired. Ask the app for a new one."),
        );
    }
    let segment = {
        let w = sim.world();
        w.tenants[d.tenant].id.clone()
    };
    let flow = Flow {
        kind: FlowKind::Device { device_code },
        segment,
        path: d.path,
        client_id: d.client_id,
        redirect_uri: String::new(),
        state: None,
        user: None,
    };
    start(&sim, flow, None, None)
}
