//! The mailbox, over the channel's own protocol. graph/, imap/ and smtp/ hold what is particular
//! to each; the files here what they share, each for a mailbox and for a saved profile:
//! connecting a mailbox after its sign-in, the folder tree, archive counts, the preview's pages
//! and messages (and the connections kept between them), and the verify step's fetch and send
//! tests.
//!
//! Uses catalog/, platform/, cloud/, identity/, profile/ (a saved profile's session and tokens)
//! and message/ (a fetched message becomes a view there).

pub(crate) mod addressing;
pub mod archive_count;
pub mod connect;
pub mod connections;
pub mod fetch_test;
pub(crate) mod folder_gone;
pub mod folders;
pub mod graph;
pub mod imap;
pub(crate) mod mail_conn;
pub mod message_page;
pub mod preview;
pub mod send_test;
pub mod smtp;
pub mod xoauth2;
