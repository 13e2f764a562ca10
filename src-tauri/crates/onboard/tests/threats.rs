//! One test per threat of docs/SECURITY.md that no other file covers: a hostile export to
//! import, a flood of connections and a forged second callback at the loopback listener, a token
//! endpoint that answers with huge or malformed bodies, an IMAP server that sends endless
//! literals, and attachment names that try to leave the chosen folder. Every fake server here
//! listens on 127.0.0.1 and every test is bounded in time and size.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use onboard::{
    app_registration::client_secret_key,
    catalog::Diagnosis,
    cloud::{Cloud, CloudPreset, TlsMode},
    export::import_file,
    identity::{
        discover_tenant, fetch_signing_keys, loopback::Loopback, request_token, start_device_code,
    },
    mailbox::{check_imap, MailCheckOptions, MailLogin},
    message::{attachment_bytes, safe_file_name, save_private_file},
    platform::{Secret, SecretStore},
    profile::{refresh_token_key, ProfileStore},
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------------------------
// A hostile export to import.

const FIXTURE: &str = include_str!("fixtures/channel-config-v1.json");
const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const PASSPHRASE: &str = "correct horse battery staple";

/// A secret store that records every write: a refused import must make none.
#[derive(Default)]
struct Recorder(Mutex<HashMap<String, Secret>>);

impl SecretStore for Recorder {
    fn backend(&self) -> &'static str {
        "recorder"
    }
    fn put(&self, key: &str, secret: &Secret) -> Result<(), Diagnosis> {
        self.0
            .lock()
            .unwrap()
            .insert(key.to_owned(), secret.clone());
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<Secret>, Diagnosis> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
    fn delete(&self, key: &str) -> Result<(), Diagnosis> {
        self.0.lock().unwrap().remove(key);
        Ok(())
    }
}

/// The format-1 fixture with `edit` applied, with its secrets in clear.
fn export_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(FIXTURE).unwrap();
    v["secrets"] = json!({
        "kind": "plain",
        "client_secret": "imported-client-secret",
        "refresh_token": "imported-refresh-token",
    });
    edit(&mut v);
    serde_json::to_string_pretty(&v).unwrap()
}

/// Imports `text` (from a file in its own folder, next to an empty profiles folder); the
/// diagnosis, after checking that nothing at all was written: no profile, no keyring entry, no
/// file anywhere in the folder but the export itself.
fn refused_import(text: &[u8], passphrase: Option<&str>) -> Diagnosis {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("export.json");
    std::fs::write(&file, text).unwrap();
    let profiles_dir = root.path().join("profiles");
    std::fs::create_dir(&profiles_dir).unwrap();
    let profiles = ProfileStore::new(&profiles_dir);
    let secrets = Recorder::default();
    let started = Instant::now();
    let d = import_file(
        &file,
        passphrase.map(Secret::new).as_ref(),
        &profiles,
        &secrets,
    )
    .expect_err("a hostile export must be refused");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refusing took {:?}",
        started.elapsed()
    );
    assert!(secrets.0.lock().unwrap().is_empty(), "{d:?} wrote a secret");
    assert_eq!(
        std::fs::read_dir(&profiles_dir).unwrap().count(),
        0,
        "{d:?} wrote a profile"
    );
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        2,
        "{d:?} wrote beside the export"
    );
    assert!(!d.fix.is_empty(), "{d:?}");
    for secret in ["imported-client-secret", "imported-refresh-token"] {
        assert!(!format!("{d:?}").contains(secret), "{d:?} shows a secret");
    }
    d
}

#[test]
fn import_of_the_untouched_fixture_works_so_the_refusals_below_are_the_edits() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("export.json");
    std::fs::write(&file, export_with(|_| {})).unwrap();
    let profiles = ProfileStore::new(root.path().join("profiles"));
    let secrets = Recorder::default();
    let imported = import_file(&file, None, &profiles, &secrets).unwrap();
    assert_eq!(
        secrets.get(&client_secret_key(APP)).unwrap(),
        Some(Secret::new("imported-client-secret"))
    );
    assert!(secrets
        .get(&refresh_token_key(&imported.profile.name))
        .unwrap()
        .is_some());
}

#[test]
fn import_of_an_oversized_export_is_refused_before_it_is_parsed() {
    // Valid JSON all the same: 2 MB of white space after the export.
    let mut text = export_with(|_| {}).into_bytes();
    text.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    let d = refused_import(&text, None);
    assert_eq!(d.code, "import.too_large", "{d:?}");
    assert!(d.detail.contains("export.json"), "{}", d.detail);
}

#[test]
fn import_with_fields_of_the_wrong_type_names_the_field_and_not_its_value() {
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit); 6] = [
        ("profile.created_at", |v| {
            v["profile"]["created_at"] = json!(5)
        }),
        ("profile.name", |v| {
            v["profile"]["name"] = json!(["SENTINEL-1"])
        }),
        ("flow", |v| v["flow"] = json!("SENTINEL-2")),
        ("mailbox", |v| v["mailbox"] = json!("SENTINEL-3")),
        // An internally tagged enum: serde reads it whole, so the path ends at it.
        ("secrets", |v| {
            v["secrets"]["client_secret"] = json!({"value": "SENTINEL-4"})
        }),
        ("scopes", |v| v["scopes"] = json!("SENTINEL-5 Mail.Read")),
    ];
    for (field, edit) in cases {
        let d = refused_import(export_with(edit).as_bytes(), None);
        assert_eq!(d.code, "import.damaged", "{field}: {d:?}");
        assert!(d.detail.contains(field), "{field}: {}", d.detail);
        assert!(!d.detail.contains("SENTINEL"), "{field}: {}", d.detail);
    }
    let d = refused_import(b"\xff\xfe{\"format\": 1}", None);
    assert_eq!(d.code, "import.unreadable", "{d:?}");
}

#[test]
fn import_with_path_tricks_in_names_and_ids_is_refused_naming_the_field() {
    let names = [
        "../../outside",
        "/etc/passwd",
        "C:\\Windows\\x",
        "..",
        "a\u{0}b",
        "line\nbreak",
    ];
    for name in names {
        let d = refused_import(
            export_with(|v| v["profile"]["name"] = json!(name)).as_bytes(),
            None,
        );
        assert_eq!(d.code, "profile.name", "{name:?}: {d:?}");
        assert_eq!(d.field.as_deref(), Some("Profile name"), "{name:?}");
    }
    for (field, value) in [
        ("client_id", "../../outside"),
        ("client_id", "/etc/passwd"),
        ("tenant_id", "..\\..\\x"),
        ("tenant_id", "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e\u{0}"),
    ] {
        let d = refused_import(export_with(|v| v[field] = json!(value)).as_bytes(), None);
        assert_eq!(d.code, "import.damaged", "{field}={value:?}: {d:?}");
        assert!(d.detail.contains(field), "{}", d.detail);
    }
}

/// An age file for `plaintext` whose scrypt work factor reads `log_n` (the header's MAC is then
/// wrong, but the work factor is read first).
fn age_file(plaintext: &[u8], log_n: u8) -> String {
    use age::secrecy::SecretString;
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(PASSPHRASE.to_owned()));
    recipient.set_work_factor(2);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut binary = Vec::new();
    let mut w = encryptor.wrap_output(&mut binary).unwrap();
    w.write_all(plaintext).unwrap();
    w.finish().unwrap();
    if log_n != 2 {
        let at = binary.windows(10).position(|w| w == b"-> scrypt ").unwrap();
        let end = at + binary[at..].iter().position(|&b| b == b'\n').unwrap();
        assert_eq!(&binary[end - 2..end], b" 2");
        binary.splice(end - 1..end, log_n.to_string().into_bytes());
    }
    let mut armored = Vec::new();
    let mut a =
        age::armor::ArmoredWriter::wrap_output(&mut armored, age::armor::Format::AsciiArmor)
            .unwrap();
    a.write_all(&binary).unwrap();
    a.finish().unwrap();
    String::from_utf8(armored).unwrap()
}

fn sealed_export(armored: &str) -> String {
    export_with(|v| v["secrets"] = json!({"kind": "age", "armored": armored}))
}

#[test]
fn import_with_secrets_that_do_not_decrypt_is_refused_and_shows_no_secret() {
    let good = age_file(
        br#"{"client_secret": "imported-client-secret", "refresh_token": "imported-refresh-token"}"#,
        2,
    );
    let d = refused_import(sealed_export(&good).as_bytes(), Some("wrong horse battery"));
    assert_eq!(d.code, "import.wrong_passphrase", "{d:?}");
    let d = refused_import(sealed_export(&good).as_bytes(), None);
    assert_eq!(d.code, "import.passphrase_needed", "{d:?}");

    let garbage =
        "-----BEGIN AGE ENCRYPTED FILE-----\nbm90IGFnZQ==\n-----END AGE ENCRYPTED FILE-----\n";
    let d = refused_import(sealed_export(garbage).as_bytes(), Some(PASSPHRASE));
    assert_eq!(d.code, "import.secrets_damaged", "{d:?}");

    // It opens, but holds a bare token instead of the secrets object: the token is not shown.
    let bare = age_file(b"\"imported-refresh-token\"", 2);
    let d = refused_import(sealed_export(&bare).as_bytes(), Some(PASSPHRASE));
    assert_eq!(d.code, "import.damaged", "{d:?}");
    let bare = age_file(br#"{"client_secret": ["imported-client-secret"]}"#, 2);
    let d = refused_import(sealed_export(&bare).as_bytes(), Some(PASSPHRASE));
    assert_eq!(d.code, "import.damaged", "{d:?}");
    assert!(d.detail.contains("client_secret"), "{}", d.detail);

    // A work factor of 2^40 would take terabytes and days: refused before any of it.
    let costly = age_file(b"{}", 40);
    let d = refused_import(sealed_export(&costly).as_bytes(), Some(PASSPHRASE));
    assert_eq!(d.code, "import.secrets_damaged", "{d:?}");
}

// ---------------------------------------------------------------------------------------------
// The loopback listener: a flood of connections, and a forged second callback.

async fn get(port: u16, target: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
    s.write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    Ok(out)
}

fn port_of(loopback: &Loopback) -> u16 {
    url::Url::parse(&loopback.redirect_uri())
        .unwrap()
        .port()
        .unwrap()
}

#[tokio::test]
async fn a_loopback_flood_of_idle_and_junk_connections_does_not_hold_back_the_real_callback() {
    let loopback = Loopback::bind().await.unwrap();
    let port = port_of(&loopback);
    let wait = tokio::spawn(async move {
        loopback
            .receive(
                "real-state",
                Duration::from_secs(60),
                std::future::pending(),
            )
            .await
    });
    let mut held = Vec::new();
    // Connections that say nothing, or a byte now and then (each would hold a serial listener
    // for its whole read timeout), and ones that send junk or a head without an end.
    for i in 0..120 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        match i % 4 {
            0 => {}
            1 => s.write_all(b"G").await.unwrap(),
            2 => s.write_all(&[0xff; 4096]).await.unwrap(),
            _ => s
                .write_all(b"GET /?state=guessed&code=unfinished HTTP/1.1\r\nX: ")
                .await
                .unwrap(),
        }
        held.push(s);
    }
    for _ in 0..10 {
        let forged = get(port, "/?state=guessed&code=attacker").await.unwrap();
        assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
    }
    let started = Instant::now();
    let page = tokio::time::timeout(
        Duration::from_secs(3),
        get(port, "/?state=real-state&code=the-real-code"),
    )
    .await
    .expect("the real callback was held back by the flood")
    .unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let params = tokio::time::timeout(Duration::from_secs(3), wait)
        .await
        .expect("the sign-in hangs after its callback")
        .unwrap()
        .unwrap();
    assert_eq!(params["code"], "the-real-code");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(held);
}

#[tokio::test]
async fn a_forged_second_callback_after_the_first_valid_one_is_not_taken() {
    let loopback = Loopback::bind().await.unwrap();
    let port = port_of(&loopback);
    let wait = tokio::spawn(async move {
        loopback
            .receive("s1", Duration::from_secs(20), std::future::pending())
            .await
    });
    let first = get(port, "/?state=s1&code=first").await.unwrap();
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    // Right behind it: the same state with another code, and another state.
    let second = tokio::join!(
        get(port, "/?state=s1&code=second"),
        get(port, "/?state=other&code=third")
    );
    let params = tokio::time::timeout(Duration::from_secs(5), wait)
        .await
        .expect("the wait did not end with the first valid callback")
        .unwrap()
        .unwrap();
    assert_eq!(
        params["code"], "first",
        "only the first valid callback counts"
    );
    for later in [second.0, second.1] {
        assert!(
            !later
                .as_deref()
                .unwrap_or_default()
                .starts_with("HTTP/1.1 200"),
            "a later callback was accepted: {later:?}"
        );
    }
    assert!(
        TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "the listener is gone after the first valid callback"
    );
}

// ---------------------------------------------------------------------------------------------
// The token endpoint: huge and malformed bodies.

/// An HTTP server on 127.0.0.1 answering every request with `head` and then `body(sink)`,
/// which writes the body; the bytes of body written (across connections) are counted.
async fn token_server<F, Fut>(head: String, body: F) -> (Cloud, Arc<AtomicU64>)
where
    F: Fn(TcpStream, Arc<AtomicU64>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let written = Arc::new(AtomicU64::new(0));
    let count = written.clone();
    let body = Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let (head, body, count) = (head.clone(), body.clone(), count.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                if s.write_all(head.as_bytes()).await.is_ok() {
                    body(s, count).await;
                }
            });
        }
    });
    let mut cloud = Cloud::preset(CloudPreset::Global);
    cloud.authority = format!("http://127.0.0.1:{port}");
    (cloud, written)
}

/// Writes 1 MB chunks until `cap` bytes or until the client hangs up.
async fn endless(mut s: TcpStream, count: Arc<AtomicU64>, cap: u64, chunked: bool) {
    let chunk = vec![b'a'; 1024 * 1024];
    while count.load(Ordering::SeqCst) < cap {
        let framed = if chunked {
            let mut f = format!("{:x}\r\n", chunk.len()).into_bytes();
            f.extend_from_slice(&chunk);
            f.extend_from_slice(b"\r\n");
            f
        } else {
            chunk.clone()
        };
        if s.write_all(&framed).await.is_err() {
            return;
        }
        count.fetch_add(chunk.len() as u64, Ordering::SeqCst);
    }
    // Then hold the connection open: the client must not wait for the end either.
    tokio::time::sleep(Duration::from_secs(60)).await;
}

const FORM: [(&str, &str); 2] = [("grant_type", "client_credentials"), ("client_id", APP)];

#[tokio::test]
async fn a_token_endpoint_promising_or_streaming_100_mb_is_cut_off_at_the_limit() {
    const HUNDRED_MB: u64 = 100 * 1024 * 1024;
    let promised = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {HUNDRED_MB}\r\n\r\n"
    );
    let streamed =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_owned();
    let refused =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_owned();
    for (head, chunked) in [(promised, false), (streamed, true), (refused, true)] {
        let (cloud, written) = token_server(head.clone(), move |s, count| {
            endless(s, count, HUNDRED_MB, chunked)
        })
        .await;
        let started = Instant::now();
        let d = tokio::time::timeout(
            Duration::from_secs(15),
            request_token(&cloud, "contoso.test", &FORM),
        )
        .await
        .expect("the client kept reading")
        .unwrap_err();
        assert_eq!(d.code, "http.too_large", "{head}: {d:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        // The client stopped at its limit (1 MB); what the kernel's buffers took beyond it is
        // far below the 100 MB the server had.
        let sent = written.load(Ordering::SeqCst);
        assert!(
            sent < 32 * 1024 * 1024,
            "{head}: the client read {sent} bytes"
        );
    }
}

#[tokio::test]
async fn discovery_keys_and_device_code_answers_of_100_mb_are_cut_off_at_the_limit() {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_owned();
    let (cloud, written) =
        token_server(head, |s, count| endless(s, count, 100 * 1024 * 1024, true)).await;
    let limit = Duration::from_secs(15);
    let refusals = [
        tokio::time::timeout(limit, discover_tenant(&cloud, "contoso.test"))
            .await
            .expect("discovery kept reading")
            .unwrap_err(),
        tokio::time::timeout(limit, fetch_signing_keys(&cloud, "contoso.test"))
            .await
            .expect("the keys kept reading")
            .unwrap_err(),
        tokio::time::timeout(
            limit,
            start_device_code(&cloud, "contoso.test", APP, "openid"),
        )
        .await
        .expect("the device code kept reading")
        .unwrap_err(),
    ];
    for d in refusals {
        assert_eq!(d.code, "http.too_large", "{d:?}");
    }
    let sent = written.load(Ordering::SeqCst);
    assert!(sent < 3 * 32 * 1024 * 1024, "the clients read {sent} bytes");
}

#[tokio::test]
async fn malformed_token_answers_are_refused_naming_the_field_and_no_value() {
    let cases = [
        ("<html>Sign in to the Wi-Fi SENTINEL</html>", "not JSON"),
        ("[\"SENTINEL\"]", "not a JSON object"),
        ("{\"token_type\": \"Bearer\"}", "access_token"),
        ("{\"access_token\": 12345}", "access_token"),
        (
            "{\"access_token\": \"SENTINEL-AT\", \"expires_in\": \"SENTINEL-EXP\"}",
            "expires_in",
        ),
        (
            "{\"access_token\": \"SENTINEL-AT\", \"refresh_token\": [\"SENTINEL-RT\"]}",
            "refresh_token",
        ),
        (
            "{\"access_token\": \"SENTINEL-AT\", \"id_token\": {\"v\": \"SENTINEL-ID\"}}",
            "id_token",
        ),
        (
            "{\"access_token\": \"SENTINEL-AT\", \"scope\": 7, \"expires_in\": -1}",
            "expires_in",
        ),
    ];
    for (body, named) in cases {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (cloud, _) = token_server(head, |_s, _| async {}).await;
        let d = tokio::time::timeout(
            Duration::from_secs(10),
            request_token(&cloud, "contoso.test", &FORM),
        )
        .await
        .unwrap()
        .unwrap_err();
        assert_eq!(d.code, "token.malformed", "{body}: {d:?}");
        assert!(d.detail.contains(named), "{body}: {}", d.detail);
        assert!(!format!("{d:?}").contains("SENTINEL"), "{body}: {d:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// An IMAP server that sends endless literals.

/// An IMAP server on 127.0.0.1 without TLS: it greets, reads the client's `AUTHENTICATE`, and
/// answers with `attack`, which writes as it likes.
async fn hostile_imap<F, Fut>(attack: F) -> Cloud
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let attack = Arc::new(attack);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let attack = attack.clone();
            tokio::spawn(async move {
                if s.write_all(b"* OK IMAP4rev1 ready\r\n").await.is_err() {
                    return;
                }
                let mut line = String::new();
                let mut reader = BufReader::new(&mut s);
                if reader.read_line(&mut line).await.is_err() {
                    return;
                }
                drop(reader);
                attack(s).await;
            });
        }
    });
    let mut cloud = Cloud::preset(CloudPreset::Global);
    cloud.imap = format!("127.0.0.1:{port}");
    cloud.imap_tls = TlsMode::None;
    cloud
}

/// The check against `cloud`: its diagnosis and how long it took.
async fn imap_refusal(cloud: &Cloud) -> (Diagnosis, Duration) {
    let opts = MailCheckOptions {
        timeout: Duration::from_secs(12),
        local_address: None,
    };
    let login = MailLogin::own("alice@contoso.test", &Secret::new("SENTINEL-TOKEN"));
    let started = Instant::now();
    let check = tokio::time::timeout(Duration::from_secs(30), check_imap(cloud, &login, &opts))
        .await
        .expect("the IMAP check hangs");
    let d = check.diagnosis().cloned().expect("the check must fail");
    assert!(!format!("{d:?}").contains("SENTINEL"), "{d:?}");
    (d, started.elapsed())
}

#[tokio::test]
async fn an_imap_literal_of_4_gb_is_refused_at_once() {
    for announced in ["4294967295", "400000000"] {
        let line = format!("* 1 FETCH (BODY[] {{{announced}}}\r\n");
        let cloud = hostile_imap(move |mut s| {
            let line = line.clone();
            async move {
                let _ = s.write_all(line.as_bytes()).await;
                let _ = s.write_all(&[b'x'; 4096]).await;
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
        })
        .await;
        let (d, took) = imap_refusal(&cloud).await;
        assert_eq!(d.code, "imap.response_too_large", "{announced}: {d:?}");
        assert!(d.detail.contains(announced), "{}", d.detail);
        assert!(took < Duration::from_secs(3), "{announced}: took {took:?}");
    }
}

#[tokio::test]
async fn an_imap_response_of_endless_literals_is_refused_within_its_bound() {
    let sent = Arc::new(AtomicU64::new(0));
    let count = sent.clone();
    let cloud = hostile_imap(move |mut s| {
        let count = count.clone();
        async move {
            let literal = vec![b'x'; 1024 * 1024];
            if s.write_all(b"* 1 FETCH (UID 1").await.is_err() {
                return;
            }
            // Each literal within the bound, the response never ending: at most 200 MB.
            for i in 0..200 {
                let part = format!(" BODY[{i}] {{{}}}\r\n", literal.len());
                if s.write_all(part.as_bytes()).await.is_err()
                    || s.write_all(&literal).await.is_err()
                {
                    return;
                }
                count.fetch_add(literal.len() as u64, Ordering::SeqCst);
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    })
    .await;
    let (d, took) = imap_refusal(&cloud).await;
    assert_eq!(d.code, "imap.response_too_large", "{d:?}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < 100 * 1024 * 1024, "the client read {sent} bytes");
}

#[tokio::test]
async fn an_imap_line_without_end_is_refused_within_its_bound() {
    let sent = Arc::new(AtomicU64::new(0));
    let count = sent.clone();
    let cloud = hostile_imap(move |mut s| {
        let count = count.clone();
        async move {
            let junk = vec![b'x'; 64 * 1024];
            let _ = s.write_all(b"* OK ").await;
            // At most 64 MB, then silence.
            for _ in 0..1024 {
                if s.write_all(&junk).await.is_err() {
                    return;
                }
                count.fetch_add(junk.len() as u64, Ordering::SeqCst);
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    })
    .await;
    let (d, took) = imap_refusal(&cloud).await;
    assert_eq!(d.code, "imap.response_too_large", "{d:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < 32 * 1024 * 1024, "the client read {sent} bytes");
}

// ---------------------------------------------------------------------------------------------
// Attachment names that try to leave the chosen folder.

fn mail_with_attachments(names: &[&str]) -> Vec<u8> {
    let mut m = String::from(
        "From: a@example.test\r\nTo: b@example.test\r\nSubject: names\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n",
    );
    for (i, name) in names.iter().enumerate() {
        // RFC 2231, so that NUL, backslashes and non-ASCII arrive as the sender wrote them.
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'.' {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        m.push_str(&format!(
            "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''{encoded}\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64_of(format!("part {i}").as_bytes())
        ));
    }
    m.push_str("--b--\r\n");
    m.into_bytes()
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"].contains(&stem.as_str())
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

#[test]
fn attachment_names_that_try_to_leave_the_folder_are_saved_inside_it_under_a_safe_name() {
    let long = format!("{}.pdf", "n".repeat(600));
    let names = [
        "../../escaped.txt",
        "..\\..\\escaped.txt",
        "/etc/escaped",
        "C:\\Windows\\escaped.dll",
        "\\\\server\\share\\escaped",
        "a\u{0}b.txt",
        "..",
        ".bashrc",
        "CON",
        "nul.txt",
        "Com1.log",
        "lpt9",
        "report.pdf. . .",
        "invoice\u{202E}fdp.exe",
        long.as_str(),
    ];
    let raw = mail_with_attachments(&names);
    let root = tempfile::tempdir().unwrap();
    let chosen = root.path().join("chosen");
    std::fs::create_dir(&chosen).unwrap();
    let chosen = chosen.canonicalize().unwrap();
    let mut saved = Vec::new();
    for (i, given) in names.iter().enumerate() {
        let (name, _, bytes) = attachment_bytes(&raw, u32::try_from(i).unwrap()).unwrap();
        assert_eq!(&name, given, "the parser hands over the sender's name");
        let file_name = safe_file_name(&name);
        let path = chosen.join(&file_name);
        save_private_file(&path, &bytes).unwrap();
        let real = path.canonicalize().unwrap();
        assert_eq!(
            real.parent(),
            Some(chosen.as_path()),
            "{given:?} -> {real:?}"
        );
        assert_eq!(std::fs::read(&real).unwrap(), bytes);
        assert!(
            !file_name.starts_with('.'),
            "{given:?} -> hidden {file_name:?}"
        );
        assert!(
            !file_name.ends_with(['.', ' ']),
            "{given:?} -> {file_name:?}"
        );
        assert!(
            !is_reserved_on_windows(&file_name),
            "{given:?} -> {file_name:?}"
        );
        assert!(
            file_name.len() <= 200,
            "{given:?}: {} bytes",
            file_name.len()
        );
        assert!(
            !file_name.chars().any(|c| c.is_control()
                || matches!(c, '/' | '\\' | ':' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
            "{given:?} -> {file_name:?}"
        );
        saved.push(file_name);
    }
    assert!(
        saved.last().unwrap().ends_with(".pdf"),
        "the extension stays"
    );
    let inside = std::fs::read_dir(&chosen).unwrap().count();
    assert!(inside >= 10 && inside <= names.len(), "{inside} files");
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        1,
        "nothing was written beside the chosen folder"
    );
    assert!(!Path::new("/etc/escaped").exists());
}
