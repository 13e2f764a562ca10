//! Local HTTPS servers for the live server checks: a test CA, leaf certificates made to order,
//! and a tiny HTTP/1.1 responder on 127.0.0.1 behind tokio-rustls.
#![allow(dead_code)]

pub mod fake_imap;
pub mod mail;
pub mod profile;
pub mod proxy;
pub mod search_seed;
pub mod sim;

use onboard::server::{HostName, ProbeOptions, ServerCheck, ServerKind};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// Zammad's Graph callback path, which `local_check` uses.
pub const CALLBACK: &str = "/api/v1/external_credentials/microsoft_graph/callback";

/// The offline result for `localhost:port`. The host-name parser rightly refuses single-label
/// names from people, so the test builds what it would have produced.
pub fn local_check(port: u16) -> ServerCheck {
    ServerCheck {
        kind: ServerKind::ZammadGraph,
        host: HostName {
            ascii: "localhost".into(),
            unicode: "localhost".into(),
            port: Some(port),
            path: String::new(),
            notes: vec![],
        },
        callback_url: format!("https://localhost:{port}{CALLBACK}"),
        callback_url_display: format!("https://localhost:{port}{CALLBACK}"),
        platform: "Web".into(),
        requirements: vec![],
        notes: vec![],
    }
}

pub fn opts(ca: &Ca) -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_secs(5),
        extra_ca_pem: Some(ca.pem.clone()),
    }
}

/// A certificate chain and key for a server.
pub struct Leaf {
    cert_pem: String,
    key_pem: String,
}

pub struct Ca {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    pub fn new() -> Self {
        Self::named("probe test CA")
    }

    /// CAs with the same name are one CA to a verifier that looks issuers up by name.
    pub fn named(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).unwrap();
        Self {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.sign(leaf_params(names))
    }

    pub fn expired_leaf(&self, name: &str) -> Leaf {
        let mut params = leaf_params(&[name]);
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2021, 1, 1);
        self.sign(params)
    }

    pub fn self_signed(name: &str) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let cert = leaf_params(&[name]).self_signed(&key).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    fn sign(&self, params: CertificateParams) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params
}

/// An HTTPS server on 127.0.0.1 answering each request with the status `status(path)` gives.
/// Stops when dropped.
pub struct Https {
    pub port: u16,
    task: JoinHandle<()>,
}

impl Https {
    pub async fn start(leaf: Leaf, status: fn(&str) -> u16) -> Self {
        let certs = vec![CertificateDer::from_pem_slice(leaf.cert_pem.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // Handshake failures are the point of several tests: the client reports them.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&request);
                    let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
                    let code = status(&path);
                    let response = format!(
                        "HTTP/1.1 {code} Status\r\nServer: probe-test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = tls.write_all(response.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        Self { port, task }
    }
}

impl Drop for Https {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A TCP listener that accepts connections and never says a word: a handshake must time out.
pub async fn silent_listener() -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    (port, task)
}

/// A TCP listener that answers whatever arrives with plain HTTP, as a port without TLS would.
pub async fn plain_http_listener() -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut buf = [0u8; 512];
            let _ = tcp.read(&mut buf).await;
            let _ = tcp
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    (port, task)
}
