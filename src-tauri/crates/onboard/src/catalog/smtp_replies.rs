//! smtp.office365.com's replies to a client submitting mail (SMTP AUTH with XOAUTH2 on port
//! 587): sign-in, SMTP AUTH settings, Send As, TLS versions. Their causes live in Exchange
//! settings, mailbox permissions and the token's audience, not in the message.

use super::reply_entry::{Entry, When};

/// Microsoft's page on OAuth for IMAP, POP and SMTP: the XOAUTH2 string, the scopes, the
/// service principal commands, and the failure transcripts.
pub(crate) const OAUTH_DOC: &str = "https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth";
const SMTP_AUTH_DOC: &str = "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission";
const AUTH_FIX: &str = "Sign in again so the wizard gets an Outlook token with SMTP.Send, and check that the XOAUTH2 user name is the mailbox the token belongs to (or one it has Send As on); make sure SMTP AUTH is enabled for the mailbox (`Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false`). For app-only access, register the app's service principal in Exchange Online (`New-ServicePrincipal -AppId <client ID> -ObjectId <enterprise app object ID>`) and grant it the mailbox (`Add-MailboxPermission -Identity <mailbox> -User <service principal ID> -AccessRights FullAccess`).";
const SMTP_AUTH_ON: &str = "Enable it for the mailbox: `Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false` (Exchange Online PowerShell), or Microsoft 365 admin center > Users > the user > Mail > Manage email apps > Authenticated SMTP. Tenant-wide: `Set-TransportConfig -SmtpClientAuthenticationDisabled $false`. Security defaults also block it. Changes take up to an hour.";

/// In order: a reply that names its cause wins over its bare code (5.7.139 alone also covers
/// wrong credentials and Conditional Access).
pub(crate) const TABLE: &[Entry] = &[
    Entry {
        code: "smtp.client_auth_disabled",
        when: When::Says(&["smtpclientauthentication is disabled"]),
        title: "SMTP AUTH is turned off",
        cause: "Exchange Online has authenticated SMTP (SMTP AUTH) disabled for this mailbox or for the whole tenant, so even a valid OAuth token is refused.",
        fix: SMTP_AUTH_ON,
        docs: SMTP_AUTH_DOC,
        example: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
    },
    Entry {
        code: "smtp.security_defaults",
        when: When::Says(&["security defaults"]),
        title: "Security defaults block SMTP AUTH",
        cause: "The tenant has Microsoft Entra security defaults turned on, which block SMTP AUTH sign-ins for the user: Exchange Online turns SMTP AUTH off while security defaults are on.",
        fix: "Sign in with OAuth (XOAUTH2, as this wizard does) rather than a password; if the server still signs in with a password, or SMTP AUTH must work under security defaults, turn security defaults off and use Conditional Access policies instead (Entra admin center > Overview > Properties > Manage security defaults), then enable SMTP AUTH for the mailbox (`Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false`).",
        docs: SMTP_AUTH_DOC,
        example: "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.",
    },
    Entry {
        code: "smtp.send_as_denied",
        when: When::Either(&["5.2.252", "5.7.60"], &["sendasdenied"]),
        title: "Sending as this address is denied",
        cause: "The signed-in identity may not send as the From address (a shared mailbox or another user).",
        fix: "Grant Send As: `Add-RecipientPermission -Identity <mailbox> -Trustee <user> -AccessRights SendAs` (Exchange Online PowerShell), or Exchange admin center > Mailboxes > Delegation > Send as; or send from the signed-in user's own address. It takes effect within an hour.",
        docs: "https://learn.microsoft.com/exchange/recipients-in-exchange-online/manage-permissions-for-recipients",
        example: "554 5.2.252 SendAsDenied; support@contoso.com not allowed to send as alice@contoso.com",
    },
    Entry {
        code: "smtp.tls_legacy",
        when: When::Either(&["4.7.66"], &["tls 1.0 and 1.1 are not supported"]),
        title: "The client's TLS version is too old",
        cause: "Exchange Online no longer accepts TLS 1.0 or 1.1 on smtp.office365.com: the sending program negotiated an old TLS version.",
        fix: "Update the sending program (or its OpenSSL, Ruby, PHP or Java runtime) to use TLS 1.2. Only a device that cannot be updated may use the opt-in endpoint smtp-legacy.office365.com, after `Set-TransportConfig -AllowLegacyTLSClients $true` (not available in GCC, GCC High or DoD).",
        docs: "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/opt-in-exchange-online-endpoint-for-legacy-tls-using-smtp-auth",
        example: "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. [BN9PR03CA0117.namprd03.prod.outlook.com]",
    },
    Entry {
        code: "smtp.basic_auth_retired",
        when: When::Either(&["5.7.30"], &["basic authentication is not supported for client submission"]),
        title: "Password sign-in to SMTP is retired",
        cause: "Exchange Online no longer accepts Basic authentication (a user name and password) for client submission on smtp.office365.com.",
        fix: "Send with OAuth: SMTP AUTH with XOAUTH2 and an Outlook token with SMTP.Send, as this wizard sets up (or Microsoft Graph sendMail).",
        docs: "https://techcommunity.microsoft.com/blog/exchange/exchange-online-to-retire-basic-auth-for-client-submission-smtp-auth/4114750",
        example: "550 5.7.30 Basic authentication is not supported for Client Submission.",
    },
    Entry {
        code: "smtp.535_5.7.3",
        // Exchange's sign-in refusal; other servers use 5.7.3 for other security refusals.
        when: When::StatusSays(&["5.7.3"], &["authentication unsuccessful"]),
        title: "SMTP sign-in was refused",
        cause: "Exchange refused the XOAUTH2 login (as in Microsoft's failure transcript). Causes: the access token is for the wrong resource or scope (IMAP and SMTP need a token for https://outlook.office.com with IMAP.AccessAsUser.All or SMTP.Send, or https://outlook.office365.com/.default app-only — a Graph token is refused), the user name in the XOAUTH2 string is not the mailbox (Zammad's docs: use the account's user name where it differs from its primary address), or the token has expired; or, app-only, the service principal is not registered in Exchange or has no permission on the mailbox.",
        fix: AUTH_FIX,
        docs: OAUTH_DOC,
        example: "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]",
    },
    Entry {
        code: "smtp.530_5.7.57",
        when: When::Status(&["5.7.57"]),
        title: "Not signed in before sending",
        cause: "Client not authenticated to send mail: the message was sent to smtp.office365.com before a successful AUTH, so Exchange refuses it as anonymous mail during MAIL FROM.",
        fix: "Authenticate with AUTH XOAUTH2 after STARTTLS on port 587 before MAIL FROM; check the SMTP host and TLS mode, and that the program really sends its credentials.",
        docs: "https://learn.microsoft.com/exchange/troubleshoot/email-delivery/ndr/fix-error-code-5-7-57-in-exchange-online",
        example: "530 5.7.57 Client not authenticated to send mail. [AM0PR02CA0095.eurprd02.prod.outlook.com]",
    },
    Entry {
        code: "smtp.535",
        when: When::Basic(535),
        title: "SMTP sign-in was refused",
        cause: "The server refused the login. Causes: the access token is for the wrong resource or scope (IMAP and SMTP need a token for https://outlook.office.com with IMAP.AccessAsUser.All or SMTP.Send, or https://outlook.office365.com/.default app-only — a Graph token is refused), the user name in the XOAUTH2 string is not the mailbox, or the token has expired.",
        fix: AUTH_FIX,
        docs: OAUTH_DOC,
        example: "535 5.7.8 Error: authentication failed",
    },
    Entry {
        code: "smtp.zammad_auth_error",
        when: When::Says(&["smtpauthentificationerror", "smtpauthenticationerror"]),
        title: "The helpdesk could not sign in to SMTP",
        cause: "Zammad reports that Exchange refused its SMTP sign-in; its troubleshooting list names the usual cause: the mailbox's user lacks the Authenticated SMTP permission (for a shared mailbox, SmtpClientAuthenticationDisabled is set).",
        fix: SMTP_AUTH_ON,
        docs: "https://admin-docs.zammad.org/en/latest/channels/microsoft365/common-errors.html",
        example: "Can't use Channel:Driver::SMTPAuthentificationError:Net::SMTPAuthentificationError",
    },
];
