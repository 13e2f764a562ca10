//! Does the tenant exist? OpenID discovery answers it, and names the tenant's GUID.

use crate::{http, Cloud, Diagnosis};
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
    let res = http::client(cloud)?
        .get(&url)
        .send()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    let status = res.status();
    let body: serde_json::Value = res
        .json()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    if !status.is_success() {
        let code = body["error_codes"][0].as_u64().unwrap_or_default();
        let description = body["error_description"]
            .as_str()
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        return Err(Diagnosis::field(
            "Tenant",
            &format!("aadsts.{code}"),
            format!("Microsoft does not know the tenant “{tenant}”: {description}"),
            "Copy the Directory (tenant) ID from Entra admin center > Overview, or use a verified domain of the tenant; check that the right national cloud is chosen.",
        ));
    }
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
