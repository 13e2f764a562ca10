//! Does the tenant exist? OpenID discovery answers it, and names the tenant's GUID.

use crate::{
    catalog::{self, Diagnosis},
    cloud::Cloud,
    platform::http,
};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TenantInfo {
    /// The tenant's GUID, from the issuer.
    pub tenant_id: String,
    pub issuer: String,
    pub token_endpoint: String,
    pub authorization_endpoint: String,
}

pub async fn discover_tenant(cloud: &Cloud, tenant: &str) -> Result<TenantInfo, Diagnosis> {
    cloud.validate()?;
    let url = cloud.authority_url(tenant, "v2.0/.well-known/openid-configuration");
    let res = cloud
        .http_client()?
        .get(&url)
        .send()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    let status = res.status();
    let body = http::read_text_limited(res, &url, http::MAX_ANSWER).await?;
    if !status.is_success() {
        // Whatever Microsoft says, it is the tenant field that led here.
        let mut d = catalog::token_error(status.as_u16(), &body);
        d.field = Some("Tenant".to_owned());
        return Err(d);
    }
    let body: serde_json::Value = serde_json::from_str(&body).map_err(|_| {
        Diagnosis::new(
            "tenant.bad_discovery",
            "The sign-in service gave no OpenID configuration",
            format!("{url} answered, but not with an OpenID configuration document."),
            "Check the national cloud or the authority URL override, and any proxy between this machine and Microsoft.",
        )
    })?;
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    let issuer = text("issuer");
    let tenant_id = issuer
        .trim_end_matches("/v2.0")
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok(TenantInfo {
        tenant_id,
        issuer,
        token_endpoint: text("token_endpoint"),
        authorization_endpoint: text("authorization_endpoint"),
    })
}
