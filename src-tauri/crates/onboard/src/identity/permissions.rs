//! Which API permissions each kind of channel needs, with the GUIDs Entra stores them under.
//! The ids are Microsoft Graph's own (shared/reference/microsoft/graph_permission_ids_mail_subset.json);
//! IMAP and SMTP delegated access are Graph permissions too, although their tokens are for Outlook.

use crate::server::ServerKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Microsoft Graph's appId, the `resourceAppId` of every permission below.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// How the helpdesk reaches the mailbox, which decides the permissions the app needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    /// IMAP and SMTP with XOAUTH2, as a signed-in user (Zammad IMAP, FreeScout, osTicket).
    ImapDelegated,
    /// Microsoft Graph as a signed-in user (Zammad's Graph channel).
    GraphDelegated,
    /// Microsoft Graph with the app's own identity (client credentials, no user).
    GraphApplication,
}

/// `Scope` is a delegated permission, `Role` an application permission (Entra's own words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum PermissionType {
    Scope,
    Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Permission {
    pub name: &'static str,
    pub id: &'static str,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub kind: PermissionType,
    pub resource_app_id: &'static str,
    /// Why the channel needs it, in a few words.
    pub purpose: &'static str,
}

const fn scope(name: &'static str, id: &'static str, purpose: &'static str) -> Permission {
    Permission {
        name,
        id,
        kind: PermissionType::Scope,
        resource_app_id: GRAPH_APP_ID,
        purpose,
    }
}

const fn role(name: &'static str, id: &'static str, purpose: &'static str) -> Permission {
    Permission {
        kind: PermissionType::Role,
        ..scope(name, id, purpose)
    }
}

const OFFLINE_ACCESS: Permission = scope(
    "offline_access",
    "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    "a refresh token, so the server stays signed in",
);
const OPENID: Permission = scope("openid", "37f7f235-527c-4136-accd-4a02d197296e", "sign-in");
const PROFILE: Permission = scope(
    "profile",
    "14dad69e-099b-42c9-810b-d002981feec1",
    "the mailbox owner's name",
);

const IMAP_DELEGATED: [Permission; 6] = [
    scope(
        "IMAP.AccessAsUser.All",
        "652390e4-393a-48de-9484-05f9b1212954",
        "read the mailbox over IMAP",
    ),
    scope(
        "SMTP.Send",
        "258f6531-6087-4cc4-bb90-092c5fb3ed3f",
        "send replies over SMTP",
    ),
    OFFLINE_ACCESS,
    OPENID,
    PROFILE,
    scope(
        "email",
        "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
        "the mailbox address",
    ),
];

const GRAPH_DELEGATED: [Permission; 7] = [
    scope(
        "Mail.ReadWrite",
        "024d486e-b451-40bb-833d-3e66d98c5c73",
        "read, mark and move mail",
    ),
    scope(
        "Mail.Send",
        "e383f46e-2787-4529-855e-0e479a3ffac0",
        "send replies",
    ),
    scope(
        "Mail.ReadWrite.Shared",
        "5df07973-7d5d-46ed-9847-1271055cbd51",
        "the same in shared mailboxes",
    ),
    scope(
        "Mail.Send.Shared",
        "a367ab51-6b49-43bf-a716-a1fb06d2a174",
        "send as a shared mailbox",
    ),
    OFFLINE_ACCESS,
    OPENID,
    PROFILE,
];

const GRAPH_APPLICATION: [Permission; 3] = [
    role(
        "Mail.ReadWrite",
        "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
        "read, mark and move mail in every mailbox",
    ),
    role(
        "Mail.Send",
        "b633e1c5-b582-4048-a93e-9f11b44c7e96",
        "send mail as any mailbox",
    ),
    role(
        "User.Read.All",
        "df021288-bdef-4463-88db-98f22de89214",
        "find the mailbox by address",
    ),
];

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [
        ChannelKind::ImapDelegated,
        ChannelKind::GraphDelegated,
        ChannelKind::GraphApplication,
    ];

    /// The channel a helpdesk uses unless the admin picks another.
    pub fn for_server(kind: ServerKind) -> Self {
        match kind {
            ServerKind::ZammadGraph => ChannelKind::GraphDelegated,
            _ => ChannelKind::ImapDelegated,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::ImapDelegated => "IMAP/SMTP, signed-in user",
            ChannelKind::GraphDelegated => "Microsoft Graph, signed-in user",
            ChannelKind::GraphApplication => "Microsoft Graph, app-only",
        }
    }

    pub fn permissions(self) -> &'static [Permission] {
        match self {
            ChannelKind::ImapDelegated => &IMAP_DELEGATED,
            ChannelKind::GraphDelegated => &GRAPH_DELEGATED,
            ChannelKind::GraphApplication => &GRAPH_APPLICATION,
        }
    }

    pub fn is_app_only(self) -> bool {
        self == ChannelKind::GraphApplication
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_channel_lists_what_the_issue_names() {
        let names = |k: ChannelKind| k.permissions().iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(
            names(ChannelKind::ImapDelegated),
            [
                "IMAP.AccessAsUser.All",
                "SMTP.Send",
                "offline_access",
                "openid",
                "profile",
                "email"
            ]
        );
        assert_eq!(
            names(ChannelKind::GraphApplication),
            ["Mail.ReadWrite", "Mail.Send", "User.Read.All"]
        );
        assert!(ChannelKind::GraphApplication
            .permissions()
            .iter()
            .all(|p| p.kind == PermissionType::Role));
        assert_eq!(
            ChannelKind::for_server(ServerKind::ZammadGraph),
            ChannelKind::GraphDelegated
        );
    }

    #[test]
    fn ids_match_microsofts_permission_list() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../../shared/reference/microsoft/graph_permission_ids_mail_subset.json"
        );
        // shared/ sits beside the repository; without it there is nothing to compare against.
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        for kind in ChannelKind::ALL {
            for p in kind.permissions() {
                let list = match p.kind {
                    PermissionType::Scope => "delegatedScopesList",
                    PermissionType::Role => "applicationScopesList",
                };
                let found = doc[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["value"] == p.name)
                    .unwrap_or_else(|| panic!("{} missing from {list}", p.name));
                assert_eq!(found["id"], p.id, "{}", p.name);
            }
        }
    }
}
