//! Graph v1.0: who may call, and whose mailbox they may open, by Exchange Online's rules.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;
use serde_json::Value;
use support::*;

const GRAPH_SCOPES: &str = "User.Read Mail.ReadWrite Mail.ReadWrite.Shared offline_access";

async fn get(t: &TestSim, token: &str, path: &str) -> (u16, Value) {
    let res = t
        .http
        .get(format!("{}/v1.0{path}", t.sim.endpoints.graph))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn graph_token(t: &TestSim, user: &str, scope: &str) -> String {
    t.user_tokens(user, scope).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with("@odata"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn me_answers_in_the_shape_of_microsofts_sample() {
    let t = TestSim::start().await;
    let token = graph_token(&t, "alice@contoso.test", GRAPH_SCOPES).await;
    let (status, me) = get(&t, &token, "/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(keys(&me), keys(&sample("graph_me_get.json")));
    assert_eq!(
        (me["id"].as_str(), me["userPrincipalName"].as_str()),
        (
            Some("0000000a-0000-4000-8000-00000000000a"),
            Some("alice@contoso.test")
        )
    );
    let (status, by_upn) = get(&t, &token, "/users/alice@contoso.test").await;
    assert_eq!((status, &by_upn["id"]), (200, &me["id"]));
    t.stop().await;
}

#[tokio::test]
async fn wrong_audience_expired_and_missing_tokens_get_401() {
    let t = TestSim::start().await;
    let outlook = graph_token(
        &t,
        "alice@contoso.test",
        "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    )
    .await;
    let (status, err) = get(&t, &outlook, "/me").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );
    let theirs = sample("graph_error_errors_doc_example.json");
    assert_eq!(keys(&err["error"]), keys(&theirs["error"]));
    // The documented `request-id` and `date`, then the `client-request-id` Graph adds.
    let mut inner = keys(&theirs["error"]["innerError"]);
    inner.sort();
    inner.insert(0, "client-request-id".to_owned());
    let mut ours = keys(&err["error"]["innerError"]);
    ours.sort();
    assert_eq!(ours, inner);

    let graph = graph_token(&t, "alice@contoso.test", GRAPH_SCOPES).await;
    t.clock(3600).await;
    assert_eq!(get(&t, &graph, "/me").await.0, 401);
    assert_eq!(get(&t, "", "/me").await.0, 401);
    t.stop().await;
}

/// Every answer names its request in `request-id` and echoes the client's `client-request-id`
/// (or repeats the request id), and an error's `innerError` carries the same ids and the
/// simulator's time.
#[tokio::test]
async fn answers_and_errors_carry_the_request_ids() {
    let t = TestSim::start().await;
    let mine = "6f1d1c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f";
    let res = t
        .http
        .get(format!("{}/v1.0/me", t.sim.endpoints.graph))
        .header("client-request-id", mine)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let header = |n: &str| res.headers()[n].to_str().unwrap().to_owned();
    let (request_id, client_request_id) = (header("request-id"), header("client-request-id"));
    assert_eq!(client_request_id, mine);
    assert!(uuid::Uuid::parse_str(&request_id).is_ok(), "{request_id}");
    let err: Value = res.json().await.unwrap();
    let inner = &err["error"]["innerError"];
    assert_eq!(
        (
            inner["request-id"].as_str(),
            inner["client-request-id"].as_str()
        ),
        (Some(request_id.as_str()), Some(mine))
    );
    t.clock(86_400 * 40).await;
    let token = graph_token(&t, "alice@contoso.test", GRAPH_SCOPES).await;
    let res = t
        .http
        .get(format!("{}/v1.0/me", t.sim.endpoints.graph))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["request-id"],
        res.headers()["client-request-id"],
        "no client id given: Graph repeats its own"
    );
    let (_, err) = get(&t, &token, "/users/nobody@contoso.test").await;
    let date = err["error"]["innerError"]["date"].as_str().unwrap();
    let date = chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S").unwrap();
    let off = date.and_utc() - (chrono::Utc::now() + chrono::Duration::days(40));
    assert!(
        off.num_minutes().abs() < 10,
        "dated by the simulator's clock: {err}"
    );
    t.stop().await;
}

#[tokio::test]
async fn mailbox_access_follows_exchange_rules() {
    let t = TestSim::start().await;
    let alice = graph_token(&t, "alice@contoso.test", GRAPH_SCOPES).await;

    let (status, inbox) = get(&t, &alice, "/me/mailFolders/inbox").await;
    assert_eq!(
        (status, inbox["displayName"].as_str()),
        (200, Some("Inbox"))
    );

    // A shared mailbox: full access plus a .Shared scope; the seeded counts show.
    let (status, shared) = get(&t, &alice, "/users/support@contoso.test/mailFolders/inbox").await;
    assert_eq!(status, 200, "{shared}");
    assert_eq!(
        (
            shared["totalItemCount"].as_u64(),
            shared["unreadItemCount"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let (status, again) = get(
        &t,
        &alice,
        &format!(
            "/users/support@contoso.test/mailFolders/{}",
            shared["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!((status, &again["id"]), (200, &shared["id"]));

    let no_shared_scope =
        graph_token(&t, "alice@contoso.test", "Mail.ReadWrite offline_access").await;
    let (status, err) = get(
        &t,
        &no_shared_scope,
        "/users/support@contoso.test/mailFolders/inbox",
    )
    .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (403, Some("ErrorAccessDenied"))
    );
    let carol = graph_token(&t, "carol@contoso.test", GRAPH_SCOPES).await;
    let (status, _) = get(&t, &carol, "/users/support@contoso.test/mailFolders/inbox").await;
    assert_eq!(status, 403, "carol is no delegate");

    let (status, err) = get(&t, &alice, "/users/nobody@contoso.test/mailFolders/inbox").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("ErrorInvalidUser"))
    );
    let ulrich = graph_token(&t, "ulrich@contoso.test", GRAPH_SCOPES).await;
    let (status, err) = get(&t, &ulrich, "/me/mailFolders/inbox").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("MailboxNotEnabledForRESTAPI"))
    );
    let (status, err) = get(&t, &alice, "/me/mailFolders/no-such-folder").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("ErrorItemNotFound"))
    );
    t.stop().await;
}

#[tokio::test]
async fn app_only_tokens_read_any_mailbox_but_have_no_me() {
    let t = TestSim::start().await;
    let app = &t.app_token().await;
    assert_eq!(
        get(&t, app, "/users/support@contoso.test/mailFolders/inbox")
            .await
            .0,
        200
    );
    assert_eq!(
        get(&t, app, "/users/bob@contoso.test").await.0,
        200,
        "User.Read.All role"
    );
    let (status, err) = get(&t, app, "/me").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("BadRequest"))
    );
    t.stop().await;
}

async fn send(
    t: &TestSim,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut req = t
        .http
        .request(method, format!("{}/v1.0{path}", t.sim.endpoints.graph))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn messages_page_filter_select_and_change_like_graph() {
    let t = TestSim::start().await;
    let alice = graph_token(&t, "alice@contoso.test", GRAPH_SCOPES).await;
    let base = "/users/support@contoso.test/mailFolders/inbox/messages";

    // Newest first; one per page with a nextLink that leads to the next.
    let (status, page1) = get(&t, &alice, &format!("{base}?$top=1&$count=true")).await;
    assert_eq!(status, 200, "{page1}");
    assert_eq!(page1["@odata.count"], 2);
    assert_eq!(
        page1["value"][0]["receivedDateTime"],
        "2026-01-02T10:00:00Z"
    );
    let next = page1["@odata.nextLink"].as_str().unwrap();
    let res = t.http.get(next).bearer_auth(&alice).send().await.unwrap();
    let page2: Value = res.json().await.unwrap();
    assert_eq!(
        page2["value"][0]["receivedDateTime"],
        "2026-01-01T10:00:00Z"
    );
    assert!(page2.get("@odata.nextLink").is_none());

    // Parsed from the real message: cpython-msg_41.eml is multipart/alternative.
    let (_, unread) = get(
        &t,
        &alice,
        &format!("{base}?$filter=isRead%20eq%20false&$select=subject,isRead"),
    )
    .await;
    let only = &unread["value"][0];
    assert_eq!(unread["value"].as_array().unwrap().len(), 1);
    assert_eq!(only["subject"], "64423");
    let mut fields: Vec<&String> = only.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["@odata.etag", "id", "isRead", "subject"]);
    let (_, since) = get(
        &t,
        &alice,
        &format!("{base}?$filter=receivedDateTime%20ge%202026-01-02T00:00:00Z"),
    )
    .await;
    assert_eq!(since["value"].as_array().unwrap().len(), 1);

    // The size, as Graph gives it: MAPI's PR_MESSAGE_SIZE expanded as an extended property.
    let (_, sized) = get(
        &t,
        &alice,
        &format!("{base}?$filter=isRead%20eq%20false&$select=subject&$expand=singleValueExtendedProperties($filter=id%20eq%20'Integer%200x0E08')"),
    )
    .await;
    let msg_41 = std::fs::metadata(corpus_dir().join("cpython-msg_41.eml")).unwrap();
    assert_eq!(
        sized["value"][0]["singleValueExtendedProperties"],
        serde_json::json!([{ "id": "Integer 0xe08", "value": msg_41.len().to_string() }])
    );
    let (status, err) = get(&t, &alice, &format!("{base}?$expand=attachments")).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("ExpandNotSupported"))
    );

    let id = only["id"].as_str().unwrap();
    let (status, mime) = send(
        &t,
        &alice,
        reqwest::Method::GET,
        &format!("/users/support@contoso.test/messages/{id}/$value"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        mime,
        std::fs::read_to_string(corpus_dir().join("cpython-msg_41.eml")).unwrap()
    );

    let (status, _) = send(
        &t,
        &alice,
        reqwest::Method::PATCH,
        &format!("/users/support@contoso.test/messages/{id}"),
        Some(serde_json::json!({ "isRead": true })),
    )
    .await;
    assert_eq!(status, 200);
    let (_, unread) = get(&t, &alice, &format!("{base}?$filter=isRead%20eq%20false")).await;
    assert!(unread["value"].as_array().unwrap().is_empty(), "{unread}");
    let (status, _) = send(
        &t,
        &alice,
        reqwest::Method::DELETE,
        &format!("/users/support@contoso.test/messages/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, inbox) = get(&t, &alice, "/users/support@contoso.test/mailFolders/inbox").await;
    assert_eq!(inbox["totalItemCount"], 1);
    let (status, err) = get(&t, &alice, &format!("{base}?$top=1001")).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("ErrorInvalidUrlQuery"))
    );
    t.stop().await;
}

#[tokio::test]
async fn a_generated_bulk_folder_pages_without_reading_everything() {
    let mut seed = seed();
    let bulk: m365_sim::tenant::mail_store::SeedMailbox = serde_json::from_value(
        serde_json::json!({ "folders": [ { "name": "Inbox", "generated": 3000 } ] }),
    )
    .unwrap();
    seed.mailboxes.insert("bob@contoso.test".into(), bulk);
    let t = TestSim::start_with(seed).await;
    let app = &t.app_token().await;
    let (status, page) = get(
        &t,
        app,
        "/users/bob@contoso.test/mailFolders/inbox/messages?$top=50&$count=true&$select=subject",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (
            page["@odata.count"].as_u64(),
            page["value"].as_array().unwrap().len()
        ),
        (Some(3000), 50)
    );
    assert_eq!(page["value"][0]["subject"], "Bulk message 0 in Inbox");
    let (_, inbox) = get(&t, app, "/users/bob@contoso.test/mailFolders/inbox").await;
    assert_eq!(
        (
            inbox["totalItemCount"].as_u64(),
            inbox["unreadItemCount"].as_u64()
        ),
        (Some(3000), Some(2000))
    );
    t.stop().await;
}

#[tokio::test]
async fn attachments_come_decoded_with_their_bytes() {
    let mut seed = seed();
    let mailbox: m365_sim::tenant::mail_store::SeedMailbox = serde_json::from_value(
        serde_json::json!({ "folders": [ { "name": "Inbox", "messages": [
        { "eml": "mailparser-legacy-045.eml", "received": "2026-02-01T10:00:00Z" },
        { "eml": "mailparser-legacy-048.eml", "received": "2026-02-02T10:00:00Z" },
        { "eml": "cpython-msg_07.eml", "received": "2026-02-03T10:00:00Z" }
    ] } ] }),
    )
    .unwrap();
    seed.mailboxes.insert("bob@contoso.test".into(), mailbox);
    let t = TestSim::start_with(seed).await;
    let app = &t.app_token().await;
    let (_, list) = get(
        &t,
        app,
        "/users/bob@contoso.test/mailFolders/inbox/messages?$select=subject,hasAttachments",
    )
    .await;
    let ids: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(
        list["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["hasAttachments"] == true),
        "{list}"
    );

    let names = |v: &Value| -> Vec<String> {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // Newest first: msg_07 (GIF images), 048 (uuencoded PNGs), 045 (an RFC 2231 ISO-8859-1 name).
    let (_, gifs) = get(
        &t,
        app,
        &format!("/users/bob@contoso.test/messages/{}/attachments", ids[0]),
    )
    .await;
    assert!(
        names(&gifs).contains(&"dingusfish.gif".to_owned()),
        "{gifs}"
    );
    let (_, uu) = get(
        &t,
        app,
        &format!("/users/bob@contoso.test/messages/{}/attachments", ids[1]),
    )
    .await;
    assert_eq!(names(&uu), ["redball.png", "greenball.png", "blueball.png"]);
    let (_, rfc2231) = get(
        &t,
        app,
        &format!("/users/bob@contoso.test/messages/{}/attachments", ids[2]),
    )
    .await;
    assert!(
        names(&rfc2231).contains(&"HasenundFrösche.txt".to_owned()),
        "{rfc2231}"
    );

    // One attachment, its JSON in the sample's shape, and its raw bytes.
    let first = &gifs["value"][0];
    let path = format!(
        "/users/bob@contoso.test/messages/{}/attachments/{}",
        ids[0],
        first["id"].as_str().unwrap()
    );
    let (status, one) = get(&t, app, &path).await;
    assert_eq!(status, 200);
    let theirs = sample("graph_attachment_get_file.json");
    let ours_keys: Vec<&String> = one.as_object().unwrap().keys().collect();
    let their_keys: Vec<&String> = theirs.as_object().unwrap().keys().collect();
    assert_eq!(ours_keys, their_keys);
    let res = t
        .http
        .get(format!("{}/v1.0{path}/$value", t.sim.endpoints.graph))
        .bearer_auth(app)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/gif");
    let bytes = res.bytes().await.unwrap();
    use base64::Engine;
    assert_eq!(
        bytes.as_ref(),
        base64::engine::general_purpose::STANDARD
            .decode(one["contentBytes"].as_str().unwrap())
            .unwrap()
    );
    assert_eq!(bytes.len() as u64, one["size"].as_u64().unwrap());
    assert!(bytes.starts_with(b"GIF8"));
    t.stop().await;
}

#[tokio::test]
async fn send_mail_delivers_inside_relays_outside_and_keeps_a_copy() {
    let t = TestSim::start().await;
    let sink_dir = tempfile::tempdir().unwrap();
    let sink = m365_sim::exchange::smtp_sink::SmtpSink::start(sink_dir.path())
        .await
        .unwrap();
    t.sim.set_outgoing(([127, 0, 0, 1], sink.port).into());
    let alice = graph_token(
        &t,
        "alice@contoso.test",
        "Mail.ReadWrite Mail.Send Mail.ReadWrite.Shared Mail.Send.Shared offline_access",
    )
    .await;
    let mail = serde_json::json!({ "message": {
        "subject": "Send test",
        "body": { "contentType": "Text", "content": "Hello from the wizard." },
        "toRecipients": [ { "emailAddress": { "address": "someone@fabrikam.test" } } ],
        "ccRecipients": [ { "emailAddress": { "address": "bob@contoso.test" } } ]
    } });
    let (status, body) = send(
        &t,
        &alice,
        reqwest::Method::POST,
        "/users/support@contoso.test/sendMail",
        Some(mail.clone()),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let out = sink.messages();
    assert_eq!(out.len(), 1, "only the external recipient goes out by SMTP");
    assert!(
        out[0].contains("From: support@contoso.test")
            && out[0].contains("Subject: Send test")
            && out[0].contains("RCPT TO:<someone@fabrikam.test>"),
        "{}",
        out[0]
    );

    let app = &t.app_token().await;
    let (_, bob) = get(
        &t,
        app,
        "/users/bob@contoso.test/mailFolders/inbox/messages?$select=subject",
    )
    .await;
    assert_eq!(bob["value"][0]["subject"], "Send test");
    let (_, folders) = get(&t, app, "/users/support@contoso.test/mailFolders").await;
    let sent = folders["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["displayName"] == "Sent Items")
        .expect("Sent Items");
    assert_eq!(sent["totalItemCount"], 1);

    // Carol may read nothing of support's and may not send as it.
    let carol = graph_token(
        &t,
        "carol@contoso.test",
        "Mail.Send Mail.Send.Shared Mail.ReadWrite offline_access",
    )
    .await;
    let (status, err) = send(
        &t,
        &carol,
        reqwest::Method::POST,
        "/users/support@contoso.test/sendMail",
        Some(mail),
    )
    .await;
    assert_eq!(status, 403);
    assert!(err.contains("ErrorSendAsDenied"), "{err}");
    sink.stop();
    t.stop().await;
}

#[tokio::test]
async fn a_fifth_concurrent_request_on_one_mailbox_is_throttled() {
    let t = TestSim::start().await;
    let app = t.app_token().await;
    // Slow answers keep requests in flight, as a busy Exchange server does.
    let rule = serde_json::json!({ "path_prefix": "/graph/v1.0/users/support@contoso.test", "kind": "latency", "ms": 600 });
    assert_eq!(
        t.http
            .post(t.url("/_sim/faults"))
            .json(&rule)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let url = format!(
        "{}/v1.0/users/support@contoso.test/mailFolders/inbox",
        t.sim.endpoints.graph
    );
    let requests = (0..6).map(|_| t.http.get(&url).bearer_auth(&app).send());
    let answers = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = answers
        .iter()
        .map(|r| r.as_ref().unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        4,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
    let throttled = answers
        .iter()
        .map(|r| r.as_ref().unwrap())
        .find(|r| r.status() == 429)
        .unwrap();
    assert_eq!(throttled.headers()["retry-after"], "1");
    // Another mailbox is not affected, and the slots are free again afterwards.
    assert_eq!(get(&t, &app, "/users/bob@contoso.test").await.0, 200);
    assert_eq!(
        t.http
            .get(&url)
            .bearer_auth(&app)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    t.stop().await;
}

#[tokio::test]
async fn folder_lists_page_expand_and_hide_like_graph() {
    let mut seed = seed();
    let mut folders = vec![
        serde_json::json!({ "name": "Inbox", "messages": [ { "eml": "cpython-msg_41.eml", "received": "2026-03-01T10:00:00Z" } ] }),
        serde_json::json!({ "name": "Projects", "children": [ { "name": "Alpha", "messages": [ { "eml": "cpython-msg_40.eml", "received": "2026-03-02T10:00:00Z" } ] } ] }),
        serde_json::json!({ "name": "Conversation History", "hidden": true }),
    ];
    for i in 0..9 {
        folders.push(serde_json::json!({ "name": format!("Queue {i}") }));
    }
    let mailbox: m365_sim::tenant::mail_store::SeedMailbox =
        serde_json::from_value(serde_json::json!({ "folders": folders })).unwrap();
    seed.mailboxes.insert("bob@contoso.test".into(), mailbox);
    let t = TestSim::start_with(seed).await;
    let app = &t.app_token().await;
    let names = |v: &Value| -> Vec<String> {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["displayName"].as_str().unwrap().to_owned())
            .collect()
    };

    // 11 visible top-level folders: a page of 10 and a nextLink to the 11th.
    let (_, page) = get(&t, app, "/users/bob@contoso.test/mailFolders").await;
    assert_eq!(names(&page).len(), 10);
    assert!(!names(&page).contains(&"Conversation History".to_owned()));
    let next: Value = t
        .http
        .get(page["@odata.nextLink"].as_str().unwrap())
        .bearer_auth(app)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(names(&next).len(), 1);
    let (_, all) = get(
        &t,
        app,
        "/users/bob@contoso.test/mailFolders?includeHiddenFolders=true&$top=50",
    )
    .await;
    let hidden = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["displayName"] == "Conversation History")
        .expect("listed on request");
    assert_eq!(hidden["isHidden"], true);

    let (_, expanded) = get(
        &t,
        app,
        "/users/bob@contoso.test/mailFolders?$top=50&$expand=childFolders",
    )
    .await;
    let projects = expanded["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["displayName"] == "Projects")
        .unwrap();
    assert_eq!(
        (
            projects["childFolderCount"].as_u64(),
            projects["childFolders"][0]["displayName"].as_str()
        ),
        (Some(1), Some("Alpha"))
    );
    let alpha_id = projects["childFolders"][0]["id"].as_str().unwrap();
    let (_, kids) = get(
        &t,
        app,
        &format!(
            "/users/bob@contoso.test/mailFolders/{}/childFolders",
            projects["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(names(&kids), ["Alpha"]);

    // The whole mailbox's messages, narrowed to one folder by parentFolderId.
    let (_, everything) = get(&t, app, "/users/bob@contoso.test/messages?$select=subject").await;
    assert_eq!(everything["value"].as_array().unwrap().len(), 2);
    let (_, in_alpha) = get(
        &t,
        app,
        &format!("/users/bob@contoso.test/messages?$filter=parentFolderId%20eq%20'{alpha_id}'"),
    )
    .await;
    let only: Vec<&Value> = in_alpha["value"].as_array().unwrap().iter().collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["parentFolderId"], alpha_id);
    t.stop().await;
}
