//! The preview's speed on a 100,000-message folder, over Graph (the simulator) and IMAP (Dovecot
//! on the same Maildir), with 40 ms of round-trip time added the same way to both: a loopback
//! proxy holds each direction back 20 ms. Prints a markdown table (README.md, "Benchmarks").
//! Run with `make bench` (root and Dovecot, as the mail tests need).
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

#[path = "../tests/support/mod.rs"]
mod support;

use m365_sim::mail_store::SeedFolder;
use onboard::{
    profile_folders, profile_message_page, ChannelKind, Cloud, Folder, GraphAudience,
    MailboxChoice, MemoryStore, MessagePage, OutlookAudience, Session,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::mail::{MailWorld, ALICE};
use support::profile::{connect, session};
use support::proxy::Proxy;

const MESSAGES: usize = 100_000;
const ONE_WAY: Duration = Duration::from_millis(20);
const RUNS: usize = 5;
const TOP: u32 = 50;
/// Pages read for the memory figure (without added latency).
const MEMORY_PAGES: usize = 100;

/// One kept profile and where its files are.
struct Kept {
    label: &'static str,
    imap: bool,
    name: String,
    dir: tempfile::TempDir,
    secrets: Arc<MemoryStore>,
    folder: String,
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

    /// A session of its own (nothing kept yet) with the access token already at hand, so a cold
    /// page measures connect, TLS and (IMAP) sign-in, not the token endpoint.
    async fn session(&self, cloud: &Cloud) -> Session {
        let s = session(cloud.clone(), &self.dir, &self.secrets);
        if self.imap {
            s.token::<OutlookAudience>(&self.name).await.unwrap();
        } else {
            s.token::<GraphAudience>(&self.name).await.unwrap();
        }
        s
    }

    async fn page(&self, s: &Session, cursor: Option<&str>) -> (Duration, MessagePage) {
        let started = Instant::now();
        let page = profile_message_page(s, &self.name, &self.folder, TOP, cursor)
            .await
            .unwrap();
        assert_eq!(page.messages.len(), TOP as usize);
        (started.elapsed(), page)
    }
}

/// The median of `RUNS` timings, and the round trips (the same each run).
struct Timed {
    ms: f64,
    round_trips: u32,
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

/// First page cold and warm, second page warm, on `cloud`. `graph_base` is what the
/// simulator's next links start with.
async fn measure(k: &Kept, cloud: &Cloud, graph_base: &str) -> [Timed; 3] {
    let (mut cold, mut warm, mut second) = (vec![], vec![], vec![]);
    let mut trips = [0; 3];
    for _ in 0..RUNS {
        let s = k.session(cloud).await;
        let (t, first) = k.page(&s, None).await;
        cold.push(t);
        let (t, again) = k.page(&s, None).await;
        warm.push(t);
        assert_eq!(first.messages, again.messages);
        // Graph's next link names the simulator's own port; over the proxy it goes through the
        // proxy, as it would on a real network path.
        let next = first
            .next
            .unwrap()
            .replacen(graph_base, cloud.graph.trim_end_matches('/'), 1);
        let (t, page2) = k.page(&s, Some(&next)).await;
        second.push(t);
        assert!(page2.messages.iter().all(|m| !first.messages.contains(m)));
        trips = [first.round_trips, again.round_trips, page2.round_trips];
    }
    [cold, warm, second]
        .into_iter()
        .zip(trips)
        .map(|(v, round_trips)| Timed {
            ms: median(v),
            round_trips,
        })
        .collect::<Vec<_>>()
        .try_into()
        .unwrap_or_else(|_| unreachable!())
}

/// Resident and peak resident memory of this process, in KiB (`/proc/self/status`).
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Pages through `MEMORY_PAGES` pages; the growth of resident memory at the end and at its peak.
async fn memory(k: &Kept, cloud: &Cloud) -> (f64, f64, f64) {
    let s = k.session(cloud).await;
    let (_, first) = k.page(&s, None).await;
    // Resets the peak (VmHWM) to the current size.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let (before, _) = rss();
    let started = Instant::now();
    let mut next = first.next;
    for _ in 1..MEMORY_PAGES {
        let (_, page) = k.page(&s, next.as_deref()).await;
        next = page.next;
    }
    let secs = started.elapsed().as_secs_f64();
    let (after, peak) = rss();
    let mib = |kib: u64| kib as f64 / 1024.0;
    (
        mib(after.saturating_sub(before)),
        mib(peak.saturating_sub(before)),
        (MEMORY_PAGES - 1) as f64 * f64::from(TOP) / secs,
    )
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let w = MailWorld::start_with(|seed| {
        let alice = seed.mailboxes.get_mut(ALICE).unwrap();
        alice.folders.push(SeedFolder {
            name: "Bulk".into(),
            messages: vec![],
            children: vec![],
            hidden: false,
            generated: MESSAGES,
        });
    })
    .await;
    let seeded = started.elapsed();
    let fast = w.cloud();

    let mut imap = Kept::new("IMAP", true);
    let s = session(fast.clone(), &imap.dir, &imap.secrets);
    imap.name = connect(
        &s,
        fast.clone(),
        ChannelKind::ImapDelegated,
        MailboxChoice::User,
    )
    .await;
    imap.folder = "Bulk".into();
    let mut graph = Kept::new("Graph", false);
    let s = session(fast.clone(), &graph.dir, &graph.secrets);
    graph.name = connect(
        &s,
        fast.clone(),
        ChannelKind::GraphDelegated,
        MailboxChoice::User,
    )
    .await;
    let tree = profile_folders(&s, &graph.name, false).await.unwrap();
    graph.folder = Folder::find(&tree, "Bulk").unwrap().id.clone();

    // Dovecot indexes the folder's files on its first EXAMINE: part of the setup.
    let indexing = Instant::now();
    imap.page(&imap.session(&fast).await, None).await;
    let indexed = indexing.elapsed();

    let graph_port = url::Url::parse(&w.sim.endpoints.graph)
        .unwrap()
        .port()
        .unwrap();
    let graph_proxy = Proxy::start(([127, 0, 0, 1], graph_port).into(), ONE_WAY).await;
    let imap_proxy = Proxy::start(([127, 0, 0, 1], w.imaps).into(), ONE_WAY).await;
    let mut slow = fast.clone();
    slow.graph = fast.graph.replacen(
        &format!(":{graph_port}"),
        &format!(":{}", graph_proxy.addr.port()),
        1,
    );
    slow.imap = imap_proxy.addr.to_string();
    let rtt = (ONE_WAY * 2).as_secs_f64() * 1000.0;

    println!(
        "Setup: {MESSAGES} messages written and Dovecot started in {:.1} s; Dovecot's first EXAMINE indexed them in {:.1} s. {} CPU cores.\n",
        seeded.as_secs_f64(),
        indexed.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| protocol | page of {TOP} | ms at {rtt:.0} ms RTT | ms without added latency | round trips | round trips × RTT | ms ÷ (round trips × RTT) | added ms ÷ (round trips × RTT) |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let pages = [
        "first, cold (connect, TLS, sign-in)",
        "first, warm (kept connection)",
        "second, warm",
    ];
    for k in [&graph, &imap] {
        let at_rtt = measure(k, &slow, &fast.graph).await;
        let local = measure(k, &fast, &fast.graph).await;
        for ((page, t), l) in pages.iter().zip(&at_rtt).zip(&local) {
            let budget = f64::from(t.round_trips) * rtt;
            println!(
                "| {} | {page} | {:.0} | {:.0} | {} | {budget:.0} | {:.2} | {:.2} |",
                k.label,
                t.ms,
                l.ms,
                t.round_trips,
                t.ms / budget,
                (t.ms - l.ms) / budget
            );
        }
    }
    println!("\n| protocol | pages of {TOP} read (no added latency) | messages/s | resident memory growth after | peak growth while paging |");
    println!("|---|---:|---:|---:|---:|");
    for k in [&graph, &imap] {
        let (after, peak, rate) = memory(k, &fast).await;
        println!(
            "| {} | {MEMORY_PAGES} | {rate:.0} | {after:.1} MiB | {peak:.1} MiB |",
            k.label
        );
    }
    drop((graph_proxy, imap_proxy));
    w.stop().await;
}
