//! What every sign-in flow is asked and answers: who signs in to which app for which channel,
//! the scopes that channel needs, and the signed-in result with its tokens.

use crate::identity::audience::{AccessToken, Audience, Resource};
use crate::identity::token_endpoint::TokenResponse;
use crate::{
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{ChannelKind, Identity},
    platform::Secret,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

/// Who signs in, to which app, for which channel.
#[derive(Debug, Clone)]
pub struct SignInRequest {
    pub cloud: Cloud,
    /// As configured: a GUID, a verified domain, or `organizations`.
    pub tenant: String,
    pub client_id: String,
    /// The secret of a confidential (web) app; `None` for a public client.
    pub client_secret: Option<Secret>,
    pub channel: ChannelKind,
    /// The address to sign in as (pre-filled on the sign-in page).
    pub login_hint: Option<String>,
}

/// A finished sign-in: who it was, and the tokens (the refresh token goes to the keyring).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub identity: Identity,
    pub tokens: TokenResponse,
    /// The scopes the token endpoint granted, as it names them.
    pub granted_scopes: Vec<String>,
    /// What the access token is for (the channel's resource).
    pub resource: Resource,
    pub received_at: DateTime<Utc>,
}

/// What the front end is shown of a sign-in: no token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SignInSummary {
    pub identity: Identity,
    pub granted_scopes: Vec<String>,
    pub resource: Resource,
    /// RFC 3339.
    pub access_expires_at: String,
    pub has_refresh_token: bool,
}

impl SignedIn {
    /// The access token with its audience in the type; refused for the other audience.
    pub fn access_token<A: Audience>(&self) -> Result<AccessToken<A>, Diagnosis> {
        AccessToken::from_response(&self.tokens, self.resource, self.received_at)
    }

    pub fn summary(&self) -> SignInSummary {
        let expires = self.received_at
            + chrono::Duration::seconds(i64::try_from(self.tokens.expires_in).unwrap_or(0));
        SignInSummary {
            identity: self.identity.clone(),
            granted_scopes: self.granted_scopes.clone(),
            resource: self.resource,
            access_expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            has_refresh_token: self.tokens.refresh_token.is_some(),
        }
    }
}

/// The delegated scopes a channel signs in with (one resource per request, as the identity
/// platform requires), or `{graph}/.default` for an app-only channel.
pub fn scopes_for(channel: ChannelKind, cloud: &Cloud) -> String {
    let graph = cloud.graph_resource.trim_end_matches('/');
    let outlook = cloud.outlook_resource.trim_end_matches('/');
    match channel {
        ChannelKind::ImapDelegated => format!(
            "{outlook}/IMAP.AccessAsUser.All {outlook}/SMTP.Send offline_access openid profile email"
        ),
        ChannelKind::GraphDelegated => format!(
            "{graph}/Mail.ReadWrite {graph}/Mail.Send {graph}/Mail.ReadWrite.Shared {graph}/Mail.Send.Shared offline_access openid profile email"
        ),
        ChannelKind::GraphApplication => format!("{graph}/.default"),
    }
}

/// Interactive flows sign a person in; an app-only channel has none to sign in.
pub(crate) fn require_delegated(channel: ChannelKind) -> Result<(), Diagnosis> {
    if channel == ChannelKind::GraphApplication {
        return Err(Diagnosis::new(
            "sign_in.app_only_channel",
            "This channel signs in as the app, not as a person",
            "The Graph application channel uses the app's own identity (client credentials); there is no user to sign in.",
            "Use the app-only option of the Account step, or choose a delegated channel.",
        ));
    }
    Ok(())
}

pub(crate) fn granted_scopes(tokens: &TokenResponse) -> Vec<String> {
    tokens.scope.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;

    #[test]
    fn scopes_name_the_channels_resource() {
        let mut cloud = Cloud::preset(CloudPreset::Usgov);
        cloud.graph = "https://127.0.0.1:9/graph".into();
        assert_eq!(
            scopes_for(ChannelKind::ImapDelegated, &cloud),
            "https://outlook.office365.us/IMAP.AccessAsUser.All https://outlook.office365.us/SMTP.Send offline_access openid profile email"
        );
        let g = scopes_for(ChannelKind::GraphDelegated, &cloud);
        assert!(
            g.starts_with("https://graph.microsoft.us/Mail.ReadWrite "),
            "{g}"
        );
        assert!(g.contains("/Mail.Send.Shared offline_access openid"));
        assert_eq!(
            scopes_for(ChannelKind::GraphApplication, &cloud),
            "https://graph.microsoft.us/.default"
        );
        assert_eq!(
            require_delegated(ChannelKind::GraphApplication)
                .unwrap_err()
                .code,
            "sign_in.app_only_channel"
        );
    }
}
