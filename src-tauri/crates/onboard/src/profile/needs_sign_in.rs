//! When a saved sign-in stops working: which refusals of a refresh mean "sign in again", and
//! why, in the user's words. Nothing is deleted: the old refresh token stays in the keyring
//! until the next sign-in overwrites it.

use crate::{
    catalog::Diagnosis,
    profile::{MailboxRef, Profile},
};
use serde::Serialize;
use ts_rs::TS;

/// The profile's mailbox needs an interactive sign-in before it can be used again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NeedsSignIn {
    pub profile: String,
    /// `reauth.700082`, `reauth.50173`, `reauth.invalid_grant`, `reauth.no_refresh_token`, ...
    /// (the diagnosis code, stable).
    pub reason_code: String,
    /// Why, for the person at the screen.
    pub user_words: String,
    /// Who should sign in: the user of a user mailbox; empty for a shared mailbox (any delegate).
    pub sign_in_as: Option<String>,
    /// What Microsoft said, as the catalog explains it (never the raw body).
    pub microsoft_says: Option<String>,
}

impl NeedsSignIn {
    /// The prompt for a refused refresh, or `None` when signing in again would not help
    /// (a wrong client secret, a missing consent): then the refusal's own diagnosis applies.
    pub fn from_refusal(profile: &Profile, error: &str, refusal: &Diagnosis) -> Option<Self> {
        let aadsts = refusal
            .code
            .strip_prefix("aadsts.")
            .and_then(|c| c.parse::<u32>().ok());
        let who = &profile.identity.username;
        let (reason, words) = match (aadsts, error) {
            (Some(700082), _) => (
                "700082".to_owned(),
                "This mailbox's saved sign-in was not used for 90 days, so Microsoft let it expire.".to_owned(),
            ),
            (Some(50173), _) => (
                "50173".to_owned(),
                format!("The password of {who} was changed or reset, or their sign-ins were revoked, so Microsoft no longer accepts the saved sign-in."),
            ),
            (Some(70008), _) => (
                "70008".to_owned(),
                "The saved sign-in has expired.".to_owned(),
            ),
            (Some(code @ (50076 | 50079 | 50158 | 53003)), _)
            | (Some(code), "interaction_required" | "login_required") => (
                code.to_string(),
                format!("Microsoft wants {who} to sign in interactively again (for example for multi-factor authentication or a new access policy)."),
            ),
            (code, "invalid_grant") => (
                code.map_or_else(|| "invalid_grant".to_owned(), |c| c.to_string()),
                "Microsoft no longer accepts the saved sign-in: it was revoked, has expired, or was issued for another app.".to_owned(),
            ),
            (None, "interaction_required" | "login_required") => (
                error.to_owned(),
                format!("Microsoft wants {who} to sign in interactively again."),
            ),
            _ => return None,
        };
        Some(Self::new(
            profile,
            &reason,
            words,
            Some(refusal.detail.clone()),
        ))
    }

    /// The keyring has no refresh token for the profile (deleted, or another keyring).
    pub fn missing_refresh_token(profile: &Profile, backend: &str) -> Self {
        Self::new(
            profile,
            "no_refresh_token",
            format!("No saved sign-in for this mailbox was found in the {backend}."),
            None,
        )
    }

    fn new(profile: &Profile, reason: &str, user_words: String, said: Option<String>) -> Self {
        Self {
            profile: profile.name.clone(),
            reason_code: format!("reauth.{reason}"),
            user_words,
            sign_in_as: match &profile.mailbox {
                MailboxRef::User { .. } => Some(profile.identity.username.clone()),
                MailboxRef::Shared { .. } => None,
            },
            microsoft_says: said,
        }
    }

    /// The prompt in the one error shape that crosses to the front end.
    pub fn diagnosis(&self) -> Diagnosis {
        let mut detail = self.user_words.clone();
        if let Some(said) = &self.microsoft_says {
            detail.push(' ');
            detail.push_str(said);
        }
        let who = match &self.sign_in_as {
            Some(user) => format!("as {user}"),
            None => "as a delegate with full access to the mailbox".to_owned(),
        };
        let mut d = Diagnosis::new(
            &self.reason_code,
            format!("Sign in again to “{}”", self.profile),
            detail,
            format!(
                "Sign in again {who} (Account step > Sign in again, or `m365-onboard sign-in --profile {}`). The saved sign-in is kept until the new one replaces it.",
                self.profile
            ),
        );
        d.field = Some("Account".to_owned());
        d
    }
}

impl From<NeedsSignIn> for Diagnosis {
    fn from(n: NeedsSignIn) -> Self {
        n.diagnosis()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::profile::record::tests::sample;

    fn refusal(code: u32, error: &str) -> Option<NeedsSignIn> {
        let mut p = sample("alice@contoso.test");
        p.mailbox = MailboxRef::User {
            address: "alice@contoso.test".into(),
        };
        let body = format!(
            r#"{{"error":"{error}","error_description":"AADSTS{code}: Microsoft's words.","error_codes":[{code}]}}"#
        );
        NeedsSignIn::from_refusal(&p, error, &catalog::token_error(400, &body))
    }

    #[test]
    fn each_refusal_says_why_in_the_users_words() {
        let cases = [
            (700082, "invalid_grant", "reauth.700082", "90 days"),
            (
                50173,
                "invalid_grant",
                "reauth.50173",
                "password of alice@contoso.test",
            ),
            (70008, "invalid_grant", "reauth.70008", "expired"),
            (54005, "invalid_grant", "reauth.54005", "no longer accepts"),
            (70000, "invalid_grant", "reauth.70000", "no longer accepts"),
            (50076, "invalid_grant", "reauth.50076", "multi-factor"),
            (
                50079,
                "interaction_required",
                "reauth.50079",
                "interactively",
            ),
        ];
        for (code, error, reason, words) in cases {
            let n = refusal(code, error).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(n.reason_code, reason);
            assert!(n.user_words.contains(words), "{code}: {}", n.user_words);
            assert_eq!(n.sign_in_as.as_deref(), Some("alice@contoso.test"));
            let d = n.diagnosis();
            assert_eq!(d.code, reason);
            assert!(d.title.contains("alice@contoso.test"));
            assert!(d.fix.contains("as alice@contoso.test"), "{}", d.fix);
            assert!(d.detail.starts_with(&n.user_words));
        }
        // A bare invalid_grant without an AADSTS code still asks for a sign-in.
        let p = sample("support@contoso.test");
        let d = catalog::token_error(400, r#"{"error":"invalid_grant"}"#);
        let n = NeedsSignIn::from_refusal(&p, "invalid_grant", &d).unwrap();
        assert_eq!(n.reason_code, "reauth.invalid_grant");
        assert_eq!(
            n.sign_in_as, None,
            "any delegate may sign in to a shared mailbox"
        );
        assert!(n.diagnosis().fix.contains("delegate"));
    }

    #[test]
    fn refusals_a_new_sign_in_would_not_fix_are_not_prompts() {
        assert_eq!(refusal(7000222, "invalid_client"), None);
        assert_eq!(refusal(7000215, "invalid_client"), None);
        assert_eq!(refusal(65001, "consent_required"), None);
        assert_eq!(refusal(70011, "invalid_scope"), None);
    }
}
