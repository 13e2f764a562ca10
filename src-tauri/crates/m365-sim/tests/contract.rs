//! The simulator's answers against Microsoft's own samples (shared/reference/microsoft/):
//! status, the headers that matter, and the JSON shape (keys in order, types, nesting).
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use serde_json::Value;
use support::*;

/// Same keys in the same order, same JSON types, recursively; values may differ.
fn same_shape(ours: &Value, theirs: &Value, at: &str) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            // Graph's errors repeat the client's id after the two the documented sample has.
            let added = |k: &&String| {
                at.ends_with(".innerError") && *k == "client-request-id" && !b.contains_key(*k)
            };
            let ka: Vec<&String> = a.keys().filter(|k| !added(k)).collect();
            let kb: Vec<&String> = b.keys().collect();
            assert_eq!(ka, kb, "keys at {at}");
            for (k, v) in b {
                same_shape(&a[k], v, &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                same_shape(x, y, &format!("{at}[0]"));
            }
        }
        (a, b) => assert_eq!(
            std::mem::discriminant(a),
            std::mem::discriminant(b),
            "type at {at}: {a} vs {b}"
        ),
    }
}

#[tokio::test]
async fn invalid_client_matches_microsofts_envelope() {
    let t = TestSim::start().await;
    let res = t
        .http
        .post(t.url(&format!("/{TENANT}/oauth2/v2.0/token")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", APP_SECRET_ID),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["cache-control"], "no-store, no-cache");
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let ours: Value = res.json().await.unwrap();
    let theirs = sample("token_error_invalid_client_bad_secret.json");
    same_shape(&ours, &theirs, "$");
    let d = ours["error_description"].as_str().unwrap();
    let parts: Vec<&str> = d.split("\r\n").collect();
    assert_eq!(parts.len(), 4, "{d:?}");
    assert!(parts[0].starts_with("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID"));
    assert_eq!(
        parts[1],
        format!("Trace ID: {}", ours["trace_id"].as_str().unwrap())
    );
    assert_eq!(
        parts[2],
        format!(
            "Correlation ID: {}",
            ours["correlation_id"].as_str().unwrap()
        )
    );
    assert_eq!(
        parts[3],
        format!("Timestamp: {}", ours["timestamp"].as_str().unwrap())
    );
    assert_eq!(
        ours["error_uri"],
        "https://login.microsoftonline.com/error?code=7000215"
    );
    t.stop().await;
}

#[tokio::test]
async fn invalid_scope_matches_the_reference_sample() {
    let t = TestSim::start().await;
    let (status, ours) = t
        .client_credentials(
            TENANT,
            APP,
            APP_SECRET,
            "https://foo.microsoft.com/mail.read",
        )
        .await;
    assert_eq!(status, 400);
    same_shape(
        &ours,
        &sample("token_error_reference_sample_with_error_uri.json"),
        "$",
    );
    assert_eq!(
        (ours["error"].as_str(), code_of(&ours)),
        (Some("invalid_scope"), 70011)
    );
    t.stop().await;
}

#[tokio::test]
async fn token_successes_match_their_samples() {
    let t = TestSim::start().await;
    let (_, cc) = t
        .client_credentials(
            TENANT,
            APP,
            APP_SECRET,
            "https://graph.microsoft.com/.default",
        )
        .await;
    same_shape(&cc, &sample("token_success_client_credentials.json"), "$");

    let verifier = "contract-verifier-contract-verifier-contract";
    let code = t
        .code_for(
            TENANT,
            APP,
            "alice@contoso.test",
            "Mail.ReadWrite offline_access openid",
            verifier,
        )
        .await;
    let (_, ac) = t.redeem(&code, verifier).await;
    same_shape(&ac, &sample("token_success_authcode.json"), "$");

    let (_, rt) = t
        .token(
            TENANT,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", APP),
                ("client_secret", APP_SECRET),
                ("refresh_token", ac["refresh_token"].as_str().unwrap()),
                ("scope", "Mail.ReadWrite"),
            ],
        )
        .await;
    same_shape(&rt, &sample("token_success_authcode.json"), "$");
    t.stop().await;
}

#[tokio::test]
async fn jwks_has_the_documented_key_fields() {
    let t = TestSim::start().await;
    let ours: Value = t
        .http
        .get(t.url("/common/discovery/v2.0/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let theirs = sample("jwks_keys_common_v2_doc_excerpt.json");
    let key = &ours["keys"][0];
    for (k, v) in theirs["keys"][0].as_object().unwrap() {
        assert_eq!(
            std::mem::discriminant(&key[k]),
            std::mem::discriminant(v),
            "{k}"
        );
    }
    // x5c carries the signing key's certificate, and x5t (= kid) is its SHA-1 thumbprint.
    use base64::Engine;
    use sha1::Digest;
    let cert = base64::engine::general_purpose::STANDARD
        .decode(key["x5c"][0].as_str().unwrap())
        .unwrap();
    let thumbprint =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(&cert));
    assert_eq!(
        (key["x5t"].as_str(), key["kid"].as_str()),
        (Some(thumbprint.as_str()), Some(thumbprint.as_str()))
    );
    let modulus = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key["n"].as_str().unwrap())
        .unwrap();
    assert!(
        cert.windows(modulus.len()).any(|w| w == modulus.as_slice()),
        "the certificate holds the published key"
    );
    t.stop().await;
}

/// Every key of a truncated sample is present in ours with the same JSON type.
fn covers(ours: &Value, theirs: &Value, at: &str) {
    for (k, v) in theirs.as_object().unwrap() {
        let mine = ours
            .get(k)
            .unwrap_or_else(|| panic!("{at}.{k} missing from {ours}"));
        if !v.is_null() {
            assert_eq!(
                std::mem::discriminant(mine),
                std::mem::discriminant(v),
                "type at {at}.{k}"
            );
        }
    }
}

fn sorted_keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn graph(
    t: &TestSim,
    token: &str,
    path: &str,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Value) {
    let res = t
        .http
        .get(format!("{}/v1.0{path}", t.sim.endpoints.graph))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.json().await.unwrap())
}

#[tokio::test]
async fn graph_mail_answers_match_microsofts_samples() {
    let t = TestSim::start().await;
    let alice = t
        .user_tokens(
            "alice@contoso.test",
            "Mail.ReadWrite Mail.Send Mail.ReadWrite.Shared offline_access",
        )
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let app = t.app_token().await;

    // A complete message, as sendMail delivers it to a mailbox in the tenant.
    let mail = serde_json::json!({ "message": { "subject": "Contract", "body": { "contentType": "HTML", "content": "<p>Hi</p>" },
        "toRecipients": [ { "emailAddress": { "address": "bob@contoso.test", "name": "Bob" } } ], "ccRecipients": [ { "emailAddress": { "address": "carol@contoso.test" } } ] } });
    let res = t
        .http
        .post(format!("{}/v1.0/me/sendMail", t.sim.endpoints.graph))
        .bearer_auth(&alice)
        .json(&mail)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let (_, _, list) = graph(
        &t,
        &app,
        "/users/bob@contoso.test/mailFolders/inbox/messages",
    )
    .await;
    covers(
        &list["value"][0],
        &sample("graph_messages_list_in_folder.json")["value"][0],
        "list",
    );
    let id = list["value"][0]["id"].as_str().unwrap();
    let (status, _, message) =
        graph(&t, &app, &format!("/users/bob@contoso.test/messages/{id}")).await;
    assert_eq!(status, 200);
    same_shape(&message, &sample("graph_message_get.json"), "$");

    let (_, _, folders) = graph(&t, &app, "/users/support@contoso.test/mailFolders").await;
    assert_eq!(sorted_keys(&folders), ["@odata.context", "value"]);
    same_shape(
        &folders["value"][0],
        &sample("graph_mailfolders_list.json")["value"][0],
        "folder",
    );

    let (status, _, denied) =
        graph(&t, &alice, "/users/carol@contoso.test/mailFolders/inbox").await;
    assert_eq!(status, 403);
    same_shape(
        &denied,
        &sample("graph_error_access_denied_app_access_policy.json"),
        "$",
    );

    let rule = serde_json::json!({ "path_prefix": "/graph/v1.0/users/bob", "kind": "status", "status": 429, "retry_after": "2", "times": 1 });
    t.http
        .post(t.url("/_sim/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    let (status, headers, throttled) = graph(&t, &app, "/users/bob@contoso.test").await;
    assert_eq!(
        (status.as_u16(), headers["retry-after"].to_str().unwrap()),
        (429, "2")
    );
    same_shape(&throttled, &sample("graph_error_throttled_429.json"), "$");
    t.stop().await;
}

#[tokio::test]
async fn device_code_tokens_and_attachments_have_the_documented_fields() {
    let t = TestSim::start().await;
    let d: Value = t
        .http
        .post(t.url(&format!("/{TENANT}/oauth2/v2.0/devicecode")))
        .form(&[
            ("client_id", PUBLIC_APP),
            ("scope", "Mail.ReadWrite offline_access openid"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let approve = serde_json::json!({ "user_code": d["user_code"], "upn": "alice@contoso.test", "decision": "approve" });
    t.http
        .post(t.url("/_sim/device"))
        .json(&approve)
        .send()
        .await
        .unwrap();
    let (status, tokens) = t
        .token(
            TENANT,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", PUBLIC_APP),
                ("device_code", d["device_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        sorted_keys(&tokens),
        sorted_keys(&sample("token_success_devicecode_doc.json"))
    );

    // The attachment list sample prints placeholders, so only its field names count.
    let mut seed = seed();
    seed.mailboxes.insert(
        "bob@contoso.test".into(),
        serde_json::from_value(serde_json::json!({ "folders": [ { "name": "Inbox", "messages": [ { "eml": "cpython-msg_07.eml", "received": "2026-02-03T10:00:00Z" } ] } ] })).unwrap(),
    );
    let t2 = TestSim::start_with(seed).await;
    let app = t2.app_token().await;
    let (_, _, list) = graph(
        &t2,
        &app,
        "/users/bob@contoso.test/mailFolders/inbox/messages",
    )
    .await;
    let (_, _, attachments) = graph(
        &t2,
        &app,
        &format!(
            "/users/bob@contoso.test/messages/{}/attachments",
            list["value"][0]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        sorted_keys(&attachments["value"][0]),
        sorted_keys(&sample("graph_attachments_list_placeholder.json")["value"][0])
    );
    t2.stop().await;
    t.stop().await;
}
