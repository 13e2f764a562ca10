//! Exchange Online's IMAP and SMTP replies after XOAUTH2, and the status codes of its
//! non-delivery reports: terse lines whose causes live in Exchange settings, mailbox
//! permissions and the token's audience. The entries are tables by family (`imap_replies.rs`,
//! `smtp_replies.rs`, `ndr_codes.rs`); this file reads a reply and picks the entry.

use super::quote::quote;
use super::reply_entry::{self, Entry, When};
use super::{imap_replies, ndr_codes, smtp_replies};
use crate::catalog::Diagnosis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailProtocol {
    Imap,
    Smtp,
}

const RFC3501: &str = "https://www.rfc-editor.org/rfc/rfc3501#section-7.1";
const RFC5321: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-4.2";

/// Explains a server reply line (a tagged IMAP response, an SMTP reply, or an NDR's status).
pub fn mail_reply(protocol: MailProtocol, reply: &str) -> Diagnosis {
    let line = reply_line(reply);
    let lower = line.to_ascii_lowercase();
    let said = format!("The server replied: “{}”", quote(line));
    match protocol {
        MailProtocol::Imap => imap(line, &lower, &said),
        MailProtocol::Smtp => smtp(line, &lower, &said),
    }
}

fn imap(line: &str, lower: &str, said: &str) -> Diagnosis {
    let status = imap_status(line);
    let entry = reply_entry::find(imap_replies::TABLE, None, None, lower);
    if status == Some("BYE") {
        // Callers take `imap.bye` for a closed connection, whatever the reason given.
        let mut d = entry.map_or_else(
            || {
                Diagnosis::new(
                    "imap.bye",
                    "The IMAP server closed the connection",
                    format!("The IMAP server ended the session. {said}"),
                    "Try again; if it repeats, check that IMAP is enabled for the mailbox (`Set-CASMailbox -Identity <mailbox> -ImapEnabled $true`).",
                )
                .with_docs(RFC3501)
            },
            |e| e.diagnosis(said),
        );
        d.code = "imap.bye".to_owned();
        return d;
    }
    if let Some(e) = entry {
        return e.diagnosis(said);
    }
    let (code, title, fix) = match status {
        Some("BAD") => ("imap.bad", "The IMAP server rejected the command", "Check the IMAP host and port of the chosen cloud; if it persists, report the reply."),
        _ => ("imap.no", "The IMAP server refused", "Check the mailbox address, the folder name and the mailbox permissions, then try again."),
    };
    Diagnosis::new(
        code,
        title,
        format!("The IMAP server answered with an error. {said}"),
        fix,
    )
    .with_docs(RFC3501)
}

fn smtp(line: &str, lower: &str, said: &str) -> Diagnosis {
    let (basic, status) = smtp_codes(line);
    let entry = reply_entry::find(smtp_replies::TABLE, basic, status, lower)
        .or_else(|| reply_entry::find(ndr_codes::TABLE, basic, status, lower));
    if let Some(e) = entry {
        return e.diagnosis(said);
    }
    if let Some(d) = status.and_then(|s| ndr_codes::by_class_subject(s, said)) {
        return d;
    }
    let d = |code: &str, title: &str, meaning: &str, fix: &str| {
        Diagnosis::new(code, title, format!("{meaning} {said}"), fix).with_docs(RFC5321)
    };
    match basic {
        Some(code @ 400..=499) => d(
            &format!("smtp.{code}"),
            "The mail server deferred the message",
            "The server reported a temporary failure.",
            "Try again in a few minutes; if it persists, report the reply.",
        ),
        Some(code @ 500..=599) => d(
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
    lines(reply)
        .find(|l| is_error_reply(l))
        .or_else(|| lines(reply).next())
        .unwrap_or_default()
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.trim().trim_start_matches("S:").trim())
        .filter(|l| !l.is_empty())
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

/// The basic reply code and the enhanced status code (`535 5.7.3 …` → 535, "5.7.3"); the
/// enhanced code may stand anywhere, as NDRs quote it (`#5.7.1`, `'550 5.7.708 …'`).
fn smtp_codes(line: &str) -> (Option<u16>, Option<&str>) {
    let basic = line
        .get(..3)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse().ok())
        .filter(|_| line.len() == 3 || matches!(line.as_bytes().get(3), Some(b' ' | b'-')));
    let enhanced = line
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
        .find(|w| is_enhanced(w));
    (basic, enhanced)
}

/// `class.subject.detail` as RFC 3463 writes it: class 2, 4 or 5, then 1 to 3 digits twice.
fn is_enhanced(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3
        && matches!(parts[0], "2" | "4" | "5")
        && parts[1..]
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Where an SMTP error reply starts in a line that quotes one (`Remote server returned '550
/// 5.4.310 …'`, `#550 4.4.7 QUEUE.Expired`, `smtp;550 5.7.1 …`): a 4xx or 5xx code followed by
/// an enhanced code.
fn smtp_reply_at(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len().saturating_sub(3)).find(|&at| {
        let starts_word = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        starts_word
            && matches!(bytes[at], b'4' | b'5')
            && bytes[at + 1..at + 3].iter().all(u8::is_ascii_digit)
            && matches!(bytes[at + 3], b' ' | b'-')
            && line[at + 4..]
                .split_whitespace()
                .next()
                .is_some_and(|w| is_enhanced(w.trim_end_matches(|c: char| !c.is_ascii_digit())))
    })
}

/// The words that make a text a reply of one family, without a code: entries that apply on
/// their words alone.
fn says_any(table: &[Entry], lower: &str) -> bool {
    table.iter().any(|e| match e.when {
        When::Says(words) | When::Either(_, words) => words.iter().any(|w| lower.contains(w)),
        _ => false,
    })
}

/// For `diagnose`: the reply, when the text looks like one.
pub(crate) fn recognise(text: &str) -> Option<Diagnosis> {
    // A line that is a reply, or quotes one.
    for line in lines(text) {
        if matches!(imap_status(line), Some("NO" | "BAD" | "BYE")) {
            return Some(mail_reply(MailProtocol::Imap, line));
        }
        if let Some(at) = smtp_reply_at(line) {
            return Some(mail_reply(MailProtocol::Smtp, &line[at..]));
        }
    }
    // Without a code, the words of a known reply.
    let lower = text.to_ascii_lowercase();
    if says_any(smtp_replies::TABLE, &lower)
        || says_any(ndr_codes::TABLE, &lower)
        || lower.contains("authentication unsuccessful")
    {
        return Some(mail_reply(MailProtocol::Smtp, text));
    }
    if says_any(imap_replies::TABLE, &lower) {
        return Some(mail_reply(MailProtocol::Imap, text));
    }
    // An enhanced status code alone (`5.7.708`, `#5.7.1`).
    let code = text.trim().trim_start_matches('#');
    is_enhanced(code).then(|| mail_reply(MailProtocol::Smtp, code))
}

/// For `diagnose`: one of our own codes (`imap.auth_failed`, `smtp.5.7.705`, `smtp.5.7.x`), or
/// `smtp.` and a status code.
pub(crate) fn by_code(code: &str) -> Option<Diagnosis> {
    let imap = imap_replies::TABLE.iter().map(|e| (MailProtocol::Imap, e));
    let smtp = smtp_replies::TABLE
        .iter()
        .chain(ndr_codes::TABLE)
        .map(|e| (MailProtocol::Smtp, e));
    if let Some((protocol, e)) = imap.chain(smtp).find(|(_, e)| e.code == code) {
        return Some(mail_reply(protocol, e.example));
    }
    let status = code.strip_prefix("smtp.")?;
    // `smtp.5.7.708`: the entry that status code falls under (here `smtp.5.7.705`).
    if is_enhanced(status) {
        return Some(mail_reply(MailProtocol::Smtp, status));
    }
    // `smtp.5.7.x`: the class-and-subject reading.
    let class_subject = status.strip_suffix(".x")?;
    is_enhanced(&format!("{class_subject}.0"))
        .then(|| ndr_codes::by_class_subject(&format!("{class_subject}.x"), ""))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use MailProtocol::{Imap, Smtp};

    /// (protocol, a reply as servers send it, code, words the fix must contain). Written out
    /// rather than read from the tables, so that an entry removed fails here.
    const CASES: &[(MailProtocol, &str, &str, &str)] = &[
        // IMAP: outlook.office365.com, RFC 5530's codes, the helpdesks' words.
        (Imap, "A01 NO AUTHENTICATE failed.", "imap.auth_failed", "New-ServicePrincipal"),
        (Imap, "S: A01 NO AUTHENTICATE failed.", "imap.auth_failed", "ImapEnabled"),
        (Imap, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.", "imap.auth_failed", "IMAP.AccessAsUser.All"),
        (Imap, "A02 BAD User is authenticated but not connected.", "imap.not_connected", "Add-MailboxPermission"),
        (Imap, "CEDD6 BAD User is authenticated but not connected.", "imap.not_connected", "XOAUTH2 user name"),
        (Imap, "A1 NO [AUTHORIZATIONFAILED] Authorization failed", "imap.authorization_failed", "Full Access"),
        (Imap, "A1 NO [EXPIRED] Credentials expired.", "imap.expired", "Sign in again"),
        (Imap, "A7 NO EXPUNGE failed.", "imap.expunge_failed", "RetainDeletedItemsFor"),
        (Imap, "A7 NO [CANNOT] EXPUNGE failed", "imap.expunge_failed", "keep messages on the server"),
        (Imap, "A9 NO [OVERQUOTA] Quota exceeded", "imap.overquota", "quota"),
        (Imap, "CBDM90 NO Server Unavailable. 15", "imap.unavailable", "Try again"),
        (Imap, "A3 NO [UNAVAILABLE] Temporary failure", "imap.unavailable", "fewer connections"),
        (Imap, "A5 NO [CANNOT] Folder name not allowed", "imap.cannot", "Do not retry"),
        (Imap, "A6 NO [NOPERM] Permission denied", "imap.noperm", "Full Access"),
        (Imap, "A8 NO [LIMIT] Too many connections", "imap.limit", "Do less at once"),
        (Imap, "Retrieval using the IMAP4 protocol failed for the following message: 2", "imap.retrieval_failed", "Dynamic Delivery"),
        (Imap, "A04 BAD Command Argument Error. 11", "imap.command_error", "modified UTF-7"),
        (Imap, "A05 BAD Command Error. 10", "imap.command_error", "auth=Bearer"),
        (Imap, "A03 NO [TRYCREATE] Mailbox doesn't exist: Tickets", "imap.no", "folder name"),
        (Imap, "A04 BAD Unknown command", "imap.bad", "IMAP host"),
        (Imap, "* BYE Connection closed.", "imap.bye", "ImapEnabled"),
        // A BYE stays imap.bye (callers drop the connection), with the entry's words.
        (Imap, "* BYE Server Unavailable. 21", "imap.bye", "Try again"),
        // SMTP submission: smtp.office365.com:587.
        (Smtp, "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]", "smtp.535_5.7.3", "SMTP.Send"),
        (Smtp, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", "smtp.client_auth_disabled", "Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false"),
        (Smtp, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.", "smtp.client_auth_disabled", "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"),
        (Smtp, "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. [LO4P123CA0388.GBRP123.PROD.OUTLOOK.COM]", "smtp.security_defaults", "security defaults"),
        (Smtp, "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.", "smtp.535", "SMTP.Send"),
        (Smtp, "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.", "smtp.535", "XOAUTH2 user name"),
        (Smtp, "535 5.7.8 Error: authentication failed", "smtp.535", "SMTP.Send"),
        (Smtp, "554 5.2.252 SendAsDenied; alice@contoso.com not allowed to send as support@contoso.com", "smtp.send_as_denied", "Add-RecipientPermission"),
        (Smtp, "550 5.7.60 SMTP; Client does not have permissions to send as this sender", "smtp.send_as_denied", "Send As"),
        (Smtp, "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception", "smtp.send_as_denied", "Add-RecipientPermission"),
        (Smtp, "530 5.7.57 Client not authenticated to send mail.", "smtp.530_5.7.57", "AUTH XOAUTH2"),
        (Smtp, "550 5.7.57 Client not authenticated to send mail. Error: 550 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM", "smtp.530_5.7.57", "STARTTLS"),
        (Smtp, "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. [MAXPR0101CA0021.INDPRD01.PROD.OUTLOOK.COM]", "smtp.tls_legacy", "TLS 1.2"),
        (Smtp, "550 5.7.30 Basic authentication is not supported for Client Submission.", "smtp.basic_auth_retired", "XOAUTH2"),
        (Smtp, "Can't use Channel:Driver::SMTPAuthentificationError:Net::SMTPAuthentificationError", "smtp.zammad_auth_error", "Authenticated SMTP"),
        // NDR and SMTP status codes of Exchange Online (Microsoft's table).
        (Smtp, "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded", "smtp.4.3.2", "retries"),
        (Smtp, "450 4.4.312 DNS query failed [Message=SERVFAIL]", "smtp.4.4.312", "DNS hosting"),
        (Smtp, "450 4.4.315 Connection timed out [Message=Socket error code 10060]", "smtp.4.4.315", "smart host"),
        (Smtp, "450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=4ceps.net] [LastAttemptedIP=37.233.123.20:25]", "smtp.4.4.316", "TCP port 25"),
        (Smtp, "450 4.4.317 Cannot connect to remote server [Message=451 5.7.3 STARTTLS is required to send mail]", "smtp.4.4.317", "TLS"),
        (Smtp, "450 4.4.318 Connection was closed abruptly", "smtp.4.4.318", "firewall"),
        (Smtp, "450 4.7.320 Certificate validation failed [Message=CertificateExpired]", "smtp.4.7.320", "certificate"),
        (Smtp, "550 4.4.7 QUEUE.Expired; message expired", "smtp.4.4.7", "recipient address"),
        (Smtp, "451 4.4.8 MX hosts of fabrikam.com failed MTA-STS validation", "smtp.4.4.8", "MTA-STS policy"),
        (Smtp, "452 4.5.3 Too many recipients", "smtp.4.5.3", "fewer recipients"),
        (Smtp, "554 5.7.5 Remote certificate failed MTA-STS validation. Reason: NotValidForHost", "smtp.4.7.5", "certificate"),
        (Smtp, "450 4.7.26 Access denied, a message sent over IPv6 [2a01:111:f200:2004::240] must pass either SPF or DKIM validation, this message is not signed", "smtp.4.7.26", "DKIM"),
        (Smtp, "550 5.7.321 starttls-not-supported: Destination mail server must support TLS to receive mail.", "smtp.4.7.321", "recipient's admin"),
        (Smtp, "451 4.7.322 certificate-expired: Destination mail server's certificate is expired.", "smtp.4.7.322", "renew"),
        (Smtp, "550 5.7.323 tlsa-invalid: The domain failed DANE validation.", "smtp.4.7.323", "recipient's admin"),
        (Smtp, "451 4.7.324 dnssec-invalid: Destination domain returned invalid DNSSEC records", "smtp.4.7.324", "recipient's admin"),
        (Smtp, "451 4.7.325 certificate-host-mismatch: Remote certificate MUST have a common name or subject alternative name matching the hostname (DANE)", "smtp.4.7.325", "recipient's admin"),
        (Smtp, "451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation.", "smtp.4.7.500-699", "try again later"),
        (Smtp, "451 4.7.500 Server busy. Please try again later. (AS801)", "smtp.4.7.500-699", "try again later"),
        (Smtp, "451 4.7.852 Access denied, please try again later", "smtp.4.7.850-899", "try again later"),
        (Smtp, "550 5.0.350 Remote server returned an error -> 550 Requested action not taken: policy violation detected (AS345)", "smtp.5.0.350", "nested"),
        (Smtp, "550 5.1.0 Sender denied", "smtp.5.1.0", "recipient address"),
        (Smtp, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", "smtp.5.1.1", "recipient's address"),
        (Smtp, "550 5.1.8 Access denied, bad outbound sender AS(42004)", "smtp.5.1.8", "compromised"),
        (Smtp, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient noreply@contoso.com not found by SMTP address lookup", "smtp.5.1.10", "recipient address"),
        (Smtp, "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients", "smtp.5.1.90", "sending limits"),
        (Smtp, "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "smtp.5.2.2", "compromised"),
        (Smtp, "550 5.2.121 Recipient's per hour message receive limit from specific sender exceeded", "smtp.5.2.121", "fewer messages"),
        (Smtp, "550 5.2.122 Recipient's per hour message receive limit exceeded", "smtp.5.2.122", "fewer messages"),
        (Smtp, "550 5.3.190 Journaling on-premises messages to Microsoft 365 or Office 365 not supported when Journaling Archive is disabled", "smtp.5.3.190", "Journaling Archive"),
        (Smtp, "550 5.4.1 Relay Access Denied ATTR35", "smtp.5.4.1_relay", "MX record"),
        (Smtp, "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", "smtp.5.4.1", "recipient address"),
        (Smtp, "554 5.4.14 Hop count exceeded - possible mail loop ATTR34", "smtp.5.4.14", "forwarding"),
        (Smtp, "554 5.4.6 Hop count exceeded - possible mail loop", "smtp.5.4.14", "loop"),
        (Smtp, "550 5.4.300 Message expired", "smtp.5.4.300", "send again"),
        (Smtp, "550 5.4.310 DNS domain malxxxx.omxxx does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=malxxxx.omxxx]", "smtp.5.4.310", "spelling"),
        (Smtp, "550 5.4.312 Message expired, DNS query failed(ServerFailure)", "smtp.5.4.312", "DNS hosting"),
        (Smtp, "550 5.4.316 Message expired, connection refused(Socket error code 10061)", "smtp.5.4.316", "TCP port 25"),
        (Smtp, "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)", "smtp.5.5.0", "recipient address"),
        (Smtp, "550 5.6.11 SMTPSEND.BareLinefeedsAreIllegal; message contains bare linefeeds, which cannot be sent via DATA", "smtp.5.6.11", "CRLF"),
        (Smtp, "550 5.7.1 Unable to relay for bob@fabrikam.com", "smtp.5.7.1_relay", "smtp.office365.com:587"),
        (Smtp, "530 5.7.1 Client was not authenticated", "smtp.5.7.1_not_authenticated", "AUTH XOAUTH2"),
        (Smtp, "550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized", "smtp.5.7.1", "delivery management"),
        (Smtp, "550 5.7.12 RESOLVER.RST.SenderNotAuthenticatedForOrg; Delivery restriction: The sender was not authenticated by the organization", "smtp.5.7.12", "outside the organization"),
        (Smtp, "550 5.7.23 The message was rejected because of Sender Policy Framework violation", "smtp.5.7.23", "SPF record"),
        (Smtp, "550 5.7.64 TenantAttribution; Relay Access Denied [SG2APC01FT008.eop-APC01.prod.protection.outlook.com]", "smtp.5.7.64", "inbound connector"),
        (Smtp, "550 5.7.124 Sender not in allowed-senders list", "smtp.5.7.124", "allowed senders"),
        (Smtp, "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required; Delivery restriction: The sender was not authenticated", "smtp.5.7.133", "group's owner"),
        (Smtp, "550 5.7.134 RESOLVER.RST.SenderNotAuthenticatedForMailbox; authentication required", "smtp.5.7.134", "delivery restrictions"),
        (Smtp, "550 5.7.13 RESOLVER.RST.SenderNotAuthenticatedForPublicFolder; authentication required", "smtp.5.7.135", "public folder"),
        (Smtp, "550 5.7.136 RESOLVER.RST.SenderNotAuthenticatedForMailUser; authentication required", "smtp.5.7.136", "mail user"),
        (Smtp, "550 5.7.25 Access denied, the sending IPv6 address [2a01:111:f200:2004::240] must have a reverse DNS record", "smtp.5.7.25", "PTR"),
        (Smtp, "550 5.7.502 Access denied, banned sender", "smtp.5.7.501", "credentials"),
        (Smtp, "550 5.7.504 [bob@contoso.com]: Recipient address rejected: Access denied", "smtp.5.7.504", "recipient's email address"),
        (Smtp, "550 5.7.505 Access denied, banned recipient", "smtp.5.7.505", "Microsoft support"),
        (Smtp, "550 5.7.506 Access Denied, Bad HELO", "smtp.5.7.506", "HELO"),
        (Smtp, "550 5.7.507 Access denied, rejected by recipient", "smtp.5.7.507", "recipient"),
        (Smtp, "550 5.7.508 Access denied, [2a01:111:f200::1] has exceeded permitted limits within /64 range", "smtp.5.7.508", "more slowly"),
        (Smtp, "550 5.7.509 Access denied, sending domain [contoso.com] does not pass DMARC verification and has a DMARC policy of reject.", "smtp.5.7.509", "DMARC"),
        (Smtp, "550 5.7.510 Access denied, fabrikam.com does not accept email over IPv6", "smtp.5.7.510", "IPv4"),
        (Smtp, "550 5.7.511 Access denied, banned sender[203.0.113.7]. To request removal from this list please forward this message to delist@microsoft.com.", "smtp.5.7.511", "delist@microsoft.com"),
        (Smtp, "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant and include a valid From address", "smtp.5.7.512", "From header"),
        (Smtp, "550 5.7.513 Service unavailable, Client host [203.0.113.7] blocked by fabrikam.com using Customer Block list (AS16012607)", "smtp.5.7.513", "block list"),
        (Smtp, "550 5.7.606 Access denied, banned sending IP [203.0.113.7]. To request removal from this list please visit https://sender.office.com/", "smtp.5.7.606-649", "delist portal"),
        (Smtp, "550 5.7.703 Your message can't be delivered because messages to bob@fabrikam.com are blocked by your organization using Tenant Allow Block List.", "smtp.5.7.703", "Tenant Allow/Block"),
        (Smtp, "550 5.7.705 Access denied, tenant has exceeded threshold", "smtp.5.7.705", "open relays"),
        (Smtp, "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230)", "smtp.5.7.705", "Microsoft support"),
        (Smtp, "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653", "smtp.5.7.750", "verify every domain"),
        (Smtp, "550 5.7.800 Access denied, banned sender", "smtp.5.7.800", "Microsoft support"),
        (Smtp, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message The message can't be submitted because the sender's submission quota was exceeded.", "smtp.submission_quota", "compromised"),
        // No entry: RFC 3463's class and subject, then the basic code.
        (Smtp, "550 5.7.999 Something new", "smtp.5.7.x", "permissions"),
        (Smtp, "452 4.2.9 Mailbox busy", "smtp.4.2.x", "Try again later"),
        // Microsoft publishes nothing for these submission replies: class and subject only.
        (Smtp, "430 4.2.0 STOREDRV; mailbox logon failure", "smtp.4.2.x", "quota"),
        (Smtp, "451 4.7.0 Temporary server error. Please try again later. PRX4 [AM0PR10CA0011.EURPRD10.PROD.OUTLOOK.COM]", "smtp.4.7.x", "Try again later"),
        (Smtp, "451 5.7.3 STARTTLS is required to send mail", "smtp.5.7.x", "sign-in"),
        (Smtp, "550 Mailbox not found", "smtp.550", "recipient"),
        (Smtp, "451 Temporary local problem", "smtp.451", "Try again"),
        (Smtp, "hello", "smtp.reply", "smtp.office365.com"),
    ];

    #[test]
    fn each_reply_has_its_entry() {
        for (protocol, reply, code, action) in CASES {
            let d = mail_reply(*protocol, reply);
            assert_eq!(d.code, *code, "{reply}");
            assert!(d.fix.contains(action), "{reply}: {}", d.fix);
            assert!(d.detail.contains("The server replied:"), "{}", d.detail);
        }
    }

    /// Every entry is in `CASES`, names its source, and its example reply maps back to it.
    #[test]
    fn every_entry_is_tested_and_cites_its_source() {
        let tables = [
            (Imap, imap_replies::TABLE),
            (Smtp, smtp_replies::TABLE),
            (Smtp, ndr_codes::TABLE),
        ];
        for (protocol, table) in tables {
            for e in table {
                assert!(
                    CASES.iter().any(|(_, _, code, _)| *code == e.code),
                    "no test reply for {}",
                    e.code
                );
                assert!(e.docs.starts_with("https://"), "{}", e.code);
                let d = mail_reply(protocol, e.example);
                assert_eq!(d.code, e.code, "{}", e.example);
                assert_eq!(d.docs_url.as_deref(), Some(e.docs), "{}", e.code);
                let by_code = by_code(e.code).unwrap_or_else(|| panic!("{}", e.code));
                assert_eq!(by_code.code, e.code);
            }
        }
        assert!(by_code("imap.nothing").is_none());
        assert!(by_code("smtp.9.9.x").is_none());
    }

    #[test]
    fn unknown_codes_are_read_by_class_and_subject() {
        // RFC 3463: class 2, 4, 5; subjects 0 to 7.
        let cases = [
            ("550 5.0.99 x", "smtp.5.0.x", "other or undefined status"),
            ("550 5.1.99 x", "smtp.5.1.x", "addressing"),
            ("550 5.2.99 x", "smtp.5.2.x", "mailbox"),
            ("550 5.3.99 x", "smtp.5.3.x", "mail system"),
            ("550 5.4.99 x", "smtp.5.4.x", "network and routing"),
            ("550 5.5.99 x", "smtp.5.5.x", "mail delivery protocol"),
            ("550 5.6.99 x", "smtp.5.6.x", "message content or media"),
            ("550 5.7.99 x", "smtp.5.7.x", "security or policy"),
            ("451 4.7.99 x", "smtp.4.7.x", "a temporary failure"),
            ("250 2.6.99 x", "smtp.2.6.x", "success"),
        ];
        for (reply, code, words) in cases {
            let d = mail_reply(Smtp, reply);
            assert_eq!(d.code, code, "{reply}");
            assert!(d.title.contains(words), "{reply}: {}", d.title);
            assert!(d.detail.contains("RFC 3463"), "{}", d.detail);
            assert_eq!(
                d.docs_url.as_deref(),
                Some("https://www.rfc-editor.org/rfc/rfc3463")
            );
        }
        let d = mail_reply(Smtp, "550 5.7.999 x");
        assert_eq!(d.title, "5.7.x: a permanent failure, security or policy");
        let d = by_code("smtp.4.4.x").unwrap();
        assert_eq!(d.code, "smtp.4.4.x");
        assert!(d.fix.starts_with("Try again later;"), "{}", d.fix);
        // Subject 8 and class 3 are no enhanced codes.
        assert_eq!(mail_reply(Smtp, "550 5.8.1 x").code, "smtp.550");
        assert_eq!(mail_reply(Smtp, "550 3.1.1 x").code, "smtp.550");
    }

    #[test]
    fn transcripts_and_bounces_are_read_at_their_error_line() {
        // shared/reference/microsoft/smtp_xoauth2_transcripts_exo_doc.txt, the failure exchange.
        let transcript = "C: auth xoauth2\nS: 334\nC: dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlY\nS: 535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]";
        let d = mail_reply(Smtp, transcript);
        assert_eq!(d.code, "smtp.535_5.7.3");
        assert!(!d.detail.contains("dXNlcj1"), "{}", d.detail);
        let code = |text: &str| recognise(text).map(|d| d.code);
        assert_eq!(code(transcript).as_deref(), Some("smtp.535_5.7.3"));
        let imap =
            "S: * CAPABILITY … AUTH=XOAUTH2\nS: C01 OK Completed\nS: A01 NO AUTHENTICATE failed.";
        assert_eq!(code(imap).as_deref(), Some("imap.auth_failed"));
        // An NDR's diagnostic section quotes the reply inside a sentence.
        let ndr = "Diagnostic information for administrators:\nGenerating server: PUZPR04MB6160.apcprd04.prod.outlook.com\ntest@malxxxx.omxxx\nRemote server returned '550 5.4.310 DNS domain malxxxx.omxxx does not exist [Message=InfoDomainNonexistent]'\nOriginal message headers:";
        assert_eq!(code(ndr).as_deref(), Some("smtp.5.4.310"));
        let old = "Generating server: MUS-EX-020.corp.pdo.om\nrsme@indeff.com\n#550 4.4.7 QUEUE.Expired; message expired ##";
        assert_eq!(code(old).as_deref(), Some("smtp.4.4.7"));
        let dsn = "mail.contoso.com #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#";
        assert_eq!(code(dsn).as_deref(), Some("smtp.5.7.1_not_authenticated"));
        // A status code alone, and the words of a reply alone.
        assert_eq!(code("5.7.708").as_deref(), Some("smtp.5.7.705"));
        assert_eq!(code(" #5.1.10 ").as_deref(), Some("smtp.5.1.10"));
        assert_eq!(code("5.7.999").as_deref(), Some("smtp.5.7.x"));
        assert_eq!(
            code("EXPUNGE failed").as_deref(),
            Some("imap.expunge_failed")
        );
        assert_eq!(
            code("BAD User is authenticated but not connected.").as_deref(),
            Some("imap.not_connected")
        );
        assert!(recognise("all good here").is_none());
        assert!(recognise("A1 OK done").is_none());
        assert!(recognise("404 Not Found").is_none());
        assert!(recognise("version 1.2.3 at 10.5.1.1").is_none());
        assert!(recognise("1234 5.7.1").is_none());
    }

    #[test]
    fn smtp_codes_parse_strictly() {
        assert_eq!(smtp_codes("535 5.7.3 x"), (Some(535), Some("5.7.3")));
        assert_eq!(smtp_codes("250-SIZE"), (Some(250), None));
        assert_eq!(smtp_codes("5350 x"), (None, None));
        assert_eq!(smtp_codes("ä"), (None, None));
        assert_eq!(smtp_codes("x #5.7.1> y"), (None, Some("5.7.1")));
        assert_eq!(smtp_codes("at 10.5.1.1"), (None, None));
        assert_eq!(smtp_codes("5.1234.1"), (None, None));
        assert_eq!(smtp_reply_at("returned '550 5.4.310 x'"), Some(10));
        assert_eq!(smtp_reply_at("x1550 5.4.310"), None);
        assert_eq!(smtp_reply_at("ä550 5.1.1"), Some(2));
        assert_eq!(smtp_reply_at("550"), None);
    }
}
