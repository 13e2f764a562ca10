//! The last step of a renewal, on the admin's word only: the old secret removed from the app
//! (`removePassword`), after the kept secret has been proven once more. The kept secret itself,
//! or any secret while a renewal waits to be finished, is never removed.

use crate::renewal::plan::pending_secret_key;
use crate::{
    app_registration::{app_secrets, client_secret_key, remove_app_secret, AppSecret},
    catalog::Diagnosis,
    identity::{Resource, TokenSource},
    platform::Secret,
    profile::Session,
};
use chrono::Utc;

/// Removes the secret `key_id` from the app of the profile `name`, and returns it.
pub async fn retire<T: TokenSource + Clone>(
    session: &Session<T>,
    admin_token: &Secret,
    name: &str,
    key_id: &str,
) -> Result<AppSecret, Diagnosis> {
    let profile = session.profiles().require(name)?;
    let cloud = session.cloud_of(&profile)?;
    let store = session.secrets();
    if store
        .get(&pending_secret_key(&profile.client_id))?
        .is_some()
    {
        return Err(Diagnosis::new(
            "renew.unfinished",
            "A renewal of this app is not finished",
            "A new secret is kept aside in the keyring, not yet proven.",
            "Apply the renewal again (it resumes with that secret), then remove the old one.",
        ));
    }
    let app = app_secrets(&cloud, admin_token, &profile.client_id, Utc::now()).await?;
    let Some(old) = app
        .secrets
        .iter()
        .find(|s| s.key_id.eq_ignore_ascii_case(key_id))
    else {
        return Err(Diagnosis::field(
            "Old secret",
            "renew.no_such_secret",
            format!("The app “{}” has no client secret with the ID {key_id}.", app.display_name),
            "Give the Secret ID the renewal named (Certificates & secrets lists them); it may have been removed already.",
        ));
    };
    let kept = store
        .get(&client_secret_key(&profile.client_id))?
        .ok_or_else(|| {
            Diagnosis::new(
                "profile.client_secret_missing",
                "The app's client secret is not in the keyring",
                format!("The {} holds no client secret for the app {}.", store.backend(), profile.client_id),
                "Renew the secret first; the old one is removed only once a new one is kept and proven.",
            )
        })?;
    if app.matching(&kept).is_some_and(|k| k.key_id == old.key_id) {
        return Err(Diagnosis::field(
            "Old secret",
            "renew.removes_kept",
            format!("The secret {key_id} is the one the profiles use now."),
            "Remove only the secret the renewal replaced; this one would stop every profile of the app.",
        ));
    }
    // Proven once more with no cached token: the profiles keep working once the old one is gone.
    let trial = session.with_trial_secret(&profile.client_id, kept);
    trial
        .access_token(name, Resource::of_channel(profile.channel))
        .await
        .map_err(|d| Diagnosis {
            title: format!(
                "The kept client secret did not work, so the old one stays: {}",
                d.title
            ),
            ..d
        })?;
    remove_app_secret(&cloud, admin_token, &app.object_id, &old.key_id).await?;
    Ok(old.clone())
}
