//! outlook.office365.com's IMAP refusals after XOAUTH2, the response codes of RFC 5530 that
//! IMAP servers put in brackets (`NO [OVERQUOTA] …`), and the helpdesks' own words for them.
//! Exchange numbers some replies (`Command Error. 10`, `Server Unavailable. 15`) without
//! publishing what the numbers mean, so an entry says what the words and the RFCs say.

use super::reply_entry::{Entry, When};
use super::smtp_replies::OAUTH_DOC;

const RFC5530: &str = "https://www.rfc-editor.org/rfc/rfc5530";

/// In order: Exchange's own sentences first, then the bracketed codes, then the helpdesks'.
pub(crate) const TABLE: &[Entry] = &[
    Entry {
        code: "imap.not_connected",
        when: When::Says(&["authenticated but not connected"]),
        title: "Signed in, but this identity has no access to the mailbox",
        cause: "The token was accepted, but the identity it names may not open this mailbox: an app-only service principal without mailbox permission, or a user opening a shared mailbox without Full Access.",
        fix: "Give the signing-in user Full Access to the shared mailbox (`Add-MailboxPermission -Identity <shared mailbox> -User <user> -AccessRights FullAccess`) and put the shared mailbox's address in the XOAUTH2 user name. For app-only access, register the app's service principal in Exchange Online (`New-ServicePrincipal -AppId <client ID> -ObjectId <enterprise app object ID>`) and grant it the mailbox (`Add-MailboxPermission -Identity <mailbox> -User <service principal ID> -AccessRights FullAccess`).",
        docs: OAUTH_DOC,
        example: "A02 BAD User is authenticated but not connected.",
    },
    Entry {
        code: "imap.auth_failed",
        when: When::Says(&["authenticate failed", "[authenticationfailed]"]),
        title: "IMAP sign-in was refused",
        cause: "Exchange refused the XOAUTH2 login (as in Microsoft's failure transcript). Causes: the access token is for the wrong resource or scope (IMAP and SMTP need a token for https://outlook.office.com with IMAP.AccessAsUser.All or SMTP.Send, or https://outlook.office365.com/.default app-only — a Graph token is refused), the user name in the XOAUTH2 string is not the mailbox, or the token has expired; IMAP is disabled for the mailbox; or, app-only, the service principal is not registered in Exchange.",
        fix: "Sign in again so the wizard gets an Outlook token with IMAP.AccessAsUser.All; enable IMAP for the mailbox (`Set-CASMailbox -Identity <mailbox> -ImapEnabled $true`). For app-only access, register the app's service principal in Exchange Online (`New-ServicePrincipal -AppId <client ID> -ObjectId <enterprise app object ID>`) and grant it the mailbox (`Add-MailboxPermission -Identity <mailbox> -User <service principal ID> -AccessRights FullAccess`).",
        docs: OAUTH_DOC,
        example: "A01 NO AUTHENTICATE failed.",
    },
    Entry {
        code: "imap.authorization_failed",
        when: When::Says(&["[authorizationfailed]"]),
        title: "Signed in, but not allowed to act as this mailbox",
        cause: "AUTHORIZATIONFAILED (RFC 5530): the sign-in itself succeeded, but the server will not let that identity act as the requested one. With XOAUTH2 the requested identity is the user name in the XOAUTH2 string: a shared mailbox the signed-in user has no Full Access to, or a mailbox the app's service principal was not granted.",
        fix: "Give the signing-in user Full Access to the mailbox named in the XOAUTH2 user name (`Add-MailboxPermission -Identity <mailbox> -User <user> -AccessRights FullAccess`), or sign in as the mailbox itself; for app-only access grant the service principal the mailbox.",
        docs: RFC5530,
        example: "A01 NO [AUTHORIZATIONFAILED] Authorization failed",
    },
    Entry {
        code: "imap.expired",
        when: When::Says(&["[expired]"]),
        title: "The sign-in has expired",
        cause: "EXPIRED (RFC 5530): access is no longer permitted with this credential; for XOAUTH2, the access token has expired.",
        fix: "Sign in again (or let the wizard renew the token from the refresh token) and retry; if it repeats at once, check the computer's clock.",
        docs: RFC5530,
        example: "A01 NO [EXPIRED] Token expired",
    },
    Entry {
        code: "imap.expunge_failed",
        when: When::Says(&["expunge failed"]),
        title: "Exchange could not delete the fetched messages",
        cause: "EXPUNGE failed: the helpdesk deleted the messages it imported, and Exchange refused to remove them. Zammad's tracker names this for Microsoft 365 mailboxes; the usual causes are a mailbox (or its Recoverable Items folder) over its quota, or a retention or litigation hold that keeps deleted items.",
        fix: "Check the mailbox's quota and holds (`Get-Mailbox <mailbox> | Format-List LitigationHoldEnabled,InPlaceHolds,RetainDeletedItemsFor` and `Get-MailboxFolderStatistics <mailbox> -FolderScope RecoverableItems`); shorten the deleted item retention (`Set-Mailbox <mailbox> -RetainDeletedItemsFor 14`) or free space; or set the channel to keep messages on the server (mark them read) instead of deleting them.",
        docs: "https://learn.microsoft.com/exchange/recipients-in-exchange-online/manage-user-mailboxes/change-deleted-item-retention",
        example: "A7 NO EXPUNGE failed.",
    },
    Entry {
        code: "imap.overquota",
        when: When::Says(&["[overquota]"]),
        title: "The mailbox is over its quota",
        cause: "OVERQUOTA (RFC 5530): the mailbox would be over its quota after the operation.",
        fix: "Free space in the mailbox (empty Deleted Items, archive old mail) or raise its quota; a mailbox on hold keeps deleted items in Recoverable Items, which counts against that folder's own quota.",
        docs: RFC5530,
        example: "A9 NO [OVERQUOTA] Mailbox is full",
    },
    Entry {
        code: "imap.unavailable",
        when: When::Says(&["[unavailable]", "server unavailable."]),
        title: "The mailbox's server is unavailable for now",
        cause: "UNAVAILABLE (RFC 5530): a temporary failure because a part of the server is down. Exchange Online's `Server Unavailable. N` says the same in words; Microsoft documents neither the reason nor the number.",
        fix: "Try again in a few minutes, with fewer connections to the mailbox at once. If it lasts for hours, check Exchange Online in the Microsoft 365 admin center's Service health.",
        docs: RFC5530,
        example: "CBDM90 NO Server Unavailable. 15",
    },
    Entry {
        code: "imap.cannot",
        when: When::Says(&["[cannot]"]),
        title: "The server can never do this",
        cause: "CANNOT (RFC 5530): the operation violates a rule of the server and can never succeed (for example, a folder name it does not allow, or deleting a folder it protects).",
        fix: "Do not retry the same operation: choose another folder name or folder, or change the operation.",
        docs: RFC5530,
        example: "A5 NO [CANNOT] Cannot delete this folder",
    },
    Entry {
        code: "imap.noperm",
        when: When::Says(&["[noperm]"]),
        title: "No permission for this folder",
        cause: "NOPERM (RFC 5530): the server's access control does not allow this user the operation on this folder.",
        fix: "Grant the signing-in user the folder's permission or Full Access to the mailbox (`Add-MailboxPermission -Identity <mailbox> -User <user> -AccessRights FullAccess`), or pick another folder.",
        docs: RFC5530,
        example: "A6 NO [NOPERM] Access denied",
    },
    Entry {
        code: "imap.limit",
        when: When::Says(&["[limit]"]),
        title: "A server limit was reached",
        cause: "LIMIT (RFC 5530): the operation ran into a limit of the server (such as the number of flags, folders or connections).",
        fix: "Do less at once (fewer messages per command, fewer simultaneous connections), then try again.",
        docs: RFC5530,
        example: "A8 NO [LIMIT] Too many connections",
    },
    Entry {
        code: "imap.retrieval_failed",
        when: When::Says(&["retrieval using the imap4 protocol failed"]),
        title: "Exchange could not hand out the message yet",
        cause: "Instead of the message, Exchange returned a notice that retrieval over IMAP4 failed. Zammad's docs: Microsoft Defender for Office 365 causes this when the message is fetched while its attachment is still being scanned (Safe Attachments with Dynamic Delivery).",
        fix: "Change the Safe Attachments policy's unknown malware response from Dynamic Delivery to another action (for example Block) in the Microsoft Defender portal, then fetch the message again.",
        docs: "https://learn.microsoft.com/defender-office-365/safe-attachments-about#safe-attachments-policy-settings",
        example: "Subject: Retrieval using the IMAP4 protocol failed for the following message: 2",
    },
    Entry {
        code: "imap.command_error",
        when: When::Says(&["command error.", "command argument error."]),
        title: "Exchange did not accept the command",
        cause: "A BAD reply is a protocol-level error in the client's command (RFC 3501 §7.1.3): Exchange did not understand the command or its arguments. It numbers these replies without publishing what the numbers mean.",
        fix: "Check the command the reply answers. For AUTHENTICATE, send base64(\"user=\" + mailbox + ^A + \"auth=Bearer \" + token + ^A^A) as Microsoft's page shows; for folder commands, quote the folder name and encode it in modified UTF-7. Report the command and reply if it persists.",
        docs: OAUTH_DOC,
        example: "A04 BAD Command Argument Error. 11",
    },
];
