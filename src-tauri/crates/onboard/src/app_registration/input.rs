//! The app registration step's fields, checked offline before anything is sent: the mistakes
//! admins make when copying from the Entra portal (a secret's ID instead of its value, a braced
//! GUID, an e-mail address as the tenant, a whole URL) each get the field's name and the fix.

use crate::{catalog::Diagnosis, platform::Secret};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const CLIENT_ID: &str = "Client ID";
pub const CLIENT_SECRET: &str = "Client secret";
pub const TENANT: &str = "Tenant";

/// The tenant of personal Microsoft accounts, which cannot hold a work mailbox.
const CONSUMER_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
/// Domains of personal Microsoft accounts.
const PERSONAL_DOMAINS: [&str; 6] = [
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "passport.com",
    "windowslive.com",
];

/// What the admin typed, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(default)]
pub struct AppInput {
    pub client_id: String,
    pub tenant: String,
    /// Empty when the secret is already in the keyring.
    #[ts(optional)]
    pub client_secret: Option<String>,
}

/// How the tenant was named: the sign-in audience follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum TenantForm {
    Guid,
    Domain,
    /// `organizations`: any work or school tenant; only multitenant apps work with it.
    Organizations,
}

/// The fields after cleaning, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFields {
    pub client_id: String,
    pub tenant: String,
    pub tenant_form: TenantForm,
    pub client_secret: Option<Secret>,
    /// What was cleaned up, each naming its field.
    pub notes: Vec<String>,
}

impl AppInput {
    pub fn parse(&self) -> Result<AppFields, Diagnosis> {
        let mut notes = Vec::new();
        let client_id = client_id(&self.client_id, &mut notes)?;
        let (tenant, tenant_form) = tenant(&self.tenant, &mut notes)?;
        let client_secret = match self.client_secret.as_deref() {
            Some(s) if !s.is_empty() => Some(client_secret(s, &client_id, &mut notes)?),
            _ => None,
        };
        Ok(AppFields {
            client_id,
            tenant,
            tenant_form,
            client_secret,
            notes,
        })
    }
}

impl AppInput {
    /// The tenant alone, for steps that need no app (the admin's sign-in).
    pub fn parse_tenant(&self) -> Result<String, Diagnosis> {
        tenant(&self.tenant, &mut Vec::new()).map(|(t, _)| t)
    }
}

/// A GUID in its canonical lower-case form, if `s` is one (with or without braces).
pub fn guid(s: &str) -> Option<String> {
    let s = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    let groups: Vec<&str> = s.split('-').collect();
    let shape = groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12];
    (shape && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

/// Trims what copying adds around a value, and says so.
fn trimmed<'a>(field: &str, raw: &'a str, notes: &mut Vec<String>) -> &'a str {
    let t = raw.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if t.len() != raw.len() {
        notes.push(format!(
            "{field}: removed spaces or quotes around the value."
        ));
    }
    t
}

fn looks_like_url(s: &str) -> bool {
    s.contains("://") || s.starts_with("www.")
}

/// The first GUID inside a longer text (a pasted URL, a PowerShell line).
fn guid_within(s: &str) -> Option<String> {
    s.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .find_map(guid)
}

fn client_id(raw: &str, notes: &mut Vec<String>) -> Result<String, Diagnosis> {
    let v = trimmed(CLIENT_ID, raw, notes);
    let fix = "Copy the Application (client) ID from Entra admin center > App registrations > your app > Overview: a GUID such as 0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f.";
    if v.is_empty() {
        return Err(Diagnosis::field(
            CLIENT_ID,
            "client_id.empty",
            "The client ID is missing.",
            fix,
        ));
    }
    if let Some(g) = guid(v) {
        if v.starts_with('{') {
            notes.push(format!("{CLIENT_ID}: removed the braces around the GUID."));
        }
        return Ok(g);
    }
    if v.starts_with("api://") {
        return Err(Diagnosis::field(
            CLIENT_ID,
            "client_id.app_id_uri",
            format!("“{v}” is the Application ID URI, not the client ID."),
            fix,
        ));
    }
    if looks_like_url(v) {
        let hint = guid_within(v)
            .map(|g| format!(" It contains the GUID {g}; if that is the Application (client) ID, enter only that."))
            .unwrap_or_default();
        return Err(Diagnosis::field(
            CLIENT_ID,
            "client_id.url",
            format!("A URL was pasted instead of the client ID.{hint}"),
            fix,
        ));
    }
    if v.contains('@') {
        return Err(Diagnosis::field(
            CLIENT_ID,
            "client_id.email",
            format!("“{v}” is an e-mail address, not the app's client ID."),
            fix,
        ));
    }
    Err(Diagnosis::field(
        CLIENT_ID,
        "client_id.not_guid",
        format!("“{}” is not a GUID.", shorten(v)),
        fix,
    ))
}

fn client_secret(raw: &str, client_id: &str, notes: &mut Vec<String>) -> Result<Secret, Diagnosis> {
    let v = trimmed(CLIENT_SECRET, raw, notes);
    if let Some(g) = guid(v) {
        let (code, detail) = if g == client_id {
            (
                "client_secret.client_id",
                "The client ID was pasted into the secret field.".to_owned(),
            )
        } else {
            (
                "client_secret.secret_id",
                "This is a GUID, so it is the secret's ID (the “Secret ID” column), not its value."
                    .to_owned(),
            )
        };
        return Err(Diagnosis::field(CLIENT_SECRET, code, detail, "Copy the “Value” column from Certificates & secrets. It is shown only right after the secret is created; if it is hidden now, create a new client secret and copy its value at once."));
    }
    if v.is_empty() || looks_like_url(v) || v.chars().any(char::is_whitespace) {
        let detail = if v.is_empty() {
            "The client secret is missing."
        } else if looks_like_url(v) {
            "A URL was pasted instead of the client secret."
        } else {
            "The secret contains spaces or line breaks, which no client secret has."
        };
        return Err(Diagnosis::field(
            CLIENT_SECRET,
            "client_secret.malformed",
            detail,
            "Paste the secret's “Value” from Entra admin center > App registrations > your app > Certificates & secrets (about 40 characters, often with a ~).",
        ));
    }
    Ok(Secret::new(v))
}

fn tenant(raw: &str, notes: &mut Vec<String>) -> Result<(String, TenantForm), Diagnosis> {
    let v = trimmed(TENANT, raw, notes);
    let fix = "Enter the Directory (tenant) ID from Entra admin center > Overview, or a verified domain such as contoso.onmicrosoft.com.";
    let personal = |detail: String| {
        Diagnosis::field(TENANT, "tenant.personal", detail, "Helpdesk mailboxes live in a work or school (Microsoft 365) tenant: enter its tenant ID or domain, or “organizations” for a multitenant app.")
    };
    if v.is_empty() {
        return Err(Diagnosis::field(
            TENANT,
            "tenant.empty",
            "The tenant is missing.",
            fix,
        ));
    }
    if let Some(g) = guid(v) {
        if g == CONSUMER_TENANT {
            return Err(personal(
                "This is the tenant of personal Microsoft accounts.".into(),
            ));
        }
        if v.starts_with('{') {
            notes.push(format!("{TENANT}: removed the braces around the GUID."));
        }
        return Ok((g, TenantForm::Guid));
    }
    let lower = v.to_ascii_lowercase();
    match lower.as_str() {
        "organizations" => return Ok((lower, TenantForm::Organizations)),
        "consumers" => {
            return Err(personal(
                "“consumers” signs in personal Microsoft accounts only.".into(),
            ))
        }
        "common" => {
            return Err(personal(
                "“common” also admits personal Microsoft accounts, which have no work mailbox; a helpdesk channel must stay in work or school tenants.".into(),
            ))
        }
        _ => {}
    }
    if looks_like_url(v) {
        let hint = url::Url::parse(v)
            .ok()
            .and_then(|u| u.path_segments()?.next().map(str::to_owned))
            .filter(|s| guid(s).is_some() || s.contains('.'))
            .map(|s| format!(" Its tenant part is “{s}”; enter only that."))
            .unwrap_or_default();
        return Err(Diagnosis::field(
            TENANT,
            "tenant.url",
            format!("A URL was pasted instead of the tenant.{hint}"),
            fix,
        ));
    }
    if let Some((_, domain)) = v.rsplit_once('@') {
        return Err(Diagnosis::field(
            TENANT,
            "tenant.email",
            format!("“{v}” is an e-mail address; the tenant is the domain after the @, “{domain}”, if it is verified in the tenant."),
            format!("Enter “{domain}” or the tenant ID."),
        ));
    }
    let domain = idna::domain_to_ascii(&lower).map_err(|_| {
        Diagnosis::field(
            TENANT,
            "tenant.invalid",
            format!("“{}” is neither a GUID nor a domain name.", shorten(v)),
            fix,
        )
    })?;
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) || domain.len() > 253 {
        return Err(Diagnosis::field(
            TENANT,
            "tenant.invalid",
            format!("“{}” is neither a GUID nor a domain name.", shorten(v)),
            fix,
        ));
    }
    let registrable = labels[labels.len() - 2..].join(".");
    if PERSONAL_DOMAINS.contains(&registrable.as_str()) {
        return Err(personal(format!(
            "{registrable} is a domain of personal Microsoft accounts."
        )));
    }
    Ok((domain, TenantForm::Domain))
}

/// Long pasted values are cut in messages (they may be secrets or whole pages).
fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
    const TID: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";

    fn input(client_id: &str, tenant: &str, secret: Option<&str>) -> AppInput {
        AppInput {
            client_id: client_id.into(),
            tenant: tenant.into(),
            client_secret: secret.map(Into::into),
        }
    }

    #[test]
    fn good_input_is_cleaned_and_kept() {
        let f = input(
            &format!(" {{{}}} ", APP.to_uppercase()),
            "Contoso.OnMicrosoft.com",
            Some(" abc8Q~secretvalue "),
        )
        .parse()
        .unwrap();
        assert_eq!(f.client_id, APP);
        assert_eq!(
            (f.tenant.as_str(), f.tenant_form),
            ("contoso.onmicrosoft.com", TenantForm::Domain)
        );
        assert_eq!(f.client_secret.unwrap().expose(), "abc8Q~secretvalue");
        assert!(f.notes.iter().any(|n| n.starts_with("Client ID:")));
        assert!(f.notes.iter().any(|n| n.starts_with("Client secret:")));
        let org = input(APP, "organizations", None).parse().unwrap();
        assert_eq!(org.tenant_form, TenantForm::Organizations);
        let idn = input(APP, "bücher.example", None).parse().unwrap();
        assert_eq!(idn.tenant, "xn--bcher-kva.example");
    }

    /// The bad-input table: every malformed value names its field and a fix, and none panics.
    #[test]
    fn bad_input_names_the_field_and_the_fix() {
        let long = "x".repeat(5000);
        let cases: Vec<(AppInput, &str, &str)> = vec![
            (input("", TID, None), CLIENT_ID, "client_id.empty"),
            (input("   ", TID, None), CLIENT_ID, "client_id.empty"),
            (
                input("helpdesk", TID, None),
                CLIENT_ID,
                "client_id.not_guid",
            ),
            (
                input("0d3c8e4f5a6b4c7d8e9f1a2b3c4d5e6f", TID, None),
                CLIENT_ID,
                "client_id.not_guid",
            ),
            (
                input("0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6", TID, None),
                CLIENT_ID,
                "client_id.not_guid",
            ),
            (
                input("0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6g", TID, None),
                CLIENT_ID,
                "client_id.not_guid",
            ),
            (
                input("{0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f", TID, None),
                CLIENT_ID,
                "client_id.not_guid",
            ),
            (
                input("0d3c8e4f-5a6b-4c7d-8e9f 1a2b3c4d5e6f", TID, None),
                CLIENT_ID,
                "client_id.not_guid",
            ),
            (input(&long, TID, None), CLIENT_ID, "client_id.not_guid"),
            (
                input("api://0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f", TID, None),
                CLIENT_ID,
                "client_id.app_id_uri",
            ),
            (
                input(
                    &format!("https://entra.microsoft.com/#view/x/appId/{APP}"),
                    TID,
                    None,
                ),
                CLIENT_ID,
                "client_id.url",
            ),
            (
                input("https://login.microsoftonline.com", TID, None),
                CLIENT_ID,
                "client_id.url",
            ),
            (
                input("alice@contoso.test", TID, None),
                CLIENT_ID,
                "client_id.email",
            ),
            (input(APP, "", None), TENANT, "tenant.empty"),
            (input(APP, "\t", None), TENANT, "tenant.empty"),
            (input(APP, "common", None), TENANT, "tenant.personal"),
            (input(APP, "Consumers", None), TENANT, "tenant.personal"),
            (input(APP, CONSUMER_TENANT, None), TENANT, "tenant.personal"),
            (input(APP, "outlook.com", None), TENANT, "tenant.personal"),
            (
                input(APP, "mail.hotmail.com", None),
                TENANT,
                "tenant.personal",
            ),
            (input(APP, "live.com", None), TENANT, "tenant.personal"),
            (
                input(APP, "admin@contoso.com", None),
                TENANT,
                "tenant.email",
            ),
            (input(APP, "alice@", None), TENANT, "tenant.email"),
            (
                input(
                    APP,
                    &format!("https://login.microsoftonline.com/{TID}/oauth2/v2.0/token"),
                    None,
                ),
                TENANT,
                "tenant.url",
            ),
            (
                input(APP, "https://portal.azure.com", None),
                TENANT,
                "tenant.url",
            ),
            (input(APP, "www.contoso.com", None), TENANT, "tenant.url"),
            (input(APP, "contoso", None), TENANT, "tenant.invalid"),
            (input(APP, "contoso..com", None), TENANT, "tenant.invalid"),
            (input(APP, "-contoso.com", None), TENANT, "tenant.invalid"),
            (
                input(APP, "contoso_corp.com", None),
                TENANT,
                "tenant.invalid",
            ),
            (input(APP, "contoso .com", None), TENANT, "tenant.invalid"),
            (
                input(APP, "6f1f4c2e-9a51-4f3e-8d8b", None),
                TENANT,
                "tenant.invalid",
            ),
            (input(APP, &long, None), TENANT, "tenant.invalid"),
            (
                input(APP, TID, Some("8e2b5f8a-1c9d-4e3f-a2b1-c0d9e8f7a6b5")),
                CLIENT_SECRET,
                "client_secret.secret_id",
            ),
            (
                input(APP, TID, Some("{8E2B5F8A-1C9D-4E3F-A2B1-C0D9E8F7A6B5}")),
                CLIENT_SECRET,
                "client_secret.secret_id",
            ),
            (
                input(APP, TID, Some(APP)),
                CLIENT_SECRET,
                "client_secret.client_id",
            ),
            (
                input(APP, TID, Some("abc8Q~ secret")),
                CLIENT_SECRET,
                "client_secret.malformed",
            ),
            (
                input(APP, TID, Some("abc8Q~\nsecret")),
                CLIENT_SECRET,
                "client_secret.malformed",
            ),
            (
                input(APP, TID, Some("https://contoso.com/secret")),
                CLIENT_SECRET,
                "client_secret.malformed",
            ),
            (
                input(APP, TID, Some("  ")),
                CLIENT_SECRET,
                "client_secret.malformed",
            ),
            (
                input(APP, TID, Some("\"\"")),
                CLIENT_SECRET,
                "client_secret.malformed",
            ),
        ];
        assert!(cases.len() >= 40, "the table holds {} cases", cases.len());
        for (input, field, code) in cases {
            let d = input.parse().unwrap_err();
            assert_eq!(
                (d.field.as_deref(), d.code.as_str()),
                (Some(field), code),
                "{input:?}"
            );
            assert!(!d.fix.is_empty() && d.title.contains(field), "{d:?}");
            assert!(d.detail.len() < 400, "a long paste is cut: {}", d.detail);
        }
    }

    #[test]
    fn hints_point_at_the_part_to_keep() {
        let d = input(APP, "alice@contoso.com", None).parse().unwrap_err();
        assert!(d.fix.contains("“contoso.com”"));
        let d = input(
            &format!("https://portal.azure.com/#blade/appId/{APP}/x"),
            TID,
            None,
        )
        .parse()
        .unwrap_err();
        assert!(d.detail.contains(APP));
        let d = input(
            APP,
            &format!("https://login.microsoftonline.com/{TID}/v2.0"),
            None,
        )
        .parse()
        .unwrap_err();
        assert!(d.detail.contains(TID));
    }

    #[test]
    fn secrets_never_reach_a_message() {
        let secret = "abc8Q~ this-is-the-secret-value";
        let d = input(APP, TID, Some(secret)).parse().unwrap_err();
        let shown = format!("{d} {d:?}");
        assert!(!shown.contains("this-is-the-secret-value"), "{shown}");
    }
}
