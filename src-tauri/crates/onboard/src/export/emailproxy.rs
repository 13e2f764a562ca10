//! `emailproxy.config` for email-oauth2-proxy (PyPI `emailproxy`), which lets a password-only
//! IMAP/SMTP client use OAuth 2.0: one IMAP and one SMTP server section, and an account section
//! per login (option names as the proxy's `emailproxy.py` reads them).
//!
//! A shared mailbox gets its own section (IMAP opens it by name with the delegate's token) and
//! the delegate one, for SMTP: the client signs in there as the delegate and sends as the shared
//! address.
//!
//! With the mail client's password (`SecretHandling::Encrypt`), the proxy's cached credentials
//! are pre-seeded in the proxy's own format, so it runs headless from the first login: Fernet
//! tokens keyed by PBKDF2-HMAC-SHA256 (32 bytes, a random 16-byte salt in `token_salt`,
//! `token_iterations` rounds) of that password. Only the refresh token is seeded (the proxy gets
//! its access tokens itself, so no file holds one that expires within the hour), and the client
//! secret as `client_secret_encrypted`.

use crate::export::secrets::omitted;
use crate::identity::sign_in::{app_only_scope, AppOnlyTarget};
use crate::{
    catalog::{Diagnosis, MailProtocol},
    cloud::TlsMode,
    export::{ChannelConfig, ExportOptions, ExportSecrets, SecretHandling},
    identity::ChannelKind,
    platform::Secret,
    profile::{MailboxRef, SignInFlow},
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;
use std::fmt::Write;

/// The proxy's `Cryptographer.ITERATIONS` (emailproxy 2025+): tokens seeded with it need no
/// re-encryption when the proxy first reads them.
const TOKEN_ITERATIONS: u32 = 1_200_000;
const TOKEN_ITERATIONS_NONZERO: std::num::NonZeroU32 =
    std::num::NonZeroU32::MIN.saturating_add(TOKEN_ITERATIONS - 1);

/// The proxy's encryption key for one password and salt.
struct ProxyKey {
    /// `token_salt`: the salt, base64.
    salt: String,
    fernet: fernet::Fernet,
}

impl ProxyKey {
    fn encrypt(&self, value: &Secret) -> String {
        self.fernet.encrypt(value.expose().as_bytes())
    }

    /// The plaintext of a token this key made.
    #[cfg(test)]
    fn decrypt(&self, token: &str) -> Option<String> {
        let bytes = self.fernet.decrypt(token).ok()?;
        String::from_utf8(bytes).ok()
    }
}

/// The key the proxy derives from the mail client's `password` and `salt`.
fn proxy_key(password: &Secret, salt: &[u8]) -> Result<ProxyKey, Diagnosis> {
    let mut key = [0u8; 32];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        TOKEN_ITERATIONS_NONZERO,
        salt,
        password.expose().as_bytes(),
        &mut key,
    );
    let fernet = fernet::Fernet::new(&URL_SAFE.encode(key)).ok_or_else(|| {
        Diagnosis::new(
            "export.encrypt",
            "The proxy's tokens could not be encrypted",
            "The derived key was refused.",
            "Report this as a bug; export without secrets in the meantime.",
        )
    })?;
    Ok(ProxyKey {
        salt: STANDARD.encode(salt),
        fernet,
    })
}

pub(super) fn render(
    config: &ChannelConfig,
    secrets: &ExportSecrets,
    handling: &SecretHandling,
    options: &ExportOptions,
) -> Result<String, Diagnosis> {
    if config.channel != ChannelKind::ImapDelegated {
        return Err(Diagnosis::new(
            "export.emailproxy_channel",
            "email-oauth2-proxy needs the IMAP/SMTP channel",
            format!(
                "The proxy signs in to IMAP and SMTP, but the profile “{}” connects through Microsoft Graph, whose permissions do not cover them.",
                config.profile.name
            ),
            "Connect the mailbox with the IMAP/SMTP channel (sign-in --channel imap-delegated), then export it for the proxy.",
        ));
    }
    let cloud = &config.cloud.endpoints;
    let imap = cloud.mail_endpoint(MailProtocol::Imap)?;
    let smtp = cloud.mail_endpoint(MailProtocol::Smtp)?;
    for (endpoint, field) in [(&imap, "IMAP TLS"), (&smtp, "SMTP TLS")] {
        if endpoint.tls == TlsMode::None {
            return Err(Diagnosis::field(
                field,
                "export.emailproxy_tls",
                format!("email-oauth2-proxy always speaks TLS to {endpoint}, which has none."),
                "Export with the server's TLS mode (implicit or starttls).",
            ));
        }
    }
    for address in [config.mailbox.address(), config.login_user()] {
        if address
            .chars()
            .any(|c| c.is_control() || c == '[' || c == ']')
        {
            return Err(Diagnosis::field(
                "Mailbox",
                "export.emailproxy_address",
                format!("“{}” cannot head an INI section.", address.escape_debug()),
                "Connect the mailbox by its plain address.",
            ));
        }
    }
    let key = match handling {
        SecretHandling::Encrypt(password) => {
            crate::export::check_passphrase(password)?;
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).map_err(|e| {
                Diagnosis::new(
                    "export.random",
                    "No random numbers for the proxy's salt",
                    e.to_string(),
                    "Try again; report it if it persists.",
                )
            })?;
            Some(proxy_key(password, &salt)?)
        }
        _ => None,
    };

    let mut s = String::new();
    let mailbox = config.mailbox.address();
    let (ip, sp) = (options.proxy_imap_port, options.proxy_smtp_port);
    let _ = writeln!(
        s,
        "# email-oauth2-proxy configuration for {mailbox}, written by {} on {}.\n\
         # Run it with: emailproxy --no-gui --config-file THIS_FILE (it rewrites this file as tokens renew).\n\
         # Mail client: IMAP 127.0.0.1:{ip} and SMTP 127.0.0.1:{sp}, without TLS (the proxy adds it upstream);",
        config.exported_by,
        config.exported_at.format("%Y-%m-%d %H:%M UTC"),
    );
    let seeded = key.is_some() && config.refresh_token.is_some();
    let password = if seeded {
        "the password the tokens below are encrypted with (the export's passphrase)"
    } else {
        "any password you choose: the first login encrypts the proxy's tokens with it"
    };
    match &config.mailbox {
        MailboxRef::Shared { .. } if config.flow.has_refresh_token() => {
            let _ = writeln!(
                s,
                "# IMAP login {mailbox}, SMTP login {} (who sends as {mailbox}); password: {password}.",
                config.login_user()
            );
        }
        _ => {
            let _ = writeln!(s, "# login {mailbox}; password: {password}.");
        }
    }
    let _ = writeln!(s);
    server(&mut s, "IMAP", ip, &imap);
    server(&mut s, "SMTP", sp, &smtp);

    let mut logins = vec![mailbox];
    if config.login_user() != mailbox {
        logins.push(config.login_user());
    }
    for login in logins {
        account(&mut s, config, login, secrets, handling, key.as_ref())?;
    }
    Ok(s)
}

fn server(s: &mut String, kind: &str, local_port: u16, upstream: &crate::cloud::MailEndpoint) {
    let _ = writeln!(
        s,
        "[{kind}-{local_port}]\nserver_address = {}\nserver_port = {}",
        upstream.host, upstream.port
    );
    if upstream.tls == TlsMode::Starttls {
        let _ = writeln!(s, "server_starttls = True");
    }
    let _ = writeln!(s, "local_address = 127.0.0.1\n");
}

fn account(
    s: &mut String,
    config: &ChannelConfig,
    login: &str,
    secrets: &ExportSecrets,
    handling: &SecretHandling,
    key: Option<&ProxyKey>,
) -> Result<(), Diagnosis> {
    let cloud = &config.cloud.endpoints;
    let tenant = &config.tenant_id;
    let _ = writeln!(s, "[{login}]");
    match config.flow {
        SignInFlow::Browser | SignInFlow::Embedded => {
            let _ = writeln!(
                s,
                "permission_url = {}\nredirect_uri = http://localhost\nuse_pkce = True",
                cloud.authority_url(tenant, "oauth2/v2.0/authorize")
            );
        }
        SignInFlow::Device => {
            let _ = writeln!(
                s,
                "permission_url = {}\noauth2_flow = device",
                cloud.authority_url(tenant, "oauth2/v2.0/devicecode")
            );
        }
        SignInFlow::ClientCredentials => {
            let _ = writeln!(s, "oauth2_flow = client_credentials");
        }
    }
    let scope = if config.flow.has_refresh_token() {
        let outlook = cloud.outlook_resource.trim_end_matches('/');
        format!("{outlook}/IMAP.AccessAsUser.All {outlook}/SMTP.Send offline_access")
    } else {
        app_only_scope(AppOnlyTarget::ImapSmtp, cloud)
    };
    let _ = writeln!(
        s,
        "token_url = {}\noauth2_scope = {scope}\nclient_id = {}",
        config.token_url(),
        config.client_id
    );
    if let Some(r) = &config.client_secret {
        match (&secrets.client_secret, handling, key) {
            (Some(secret), _, Some(key)) => {
                let _ = writeln!(s, "client_secret_encrypted = {}", key.encrypt(secret));
            }
            (Some(secret), SecretHandling::Plain, None) => {
                let _ = writeln!(s, "client_secret = {}", one_line(secret)?);
            }
            _ => {
                let _ = writeln!(s, "# {}", omitted("client_secret", r));
                let _ = writeln!(s, "# Add it here as: client_secret = VALUE");
            }
        }
    }
    if let (Some(key), Some(rt)) = (key, &secrets.refresh_token) {
        let _ = writeln!(
            s,
            "token_salt = {}\ntoken_iterations = {TOKEN_ITERATIONS}\nrefresh_token = {}",
            key.salt,
            key.encrypt(rt)
        );
    } else if config.refresh_token.is_some() {
        let _ = writeln!(
            s,
            "# No token is seeded: the proxy asks for a sign-in at the first login{}.",
            if matches!(handling, SecretHandling::Plain) {
                " (it keeps tokens only encrypted with the mail client's password: export with a passphrase to seed them)"
            } else {
                " (export with --include-secrets and the mail client's password as passphrase to seed them)"
            }
        );
    }
    let _ = writeln!(s);
    Ok(())
}

/// A value on one INI line (configparser would read a line break as a continuation).
fn one_line(secret: &Secret) -> Result<&str, Diagnosis> {
    let v = secret.expose();
    if v.chars().any(char::is_control) {
        return Err(Diagnosis::new(
            "export.emailproxy_value",
            "A secret cannot be written to emailproxy.config",
            "It contains a line break or another control character.",
            "Create a new client secret in Entra and check the app again with it.",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::export::secrets::tests::{secrets, CLIENT_SECRET, REFRESH_TOKEN};

    /// configparser's view: section name → (key, value) pairs, comments dropped.
    fn ini(text: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                out.push((name.to_owned(), Vec::new()));
            } else {
                let (k, v) = line.split_once(" = ").unwrap();
                out.last_mut().unwrap().1.push((k.to_owned(), v.to_owned()));
            }
        }
        out
    }

    fn keys(section: &(String, Vec<(String, String)>)) -> Vec<&str> {
        section.1.iter().map(|(k, _)| k.as_str()).collect()
    }

    fn value<'a>(section: &'a (String, Vec<(String, String)>), key: &str) -> &'a str {
        &section.1.iter().find(|(k, _)| k == key).unwrap().1
    }

    fn render_with(c: &ChannelConfig, handling: &SecretHandling) -> String {
        render(c, &secrets(), handling, &ExportOptions::default()).unwrap()
    }

    #[test]
    fn servers_and_an_authorization_code_account_per_login() {
        let text = render_with(&config(), &SecretHandling::Omit);
        let s = ini(&text);
        let names: Vec<&str> = s.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "IMAP-1993",
                "SMTP-1587",
                "support@contoso.test",
                "alice@contoso.test"
            ]
        );
        assert_eq!(
            s[0].1,
            [
                ("server_address".into(), "outlook.office365.com".into()),
                ("server_port".into(), "993".into()),
                ("local_address".into(), "127.0.0.1".into())
            ]
        );
        assert_eq!(
            keys(&s[1]),
            [
                "server_address",
                "server_port",
                "server_starttls",
                "local_address"
            ]
        );
        assert_eq!(value(&s[1], "server_starttls"), "True");
        for account in &s[2..] {
            assert_eq!(
                keys(account),
                [
                    "permission_url",
                    "redirect_uri",
                    "use_pkce",
                    "token_url",
                    "oauth2_scope",
                    "client_id"
                ]
            );
            assert_eq!(
                value(account, "permission_url"),
                "https://login.microsoftonline.com/6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e/oauth2/v2.0/authorize"
            );
            assert_eq!(
                value(account, "oauth2_scope"),
                "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
            );
        }
        assert!(text.contains("# client_secret: not exported"), "{text}");
        assert!(text.contains("IMAP login support@contoso.test, SMTP login alice@contoso.test"));
    }

    #[test]
    fn device_and_client_credentials_accounts() {
        let mut c = config();
        c.flow = SignInFlow::Device;
        let s = ini(&render_with(&c, &SecretHandling::Omit));
        assert_eq!(
            keys(&s[2]),
            [
                "permission_url",
                "oauth2_flow",
                "token_url",
                "oauth2_scope",
                "client_id"
            ]
        );
        assert!(value(&s[2], "permission_url").ends_with("/oauth2/v2.0/devicecode"));
        assert_eq!(value(&s[2], "oauth2_flow"), "device");

        c.flow = SignInFlow::ClientCredentials;
        c.refresh_token = None;
        let s = ini(&render_with(&c, &SecretHandling::Plain));
        assert_eq!(s.len(), 3, "app-only has no delegate: one account");
        assert_eq!(
            keys(&s[2]),
            [
                "oauth2_flow",
                "token_url",
                "oauth2_scope",
                "client_id",
                "client_secret"
            ]
        );
        assert_eq!(value(&s[2], "oauth2_flow"), "client_credentials");
        assert_eq!(
            value(&s[2], "oauth2_scope"),
            "https://outlook.office365.com/.default"
        );
        assert_eq!(value(&s[2], "client_secret"), CLIENT_SECRET);
    }

    #[test]
    fn seeded_tokens_open_with_the_mail_clients_password() {
        let password = Secret::new("proxy password 1");
        let text = render_with(&config(), &SecretHandling::Encrypt(password.clone()));
        let s = ini(&text);
        for account in &s[2..] {
            assert_eq!(value(account, "token_iterations"), "1200000");
            let salt = STANDARD.decode(value(account, "token_salt")).unwrap();
            assert_eq!(salt.len(), 16);
            let key = proxy_key(&password, &salt).unwrap();
            assert_eq!(
                key.decrypt(value(account, "refresh_token")).unwrap(),
                REFRESH_TOKEN
            );
            assert_eq!(
                key.decrypt(value(account, "client_secret_encrypted"))
                    .unwrap(),
                CLIENT_SECRET
            );
            let wrong = proxy_key(&Secret::new("another password"), &salt).unwrap();
            assert_eq!(wrong.decrypt(value(account, "refresh_token")), None);
        }
        assert!(!text.contains(REFRESH_TOKEN) && !text.contains(CLIENT_SECRET));
    }

    #[test]
    fn a_graph_channel_or_plain_upstream_is_refused() {
        let mut c = config();
        c.channel = ChannelKind::GraphDelegated;
        let d = render(
            &c,
            &secrets(),
            &SecretHandling::Omit,
            &ExportOptions::default(),
        )
        .unwrap_err();
        assert_eq!(d.code, "export.emailproxy_channel");
        let mut c = config();
        c.cloud.endpoints.imap = "127.0.0.1:143".into();
        c.cloud.endpoints.imap_tls = TlsMode::None;
        let d = render(
            &c,
            &secrets(),
            &SecretHandling::Omit,
            &ExportOptions::default(),
        )
        .unwrap_err();
        assert_eq!(d.field.as_deref(), Some("IMAP TLS"));
    }
}
