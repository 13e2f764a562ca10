//! The preview's speed on a 100,000-message folder, over Graph (the simulator) and IMAP (Dovecot
//! on the same Maildir), with 40 ms of round-trip time added the same way to both: a loopback
//! proxy holds each direction back 20 ms. Prints a markdown table (README.md, "Benchmarks").
//! Run with `make bench` (root and Dovecot, as the mail tests need).
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

mod mailbox;
#[path = "../tests/support/mod.rs"]
mod support;

use mailbox::{generated, median, rtt_ms, Kept, Mailbox, RUNS};
use onboard::{
    cloud::Cloud,
    mailbox::{profile_message_page, MessagePage},
    profile::Session,
};
use std::time::{Duration, Instant};

const MESSAGES: usize = 100_000;
const TOP: u32 = 50;
/// Pages read for the memory figure (without added latency).
const MEMORY_PAGES: usize = 100;

async fn page(k: &Kept, s: &Session, cursor: Option<&str>) -> (Duration, MessagePage) {
    let started = Instant::now();
    let page = profile_message_page(s, &k.name, &k.folder, TOP, cursor)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), TOP as usize);
    (started.elapsed(), page)
}

/// The median of `RUNS` timings, and the round trips (the same each run).
struct Timed {
    ms: f64,
    round_trips: u32,
}

/// First page cold and warm, second page warm, on `cloud`. `graph_base` is what the
/// simulator's next links start with.
async fn measure(k: &Kept, cloud: &Cloud, graph_base: &str) -> [Timed; 3] {
    let (mut cold, mut warm, mut second) = (vec![], vec![], vec![]);
    let mut trips = [0; 3];
    for _ in 0..RUNS {
        let s = k.session(cloud).await;
        let (t, first) = page(k, &s, None).await;
        cold.push(t);
        let (t, again) = page(k, &s, None).await;
        warm.push(t);
        assert_eq!(first.messages, again.messages);
        // Graph's next link names the simulator's own port; over the proxy it goes through the
        // proxy, as it would on a real network path.
        let next = first
            .next
            .unwrap()
            .replacen(graph_base, cloud.graph.trim_end_matches('/'), 1);
        let (t, page2) = page(k, &s, Some(&next)).await;
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
    let (_, first) = page(k, &s, None).await;
    // Resets the peak (VmHWM) to the current size.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let (before, _) = rss();
    let started = Instant::now();
    let mut next = first.next;
    for _ in 1..MEMORY_PAGES {
        let (_, p) = page(k, &s, next.as_deref()).await;
        next = p.next;
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
    let mut mb = Mailbox::start(|folders| folders.push(generated("Bulk", MESSAGES, vec![]))).await;
    mb.use_folder("Bulk").await;
    // Dovecot indexes the folder's files on its first EXAMINE: part of the setup.
    let indexing = Instant::now();
    page(&mb.imap, &mb.imap.session(&mb.fast).await, None).await;
    let indexed = indexing.elapsed();
    let rtt = rtt_ms();

    println!(
        "Setup: {MESSAGES} messages written and Dovecot started in {:.1} s; Dovecot's first EXAMINE indexed them in {:.1} s. {} CPU cores.\n",
        mb.seeded.as_secs_f64(),
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
    for k in [&mb.graph, &mb.imap] {
        let at_rtt = measure(k, &mb.slow, &mb.fast.graph).await;
        let local = measure(k, &mb.fast, &mb.fast.graph).await;
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
    for k in [&mb.graph, &mb.imap] {
        let (after, peak, rate) = memory(k, &mb.fast).await;
        println!(
            "| {} | {MEMORY_PAGES} | {rate:.0} | {after:.1} MiB | {peak:.1} MiB |",
            k.label
        );
    }
    mb.stop().await;
}
