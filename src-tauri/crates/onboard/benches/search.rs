//! The preview's search in the preview bench's folder of 100,000 messages, over Graph and IMAP,
//! with and without 40 ms of added round-trip time: a sender, a day, and words of the text; the
//! first page (50) of each, as the preview shows it. Prints a markdown table (README.md,
//! "Benchmarks").
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

mod mailbox;
#[path = "../tests/support/mod.rs"]
mod support;

use mailbox::{generated, rtt_ms, Mailbox, RUNS};
use onboard::mailbox::search::no_progress;
use onboard::mailbox::{profile_search, SearchQuery};

const MESSAGES: usize = 100_000;

/// A search of the table: its label, and what it sets on the query.
type Search = (&'static str, fn(&mut SearchQuery));

#[tokio::main]
async fn main() {
    let mut mb = Mailbox::start(|folders| folders.push(generated("Bulk", MESSAGES, vec![]))).await;
    mb.use_folder("Bulk").await;
    let rtt = rtt_ms();
    println!("Search in a folder of {MESSAGES} messages, the first page (50); medians of {RUNS} runs, each on a new session (connect, TLS, and for IMAP the sign-in).\n");
    println!("| search | protocol | ms at {rtt:.0} ms RTT | ms without added latency | round trips (core's count) | round trips on the wire (with TLS and sign-in) | found on the page |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let searches: [Search; 3] = [
        ("sender `customer4711`", |q| {
            q.from = Some("customer4711".into())
        }),
        ("one day (since 2025-12-30, before 2025-12-31)", |q| {
            q.since = Some("2025-12-30".into());
            q.before = Some("2025-12-31".into());
        }),
        ("words `message 99999`", |q| {
            q.text = Some("message 99999".into())
        }),
    ];
    for (label, edit) in searches {
        for k in [&mb.graph, &mb.imap] {
            let mut query = SearchQuery::in_folder(&k.folder);
            edit(&mut query);
            let search = async |s: &onboard::profile::Session| {
                profile_search(s, &k.name, &query, 50, None, no_progress())
                    .await
                    .unwrap()
            };
            let slow = mb.measure(k, true, search).await;
            let fast = mb.measure(k, false, search).await;
            let page = &slow.last;
            assert!(
                !page.messages.is_empty(),
                "{label} over {}: nothing found",
                k.label
            );
            println!(
                "| {label} | {} | {:.0} | {:.0} | {} | {} | {} |",
                k.label,
                slow.ms,
                fast.ms,
                page.round_trips,
                slow.wire_trips,
                page.messages.len(),
            );
        }
    }
    println!();
    mb.stop().await;
}
