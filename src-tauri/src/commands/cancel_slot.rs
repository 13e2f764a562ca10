//! The cancel button of a wait that may be started again: starting cancels the wait before.

use onboard::identity::CancelToken;
use tokio::sync::Mutex;

#[derive(Default)]
pub struct CancelSlot(Mutex<CancelToken>);

impl CancelSlot {
    /// Cancels the current wait, if any, and hands out the token of the new one.
    pub async fn renew(&self) -> CancelToken {
        let mut current = self.0.lock().await;
        current.cancel();
        *current = CancelToken::default();
        current.clone()
    }

    pub async fn cancel(&self) {
        self.0.lock().await.cancel();
    }
}
