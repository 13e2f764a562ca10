//! Whether the signed-in person can open the mailbox over Graph: their own, or a shared one as a
//! delegate (Full Access). Send As cannot be read through Graph without sending; it is left to
//! the send test, whose refusal [`send_as_denied`] explains.

use crate::cloud::graph_get::graph_get;
use crate::identity::audience::{AccessToken, GraphAudience};
use crate::{catalog::Diagnosis, cloud::Cloud, identity::jwt_claims};
use serde::Serialize;
use ts_rs::TS;

/// What is known about Send As after the access check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum SendAsStatus {
    /// The mailbox is the person's own: sending from it needs no delegation.
    Own,
    /// Graph has no read-only way to tell (Send As is an Exchange recipient permission); the
    /// send test finds out.
    LeftToSendTest { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MailboxAccess {
    pub mailbox: String,
    /// Who signed in (the owner, or the delegate of a shared mailbox).
    pub signed_in_as: String,
    pub shared: bool,
    /// Graph opened the mailbox's Inbox with this person's token.
    pub inbox_readable: bool,
    pub send_as: SendAsStatus,
}

const SHARED_READ: [&str; 2] = ["Mail.Read.Shared", "Mail.ReadWrite.Shared"];

fn path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The diagnosis of a delegate without Full Access on `shared`.
pub fn no_full_access(delegate: &str, shared: &str) -> Diagnosis {
    Diagnosis::new(
        "mailbox.no_full_access",
        format!("No Full Access for {delegate} on {shared}"),
        format!("Microsoft 365 refused {delegate} access to the Inbox of {shared}: a delegate needs Full Access to a shared mailbox."),
        format!("In Exchange Online PowerShell: `Add-MailboxPermission -Identity {shared} -User {delegate} -AccessRights FullAccess -AutoMapping $false` (or Exchange admin center > Mailboxes > {shared} > Delegation > Read and manage). It can take up to an hour to apply; then check again."),
    )
}

/// The diagnosis of a send refused because `delegate` may not send as `shared`.
pub fn send_as_denied(delegate: &str, shared: &str) -> Diagnosis {
    Diagnosis::new(
        "mailbox.no_send_as",
        format!("No Send As for {delegate} on {shared}"),
        format!("Microsoft 365 refused to send as {shared} for {delegate}: a delegate needs the Send As permission on a shared mailbox."),
        format!("In Exchange Online PowerShell: `Add-RecipientPermission -Identity {shared} -Trustee {delegate} -AccessRights SendAs` (or Exchange admin center > Mailboxes > {shared} > Delegation > Send as). It can take up to an hour to apply; then run the send test again."),
    )
}

/// Reads the Inbox of `mailbox` with `token` (a Graph-audience token of `signed_in_as`):
/// `/me/mailFolders/inbox` for the person's own mailbox, `/users/{mailbox}/mailFolders/inbox`
/// for a shared one.
pub async fn verify_mailbox_access(
    cloud: &Cloud,
    token: &AccessToken<GraphAudience>,
    mailbox: &str,
    signed_in_as: &str,
) -> Result<MailboxAccess, Diagnosis> {
    let shared = !mailbox.trim().eq_ignore_ascii_case(signed_in_as.trim());
    if shared {
        if let Some(granted) = jwt_claims::granted(token.secret()) {
            let has_shared = granted
                .iter()
                .any(|g| SHARED_READ.iter().any(|s| g.eq_ignore_ascii_case(s)));
            if !has_shared {
                return Err(Diagnosis::new(
                    "mailbox.no_shared_scope",
                    "The sign-in lacks the shared-mailbox permission",
                    format!("The token grants {}, but reading {mailbox} as a delegate needs Mail.ReadWrite.Shared (or Mail.Read.Shared).", granted.join(", ")),
                    "Add the delegated permissions Mail.ReadWrite.Shared and Mail.Send.Shared under API permissions, grant admin consent, and sign in again.",
                ));
            }
        }
    }
    let path = if shared {
        format!("/users/{}/mailFolders/inbox", path_segment(mailbox.trim()))
    } else {
        "/me/mailFolders/inbox".to_owned()
    };
    match graph_get(cloud, token.secret(), &path).await {
        Ok(_) => Ok(MailboxAccess {
            mailbox: mailbox.trim().to_owned(),
            signed_in_as: signed_in_as.to_owned(),
            shared,
            inbox_readable: true,
            send_as: if shared {
                SendAsStatus::LeftToSendTest {
                    reason: "Microsoft Graph cannot show Send As permissions without sending; the send test checks it.".into(),
                }
            } else {
                SendAsStatus::Own
            },
        }),
        Err(d) if shared && d.code == "graph.ErrorAccessDenied" => {
            Err(no_full_access(signed_in_as, mailbox.trim()))
        }
        Err(d) => Err(d),
    }
}

/// A send refusal, with a missing Send As on a shared mailbox (Graph's `ErrorSendAsDenied`, SMTP's
/// `SendAsDenied`) named for both people; the server's own words follow.
pub fn explain_send_refusal(d: Diagnosis, delegate: &str, shared: &str) -> Diagnosis {
    if matches!(
        d.code.as_str(),
        "graph.ErrorSendAsDenied" | "smtp.send_as_denied"
    ) {
        let mut named = send_as_denied(delegate, shared);
        named.detail = format!("{} {}", named.detail, d.detail);
        named
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_both_people_and_the_exact_command() {
        let d = no_full_access("bob@contoso.test", "support@contoso.test");
        assert_eq!(
            d.title,
            "No Full Access for bob@contoso.test on support@contoso.test"
        );
        assert!(d.fix.contains("Add-MailboxPermission -Identity support@contoso.test -User bob@contoso.test -AccessRights FullAccess"));
        let graph = Diagnosis::new("graph.ErrorSendAsDenied", "t", "d", "f");
        let d = explain_send_refusal(graph, "bob@contoso.test", "support@contoso.test");
        assert_eq!(d.code, "mailbox.no_send_as");
        assert!(d.fix.contains("Add-RecipientPermission -Identity support@contoso.test -Trustee bob@contoso.test -AccessRights SendAs"));
        let smtp = crate::catalog::mail_reply(
            crate::catalog::MailProtocol::Smtp,
            "554 5.2.252 SendAsDenied; bob@contoso.test not allowed to send as support@contoso.test",
        );
        let d = explain_send_refusal(smtp, "bob@contoso.test", "support@contoso.test");
        assert_eq!(d.code, "mailbox.no_send_as");
        assert!(
            d.detail.contains("554 5.2.252 SendAsDenied"),
            "{}",
            d.detail
        );
        let other = Diagnosis::new("graph.TooManyRequests", "t", "d", "f");
        assert_eq!(
            explain_send_refusal(other, "a", "b").code,
            "graph.TooManyRequests"
        );
    }
}
