//! The permission checklist of the App registration step: each permission the channel needs,
//! and whether a token (or the tenant) shows it granted.

use crate::identity::{ChannelKind, Permission};
use serde::Serialize;
use ts_rs::TS;

/// One line of the checklist: `granted` is unknown until a token (or the tenant) tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PermissionCheck {
    pub permission: Permission,
    pub granted: Option<bool>,
}

/// The checklist against what a token carries: `scp` for delegated, `roles` for application
/// permissions. `openid`, `profile`, `email` and `offline_access` never appear in an access
/// token's `scp`, so a delegated token cannot prove or disprove them.
pub fn checklist(kind: ChannelKind, granted: Option<&[String]>) -> Vec<PermissionCheck> {
    const NOT_IN_TOKENS: [&str; 4] = ["openid", "profile", "email", "offline_access"];
    kind.permissions()
        .iter()
        .map(|p| PermissionCheck {
            permission: p.clone(),
            granted: granted
                .filter(|_| !NOT_IN_TOKENS.contains(&p.name))
                .map(|g| g.iter().any(|s| s.eq_ignore_ascii_case(p.name))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_follows_the_token() {
        let unknown = checklist(ChannelKind::GraphDelegated, None);
        assert!(unknown.iter().all(|c| c.granted.is_none()));
        let scp = vec!["Mail.ReadWrite".to_owned(), "mail.send".to_owned()];
        let checked = checklist(ChannelKind::GraphDelegated, Some(&scp));
        let granted = |n: &str| {
            checked
                .iter()
                .find(|c| c.permission.name == n)
                .unwrap()
                .granted
        };
        assert_eq!(granted("Mail.ReadWrite"), Some(true));
        assert_eq!(granted("Mail.Send"), Some(true));
        assert_eq!(granted("Mail.Send.Shared"), Some(false));
        assert_eq!(granted("offline_access"), None);
    }
}
