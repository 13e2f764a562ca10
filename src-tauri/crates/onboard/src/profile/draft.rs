//! What the wizard remembers between runs: the current step and the non-secret inputs.
//! Secrets have no field here, so a draft file can never hold one.

use crate::profile::channel_setup::{end_of_day, ArchiveMode, ChannelSetup, FolderRef};
use crate::server::check::{check_server, ServerCheckInput};
use crate::{
    catalog::Diagnosis, cloud::CloudPreset, identity::ChannelKind, profile::SignInFlow,
    server::ServerKind,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum WizardStep {
    #[default]
    Server,
    AppRegistration,
    AdminConsent,
    Account,
    ChannelOptions,
    VerifyExport,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ServerDraft {
    pub kind: ServerKind,
    pub fqdn: String,
    pub callback_template: String,
}

impl Default for ServerDraft {
    fn default() -> Self {
        Self {
            kind: ServerKind::ZammadGraph,
            fqdn: String::new(),
            callback_template: "https://{fqdn}/".to_owned(),
        }
    }
}

/// The app registration and consent steps' inputs. The client secret is not here: it lives in
/// the keyring only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AppDraft {
    pub client_id: String,
    pub tenant: String,
    pub cloud: CloudPreset,
    /// `None` follows the server kind.
    pub channel: Option<ChannelKind>,
    /// When admin consent was granted, the tenant that granted it.
    pub consented_tenant: Option<String>,
}

impl Default for AppDraft {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            tenant: String::new(),
            cloud: CloudPreset::Global,
            channel: None,
            consented_tenant: None,
        }
    }
}

/// The account step's choices. The mailbox itself, once connected, is a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AccountDraft {
    pub shared: bool,
    pub shared_address: String,
    pub flow: SignInFlow,
    pub login_hint: String,
    /// The profile this wizard run connected (or picked).
    pub profile: Option<String>,
}

impl Default for AccountDraft {
    fn default() -> Self {
        Self {
            shared: false,
            shared_address: String::new(),
            flow: SignInFlow::Browser,
            login_hint: String::new(),
            profile: None,
        }
    }
}

/// The channel options step's choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct OptionsDraft {
    /// What the server stores: a Graph folder id, or the IMAP path.
    pub folder_id: String,
    /// The folder as people read it (`Inbox/Inquiries/Tech-Support`).
    pub folder_path: String,
    /// The destination group's name, as typed or picked.
    pub group: String,
    /// The group's id on the helpdesk when it was picked from its list (Zammad's `group_id`);
    /// empty when the name was typed.
    pub group_id: String,
    /// Mark imported mail read (true) or delete it (false).
    pub keep_on_server: bool,
    pub archive: bool,
    /// YYYY-MM-DD: mail received on or before the end of that day is archived.
    pub archive_before: String,
    /// The ticket state archived mail gets (Zammad: `closed`).
    pub archive_state: String,
}

impl Default for OptionsDraft {
    fn default() -> Self {
        Self {
            folder_id: String::new(),
            folder_path: String::new(),
            group: String::new(),
            group_id: String::new(),
            keep_on_server: true,
            archive: true,
            archive_before: String::new(),
            archive_state: "closed".to_owned(),
        }
    }
}

/// Unknown keys from newer versions are ignored and missing ones take defaults, so an old or
/// newer draft still opens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Draft {
    pub step: WizardStep,
    pub server: ServerDraft,
    pub app: AppDraft,
    pub account: AccountDraft,
    pub options: OptionsDraft,
    /// The wizard runs against the sandbox tenant (restarted when the app reopens).
    pub sandbox: bool,
}

impl Draft {
    /// A draft from the store, or a fresh one when it is missing or unreadable (a draft is a
    /// convenience: losing a damaged one must not keep the wizard from starting).
    pub fn from_json(value: Option<serde_json::Value>) -> Self {
        value
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }
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
    use serde_json::json;

    #[test]
    fn drafts_round_trip_and_tolerate_damage() {
        let d = Draft {
            step: WizardStep::AdminConsent,
            server: ServerDraft {
                kind: ServerKind::Osticket,
                fqdn: "x.example.com".into(),
                ..Default::default()
            },
            app: AppDraft {
                client_id: "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f".into(),
                channel: Some(ChannelKind::ImapDelegated),
                ..Default::default()
            },
            account: AccountDraft {
                shared: true,
                shared_address: "support@contoso.test".into(),
                flow: SignInFlow::Device,
                ..Default::default()
            },
            options: OptionsDraft {
                folder_path: "Inbox/Inquiries".into(),
                keep_on_server: false,
                ..Default::default()
            },
            sandbox: true,
        };
        assert_eq!(Draft::from_json(Some(serde_json::to_value(&d).unwrap())), d);
        assert_eq!(Draft::from_json(None), Draft::default());
        assert_eq!(
            Draft::from_json(Some(json!({"step": "no-such-step"}))),
            Draft::default()
        );
        let partial = Draft::from_json(Some(json!({"step": "account", "future": 1})));
        assert_eq!(
            (partial.step, partial.server),
            (WizardStep::Account, ServerDraft::default())
        );
    }

    fn drafts() -> (ServerDraft, OptionsDraft) {
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
