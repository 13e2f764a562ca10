//! The few Graph calls of the app registration, with the admin's token, and what a refusal
//! means in this context (a non-admin gets "sign in as an administrator", not a bare 403).

use crate::{
    catalog::{self, Diagnosis},
    cloud::{graph_batch::batch_get, Cloud},
    platform::{http, Secret},
};
use serde_json::Value;

pub(crate) struct Graph {
    http: reqwest::Client,
    /// The cloud's Graph, without `/v1.0`.
    graph: String,
    base: String,
    token: Secret,
}

impl Graph {
    pub fn new(cloud: &Cloud, token: &Secret) -> Result<Self, Diagnosis> {
        cloud.validate()?;
        let graph = cloud.graph.trim_end_matches('/').to_owned();
        Ok(Self {
            http: cloud.http_client()?,
            base: format!("{graph}/v1.0"),
            graph,
            token: token.clone(),
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, Diagnosis> {
        let url = if path.starts_with("https://") || path.starts_with("http://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(self.token.expose())
            .query(query);
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req
            .send()
            .await
            .map_err(|e| http::transport_error(&url, &e))?;
        let status = res.status().as_u16();
        let text = res
            .text()
            .await
            .map_err(|e| http::transport_error(&url, &e))?;
        if !(200..300).contains(&status) {
            return Err(graph_failure(status, &text, &format!("{method} {path}")));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        // The body may hold a new secret: an unreadable one is described, never quoted.
        serde_json::from_str(&text).map_err(|e| {
            Diagnosis::new(
                "graph.malformed",
                "Microsoft Graph gave an answer the wizard cannot read",
                format!("{method} {path} answered HTTP {status} with a body that is not JSON ({e})."),
                "Check that the Graph URL points at Microsoft Graph (or a proxy that passes it through unchanged), then try again.",
            )
        })
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, Diagnosis> {
        self.send(reqwest::Method::GET, path, query, None).await
    }

    /// Every item of a collection, following `@odata.nextLink`.
    pub async fn list(&self, path: &str, query: &[(&str, &str)]) -> Result<Vec<Value>, Diagnosis> {
        let page = self.get(path, query).await?;
        self.rest_of(page).await
    }

    /// Several collections read at once, in `$batch`es (one round trip where one would take
    /// one each): every item of each (a later page fetched on its own), or its refusal.
    /// `calls` are paths below `/v1.0` with their queries.
    pub async fn list_each(
        &self,
        calls: &[(String, Vec<(&str, String)>)],
    ) -> Result<Vec<Result<Vec<Value>, Diagnosis>>, Diagnosis> {
        let urls: Vec<String> = calls
            .iter()
            .map(|(path, query)| {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                q.extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
                format!("{path}?{}", q.finish())
            })
            .collect();
        let answers = batch_get(&self.http, &self.graph, &self.token, &urls).await?;
        let mut out = Vec::with_capacity(answers.len());
        for (answer, url) in answers.into_iter().zip(&urls) {
            if !(200..300).contains(&answer.status) {
                let call = format!("GET {url}");
                out.push(Err(graph_failure(
                    answer.status,
                    &answer.body.to_string(),
                    &call,
                )));
                continue;
            }
            out.push(self.rest_of(answer.body).await);
        }
        Ok(out)
    }

    /// The items of `page` and of the pages after it.
    async fn rest_of(&self, mut page: Value) -> Result<Vec<Value>, Diagnosis> {
        let mut out = Vec::new();
        for _ in 0..100 {
            if let Some(items) = page["value"].as_array() {
                out.extend(items.iter().cloned());
            }
            match page["@odata.nextLink"].as_str() {
                Some(next) => {
                    let next = next.to_owned();
                    page = self.get(&next, &[]).await?;
                }
                None => break,
            }
        }
        Ok(out)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, Diagnosis> {
        self.send(reqwest::Method::POST, path, &[], Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Result<(), Diagnosis> {
        self.send(reqwest::Method::PATCH, path, &[], Some(body))
            .await
            .map(drop)
    }
}

/// An OData string literal: quotes doubled.
pub(crate) fn odata_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Graph's error envelope `{ "error": { "code", "message" } }` as the admin should read it.
fn graph_failure(status: u16, body: &str, call: &str) -> Diagnosis {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let code = v["error"]["code"].as_str().unwrap_or_default();
    let message = v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default();
    let detail = if code.is_empty() {
        format!("{call} answered HTTP {status}.")
    } else {
        format!("{call} answered HTTP {status} {code}: {message}")
    };
    match (status, code) {
        (403, _) | (_, "Authorization_RequestDenied") => Diagnosis::new(
            "register.forbidden",
            "The signed-in account may not change app registrations",
            detail,
            "Sign in as a Global Administrator, Application Administrator or Cloud Application Administrator, and approve the permissions the sign-in asks for (granting admin consent needs a Global Administrator or Privileged Role Administrator).",
        ),
        // Everything else reads as any Graph refusal does, with the call that met it.
        _ => {
            let mut d = catalog::graph_error(status, body);
            d.detail = format!("{call}: {}", d.detail);
            d
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_admin_is_told_which_role_to_use() {
        let body = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{}}}"#;
        let d = graph_failure(403, body, "POST /applications");
        assert_eq!(d.code, "register.forbidden");
        assert!(
            d.detail.contains("Authorization_RequestDenied"),
            "{}",
            d.detail
        );
        assert!(d.fix.contains("Application Administrator"));
        assert_eq!(odata_string("O'Brien"), "'O''Brien'");
    }
}
