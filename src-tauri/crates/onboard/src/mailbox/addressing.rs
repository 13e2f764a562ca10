//! How a kept profile's mailbox is named over each protocol: the Graph mailbox segment and the
//! IMAP/SMTP login (as a delegate for a shared mailbox). Every operation on a saved profile
//! starts here.

use crate::mailbox::mail_conn::MailLogin;
use crate::{
    platform::Secret,
    profile::{MailboxRef, Profile, SignInFlow},
};

/// How the profile's mailbox is named over Graph: `me` for the signed-in user's own.
pub(crate) fn graph_mailbox(p: &Profile) -> String {
    match &p.mailbox {
        MailboxRef::User { .. } if p.flow != SignInFlow::ClientCredentials => "me".to_owned(),
        m => m.address().to_owned(),
    }
}

/// The IMAP login: the mailbox's address, as a delegate for a shared one. The token is set by
/// the IMAP functions from the typed token they get.
pub(crate) fn imap_login(p: &Profile) -> MailLogin {
    let empty = Secret::new("");
    match &p.mailbox {
        MailboxRef::Shared { address, delegate } if p.flow != SignInFlow::ClientCredentials => {
            MailLogin::shared(address, &delegate.username, &empty)
        }
        m => MailLogin::own(m.address(), &empty),
    }
}
