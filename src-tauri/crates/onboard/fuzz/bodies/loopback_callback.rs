//! The loopback listener's reading of the browser's request (`callback_query`) and what the
//! admin consent step makes of the query (`consent_outcome`).

use onboard::app_registration::admin_consent::consent_outcome;
use onboard::identity::loopback::callback_query;
use url::form_urlencoded;

/// The bytes a browser (or anything else on this machine) sent to the loopback port.
pub fn loopback_callback(head: &[u8]) {
    let params = callback_query(head);
    // Only the request line counts: headers and body cannot add or change a parameter.
    let line_end = head
        .iter()
        .position(|&b| b == b'\n')
        .map_or(head.len(), |i| i + 1);
    assert_eq!(callback_query(&head[..line_end]), params);

    // Consent is granted only when the answer says so.
    match consent_outcome(&params) {
        Ok(_) => assert!(params
            .get("admin_consent")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))),
        Err(d) => assert!(!d.code.is_empty() && !d.fix.is_empty(), "{d:?}"),
    }

    // Whatever Microsoft puts in the redirect's query reaches the wizard unchanged.
    let value = String::from_utf8_lossy(head).into_owned();
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &value)
        .append_pair("state", "s-1")
        .append_pair("error_description", &value)
        .finish();
    let got =
        callback_query(format!("GET /?{query} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes());
    assert_eq!(got.get("code"), Some(&value));
    assert_eq!(got.get("state").map(String::as_str), Some("s-1"));
    assert_eq!(got.get("error_description"), Some(&value));
    assert_eq!(got.len(), 3);
}
