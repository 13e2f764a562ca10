//! AADSTS codes: what Microsoft's identity platform means by each, and the fix.
//!
//! The table is `data/aadsts.tsv`, a copy of the project's `shared/reference/aadsts.tsv`
//! (compiled from Microsoft's AADSTS reference page and the helpdesks' docs and code).
//! The codes the wizard meets most get hand-written wording on top, in [`specific`].

use super::quote::{first_line, quote};
use crate::catalog::Diagnosis;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const TSV: &str = include_str!("../../data/aadsts.tsv");

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub meaning: &'static str,
    pub fix: &'static str,
}

/// The embedded table, parsed once.
pub(crate) fn table() -> &'static BTreeMap<u32, Entry> {
    static TABLE: OnceLock<BTreeMap<u32, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| parse(TSV))
}

fn parse(tsv: &'static str) -> BTreeMap<u32, Entry> {
    tsv.lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let code = cols.next()?.trim().parse().ok()?; // skips the header and blank lines
            let meaning = cols.next()?.trim();
            let fix = cols.next()?.trim();
            Some((code, Entry { meaning, fix }))
        })
        .collect()
}

/// Hand-written wording for the codes people meet most in this wizard.
struct Specific {
    title: &'static str,
    field: Option<&'static str>,
    /// Replaces the table's meaning when set.
    detail: Option<&'static str>,
    /// Replaces the table's fix when set.
    fix: Option<&'static str>,
}

const CLIENT_ID: Option<&str> = Some("Client ID");
const SECRET: Option<&str> = Some("Client secret");
const TENANT: Option<&str> = Some("Tenant");
const REDIRECT: Option<&str> = Some("Redirect URI");

const APP_NOT_FOUND_FIX: &str = "Copy the Application (client) ID from Entra admin center > App registrations > your app > Overview. If the app is registered in another tenant, enter that tenant, or make the app multitenant and grant admin consent in this one (the Admin consent step).";
const TENANT_FIX: &str = "Enter the Directory (tenant) ID from Entra admin center > Overview, or a verified domain of the tenant (contoso.onmicrosoft.com), and check that the right national cloud is chosen.";
const CONSENT_FIX: &str = "Go to the Admin consent step and have a Global, Privileged Role or Cloud Application Administrator grant consent (or Entra admin center > App registrations > your app > API permissions > Grant admin consent). A user without that role can send a consent request, which an administrator approves under Enterprise applications > Admin consent requests.";
const SIGN_IN_AGAIN_FIX: &str = "Sign in to the mailbox again (the Account step, or `m365-onboard sign-in`) and update the channel on the server.";
const REDIRECT_FIX: &str = "In Entra admin center > App registrations > your app > Authentication, add the exact redirect URI the wizard shows (scheme, host, path, case and trailing slash must match) under the right platform: Web for a server's callback, Mobile and desktop applications for this app's loopback sign-in.";

fn specific(code: u32) -> Option<Specific> {
    let s = |title, field, detail, fix| {
        Some(Specific {
            title,
            field,
            detail,
            fix,
        })
    };
    match code {
        700016 | 700011 => s(
            "The app is not found in this tenant",
            CLIENT_ID,
            Some("Microsoft has no application with this client ID in the tenant the request went to: the client ID is mistyped, the app is registered in another tenant, or it was never consented there."),
            Some(APP_NOT_FOUND_FIX),
        ),
        7000215 => s(
            "The client secret is wrong",
            SECRET,
            Some("Microsoft rejected the client secret. Most often the Secret ID was pasted instead of the secret's Value: Certificates & secrets shows both, and the Value only once, right after the secret is created."),
            Some("In Entra admin center > App registrations > your app > Certificates & secrets, copy the Value column of the secret (not the Secret ID). If the Value is hidden, create a new client secret and copy its Value at once, then paste it here and into every server that uses the app."),
        ),
        7000222 => s(
            "The client secret has expired",
            SECRET,
            Some("Every client secret of this app that Microsoft was given has passed its expiry date."),
            Some("Create a new client secret in Entra admin center > App registrations > your app > Certificates & secrets, paste its Value here and into every server that uses the app, and note the new expiry date."),
        ),
        70002 => s("The client secret does not match", SECRET, None, Some("Paste the secret's Value again (Certificates & secrets; not the Secret ID), or create a new client secret.")),
        90002 => s(
            "The tenant is not found",
            TENANT,
            Some("Microsoft knows no tenant by this ID or domain in this cloud: it is mistyped, the domain is not verified in any tenant, or the tenant is in another national cloud."),
            Some(TENANT_FIX),
        ),
        900023 => s(
            "The tenant is not a valid ID or domain",
            TENANT,
            Some("The tenant field holds neither a GUID nor a domain name."),
            Some(TENANT_FIX),
        ),
        50194 => s(
            "The app is single-tenant: use the tenant ID",
            TENANT,
            Some("The app registration accepts accounts of its own tenant only, so Microsoft refuses it on the /common and /organizations endpoints."),
            Some("Enter the Directory (tenant) ID (or a verified domain) in the Tenant field instead of common or organizations. If the server hard-codes /common (FreeScout), set Supported account types to 'Accounts in any organizational directory' under the app's Authentication page instead."),
        ),
        9001023 => s(
            "App-only sign-in needs the tenant ID",
            TENANT,
            Some("The client-credentials (app-only) grant is not supported on the /common or /consumers endpoints."),
            Some("Enter the Directory (tenant) ID or a verified domain in the Tenant field, so the token request goes to the tenant's own endpoint."),
        ),
        90130 | 9002332 => s("This endpoint does not fit the app", TENANT, None, None),
        50011 => s("The redirect URI is not registered", REDIRECT, None, Some(REDIRECT_FIX)),
        70004 => s("The redirect URI does not match", REDIRECT, None, Some(REDIRECT_FIX)),
        500113 | 900971 => s("No redirect URI is registered", REDIRECT, None, None),
        65001 => s(
            "Consent is missing",
            None,
            Some("Neither the user nor an administrator has consented to the permissions this app asks for."),
            Some(CONSENT_FIX),
        ),
        65004 => s(
            "Consent was declined",
            None,
            Some("The sign-in was cancelled on the consent page."),
            Some("Sign in again and accept the permissions, or go to the Admin consent step so an administrator consents for the whole organization."),
        ),
        90094 | 90095 => s(
            "An administrator must consent",
            None,
            Some("The app asks for permissions that only an administrator can grant."),
            Some(CONSENT_FIX),
        ),
        700082 => s(
            "The sign-in expired after 90 days unused",
            None,
            Some("The refresh token expired because it was not used for a long time (typically 90 days)."),
            Some("Sign in to the mailbox again (the Account step, or `m365-onboard sign-in`); keep the channel polling and store the new refresh token returned by every refresh, so it stays active."),
        ),
        50173 => s(
            "The sign-in was revoked",
            None,
            Some("The grant is no longer valid: the user's password was changed or reset, or the user's sessions were revoked."),
            Some(SIGN_IN_AGAIN_FIX),
        ),
        70008 => s(
            "The code or sign-in has expired",
            None,
            Some("The authorization code or refresh token has expired or was revoked."),
            Some("Sign in again. An authorization code is valid for a few minutes and must be redeemed at once; a refresh token expires when unused."),
        ),
        70000 => s("The sign-in is no longer valid", None, None, Some(SIGN_IN_AGAIN_FIX)),
        50076 => s("Multi-factor authentication is required", None, None, None),
        53003 => s("Blocked by Conditional Access", None, None, None),
        70011 => s("The requested scope is not valid", None, None, None),
        50126 => s("Wrong user name or password", None, None, None),
        650052 => s("The tenant lacks the service the app needs", None, None, None),
        9002325 => s("The redirect URI is registered as a single-page app", REDIRECT, None, None),
        9002326 => s("Cross-origin token redemption is refused", None, None, None),
        501481 => s("The PKCE code verifier does not match", None, None, None),
        700025 => s("A public client must not send a secret", None, None, None),
        7000218 => s("A client secret is required", None, None, None),
        50020 => s("This account is not in the tenant", None, None, None),
        16000 => s("This account cannot use the app in this tenant", None, None, None),
        700005 => s("The code was redeemed at another tenant endpoint", None, None, None),
        50105 => s("The user is not assigned to the app", None, None, None),
        70043 => s("Sign-in frequency policy ended the session", None, None, None),
        700084 => s("Single-page-app refresh tokens last 24 hours", REDIRECT, None, None),
        50196 => s("Too many identical requests", None, None, None),
        _ => None,
    }
}

/// Explains AADSTS `code`; `server_description` is Microsoft's `error_description` (or "").
pub fn aadsts(code: u32, server_description: &str) -> Diagnosis {
    let said = first_line(server_description);
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(" Microsoft says: “{}”", quote(said))
    };
    let docs = format!("https://login.microsoftonline.com/error?code={code}");
    let code_str = format!("aadsts.{code}");
    let Some(entry) = table().get(&code) else {
        let detail = if said.is_empty() {
            format!("Microsoft's sign-in service returned error AADSTS{code}.")
        } else {
            format!("Microsoft's sign-in service returned error AADSTS{code}.{said}")
        };
        return Diagnosis::new(
            &code_str,
            format!("Sign-in error AADSTS{code}"),
            detail,
            "Open the link below for Microsoft's explanation of the code; Entra admin center > Sign-in logs shows the failure reason for the request's correlation ID.",
        )
        .with_docs(&docs);
    };
    let special = specific(code);
    let title = special
        .as_ref()
        .map_or_else(|| title_of(entry.meaning), |s| s.title.to_owned());
    let meaning = special
        .as_ref()
        .and_then(|s| s.detail)
        .map_or_else(|| clean_meaning(entry.meaning), str::to_owned);
    let fix = special.as_ref().and_then(|s| s.fix).unwrap_or(entry.fix);
    let mut d = Diagnosis::new(&code_str, title, format!("{meaning}{said}"), fix).with_docs(&docs);
    d.field = special.and_then(|s| s.field).map(str::to_owned);
    d
}

/// The table's meaning without notes about where a code was found.
fn clean_meaning(meaning: &str) -> String {
    match meaning.find(" (error string") {
        Some(cut) => format!("{}.", meaning[..cut].trim_end_matches('.')),
        None => meaning.to_owned(),
    }
}

/// A short title from the table's meaning: drop the `CamelCaseName:` prefix, keep one clause.
fn title_of(meaning: &str) -> String {
    let text = match meaning.split_once(": ") {
        Some((name, rest)) if !name.contains(' ') => rest,
        _ => meaning,
    };
    let end = text
        .find([';', '(', ':'])
        .into_iter()
        .chain(text.find(". "))
        .min()
        .unwrap_or(text.len());
    let clause = text[..end].trim().trim_end_matches('.');
    let mut chars = clause.chars();
    let first_word_is_name = clause.split(' ').next().is_some_and(|w| w.contains('_'));
    match chars.next() {
        Some(c) if !first_word_is_name => c.to_uppercase().chain(chars).collect(),
        _ => clause.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of the embedded file that carry a code, counted independently of the parser.
    fn tsv_codes() -> Vec<u32> {
        TSV.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('\t').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn every_tsv_code_gives_a_complete_diagnosis() {
        let codes = tsv_codes();
        assert!(codes.len() >= 60, "{}", codes.len());
        assert_eq!(table().len(), codes.len(), "a row failed to parse");
        for code in codes {
            let d = aadsts(code, "");
            assert_eq!(d.code, format!("aadsts.{code}"));
            assert!(d.fix.len() > 10, "{code}: {d:?}");
            assert!(d.detail.len() > 10, "{code}: {d:?}");
            assert!(!d.title.is_empty() && d.title.len() < 80, "{code}: {d:?}");
            assert_eq!(
                d.docs_url.as_deref(),
                Some(format!("https://login.microsoftonline.com/error?code={code}").as_str())
            );
            assert!(!d.detail.contains("code corpus"), "{code}: {}", d.detail);
        }
    }

    #[test]
    fn embedded_table_matches_the_shared_reference() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../../shared/reference/aadsts.tsv");
        if let Ok(text) = std::fs::read_to_string(shared) {
            assert_eq!(
                TSV, text,
                "data/aadsts.tsv differs from shared/reference/aadsts.tsv"
            );
        }
    }

    #[test]
    fn fields_and_key_actions_of_the_common_codes() {
        // (code, field, words the fix must contain)
        let cases: [(u32, Option<&str>, &str); 24] = [
            (700016, CLIENT_ID, "Application (client) ID"),
            (700011, CLIENT_ID, "Application (client) ID"),
            (7000215, SECRET, "not the Secret ID"),
            (7000222, SECRET, "new client secret"),
            (70002, SECRET, "new client secret"),
            (90002, TENANT, "Directory (tenant) ID"),
            (900023, TENANT, "Directory (tenant) ID"),
            (50194, TENANT, "Directory (tenant) ID"),
            (9001023, TENANT, "Directory (tenant) ID"),
            (90130, TENANT, "tenant-specific endpoint"),
            (50011, REDIRECT, "redirect URI"),
            (70004, REDIRECT, "redirect URI"),
            (500113, REDIRECT, "redirect URI"),
            (65001, None, "Admin consent step"),
            (65004, None, "Admin consent step"),
            (90094, None, "Admin consent step"),
            (90095, None, "Admin consent requests"),
            (700082, None, "Sign in to the mailbox again"),
            (50173, None, "Sign in to the mailbox again"),
            (70008, None, "Sign in again"),
            (70000, None, "Sign in to the mailbox again"),
            (53003, None, "Conditional Access"),
            (70011, None, "offline_access"),
            (50105, None, "Users and groups"),
        ];
        for (code, field, action) in cases {
            let d = aadsts(code, "");
            assert_eq!(d.field.as_deref(), field, "{code}");
            assert!(d.fix.contains(action), "{code}: {}", d.fix);
        }
        assert!(aadsts(7000215, "").detail.contains("Secret ID was pasted"));
        assert!(aadsts(700082, "").detail.contains("90 days"));
        assert!(aadsts(50194, "").fix.contains("common"));
    }

    #[test]
    fn the_servers_first_line_is_quoted_without_trace_lines() {
        let d = aadsts(
            7000215,
            "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 03da\r\nCorrelation ID: 7b12\r\nTimestamp: 2022-03-02 18:25:26Z",
        );
        assert!(
            d.detail
                .ends_with("Microsoft says: “AADSTS7000215: Invalid client secret provided.”"),
            "{}",
            d.detail
        );
        assert!(!d.detail.contains("Trace ID"));
    }

    #[test]
    fn unknown_codes_still_help() {
        let d = aadsts(1234567, "AADSTS1234567: Something new.\r\nTrace ID: x");
        assert_eq!(d.code, "aadsts.1234567");
        assert!(d.detail.contains("AADSTS1234567: Something new."));
        assert!(d.fix.contains("Sign-in logs"));
        assert_eq!(
            d.docs_url.as_deref(),
            Some("https://login.microsoftonline.com/error?code=1234567")
        );
        assert_eq!(
            aadsts(1, "").detail,
            "Microsoft's sign-in service returned error AADSTS1."
        );
    }

    #[test]
    fn derived_titles_are_short_clauses() {
        assert_eq!(
            title_of(
                "InvalidTenantName: tenant name/ID not found in the data store (wrong cloud)."
            ),
            "Tenant name/ID not found in the data store"
        );
        assert_eq!(
            title_of("response_type 'id_token' is not enabled for the application."),
            "response_type 'id_token' is not enabled for the application"
        );
    }
}
