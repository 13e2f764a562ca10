//! Starting and stopping a simulator: bind, make the CA and keys, serve HTTPS.

use crate::exchange::introspection;
use crate::identity::{authorize, device, discovery, sign_out, token};
use crate::tenant::keys;
use crate::tenant::mail_store::MailStore;
use crate::tenant::seed::Seed;
use crate::tenant::sim::{Shared, Sim};
use crate::tenant::world::World;
use crate::{control, tls};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What a running simulator announces (also printed as the JSON start line by `m365-sim`).
#[derive(Debug, Clone, Serialize)]
pub struct Endpoints {
    /// The identity platform's host: `{authority}/{tenant}/oauth2/v2.0/...`.
    pub authority: String,
    /// Graph's base: `{graph}/v1.0/me`.
    pub graph: String,
    /// Dovecot's oauth2 passdb posts tokens here.
    pub introspection_url: String,
    /// The PEM file of the CA that signed the simulator's certificate.
    pub ca_file: PathBuf,
    /// The mailboxes as Maildir++ (`<address>/Maildir`); Dovecot's homes point here.
    pub mail_root: PathBuf,
}

pub struct RunningSim {
    pub endpoints: Endpoints,
    pub sim: Shared,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

pub fn router(sim: Shared) -> Router {
    let _ = sim.dispatch.set(router);
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(device::device_code),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(sign_out::logout))
        .route("/{tenant}/adminconsent", get(authorize::admin_consent_v1))
        .route(
            "/{tenant}/v2.0/adminconsent",
            get(authorize::admin_consent_v2),
        )
        .route("/{tenant}/login", post(authorize::login))
        .route("/{tenant}/consent", post(authorize::consent))
        .route(
            "/devicelogin",
            get(device::device_login_page).post(device::device_login),
        )
        .route(
            "/_sim/log",
            get(control::get_log).delete(control::clear_log),
        )
        .route(
            "/_sim/faults",
            post(control::add_fault).delete(control::clear_faults),
        )
        .route(
            "/_sim/clock",
            get(control::get_clock).post(control::set_clock),
        )
        .route("/_sim/tokens", get(control::tokens))
        .route("/_sim/device", post(control::device_decision))
        .route("/_sim/introspect", post(introspection::introspect))
        .nest(
            "/graph/v1.0",
            crate::graph::router().layer(axum::middleware::from_fn_with_state(
                sim.clone(),
                crate::graph::error::request_ids,
            )),
        )
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            control::observe,
        ))
        .with_state(sim)
}

impl RunningSim {
    /// Binds `listen` (port 0 picks a free one), writes the CA to a temporary directory that
    /// lives as long as the simulator, and serves until [`RunningSim::stop`].
    pub async fn start(listen: SocketAddr, seed: Seed) -> Result<Self, String> {
        // Both rustls providers may be linked in a test binary; the simulator uses ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let listener =
            std::net::TcpListener::bind(listen).map_err(|e| format!("listen {listen}: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let base_url = format!("https://{addr}");

        let certs = tls::generate().map_err(|e| format!("certificates: {e}"))?;
        let dir = tempfile::Builder::new()
            .prefix("m365-sim-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &certs.ca_pem).map_err(|e| e.to_string())?;
        let keys = tokio::task::spawn_blocking(keys::Keys::generate)
            .await
            .map_err(|e| e.to_string())??;

        let mail_root = dir.path().join("mail");
        let mailboxes: Vec<_> = seed
            .mailboxes
            .into_iter()
            .map(|(address, m)| (address.to_ascii_lowercase(), m))
            .collect();
        let mail = MailStore::materialize(&mail_root, &mailboxes, &seed.base_dir)?;
        let sim: Shared = Arc::new(Sim::new(
            World::new(seed.tenants),
            keys,
            base_url.clone(),
            mail,
        ));
        let config = axum_server::tls_rustls::RustlsConfig::from_pem(
            certs.cert_pem.into_bytes(),
            certs.key_pem.into_bytes(),
        )
        .await
        .map_err(|e| format!("TLS: {e}"))?;
        let handle = axum_server::Handle::new();
        let app = router(sim.clone());
        let server = axum_server::from_tcp_rustls(listener, config)
            .map_err(|e| e.to_string())?
            .handle(handle.clone());
        let task = tokio::spawn(server.serve(app.into_make_service()));
        Ok(Self {
            endpoints: Endpoints {
                authority: base_url.clone(),
                graph: format!("{base_url}/graph"),
                introspection_url: format!("{base_url}/_sim/introspect"),
                ca_file,
                mail_root,
            },
            sim,
            handle,
            task,
            _dir: dir,
        })
    }

    /// Mail sent through Graph `sendMail` to addresses outside the tenant is relayed to `addr`.
    pub fn set_outgoing(&self, addr: SocketAddr) {
        *crate::tenant::sim::lock(&self.sim.outgoing) = Some(addr);
    }

    pub async fn stop(self) {
        self.handle.shutdown();
        let _ = self.task.await;
    }
}
