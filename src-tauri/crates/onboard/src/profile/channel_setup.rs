//! What the channel options step decided for a kept mailbox, checked: the helpdesk and its
//! callback URL, the folder, the destination group, keep on server and archive mode. A profile
//! keeps it ([`Profile::channel_setup`](crate::Profile)) so that an export, in the wizard or the
//! CLI, describes the channel the admin chose.

use crate::{
    check_server, profile_folders, Diagnosis, Folder, OptionsDraft, Profile, ProfileStore,
    ServerCheckInput, ServerDraft, ServerKind, Session, TokenSource,
};
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The folder the helpdesk reads. Both empty: the Inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct FolderRef {
    /// What the server stores: the Graph mail folder id, or the IMAP folder name with the
    /// server's delimiter.
    pub id: String,
    /// As people read it: `Inbox/Inquiries/Tech-Support`.
    pub path: String,
}

/// Archive mode: mail received up to `before` is imported as archived tickets in `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ArchiveMode {
    /// Mail received on or before this instant is archived (the end of the chosen day, UTC).
    #[ts(type = "string")]
    pub before: DateTime<Utc>,
    /// The ticket state archived mail gets: a state name such as `closed`, or the server's id.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ChannelSetup {
    pub server: ServerKind,
    /// The helpdesk's callback URL, registered as a Web redirect URI in Entra.
    pub callback_url: String,
    /// The destination group: a name, or the helpdesk's group id.
    pub group: String,
    pub folder: FolderRef,
    /// Imported mail is marked read (true) or deleted (false).
    pub keep_on_server: bool,
    /// `None`: every mail becomes a new ticket.
    pub archive: Option<ArchiveMode>,
}

impl ChannelSetup {
    /// The server and channel options steps' drafts, checked: the callback URL is derived from
    /// the FQDN (as the server step shows it), the archive day must be a date.
    pub fn from_drafts(server: &ServerDraft, options: &OptionsDraft) -> Result<Self, Diagnosis> {
        let check = check_server(&ServerCheckInput {
            kind: server.kind,
            fqdn: server.fqdn.clone(),
            callback_template: (server.kind == ServerKind::Custom)
                .then(|| server.callback_template.clone()),
        })?;
        let archive = if options.archive {
            Some(ArchiveMode {
                before: end_of_day(&options.archive_before)?,
                state: non_empty(
                    &options.archive_state,
                    "Archived tickets' state",
                    "Type the state archived mail gets, such as closed.",
                )?,
            })
        } else {
            None
        };
        Ok(Self {
            server: server.kind,
            callback_url: check.callback_url,
            // The helpdesk's id when the group was picked from its list, else the typed name.
            group: if options.group_id.trim().is_empty() {
                options.group.trim().to_owned()
            } else {
                options.group_id.trim().to_owned()
            },
            folder: FolderRef {
                id: options.folder_id.trim().to_owned(),
                path: options.folder_path.trim().to_owned(),
            },
            keep_on_server: options.keep_on_server,
            archive,
        })
    }
}

/// Keeps `setup` in the profile `name` (replacing what it had), atomically; the saved profile.
pub fn keep_channel_setup(
    profiles: &ProfileStore,
    name: &str,
    setup: ChannelSetup,
) -> Result<Profile, Diagnosis> {
    let mut profile = profiles.require(name)?;
    profile.channel_setup = Some(setup);
    profiles.save(&profile)?;
    Ok(profile)
}

/// The folder `path_or_id` (a display path such as `Inbox/Inquiries`, or the folder's id) of
/// the profile's mailbox, looked up live over its channel's protocol.
pub async fn resolve_folder<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    path_or_id: &str,
) -> Result<FolderRef, Diagnosis> {
    let tree = profile_folders(session, name, true).await?;
    let wanted = path_or_id.trim().trim_matches('/');
    tree.iter()
        .flat_map(Folder::flatten)
        .find(|f| f.path == wanted || f.id == wanted)
        .or_else(|| {
            tree.iter()
                .flat_map(Folder::flatten)
                .find(|f| f.path.eq_ignore_ascii_case(wanted))
        })
        .map(|f| FolderRef {
            id: f.id.clone(),
            path: f.path.clone(),
        })
        .ok_or_else(|| {
            Diagnosis::field(
                "Folder",
                "channel.folder_not_found",
                format!("The mailbox of “{name}” has no folder “{path_or_id}”."),
                format!("Pick one of its folders: m365-onboard folders --profile {name} lists them (paths such as Inbox/Inquiries)."),
            )
        })
}

/// `YYYY-MM-DD` as the last second of that day in UTC (what the archive counts use).
pub fn end_of_day(day: &str) -> Result<DateTime<Utc>, Diagnosis> {
    NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            Diagnosis::field(
                "Archive before",
                "channel.archive_before",
                format!("“{day}” is not a day."),
                "Pick the last day whose mail is archived, as YYYY-MM-DD (for example 2026-11-15).",
            )
        })
}

fn non_empty(value: &str, field: &str, fix: &str) -> Result<String, Diagnosis> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Diagnosis::field(
            field,
            "channel.empty",
            "Nothing was typed.",
            fix,
        ));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn drafts() -> (ServerDraft, OptionsDraft) {
        (
            ServerDraft {
                kind: ServerKind::ZammadGraph,
                fqdn: "https://Desk.Example.com/".into(),
                ..Default::default()
            },
            OptionsDraft {
                folder_id: " AAMkAGI2TG93AAA= ".into(),
                folder_path: "Inbox/Inquiries".into(),
                group: "Support L1".into(),
                group_id: String::new(),
                keep_on_server: false,
                archive: true,
                archive_before: "2026-11-15".into(),
                archive_state: "closed".into(),
            },
        )
    }

    #[test]
    fn drafts_become_a_checked_setup() {
        let (server, options) = drafts();
        let s = ChannelSetup::from_drafts(&server, &options).unwrap();
        assert_eq!(
            s.callback_url,
            "https://desk.example.com/api/v1/external_credentials/microsoft_graph/callback"
        );
        assert_eq!(s.folder.id, "AAMkAGI2TG93AAA=");
        assert!(!s.keep_on_server);
        let archive = s.archive.unwrap();
        assert_eq!(archive.before.to_rfc3339(), "2026-11-15T23:59:59+00:00");
        assert_eq!(archive.state, "closed");

        let off = OptionsDraft {
            archive: false,
            archive_before: "not a day".into(),
            ..options.clone()
        };
        assert_eq!(
            ChannelSetup::from_drafts(&server, &off).unwrap().archive,
            None
        );
    }

    #[test]
    fn a_group_picked_from_the_helpdesk_is_kept_by_its_id() {
        let (server, options) = drafts();
        let typed = ChannelSetup::from_drafts(&server, &options).unwrap();
        assert_eq!(typed.group, "Support L1");
        let picked = OptionsDraft {
            group_id: "7".into(),
            ..options
        };
        assert_eq!(
            ChannelSetup::from_drafts(&server, &picked).unwrap().group,
            "7"
        );
    }

    #[test]
    fn bad_drafts_name_their_field() {
        let (server, options) = drafts();
        let bad_day = OptionsDraft {
            archive_before: "15.11.2026".into(),
            ..options.clone()
        };
        let d = ChannelSetup::from_drafts(&server, &bad_day).unwrap_err();
        assert_eq!(d.field.as_deref(), Some("Archive before"));
        let no_state = OptionsDraft {
            archive_state: " ".into(),
            ..options.clone()
        };
        let d = ChannelSetup::from_drafts(&server, &no_state).unwrap_err();
        assert_eq!(d.field.as_deref(), Some("Archived tickets' state"));
        let no_host = ServerDraft {
            fqdn: String::new(),
            ..server
        };
        assert!(ChannelSetup::from_drafts(&no_host, &options)
            .unwrap_err()
            .code
            .starts_with("fqdn."));
    }
}
