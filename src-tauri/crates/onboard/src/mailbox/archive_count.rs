//! Archive mode's live counts: how many mails of a folder are on or before the cut-off (archived)
//! and how many are newer (imported as new tickets). Counted by the server, never by listing:
//! Graph `$count` with a `$filter` on `receivedDateTime`, IMAP `SEARCH BEFORE` after `EXAMINE`.

use crate::mailbox::addressing::{graph_mailbox, imap_login};
use crate::mailbox::folder_gone::{gone, imap_gone};
use crate::mailbox::folders::{graph_get_kept, mailbox_base};
use crate::mailbox::mail_conn::{bounded, MailCheckOptions, MailLogin};
use crate::mailbox::{
    imap::check as imap_check, imap::pipeline as imap_pipeline, imap::utf7 as imap_utf7,
};
use crate::{
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{AccessToken, GraphAudience, OutlookAudience},
};
use crate::{
    identity::{Resource, TokenSource},
    profile::Session,
};
use async_imap::imap_proto::{MailboxDatum, Response};
use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use ts_rs::TS;

/// The counts for one folder and cut-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ArchiveCounts {
    /// Received on or before the cut-off: archived.
    #[ts(type = "number")]
    pub before: u64,
    /// Received after it: imported as new tickets.
    #[ts(type = "number")]
    pub after: u64,
    /// Round-trip times the counts took: Graph sends its two requests at once, and IMAP its two
    /// commands after sign-in.
    pub round_trips: u32,
    /// The cut-off the server counted with: as given over Graph; over IMAP, whose dates are
    /// whole days, the end of the cut-off's (UTC) day.
    #[ts(type = "string")]
    pub cutoff_applied: DateTime<Utc>,
}

/// The counts over Graph: two `$count` requests (`le` and `gt` the cut-off), each returning at
/// most one message id, sent at once: one round-trip time. (Graph's `$batch` would make them one
/// request; the simulator has no `$batch`.)
pub async fn graph_archive_counts(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    folder_id: &str,
    cutoff: DateTime<Utc>,
) -> Result<ArchiveCounts, Diagnosis> {
    let base = mailbox_base(mailbox);
    let at = cutoff.to_rfc3339_opts(SecondsFormat::Secs, true);
    let folder: String = url::form_urlencoded::byte_serialize(folder_id.as_bytes()).collect();
    let client = cloud.http_client()?;
    let count = |op: &'static str| {
        let path = format!(
            "{base}/mailFolders/{folder}/messages?$count=true&$top=1&$select=id&$filter=receivedDateTime%20{op}%20{at}"
        );
        let client = &client;
        async move {
            let v = graph_get_kept(cloud, client, token.secret(), &path)
                .await
                .map_err(|d| gone(d, folder_id))?;
            v["@odata.count"].as_u64().ok_or_else(|| {
                Diagnosis::new(
                    "graph.malformed",
                    "Microsoft Graph gave no message count",
                    "The answer to a $count request had no @odata.count.",
                    "Check that the Graph URL points at Microsoft Graph, then try again.",
                )
            })
        }
    };
    let (before, after) = futures_util::future::try_join(count("le"), count("gt")).await?;
    Ok(ArchiveCounts {
        before,
        after,
        round_trips: 1,
        cutoff_applied: cutoff,
    })
}

/// The day IMAP's `SEARCH BEFORE` takes for a cut-off: the day after the cut-off's (UTC) date,
/// so "before" means "on or before the cut-off's day". IMAP compares internal dates by whole
/// days (RFC 3501 6.4.4), so the cut-off's time of day is rounded up to the end of its day.
pub fn imap_before_day(cutoff: DateTime<Utc>) -> NaiveDate {
    cutoff.date_naive() + Days::new(1)
}

/// The counts over IMAP: `EXAMINE` (read-only; its `EXISTS` is the total) and
/// `SEARCH BEFORE <cut-off day + 1>`, sent together: one round trip after sign-in. The newer
/// messages are the rest, so before + after is the folder's total. Day-granular: see
/// [`imap_before_day`].
pub async fn imap_archive_counts(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    login: &MailLogin,
    folder_path: &str,
    cutoff: DateTime<Utc>,
    opts: &MailCheckOptions,
) -> Result<ArchiveCounts, Diagnosis> {
    let login = MailLogin {
        token: token.secret().clone(),
        ..login.clone()
    };
    let segments = vec![folder_path.to_owned()];
    // Modified UTF-7 leaves only printable ASCII, which a quoted string can always carry.
    let folder = imap_pipeline::quoted(&imap_utf7::encode(folder_path)).ok_or_else(|| {
        Diagnosis::field(
            "Folder",
            "imap.folder_name",
            "An IMAP folder name cannot hold a line break.",
            "Pick the folder from the list.",
        )
    })?;
    let day = imap_before_day(cutoff);
    let commands = [
        format!("EXAMINE {folder}"),
        format!("SEARCH BEFORE {}", day.format("%-d-%b-%Y")),
    ];
    let (mut session, replies, endpoint) = imap_check::sign_in(cloud, &login, opts).await?;
    let (mut total, mut before) = (0, 0);
    let counted = bounded(opts, &endpoint, "counting", async {
        imap_pipeline::pipeline(&mut session, &replies, &commands, |r| match r {
            // The last EXISTS counts: mail may arrive while the search runs.
            Response::MailboxData(MailboxDatum::Exists(n)) => total = u64::from(*n),
            Response::MailboxData(MailboxDatum::Search(found)) => before += found.len() as u64,
            _ => {}
        })
        .await
        .map_err(|f| match f.index() {
            Some(0) => imap_gone(f.diagnosis(&endpoint, &replies), &segments),
            _ => f.diagnosis(&endpoint, &replies),
        })
    })
    .await;
    let _ = tokio::time::timeout(opts.timeout, session.logout()).await;
    counted?;
    Ok(ArchiveCounts {
        before,
        after: total.saturating_sub(before),
        round_trips: 1,
        cutoff_applied: day
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc() - chrono::Duration::seconds(1))
            .unwrap_or(cutoff),
    })
}

/// The archive-mode counts of a kept profile's folder; `folder` is a `Folder::id` from
/// [`profile_folders`](crate::mailbox::folders::profile_folders).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_imap_cutoff_is_the_end_of_its_day() {
        let cutoff: DateTime<Utc> = "2026-11-15T09:00:00Z".parse().unwrap();
        let day = imap_before_day(cutoff);
        assert_eq!(day.format("%-d-%b-%Y").to_string(), "16-Nov-2026");
    }
}
