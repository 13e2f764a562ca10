//! The connections a preview keeps between calls, so that paging and opening messages cost only
//! their own round trips: one signed-in IMAP connection per profile (closed after a few idle
//! minutes, and replaced once, transparently, when it turns out broken) and one HTTP client per
//! trusted CA for Graph (reqwest pools its connections). Kept by the [`Session`].

use crate::mailbox::imap::preview::ImapConn;
use crate::profile::kept::Kept;
use crate::{catalog::Diagnosis, cloud::Cloud, identity::TokenSource, profile::Session};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

type Slot = Arc<tokio::sync::Mutex<Option<Held>>>;

/// A read on a connection, boxed as `Send`: the app runs previews on Tauri's thread pool, and an
/// `async` closure over `&mut ImapConn` would not be `Send` for every lifetime.
pub(crate) type Read<'c, R> = Pin<Box<dyn Future<Output = Result<R, Diagnosis>> + Send + 'c>>;

struct Held {
    conn: ImapConn,
    /// What the connection was opened for (server, mailbox, sign-in): another answer opens a
    /// new one.
    fingerprint: String,
    last_used: Instant,
    /// Which connection of the slot this is, so that an old closer leaves a new one alone.
    generation: u64,
}

pub struct PreviewConnections {
    idle: Duration,
    imap: Mutex<HashMap<String, Slot>>,
    http: Mutex<HashMap<Option<String>, reqwest::Client>>,
    generation: std::sync::atomic::AtomicU64,
}

impl Default for PreviewConnections {
    fn default() -> Self {
        Self::new(Self::IDLE)
    }
}

/// Poisoned maps are still whole (every use is one insert, lookup or removal).
fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A failure after which the connection cannot be trusted: the network, a timeout mid-command,
/// or the server's `BYE`.
fn is_broken(d: &Diagnosis) -> bool {
    d.code.starts_with("net.") || d.code == "imap.bye"
}

impl Kept for PreviewConnections {
    fn forget(&self, name: &str) {
        self.close(name);
    }
}

impl<T: TokenSource> Session<T> {
    /// The preview's connections of this session.
    pub fn preview_connections(&self) -> Arc<PreviewConnections> {
        self.kept()
    }

    /// The preview's connections, for another idle limit than [`PreviewConnections::IDLE`].
    pub fn with_preview_connections(self, preview: PreviewConnections) -> Self {
        self.with_kept(preview)
    }
}

impl PreviewConnections {
    /// An IMAP connection unused this long is logged out (Exchange Online itself drops idle
    /// ones after 30 minutes; a preview left open should not hold one that long).
    pub const IDLE: Duration = Duration::from_secs(5 * 60);

    pub fn new(idle: Duration) -> Self {
        Self {
            idle,
            imap: Mutex::new(HashMap::new()),
            http: Mutex::new(HashMap::new()),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How many IMAP connections are open now.
    pub fn open_imap(&self) -> usize {
        let slots: Vec<Slot> = locked(&self.imap).values().cloned().collect();
        slots
            .iter()
            .filter(|s| s.try_lock().map_or(true, |held| held.is_some()))
            .count()
    }

    /// Drops the connection kept for `key` (a profile signed in again or deleted).
    pub fn close(&self, key: &str) {
        locked(&self.imap).remove(key);
    }

    /// The HTTP client for the cloud's CA, made once and reused.
    pub(crate) fn http(&self, cloud: &Cloud) -> Result<reqwest::Client, Diagnosis> {
        let mut clients = locked(&self.http);
        if let Some(c) = clients.get(&cloud.extra_ca_pem) {
            return Ok(c.clone());
        }
        let client = cloud.http_client()?;
        clients.insert(cloud.extra_ca_pem.clone(), client.clone());
        Ok(client)
    }

    /// Runs `op` on the connection kept for `key`, opening one with `open` when there is none
    /// (or it was opened for another `fingerprint`, or sat idle too long). A kept connection
    /// that fails as broken is replaced and `op` runs once more.
    pub(crate) async fn imap<'a, R>(
        &self,
        key: &str,
        fingerprint: &str,
        open: impl Fn() -> Read<'a, ImapConn>,
        mut op: impl for<'c> FnMut(&'c mut ImapConn) -> Read<'c, R>,
    ) -> Result<R, Diagnosis> {
        let slot = locked(&self.imap)
            .entry(key.to_owned())
            .or_default()
            .clone();
        let mut held = slot.lock().await;
        if held
            .as_ref()
            .is_some_and(|h| h.fingerprint != fingerprint || h.last_used.elapsed() >= self.idle)
        {
            if let Some(old) = held.take() {
                old.conn.close().await;
            }
        }
        let mut kept = held.is_some();
        loop {
            if held.is_none() {
                let generation = self
                    .generation
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                *held = Some(Held {
                    conn: open().await?,
                    fingerprint: fingerprint.to_owned(),
                    last_used: Instant::now(),
                    generation,
                });
                close_when_idle(Arc::downgrade(&slot), generation, self.idle);
            }
            let Some(h) = held.as_mut() else {
                continue;
            };
            let result = op(&mut h.conn).await;
            h.last_used = Instant::now();
            match result {
                Err(d) if is_broken(&d) => {
                    *held = None;
                    if !std::mem::take(&mut kept) {
                        return Err(d);
                    }
                }
                other => return other,
            }
        }
    }
}

/// Logs the connection out once it has been idle for `idle`; stops when the slot is gone (the
/// session ended) or holds a newer connection.
fn close_when_idle(slot: Weak<tokio::sync::Mutex<Option<Held>>>, generation: u64, idle: Duration) {
    tokio::spawn(async move {
        let mut wait = idle;
        loop {
            tokio::time::sleep(wait).await;
            let Some(slot) = slot.upgrade() else {
                return;
            };
            let mut held = slot.lock().await;
            match held.as_ref() {
                Some(h) if h.generation == generation => {
                    let since = h.last_used.elapsed();
                    if since < idle {
                        wait = idle - since;
                        continue;
                    }
                }
                _ => return,
            }
            if let Some(h) = held.take() {
                h.conn.close().await;
            }
            return;
        }
    });
}
