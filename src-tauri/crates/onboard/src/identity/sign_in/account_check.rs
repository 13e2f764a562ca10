//! Is the signed-in account one the wizard may connect? Not a personal Microsoft account, and
//! in the tenant the app registration step configured.

use crate::{catalog::Diagnosis, identity::Identity};

/// The tenant every personal Microsoft account (outlook.com, hotmail.com, live.com) signs in with.
pub const PERSONAL_ACCOUNT_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// `expected_tenant_id` is the configured tenant's GUID (given, or resolved from its domain by
/// discovery); `None` when the tenant is `organizations`, where any work account may sign in.
/// `configured` is the tenant as the person typed it, for the message.
pub fn check_account(
    identity: &Identity,
    expected_tenant_id: Option<&str>,
    configured: &str,
) -> Result<(), Diagnosis> {
    if identity
        .tenant_id
        .eq_ignore_ascii_case(PERSONAL_ACCOUNT_TENANT)
    {
        return Err(Diagnosis::new(
            "sign_in.personal_account",
            "A personal Microsoft account cannot be connected",
            format!(
                "{} is a personal Microsoft account (outlook.com, hotmail.com, live.com). Microsoft 365 work mailboxes and their app registrations do not accept personal accounts for IMAP, SMTP or Graph mail access by an organization's app.",
                identity.username
            ),
            "Sign in with the work account of the mailbox (name@yourcompany.com). If the browser signs you in automatically, choose “Use another account” on Microsoft's page.",
        ));
    }
    if let Some(expected) = expected_tenant_id {
        if !identity.tenant_id.eq_ignore_ascii_case(expected) {
            return Err(Diagnosis::new(
                "sign_in.wrong_tenant",
                "This account belongs to another organization",
                format!(
                    "{} signed in to tenant {}, but the app is configured for {configured} ({expected}). Nothing was saved.",
                    identity.username, identity.tenant_id
                ),
                "Sign in with an account of the configured organization, or correct the Tenant field in the App registration step.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(tid: &str) -> Identity {
        Identity {
            object_id: "o".into(),
            tenant_id: tid.into(),
            username: "x@example.com".into(),
            display_name: None,
        }
    }

    #[test]
    fn personal_and_foreign_accounts_are_refused() {
        let contoso = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";
        check_account(&who(contoso), Some(contoso), "contoso.test").unwrap();
        check_account(
            &who("6F1F4C2E-9A51-4F3E-8D8B-0C7E2A3B4D5E"),
            Some(contoso),
            "c",
        )
        .unwrap();
        check_account(
            &who("11111111-2222-3333-4444-555555555555"),
            None,
            "organizations",
        )
        .unwrap();
        let d = check_account(&who(PERSONAL_ACCOUNT_TENANT), None, "organizations").unwrap_err();
        assert_eq!(d.code, "sign_in.personal_account");
        let d = check_account(
            &who("11111111-2222-3333-4444-555555555555"),
            Some(contoso),
            "contoso.test",
        )
        .unwrap_err();
        assert_eq!(d.code, "sign_in.wrong_tenant");
        assert!(d.detail.contains("contoso.test"));
    }
}
