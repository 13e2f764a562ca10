//! The folder tree of a mailbox with 300 more folders in 3 levels, over Graph and IMAP, with and
//! without 40 ms of added round-trip time: ms, and the round trips the proxy sees on the wire.
//! Prints a markdown table (README.md, "Benchmarks").
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

mod mailbox;
#[path = "../tests/support/mod.rs"]
mod support;

use mailbox::{generated, rtt_ms, Mailbox, RUNS};
use onboard::mailbox::{profile_folders, Folder};

/// 6 top-level folders of 7 each of 6: 6 + 42 + 252 = 300.
const SHAPE: [usize; 3] = [6, 7, 6];
/// Messages in each seeded folder, so that the counts are not all zero.
const MESSAGES: usize = 2;

/// `Team 2` holds `Queue 2-1` … `Queue 2-7`, which hold `Topic 2-1-1` … `Topic 2-1-6`.
fn level(numbers: &str, depth: usize) -> Vec<m365_sim::tenant::mail_store::SeedFolder> {
    let Some(&width) = SHAPE.get(depth) else {
        return vec![];
    };
    (1..=width)
        .map(|i| {
            let numbers = format!("{numbers}{i}");
            let name = format!("{} {numbers}", ["Team", "Queue", "Topic"][depth]);
            generated(&name, MESSAGES, level(&format!("{numbers}-"), depth + 1))
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let mb = Mailbox::start(|folders| folders.extend(level("", 0))).await;
    let rtt = rtt_ms();
    let seeded: usize = SHAPE
        .iter()
        .scan(1, |n, w| {
            *n *= w;
            Some(*n)
        })
        .sum();
    println!("The folder tree with {seeded} more folders in {} levels besides the default ones; medians of {RUNS} runs, each on a new session (connect, TLS, and for IMAP the sign-in).\n", SHAPE.len());
    println!("| protocol | folders | ms at {rtt:.0} ms RTT | ms without added latency | Graph: $batches (requests in them) | round trips on the wire (with TLS and sign-in) | added ms ÷ RTT |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for k in [&mb.graph, &mb.imap] {
        let tree =
            async |s: &onboard::profile::Session| profile_folders(s, &k.name, false).await.unwrap();
        let slow = mb.measure(k, true, tree).await;
        let fast = mb.measure(k, false, tree).await;
        let folders = slow.last.iter().flat_map(Folder::flatten).count();
        println!(
            "| {} | {folders} | {:.0} | {:.0} | {} | {} | {:.1} |",
            k.label,
            slow.ms,
            fast.ms,
            slow.batches
                .zip(slow.requests)
                .map_or("–".into(), |(b, n)| format!("{b} ({})", n - b)),
            slow.wire_trips,
            (slow.ms - fast.ms) / rtt
        );
    }
    println!();
    mb.stop().await;
}
