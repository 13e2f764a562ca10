//! Exchange Online's IMAP and SMTP replies after XOAUTH2: terse lines whose causes live in
//! Exchange settings, mailbox permissions and the token's audience.

use super::quote::quote;
use crate::catalog::Diagnosis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailProtocol {
    Imap,
    Smtp,
}

/// One example reply per specific code, so a code alone (`diagnose imap.auth_failed`) can be
/// explained and tests can check the mapping in both directions.
pub(crate) const EXAMPLES: [(MailProtocol, &str, &str); 7] = [
    (MailProtocol::Imap, "imap.auth_failed", "A01 NO AUTHENTICATE failed."),
    (MailProtocol::Imap, "imap.not_connected", "A02 BAD User is authenticated but not connected."),
    (MailProtocol::Smtp, "smtp.535_5.7.3", "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]"),
    (MailProtocol::Smtp, "smtp.client_auth_disabled", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."),
    (MailProtocol::Smtp, "smtp.send_as_denied", "554 5.2.252 SendAsDenied; support@contoso.com not allowed to send as alice@contoso.com"),
    (MailProtocol::Smtp, "smtp.530_5.7.57", "530 5.7.57 Client not authenticated to send mail."),
    (MailProtocol::Smtp, "smtp.535", "535 5.7.8 Error: authentication failed"),
];

const TOKEN_CAUSES: &str = "the access token is for the wrong resource or scope (IMAP and SMTP need a token for https://outlook.office.com with IMAP.AccessAsUser.All or SMTP.Send, or https://outlook.office365.com/.default app-only — a Graph token is refused), the user name in the XOAUTH2 string is not the mailbox, or the token has expired";
const APP_ONLY_FIX: &str = "For app-only access, register the app's service principal in Exchange Online (`New-ServicePrincipal -AppId <client ID> -ObjectId <enterprise app object ID>`) and grant it the mailbox (`Add-MailboxPermission -Identity <mailbox> -User <service principal ID> -AccessRights FullAccess`).";

/// Explains a server reply line (a tagged IMAP response or an SMTP reply).
pub fn mail_reply(protocol: MailProtocol, reply: &str) -> Diagnosis {
    let line = reply_line(reply);
    let lower = line.to_ascii_lowercase();
    let quoted = quote(line);
    let said = format!("The server replied: “{quoted}”");
    let d = |code: &str, title: &str, meaning: String, fix: &str| {
        Diagnosis::new(code, title, format!("{meaning} {said}"), fix)
    };
    match protocol {
        MailProtocol::Imap if lower.contains("authenticated but not connected") => d(
            "imap.not_connected",
            "Signed in, but this identity has no access to the mailbox",
            "The token was accepted, but the identity it names may not open this mailbox: an app-only service principal without mailbox permission, or a user opening a shared mailbox without Full Access.".into(),
            &format!("Give the signing-in user Full Access to the shared mailbox (`Add-MailboxPermission -Identity <shared mailbox> -User <user> -AccessRights FullAccess`) and put the shared mailbox's address in the XOAUTH2 user name. {APP_ONLY_FIX}"),
        ),
        MailProtocol::Imap if lower.contains("authenticate failed") || lower.contains("[authenticationfailed]") => d(
            "imap.auth_failed",
            "IMAP sign-in was refused",
            format!("Exchange refused the XOAUTH2 login. Causes: {TOKEN_CAUSES}; IMAP is disabled for the mailbox; or, app-only, the service principal is not registered in Exchange."),
            &format!("Sign in again so the wizard gets an Outlook token with IMAP.AccessAsUser.All; enable IMAP for the mailbox (`Set-CASMailbox -Identity <mailbox> -ImapEnabled $true`). {APP_ONLY_FIX}"),
        ),
        MailProtocol::Imap => {
            let (code, title, fix) = match imap_status(line) {
                Some("BAD") => ("imap.bad", "The IMAP server rejected the command", "Check the IMAP host and port of the chosen cloud; if it persists, report the reply."),
                Some("BYE") => ("imap.bye", "The IMAP server closed the connection", "Try again; if it repeats, check that IMAP is enabled for the mailbox (`Set-CASMailbox -Identity <mailbox> -ImapEnabled $true`)."),
                _ => ("imap.no", "The IMAP server refused", "Check the mailbox address, the folder name and the mailbox permissions, then try again."),
            };
            d(code, title, "The IMAP server answered with an error.".into(), fix)
        }
        MailProtocol::Smtp => smtp(line, &lower, &said),
    }
}

fn smtp(line: &str, lower: &str, said: &str) -> Diagnosis {
    let (basic, enhanced) = smtp_codes(line);
    let d = |code: &str, title: &str, meaning: &str, fix: &str| {
        Diagnosis::new(code, title, format!("{meaning} {said}"), fix)
    };
    // 5.7.139 alone also covers wrong credentials and Conditional Access: the text decides.
    if lower.contains("smtpclientauthentication is disabled") {
        return d(
            "smtp.client_auth_disabled",
            "SMTP AUTH is turned off",
            "Exchange Online has authenticated SMTP (SMTP AUTH) disabled for this mailbox or for the whole tenant, so even a valid OAuth token is refused.",
            "Enable it for the mailbox: `Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false` (Exchange Online PowerShell), or Microsoft 365 admin center > Users > the user > Mail > Manage email apps > Authenticated SMTP. Tenant-wide: `Set-TransportConfig -SmtpClientAuthenticationDisabled $false`. Security defaults also block it. Changes take up to an hour.",
        );
    }
    if lower.contains("sendasdenied") || matches!(enhanced, Some("5.2.252" | "5.7.60")) {
        return d(
            "smtp.send_as_denied",
            "Sending as this address is denied",
            "The signed-in identity may not send as the From address (a shared mailbox or another user).",
            "Grant Send As: `Add-RecipientPermission -Identity <mailbox> -Trustee <user> -AccessRights SendAs` (Exchange Online PowerShell), or Exchange admin center > Mailboxes > Delegation > Send as; or send from the signed-in user's own address. It takes effect within an hour.",
        );
    }
    let auth_fix = format!("Sign in again so the wizard gets an Outlook token with SMTP.Send, and check that the XOAUTH2 user name is the mailbox the token belongs to (or one it has Send As on); make sure SMTP AUTH is enabled for the mailbox (`Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false`). {APP_ONLY_FIX}");
    match (basic, enhanced) {
        (Some(535), Some("5.7.3")) => d(
            "smtp.535_5.7.3",
            "SMTP sign-in was refused",
            &format!("Exchange refused the XOAUTH2 login. Causes: {TOKEN_CAUSES}; or, app-only, the service principal is not registered in Exchange or has no permission on the mailbox."),
            &auth_fix,
        ),
        (Some(535), _) => d(
            "smtp.535",
            "SMTP sign-in was refused",
            &format!("The server refused the login. Causes: {TOKEN_CAUSES}."),
            &auth_fix,
        ),
        (Some(530), Some("5.7.57")) => d(
            "smtp.530_5.7.57",
            "Not signed in before sending",
            "The message was sent before a successful AUTH, so Exchange refuses to relay it.",
            "Authenticate with AUTH XOAUTH2 after STARTTLS on port 587 before MAIL FROM; check the SMTP host and TLS mode.",
        ),
        (Some(code @ 400..=499), _) => d(
            &format!("smtp.{code}"),
            "The mail server deferred the message",
            "The server reported a temporary failure.",
            "Try again in a few minutes; if it persists, report the reply.",
        ),
        (Some(code @ 500..=599), _) => d(
            &format!("smtp.{code}"),
            "The mail server refused",
            "The server reported a permanent failure.",
            "Check the sender and recipient addresses and the mailbox's permissions; the reply's enhanced code (x.y.z) names the reason.",
        ),
        _ => d(
            "smtp.reply",
            "Unexpected SMTP reply",
            "The reply carries no SMTP error code.",
            "Check the SMTP host, port and TLS mode (Exchange Online: smtp.office365.com:587 with STARTTLS).",
        ),
    }
}

/// The reply itself: a pasted transcript line loses its `S: ` marker, and of several lines the
/// first error reply counts.
fn reply_line(reply: &str) -> &str {
    let lines = || {
        reply
            .lines()
            .map(|l| l.trim().trim_start_matches("S:").trim())
            .filter(|l| !l.is_empty())
    };
    lines()
        .find(|l| is_error_reply(l))
        .or_else(|| lines().next())
        .unwrap_or_default()
}

fn is_error_reply(line: &str) -> bool {
    matches!(imap_status(line), Some("NO" | "BAD" | "BYE"))
        || matches!(smtp_codes(line).0, Some(400..=599))
}

/// `NO`, `BAD`, `BYE` or `OK` after the tag (or `*`).
fn imap_status(line: &str) -> Option<&'static str> {
    let word = line.split_whitespace().nth(1)?.to_ascii_uppercase();
    ["OK", "NO", "BAD", "BYE"].into_iter().find(|s| *s == word)
}

/// The basic reply code and the enhanced status code (`535 5.7.3 …` → 535, "5.7.3").
fn smtp_codes(line: &str) -> (Option<u16>, Option<&str>) {
    let basic = line
        .get(..3)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse().ok())
        .filter(|_| line.len() == 3 || matches!(line.as_bytes().get(3), Some(b' ' | b'-')));
    let enhanced = line.split_whitespace().find(|w| {
        let parts: Vec<&str> = w.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && matches!(parts[0], "2" | "4" | "5")
    });
    (basic, enhanced)
}

/// For `diagnose`: the reply, when the text looks like one.
pub(crate) fn recognise(text: &str) -> Option<Diagnosis> {
    let lower = text.to_ascii_lowercase();
    let imap_marker = [
        "authenticate failed",
        "authenticated but not connected",
        "[authenticationfailed]",
    ]
    .iter()
    .any(|m| lower.contains(m));
    let smtp_marker = [
        "smtpclientauthentication",
        "sendasdenied",
        "authentication unsuccessful",
    ]
    .iter()
    .any(|m| lower.contains(m));
    if smtp_marker {
        return Some(mail_reply(MailProtocol::Smtp, text));
    }
    if imap_marker {
        return Some(mail_reply(MailProtocol::Imap, text));
    }
    // Without a marker, an SMTP line needs its enhanced code ("404 Not Found" is no SMTP reply).
    let first_error = text
        .lines()
        .map(|l| l.trim().trim_start_matches("S:").trim())
        .find(|l| {
            matches!(imap_status(l), Some("NO" | "BAD" | "BYE"))
                || (matches!(smtp_codes(l), (Some(400..=599), Some(_))))
        })?;
    let protocol = if imap_status(first_error).is_some() {
        MailProtocol::Imap
    } else {
        MailProtocol::Smtp
    };
    Some(mail_reply(protocol, first_error))
}

/// For `diagnose`: one of our own codes (`imap.auth_failed`, `smtp.client_auth_disabled`, ...).
pub(crate) fn by_code(code: &str) -> Option<Diagnosis> {
    EXAMPLES
        .iter()
        .find(|(_, c, _)| *c == code)
        .map(|(protocol, _, reply)| mail_reply(*protocol, reply))
}

#[cfg(test)]
mod tests {
    use super::*;
    use MailProtocol::{Imap, Smtp};

    #[test]
    fn each_exchange_reply_has_its_entry() {
        // (protocol, reply, code, words the fix must contain)
        let cases = [
            (Imap, "A01 NO AUTHENTICATE failed.", "imap.auth_failed", "New-ServicePrincipal"),
            (Imap, "S: A01 NO AUTHENTICATE failed.", "imap.auth_failed", "ImapEnabled"),
            (Imap, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.", "imap.auth_failed", "IMAP.AccessAsUser.All"),
            (Imap, "A02 BAD User is authenticated but not connected.", "imap.not_connected", "Add-MailboxPermission"),
            (Imap, "A03 NO [TRYCREATE] Mailbox doesn't exist: Tickets", "imap.no", "folder name"),
            (Imap, "A04 BAD Command Argument Error. 11", "imap.bad", "IMAP host"),
            (Imap, "* BYE Connection closed.", "imap.bye", "ImapEnabled"),
            (Smtp, "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]", "smtp.535_5.7.3", "SMTP.Send"),
            (Smtp, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", "smtp.client_auth_disabled", "Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false"),
            (Smtp, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.", "smtp.client_auth_disabled", "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"),
            (Smtp, "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.", "smtp.535", "SMTP.Send"),
            (Smtp, "554 5.2.252 SendAsDenied; alice@contoso.com not allowed to send as support@contoso.com", "smtp.send_as_denied", "Add-RecipientPermission"),
            (Smtp, "550 5.7.60 SMTP; Client does not have permissions to send as this sender", "smtp.send_as_denied", "Send As"),
            (Smtp, "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied", "smtp.send_as_denied", "Add-RecipientPermission"),
            (Smtp, "530 5.7.57 Client not authenticated to send mail.", "smtp.530_5.7.57", "AUTH XOAUTH2"),
            (Smtp, "535 5.7.8 Error: authentication failed", "smtp.535", "SMTP.Send"),
            (Smtp, "451 4.7.500 Server busy. Please try again later.", "smtp.451", "Try again"),
            (Smtp, "550 5.1.10 RESOLVER.ADR.RecipientNotFound", "smtp.550", "recipient"),
            (Smtp, "hello", "smtp.reply", "smtp.office365.com"),
        ];
        for (protocol, reply, code, action) in cases {
            let d = mail_reply(protocol, reply);
            assert_eq!(d.code, code, "{reply}");
            assert!(d.fix.contains(action), "{reply}: {}", d.fix);
            assert!(d.detail.contains("The server replied:"), "{}", d.detail);
        }
    }

    #[test]
    fn transcripts_are_read_at_their_error_line() {
        // shared/reference/microsoft/smtp_xoauth2_transcripts_exo_doc.txt, the failure exchange.
        let transcript = "C: auth xoauth2\nS: 334\nC: dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlY\nS: 535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]";
        let d = mail_reply(Smtp, transcript);
        assert_eq!(d.code, "smtp.535_5.7.3");
        assert!(!d.detail.contains("dXNlcj1"), "{}", d.detail);
        assert_eq!(
            recognise(transcript).map(|d| d.code).as_deref(),
            Some("smtp.535_5.7.3")
        );

        let imap =
            "S: * CAPABILITY … AUTH=XOAUTH2\nS: C01 OK Completed\nS: A01 NO AUTHENTICATE failed.";
        assert_eq!(
            recognise(imap).map(|d| d.code).as_deref(),
            Some("imap.auth_failed")
        );
        assert!(recognise("all good here").is_none());
        assert!(recognise("A1 OK done").is_none());
        assert!(recognise("404 Not Found").is_none());
        let d = recognise("550 5.1.10 RESOLVER.ADR.RecipientNotFound").unwrap();
        assert_eq!(d.code, "smtp.550");
    }

    #[test]
    fn every_example_maps_back_to_its_code() {
        for (protocol, code, reply) in EXAMPLES {
            assert_eq!(mail_reply(protocol, reply).code, code);
            assert_eq!(by_code(code).map(|d| d.code).as_deref(), Some(code));
        }
        assert!(by_code("imap.nothing").is_none());
    }

    #[test]
    fn smtp_codes_parse_strictly() {
        assert_eq!(smtp_codes("535 5.7.3 x"), (Some(535), Some("5.7.3")));
        assert_eq!(smtp_codes("250-SIZE"), (Some(250), None));
        assert_eq!(smtp_codes("5350 x"), (None, None));
        assert_eq!(smtp_codes("ä"), (None, None));
    }
}
