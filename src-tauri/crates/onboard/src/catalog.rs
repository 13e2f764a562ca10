//! Interim: replaced by the troubleshooting catalog (branch `catalog`) when it lands.

use crate::Diagnosis;

pub fn token_error(status: u16, body: &str) -> Diagnosis {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let code = v["error_codes"][0].as_u64().unwrap_or_default();
    let text = v["error_description"].as_str().unwrap_or_default();
    Diagnosis::new(
        &format!("aadsts.{code}"),
        format!("Microsoft refused the request (HTTP {status})"),
        text.lines().next().unwrap_or_default().to_owned(),
        "See the AADSTS code.",
    )
}

pub fn graph_error(status: u16, body: &str) -> Diagnosis {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let code = v["error"]["code"].as_str().unwrap_or("unknown");
    Diagnosis::new(
        &format!("graph.{code}"),
        format!("Microsoft Graph refused the request (HTTP {status})"),
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        "See the Graph error code.",
    )
}
