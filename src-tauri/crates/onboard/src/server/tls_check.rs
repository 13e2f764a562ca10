//! The HTTPS step: a TLS handshake validated for the helpdesk's name as a browser would (public
//! roots), and each way it can fail as a diagnosis an admin can act on.

use crate::catalog::Diagnosis;
use crate::platform::tls::{internal, roots};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Why a publicly trusted certificate matters even for a helpdesk only Microsoft redirects to.
const BROWSER_LANDS_THERE: &str = "Entra sends the browser back to the callback URL on this host after sign-in, so the host must serve a publicly trusted certificate for exactly this name.";

/// Connects to the first address that accepts and completes a handshake for `host`.
/// Returns the line for the report, e.g. `TLS 1.3 with a valid certificate (127.0.0.1:443)`.
pub(crate) async fn handshake(
    host: &str,
    port: u16,
    addrs: &[SocketAddr],
    extra_ca_pem: Option<&str>,
) -> Result<String, Diagnosis> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(Recording::new(roots(extra_ca_pem)?, provider.clone())?);
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| internal(&e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(|e| internal(&e))?;
    let (tcp, addr) = connect(host, port, addrs).await?;
    let tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| handshake_failure(host, port, &e, verifier.leaf().as_deref()))?;
    let version = match tls.get_ref().1.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
        _ => "TLS",
    };
    Ok(format!(
        "{version}, certificate valid for {host} (connected to {addr})"
    ))
}

async fn connect(
    host: &str,
    port: u16,
    addrs: &[SocketAddr],
) -> Result<(TcpStream, SocketAddr), Diagnosis> {
    let mut errors = Vec::new();
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok((s, *addr)),
            Err(e) => errors.push((*addr, e)),
        }
    }
    let tried = errors
        .iter()
        .map(|(a, e)| format!("{a}: {e}"))
        .collect::<Vec<_>>()
        .join("; ");
    if errors
        .iter()
        .all(|(_, e)| e.kind() == io::ErrorKind::ConnectionRefused)
    {
        return Err(Diagnosis::new(
            "net.refused",
            format!("{host} refuses connections on port {port}"),
            format!("No web server accepts connections there ({tried})."),
            format!("Start the web server (nginx, Apache, …) on the helpdesk host and make it listen for https on port {port}, or open that port in the host's firewall."),
        ));
    }
    Err(Diagnosis::new(
        "net.unreachable",
        format!("{host} cannot be reached on port {port}"),
        tried,
        "Check the network route and firewalls between this machine and the helpdesk; an internal server may only be reachable from inside its network or VPN.",
    ))
}

fn handshake_failure(host: &str, port: u16, e: &io::Error, leaf: Option<&[u8]>) -> Diagnosis {
    let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) else {
        return Diagnosis::new(
            "tls.handshake",
            format!("{host} closed the connection during the TLS handshake"),
            format!("{e}."),
            format!("Check that the server speaks https on port {port} and has a certificate configured for {host} (a virtual host without one often just closes the connection)."),
        );
    };
    match tls {
        rustls::Error::InvalidCertificate(c) => certificate_failure(host, c, leaf),
        rustls::Error::InvalidMessage(_) => Diagnosis::new(
            "tls.not_tls",
            format!("{host} does not speak TLS on port {port}"),
            format!("The answer to the TLS greeting was not TLS ({tls})."),
            format!("The port probably serves plain http. Configure https on port {port} with a certificate for {host}. {BROWSER_LANDS_THERE}"),
        ),
        rustls::Error::PeerIncompatible(_) => Diagnosis::new(
            "tls.protocol",
            format!("{host} offers no TLS version or cipher in common"),
            tls.to_string(),
            "Enable TLS 1.2 and 1.3 with current ciphers on the web server; browsers refuse older protocols.",
        ),
        rustls::Error::AlertReceived(alert) => Diagnosis::new(
            "tls.alert",
            format!("{host} rejected the TLS handshake"),
            format!("The server sent the alert “{alert:?}”."),
            format!("Check that the web server has an https virtual host for exactly {host} (an unrecognised name is a common cause) with TLS 1.2 or 1.3 enabled."),
        ),
        other => Diagnosis::new(
            "tls.protocol",
            format!("The TLS handshake with {host} failed"),
            other.to_string(),
            format!("Check the web server's TLS configuration for {host}. {BROWSER_LANDS_THERE}"),
        ),
    }
}

fn certificate_failure(host: &str, c: &CertificateError, leaf: Option<&[u8]>) -> Diagnosis {
    let d = |code: &str, title: String, detail: String, fix: String| {
        Diagnosis::new(code, title, detail, fix)
    };
    match c {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            let when = match c {
                CertificateError::ExpiredContext { not_after, time } => format!(
                    "It expired on {} ({} days ago).",
                    date(not_after),
                    time.as_secs().saturating_sub(not_after.as_secs()) / 86_400
                ),
                _ => "It has expired.".to_owned(),
            };
            d(
                "tls.expired",
                format!("The certificate of {host} has expired"),
                when,
                format!("Renew the certificate and reload the web server; with Let's Encrypt, run `certbot renew` and check that its timer or cron job runs. {BROWSER_LANDS_THERE}"),
            )
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            let when = match c {
                CertificateError::NotValidYetContext { not_before, .. } => {
                    format!("It is valid from {} on.", date(not_before))
                }
                _ => "It is not valid yet.".to_owned(),
            };
            d(
                "tls.not_yet_valid",
                format!("The certificate of {host} is not valid yet"),
                when,
                "Check the clock of this machine and of the server (NTP); a fresh certificate that is not valid yet usually means one of them is wrong.".to_owned(),
            )
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            let names = match c {
                CertificateError::NotValidForNameContext { presented, .. } if !presented.is_empty() => {
                    format!("It is valid for {}, not for {host}.", presented.join(", "))
                }
                _ => format!("It is not valid for {host}."),
            };
            let mut diag = d(
                "tls.wrong_name",
                format!("The certificate of {host} is for another name"),
                names,
                format!("Issue a certificate that includes {host} (for example `certbot -d {host}`), or type the name the certificate is for. For Zammad, the FQDN in System > Base must be this same name. {BROWSER_LANDS_THERE}"),
            );
            diag.field = Some("FQDN".to_owned());
            diag
        }
        CertificateError::UnknownIssuer if leaf.is_some_and(is_self_issued) => d(
            "tls.self_signed",
            format!("The certificate of {host} is self-signed"),
            "The server presents a certificate it signed itself; browsers and Microsoft's sign-in flow do not trust it.".to_owned(),
            format!("Install a certificate from a public CA, for example a free one from Let's Encrypt (certbot). {BROWSER_LANDS_THERE}"),
        ),
        CertificateError::UnknownIssuer => d(
            "tls.unknown_issuer",
            format!("The certificate of {host} is not from a trusted CA"),
            "The certificate chain does not lead to a publicly trusted root: it is from a private or internal CA, or the server does not send the intermediate certificates.".to_owned(),
            format!("Serve the full chain (with Let's Encrypt: fullchain.pem, not cert.pem); if the certificate is from an internal CA, replace it with a publicly trusted one. {BROWSER_LANDS_THERE}"),
        ),
        CertificateError::Revoked => d(
            "tls.revoked",
            format!("The certificate of {host} has been revoked"),
            "Its CA has withdrawn it.".to_owned(),
            "Issue and install a new certificate.".to_owned(),
        ),
        other => d(
            "tls.certificate",
            format!("The certificate of {host} is not valid"),
            format!("{other:?}"),
            format!("Install a valid certificate for {host} from a public CA. {BROWSER_LANDS_THERE}"),
        ),
    }
}

fn date(t: &UnixTime) -> String {
    i64::try_from(t.as_secs())
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || format!("{} (Unix time)", t.as_secs()),
            |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
}

/// Issuer equals subject: the certificate signed itself (a chain would name a CA).
fn is_self_issued(cert: &[u8]) -> bool {
    let names = || -> Option<bool> {
        let (_, cert, _) = der(cert)?;
        let (_, mut tbs, _) = der(cert)?;
        if tbs.first() == Some(&0xa0) {
            tbs = der(tbs)?.2; // the explicit version
        }
        let rest = der(tbs)?.2; // serial number
        let rest = der(rest)?.2; // signature algorithm
        let issuer = element(rest)?;
        let rest = der(rest)?.2;
        let rest = der(rest)?.2; // validity
        Some(issuer == element(rest)?)
    };
    names().unwrap_or(false)
}

/// One DER element: its tag, its content, and what follows it.
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, rest) = rest.split_at(n);
        (
            bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    Some((tag, content, rest))
}

/// The whole first element of `input`, header included (names compare as encoded).
fn element(input: &[u8]) -> Option<&[u8]> {
    let (_, _, rest) = der(input)?;
    input.get(..input.len() - rest.len())
}

/// The browser's verifier, remembering the certificate it was shown so that a failure can say
/// more than webpki does (self-signed vs. an unknown CA).
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    leaf: Mutex<Option<Vec<u8>>>,
}

impl Recording {
    fn new(roots: RootCertStore, provider: Arc<CryptoProvider>) -> Result<Self, Diagnosis> {
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| internal(&e))?;
        Ok(Self {
            inner,
            leaf: Mutex::new(None),
        })
    }

    fn leaf(&self) -> Option<Vec<u8>> {
        self.leaf.lock().ok().and_then(|l| l.clone())
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut leaf) = self.leaf.lock() {
            *leaf = Some(end_entity.to_vec());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
