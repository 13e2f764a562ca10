//! The server step's live checks against local HTTPS servers with certificates made for each
//! case: valid, expired, self-signed, for another name; plus refused, silent and reserved names.
#![allow(clippy::unwrap_used)]

mod support;

use onboard::{
    catalog::CheckStatus,
    server::{check_server, probe_server, ServerCheckInput, ServerKind, ServerProbe},
};
use std::time::{Duration, Instant};
use support::{local_check, opts, plain_http_listener, silent_listener, Ca, Https, CALLBACK};

fn status(p: &ServerProbe, id: &str) -> CheckStatus {
    p.step(id)
        .unwrap_or_else(|| panic!("no step {id}: {p:?}"))
        .status
}

fn code(p: &ServerProbe, id: &str) -> String {
    let step = p.step(id).unwrap();
    step.diagnosis
        .as_ref()
        .unwrap_or_else(|| panic!("{id} has no diagnosis: {p:#?}"))
        .code
        .clone()
}

/// The steps after `from` did not run and say why.
fn skipped_after(p: &ServerProbe, from: &str) {
    let ids: Vec<&str> = p.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["dns", "https", "answer", "callback"]);
    let first = ids.iter().position(|i| *i == from).unwrap();
    for step in &p.checks[first + 1..] {
        assert_eq!(step.status, CheckStatus::Skipped, "{p:#?}");
        assert!(step.detail.starts_with("not run: "), "{}", step.detail);
        assert!(step.diagnosis.is_none());
    }
}

#[tokio::test]
async fn a_valid_server_passes_every_step_and_a_missing_callback_is_named() {
    let ca = Ca::new();
    let good = Https::start(ca.leaf(&["localhost"]), |path| {
        if path == CALLBACK {
            302
        } else {
            200
        }
    })
    .await;
    let p = probe_server(&local_check(good.port), &opts(&ca)).await;
    for step in &p.checks {
        assert_eq!(step.status, CheckStatus::Ok, "{p:#?}");
        assert!(step.diagnosis.is_none());
    }
    assert!(!p.failed());
    assert!(
        p.step("dns").unwrap().detail.contains("127.0.0.1"),
        "{p:#?}"
    );
    assert!(p.step("https").unwrap().detail.contains("TLS 1."), "{p:#?}");
    let answer = &p.step("answer").unwrap().detail;
    assert!(
        answer.contains("HTTP 200") && answer.contains("Server: probe-test"),
        "{answer}"
    );
    assert!(
        p.step("callback").unwrap().detail.contains("HTTP 302"),
        "{p:#?}"
    );

    let bare = Https::start(
        ca.leaf(&["localhost"]),
        |path| if path == "/" { 200 } else { 404 },
    )
    .await;
    let p = probe_server(&local_check(bare.port), &opts(&ca)).await;
    assert_eq!(status(&p, "answer"), CheckStatus::Ok);
    assert_eq!(status(&p, "callback"), CheckStatus::Failed);
    assert_eq!(code(&p, "callback"), "server.callback_missing");
    assert!(p.failed());
}

#[tokio::test]
async fn a_server_error_is_a_warning_not_a_failure() {
    let ca = Ca::new();
    let sick = Https::start(ca.leaf(&["localhost"]), |_| 503).await;
    let p = probe_server(&local_check(sick.port), &opts(&ca)).await;
    assert_eq!(status(&p, "answer"), CheckStatus::Warning);
    assert_eq!(code(&p, "answer"), "server.error_status");
    assert_eq!(status(&p, "callback"), CheckStatus::Warning, "{p:#?}");
    assert!(!p.failed());
}

#[tokio::test]
async fn an_expired_certificate_says_when() {
    let ca = Ca::new();
    let old = Https::start(ca.expired_leaf("localhost"), |_| 200).await;
    let p = probe_server(&local_check(old.port), &opts(&ca)).await;
    assert_eq!(status(&p, "dns"), CheckStatus::Ok);
    assert_eq!(code(&p, "https"), "tls.expired");
    let d = p.step("https").unwrap().diagnosis.clone().unwrap();
    assert!(d.detail.contains("2021-01-01"), "{}", d.detail);
    assert!(d.fix.contains("certbot renew"), "{}", d.fix);
    skipped_after(&p, "https");
}

#[tokio::test]
async fn a_self_signed_certificate_is_told_apart_from_an_unknown_ca() {
    let ca = Ca::new();
    let own = Https::start(Ca::self_signed("localhost"), |_| 200).await;
    let p = probe_server(&local_check(own.port), &opts(&ca)).await;
    assert_eq!(code(&p, "https"), "tls.self_signed");
    skipped_after(&p, "https");

    // Signed by a CA this machine does not trust.
    let stranger = Ca::named("stranger CA");
    let foreign = Https::start(stranger.leaf(&["localhost"]), |_| 200).await;
    let p = probe_server(&local_check(foreign.port), &opts(&ca)).await;
    assert_eq!(code(&p, "https"), "tls.unknown_issuer");
    assert!(p
        .step("https")
        .unwrap()
        .diagnosis
        .as_ref()
        .unwrap()
        .fix
        .contains("fullchain.pem"));
}

#[tokio::test]
async fn a_certificate_for_another_name_lists_the_names_it_is_for() {
    let ca = Ca::new();
    let other = Https::start(ca.leaf(&["other.example"]), |_| 200).await;
    let p = probe_server(&local_check(other.port), &opts(&ca)).await;
    assert_eq!(code(&p, "https"), "tls.wrong_name");
    let d = p.step("https").unwrap().diagnosis.clone().unwrap();
    assert!(d.detail.contains("other.example"), "{}", d.detail);
    assert_eq!(d.field.as_deref(), Some("FQDN"));
    assert!(d.fix.contains("Zammad"), "{}", d.fix);
    skipped_after(&p, "https");
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let p = probe_server(&local_check(port), &opts(&Ca::new())).await;
    assert_eq!(status(&p, "dns"), CheckStatus::Ok);
    assert_eq!(code(&p, "https"), "net.refused");
    skipped_after(&p, "https");
}

#[tokio::test]
async fn a_server_that_never_speaks_tls_times_out() {
    let (port, _silent) = silent_listener().await;
    let mut o = opts(&Ca::new());
    o.timeout = Duration::from_millis(500);
    let start = Instant::now();
    let p = probe_server(&local_check(port), &o).await;
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(code(&p, "https"), "net.timeout");
    let https = p.step("https").unwrap();
    assert!((500..3000).contains(&https.millis), "{}", https.millis);
    skipped_after(&p, "https");
}

#[tokio::test]
async fn plain_http_on_the_port_is_not_tls() {
    let (port, _plain) = plain_http_listener().await;
    let p = probe_server(&local_check(port), &opts(&Ca::new())).await;
    assert_eq!(code(&p, "https"), "tls.not_tls");
    skipped_after(&p, "https");
}

#[tokio::test]
async fn a_name_under_invalid_fails_without_a_lookup() {
    let check = check_server(&ServerCheckInput {
        kind: ServerKind::Freescout,
        fqdn: "helpdesk.invalid".into(),
        callback_template: None,
    })
    .unwrap();
    let p = probe_server(&check, &Default::default()).await;
    assert_eq!(status(&p, "dns"), CheckStatus::Failed);
    assert_eq!(code(&p, "dns"), "net.reserved_name");
    let d = p.step("dns").unwrap().diagnosis.clone().unwrap();
    assert_eq!(d.field.as_deref(), Some("FQDN"));
    assert!(p.step("dns").unwrap().millis < 50);
    skipped_after(&p, "dns");
    assert!(p.step("https").unwrap().detail.contains("DNS"));
}
