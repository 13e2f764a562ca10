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

/// A host on this machine (plain `http` is allowed to it only): `localhost`, or an address in 127.0.0.0/8 or ::1.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
