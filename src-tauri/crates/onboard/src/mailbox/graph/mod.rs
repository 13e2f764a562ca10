//! The mailbox over Microsoft Graph: whether the signed-in person may open it (their own, or a
//! shared one as a delegate), and the preview's message pages and raw messages.

pub mod access;
pub mod preview;
