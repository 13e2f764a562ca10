//! The account step after a sign-in: verify the mailbox over the channel's own protocol (Graph,
//! or IMAP and SMTP with XOAUTH2), then keep it as a profile (refresh token to the keyring).
//! A mailbox that fails its checks is not kept: the tokens are dropped and the checks say why.

use crate::identity::sign_in::{AppOnly, AppOnlySetup, AppOnlyTarget, SignInRequest, SignedIn};
use crate::profile::reauth::shared_address;
use crate::{
    app_registration::client_secret_key,
    catalog::{CheckStatus, CheckStep, Diagnosis},
    cloud::{graph_get, Cloud},
    identity::{
        AccessToken, ChannelKind, GraphAudience, Identity, OutlookAudience, Resource, TokenSource,
    },
    mailbox::{check_imap, check_smtp, verify_mailbox_access, MailCheckOptions, MailLogin},
    platform::Secret,
    profile::{MailboxChoice, NewProfile, Profile, ProfileCloud, Session, SignIn, SignInFlow},
};
use serde::Serialize;
use std::time::Instant;
use ts_rs::TS;

/// The app registration a mailbox is connected through, and where it lives.
#[derive(Debug, Clone)]
pub struct AppConnection {
    pub cloud: Cloud,
    /// What a profile remembers of `cloud`.
    pub profile_cloud: ProfileCloud,
    pub tenant: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub channel: ChannelKind,
}

impl AppConnection {
    pub fn sign_in_request(&self, login_hint: Option<String>) -> SignInRequest {
        SignInRequest {
            cloud: self.cloud.clone(),
            tenant: self.tenant.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            channel: self.channel,
            login_hint,
        }
    }

    /// App-only reaches Graph for Graph channels, Exchange (IMAP/SMTP) otherwise.
    pub fn app_only_target(&self) -> AppOnlyTarget {
        match self.channel {
            ChannelKind::ImapDelegated => AppOnlyTarget::ImapSmtp,
            _ => AppOnlyTarget::Graph,
        }
    }
}

/// What a sign-in produced.
pub enum Credentials {
    Delegated {
        signed_in: SignedIn,
        flow: SignInFlow,
    },
    AppOnly(AppOnly),
}

/// The account step's answer: the profile when the mailbox passed its checks.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Connected {
    pub profile: Option<Profile>,
    pub checks: Vec<CheckStep>,
    /// App-only over IMAP/SMTP: the Exchange Online PowerShell steps, filled in.
    pub setup: Option<AppOnlySetup>,
}

/// Verifies `mailbox` with `creds` and keeps it as a new profile, or as the renewed profile
/// `reauth` (same user for a user mailbox, any delegate for a shared one).
pub async fn connect_mailbox<T: TokenSource>(
    session: &Session<T>,
    app: &AppConnection,
    choice: MailboxChoice,
    creds: Credentials,
    reauth: Option<&str>,
) -> Result<Connected, Diagnosis> {
    let (identity, address) = match (&creds, &choice) {
        (Credentials::Delegated { signed_in, .. }, MailboxChoice::User) => (
            signed_in.identity.clone(),
            signed_in.identity.username.clone(),
        ),
        (Credentials::Delegated { signed_in, .. }, MailboxChoice::Shared { address }) => {
            (signed_in.identity.clone(), shared_address(address)?)
        }
        (Credentials::AppOnly(_), MailboxChoice::Shared { address }) => {
            (app_identity(app), shared_address(address)?)
        }
        (Credentials::AppOnly(_), MailboxChoice::User) => {
            return Err(Diagnosis::field(
                "Mailbox",
                "account.app_only_mailbox",
                "App-only access has no signed-in user, so it needs the mailbox's address.",
                "Type the address of the mailbox the app should read.",
            ))
        }
    };
    if reauth.is_none() {
        crate::profile::reauth::check_new(session.profiles(), &address, &address)?;
    }
    let (checks, setup) = verify(app, &creds, &address, &identity.username).await;
    if checks.iter().any(|c| c.status == CheckStatus::Failed) {
        return Ok(Connected {
            profile: None,
            checks,
            setup,
        });
    }
    // The profile refreshes with the app's secret later: keep it beside the refresh token.
    if let Some(secret) = &app.client_secret {
        session
            .secrets()
            .put(&client_secret_key(&app.client_id), secret)?;
    }
    let sign_in = match creds {
        Credentials::Delegated { signed_in, flow } => SignIn {
            identity,
            audience: signed_in.resource,
            tokens: signed_in.tokens,
            flow,
        },
        Credentials::AppOnly(a) => SignIn {
            identity,
            audience: a.target.resource(),
            tokens: a.tokens,
            flow: SignInFlow::ClientCredentials,
        },
    };
    let profile = match reauth {
        Some(name) => session.reauthenticate(name, &sign_in)?,
        None => session.connect(
            NewProfile {
                name: None,
                mailbox: choice,
                client_id: app.client_id.clone(),
                confidential_client: app.client_secret.is_some(),
                cloud: app.profile_cloud,
                channel: app.channel,
            },
            &sign_in,
        )?,
    };
    Ok(Connected {
        profile: Some(profile),
        checks,
        setup,
    })
}

/// Checks a kept profile again with the tokens the session holds (refreshed if needed): the
/// same checks as when it was connected. A refresh Microsoft refuses comes back as a `reauth.*`
/// diagnosis that says why the mailbox must be signed in again.
pub async fn reverify<T: TokenSource>(
    session: &Session<T>,
    name: &str,
) -> Result<Vec<CheckStep>, Diagnosis> {
    let profile = session.profiles().require(name)?;
    let cloud = session.cloud_of(&profile)?;
    let address = profile.mailbox.address().to_owned();
    let app_only = profile.flow == SignInFlow::ClientCredentials;
    let signed_in_as = if app_only {
        address.clone()
    } else {
        profile.identity.username.clone()
    };
    Ok(match (Resource::of_channel(profile.channel), app_only) {
        (Resource::Graph, false) => {
            let token = session.token::<GraphAudience>(name).await?;
            vec![graph_check(&cloud, &token, &address, &signed_in_as).await]
        }
        (Resource::Graph, true) => {
            let token = session.token::<GraphAudience>(name).await?;
            vec![app_only_graph_check(&cloud, &token, &address).await]
        }
        (Resource::Outlook, _) => {
            let token = session.token::<OutlookAudience>(name).await?;
            mail_checks(&cloud, &token, &address, &signed_in_as).await
        }
    })
}

/// An app-only profile is the app's own: its client ID stands for the user.
fn app_identity(app: &AppConnection) -> Identity {
    Identity {
        object_id: app.client_id.clone(),
        tenant_id: app.tenant.clone(),
        username: app.client_id.clone(),
        display_name: Some("App-only access".to_owned()),
    }
}

/// The mailbox over the channel's own protocol: Graph opens its Inbox, or IMAP opens it
/// read-only and SMTP accepts the sign-in. A wrong audience is never sent: each protocol takes
/// the token type of its own resource.
async fn verify(
    app: &AppConnection,
    creds: &Credentials,
    address: &str,
    signed_in_as: &str,
) -> (Vec<CheckStep>, Option<AppOnlySetup>) {
    let result = match creds {
        Credentials::Delegated { signed_in, .. } => match signed_in.resource {
            Resource::Graph => match signed_in.access_token::<GraphAudience>() {
                Ok(t) => Ok(vec![
                    graph_check(&app.cloud, &t, address, signed_in_as).await,
                ]),
                Err(d) => Err(d),
            },
            Resource::Outlook => match signed_in.access_token::<OutlookAudience>() {
                Ok(t) => Ok(mail_checks(&app.cloud, &t, address, signed_in_as).await),
                Err(d) => Err(d),
            },
        },
        Credentials::AppOnly(a) => match a.target {
            AppOnlyTarget::Graph => match a.access_token::<GraphAudience>() {
                Ok(t) => Ok(vec![app_only_graph_check(&app.cloud, &t, address).await]),
                Err(d) => Err(d),
            },
            AppOnlyTarget::ImapSmtp => match a.access_token::<OutlookAudience>() {
                Ok(t) => Ok(mail_checks(&app.cloud, &t, address, address).await),
                Err(d) => Err(d),
            },
        },
    };
    let setup =
        match creds {
            Credentials::AppOnly(a) if a.target == AppOnlyTarget::ImapSmtp => Some(
                AppOnlySetup::new(&app.client_id, &app.tenant, &app.client_id, address, None),
            ),
            _ => None,
        };
    let checks = result.unwrap_or_else(|d| {
        vec![CheckStep::failed(
            "token",
            "Access token",
            Instant::now(),
            d,
        )]
    });
    (checks, setup)
}

async fn graph_check(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    address: &str,
    signed_in_as: &str,
) -> CheckStep {
    let started = Instant::now();
    match verify_mailbox_access(cloud, token, address, signed_in_as).await {
        Ok(a) if a.shared => CheckStep::passed(
            "graph-mailbox",
            "Mailbox over Graph",
            started,
            format!("{signed_in_as} opened the Inbox of {address} as a delegate."),
        ),
        Ok(_) => CheckStep::passed(
            "graph-mailbox",
            "Mailbox over Graph",
            started,
            format!("Opened the Inbox of {address}."),
        ),
        Err(d) => CheckStep::failed("graph-mailbox", "Mailbox over Graph", started, d),
    }
}

async fn app_only_graph_check(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    address: &str,
) -> CheckStep {
    let started = Instant::now();
    let path = format!(
        "/users/{}/mailFolders/inbox",
        url::form_urlencoded::byte_serialize(address.as_bytes()).collect::<String>()
    );
    match graph_get::graph_get(cloud, token.secret(), &path).await {
        Ok(_) => CheckStep::passed(
            "graph-mailbox",
            "Mailbox over Graph",
            started,
            format!("The app opened the Inbox of {address}."),
        ),
        Err(d) => CheckStep::failed("graph-mailbox", "Mailbox over Graph", started, d),
    }
}

async fn mail_checks(
    cloud: &Cloud,
    token: &AccessToken<OutlookAudience>,
    address: &str,
    signed_in_as: &str,
) -> Vec<CheckStep> {
    let login = if address.eq_ignore_ascii_case(signed_in_as) {
        MailLogin::own(address, token.secret())
    } else {
        MailLogin::shared(address, signed_in_as, token.secret())
    };
    let opts = MailCheckOptions::default();
    let imap = check_imap(cloud, &login, &opts).await;
    let smtp = check_smtp(cloud, &login, &opts).await;
    imap.steps.into_iter().chain(smtp.steps).collect()
}
