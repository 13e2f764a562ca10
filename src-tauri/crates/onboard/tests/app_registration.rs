//! "Create it for me" against the simulated tenant: the admin signs in by device code with the
//! Azure CLI's client ID, the plan lists the changes, apply makes them, and the plan afterwards is
//! empty; a damaged registration is repaired by exactly the missing part.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::RunningSim;
use onboard::app_registration::client_secret_key;
use onboard::{
    app_registration::{
        admin_scopes, apply, check_app, plan, Action, AppInput, DesiredApp, AZURE_CLI_CLIENT_ID,
    },
    cloud::Cloud,
    identity::{poll_device_code, request_token, start_device_code, ChannelKind},
    platform::{MemoryStore, Secret, SecretStore},
    server::ServerKind,
};
use serde_json::{json, Value};
use support::sim::sim_cloud;

const TENANT: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";
const ADMIN: &str = "alice@contoso.test";
const NOT_ADMIN: &str = "bob@contoso.test";
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const CALLBACK: &str =
    "https://help.contoso.test/api/v1/external_credentials/microsoft_graph/callback";

struct Env {
    sim: RunningSim,
    cloud: Cloud,
    http: reqwest::Client,
}

async fn env() -> Env {
    let (sim, cloud) = sim_cloud().await;
    let pem = cloud.extra_ca_pem.clone().unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    Env { sim, cloud, http }
}

impl Env {
    /// Approves (or declines) a pending device code as `upn`, as on /devicelogin.
    async fn decide(&self, user_code: &str, upn: &str, decision: &str) {
        let res = self
            .http
            .post(format!("{}/_sim/device", self.sim.endpoints.authority))
            .json(&json!({ "user_code": user_code, "upn": upn, "decision": decision }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }

    /// The admin's Graph token through the core's device code flow.
    async fn sign_in(&self, upn: &str) -> Secret {
        let c = &self.cloud;
        let prompt = start_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &admin_scopes(c))
            .await
            .unwrap();
        assert!(prompt.message.contains(&prompt.user_code));
        self.decide(&prompt.user_code, upn, "approve").await;
        let tokens = poll_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &prompt, None)
            .await
            .unwrap();
        assert!(
            tokens.refresh_token.is_some(),
            "offline_access was asked for"
        );
        tokens.access_token
    }

    async fn graph(
        &self,
        method: reqwest::Method,
        token: &Secret,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/v1.0{path}", self.sim.endpoints.graph))
            .bearer_auth(token.expose());
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, token: &Secret, path: &str) -> Value {
        let (status, body) = self.graph(reqwest::Method::GET, token, path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    async fn graph_sp(&self, token: &Secret) -> String {
        let list = self
            .get(
                token,
                &format!("/servicePrincipals?$filter=appId%20eq%20'{GRAPH_APP_ID}'"),
            )
            .await;
        list["value"][0]["id"].as_str().unwrap().to_owned()
    }
}

fn desired(name: &str, channel: ChannelKind) -> DesiredApp {
    DesiredApp::new(name, CALLBACK, ServerKind::ZammadGraph, channel).unwrap()
}

fn kinds(p: &onboard::app_registration::Plan) -> Vec<&'static str> {
    p.changes
        .iter()
        .map(|c| match c.action {
            Action::CreateApplication => "create-application",
            Action::SetSignInAudience { .. } => "set-sign-in-audience",
            Action::AddRedirectUris { .. } => "add-redirect-uris",
            Action::AddPermissions { .. } => "add-permissions",
            Action::SetPublicClientFlows { .. } => "set-public-client-flows",
            Action::AddSecret { .. } => "add-secret",
            Action::CreateServicePrincipal => "create-service-principal",
            Action::GrantDelegated { .. } => "grant-delegated",
            Action::AssignAppRoles { .. } => "assign-app-roles",
        })
        .collect()
}

fn ids(app: &Value, kind: &str) -> Vec<String> {
    app["requiredResourceAccess"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resourceAppId"] == GRAPH_APP_ID)
        .flat_map(|e| e["resourceAccess"].as_array().unwrap().clone())
        .filter(|a| a["type"] == kind)
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_app_only_registration_is_created_and_its_secret_works() {
    let e = env().await;
    let token = e.sign_in(ADMIN).await;
    let want = desired("Helpdesk app-only (test)", ChannelKind::GraphApplication);
    let p = plan(&e.cloud, &token, &want).await.unwrap();
    assert_eq!(
        kinds(&p),
        [
            "create-application",
            "add-secret",
            "create-service-principal",
            "assign-app-roles"
        ]
    );
    assert!(p.existing.is_none());
    assert!(p.changes[0].summary.contains("Helpdesk app-only (test)"));
    assert_eq!(p.changes[0].call, "POST /v1.0/applications");

    let store = MemoryStore::default();
    let done = apply(&e.cloud, &token, &p, &store).await.unwrap();
    assert_eq!(done.tenant_id, TENANT);
    assert_eq!(done.done.len(), 4);
    let secret = done.secret.clone().unwrap();
    assert_eq!(
        store.get(&client_secret_key(&done.client_id)).unwrap(),
        Some(secret.value.clone()),
        "the secret is in the store before apply returns"
    );
    let shown = serde_json::to_string(&done).unwrap();
    assert!(
        !shown.contains(secret.value.expose()),
        "serializing never shows the value"
    );

    // What Graph now says about it.
    let app = e
        .get(&token, &format!("/applications/{}", done.object_id))
        .await;
    assert_eq!(app["appId"], done.client_id.as_str());
    assert_eq!(app["signInAudience"], "AzureADMyOrg");
    assert_eq!(
        app["web"]["redirectUris"],
        json!([CALLBACK, "http://localhost"])
    );
    assert_eq!(
        ids(&app, "Role"),
        [
            "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
            "b633e1c5-b582-4048-a93e-9f11b44c7e96",
            "df021288-bdef-4463-88db-98f22de89214"
        ]
    );
    assert_eq!(
        app["passwordCredentials"][0]["keyId"],
        secret.secret_id.as_str()
    );
    assert_eq!(app["passwordCredentials"][0]["secretText"], Value::Null);
    let graph_sp = e.graph_sp(&token).await;
    let roles = e
        .get(
            &token,
            &format!(
                "/servicePrincipals/{}/appRoleAssignments",
                done.service_principal_id
            ),
        )
        .await;
    let roles = roles["value"].as_array().unwrap();
    assert_eq!(roles.len(), 3);
    assert!(roles.iter().all(|r| r["resourceId"] == graph_sp.as_str()
        && r["principalId"] == done.service_principal_id.as_str()));
    let grants = e
        .get(
            &token,
            &format!(
                "/oauth2PermissionGrants?$filter=clientId%20eq%20'{}'",
                done.service_principal_id
            ),
        )
        .await;
    assert_eq!(
        grants["value"],
        json!([]),
        "app-only needs no delegated grant"
    );

    // The new app signs in with its new secret and reads what its roles allow.
    let app_token = request_token(
        &e.cloud,
        TENANT,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &done.client_id),
            ("client_secret", secret.value.expose()),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await
    .unwrap();
    let (status, user) = e
        .graph(
            reqwest::Method::GET,
            &app_token.access_token,
            "/users/alice@contoso.test",
            None,
        )
        .await;
    assert_eq!(status, 200, "{user}");

    // Second run: nothing to do.
    let again = plan(&e.cloud, &token, &want).await.unwrap();
    assert!(again.is_empty(), "{:#?}", again.changes);
    assert_eq!(again.existing.unwrap().client_id, done.client_id);
    assert!(
        again.notes.iter().any(|n| n.starts_with("Nothing to do")),
        "{:?}",
        again.notes
    );
    e.sim.stop().await;
}

#[tokio::test]
async fn a_delegated_registration_is_created_and_each_damage_repaired_exactly() {
    let e = env().await;
    let token = e.sign_in(ADMIN).await;
    let want = desired("Helpdesk delegated (test)", ChannelKind::GraphDelegated);
    let p = plan(&e.cloud, &token, &want).await.unwrap();
    assert_eq!(
        kinds(&p),
        [
            "create-application",
            "add-secret",
            "create-service-principal",
            "grant-delegated"
        ]
    );
    let store = MemoryStore::default();
    let done = apply(&e.cloud, &token, &p, &store).await.unwrap();
    assert!(done.secret.is_some());
    let app_path = format!("/applications/{}", done.object_id);
    let app = e.get(&token, &app_path).await;
    assert_eq!(app["isFallbackPublicClient"], true);
    assert_eq!(ids(&app, "Scope").len(), 7);

    // The consent: one AllPrincipals grant from the app's SP to Microsoft Graph's SP.
    let graph_sp = e.graph_sp(&token).await;
    let grants = e
        .get(
            &token,
            &format!(
                "/oauth2PermissionGrants?$filter=clientId%20eq%20'{}'",
                done.service_principal_id
            ),
        )
        .await;
    let grant = &grants["value"][0];
    assert_eq!(grants["value"].as_array().unwrap().len(), 1);
    assert_eq!(grant["consentType"], "AllPrincipals");
    assert_eq!(grant["principalId"], Value::Null);
    assert_eq!(grant["resourceId"], graph_sp.as_str());
    assert_eq!(
        grant["scope"],
        "Mail.ReadWrite Mail.Send Mail.ReadWrite.Shared Mail.Send.Shared offline_access openid profile"
    );
    let roles = e
        .get(
            &token,
            &format!(
                "/servicePrincipals/{}/appRoleAssignments",
                done.service_principal_id
            ),
        )
        .await;
    assert_eq!(roles["value"], json!([]), "delegated needs no app roles");
    // Nothing left to do, read in three round trips: the application, then both service
    // principals in one $batch, then the grant and the app roles in another.
    let log_url = format!("{}/_sim/log", e.sim.endpoints.authority);
    e.http.delete(&log_url).send().await.unwrap();
    assert!(plan(&e.cloud, &token, &want).await.unwrap().is_empty());
    let log: Vec<Value> = e
        .http
        .get(&log_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let calls: Vec<String> = log
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["method"].as_str().unwrap(),
                l["path"].as_str().unwrap()
            )
        })
        .collect();
    let batches = calls.iter().filter(|c| c.ends_with("/v1.0/$batch")).count();
    assert_eq!(batches, 2, "{calls:#?}");
    let alone = calls
        .iter()
        .filter(|c| c.starts_with("GET /graph/v1.0/applications"))
        .count();
    assert_eq!(alone, 1, "{calls:#?}");

    // Public client flows on, the app still passes the wizard's check with its new secret.
    let fields = AppInput {
        client_id: done.client_id.clone(),
        tenant: done.tenant_id.clone(),
        client_secret: Some(done.secret.as_ref().unwrap().value.expose().to_owned()),
    }
    .parse()
    .unwrap();
    let check = check_app(&e.cloud, &fields, ChannelKind::GraphDelegated, None).await;
    assert!(check.ok(), "{check:#?}");
    assert!(check.secret_expiry.is_none(), "the app may not read itself");
    // With the administrator signed in, the expiry is read as the admin.
    let check = check_app(&e.cloud, &fields, ChannelKind::GraphDelegated, Some(&token)).await;
    let expiry = check.secret_expiry.expect("read as the admin");
    assert!((725..=731).contains(&expiry.days_left), "{expiry:?}");

    // A redirect URI removed: the plan repairs exactly that.
    let (s, _) = e
        .graph(
            reqwest::Method::PATCH,
            &token,
            &app_path,
            Some(json!({ "web": { "redirectUris": [CALLBACK] } })),
        )
        .await;
    assert_eq!(s, 204);
    let repair = plan(&e.cloud, &token, &want).await.unwrap();
    assert_eq!(
        repair.changes.iter().map(|c| &c.action).collect::<Vec<_>>(),
        [&Action::AddRedirectUris {
            uris: vec!["http://localhost".into()]
        }]
    );
    assert_eq!(repair.changes[0].call, format!("PATCH /v1.0{app_path}"));
    let fixed = apply(&e.cloud, &token, &repair, &store).await.unwrap();
    assert!(
        fixed.secret.is_none(),
        "a repair makes no new secret unless asked"
    );
    assert_eq!(fixed.client_id, done.client_id);
    assert!(plan(&e.cloud, &token, &want).await.unwrap().is_empty());

    // A permission removed from requiredResourceAccess.
    let mut rra = app["requiredResourceAccess"].clone();
    let list = rra[0]["resourceAccess"].as_array_mut().unwrap();
    list.retain(|a| a["id"] != "e383f46e-2787-4529-855e-0e479a3ffac0"); // Mail.Send
    let (s, _) = e
        .graph(
            reqwest::Method::PATCH,
            &token,
            &app_path,
            Some(json!({ "requiredResourceAccess": rra })),
        )
        .await;
    assert_eq!(s, 204);
    let repair = plan(&e.cloud, &token, &want).await.unwrap();
    assert_eq!(
        repair.changes.iter().map(|c| &c.action).collect::<Vec<_>>(),
        [&Action::AddPermissions {
            permissions: vec!["Mail.Send".into()]
        }]
    );
    apply(&e.cloud, &token, &repair, &store).await.unwrap();
    assert!(plan(&e.cloud, &token, &want).await.unwrap().is_empty());

    // The consent grant deleted, then one narrowed.
    let grant_id = grant["id"].as_str().unwrap();
    let (s, _) = e
        .graph(
            reqwest::Method::DELETE,
            &token,
            &format!("/oauth2PermissionGrants/{grant_id}"),
            None,
        )
        .await;
    assert_eq!(s, 204);
    let repair = plan(&e.cloud, &token, &want).await.unwrap();
    assert_eq!(kinds(&repair), ["grant-delegated"]);
    assert_eq!(repair.changes[0].call, "POST /v1.0/oauth2PermissionGrants");
    apply(&e.cloud, &token, &repair, &store).await.unwrap();
    assert!(plan(&e.cloud, &token, &want).await.unwrap().is_empty());
    let grants = e
        .get(
            &token,
            &format!(
                "/oauth2PermissionGrants?$filter=clientId%20eq%20'{}'",
                done.service_principal_id
            ),
        )
        .await;
    let id = grants["value"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = e
        .graph(
            reqwest::Method::PATCH,
            &token,
            &format!("/oauth2PermissionGrants/{id}"),
            Some(json!({ "scope": "Mail.ReadWrite openid" })),
        )
        .await;
    assert_eq!(s, 204);
    let repair = plan(&e.cloud, &token, &want).await.unwrap();
    assert_eq!(
        repair
            .changes
            .iter()
            .map(|c| (&c.action, c.call.as_str()))
            .collect::<Vec<_>>(),
        [(
            &Action::GrantDelegated {
                scopes: [
                    "Mail.Send",
                    "Mail.ReadWrite.Shared",
                    "Mail.Send.Shared",
                    "offline_access",
                    "profile"
                ]
                .map(String::from)
                .to_vec()
            },
            format!("PATCH /v1.0/oauth2PermissionGrants/{id}").as_str()
        )]
    );
    apply(&e.cloud, &token, &repair, &store).await.unwrap();
    assert!(plan(&e.cloud, &token, &want).await.unwrap().is_empty());

    // Asking for a new secret adds exactly that, found by client ID.
    let mut renew = want.clone();
    renew.display_name = "Another name".into();
    renew.existing_client_id = Some(done.client_id.clone());
    renew.new_secret = true;
    renew.secret_months = 6;
    let p = plan(&e.cloud, &token, &renew).await.unwrap();
    assert_eq!(
        kinds(&p),
        ["add-secret"],
        "the name is not changed: {:#?}",
        p.changes
    );
    let again = apply(&e.cloud, &token, &p, &store).await.unwrap();
    let s2 = again.secret.unwrap();
    assert_ne!(s2.value, done.secret.unwrap().value);
    assert_eq!(
        store.get(&client_secret_key(&done.client_id)).unwrap(),
        Some(s2.value)
    );
    e.sim.stop().await;
}

#[tokio::test]
async fn an_existing_app_is_repaired_and_a_shared_name_is_refused() {
    let e = env().await;
    let token = e.sign_in(ADMIN).await;
    // The sandbox's own app has every permission of the IMAP channel, but not our redirect URIs.
    let mut want = DesiredApp::new(
        "Helpdesk (sandbox)",
        "https://help.contoso.test/mailbox/oauth",
        ServerKind::Freescout,
        ChannelKind::ImapDelegated,
    )
    .unwrap();
    want.secret_months = 3;
    let p = plan(&e.cloud, &token, &want).await.unwrap();
    assert!(p.notes[0].starts_with("Found the existing app “Helpdesk (sandbox)” (appId 0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f)"), "{:?}", p.notes);
    assert!(
        kinds(&p).contains(&"set-sign-in-audience"),
        "FreeScout needs a multitenant app"
    );
    apply(&e.cloud, &token, &p, &MemoryStore::default())
        .await
        .unwrap();
    assert!(plan(&e.cloud, &token, &want).await.unwrap().is_empty());

    for _ in 0..2 {
        let (s, body) = e
            .graph(
                reqwest::Method::POST,
                &token,
                "/applications",
                Some(json!({ "displayName": "Twin" })),
            )
            .await;
        assert_eq!(s, 201, "{body}");
    }
    let d = plan(
        &e.cloud,
        &token,
        &desired("Twin", ChannelKind::GraphDelegated),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (d.code.as_str(), d.field.as_deref()),
        ("register.name.ambiguous", Some("Client ID"))
    );

    let mut unknown = desired("Whatever", ChannelKind::GraphDelegated);
    unknown.existing_client_id = Some("12345678-1234-4234-8234-123456789012".into());
    let d = plan(&e.cloud, &token, &unknown).await.unwrap_err();
    assert_eq!(d.code, "register.client_id.unknown");
    e.sim.stop().await;
}

#[tokio::test]
async fn a_user_who_is_not_an_admin_is_told_to_sign_in_as_one() {
    let e = env().await;
    let c = &e.cloud;
    // Without tenant-wide consent to the Azure CLI, a non-admin cannot even get the token.
    let prompt = start_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &admin_scopes(c))
        .await
        .unwrap();
    e.decide(&prompt.user_code, NOT_ADMIN, "approve").await;
    let d = poll_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &prompt, None)
        .await
        .unwrap_err();
    assert_eq!(d.code, "aadsts.65001", "{d:?}");

    // With it (an admin granted the Azure CLI those scopes for everyone), the token comes, and
    // Graph refuses the changes because Bob holds no admin role.
    let admin = e.sign_in(ADMIN).await;
    let graph_sp = e.graph_sp(&admin).await;
    let cli_sp = e
        .get(
            &admin,
            &format!("/servicePrincipals?$filter=appId%20eq%20'{AZURE_CLI_CLIENT_ID}'"),
        )
        .await["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let scope = "Application.ReadWrite.All DelegatedPermissionGrant.ReadWrite.All AppRoleAssignment.ReadWrite.All offline_access openid profile";
    let (s, body) = e
        .graph(
            reqwest::Method::POST,
            &admin,
            "/oauth2PermissionGrants",
            Some(json!({ "clientId": cli_sp, "consentType": "AllPrincipals", "resourceId": graph_sp, "scope": scope })),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let token = e.sign_in(NOT_ADMIN).await;
    let want = desired("Bob's app", ChannelKind::GraphDelegated);
    // Reading is allowed, so the plan is shown; changing is not.
    let p = plan(&e.cloud, &token, &want).await.unwrap();
    let store = MemoryStore::default();
    let d = apply(&e.cloud, &token, &p, &store).await.unwrap_err();
    assert_eq!(d.code, "register.forbidden", "{d:?}");
    assert!(
        d.detail.contains("403") && d.detail.contains("Authorization_RequestDenied"),
        "{}",
        d.detail
    );
    assert!(d.fix.contains("Administrator"));
    assert!(
        plan(&e.cloud, &admin, &want)
            .await
            .unwrap()
            .existing
            .is_none(),
        "nothing was created"
    );
    e.sim.stop().await;
}

#[tokio::test]
async fn a_declined_or_expired_device_code_is_diagnosed() {
    let e = env().await;
    let c = &e.cloud;
    let prompt = start_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &admin_scopes(c))
        .await
        .unwrap();
    assert!(prompt.verification_uri.ends_with("/devicelogin"));
    assert!(prompt.interval >= 1 && prompt.expires_in > 60);
    e.decide(&prompt.user_code, ADMIN, "decline").await;
    let d = poll_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &prompt, None)
        .await
        .unwrap_err();
    assert_eq!(d.code, "device.declined");

    let prompt = start_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &admin_scopes(c))
        .await
        .unwrap();
    let res = e
        .http
        .post(format!("{}/_sim/clock", e.sim.endpoints.authority))
        .json(&json!({ "offset_secs": prompt.expires_in + 60 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let d = poll_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &prompt, None)
        .await
        .unwrap_err();
    assert_eq!(d.code, "device.expired");

    // A code that runs out while we wait (here: after one pending poll) expires locally too.
    let mut short = start_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, "openid")
        .await
        .unwrap();
    short.expires_in = 1;
    let started = std::time::Instant::now();
    let d = poll_device_code(c, TENANT, AZURE_CLI_CLIENT_ID, &short, None)
        .await
        .unwrap_err();
    assert_eq!(d.code, "device.expired");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    e.sim.stop().await;
}
