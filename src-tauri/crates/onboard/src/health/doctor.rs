//! One profile's health: the app and its secret (the token endpoint's answer is the proof, and
//! the days left), a fresh token (a refresh, whose rotated token is saved), the permissions that
//! token carries, the mailbox over the channel's own protocol (for IMAP channels SMTP AUTH too,
//! which proves the send path without sending), the channel's folder, by id, with its counts,
//! and whether the exports written from the profile still carry the app's current secret.

use crate::health::status::Health;
use crate::{
    app_registration::{check_app, checklist::checklist, AppInput},
    catalog::{CheckStatus, CheckStep, Diagnosis},
    export::WrittenExports,
    identity::{jwt_claims, Resource, TokenSource},
    mailbox::{profile_folders, reverify, Folder},
    profile::{Profile, Session},
};
use chrono::Utc;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// A credential expiring within this many days is a WARNING.
    pub warn_days: i64,
}

impl Default for DoctorOptions {
    fn default() -> Self {
        Self {
            warn_days: crate::app_registration::secret_expiry::WARN_DAYS,
        }
    }
}

/// One check of one profile (docs/doctor.schema.json).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
pub struct HealthCheck {
    /// Stable: `tenant`, `app`, `secret-expiry`, `exports`, `token`, `permissions`, the mailbox
    /// checks of the channel (`graph`, `imap`, `smtp`, …), `folder`.
    pub id: String,
    pub label: String,
    pub status: Health,
    pub detail: String,
    /// The catalogue's code, cause and fix, when the status is not OK.
    pub code: Option<String>,
    pub cause: Option<String>,
    pub fix: Option<String>,
    /// What was measured: `days_left`, `total`, `unread`, `millis`.
    #[ts(type = "Record<string, number>")]
    pub values: BTreeMap<String, i64>,
}

/// A profile's checks and their worst status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
pub struct ProfileHealth {
    pub profile: String,
    /// The mailbox address; empty when the profile cannot be read.
    pub mailbox: String,
    pub tenant: String,
    pub channel: String,
    pub status: Health,
    /// RFC 3339, UTC.
    pub checked_at: String,
    pub checks: Vec<HealthCheck>,
}

/// Checks the profile `name`; read-only, no mail is sent. Never fails: what cannot be checked
/// is a check with its reason.
pub async fn doctor<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    opts: &DoctorOptions,
) -> ProfileHealth {
    let profile = match session.profiles().require(name) {
        Ok(p) => p,
        Err(d) => return ProfileHealth::unreadable(name, &d),
    };
    let mut checks = Vec::new();
    if profile.confidential_client {
        checks.extend(credential(session, &profile, opts).await);
        checks.extend(exports(session, &profile));
    }
    let token_ok = match token(session, &profile).await {
        Ok((check, granted)) => {
            checks.push(check);
            checks.push(permissions(&profile, &granted));
            true
        }
        Err(check) => {
            checks.push(check);
            false
        }
    };
    if token_ok {
        match reverify(session, name).await {
            Ok(steps) => checks.extend(steps.into_iter().map(HealthCheck::from_step)),
            Err(d) => checks.push(HealthCheck::failed("mailbox", "Mailbox", critical(&d), &d)),
        }
        if let Some(setup) = &profile.channel_setup {
            checks.push(folder(session, name, &setup.folder.id, &setup.folder.path).await);
        }
    }
    ProfileHealth {
        profile: profile.name.clone(),
        mailbox: profile.mailbox.address().to_owned(),
        tenant: profile.tenant_id.clone(),
        channel: profile.channel.label().to_owned(),
        status: Health::worst(checks.iter().map(|c| c.status)),
        checked_at: Utc::now().to_rfc3339(),
        checks,
    }
}

impl ProfileHealth {
    /// A profile that cannot be read (missing, damaged, from a newer version): UNKNOWN.
    pub fn unreadable(name: &str, d: &Diagnosis) -> Self {
        Self {
            profile: name.to_owned(),
            mailbox: String::new(),
            tenant: String::new(),
            channel: String::new(),
            status: Health::Unknown,
            checked_at: Utc::now().to_rfc3339(),
            checks: vec![HealthCheck::failed(
                "profile",
                "Profile",
                Health::Unknown,
                d,
            )],
        }
    }
}

/// The app step's checks with the profile's secret: the tenant, the secret accepted, its expiry.
async fn credential<T: TokenSource>(
    session: &Session<T>,
    profile: &Profile,
    opts: &DoctorOptions,
) -> Vec<HealthCheck> {
    let fields = AppInput {
        client_id: profile.client_id.clone(),
        tenant: profile.tenant_id.clone(),
        client_secret: None,
    }
    .parse();
    let secret = session.client_secret(profile);
    let (fields, cloud) = match (fields, secret, session.cloud_of(profile)) {
        (Ok(mut f), Ok(s), Ok(c)) => {
            f.client_secret = s;
            (f, c)
        }
        (Err(d), _, _) | (_, Err(d), _) | (_, _, Err(d)) => {
            // A secret missing from the store is the profile's fault; a store that cannot be
            // read says nothing about the channel.
            let status = if d.code == "profile.client_secret_missing" {
                Health::Critical
            } else {
                Health::Unknown
            };
            return vec![HealthCheck::failed("app", "App and secret", status, &d)];
        }
    };
    let checked = check_app(&cloud, &fields, profile.channel, None).await;
    let app_accepted = checked
        .steps
        .iter()
        .any(|s| s.id == "app" && s.status == CheckStatus::Ok);
    let mut out: Vec<HealthCheck> = checked
        .steps
        .into_iter()
        .map(|step| {
            // Most helpdesk apps may not read their own registration: the expiry date is then
            // unknown, but the token endpoint accepting the secret is proof enough for today.
            let unread = step.id == "secret-expiry" && step.status == CheckStatus::Skipped;
            let mut check = HealthCheck::from_step(step);
            if unread && app_accepted {
                check.status = Health::Ok;
            }
            check
        })
        .collect();
    if let (Some(expiry), Some(check)) = (
        &checked.secret_expiry,
        out.iter_mut().find(|c| c.id == "secret-expiry"),
    ) {
        // The admin's warning window, not the app step's fixed one.
        check.values.insert("days_left".into(), expiry.days_left);
        check.status = match expiry.days_left {
            d if d < 0 => Health::Critical,
            d if d < opts.warn_days => Health::Warning,
            _ => Health::Ok,
        };
        match expiry.warning_within(opts.warn_days, &checked.credentials_page) {
            Some(d) => check.set_diagnosis(&d),
            None => (check.code, check.cause, check.fix) = (None, None, None),
        }
    }
    out
}

/// The exports written from the profile before its app's secret was last renewed: a server
/// loaded from one still holds the old secret. No check when the profile made no export.
fn exports<T: TokenSource>(session: &Session<T>, profile: &Profile) -> Option<HealthCheck> {
    let written = WrittenExports::beside(session.profiles());
    let all = written.of(&profile.name);
    if all.is_empty() {
        return None;
    }
    let started = Instant::now();
    let stale = written.stale(&profile.name, &profile.client_id);
    let label = "Exports";
    let mut check = if stale.is_empty() {
        HealthCheck::ok(
            "exports",
            label,
            format!(
                "{} export(s) written with the app's current secret.",
                all.len()
            ),
            started,
        )
    } else {
        let renewed = written
            .renewed_at(&profile.client_id)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let files: Vec<String> = stale
            .iter()
            .map(|e| format!("{} ({})", e.path, e.format.label()))
            .collect();
        let d = Diagnosis::new(
            "exports.stale",
            "A server may still hold the old client secret",
            format!(
                "The client secret was renewed on {renewed}, after these exports were written: {}. A server loaded from them stops fetching mail when the old secret is removed or expires.",
                files.join(", ")
            ),
            format!(
                "Export again (m365-onboard export --profile {} --format … --out …, or the wizard's Export card), load the file into the server, then check again.",
                profile.name
            ),
        );
        HealthCheck::failed("exports", label, Health::Warning, &d)
    };
    check.values.insert("stale".into(), stale.len() as i64);
    Some(check)
}

/// A fresh access token for the channel's resource: a refresh for delegated profiles (the
/// rotated refresh token is saved before it is used), client credentials for app-only ones.
/// Also what the token says it grants.
async fn token<T: TokenSource>(
    session: &Session<T>,
    profile: &Profile,
) -> Result<(HealthCheck, Vec<String>), HealthCheck> {
    let started = Instant::now();
    let resource = Resource::of_channel(profile.channel);
    let label = "Access token";
    let token = session
        .access_token(&profile.name, resource)
        .await
        .map_err(|d| HealthCheck::failed("token", label, critical(&d), &d))?;
    let detail = if profile.flow.has_refresh_token() {
        "The refresh token gave a new access token; the rotated refresh token is saved."
    } else {
        "The client credentials gave an access token."
    };
    let check = HealthCheck::ok("token", label, detail, started);
    // A JWT names its grants; an opaque token's are in the token response, kept on the profile.
    let granted = jwt_claims::granted(&token).unwrap_or_else(|| {
        session
            .profiles()
            .require(&profile.name)
            .map(|p| p.scopes.get(resource).to_vec())
            .unwrap_or_default()
    });
    Ok((check, granted))
}

/// The channel's permissions against the token's grants: one withdrawn is CRITICAL.
fn permissions(profile: &Profile, granted: &[String]) -> HealthCheck {
    let started = Instant::now();
    // `https://outlook.office.com/IMAP.AccessAsUser.All` grants `IMAP.AccessAsUser.All`.
    let names: Vec<String> = granted
        .iter()
        .map(|g| g.rsplit('/').next().unwrap_or(g).to_owned())
        .collect();
    let missing: Vec<&str> = checklist(profile.channel, Some(&names))
        .into_iter()
        .filter(|c| c.granted == Some(false))
        .map(|c| c.permission.name)
        .collect();
    let label = "Permissions";
    if missing.is_empty() {
        return HealthCheck::ok(
            "permissions",
            label,
            format!(
                "The token carries what the channel needs: {}.",
                names.join(" ")
            ),
            started,
        );
    }
    let d = Diagnosis::new(
        "health.permission_missing",
        "A permission the channel needs is no longer granted",
        format!(
            "The access token of {} lacks {} ({}).",
            profile.name,
            missing.join(", "),
            profile.channel.label()
        ),
        "In Entra admin center > App registrations > the app > API permissions, add the missing permission and grant admin consent again (the Admin consent step); then sign the mailbox in again.",
    );
    HealthCheck::failed("permissions", label, Health::Critical, &d)
}

/// The channel's folder, found by the id the server stores, with its counts.
async fn folder<T: TokenSource>(
    session: &Session<T>,
    name: &str,
    id: &str,
    path: &str,
) -> HealthCheck {
    let started = Instant::now();
    let label = "Channel folder";
    let tree = match profile_folders(session, name, true).await {
        Ok(t) => t,
        Err(d) => return HealthCheck::failed("folder", label, critical(&d), &d),
    };
    let Some(found) = find(&tree, id) else {
        let d = Diagnosis::new(
            "health.folder_gone",
            "The channel's folder is gone",
            format!("The mailbox has no folder “{path}” (id {id}) any more: it was renamed, moved or deleted, and the helpdesk fetches nothing from it."),
            "Choose the folder again in the Channel options step, export the channel config and deploy it to the helpdesk.",
        );
        return HealthCheck::failed("folder", label, Health::Critical, &d);
    };
    let mut check = HealthCheck::ok("folder", label, format!("{} exists.", found.path), started);
    for (k, v) in [("total", found.total), ("unread", found.unread)] {
        if let Some(v) = v {
            check.values.insert(k.into(), i64::from(v));
        }
    }
    check
}

fn find<'a>(tree: &'a [Folder], id: &str) -> Option<&'a Folder> {
    tree.iter()
        .find_map(|f| (f.id == id).then_some(f).or_else(|| find(&f.children, id)))
}

/// A failure this machine could not get an answer for (no network, a timeout) says nothing
/// about the channel: UNKNOWN. Any answer that refuses is CRITICAL.
fn critical(d: &Diagnosis) -> Health {
    if d.code.starts_with("net.") {
        Health::Unknown
    } else {
        Health::Critical
    }
}

impl HealthCheck {
    fn new(id: String, label: String, status: Health, detail: String) -> Self {
        Self {
            id,
            label,
            status,
            detail,
            code: None,
            cause: None,
            fix: None,
            values: BTreeMap::new(),
        }
    }

    fn ok(id: &str, label: &str, detail: impl Into<String>, started: Instant) -> Self {
        let mut c = Self::new(id.into(), label.into(), Health::Ok, detail.into());
        c.values
            .insert("millis".into(), millis(started.elapsed().as_millis()));
        c
    }

    /// `d`'s title as the detail, with its code, cause and fix.
    fn failed(id: &str, label: &str, status: Health, d: &Diagnosis) -> Self {
        let mut c = Self::new(id.into(), label.into(), status, d.title.clone());
        c.set_diagnosis(d);
        c
    }

    fn set_diagnosis(&mut self, d: &Diagnosis) {
        self.code = Some(d.code.clone());
        self.cause = Some(d.detail.clone());
        self.fix = Some(d.fix.clone());
    }

    /// A setup step's result: passed is OK, a warning WARNING, a failure CRITICAL (UNKNOWN when
    /// no answer came), a step not run UNKNOWN.
    fn from_step(step: CheckStep) -> Self {
        let status = match (&step.status, &step.diagnosis) {
            (CheckStatus::Ok, _) => Health::Ok,
            (CheckStatus::Warning, _) => Health::Warning,
            (CheckStatus::Failed, Some(d)) => critical(d),
            (CheckStatus::Failed, None) => Health::Critical,
            (CheckStatus::Skipped, _) => Health::Unknown,
        };
        let mut c = Self::new(step.id, step.label, status, step.detail);
        c.values.insert("millis".into(), millis(step.millis.into()));
        if let Some(d) = step.diagnosis.filter(|_| status != Health::Ok) {
            c.set_diagnosis(&d);
        }
        c
    }
}

fn millis(ms: u128) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}
