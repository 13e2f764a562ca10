//! The admin consent step: the v2 admin consent URL, and what came back to the redirect URI
//! (`admin_consent=True`, or an error whose AADSTS code the catalog explains).

use crate::identity::loopback::Loopback;
use crate::{
    app_registration::{self, AppInput},
    catalog::{self, Diagnosis},
    cloud::Cloud,
};
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;
use ts_rs::TS;

/// `{authority}/{tenant}/v2.0/adminconsent`, asking for every permission the app is configured
/// with (`{graph}/.default`), answered at `redirect_uri` (which must be registered on the app).
pub fn admin_consent_url(
    cloud: &Cloud,
    tenant: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
) -> String {
    let mut url = cloud.authority_url(tenant, "v2.0/adminconsent");
    let scope = format!("{}/.default", cloud.graph_resource);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("scope", &scope)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .finish();
    url.push('?');
    url.push_str(&query);
    url
}

/// The consent link to share, from the fields as typed: the tenant and client ID as the app step
/// checks them, and `redirect_uri` (a Web redirect URI registered on the app), each refused
/// with its field's name.
pub fn consent_link(
    cloud: &Cloud,
    app: &AppInput,
    redirect_uri: &str,
    state: &str,
) -> Result<String, Diagnosis> {
    let fields = app.parse()?;
    let redirect_uri = redirect_uri.trim();
    app_registration::check_redirect("Redirect URI", "consent.redirect_uri", redirect_uri)?;
    Ok(admin_consent_url(
        cloud,
        &fields.tenant,
        &fields.client_id,
        redirect_uri,
        state,
    ))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConsentGranted {
    /// The tenant that consented, as Microsoft reports it.
    pub tenant_id: String,
    pub scope: Option<String>,
}

/// Reads the redirect's query: consent granted, or the diagnosis of the error.
pub fn consent_outcome(params: &HashMap<String, String>) -> Result<ConsentGranted, Diagnosis> {
    if params
        .get("admin_consent")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Ok(ConsentGranted {
            tenant_id: params.get("tenant").cloned().unwrap_or_default(),
            scope: params.get("scope").cloned(),
        });
    }
    let error = params
        .get("error")
        .map(String::as_str)
        .unwrap_or("no_consent");
    let description = params
        .get("error_description")
        .map(String::as_str)
        .unwrap_or("The answer said neither admin_consent=True nor which error occurred.");
    let mut d = catalog::diagnose(&format!("{error}: {description}"));
    if d.code == catalog::UNKNOWN {
        d = Diagnosis::new(
            &format!("consent.{error}"),
            "Admin consent was not granted",
            description.to_owned(),
            "Sign in as a Global Administrator, Application Administrator or Cloud Application Administrator, and accept the permissions.",
        );
    }
    Err(d)
}

/// Opens the consent page with `open` (the system browser: `browser::open_in_browser`) and
/// waits for its answer on a loopback port.
pub async fn capture_admin_consent(
    cloud: &Cloud,
    tenant: &str,
    client_id: &str,
    open: impl FnOnce(&str) -> Result<(), Diagnosis>,
    timeout: Duration,
    cancel: impl Future<Output = ()>,
) -> Result<ConsentGranted, Diagnosis> {
    let loopback = Loopback::bind().await?;
    let state = uuid::Uuid::new_v4().to_string();
    let url = admin_consent_url(cloud, tenant, client_id, &loopback.redirect_uri(), &state);
    open(&url)?;
    let params = loopback.receive(&state, timeout, cancel).await?;
    consent_outcome(&params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CloudPreset;

    #[test]
    fn the_url_names_the_tenant_app_scope_and_redirect() {
        let cloud = Cloud::preset(CloudPreset::Usgov);
        let url = admin_consent_url(&cloud, "contoso.us", "abc", "https://h.example/cb", "s");
        assert_eq!(url, "https://login.microsoftonline.us/contoso.us/v2.0/adminconsent?client_id=abc&scope=https%3A%2F%2Fgraph.microsoft.us%2F.default&redirect_uri=https%3A%2F%2Fh.example%2Fcb&state=s");
    }

    #[test]
    fn outcomes_are_read_and_errors_explained() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<HashMap<_, _>>()
        };
        let ok = consent_outcome(&q(&[("admin_consent", "True"), ("tenant", "t1")])).unwrap();
        assert_eq!(ok.tenant_id, "t1");
        let declined = consent_outcome(&q(&[
            ("error", "access_denied"),
            (
                "error_description",
                "AADSTS65004: User declined to consent to access the app.",
            ),
        ]))
        .unwrap_err();
        assert_eq!(declined.code, "aadsts.65004");
        let odd = consent_outcome(&q(&[("error", "server_error")])).unwrap_err();
        assert!(!odd.fix.is_empty());
    }
}
