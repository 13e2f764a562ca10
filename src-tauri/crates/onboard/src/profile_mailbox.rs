//! A kept profile's mailbox, read over its channel's protocol with the session's tokens: the
//! folder tree and the archive-mode counts of the channel options step.

use crate::{
    graph_archive_counts, graph_folders, imap_archive_counts, imap_folders, ArchiveCounts,
    Diagnosis, Folder, GraphAudience, MailCheckOptions, MailLogin, MailboxRef, OutlookAudience,
    Profile, Resource, Secret, Session, SignInFlow, TokenSource,
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
            let token = session.token::<GraphAudience>(name).await?;
            graph_folders(&cloud, &token, &graph_mailbox(&p), include_hidden).await
        }
        Resource::Outlook => {
            let token = session.token::<OutlookAudience>(name).await?;
            imap_folders(
                &cloud,
                &token,
                &imap_login(&p),
                &MailCheckOptions::default(),
            )
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
            let token = session.token::<GraphAudience>(name).await?;
            graph_archive_counts(&cloud, &token, &graph_mailbox(&p), folder, cutoff).await
        }
        Resource::Outlook => {
            let token = session.token::<OutlookAudience>(name).await?;
            let opts = MailCheckOptions::default();
            imap_archive_counts(&cloud, &token, &imap_login(&p), folder, cutoff, &opts).await
        }
    }
}
