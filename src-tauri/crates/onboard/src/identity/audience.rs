//! Two audiences from one refresh token: Microsoft Graph (Graph channels, preview, mailbox
//! checks) and Exchange Online (IMAP and SMTP). An access token carries its audience in its type,
//! `AccessToken<GraphAudience>` or `AccessToken<OutlookAudience>`, so code that talks to Graph
//! cannot be handed an Outlook token: the mistake does not compile.

use crate::identity::token_endpoint::TokenResponse;
use crate::{catalog::Diagnosis, cloud::Cloud, identity::ChannelKind, platform::Secret};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use ts_rs::TS;

/// The API an access token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Resource {
    /// Microsoft Graph (`cloud.graph_resource`).
    Graph,
    /// Exchange Online for IMAP and SMTP (`cloud.outlook_resource`).
    Outlook,
}

impl Resource {
    /// The resource identifier scopes are named with.
    pub fn identifier(self, cloud: &Cloud) -> &str {
        match self {
            Resource::Graph => cloud.graph_resource.trim_end_matches('/'),
            Resource::Outlook => cloud.outlook_resource.trim_end_matches('/'),
        }
    }

    /// The resource a channel's own delegated sign-in is for.
    pub fn of_channel(channel: ChannelKind) -> Resource {
        match channel {
            ChannelKind::ImapDelegated => Resource::Outlook,
            ChannelKind::GraphDelegated | ChannelKind::GraphApplication => Resource::Graph,
        }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A resource as a type. Only the two below exist.
pub trait Audience: sealed::Sealed {
    const RESOURCE: Resource;
}

/// Microsoft Graph, as a type.
#[derive(Debug, Clone, Copy)]
pub enum GraphAudience {}
/// Exchange Online (IMAP, SMTP), as a type.
#[derive(Debug, Clone, Copy)]
pub enum OutlookAudience {}

impl sealed::Sealed for GraphAudience {}
impl sealed::Sealed for OutlookAudience {}
impl Audience for GraphAudience {
    const RESOURCE: Resource = Resource::Graph;
}
impl Audience for OutlookAudience {
    const RESOURCE: Resource = Resource::Outlook;
}

/// An access token for audience `A`. Made only from an answer whose audience is known (see
/// [`AccessToken::from_response`]), so `AccessToken<GraphAudience>` is a Graph token.
pub struct AccessToken<A: Audience> {
    token: Secret,
    expires_at: DateTime<Utc>,
    audience: PhantomData<A>,
}

impl<A: Audience> Clone for AccessToken<A> {
    fn clone(&self) -> Self {
        Self {
            token: self.token.clone(),
            expires_at: self.expires_at,
            audience: PhantomData,
        }
    }
}

impl<A: Audience> std::fmt::Debug for AccessToken<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("resource", &A::RESOURCE)
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl<A: Audience> AccessToken<A> {
    /// Tags the access token of `tokens`, an answer to a request for `resource`. Refused when
    /// `resource` is not `A`'s: the check that keeps a token away from the wrong API.
    pub fn from_response(
        tokens: &TokenResponse,
        resource: Resource,
        now: DateTime<Utc>,
    ) -> Result<Self, Diagnosis> {
        if resource != A::RESOURCE {
            return Err(wrong_audience(resource, A::RESOURCE));
        }
        let lifetime = i64::try_from(tokens.expires_in).unwrap_or(i64::MAX / 2);
        Ok(Self {
            token: tokens.access_token.clone(),
            expires_at: now + chrono::Duration::seconds(lifetime.min(365 * 86_400)),
            audience: PhantomData,
        })
    }

    /// A token the session obtained for `A`'s resource (it asks per resource and keeps them
    /// apart), with its known expiry.
    pub(crate) fn from_session(token: Secret, expires_at: DateTime<Utc>) -> Self {
        Self {
            token,
            expires_at,
            audience: PhantomData,
        }
    }

    pub fn resource(&self) -> Resource {
        A::RESOURCE
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The bearer value, for the one place that sends it to `A`'s API.
    pub fn secret(&self) -> &Secret {
        &self.token
    }
}

pub(crate) fn wrong_audience(have: Resource, want: Resource) -> Diagnosis {
    Diagnosis::new(
        "token.wrong_audience",
        "This token is for another service",
        format!("The access token is for {have:?}, but {want:?} was about to be called with it; it was not sent."),
        "Obtain a token for the service being called (the wizard does this from the stored refresh token); report this if it came from the wizard itself.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_tagged_only_with_the_resource_it_was_asked_for() {
        let tokens = TokenResponse {
            access_token: Secret::new("at"),
            refresh_token: None,
            id_token: None,
            expires_in: 3599,
            scope: String::new(),
        };
        let now = Utc::now();
        let g = AccessToken::<GraphAudience>::from_response(&tokens, Resource::Graph, now).unwrap();
        assert_eq!(g.resource(), Resource::Graph);
        assert_eq!(g.expires_at(), now + chrono::Duration::seconds(3599));
        let d = AccessToken::<OutlookAudience>::from_response(&tokens, Resource::Graph, now)
            .unwrap_err();
        assert_eq!(d.code, "token.wrong_audience");
    }
}
