//! Archive mode's live counts on the preview bench's folder of 100,000 messages, over Graph and
//! IMAP, with and without 40 ms of added round-trip time: ms, the round trips the core reports
//! and those the proxy sees on the wire. Prints a markdown table (README.md, "Benchmarks").
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

mod mailbox;
#[path = "../tests/support/mod.rs"]
mod support;

use chrono::{DateTime, Utc};
use mailbox::{generated, rtt_ms, Mailbox, RUNS};
use onboard::mailbox::profile_archive_counts;

const MESSAGES: usize = 100_000;

#[tokio::main]
async fn main() {
    let mut mb = Mailbox::start(|folders| folders.push(generated("Bulk", MESSAGES, vec![]))).await;
    mb.use_folder("Bulk").await;
    // The generated messages reach back 100,000 minutes from 2026-01-01: about half are older.
    let cutoff: DateTime<Utc> = "2025-11-26T00:00:00Z".parse().unwrap();
    let rtt = rtt_ms();
    println!("Archive counts of a folder of {MESSAGES} messages, cut-off {cutoff}; medians of {RUNS} runs, each on a new session (connect, TLS, and for IMAP the sign-in).\n");
    println!("| protocol | ms at {rtt:.0} ms RTT | ms without added latency | round trips (core's count: requests or commands) | requests (Graph, simulator's log) | round trips on the wire (with TLS and sign-in) | archived / imported |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for k in [&mb.graph, &mb.imap] {
        let count = async |s: &onboard::profile::Session| {
            profile_archive_counts(s, &k.name, &k.folder, cutoff)
                .await
                .unwrap()
        };
        let slow = mb.measure(k, true, count).await;
        let fast = mb.measure(k, false, count).await;
        let c = &slow.last;
        assert_eq!(c.before + c.after, MESSAGES as u64);
        println!(
            "| {} | {:.0} | {:.0} | {} | {} | {} | {} / {} |",
            k.label,
            slow.ms,
            fast.ms,
            c.round_trips,
            slow.requests.map_or("–".into(), |n| n.to_string()),
            slow.wire_trips,
            c.before,
            c.after
        );
    }
    println!();
    mb.stop().await;
}
