//! An env file for custom servers: `M365_*` variables ([`ENV_NAMES`]), each under a comment
//! saying what it is. POSIX sh syntax (`set -a; . ./m365.env`), which systemd's
//! `EnvironmentFile=` and Docker Compose's `env_file` read as well. Values that need it are
//! quoted.

use crate::export::secrets::{included, omitted, seal_whole};
use crate::identity::sign_in::{app_only_scope, AppOnlyTarget};
use crate::{
    catalog::{Diagnosis, MailProtocol},
    export::{ChannelConfig, ExportSecrets, SecretHandling},
    profile::{MailboxRef, ProfileCloud, SignInFlow},
};
use std::fmt::Write;

/// Every variable the env file can hold, with its meaning (in file order).
pub const ENV_NAMES: [(&str, &str); 28] = [
    ("M365_CLOUD", "global, usgov, usgov-dod, china, or sandbox"),
    ("M365_TENANT_ID", "the tenant's GUID"),
    (
        "M365_CLIENT_ID",
        "the app registration's client (application) ID",
    ),
    (
        "M365_CLIENT_SECRET",
        "the app's client secret (only when exported with secrets)",
    ),
    (
        "M365_AUTHORIZE_URL",
        "the authorization endpoint (authorization code flow)",
    ),
    ("M365_DEVICE_CODE_URL", "the device code endpoint"),
    ("M365_TOKEN_URL", "the token endpoint"),
    (
        "M365_SIGN_IN_FLOW",
        "authorization-code, device or client-credentials",
    ),
    (
        "M365_SCOPE",
        "the scopes to request when refreshing, space-separated",
    ),
    (
        "M365_REFRESH_TOKEN",
        "the mailbox's refresh token (only when exported with secrets)",
    ),
    (
        "M365_CHANNEL",
        "imap-delegated, graph-delegated or graph-application",
    ),
    (
        "M365_GRAPH_URL",
        "Microsoft Graph's base URL (append /v1.0)",
    ),
    ("M365_IMAP_HOST", "the IMAP server"),
    ("M365_IMAP_PORT", "its port"),
    ("M365_IMAP_TLS", "implicit, starttls or none"),
    ("M365_SMTP_HOST", "the SMTP submission server"),
    ("M365_SMTP_PORT", "its port"),
    ("M365_SMTP_TLS", "implicit, starttls or none"),
    ("M365_MAILBOX", "the mailbox's address"),
    ("M365_MAILBOX_TYPE", "user or shared"),
    (
        "M365_LOGIN_USER",
        "who signs in: the user, a shared mailbox's delegate, or the mailbox (app-only)",
    ),
    (
        "M365_FOLDER_ID",
        "the folder to read: Graph folder id or IMAP folder name (empty: the Inbox)",
    ),
    ("M365_FOLDER_PATH", "the same folder as people read it"),
    (
        "M365_KEEP_ON_SERVER",
        "true: mark imported mail read; false: delete it",
    ),
    (
        "M365_ARCHIVE_BEFORE",
        "archive mode: mail received up to this time (RFC 3339) is archived; empty: off",
    ),
    (
        "M365_ARCHIVE_STATE",
        "archive mode: the state archived tickets get",
    ),
    ("M365_GROUP", "the destination group"),
    (
        "M365_CALLBACK_URL",
        "the helpdesk's redirect URI registered in Entra",
    ),
];

pub(super) fn render(
    config: &ChannelConfig,
    secrets: &ExportSecrets,
    handling: &SecretHandling,
) -> Result<String, Diagnosis> {
    let cloud = &config.cloud.endpoints;
    let imap = cloud.mail_endpoint(MailProtocol::Imap)?;
    let smtp = cloud.mail_endpoint(MailProtocol::Smtp)?;
    let setup = config.setup.as_ref();
    let archive = setup.and_then(|s| s.archive.as_ref());
    let tenant = &config.tenant_id;
    let values = included(secrets, handling);
    let place = match config.cloud.place {
        ProfileCloud::Preset { preset } => serde_plain(&preset),
        ProfileCloud::Sandbox => "sandbox".to_owned(),
    };
    let flow = match config.flow {
        SignInFlow::Browser | SignInFlow::Embedded => "authorization-code",
        SignInFlow::Device => "device",
        SignInFlow::ClientCredentials => "client-credentials",
    };
    let scope = if config.flow.has_refresh_token() {
        let resource = crate::identity::Resource::of_channel(config.channel);
        config.scopes.request(resource, cloud)
    } else if config.channel == crate::identity::ChannelKind::ImapDelegated {
        app_only_scope(AppOnlyTarget::ImapSmtp, cloud)
    } else {
        app_only_scope(AppOnlyTarget::Graph, cloud)
    };
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "M365_CLOUD" => place.clone(),
            "M365_TENANT_ID" => tenant.clone(),
            "M365_CLIENT_ID" => config.client_id.clone(),
            "M365_CLIENT_SECRET" => values.client_secret.clone()?,
            "M365_AUTHORIZE_URL" => cloud.authority_url(tenant, "oauth2/v2.0/authorize"),
            "M365_DEVICE_CODE_URL" => cloud.authority_url(tenant, "oauth2/v2.0/devicecode"),
            "M365_TOKEN_URL" => config.token_url(),
            "M365_SIGN_IN_FLOW" => flow.to_owned(),
            "M365_SCOPE" => scope.clone(),
            "M365_REFRESH_TOKEN" => values.refresh_token.clone()?,
            "M365_CHANNEL" => serde_plain(&config.channel),
            "M365_GRAPH_URL" => cloud.graph.clone(),
            "M365_IMAP_HOST" => imap.host.clone(),
            "M365_IMAP_PORT" => imap.port.to_string(),
            "M365_IMAP_TLS" => imap.tls.as_str().to_owned(),
            "M365_SMTP_HOST" => smtp.host.clone(),
            "M365_SMTP_PORT" => smtp.port.to_string(),
            "M365_SMTP_TLS" => smtp.tls.as_str().to_owned(),
            "M365_MAILBOX" => config.mailbox.address().to_owned(),
            "M365_MAILBOX_TYPE" => match config.mailbox {
                MailboxRef::User { .. } => "user".to_owned(),
                MailboxRef::Shared { .. } => "shared".to_owned(),
            },
            "M365_LOGIN_USER" => config.login_user().to_owned(),
            "M365_FOLDER_ID" => setup.map(|s| s.folder.id.clone()).unwrap_or_default(),
            "M365_FOLDER_PATH" => setup.map(|s| s.folder.path.clone()).unwrap_or_default(),
            "M365_KEEP_ON_SERVER" => setup.is_none_or(|s| s.keep_on_server).to_string(),
            "M365_ARCHIVE_BEFORE" => archive
                .map(|a| a.before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            "M365_ARCHIVE_STATE" => archive.map(|a| a.state.clone()).unwrap_or_default(),
            "M365_GROUP" => setup.map(|s| s.group.clone()).unwrap_or_default(),
            "M365_CALLBACK_URL" => setup.map(|s| s.callback_url.clone()).unwrap_or_default(),
            _ => return None,
        })
    };

    let mut s = format!(
        "# Microsoft 365 mail channel for {}, written by {} on {}.\n\
         # POSIX sh syntax: load it with `set -a; . ./THIS_FILE; set +a`, or as systemd's\n\
         # EnvironmentFile= or Docker Compose's env_file.\n",
        config.mailbox.address(),
        config.exported_by,
        config.exported_at.format("%Y-%m-%d %H:%M UTC"),
    );
    for (name, meaning) in ENV_NAMES {
        let _ = write!(s, "\n# {meaning}\n");
        match value(name) {
            Some(v) => {
                let _ = writeln!(s, "{name}={}", quote(name, &v)?);
            }
            None => {
                let r = match name {
                    "M365_CLIENT_SECRET" => config.client_secret.as_ref(),
                    _ => config.refresh_token.as_ref(),
                };
                match r {
                    Some(r) => {
                        let _ = writeln!(s, "# {}\n#{name}=", omitted(name, r));
                    }
                    None => {
                        let _ = writeln!(s, "# (none: {})\n{name}=", none_because(name));
                    }
                }
            }
        }
    }
    seal_whole(s, handling)
}

fn none_because(name: &str) -> &'static str {
    if name == "M365_CLIENT_SECRET" {
        "a public client"
    } else {
        "app-only access has no refresh token"
    }
}

/// A kebab-case enum as its serde name.
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The value as sh reads it back unchanged: bare when it is plain, else in double quotes with
/// `\`, `"`, `$` and `` ` `` escaped. Control characters cannot be carried.
fn quote(name: &str, v: &str) -> Result<String, Diagnosis> {
    if v.chars().any(char::is_control) {
        return Err(Diagnosis::new(
            "export.env_value",
            "A value cannot be written to the env file",
            format!("{name} contains a line break or another control character."),
            "Remove it from the field in the wizard (folder, group) and export again.",
        ));
    }
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || "@%+,-./:=_~".contains(c))
    {
        return Ok(v.to_owned());
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::export::secrets::tests::{secrets, CLIENT_SECRET, REFRESH_TOKEN};

    /// `NAME=value` lines as sh would read them (only the quoting `quote` writes).
    fn vars(text: &str) -> Vec<(String, String)> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once('=').unwrap();
                let v = match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                    Some(inner) => inner
                        .replace("\\\"", "\"")
                        .replace("\\$", "$")
                        .replace("\\\\", "\\"),
                    None => v.to_owned(),
                };
                (k.to_owned(), v)
            })
            .collect()
    }

    #[test]
    fn every_documented_name_in_order_with_its_value() {
        let text = render(&config(), &secrets(), &SecretHandling::Plain).unwrap();
        let v = vars(&text);
        let names: Vec<&str> = v.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ENV_NAMES.map(|(n, _)| n));
        let get = |k: &str| v.iter().find(|(n, _)| n == k).unwrap().1.as_str();
        assert_eq!(get("M365_CLOUD"), "global");
        assert_eq!(
            get("M365_TENANT_ID"),
            "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e"
        );
        assert_eq!(get("M365_CLIENT_SECRET"), CLIENT_SECRET);
        assert_eq!(get("M365_REFRESH_TOKEN"), REFRESH_TOKEN);
        assert_eq!(
            get("M365_TOKEN_URL"),
            "https://login.microsoftonline.com/6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e/oauth2/v2.0/token"
        );
        assert_eq!(get("M365_SIGN_IN_FLOW"), "authorization-code");
        assert_eq!(
            get("M365_SCOPE"),
            "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
        );
        assert_eq!(get("M365_IMAP_HOST"), "outlook.office365.com");
        assert_eq!(get("M365_IMAP_PORT"), "993");
        assert_eq!(get("M365_SMTP_TLS"), "starttls");
        assert_eq!(get("M365_MAILBOX"), "support@contoso.test");
        assert_eq!(get("M365_MAILBOX_TYPE"), "shared");
        assert_eq!(get("M365_LOGIN_USER"), "alice@contoso.test");
        assert_eq!(get("M365_FOLDER_ID"), "INBOX.Inquiries");
        assert_eq!(get("M365_KEEP_ON_SERVER"), "true");
        assert_eq!(get("M365_ARCHIVE_BEFORE"), "2026-03-01T10:00:00Z");
        assert_eq!(get("M365_GROUP"), "Support L1");
        assert!(text.contains("M365_GROUP=\"Support L1\""), "quoted: {text}");
    }

    #[test]
    fn omitted_secrets_are_commented_out_and_named() {
        let text = render(&config(), &secrets(), &SecretHandling::Omit).unwrap();
        assert!(text.contains("\n#M365_CLIENT_SECRET=\n"), "{text}");
        assert!(text.contains("entry profile/support@contoso.test/refresh-token"));
        let names: Vec<String> = vars(&text).into_iter().map(|(k, _)| k).collect();
        assert!(!names.contains(&"M365_REFRESH_TOKEN".to_owned()));
    }

    /// The env file is for the helpdesk's (Unix) server, so the check runs where `sh` is.
    #[cfg(unix)]
    #[test]
    fn quoting_survives_sh() {
        let tricky = "Inbox/Tech \"Support\" $HOME `x` \\ ä";
        let q = quote("M365_FOLDER_PATH", tricky).unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("V={q}; printf %s \"$V\""))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), tricky);
        assert_eq!(
            quote("M365_GROUP", "a\nb").unwrap_err().code,
            "export.env_value"
        );
    }
}
