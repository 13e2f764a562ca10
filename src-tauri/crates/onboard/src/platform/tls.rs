//! TLS as every connection of the core makes it: TLS 1.2 or 1.3 with rustls, the public roots
//! browsers trust (Mozilla's list) plus the extra CA the sandbox or a test gives, and the
//! diagnoses of a CA that cannot be read. The server step's certificate check and the mail
//! connections both start here.

use crate::catalog::Diagnosis;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use std::sync::Arc;

pub(crate) fn bad_ca(e: &dyn std::fmt::Display) -> Diagnosis {
    Diagnosis::new(
        "cloud.ca",
        "The extra CA certificate cannot be read",
        e.to_string(),
        "Give a PEM file with one CA certificate (--ca-file).",
    )
}

pub(crate) fn internal(e: &dyn std::fmt::Display) -> Diagnosis {
    Diagnosis::new(
        "tls.client",
        "The TLS check cannot start",
        e.to_string(),
        "Restart the wizard; if it persists, report this text.",
    )
}

/// The public roots browsers trust (Mozilla's list), plus the test CA when one is given.
pub(crate) fn roots(extra_ca_pem: Option<&str>) -> Result<RootCertStore, Diagnosis> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in extra_roots(extra_ca_pem)? {
        roots.add(cert).map_err(|e| bad_ca(&e))?;
    }
    Ok(roots)
}

/// The certificates of the cloud's extra CA (`Cloud::extra_ca_pem`; several may be
/// concatenated, as the sandbox's simulator and mail stack have one each).
pub(crate) fn extra_roots(
    extra_ca_pem: Option<&str>,
) -> Result<Vec<CertificateDer<'static>>, Diagnosis> {
    let Some(pem) = extra_ca_pem else {
        return Ok(Vec::new());
    };
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_ca(&e))?;
    if certs.is_empty() {
        return Err(bad_ca(&"no certificate in the PEM text"));
    }
    Ok(certs)
}

/// A TLS client as mail connections use it: TLS 1.2 or 1.3, the public roots plus the cloud's
/// extra CA, the server's name (or IP address) verified.
pub(crate) fn client_config(extra_ca_pem: Option<&str>) -> Result<Arc<ClientConfig>, Diagnosis> {
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| internal(&e))?
            .with_root_certificates(roots(extra_ca_pem)?)
            .with_no_client_auth();
    Ok(Arc::new(config))
}
