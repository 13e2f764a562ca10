//! Graph's app-registration endpoints as an admin's "create it for me" runs them, with the Azure
//! CLI's device code token, and what the identity endpoints then do with the new app.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use reqwest::Method;
use serde_json::{json, Value};
use support::*;

const AZURE_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const ADMIN_SCOPES: &str = "Application.ReadWrite.All AppRoleAssignment.ReadWrite.All DelegatedPermissionGrant.ReadWrite.All offline_access";
const VERIFIER: &str = "graph-apps-verifier-graph-apps-verifier-0123";
/// The loopback redirect the new app registers; /authorize accepts it on any port.
const NEW_REDIRECT: &str = "http://localhost/callback";
/// The sample's Microsoft Graph service principal id, which is tenant-specific.
const SAMPLE_GRAPH_SP: &str = "7ea9e944-71ce-443d-811c-71e8047b557a";

/// A Graph call: status and JSON body (`null` for an empty one).
async fn graph(
    t: &TestSim,
    method: Method,
    token: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = t
        .http
        .request(method, format!("{}/v1.0{path}", t.sim.endpoints.graph))
        .bearer_auth(token)
        .query(query);
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    (status, value)
}

async fn device_code(t: &TestSim, scope: &str) -> Value {
    t.http
        .post(t.url("/organizations/oauth2/v2.0/devicecode"))
        .form(&[("client_id", AZURE_CLI), ("scope", scope)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn redeem_device(t: &TestSim, d: &Value) -> (u16, Value) {
    t.token(
        "organizations",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", AZURE_CLI),
            ("device_code", d["device_code"].as_str().unwrap()),
        ],
    )
    .await
}

/// `az login --use-device-code` as `upn`, approved through `/_sim/device`.
async fn cli_login(t: &TestSim, upn: &str, scope: &str) -> (u16, Value) {
    let d = device_code(t, scope).await;
    let res = t
        .http
        .post(t.url("/_sim/device"))
        .json(&json!({ "user_code": d["user_code"], "upn": upn, "decision": "approve" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    redeem_device(t, &d).await
}

async fn admin_token(t: &TestSim) -> String {
    let (status, body) = cli_login(t, "alice@contoso.test", ADMIN_SCOPES).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn introspect(t: &TestSim, token: &str) -> Value {
    t.http
        .post(t.url("/_sim/introspect"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A permission's real id, from Microsoft's data file.
fn permission_id(value: &str, list: &str) -> String {
    sample("graph_permission_ids_mail_subset.json")[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["value"] == value)
        .unwrap_or_else(|| panic!("{value} in {list}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The same keys in the same order (`@odata` ones aside) and the same JSON types, all the way
/// down (an array's first element against the sample's), except that ours may be null at the
/// paths in `nullable`.
fn assert_shape(ours: &Value, theirs: &Value, at: &str, nullable: &[&str]) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let ka: Vec<&String> = a.keys().filter(|k| !k.starts_with("@odata")).collect();
            let kb: Vec<&String> = b.keys().filter(|k| !k.starts_with("@odata")).collect();
            assert_eq!(ka, kb, "keys at {at}");
            for k in ka {
                assert_shape(&a[k], &b[k], &format!("{at}.{k}"), nullable);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                assert_shape(x, y, &format!("{at}[]"), nullable);
            }
        }
        (Value::Null, _) if nullable.contains(&at) => {}
        (a, b) => assert_eq!(kind(a), kind(b), "type at {at}: ours {a}, Microsoft's {b}"),
    }
}

/// The part of `@odata.context` after `$metadata#`, which must be Microsoft's.
fn context(v: &Value) -> String {
    v["@odata.context"]
        .as_str()
        .unwrap_or_else(|| panic!("no @odata.context in {v}"))
        .split_once("$metadata#")
        .unwrap()
        .1
        .to_owned()
}

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (want_status, Some(code)),
        "{body}"
    );
}

/// The app the wizard registers: a web redirect, Mail.ReadWrite delegated and application.
fn new_app_body(name: &str) -> Value {
    json!({
        "displayName": name,
        "signInAudience": "AzureADMyOrg",
        "web": { "redirectUris": [NEW_REDIRECT] },
        "publicClient": { "redirectUris": [] },
        "requiredResourceAccess": [ {
            "resourceAppId": GRAPH_APP_ID,
            "resourceAccess": [
                { "id": permission_id("Mail.ReadWrite", "delegatedScopesList"), "type": "Scope" },
                { "id": permission_id("offline_access", "delegatedScopesList"), "type": "Scope" },
                { "id": permission_id("Mail.ReadWrite", "applicationScopesList"), "type": "Role" }
            ]
        } ]
    })
}

/// An /authorize request for `user` with the new app and what came of it.
async fn authorize_new_app(t: &TestSim, app_id: &str, user: &str) -> Step {
    let challenge = m365_sim::tenant::keys::pkce_s256(VERIFIER);
    let q = authorize_query(app_id, "Mail.ReadWrite offline_access", user, &challenge);
    t.get(&format!("/{TENANT}/oauth2/v2.0/authorize?{q}")).await
}

async fn microsoft_graph_sp(t: &TestSim, token: &str, select: &str) -> Value {
    let (status, list) = graph(
        t,
        Method::GET,
        token,
        "/servicePrincipals",
        &[
            ("$filter", "displayName eq 'Microsoft Graph'"),
            ("$select", select),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["value"].as_array().unwrap().len(), 1, "{list}");
    list
}

#[tokio::test]
async fn an_admin_creates_an_app_from_scratch_and_the_identity_endpoints_honour_it() {
    let t = TestSim::start().await;
    // The Azure CLI is in the tenant already, and counts as consented for an admin.
    let admin = admin_token(&t).await;

    let (status, app) = graph(
        &t,
        Method::POST,
        &admin,
        "/applications",
        &[],
        Some(&new_app_body("Helpdesk mail")),
    )
    .await;
    assert_eq!(status, 201, "{app}");
    let theirs = sample("graph_application_create_response.json");
    assert_shape(
        &app,
        &theirs,
        "application",
        &["application.samlMetadataUrl"],
    );
    assert_eq!(context(&app), context(&theirs));
    let (object_id, app_id) = (
        app["id"].as_str().unwrap().to_owned(),
        app["appId"].as_str().unwrap().to_owned(),
    );
    assert_ne!(object_id, app_id);
    assert_eq!(app["web"]["redirectUris"], json!([NEW_REDIRECT]));
    assert_eq!(
        app["requiredResourceAccess"][0]["resourceAccess"][2]["id"],
        permission_id("Mail.ReadWrite", "applicationScopesList")
    );

    // A secret, shown once; the token endpoint takes it.
    let (status, password) = graph(
        &t,
        Method::POST,
        &admin,
        &format!("/applications/{object_id}/addPassword"),
        &[],
        Some(&sample("graph_application_addpassword_request.json")),
    )
    .await;
    assert_eq!(status, 200, "{password}");
    assert_shape(
        &password,
        &sample("graph_application_addpassword_response.json"),
        "passwordCredential",
        &[],
    );
    let secret = password["secretText"].as_str().unwrap().to_owned();
    assert_eq!(password["hint"].as_str().unwrap(), &secret[..3]);
    assert_eq!(password["displayName"], "Password friendly name");
    let (_, again) = graph(
        &t,
        Method::GET,
        &admin,
        &format!("/applications/{object_id}"),
        &[],
        None,
    )
    .await;
    let stored = &again["passwordCredentials"][0];
    assert_eq!(
        (stored["keyId"].clone(), stored["secretText"].clone()),
        (password["keyId"].clone(), Value::Null),
        "the secret text is returned only once"
    );

    // No consent yet: app-only tokens carry no role, a user is asked to consent.
    let (status, cc) = t
        .client_credentials(
            TENANT,
            &app_id,
            &secret,
            "https://graph.microsoft.com/.default",
        )
        .await;
    assert_eq!(status, 200, "{cc}");
    assert_eq!(
        introspect(&t, cc["access_token"].as_str().unwrap()).await["roles"],
        json!([])
    );
    let before = authorize_new_app(&t, &app_id, "carol@contoso.test").await;
    assert!(
        before.location.is_none() && before.body.contains("name=\"flow\""),
        "consent page expected: {before:?}"
    );

    // The app's service principal, then Microsoft Graph's.
    let (status, sp) = graph(
        &t,
        Method::POST,
        &admin,
        "/servicePrincipals",
        &[],
        Some(&json!({ "appId": app_id })),
    )
    .await;
    assert_eq!(status, 201, "{sp}");
    let theirs = sample("graph_serviceprincipal_create_response.json");
    assert_shape(&sp, &theirs, "servicePrincipal", &[]);
    assert_eq!(context(&sp), context(&theirs));
    assert_eq!(
        (sp["appId"].as_str(), sp["displayName"].as_str()),
        (Some(app_id.as_str()), Some("Helpdesk mail"))
    );
    let sp_id = sp["id"].as_str().unwrap().to_owned();

    let roles = microsoft_graph_sp(&t, &admin, "id,displayName,appId,appRoles").await;
    let theirs = sample("graph_serviceprincipal_msgraph_approles_filter.json");
    assert_shape(&roles, &theirs, "list", &[]);
    assert_eq!(context(&roles), context(&theirs));
    let graph_sp = roles["value"][0]["id"].as_str().unwrap().to_owned();
    let mail_role = roles["value"][0]["appRoles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == "Mail.ReadWrite")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        mail_role,
        permission_id("Mail.ReadWrite", "applicationScopesList")
    );
    let scopes =
        microsoft_graph_sp(&t, &admin, "id,displayName,appId,oauth2PermissionScopes").await;
    let theirs = sample("graph_serviceprincipal_msgraph_scopes_filter.json");
    assert_shape(&scopes, &theirs, "list", &[]);
    assert_eq!(context(&scopes), context(&theirs));
    let user_read_all = scopes["value"][0]["oauth2PermissionScopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["value"] == "User.Read.All")
        .unwrap();
    assert_eq!(
        (user_read_all["id"].as_str(), user_read_all["type"].as_str()),
        (Some("a154be20-db9c-4678-8ab7-66f6cc099a59"), Some("Admin"))
    );

    // Admin consent for the delegated permissions, in the sample's shape.
    let mut grant = sample("graph_oauth2permissiongrant_create_request_allprincipals.json");
    grant["clientId"] = json!(sp_id);
    grant["resourceId"] = json!(graph_sp);
    grant["scope"] = json!("Mail.ReadWrite offline_access");
    let (status, created) = graph(
        &t,
        Method::POST,
        &admin,
        "/oauth2PermissionGrants",
        &[],
        Some(&grant),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let theirs = sample("graph_oauth2permissiongrant_create_response.json");
    assert_shape(&created, &theirs, "grant", &["grant.principalId"]);
    assert_eq!(context(&created), context(&theirs));
    assert_eq!(
        (
            created["consentType"].as_str(),
            created["principalId"].clone()
        ),
        (Some("AllPrincipals"), Value::Null)
    );

    // The application permission, in the sample's shape.
    let mut assignment = sample("graph_approleassignedto_create_request.json");
    assignment["principalId"] = json!(sp_id);
    assignment["resourceId"] = json!(graph_sp);
    assignment["appRoleId"] = mail_role.clone();
    let (status, assigned) = graph(
        &t,
        Method::POST,
        &admin,
        &format!("/servicePrincipals/{graph_sp}/appRoleAssignedTo"),
        &[],
        Some(&assignment),
    )
    .await;
    assert_eq!(status, 201, "{assigned}");
    let theirs = sample("graph_approleassignedto_create_response.json");
    assert_shape(&assigned, &theirs, "assignment", &[]);
    assert_eq!(
        context(&assigned),
        context(&theirs).replace(SAMPLE_GRAPH_SP, &graph_sp)
    );
    assert_eq!(
        (
            assigned["principalDisplayName"].as_str(),
            assigned["resourceDisplayName"].as_str(),
            assigned["principalType"].as_str()
        ),
        (
            Some("Helpdesk mail"),
            Some("Microsoft Graph"),
            Some("ServicePrincipal")
        )
    );

    // Now the app's client-credentials token carries the role ...
    let (status, cc) = t
        .client_credentials(
            TENANT,
            &app_id,
            &secret,
            "https://graph.microsoft.com/.default",
        )
        .await;
    assert_eq!(status, 200, "{cc}");
    let at = introspect(&t, cc["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (at["roles"].clone(), at["client_id"].as_str()),
        (json!(["Mail.ReadWrite"]), Some(app_id.as_str()))
    );

    // ... and a user (not an admin) signs in without being asked to consent.
    let step = authorize_new_app(&t, &app_id, "carol@contoso.test").await;
    let code = step
        .redirect_param("code")
        .unwrap_or_else(|| panic!("no consent prompt expected: {step:?}"));
    let (status, tokens) = t
        .token(
            TENANT,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &app_id),
                ("client_secret", &secret),
                ("code", &code),
                ("redirect_uri", "http://localhost:53682/callback"),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["refresh_token"].is_string());
    let at = introspect(&t, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (at["username"].as_str(), at["scope"].as_str()),
        (Some("carol@contoso.test"), Some("Mail.ReadWrite"))
    );
    t.stop().await;
}

#[tokio::test]
async fn a_non_admin_gets_the_consent_path_and_then_403() {
    let t = TestSim::start().await;
    // The Azure CLI's directory permissions are not consented for Bob.
    let (status, body) = cli_login(&t, "bob@contoso.test", ADMIN_SCOPES).await;
    assert_eq!((status, code_of(&body)), (400, 65001), "{body}");

    // Bob consents for himself on the device login pages; Graph still refuses him.
    let d = device_code(&t, ADMIN_SCOPES).await;
    let page = t
        .post_form("/devicelogin", &[("otc", d["user_code"].as_str().unwrap())])
        .await;
    let page = t
        .post_form(
            &format!("/{TENANT}/login"),
            &[
                ("flow", &page.flow()),
                ("username", "bob@contoso.test"),
                ("password", "bob-pw"),
            ],
        )
        .await;
    assert!(page.body.contains("Application.ReadWrite.All"), "{page:?}");
    t.post_form(
        &format!("/{TENANT}/consent"),
        &[("flow", &page.flow()), ("decision", "accept")],
    )
    .await;
    let (status, body) = redeem_device(&t, &d).await;
    assert_eq!(status, 200, "{body}");
    let bob = body["access_token"].as_str().unwrap();
    assert!(introspect(&t, bob).await["scope"]
        .as_str()
        .unwrap()
        .contains("Application.ReadWrite.All"));
    let (status, err) = graph(
        &t,
        Method::POST,
        bob,
        "/applications",
        &[],
        Some(&new_app_body("Bob's app")),
    )
    .await;
    assert_error(status, &err, 403, "Authorization_RequestDenied");
    assert_eq!(
        err["error"]["message"],
        "Insufficient privileges to complete the operation."
    );

    // An admin's token without the permission is refused too, reads included.
    let mail_only = t
        .user_tokens("alice@contoso.test", "Mail.ReadWrite offline_access")
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (method, path, body) in [
        (Method::POST, "/applications", Some(new_app_body("x"))),
        (Method::GET, "/applications", None),
        (Method::GET, "/oauth2PermissionGrants", None),
    ] {
        let (status, err) = graph(&t, method, &mail_only, path, &[], body.as_ref()).await;
        assert_error(status, &err, 403, "Authorization_RequestDenied");
    }
    t.stop().await;
}

#[tokio::test]
async fn lookups_find_the_app_again_and_refuse_what_graph_refuses() {
    let t = TestSim::start().await;
    let admin = admin_token(&t).await;
    let (status, app) = graph(
        &t,
        Method::POST,
        &admin,
        "/applications",
        &[],
        Some(&new_app_body("Helpdesk O'Mail")),
    )
    .await;
    assert_eq!(status, 201, "{app}");
    let (object_id, app_id) = (
        app["id"].as_str().unwrap().to_owned(),
        app["appId"].as_str().unwrap().to_owned(),
    );

    // By appId and by display name, as a repair run finds the app again.
    let by_app_id = format!("appId eq '{app_id}'");
    for filter in [by_app_id.as_str(), "displayName eq 'Helpdesk O''Mail'"] {
        let (status, list) = graph(
            &t,
            Method::GET,
            &admin,
            "/applications",
            &[("$filter", filter)],
            None,
        )
        .await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(context(&list), "applications");
        let ids: Vec<&Value> = list["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["id"])
            .collect();
        assert_eq!(ids, [&json!(object_id)], "{filter}: {list}");
    }
    let (_, none) = graph(
        &t,
        Method::GET,
        &admin,
        "/applications",
        &[("$filter", "displayName eq 'Nothing like it'")],
        None,
    )
    .await;
    assert_eq!(none["value"], json!([]));
    let (_, selected) = graph(
        &t,
        Method::GET,
        &admin,
        "/applications",
        &[("$filter", &by_app_id), ("$select", "id,appId")],
        None,
    )
    .await;
    assert_eq!(context(&selected), "applications(id,appId)");
    assert_eq!(
        selected["value"][0],
        json!({ "id": object_id, "appId": app_id })
    );
    let (status, by_key) = graph(
        &t,
        Method::GET,
        &admin,
        &format!("/applications(appId='{app_id}')"),
        &[],
        None,
    )
    .await;
    assert_eq!((status, &by_key["id"]), (200, &json!(object_id)));
    // The Azure CLI is in the tenant, but it is not one of its app registrations.
    let (_, cli) = graph(
        &t,
        Method::GET,
        &admin,
        "/applications",
        &[("$filter", &format!("appId eq '{AZURE_CLI}'"))],
        None,
    )
    .await;
    assert_eq!(cli["value"], json!([]));

    // A seeded app registered in the portal: its configured permissions, its service principal.
    let (status, seeded) = graph(
        &t,
        Method::GET,
        &admin,
        &format!("/applications(appId='{APP}')"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200, "{seeded}");
    let graph_access = seeded["requiredResourceAccess"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resourceAppId"] == GRAPH_APP_ID)
        .unwrap()["resourceAccess"]
        .clone();
    assert!(graph_access.as_array().unwrap().contains(&json!({
        "id": permission_id("Mail.ReadWrite", "delegatedScopesList"), "type": "Scope"
    })));
    assert!(graph_access.as_array().unwrap().contains(&json!({
        "id": permission_id("User.Read.All", "applicationScopesList"), "type": "Role"
    })));
    let sp_filter = format!("appId eq '{app_id}'");
    let (_, sps) = graph(
        &t,
        Method::GET,
        &admin,
        "/servicePrincipals",
        &[("$filter", &sp_filter)],
        None,
    )
    .await;
    assert_eq!(sps["value"], json!([]), "no service principal until POST");
    let (status, seeded_sp) = graph(
        &t,
        Method::GET,
        &admin,
        &format!("/servicePrincipals(appId='{APP}')"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, seeded_sp["displayName"].as_str()),
        (200, Some("Helpdesk"))
    );

    // Service principal, grant, assignment; each is found again, and a second one is refused.
    let (_, sp) = graph(
        &t,
        Method::POST,
        &admin,
        "/servicePrincipals",
        &[],
        Some(&json!({ "appId": app_id })),
    )
    .await;
    let sp_id = sp["id"].as_str().unwrap().to_owned();
    let (status, err) = graph(
        &t,
        Method::POST,
        &admin,
        "/servicePrincipals",
        &[],
        Some(&json!({ "appId": app_id })),
    )
    .await;
    assert_error(status, &err, 409, "Request_MultipleObjectsWithSameKeyValue");
    let (_, sps) = graph(
        &t,
        Method::GET,
        &admin,
        "/servicePrincipals",
        &[("$filter", &sp_filter), ("$select", "id,appId")],
        None,
    )
    .await;
    assert_eq!(sps["value"], json!([{ "id": sp_id, "appId": app_id }]));
    let graph_sp = microsoft_graph_sp(&t, &admin, "id").await["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let grant = json!({ "clientId": sp_id, "consentType": "AllPrincipals", "resourceId": graph_sp, "scope": "Mail.ReadWrite" });
    let (status, created) = graph(
        &t,
        Method::POST,
        &admin,
        "/oauth2PermissionGrants",
        &[],
        Some(&grant),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, err) = graph(
        &t,
        Method::POST,
        &admin,
        "/oauth2PermissionGrants",
        &[],
        Some(&grant),
    )
    .await;
    assert_error(status, &err, 409, "Request_MultipleObjectsWithSameKeyValue");
    let (_, grants) = graph(
        &t,
        Method::GET,
        &admin,
        "/oauth2PermissionGrants",
        &[("$filter", &format!("clientId eq '{sp_id}'"))],
        None,
    )
    .await;
    assert_eq!(context(&grants), "oauth2PermissionGrants");
    assert_eq!(grants["value"].as_array().unwrap().len(), 1, "{grants}");
    assert_eq!(
        (&grants["value"][0]["id"], &grants["value"][0]["scope"]),
        (&created["id"], &json!("Mail.ReadWrite"))
    );
    let role = json!({ "principalId": sp_id, "resourceId": graph_sp, "appRoleId": permission_id("Application.Read.All", "applicationScopesList") });
    let path = format!("/servicePrincipals/{graph_sp}/appRoleAssignedTo");
    let (status, _) = graph(&t, Method::POST, &admin, &path, &[], Some(&role)).await;
    assert_eq!(status, 201);
    let (status, err) = graph(&t, Method::POST, &admin, &path, &[], Some(&role)).await;
    assert_error(status, &err, 400, "Request_BadRequest");
    let (_, assigned) = graph(&t, Method::GET, &admin, &path, &[], None).await;
    assert_eq!(assigned["value"][0]["principalId"], json!(sp_id));
    let (_, held) = graph(
        &t,
        Method::GET,
        &admin,
        &format!("/servicePrincipals/{sp_id}/appRoleAssignments"),
        &[],
        None,
    )
    .await;
    assert_eq!(held["value"], assigned["value"]);
    let delegated_id = json!({ "principalId": sp_id, "resourceId": graph_sp, "appRoleId": permission_id("Mail.ReadWrite", "delegatedScopesList") });
    let (status, err) = graph(&t, Method::POST, &admin, &path, &[], Some(&delegated_id)).await;
    assert_error(status, &err, 400, "Request_BadRequest");

    // An app-only caller with Application.Read.All reads applications but may not write them.
    let (_, password) = graph(
        &t,
        Method::POST,
        &admin,
        &format!("/applications(appId='{app_id}')/addPassword"),
        &[],
        Some(&json!({})),
    )
    .await;
    let (_, cc) = t
        .client_credentials(
            TENANT,
            &app_id,
            password["secretText"].as_str().unwrap(),
            "https://graph.microsoft.com/.default",
        )
        .await;
    let app_only = cc["access_token"].as_str().unwrap();
    let (status, _) = graph(
        &t,
        Method::GET,
        app_only,
        "/applications",
        &[("$filter", &by_app_id)],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, err) = graph(
        &t,
        Method::POST,
        app_only,
        "/applications",
        &[],
        Some(&new_app_body("x")),
    )
    .await;
    assert_error(status, &err, 403, "Authorization_RequestDenied");

    // removePassword: 204, the secret is gone from the app and the token endpoint refuses it;
    // the same keyId again, or none, is a bad request.
    let remove = format!("/applications(appId='{app_id}')/removePassword");
    let key = json!({ "keyId": password["keyId"] });
    let (status, _) = graph(&t, Method::POST, &admin, &remove, &[], Some(&key)).await;
    assert_eq!(status, 204);
    let (_, app) = graph(
        &t,
        Method::GET,
        &admin,
        &format!("/applications(appId='{app_id}')"),
        &[],
        None,
    )
    .await;
    assert!(
        !app["passwordCredentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["keyId"] == password["keyId"]),
        "{app:#}"
    );
    let (status, refused) = t
        .client_credentials(
            TENANT,
            &app_id,
            password["secretText"].as_str().unwrap(),
            "https://graph.microsoft.com/.default",
        )
        .await;
    assert_eq!(status, 401, "{refused}");
    assert!(
        refused["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215"),
        "{refused}"
    );
    for body in [key, json!({})] {
        let (status, err) = graph(&t, Method::POST, &admin, &remove, &[], Some(&body)).await;
        assert_error(status, &err, 400, "Request_BadRequest");
    }

    // Unknown objects and bad bodies.
    let missing = "99999999-0000-4000-8000-000000000000";
    for path in [
        format!("/applications/{missing}"),
        format!("/applications(appId='{missing}')"),
        format!("/servicePrincipals/{missing}"),
    ] {
        let (status, err) = graph(&t, Method::GET, &admin, &path, &[], None).await;
        assert_error(status, &err, 404, "Request_ResourceNotFound");
    }
    let (status, err) = graph(
        &t,
        Method::POST,
        &admin,
        &format!("/applications/{missing}/addPassword"),
        &[],
        Some(&json!({})),
    )
    .await;
    assert_error(status, &err, 404, "Request_ResourceNotFound");
    for (body, property) in [
        (json!({ "displayName": 5 }), "displayName"),
        (json!({ "signInAudience": "Everyone" }), "signInAudience"),
        (
            json!({ "web": { "redirectUris": "http://localhost" } }),
            "web.redirectUris",
        ),
        (
            json!({ "web": { "redirectUris": ["http://helpdesk.contoso.test/cb"] } }),
            "web.redirectUris",
        ),
        (
            json!({ "requiredResourceAccess": [ { "resourceAppId": GRAPH_APP_ID, "resourceAccess": [ { "id": "x", "type": "Scope" } ] } ] }),
            "resourceAccess",
        ),
        (json!({ "redirectUri": "http://localhost" }), "redirectUri"),
    ] {
        let (status, err) = graph(
            &t,
            Method::PATCH,
            &admin,
            &format!("/applications/{object_id}"),
            &[],
            Some(&body),
        )
        .await;
        assert_error(status, &err, 400, "Request_BadRequest");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("'{property}'")),
            "{err}"
        );
    }
    let (status, err) = graph(
        &t,
        Method::POST,
        &admin,
        "/applications",
        &[],
        Some(&json!({ "signInAudience": "AzureADMyOrg" })),
    )
    .await;
    assert_error(status, &err, 400, "Request_BadRequest");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'displayName'"),
        "{err}"
    );
    let (status, err) = graph(&t, Method::POST, &admin, "/oauth2PermissionGrants", &[], Some(&json!({ "clientId": sp_id, "consentType": "Everybody", "resourceId": graph_sp, "scope": "Mail.Read" }))).await;
    assert_error(status, &err, 400, "Request_BadRequest");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'consentType'"),
        "{err}"
    );
    t.stop().await;
}

#[tokio::test]
async fn patching_redirect_uris_changes_what_authorize_accepts() {
    let t = TestSim::start().await;
    let admin = admin_token(&t).await;
    let (_, app) = graph(
        &t,
        Method::POST,
        &admin,
        "/applications",
        &[],
        Some(&new_app_body("Redirects")),
    )
    .await;
    let (object_id, app_id) = (
        app["id"].as_str().unwrap().to_owned(),
        app["appId"].as_str().unwrap().to_owned(),
    );
    let accepted = |step: &Step| step.status != 400 && !step.body.contains("AADSTS50011");
    let step = authorize_new_app(&t, &app_id, "alice@contoso.test").await;
    assert!(accepted(&step), "{step:?}");

    let (status, body) = graph(
        &t,
        Method::PATCH,
        &admin,
        &format!("/applications/{object_id}"),
        &[],
        Some(&json!({ "web": { "redirectUris": ["https://helpdesk.contoso.test/callback"] } })),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    let step = authorize_new_app(&t, &app_id, "alice@contoso.test").await;
    assert_eq!(step.status, 400);
    assert!(step.body.contains("AADSTS50011"), "{step:?}");
    let (_, now) = graph(
        &t,
        Method::GET,
        &admin,
        &format!("/applications/{object_id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        now["web"]["redirectUris"],
        json!(["https://helpdesk.contoso.test/callback"])
    );

    // Put back (through the appId key, as a repair that only knows the client id would).
    let (status, _) = graph(
        &t,
        Method::PATCH,
        &admin,
        &format!("/applications(appId='{app_id}')"),
        &[],
        Some(&json!({ "web": { "redirectUris": ["https://helpdesk.contoso.test/callback", NEW_REDIRECT] } })),
    )
    .await;
    assert_eq!(status, 204);
    let step = authorize_new_app(&t, &app_id, "alice@contoso.test").await;
    assert!(accepted(&step), "{step:?}");
    t.stop().await;
}
