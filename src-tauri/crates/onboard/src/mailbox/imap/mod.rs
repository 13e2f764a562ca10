//! The mailbox over IMAP, as Exchange Online serves it: the check (connect, `AUTHENTICATE
//! XOAUTH2`, `EXAMINE INBOX`), commands pipelined in one round trip, the preview's pages and raw
//! messages (`EXAMINE` and `BODY.PEEK` only), modified UTF-7 folder names, and the bound on
//! what one server response may be.

pub mod check;
pub(crate) mod pipeline;
pub mod preview;
pub mod utf7;
pub mod wire_bound;
