//! Microsoft Graph failures: `{"error": {"code", "message", "innerError": {..}}}`.

use super::quote::quote;
use super::token::slug;
use crate::catalog::Diagnosis;
use serde_json::Value;

/// Graph error codes with an entry of their own (the codes `diagnose` recognises by name).
pub(crate) const CODES: [&str; 10] = [
    "ErrorAccessDenied",
    "MailboxNotEnabledForRESTAPI",
    "ErrorInvalidUser",
    "ErrorItemNotFound",
    "ErrorSendAsDenied",
    "TooManyRequests",
    "Authorization_RequestDenied",
    "InvalidAuthenticationToken",
    "Request_ResourceNotFound",
    "ServiceNotAvailable",
];

/// Explains a failed Graph response.
pub fn graph_error(status: u16, body: &str) -> Diagnosis {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let error = &v["error"];
    match error["code"].as_str() {
        Some(code) => by_code(status, code, error["message"].as_str().unwrap_or_default()),
        None if status == 429 => by_code(status, "TooManyRequests", ""),
        None => {
            let quoted = quote(body);
            let detail = if quoted.is_empty() {
                format!("Microsoft Graph answered HTTP {status} with an empty body.")
            } else {
                format!("Microsoft Graph answered HTTP {status}: “{quoted}”")
            };
            let fix = if status >= 500 {
                SERVER_FIX
            } else {
                "Check the Graph URL of the chosen cloud and any proxy between this machine and Microsoft, then try again."
            };
            Diagnosis::new(
                &format!("graph.http_{status}"),
                "Microsoft Graph gave an unexpected answer",
                detail,
                fix,
            )
        }
    }
}

const SERVER_FIX: &str =
    "Try again in a minute; if it persists check https://status.cloud.microsoft.";
const PERMISSION_FIX: &str = "Check that the app has the Mail permission for this operation under API permissions (delegated for a signed-in user, application for app-only) and that admin consent is granted (the Admin consent step). For a shared mailbox the signed-in user needs Full Access (`Add-MailboxPermission -Identity <shared mailbox> -User <user> -AccessRights FullAccess`) and the app the .Shared permissions (Mail.ReadWrite.Shared, Mail.Send.Shared).";

/// Explains Graph error `code` with the server's `message` (status 0 when unknown).
pub(crate) fn by_code(status: u16, code: &str, message: &str) -> Diagnosis {
    // Exchange's application access policy says so only in the message.
    let app_policy = message.contains("Access to OData is disabled")
        || message.contains("AccessPolicy")
        || message.contains("[RAOP]");
    entry(status, code, message, app_policy)
}

/// `by_code`, with the access-policy variant of `ErrorAccessDenied` chosen by the caller.
pub(crate) fn entry(status: u16, code: &str, message: &str, app_policy: bool) -> Diagnosis {
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(" Graph says: “{}”", quote(message))
    };
    let make = |suffix: &str, title: &str, meaning: &str, fix: &str| {
        Diagnosis::new(
            &format!("graph.{code}{suffix}"),
            title,
            format!("{meaning}{said}"),
            fix,
        )
    };
    match code {
        "ErrorAccessDenied" if app_policy => make(
            ".app_access_policy",
            "An Exchange application access policy blocks this mailbox",
            "Exchange Online restricts this app to certain mailboxes (an application access policy, or RBAC for Applications), and this mailbox is not among them.",
            "In Exchange Online PowerShell, add the mailbox to the group the policy names, or change the policy (`Get-ApplicationAccessPolicy`, `Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <client ID>`); changes take up to an hour.",
        ),
        "ErrorAccessDenied" => make(
            "",
            "Access to the mailbox is denied",
            "The token lacks the permission for this mailbox operation, or the signed-in user has no access to this mailbox.",
            PERMISSION_FIX,
        ),
        "MailboxNotEnabledForRESTAPI" | "MailboxNotSupportedForRESTAPI" => make(
            "",
            "The mailbox cannot be reached through Graph",
            "The mailbox is not an Exchange Online mailbox Graph can serve: the user has no Exchange Online licence, the mailbox is on-premises (hybrid), inactive or still being provisioned.",
            "Assign a licence with Exchange Online to the user (Microsoft 365 admin center > Users) and wait until the mailbox is provisioned; a shared mailbox needs no licence but must be in Exchange Online. For an on-premises mailbox use the IMAP channel against the local server, or migrate it.",
        ),
        "ErrorInvalidUser" => {
            let mut d = make(
                "",
                "The mailbox address is not known",
                "No user or mailbox with this address or ID exists in the tenant.",
                "Check the mailbox address (the primary SMTP address or user principal name) and that it belongs to this tenant.",
            );
            d.field = Some("Mailbox".to_owned());
            d
        }
        "ErrorItemNotFound" => make(
            "",
            "The folder or message is not found",
            "The folder or message was moved or deleted, or its ID belongs to another mailbox.",
            "Reload the folder list and pick the folder again; a message may have been moved or deleted meanwhile.",
        ),
        "ErrorSendAsDenied" => make(
            "",
            "Sending as this address is denied",
            "The signed-in user may not send as the mailbox in the From address.",
            "Grant Send As on the mailbox: `Add-RecipientPermission -Identity <mailbox> -Trustee <user> -AccessRights SendAs` (Exchange Online PowerShell), or Exchange admin center > Mailboxes > Delegation; it takes effect within an hour.",
        ),
        "TooManyRequests" | "ApplicationThrottled" | "ErrorTooManyObjectsOpened" => make(
            "",
            "Microsoft Graph is throttling requests",
            "Too many requests were sent to this mailbox or tenant in a short time (HTTP 429).",
            "Wait the number of seconds in the Retry-After header before retrying (the wizard does so); avoid running several tools against the same mailbox at once.",
        ),
        "Authorization_RequestDenied" => make(
            "",
            "Insufficient privileges in the directory",
            "The signed-in account or app may not read or change this directory object (app registrations, service principals, consent).",
            "Sign in as a Global, Application or Cloud Application Administrator, or have one grant admin consent for the directory permissions the wizard asks for (Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All).",
        ),
        "InvalidAuthenticationToken" => make(
            "",
            "The access token is not accepted by Graph",
            "The token is expired, malformed, or issued for another resource (an Outlook token for IMAP/SMTP is not valid for Graph).",
            "Sign in again; the wizard requests a separate token for https://graph.microsoft.com. If you pasted a token, request it with Graph scopes.",
        ),
        "Request_ResourceNotFound" => make(
            "",
            "The directory object is not found",
            "The app registration, service principal or user with this ID does not exist in the tenant (deleted, or another tenant).",
            "Check the client ID and tenant; if the app registration was deleted, restore it (App registrations > Deleted applications) or let the wizard create it again.",
        ),
        _ if status == 429 => entry(status, "TooManyRequests", message, false),
        _ if status >= 500 || code == "ServiceNotAvailable" || code == "generalException" => {
            Diagnosis::new(
                &format!("graph.{}", slug(code)),
                "Microsoft Graph failed",
                match status {
                    0 => format!("Graph reported a service error.{said}"),
                    _ => format!("Graph reported a service error (HTTP {status}).{said}"),
                },
                SERVER_FIX,
            )
        }
        _ => Diagnosis::new(
            &format!("graph.{}", slug(code)),
            format!("Microsoft Graph refused the request ({code})"),
            match status {
                0 => format!("Graph answered with error {}.{said}", slug(code)),
                _ => format!("Graph answered HTTP {status} with error {}.{said}", slug(code)),
            },
            "Check the mailbox, folder and permissions involved; paste the whole error into `m365-onboard diagnose` or look the code up in the Microsoft Graph error reference.",
        )
        .with_docs("https://learn.microsoft.com/graph/errors"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// shared/reference/microsoft/graph_error_access_denied_app_access_policy.json, verbatim.
    const APP_POLICY: &str = r#"{
    "error": {
        "code": "ErrorAccessDenied",
        "message": "Access to OData is disabled.",
        "innerError": {
            "request-id": "2f038156-cf40-403d-8e46-831fe42a8229",
            "date": "2019-05-24T10:16:21"
        }
    }
}"#;
    /// shared/reference/microsoft/graph_error_throttled_429.json, verbatim.
    const THROTTLED: &str = r#"{
  "error": {
    "code": "TooManyRequests",
    "innerError": {
      "code": "429",
      "date": "2020-08-18T12:51:51",
      "message": "Please retry after",
      "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2",
      "status": "429"
    },
    "message": "Please retry again later."
  }
}"#;

    fn body(code: &str, message: &str) -> String {
        serde_json::json!({ "error": { "code": code, "message": message, "innerError": {} } })
            .to_string()
    }

    #[test]
    fn each_graph_code_has_its_entry() {
        // (status, code, expected diagnosis code, words the fix must contain)
        let cases = [
            (
                403,
                "ErrorAccessDenied",
                "graph.ErrorAccessDenied",
                "Add-MailboxPermission",
            ),
            (
                404,
                "MailboxNotEnabledForRESTAPI",
                "graph.MailboxNotEnabledForRESTAPI",
                "licence",
            ),
            (
                404,
                "ErrorInvalidUser",
                "graph.ErrorInvalidUser",
                "mailbox address",
            ),
            (
                404,
                "ErrorItemNotFound",
                "graph.ErrorItemNotFound",
                "Reload the folder list",
            ),
            (
                403,
                "ErrorSendAsDenied",
                "graph.ErrorSendAsDenied",
                "Add-RecipientPermission",
            ),
            (
                429,
                "TooManyRequests",
                "graph.TooManyRequests",
                "Retry-After",
            ),
            (
                403,
                "Authorization_RequestDenied",
                "graph.Authorization_RequestDenied",
                "Administrator",
            ),
            (
                401,
                "InvalidAuthenticationToken",
                "graph.InvalidAuthenticationToken",
                "Sign in again",
            ),
            (
                404,
                "Request_ResourceNotFound",
                "graph.Request_ResourceNotFound",
                "client ID",
            ),
            (
                503,
                "ServiceNotAvailable",
                "graph.ServiceNotAvailable",
                "Try again",
            ),
            (
                500,
                "generalException",
                "graph.generalException",
                "Try again",
            ),
            (429, "SomethingNew", "graph.TooManyRequests", "Retry-After"),
            (
                400,
                "ExpandNotSupported",
                "graph.ExpandNotSupported",
                "permissions",
            ),
        ];
        for (status, code, want, action) in cases {
            let d = graph_error(status, &body(code, "Message."));
            assert_eq!(d.code, want, "{code}");
            assert!(d.fix.contains(action), "{code}: {}", d.fix);
            assert!(d.detail.contains("Graph says: “Message.”"), "{}", d.detail);
        }
        assert_eq!(
            graph_error(404, &body("ErrorInvalidUser", ""))
                .field
                .as_deref(),
            Some("Mailbox")
        );
        for code in CODES {
            assert!(by_code(400, code, "")
                .code
                .starts_with(&format!("graph.{code}")));
        }
    }

    #[test]
    fn microsofts_samples() {
        let d = graph_error(403, APP_POLICY);
        assert_eq!(d.code, "graph.ErrorAccessDenied.app_access_policy");
        assert!(d.fix.contains("Test-ApplicationAccessPolicy"));
        assert!(d.detail.contains("Access to OData is disabled."));

        let d = graph_error(429, THROTTLED);
        assert_eq!(d.code, "graph.TooManyRequests");
        assert!(d.detail.contains("Please retry again later."));
    }

    #[test]
    fn bodies_without_a_graph_error() {
        assert_eq!(graph_error(429, "").code, "graph.TooManyRequests");
        let d = graph_error(502, &"<html>".repeat(5000));
        assert_eq!(d.code, "graph.http_502");
        assert!(d.fix.contains("Try again"));
        assert!(d.detail.len() < 400);
        assert_eq!(graph_error(418, "").code, "graph.http_418");
        assert_eq!(
            graph_error(400, r#"{"error":{"code":"bad code!"}}"#).code,
            "graph.badcode"
        );
    }
}
