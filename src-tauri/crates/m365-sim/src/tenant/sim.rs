//! The shared state behind every route.

use crate::tenant::clock::Clock;
use crate::tenant::keys::Keys;
use crate::tenant::world::World;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct Sim {
    world: Mutex<World>,
    pub clock: Clock,
    pub keys: Keys,
    /// `https://127.0.0.1:PORT`: the authority host and, under `/graph`, Graph.
    pub base_url: String,
    pub log: Mutex<Vec<crate::tenant::request_log::LogEntry>>,
    /// The mailboxes, on disk (Dovecot serves the same directories over IMAP).
    pub mail: crate::tenant::mail_store::MailStore,
    /// Where mail sent through Graph goes out by SMTP (the test sink), when set.
    pub outgoing: Mutex<Option<std::net::SocketAddr>>,
    /// Graph requests in flight per (mailbox, client id), for the MailboxConcurrency limit.
    pub mailbox_requests: Mutex<std::collections::HashMap<(String, String), usize>>,
    pub faults: Mutex<Vec<crate::tenant::request_log::FaultRule>>,
    /// The whole simulator's router, for the items of a Graph `$batch` (set by the server, so
    /// that graph/ need not import it).
    pub dispatch: std::sync::OnceLock<fn(Shared) -> axum::Router>,
}

pub type Shared = Arc<Sim>;

impl Sim {
    pub fn new(
        world: World,
        keys: Keys,
        base_url: String,
        mail: crate::tenant::mail_store::MailStore,
    ) -> Self {
        Self {
            world: Mutex::new(world),
            clock: Clock::default(),
            keys,
            base_url,
            log: Mutex::default(),
            mail,
            outgoing: Mutex::default(),
            mailbox_requests: Mutex::default(),
            faults: Mutex::default(),
            dispatch: std::sync::OnceLock::new(),
        }
    }

    /// The world, even after a panicked handler: every change to it is a single insert or flag.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn issuer(&self, tenant_id: &str) -> String {
        format!("{}/{tenant_id}/v2.0", self.base_url)
    }
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
