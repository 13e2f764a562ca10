//! A loopback TCP proxy in front of a server (Graph or IMAP, TLS passes through untouched):
//! it can hold each chunk back for a while in each direction (network latency, the same for
//! both protocols), count the round trips that pass it, and cut every open connection (a
//! network failure mid-session).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub struct Proxy {
    pub addr: SocketAddr,
    accepted: Arc<AtomicU64>,
    round_trips: Arc<AtomicU64>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    listener: JoinHandle<()>,
}

impl Proxy {
    /// Forwards 127.0.0.1:<port> to `target`, each direction delayed by `one_way`.
    pub async fn start(target: SocketAddr, one_way: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicU64::new(0));
        let round_trips = Arc::new(AtomicU64::new(0));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (count, trips, conns) = (accepted.clone(), round_trips.clone(), connections.clone());
        let listener = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                let Ok(server) = TcpStream::connect(target).await else {
                    continue;
                };
                let _ = (client.set_nodelay(true), server.set_nodelay(true));
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                // A round trip: the server answers after the client spoke (TLS handshake
                // flights, the greeting after it, each request or command and its reply).
                let spoke = Arc::new(AtomicBool::new(false));
                let (spoke2, trips) = (spoke.clone(), trips.clone());
                let on_request = move || spoke.store(true, Ordering::Relaxed);
                let on_reply = move || {
                    if spoke2.swap(false, Ordering::Relaxed) {
                        trips.fetch_add(1, Ordering::Relaxed);
                    }
                };
                let task = tokio::spawn(async move {
                    tokio::join!(
                        pipe(cr, sw, one_way, on_request),
                        pipe(sr, cw, one_way, on_reply)
                    );
                });
                conns.lock().unwrap().push(task);
            }
        });
        Self {
            addr,
            accepted,
            round_trips,
            connections,
            listener,
        }
    }

    /// Round trips on all connections so far: replies that began after the client had sent.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Cuts every open connection, as a network failure would.
    pub fn sever(&self) {
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.listener.abort();
        self.sever();
    }
}

/// Copies `from` to `to`, each chunk delivered `delay` after it was read (chunks keep their
/// order and are not held back by each other: a pipe, not a queue of round trips). `on_chunk`
/// is called as each chunk is read.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    on_chunk: impl Fn(),
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let writer = async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    on_chunk();
                    let due = tokio::time::Instant::now() + delay;
                    if tx.send((due, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    };
    tokio::join!(reader, writer);
}
