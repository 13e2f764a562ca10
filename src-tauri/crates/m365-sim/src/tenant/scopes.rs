//! Scopes as the identity platform reads them: OpenID scopes, plus permissions of exactly one
//! resource (Microsoft Graph when no resource is named), or `{resource}/.default`.

use crate::tenant::aad_error::AadError;

pub const GRAPH: &str = "https://graph.microsoft.com";
pub const OUTLOOK: &str = "https://outlook.office.com";
/// Exchange Online's other name, used with `/.default` for app-only IMAP/SMTP.
pub const OUTLOOK_365: &str = "https://outlook.office365.com";
pub const OIDC: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// Permissions that belong to Exchange Online rather than to Microsoft Graph.
const OUTLOOK_PERMISSIONS: [&str; 4] = [
    "IMAP.AccessAsUser.All",
    "POP.AccessAsUser.All",
    "SMTP.Send",
    "EWS.AccessAsUser.All",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    pub oidc: Vec<String>,
    /// The resource's canonical URI (Outlook's two names are one resource).
    pub resource: String,
    /// Short permission names (`Mail.Read`); empty with `.default`.
    pub permissions: Vec<String>,
    pub default: bool,
}

impl Requested {
    pub fn has(&self, oidc: &str) -> bool {
        self.oidc.iter().any(|s| s == oidc)
    }
}

/// The resource a configured permission (`Mail.Read`, `https://outlook.office.com/SMTP.Send`) is on.
pub fn split_permission(p: &str) -> (String, String) {
    for resource in [GRAPH, OUTLOOK, OUTLOOK_365] {
        if let Some(rest) = p.strip_prefix(resource).and_then(|r| r.strip_prefix('/')) {
            return (canonical(resource).to_owned(), rest.to_owned());
        }
    }
    if OUTLOOK_PERMISSIONS
        .iter()
        .any(|o| o.eq_ignore_ascii_case(p))
    {
        (OUTLOOK.to_owned(), p.to_owned())
    } else {
        (GRAPH.to_owned(), p.to_owned())
    }
}

fn canonical(resource: &str) -> &str {
    if resource == OUTLOOK_365 {
        OUTLOOK
    } else {
        resource
    }
}

pub fn parse(scope: &str) -> Result<Requested, AadError> {
    let mut oidc = Vec::new();
    let mut resource: Option<String> = None;
    let mut permissions = Vec::new();
    let mut default = false;
    for s in scope.split_whitespace() {
        if OIDC.iter().any(|o| o.eq_ignore_ascii_case(s)) {
            oidc.push(s.to_ascii_lowercase());
            continue;
        }
        let (res, perm) = if let Some(r) = s.strip_suffix("/.default") {
            if !r.starts_with("https://") {
                return Err(invalid_scope(s));
            }
            default = true;
            (canonical(r).to_owned(), String::new())
        } else if s.starts_with("https://") || s.starts_with("api://") {
            let Some((r, p)) = s.rsplit_once('/') else {
                return Err(invalid_scope(s));
            };
            if ![GRAPH, OUTLOOK, OUTLOOK_365].contains(&r) {
                return Err(invalid_scope(s));
            }
            (canonical(r).to_owned(), p.to_owned())
        } else {
            split_permission(s)
        };
        match &resource {
            Some(existing) if *existing != res => {
                return Err(AadError::new(
                    "invalid_scope",
                    700022,
                    format!("The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid."),
                ))
            }
            _ => resource = Some(res),
        }
        if !perm.is_empty() {
            permissions.push(perm);
        }
    }
    if default && !permissions.is_empty() {
        return Err(AadError::new("invalid_scope", 70011, format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid. static scope limit exceeded.")));
    }
    Ok(Requested {
        oidc,
        resource: resource.unwrap_or_else(|| GRAPH.to_owned()),
        permissions,
        default,
    })
}

fn invalid_scope(s: &str) -> AadError {
    AadError::new("invalid_scope", 70011, format!("The provided value for the input parameter 'scope' is not valid. The scope {s} is not valid."))
}

/// The `scope` value of a token response: Graph permissions by short name, others by full URI.
pub fn display(resource: &str, permissions: &[String], oidc: &[String]) -> String {
    let mut parts: Vec<String> = permissions
        .iter()
        .map(|p| {
            if resource == GRAPH {
                p.clone()
            } else {
                format!("{resource}/{p}")
            }
        })
        .collect();
    parts.extend(oidc.iter().filter(|o| *o != "offline_access").cloned());
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_resources_and_oidc() {
        let r = parse("https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access openid").unwrap();
        assert_eq!(r.resource, OUTLOOK);
        assert_eq!(r.permissions, ["IMAP.AccessAsUser.All", "SMTP.Send"]);
        assert!(r.has("offline_access") && r.has("openid"));
        let r = parse("offline_access mail.readwrite Mail.Send").unwrap();
        assert_eq!((r.resource.as_str(), r.permissions.len()), (GRAPH, 2));
        let r = parse("https://outlook.office365.com/.default").unwrap();
        assert!(r.default && r.resource == OUTLOOK);
    }

    #[test]
    fn refuses_two_resources_and_unknown_ones() {
        assert_eq!(
            parse("Mail.Read https://outlook.office.com/SMTP.Send")
                .unwrap_err()
                .code,
            700022
        );
        assert_eq!(
            parse("https://foo.microsoft.com/mail.read")
                .unwrap_err()
                .code,
            70011
        );
    }
}
