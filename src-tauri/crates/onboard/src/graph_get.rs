//! A GET on Microsoft Graph with a bearer token; a refusal becomes the diagnosis of its Graph
//! error code.

use crate::{catalog, http, Cloud, Diagnosis, Secret};

/// `path` is below `/v1.0`, e.g. `/applications(appId='…')?$select=passwordCredentials`.
pub async fn graph_get(
    cloud: &Cloud,
    token: &Secret,
    path: &str,
) -> Result<serde_json::Value, Diagnosis> {
    let url = format!("{}/v1.0{path}", cloud.graph.trim_end_matches('/'));
    graph_get_url(cloud, token, &url).await
}

/// A GET on a full Graph URL (an `@odata.nextLink`); the caller has checked that it is under
/// the cloud's Graph base.
pub async fn graph_get_url(
    cloud: &Cloud,
    token: &Secret,
    url: &str,
) -> Result<serde_json::Value, Diagnosis> {
    graph_get_on(&http::client(cloud)?, token, url).await
}

/// As [`graph_get_url`], on a client the caller keeps (its connections are reused).
pub(crate) async fn graph_get_on(
    client: &reqwest::Client,
    token: &Secret,
    url: &str,
) -> Result<serde_json::Value, Diagnosis> {
    let url = url.to_owned();
    let res = client
        .get(&url)
        .bearer_auth(token.expose())
        .send()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    let status = res.status();
    let body = res
        .text()
        .await
        .map_err(|e| http::transport_error(&url, &e))?;
    if !status.is_success() {
        return Err(catalog::graph_error(status.as_u16(), &body));
    }
    serde_json::from_str(&body).map_err(|e| {
        Diagnosis::new(
            "graph.malformed",
            "Microsoft Graph gave an answer the wizard cannot read",
            format!("{url} answered HTTP {status} with a body that is not JSON ({e})."),
            "Check that the Graph URL points at Microsoft Graph, then try again.",
        )
    })
}
