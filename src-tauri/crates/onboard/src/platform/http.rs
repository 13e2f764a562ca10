//! The one HTTP client: rustls with the platform's roots, plus an extra CA when the sandbox or
//! a test set one. Requests time out instead of hanging the wizard.

use crate::catalog::{self, Diagnosis};
use std::net::IpAddr;
use std::time::Duration;

/// The client, trusting `extra_ca_pem` too (the cloud's, through `Cloud::http_client`, or a
/// helpdesk's).
pub fn client_with_ca(extra_ca_pem: Option<&str>) -> Result<reqwest::Client, Diagnosis> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("m365-onboard/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = extra_ca_pem {
        let ca = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            Diagnosis::new(
                "cloud.ca",
                "The extra CA certificate cannot be read",
                e.to_string(),
                "Give a PEM file with one CA certificate (--ca-file).",
            )
        })?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build().map_err(|e| {
        Diagnosis::new(
            "http.client",
            "The HTTP client cannot start",
            e.to_string(),
            "Restart the wizard; if it persists, report this text.",
        )
    })
}

/// A transport failure (DNS, refused, TLS, timeout) as the catalog explains it.
pub fn transport_error(url: &str, e: &reqwest::Error) -> Diagnosis {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned());
    catalog::network_failure(&host, &error_chain(e), e.is_timeout())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// The most a JSON answer of the identity platform may be (discovery, keys, device code,
/// tokens): a few KB in practice.
pub const MAX_ANSWER: usize = 1024 * 1024;

/// [`read_body_limited`] as text (invalid UTF-8 replaced: the callers parse JSON).
pub async fn read_text_limited(
    res: reqwest::Response,
    url: &str,
    max: usize,
) -> Result<String, Diagnosis> {
    let body = read_body_limited(res, url, max).await?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The body of `res`, at most `max` bytes: a server (or whatever sits on the network path) that
/// promises or streams more is cut off there instead of filling the memory. `url` names it.
pub async fn read_body_limited(
    mut res: reqwest::Response,
    url: &str,
    max: usize,
) -> Result<Vec<u8>, Diagnosis> {
    if res.content_length().is_some_and(|n| n > max as u64) {
        return Err(body_too_large(url, max));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| transport_error(url, &e))? {
        if body.len() + chunk.len() > max {
            return Err(body_too_large(url, max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn body_too_large(url: &str, max: usize) -> Diagnosis {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned());
    Diagnosis::new(
        "http.too_large",
        format!("The answer from {host} is too large"),
        format!("{url} answered with more than {} KB; the wizard stops reading there.", max / 1024),
        "Check that the URL points at the service itself and not at a proxy or another server; then try again.",
    )
}

/// A host on this machine (plain `http` is allowed to it only): `localhost`, or an address in 127.0.0.0/8 or ::1.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
