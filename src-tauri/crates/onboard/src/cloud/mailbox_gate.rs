//! Exchange Online answers the fifth concurrent Graph request of one app on one mailbox with 429
//! (its MailboxConcurrency limit). The wizard holds that fifth request back itself: a request
//! naming a mailbox takes one of the mailbox's 4 slots for as long as it is in flight, body
//! included, so a screen that asks for many things at once waits instead of being throttled.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Exchange Online's limit of concurrent requests per app and mailbox.
pub const PER_MAILBOX: usize = 4;

/// Process-wide, as the limit is: every session and screen of the app shares it.
static GATES: LazyLock<Mutex<HashMap<String, Arc<Semaphore>>>> = LazyLock::new(Mutex::default);

/// The mailbox a Graph URL addresses (`…/v1.0/users/{id}/…` or `…/v1.0/me/…`), with its host;
/// `None` for requests that name no mailbox. All `me` requests to a host share one gate: the
/// URL does not say whose they are, and sharing only holds back more.
fn mailbox_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let mut segments = url.path_segments()?.skip_while(|s| *s != "v1.0").skip(1);
    let mailbox = match segments.next()? {
        "me" => "me".to_owned(),
        "users" => segments.next()?.to_ascii_lowercase(),
        _ => return None,
    };
    segments.next()?;
    Some(format!("{} {mailbox}", url.host_str()?))
}

/// Waits for a free slot of the mailbox `url` addresses; held until dropped.
pub(crate) async fn slot(url: &str) -> Option<OwnedSemaphorePermit> {
    slots(url, 1).await
}

/// Waits for `n` (at most [`PER_MAILBOX`]) free slots of the mailbox `url` addresses, as a
/// `$batch` whose requests Graph hands on several at a time takes them; held until dropped.
pub(crate) async fn slots(url: &str, n: usize) -> Option<OwnedSemaphorePermit> {
    let mailbox = mailbox_of(url)?;
    let gate = GATES
        .lock()
        // Every use is one lookup or insert: a poisoned map is whole.
        .unwrap_or_else(|e| e.into_inner())
        .entry(mailbox)
        .or_insert_with(|| Arc::new(Semaphore::new(PER_MAILBOX)))
        .clone();
    let n = u32::try_from(n.clamp(1, PER_MAILBOX)).unwrap_or(1);
    // The semaphore is never closed.
    gate.acquire_many_owned(n).await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_grouped_by_the_mailbox_they_name() {
        for (url, want) in [
            (
                "https://graph.microsoft.com/v1.0/users/Support%40contoso.com/messages?$top=5",
                Some("graph.microsoft.com support%40contoso.com"),
            ),
            (
                "https://graph.microsoft.com/v1.0/users/support@contoso.com/mailFolders/inbox/messages",
                Some("graph.microsoft.com support@contoso.com"),
            ),
            (
                "https://127.0.0.1:8443/graph/v1.0/me/messages/AAMk/$value",
                Some("127.0.0.1 me"),
            ),
            ("https://graph.microsoft.com/v1.0/users/x", None),
            ("https://graph.microsoft.com/v1.0/applications(appId='x')", None),
            ("https://graph.microsoft.com/v1.0/organization", None),
            ("not a url", None),
        ] {
            assert_eq!(mailbox_of(url).as_deref(), want, "{url}");
        }
    }

    #[tokio::test]
    async fn a_mailbox_has_four_slots_and_others_are_not_held_back() {
        let url = "https://graph.example/v1.0/users/gate-test@contoso.test/messages";
        let mut held = vec![];
        for _ in 0..PER_MAILBOX {
            held.push(slot(url).await.unwrap());
        }
        let fifth = tokio::time::timeout(std::time::Duration::from_millis(50), slot(url)).await;
        assert!(fifth.is_err(), "a fifth request waits");
        let other = "https://graph.example/v1.0/users/other@contoso.test/messages";
        assert!(slot(other).await.is_some());
        held.pop();
        assert!(slot(url).await.is_some(), "a freed slot is taken");
    }
}
