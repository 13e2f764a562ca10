//! What the mailbox benches share: the simulator and Dovecot on one Maildir (seeded as the bench
//! asks), a kept profile per protocol, and a loopback proxy in front of each server that holds
//! each direction back 20 ms, so both protocols pay the same 40 ms round-trip time and the
//! round trips can be counted on the wire.
#![allow(dead_code)] // each bench uses part of it

use crate::support::mail::{MailWorld, ALICE};
use crate::support::profile::{connect, session};
use crate::support::proxy::Proxy;
use m365_sim::tenant::mail_store::SeedFolder;
use m365_sim::tenant::seed::Seed;
use onboard::{
    cloud::Cloud,
    identity::{ChannelKind, GraphAudience, OutlookAudience},
    mailbox::{profile_folders, Folder},
    platform::MemoryStore,
    profile::{MailboxChoice, Session},
};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const ONE_WAY: Duration = Duration::from_millis(20);
/// Timings are medians of this many runs.
pub const RUNS: usize = 5;

/// The round-trip time the proxies add, in ms.
pub fn rtt_ms() -> f64 {
    (ONE_WAY * 2).as_secs_f64() * 1000.0
}

/// One kept profile and where its files are.
pub struct Kept {
    pub label: &'static str,
    pub imap: bool,
    pub name: String,
    dir: tempfile::TempDir,
    secrets: Arc<MemoryStore>,
    /// The folder the bench reads: its Graph id, or its IMAP name.
    pub folder: String,
}

impl Kept {
    /// A session of its own (nothing kept yet) with the access token already at hand, so a cold
    /// call measures connect, TLS and (IMAP) sign-in, not the token endpoint.
    pub async fn session(&self, cloud: &Cloud) -> Session {
        let s = session(cloud.clone(), &self.dir, &self.secrets);
        if self.imap {
            s.token::<OutlookAudience>(&self.name).await.unwrap();
        } else {
            s.token::<GraphAudience>(&self.name).await.unwrap();
        }
        s
    }
}

/// A median time and the round trips of one run (the same each run).
pub struct Timed<T> {
    pub ms: f64,
    /// What the proxy saw: TLS handshake flights, sign-in and every request or command.
    pub wire_trips: u64,
    /// Graph requests in one run, from the simulator's log (`None` over IMAP); those in a
    /// `$batch` count each, as the simulator logs them.
    pub requests: Option<usize>,
    /// Of those, the `$batch` requests that carried the others.
    pub batches: Option<usize>,
    /// The last run's result.
    pub last: T,
}

pub struct Mailbox {
    pub world: MailWorld,
    /// Straight to the servers.
    pub fast: Cloud,
    /// Through the proxies.
    pub slow: Cloud,
    pub graph: Kept,
    pub imap: Kept,
    graph_proxy: Proxy,
    imap_proxy: Proxy,
    /// Writing the messages and starting the servers.
    pub seeded: Duration,
}

impl Mailbox {
    /// Alice's mailbox as the default seed has it, changed by `edit`, with a Graph and an IMAP
    /// profile signed in to it.
    pub async fn start(edit: impl FnOnce(&mut Vec<SeedFolder>)) -> Self {
        let started = Instant::now();
        let world = MailWorld::start_with(|seed: &mut Seed| {
            edit(&mut seed.mailboxes.get_mut(ALICE).unwrap().folders);
        })
        .await;
        let seeded = started.elapsed();
        let fast = world.cloud();
        let mut graph = Kept::new("Graph", false);
        let mut imap = Kept::new("IMAP", true);
        for (k, kind) in [
            (&mut graph, ChannelKind::GraphDelegated),
            (&mut imap, ChannelKind::ImapDelegated),
        ] {
            let s = session(fast.clone(), &k.dir, &k.secrets);
            k.name = connect(&s, fast.clone(), kind, MailboxChoice::User).await;
        }
        let graph_port = url::Url::parse(&world.sim.endpoints.graph)
            .unwrap()
            .port()
            .unwrap();
        let graph_proxy = Proxy::start(([127, 0, 0, 1], graph_port).into(), ONE_WAY).await;
        let imap_proxy = Proxy::start(([127, 0, 0, 1], world.imaps).into(), ONE_WAY).await;
        let mut slow = fast.clone();
        slow.graph = fast.graph.replacen(
            &format!(":{graph_port}"),
            &format!(":{}", graph_proxy.addr.port()),
            1,
        );
        slow.imap = imap_proxy.addr.to_string();
        Self {
            world,
            fast,
            slow,
            graph,
            imap,
            graph_proxy,
            imap_proxy,
            seeded,
        }
    }

    /// Both profiles read the folder at `path`.
    pub async fn use_folder(&mut self, path: &str) {
        let s = self.graph.session(&self.fast).await;
        let tree = profile_folders(&s, &self.graph.name, false).await.unwrap();
        self.graph.folder = Folder::find(&tree, path).unwrap().id.clone();
        self.imap.folder = path.to_owned();
    }

    /// `RUNS` calls of `call`, each on a new session, through the proxies (`slow`) or not.
    pub async fn measure<T>(
        &self,
        k: &Kept,
        slow: bool,
        call: impl AsyncFn(&Session) -> T,
    ) -> Timed<T> {
        let (cloud, proxy) = match (slow, k.imap) {
            (false, _) => (&self.fast, None),
            (true, false) => (&self.slow, Some(&self.graph_proxy)),
            (true, true) => (&self.slow, Some(&self.imap_proxy)),
        };
        let trips = || proxy.map_or(0, Proxy::round_trips);
        let mut times = Vec::with_capacity(RUNS);
        let (mut wire_trips, mut requests, mut batches, mut last) = (0, None, None, None);
        for _ in 0..RUNS {
            let s = k.session(cloud).await;
            let (before, logged) = (trips(), self.graph_requests().await);
            let started = Instant::now();
            last = Some(call(&s).await);
            times.push(started.elapsed());
            wire_trips = trips() - before;
            let after = self.graph_requests().await;
            requests = (!k.imap).then_some(after.0 - logged.0);
            batches = (!k.imap).then_some(after.1 - logged.1);
        }
        Timed {
            ms: median(times),
            wire_trips,
            requests,
            batches,
            last: last.unwrap(),
        }
    }

    /// Graph requests logged so far, and of those the `$batch`es.
    async fn graph_requests(&self) -> (usize, usize) {
        let log = self.world.sim_log().await;
        let graph = log.iter().filter(|(_, p, _)| p.contains("/v1.0/"));
        let batches = graph
            .clone()
            .filter(|(_, p, _)| p.ends_with("/$batch"))
            .count();
        (graph.count(), batches)
    }

    pub async fn stop(self) {
        drop((self.graph_proxy, self.imap_proxy));
        self.world.stop().await;
    }
}

impl Kept {
    fn new(label: &'static str, imap: bool) -> Self {
        Self {
            label,
            imap,
            name: String::new(),
            dir: tempfile::tempdir().unwrap(),
            secrets: Arc::default(),
            folder: String::new(),
        }
    }
}

/// A folder of `n` generated messages (the simulator writes them; nothing is committed).
pub fn generated(name: &str, n: usize, children: Vec<SeedFolder>) -> SeedFolder {
    SeedFolder {
        name: name.into(),
        messages: vec![],
        children,
        hidden: false,
        generated: n,
    }
}

pub fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}
