//! Copy-cards: for helpdesks with no import format (FreeScout, osTicket, Znuny, SysAid, Sinch
//! Contact Pro), the values to type into their mail settings and the rules each one imposes
//! (`../shared/reference/EXPORT-TARGETS.md`), computed from a kept profile and its cloud.

use crate::{
    cloud::Cloud,
    profile::{MailboxRef, Profile},
};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CopyValue {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CopyCard {
    pub id: String,
    pub title: String,
    pub values: Vec<CopyValue>,
    /// What the server requires of the app registration or the mailbox, in words.
    pub rules: Vec<String>,
}

fn v(label: &str, value: impl Into<String>) -> CopyValue {
    CopyValue {
        label: label.to_owned(),
        value: value.into(),
    }
}

/// The cards for `profile` in `cloud`; `host` is the helpdesk's host name (with a sub-path when
/// it has one), used for the redirect URIs the servers expect.
pub fn copy_cards(profile: &Profile, cloud: &Cloud, host: &str) -> Vec<CopyCard> {
    let host = host
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let authority = cloud.authority.trim_end_matches('/');
    let tenant = profile.tenant_id.as_str();
    let client = profile.client_id.as_str();
    let address = profile.mailbox.address();
    let login = match &profile.mailbox {
        MailboxRef::Shared { delegate, .. } => delegate.username.as_str(),
        MailboxRef::User { address } => address.as_str(),
    };
    let shared = matches!(profile.mailbox, MailboxRef::Shared { .. });
    let imap_host = cloud.imap.split(':').next().unwrap_or_default();
    let smtp_host = cloud.smtp.split(':').next().unwrap_or_default();
    let outlook = cloud.outlook_resource.trim_end_matches('/');
    let delegated = format!("{outlook}/IMAP.AccessAsUser.All {outlook}/SMTP.Send offline_access");
    let mut cards = vec![
        CopyCard {
            id: "freescout".into(),
            title: "FreeScout".into(),
            values: vec![
                v("Redirect URI (Web)", format!("https://{host}/mailbox/oauth")),
                v("Client ID", client),
                v(
                    "Username",
                    if shared {
                        format!("{address}:{client}")
                    } else {
                        address.to_owned()
                    },
                ),
                v("IMAP server", format!("{imap_host}, port 993, SSL")),
                v("SMTP server", format!("{smtp_host}, port 587, TLS")),
            ],
            rules: vec![
                "FreeScout signs in through /common, so the app registration must accept accounts in any organizational directory (multitenant).".into(),
                "For a shared mailbox the username is the shared address, a colon, and the client ID.".into(),
            ],
        },
        CopyCard {
            id: "osticket".into(),
            title: "osTicket (auth-oauth2 plugin)".into(),
            values: vec![
                v("Redirect URI (Web)", format!("https://{host}/api/auth/oauth2")),
                v("Client ID", client),
                v("Authorization endpoint", format!("{authority}/{tenant}/oauth2/v2.0/authorize")),
                v("Token endpoint", format!("{authority}/{tenant}/oauth2/v2.0/token")),
                v("Scopes", delegated.clone()),
                v("Mailbox", address),
            ],
            rules: vec!["The redirect URI must end in /api/auth/oauth2.".into()],
        },
        CopyCard {
            id: "znuny".into(),
            title: "Znuny / OTRS".into(),
            values: vec![
                v("Tenant", tenant),
                v("Client ID", client),
                v("Token endpoint", format!("{authority}/{tenant}/oauth2/v2.0/token")),
                v("IMAP host", imap_host),
                v("Login", login),
            ],
            rules: vec!["Znuny imports a YAML mail-account profile whose templates use /common: replace it with the tenant ID above (required for client credentials).".into()],
        },
        CopyCard {
            id: "sysaid".into(),
            title: "SysAid".into(),
            values: vec![
                v("Tenant ID", tenant),
                v("Application (client) ID", client),
                v("Mailbox", address),
            ],
            rules: vec![
                "SysAid uses application permissions Mail.ReadWrite, Mail.Send, User.Read.All and Calendars.ReadWrite, with admin consent.".into(),
                "It signs in with client credentials against this tenant, not /common.".into(),
                "Mail SysAid deletes lands in Recoverable Items.".into(),
            ],
        },
        CopyCard {
            id: "sinch".into(),
            title: "Sinch Contact Pro".into(),
            values: vec![
                v("Tenant ID", tenant),
                v("Client ID", client),
                v("Mailbox", address),
            ],
            rules: vec![
                "Allow public client flows in the app registration (Authentication → Advanced settings).".into(),
                "Delegated permissions User.Read and Mail.ReadWrite.".into(),
            ],
        },
    ];
    if shared {
        cards[1]
            .rules
            .push("For a shared mailbox, turn Strict Matching off in the plugin.".into());
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;
    use crate::profile::record::tests::sample;

    fn profile(mailbox: MailboxRef) -> Profile {
        Profile {
            mailbox,
            tenant_id: "72f988bf-0000-0000-0000-000000000001".into(),
            ..sample("support@contoso.com")
        }
    }

    fn value<'a>(cards: &'a [CopyCard], card: &str, label: &str) -> &'a str {
        let c = cards.iter().find(|c| c.id == card).unwrap();
        &c.values.iter().find(|v| v.label == label).unwrap().value
    }

    #[test]
    fn a_shared_mailbox_gets_freescouts_username_and_osticket_strict_matching_off() {
        let shared = sample("support@contoso.com").mailbox;
        let cards = copy_cards(
            &profile(shared),
            &Cloud::preset(CloudPreset::Global),
            "https://desk.contoso.com/",
        );
        assert_eq!(
            value(&cards, "freescout", "Username"),
            "support@contoso.com:0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f"
        );
        assert_eq!(
            value(&cards, "freescout", "Redirect URI (Web)"),
            "https://desk.contoso.com/mailbox/oauth"
        );
        assert_eq!(
            value(&cards, "osticket", "Redirect URI (Web)"),
            "https://desk.contoso.com/api/auth/oauth2"
        );
        assert_eq!(
            value(&cards, "znuny", "Login"),
            sample("x").identity.username.as_str()
        );
        let os = cards.iter().find(|c| c.id == "osticket").unwrap();
        assert!(os.rules.iter().any(|r| r.contains("Strict Matching off")));
    }

    #[test]
    fn endpoints_follow_the_national_cloud() {
        let user = MailboxRef::User {
            address: "help@contoso.us".into(),
        };
        let cloud = Cloud::preset(CloudPreset::Usgov);
        let cards = copy_cards(&profile(user), &cloud, "desk.contoso.us");
        assert_eq!(value(&cards, "freescout", "Username"), "help@contoso.us");
        assert!(value(&cards, "osticket", "Token endpoint")
            .starts_with(&format!("{}/72f988bf", cloud.authority)));
        assert!(value(&cards, "osticket", "Scopes").starts_with(&cloud.outlook_resource));
        assert!(!value(&cards, "freescout", "IMAP server").contains("office365.com,"));
        let os = cards.iter().find(|c| c.id == "osticket").unwrap();
        assert!(!os.rules.iter().any(|r| r.contains("Strict Matching")));
    }
}
