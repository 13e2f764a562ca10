//! `sign-in`: connect a mailbox as a profile (the GUI's account step): sign in, verify the
//! mailbox over the channel's protocol, keep the refresh token in the keyring.
//! `profiles`: list them, or delete one with its keyring entries.

use crate::cloud_args::{secret_from_env, CloudArgs};
use crate::output;
use crate::register_app::{store, Channel};
use crate::Kind;
use clap::{Args, ValueEnum};
use onboard::profile::reauth::check_sign_in;
use onboard::{
    app_registration::{client_secret_key, AppInput},
    catalog::Diagnosis,
    identity::{
        browser, sign_in_app_only, sign_in_with_browser, sign_in_with_device_code, ChannelKind,
    },
    mailbox::{connect_mailbox, AppConnection, Connected, Credentials},
    profile::{
        default_profiles_dir, MailboxChoice, ProfileCloud, ProfileList, ProfileStore, Session,
        SignInFlow,
    },
};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct SignIn {
    #[arg(long)]
    tenant: String,
    #[arg(long)]
    client_id: String,
    /// The environment variable holding the client secret (default: the keyring's, for this app).
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    #[arg(long, value_enum, default_value_t = Flow::Browser)]
    flow: Flow,
    /// A shared mailbox to connect as a delegate (or, app-only, the mailbox the app reads).
    #[arg(long, value_name = "ADDRESS")]
    shared: Option<String>,
    /// Who signs in (a hint for the sign-in page).
    #[arg(long)]
    login_hint: Option<String>,
    #[arg(long, value_enum)]
    channel: Option<Channel>,
    #[arg(long, value_enum, default_value_t = Kind::ZammadGraph)]
    server: Kind,
    /// Sign in again to this profile instead of adding one.
    #[arg(long, value_name = "NAME")]
    reauth: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Flow {
    Browser,
    Device,
    ClientCredentials,
}

#[derive(Args)]
pub struct Profiles {
    /// Delete this profile and its keyring entries.
    #[arg(long, value_name = "NAME")]
    delete: Option<String>,
}

pub(crate) fn session(cloud: &CloudArgs) -> Result<Session, Diagnosis> {
    let secrets: Arc<dyn onboard::platform::SecretStore> = Arc::from(store());
    let session = Session::new(ProfileStore::new(default_profiles_dir()), secrets);
    Ok(if cloud.overrides_urls() {
        session.with_overrides(cloud.cloud()?)
    } else {
        session
    })
}

pub async fn run(args: SignIn, cloud: &CloudArgs, json: bool) -> ExitCode {
    let result = sign_in(args, cloud).await;
    let connected = result.as_ref().is_ok_and(|c| c.profile.is_some());
    let code = output::verdict(json, result, text);
    if connected {
        code
    } else {
        ExitCode::FAILURE
    }
}

async fn sign_in(args: SignIn, cloud_args: &CloudArgs) -> Result<Connected, Diagnosis> {
    let cloud = cloud_args.cloud()?;
    let session = session(cloud_args)?;
    let secret = match &args.client_secret_env {
        Some(var) => Some(secret_from_env(var)?),
        None => session.secrets().get(&client_secret_key(&args.client_id))?,
    };
    let fields = AppInput {
        client_id: args.client_id,
        tenant: args.tenant,
        client_secret: None,
    }
    .parse()?;
    let channel = args
        .channel
        .map_or_else(|| ChannelKind::for_server(args.server.into()), Into::into);
    let app = AppConnection {
        profile_cloud: ProfileCloud::Preset {
            preset: cloud_args.preset(),
        },
        cloud,
        tenant: fields.tenant,
        client_id: fields.client_id,
        client_secret: secret,
        channel,
    };
    let choice = match args.shared {
        Some(address) => MailboxChoice::Shared { address },
        None => MailboxChoice::User,
    };
    check_sign_in(
        session.profiles(),
        &choice,
        args.login_hint.as_deref(),
        args.reauth.as_deref(),
    )?;
    let req = app.sign_in_request(args.login_hint);
    let creds = match args.flow {
        Flow::Browser => Credentials::Delegated {
            signed_in: sign_in_with_browser(
                req,
                |url: &str| browser::open_in_browser(url, system_opener),
                Duration::from_secs(600),
                std::future::pending(),
            )
            .await?,
            flow: SignInFlow::Browser,
        },
        Flow::Device => Credentials::Delegated {
            signed_in: sign_in_with_device_code(req, |p| eprintln!("{}", p.message), None).await?,
            flow: SignInFlow::Device,
        },
        Flow::ClientCredentials => {
            let secret = app.client_secret.as_ref().ok_or_else(|| {
                Diagnosis::field(
                    "--client-secret-env",
                    "account.no_secret",
                    "App-only access signs in with the app's client secret, and none was given.",
                    "Pass --client-secret-env VAR, or check the app first with check-app.",
                )
            })?;
            let target = app.app_only_target();
            Credentials::AppOnly(
                sign_in_app_only(&app.cloud, &app.tenant, &app.client_id, secret, target).await?,
            )
        }
    };
    connect_mailbox(&session, &app, choice, creds, args.reauth.as_deref()).await
}

fn text(c: &Connected) -> String {
    let mut s = match &c.profile {
        Some(p) => format!(
            "✓ Connected {} (profile “{}”)\n",
            p.mailbox.address(),
            p.name
        ),
        None => "✗ Not connected: the mailbox failed a check\n".to_owned(),
    };
    s.push_str(&output::steps_text(&c.checks));
    if let Some(setup) = &c.setup {
        s.push_str("Exchange Online must also know the app (Exchange Online PowerShell):\n");
        s.push_str(&setup.script);
        s.push('\n');
    }
    s
}

pub fn profiles(args: Profiles, cloud: &CloudArgs, json: bool) -> ExitCode {
    let session = match session(cloud) {
        Ok(s) => s,
        Err(d) => return output::verdict::<()>(json, Err(d), |_| String::new()),
    };
    match args.delete {
        Some(name) => output::verdict(json, session.delete(&name), |d| {
            format!("✓ Deleted “{}” and its keyring entries\n", d.profile)
        }),
        None => output::verdict(json, session.profiles().list(), list_text),
    }
}

fn list_text(l: &ProfileList) -> String {
    let mut s = String::new();
    for p in &l.profiles {
        s.push_str(&format!(
            "{}  {:?}  {:?}  signed in {}\n",
            p.name,
            p.channel,
            p.flow,
            p.signed_in_at.format("%Y-%m-%d")
        ));
    }
    for d in &l.damaged {
        s.push_str(&output::diagnosis_text(d));
    }
    if s.is_empty() {
        s.push_str("No profiles yet: add one with sign-in.\n");
    }
    s
}

/// The platform's opener: `ShellExecute` on Windows, `open` on macOS, the desktop's handler
/// (xdg-open, gio, …) elsewhere.
fn system_opener(url: &str) -> Result<(), String> {
    open::that_detached(url).map_err(|e| e.to_string())
}
