//! A simulator per test, a client that trusts its CA and does not follow redirects, and the
//! seed every identity test starts from.
#![allow(dead_code)] // each test file uses a different part
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use m365_sim::{RunningSim, Seed};
use reqwest::redirect::Policy;
use serde_json::Value;
use std::collections::HashMap;

pub const TENANT: &str = "11111111-1111-4111-8111-111111111111";
pub const OTHER_TENANT: &str = "22222222-2222-4222-8222-222222222222";
pub const APP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub const APP_SECRET: &str = "Qx8Q~helpdesk-secret-value-0123456789abcd";
pub const APP_SECRET_ID: &str = "5e5e5e5e-0000-4000-8000-000000000001";
pub const EXPIRED_SECRET: &str = "Qx8Q~expired-secret-value-0123456789abcd";
pub const UNCONSENTED_APP: &str = "aaaaaaaa-0000-4000-8000-000000000002";
pub const PUBLIC_APP: &str = "aaaaaaaa-0000-4000-8000-000000000003";
pub const MULTI_APP: &str = "aaaaaaaa-0000-4000-8000-000000000004";
pub const STRICT_APP: &str = "bbbbbbbb-0000-4000-8000-000000000001";
pub const REDIRECT: &str = "http://localhost/callback";

pub fn seed() -> Seed {
    let json = serde_json::json!({
        "tenants": [
            {
                "id": TENANT, "domains": ["contoso.test", "contoso.onmicrosoft.test"],
                "users": [
                    { "id": "0000000a-0000-4000-8000-00000000000a", "upn": "alice@contoso.test", "password": "alice-pw", "display_name": "Alice Admin", "admin": true, "auto_sign_in": true },
                    { "id": "0000000b-0000-4000-8000-00000000000b", "upn": "bob@contoso.test", "password": "bob-pw", "display_name": "Bob", "auto_sign_in": false },
                    { "id": "0000000c-0000-4000-8000-00000000000c", "upn": "carol@contoso.test", "password": "carol-pw", "display_name": "Carol", "auto_sign_in": true, "password_changed": "2026-01-01T00:00:00Z" },
                    { "id": "0000000d-0000-4000-8000-00000000000d", "upn": "dave@outlook.test", "password": "dave-pw", "display_name": "Dave (personal)", "auto_sign_in": true, "personal": true },
                    { "id": "0000000f-0000-4000-8000-00000000000f", "upn": "ulrich@contoso.test", "password": "ulrich-pw", "display_name": "Ulrich Unlicensed", "auto_sign_in": true, "licensed": false }
                ],
                "shared_mailboxes": [
                    { "id": "5a5a5a5a-0000-4000-8000-000000000001", "address": "support@contoso.test", "full_access": ["alice@contoso.test"], "send_as": ["alice@contoso.test"] }
                ],
                "apps": [
                    { "client_id": APP, "display_name": "Helpdesk", "sign_in_audience": "AzureADMyOrg",
                      "secrets": [ { "id": APP_SECRET_ID, "value": APP_SECRET, "expires": "2099-01-01T00:00:00Z" },
                                   { "id": "5e5e5e5e-0000-4000-8000-000000000002", "value": EXPIRED_SECRET, "expires": "2020-01-01T00:00:00Z" } ],
                      "redirect_uris": { "web": [REDIRECT, "https://helpdesk.contoso.test/api/v1/external_credentials/microsoft365/callback"], "public": [] },
                      "delegated": ["User.Read", "Mail.ReadWrite", "Mail.ReadWrite.Shared", "Mail.Send", "Mail.Send.Shared", "https://outlook.office.com/IMAP.AccessAsUser.All", "SMTP.Send", "offline_access", "openid", "profile", "email"],
                      "application": ["Mail.ReadWrite", "User.Read.All"],
                      "admin_consented": true },
                    { "client_id": UNCONSENTED_APP, "display_name": "Not yet consented",
                      "secrets": [ { "id": "5e5e5e5e-0000-4000-8000-000000000003", "value": APP_SECRET, "expires": "2099-01-01T00:00:00Z" } ],
                      "redirect_uris": { "web": [REDIRECT] }, "delegated": ["Mail.ReadWrite", "offline_access"], "admin_consented": false },
                    { "client_id": PUBLIC_APP, "display_name": "Desktop", "public_client": true,
                      "redirect_uris": { "public": ["http://localhost"] }, "delegated": ["Mail.ReadWrite", "offline_access", "openid"], "admin_consented": true },
                    { "client_id": MULTI_APP, "display_name": "Multitenant helpdesk", "sign_in_audience": "AzureADMultipleOrgs",
                      "secrets": [ { "id": "5e5e5e5e-0000-4000-8000-000000000004", "value": APP_SECRET, "expires": "2099-01-01T00:00:00Z" } ],
                      "redirect_uris": { "web": [REDIRECT] }, "delegated": ["Mail.ReadWrite", "offline_access", "openid"], "admin_consented": true }
                ]
            },
            {
                "id": OTHER_TENANT, "domains": ["fabrikam.test"], "admin_consent_required": true,
                "users": [
                    { "id": "0000000e-0000-4000-8000-00000000000e", "upn": "erin@fabrikam.test", "password": "erin-pw", "display_name": "Erin", "auto_sign_in": true }
                ],
                "apps": [
                    { "client_id": STRICT_APP, "display_name": "Fabrikam helpdesk",
                      "secrets": [ { "id": "5e5e5e5e-0000-4000-8000-000000000005", "value": APP_SECRET, "expires": "2099-01-01T00:00:00Z" } ],
                      "redirect_uris": { "web": [REDIRECT] }, "delegated": ["Mail.ReadWrite", "offline_access"], "admin_consented": false }
                ]
            }
        ],
        "mailboxes": {
            "Support@contoso.test": { "folders": [ { "name": "Inbox", "well_known": "inbox", "children": [], "messages": [
                { "eml": "cpython-msg_41.eml", "received": "2026-01-01T10:00:00Z", "is_read": false },
                { "eml": "cpython-msg_40.eml", "received": "2026-01-02T10:00:00Z", "is_read": true }
            ] } ] }
        }
    });
    let mut seed = Seed::from_json(&json.to_string()).expect("test seed");
    seed.base_dir = corpus_dir();
    seed
}

pub struct TestSim {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

impl TestSim {
    pub async fn start() -> Self {
        Self::start_with(seed()).await
    }

    pub async fn start_with(seed: Seed) -> Self {
        let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), seed)
            .await
            .expect("simulator starts");
        let ca = std::fs::read(&sim.endpoints.ca_file).expect("CA file");
        let http = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("CA PEM"))
            .tls_built_in_root_certs(false)
            .redirect(Policy::none())
            .build()
            .expect("client");
        Self { sim, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.endpoints.authority)
    }

    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let res = self
            .http
            .post(self.url(&format!("/{tenant}/oauth2/v2.0/token")))
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = res.status().as_u16();
        (status, res.json().await.expect("JSON body"))
    }

    /// An app-only Graph token of the helpdesk app (roles Mail.ReadWrite, User.Read.All).
    pub async fn app_token(&self) -> String {
        let (status, body) = self
            .client_credentials(
                TENANT,
                APP,
                APP_SECRET,
                "https://graph.microsoft.com/.default",
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn client_credentials(
        &self,
        tenant: &str,
        client: &str,
        secret: &str,
        scope: &str,
    ) -> (u16, Value) {
        self.token(
            tenant,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", secret),
                ("scope", scope),
            ],
        )
        .await
    }

    /// Redeems a code from [`TestSim::code_for`] for the helpdesk app.
    pub async fn redeem(&self, code: &str, verifier: &str) -> (u16, Value) {
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", APP),
            ("client_secret", APP_SECRET),
            ("code", code),
            ("redirect_uri", "http://localhost:53682/callback"),
            ("code_verifier", verifier),
        ];
        self.token(TENANT, &form).await
    }

    /// An `/authorize` request with these parameters, not following the redirect.
    pub async fn authorize(&self, tenant: &str, params: &[(&str, &str)]) -> Step {
        let q = serde_urlencoded::to_string(params).unwrap();
        self.get(&format!("/{tenant}/oauth2/v2.0/authorize?{q}"))
            .await
    }

    /// GET without following redirects: the status and the Location's query (or the page).
    pub async fn get(&self, path_and_query: &str) -> Step {
        step(
            self.http
                .get(self.url(path_and_query))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Step {
        step(
            self.http
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    pub async fn clock(&self, offset_secs: i64) {
        let res = self
            .http
            .post(self.url("/_sim/clock"))
            .json(&serde_json::json!({ "offset_secs": offset_secs }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }

    /// Runs an authorization request for an auto-sign-in user and returns the code.
    pub async fn code_for(
        &self,
        tenant: &str,
        client: &str,
        user: &str,
        scope: &str,
        verifier: &str,
    ) -> String {
        let challenge = m365_sim::tenant::keys::pkce_s256(verifier);
        let q = authorize_query(client, scope, user, &challenge);
        let step = self
            .get(&format!("/{tenant}/oauth2/v2.0/authorize?{q}"))
            .await;
        step.redirect_param("code")
            .unwrap_or_else(|| panic!("no code: {step:?}"))
    }

    /// Signs `user` in to the helpdesk app for `scope` and returns the token response.
    pub async fn user_tokens(&self, user: &str, scope: &str) -> Value {
        let verifier = "support-verifier-support-verifier-support-ve";
        let code = self.code_for(TENANT, APP, user, scope, verifier).await;
        let (status, body) = self.redeem(&code, verifier).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn stop(self) {
        self.sim.stop().await;
    }
}

pub fn authorize_query(client: &str, scope: &str, user: &str, challenge: &str) -> String {
    serde_urlencoded::to_string([
        ("client_id", client),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:53682/callback"),
        ("scope", scope),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("login_hint", user),
    ])
    .unwrap()
}

#[derive(Debug)]
pub struct Step {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

async fn step(res: reqwest::Response) -> Step {
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Step {
        status,
        location,
        body: res.text().await.unwrap_or_default(),
    }
}

impl Step {
    pub fn redirect_params(&self) -> HashMap<String, String> {
        assert_eq!(
            self.status, 302,
            "login.microsoftonline.com redirects with 302 Found"
        );
        let loc = self
            .location
            .as_deref()
            .unwrap_or_else(|| panic!("no redirect: {self:?}"));
        url::Url::parse(loc)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    pub fn redirect_param(&self, name: &str) -> Option<String> {
        self.location.as_ref()?;
        self.redirect_params().get(name).cloned()
    }

    /// The hidden `flow` field of a sign-in or consent page.
    pub fn flow(&self) -> String {
        let at = self
            .body
            .find("name=\"flow\" value=\"")
            .unwrap_or_else(|| panic!("no flow field: {}", self.body));
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

pub fn code_of(body: &Value) -> u64 {
    body["error_codes"][0]
        .as_u64()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

/// One of Microsoft's samples in shared/reference/microsoft/ (shared/ sits beside the repository).
pub fn sample(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/reference/microsoft")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The project's mail corpus (tests/corpus), which seeds the mailboxes.
pub fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/corpus")
}
