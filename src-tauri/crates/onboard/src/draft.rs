//! What the wizard remembers between runs: the current step and the non-secret inputs.
//! Secrets have no field here, so a draft file can never hold one.

use crate::ServerKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum WizardStep {
    #[default]
    Server,
    AppRegistration,
    AdminConsent,
    Account,
    ChannelOptions,
    VerifyExport,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ServerDraft {
    pub kind: ServerKind,
    pub fqdn: String,
    pub callback_template: String,
}

impl Default for ServerDraft {
    fn default() -> Self {
        Self {
            kind: ServerKind::ZammadGraph,
            fqdn: String::new(),
            callback_template: "https://{fqdn}/".to_owned(),
        }
    }
}

/// Unknown keys from newer versions are ignored and missing ones take defaults, so an old or
/// newer draft still opens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Draft {
    pub step: WizardStep,
    pub server: ServerDraft,
    /// The wizard runs against the sandbox tenant (restarted when the app reopens).
    pub sandbox: bool,
}

impl Draft {
    /// A draft from the store, or a fresh one when it is missing or unreadable (a draft is a
    /// convenience: losing a damaged one must not keep the wizard from starting).
    pub fn from_json(value: Option<serde_json::Value>) -> Self {
        value
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drafts_round_trip_and_tolerate_damage() {
        let d = Draft {
            step: WizardStep::AdminConsent,
            server: ServerDraft {
                kind: ServerKind::Osticket,
                fqdn: "x.example.com".into(),
                ..Default::default()
            },
            sandbox: true,
        };
        assert_eq!(Draft::from_json(Some(serde_json::to_value(&d).unwrap())), d);
        assert_eq!(Draft::from_json(None), Draft::default());
        assert_eq!(
            Draft::from_json(Some(json!({"step": "no-such-step"}))),
            Draft::default()
        );
        let partial = Draft::from_json(Some(json!({"step": "account", "future": 1})));
        assert_eq!(
            (partial.step, partial.server),
            (WizardStep::Account, ServerDraft::default())
        );
    }
}
