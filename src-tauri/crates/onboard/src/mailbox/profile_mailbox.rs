//! A kept profile's mailbox, read over its channel's protocol with the session's tokens: the
//! folder tree and the archive-mode counts of the channel options step.

use crate::{
    graph_archive_counts, graph_folders, imap_archive_counts, imap_folders, AccessToken,
    ArchiveCounts, Diagnosis, Folder, GraphAudience, MailCheckOptions, MailLogin, MailboxRef,
    OutlookAudience, Profile, Resource, Secret, Session, SignInFlow, TokenSource,
};
use chrono::{DateTime, Utc};

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

pub async fn profile_folders<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    include_hidden: bool,
) -> Result<Vec<Folder>, Diagnosis> {
    let p = session.profiles().require(name)?;
    let cloud = session.cloud_of(&p)?;
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let (cloud, mailbox) = (&cloud, &graph_mailbox(&p));
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    graph_folders(cloud, &token, mailbox, include_hidden).await
                })
                .await
        }
        Resource::Outlook => {
            let (cloud, login, opts) = (&cloud, &imap_login(&p), &MailCheckOptions::default());
            session
                .with_token(name, |token: AccessToken<OutlookAudience>| async move {
                    imap_folders(cloud, &token, login, opts).await
                })
                .await
        }
    }
}

/// `folder` is a `Folder::id` from [`profile_folders`].
pub async fn profile_archive_counts<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    folder: &str,
    cutoff: DateTime<Utc>,
) -> Result<ArchiveCounts, Diagnosis> {
    let p = session.profiles().require(name)?;
    let cloud = session.cloud_of(&p)?;
    match Resource::of_channel(p.channel) {
        Resource::Graph => {
            let (cloud, mailbox) = (&cloud, &graph_mailbox(&p));
            session
                .with_token(name, |token: AccessToken<GraphAudience>| async move {
                    graph_archive_counts(cloud, &token, mailbox, folder, cutoff).await
                })
                .await
        }
        Resource::Outlook => {
            let (cloud, login, opts) = (&cloud, &imap_login(&p), &MailCheckOptions::default());
            session
                .with_token(name, |token: AccessToken<OutlookAudience>| async move {
                    imap_archive_counts(cloud, &token, login, folder, cutoff, opts).await
                })
                .await
        }
    }
}
