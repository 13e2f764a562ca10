//! `preview --search/--from/--subject/--since/--before/--has-attachments [--all-folders]`: the
//! core's read-only search over the channel's protocol, printed as the folder view's list.

use crate::mailbox::{Target, Via};
use clap::Args;
use onboard::{
    catalog::Diagnosis,
    mailbox::{
        search::imap_search::imap_search,
        search::{graph_search, no_progress, Progress, SearchPage, SearchProgress},
        search::{SearchQuery, SearchScope},
        MailCheckOptions,
    },
};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

#[derive(Args, Clone, Default)]
pub struct SearchArgs {
    /// Free text: over Graph in sender, subject and body, over IMAP anywhere in the message.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// The sender's address, or part of their name.
    #[arg(long, value_name = "TEXT")]
    pub from: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub subject: Option<String>,
    /// Received on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,
    /// Received before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DAY")]
    pub before: Option<String>,
    #[arg(long)]
    pub has_attachments: bool,
    /// Search the whole mailbox instead of --folder.
    #[arg(long, conflicts_with = "folder")]
    pub all_folders: bool,
}

impl SearchArgs {
    /// Whether any search flag was given.
    pub fn asked(&self) -> bool {
        self.search.is_some()
            || self.from.is_some()
            || self.subject.is_some()
            || self.since.is_some()
            || self.before.is_some()
            || self.has_attachments
            || self.all_folders
    }

    fn query(&self, folder: Option<&str>) -> SearchQuery {
        SearchQuery {
            text: self.search.clone(),
            from: self.from.clone(),
            subject: self.subject.clone(),
            since: self.since.clone(),
            before: self.before.clone(),
            has_attachments: self.has_attachments,
            scope: match folder {
                Some(f) if !self.all_folders => SearchScope::Folder {
                    folder: f.to_owned(),
                },
                _ => SearchScope::AllFolders,
            },
        }
    }
}

/// One page of results; a progress line on a terminal while IMAP goes folder by folder.
pub async fn search(
    args: &SearchArgs,
    t: &Target,
    via: Via,
    folder: Option<&str>,
    top: u32,
    cursor: Option<&str>,
) -> Result<SearchPage, Diagnosis> {
    let q = args.query(folder).validate()?;
    match via {
        Via::Graph => {
            let token = t.token().await?;
            graph_search(&t.cloud, &token, &t.graph_mailbox, &q, top, cursor).await
        }
        Via::Imap => {
            let token = t.token().await?;
            let progress: Progress = if std::io::stderr().is_terminal() {
                Arc::new(|p: &SearchProgress| {
                    eprint!(
                        "\rSearched {} of {} folders, {} found",
                        p.folders_done, p.folders_total, p.found
                    );
                    let _ = std::io::stderr().flush();
                    true
                })
            } else {
                no_progress()
            };
            let opts = MailCheckOptions::default();
            let page = imap_search(
                &t.cloud, &token, &t.login, &q, top, cursor, &progress, &opts,
            )
            .await;
            if std::io::stderr().is_terminal() && q.folder.is_none() {
                eprintln!();
            }
            page
        }
    }
}
