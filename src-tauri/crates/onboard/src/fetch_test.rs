//! Verify, read side: the newest message header of the Inbox over Graph, with one GET.

use crate::audience::{AccessToken, GraphAudience};
use crate::preview::graph_message_page;
use crate::{CheckStep, Cloud};
use std::time::Instant;

pub const FETCH_TEST_ID: &str = "fetch";
const LABEL: &str = "Read the newest message";

/// Passes with "Newest: <subject> from <from> (<date>)", or "The Inbox is empty".
pub async fn graph_fetch_test(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
) -> CheckStep {
    let started = Instant::now();
    match graph_message_page(cloud, token, mailbox, "inbox", 1, None).await {
        Err(d) => CheckStep::failed(FETCH_TEST_ID, LABEL, started, d),
        Ok(page) => match page.messages.first() {
            None => CheckStep::passed(FETCH_TEST_ID, LABEL, started, "The Inbox is empty"),
            Some(m) => {
                let subject = if m.subject.trim().is_empty() {
                    "(no subject)"
                } else {
                    m.subject.as_str()
                };
                let from = if m.from.is_empty() {
                    "(unknown sender)"
                } else {
                    m.from.as_str()
                };
                CheckStep::passed(
                    FETCH_TEST_ID,
                    LABEL,
                    started,
                    format!("Newest: {subject} from {from} ({})", m.received),
                )
            }
        },
    }
}
