//! The mailbox over SMTP submission: the check that the mailbox may submit (STARTTLS, `AUTH
//! XOAUTH2`, nothing sent).

pub mod check;
