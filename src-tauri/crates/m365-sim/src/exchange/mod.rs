//! Exchange Online's mail protocols beside Graph: the SMTP sink that takes the wizard's test
//! mail (SMTP AUTH with XOAUTH2, Send As), and the token introspection the real Dovecot asks for
//! IMAP. Uses tenant/.

pub mod introspection;
pub mod smtp_sink;
