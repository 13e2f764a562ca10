//! The mailbox over IMAP, as Exchange Online serves it: the check (connect, `AUTHENTICATE
//! XOAUTH2`, `EXAMINE INBOX`), commands pipelined in one round trip, the preview's pages and raw
//! messages (`EXAMINE` and `BODY.PEEK` only), and modified UTF-7 folder names.

pub mod check;
pub(crate) mod pipeline;
pub mod preview;
pub mod utf7;
