//! What the app registration should look like, derived from the server step and the channel.

use crate::{catalog::Diagnosis, identity::ChannelKind, server::ServerKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The loopback redirect the wizard's own browser sign-in uses (any port, as Entra allows).
pub const LOOPBACK_REDIRECT: &str = "http://localhost";
/// Entra's portal offers client secrets of at most 24 months.
pub const MAX_SECRET_MONTHS: u32 = 24;
/// Entra refuses longer redirect URIs.
const MAX_REDIRECT_URI: usize = 256;
/// Entra's limit for an app's display name.
const MAX_NAME_CHARS: usize = 120;

/// The app registration the wizard creates or repairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DesiredApp {
    pub display_name: String,
    /// `AzureADMyOrg`, or `AzureADMultipleOrgs` where the helpdesk signs in through /common (FreeScout).
    pub sign_in_audience: String,
    /// Web platform redirect URIs: the server's callback URL, then `http://localhost`.
    pub web_redirect_uris: Vec<String>,
    pub channel: ChannelKind,
    /// "Allow public client flows" (isFallbackPublicClient): device code sign-in of the mailbox
    /// needs it. Default: on for the delegated channels, off for app-only.
    pub allow_public_client_flows: bool,
    /// Lifetime of a new client secret, 1..=24 months.
    pub secret_months: u32,
    /// The appId of the registration to repair; without it the app is looked up by name.
    pub existing_client_id: Option<String>,
    /// Add a new client secret to an existing app even though it has a valid one. A new app
    /// always gets one; an existing app without an unexpired secret gets one regardless.
    pub new_secret: bool,
}

impl DesiredApp {
    /// The registration a `server` at `callback_url` needs for `channel`, with the defaults:
    /// 24-month secret, public client flows for delegated channels, no forced new secret.
    pub fn new(
        display_name: &str,
        callback_url: &str,
        server: ServerKind,
        channel: ChannelKind,
    ) -> Result<Self, Diagnosis> {
        let sign_in_audience = match server {
            ServerKind::Freescout => "AzureADMultipleOrgs",
            _ => "AzureADMyOrg",
        };
        let mut uris = vec![callback_url.trim().to_owned()];
        if uris[0] != LOOPBACK_REDIRECT {
            uris.push(LOOPBACK_REDIRECT.to_owned());
        }
        let d = DesiredApp {
            display_name: display_name.trim().to_owned(),
            sign_in_audience: sign_in_audience.to_owned(),
            web_redirect_uris: uris,
            channel,
            allow_public_client_flows: !channel.is_app_only(),
            secret_months: MAX_SECRET_MONTHS,
            existing_client_id: None,
            new_secret: false,
        };
        d.validate()?;
        Ok(d)
    }

    /// Checks every input; the diagnosis names the field at fault.
    pub fn validate(&self) -> Result<(), Diagnosis> {
        let name = self.display_name.trim();
        if name.is_empty() {
            return Err(Diagnosis::field(
                "App name",
                "register.name.empty",
                "The app registration needs a name.",
                "Type a name people will recognize in the Entra admin center, such as “Helpdesk mail”.",
            ));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Diagnosis::field(
                "App name",
                "register.name.long",
                format!(
                    "The name has {} characters; Entra takes at most {MAX_NAME_CHARS}.",
                    name.chars().count()
                ),
                format!("Shorten the name to at most {MAX_NAME_CHARS} characters, such as “Helpdesk mail”."),
            ));
        }
        if !matches!(
            self.sign_in_audience.as_str(),
            "AzureADMyOrg" | "AzureADMultipleOrgs"
        ) {
            return Err(Diagnosis::field(
                "Supported account types",
                "register.audience",
                format!("“{}” is not an audience the wizard registers.", self.sign_in_audience),
                "Choose this organization only (AzureADMyOrg) or any organization (AzureADMultipleOrgs).",
            ));
        }
        if self.web_redirect_uris.is_empty() {
            return Err(Diagnosis::field(
                "Callback URL",
                "register.callback.empty",
                "No callback URL was given.",
                "Complete the server step first; it derives the callback URL.",
            ));
        }
        for uri in &self.web_redirect_uris {
            check_redirect("Callback URL", "register.callback", uri)?;
        }
        if !(1..=MAX_SECRET_MONTHS).contains(&self.secret_months) {
            return Err(Diagnosis::field(
                "Secret lifetime",
                "register.secret_months",
                format!("{} months is outside 1 to {MAX_SECRET_MONTHS}.", self.secret_months),
                "Choose between 1 and 24 months (Entra's portal allows at most 24); put the renewal date in your calendar.",
            ));
        }
        if let Some(id) = &self.existing_client_id {
            if !is_guid(id) {
                return Err(Diagnosis::field(
                    "Client ID",
                    "register.client_id",
                    format!("“{id}” is not an application (client) ID."),
                    "Copy the Application (client) ID from the app's Overview page in the Entra admin center: a GUID such as 00000000-0000-0000-0000-000000000000.",
                ));
            }
        }
        Ok(())
    }

    /// Microsoft Graph's permissions the channel needs, delegated ones first as listed.
    pub fn scopes(&self) -> Vec<&'static str> {
        self.channel
            .permissions()
            .iter()
            .filter(|p| p.kind == crate::identity::PermissionType::Scope)
            .map(|p| p.name)
            .collect()
    }
}

/// A Web redirect URI as Entra accepts it: https (plain http for localhost only), no #fragment,
/// at most 256 characters. The diagnosis names `field` and has the code `code`.
pub(crate) fn check_redirect(field: &str, code: &str, uri: &str) -> Result<(), Diagnosis> {
    let bad = |detail: String| {
        Diagnosis::field(
            field,
            code,
            detail,
            "Use the callback URL the server step shows: https://your-helpdesk/... (plain http only for localhost).",
        )
    };
    if uri.trim().is_empty() {
        return Err(bad("No redirect URI was given.".to_owned()));
    }
    let url = url::Url::parse(uri).map_err(|e| bad(format!("“{uri}” is not a URL ({e}).")))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(bad(format!("“{uri}” must use https."))),
    }
    if url.fragment().is_some() {
        return Err(bad(format!("“{uri}” must not contain a #fragment.")));
    }
    if uri.len() > MAX_REDIRECT_URI {
        return Err(bad(format!(
            "The URI is {} characters long; Entra accepts at most {MAX_REDIRECT_URI}.",
            uri.len()
        )));
    }
    Ok(())
}

pub(crate) fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLBACK: &str = "https://help.contoso.test/mailbox/oauth";

    #[test]
    fn freescout_is_multitenant_and_app_only_has_no_public_flows() {
        let d = DesiredApp::new(
            "Helpdesk",
            CALLBACK,
            ServerKind::Freescout,
            ChannelKind::ImapDelegated,
        )
        .unwrap();
        assert_eq!(d.sign_in_audience, "AzureADMultipleOrgs");
        assert_eq!(d.web_redirect_uris, [CALLBACK, LOOPBACK_REDIRECT]);
        assert!(d.allow_public_client_flows);
        assert_eq!(d.secret_months, 24);
        let a = DesiredApp::new(
            "Helpdesk",
            CALLBACK,
            ServerKind::ZammadGraph,
            ChannelKind::GraphApplication,
        )
        .unwrap();
        assert_eq!(a.sign_in_audience, "AzureADMyOrg");
        assert!(!a.allow_public_client_flows);
        assert!(a.scopes().is_empty());
    }

    #[test]
    fn bad_inputs_name_their_field() {
        let field = |r: Result<DesiredApp, Diagnosis>| r.unwrap_err().field.unwrap();
        let k = (ServerKind::ZammadImap, ChannelKind::ImapDelegated);
        assert_eq!(field(DesiredApp::new(" ", CALLBACK, k.0, k.1)), "App name");
        assert_eq!(
            field(DesiredApp::new(
                "x",
                "http://help.contoso.test/cb",
                k.0,
                k.1
            )),
            "Callback URL"
        );
        let mut d = DesiredApp::new("x", CALLBACK, k.0, k.1).unwrap();
        d.secret_months = 25;
        assert_eq!(d.validate().unwrap_err().field.unwrap(), "Secret lifetime");
        d.secret_months = 0;
        assert_eq!(d.validate().unwrap_err().code, "register.secret_months");
        d.secret_months = 6;
        d.existing_client_id = Some("not-a-guid".into());
        assert_eq!(d.validate().unwrap_err().field.unwrap(), "Client ID");
        d.existing_client_id = Some("04b07795-8ddb-461a-bbee-02f9e1bf7b46".into());
        d.validate().unwrap();
    }
}
