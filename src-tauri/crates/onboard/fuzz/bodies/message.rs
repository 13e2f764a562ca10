//! The preview's message summary (`parse_message`, `attachment_bytes`) and its HTML sanitizer.

use super::inert_html::assert_inert;
use onboard::message::{attachment_bytes, parse_message};

/// Attachments re-read per input: each re-parses the message, so a few are enough.
const ATTACHMENTS_CHECKED: usize = 3;

/// A raw message, as Graph's `$value` or IMAP's `BODY[]` gives it, with remote images blocked
/// (the preview's default).
pub fn message(raw: &[u8]) {
    let view = parse_message(raw, false);
    assert_eq!(view.raw_size, raw.len() as u64);
    if !raw.is_empty() {
        assert!(
            view.text.is_some() || view.html_sanitized.is_some() || !view.attachments.is_empty(),
            "a non-empty message gave an empty view"
        );
    }
    if let Some(html) = &view.html_sanitized {
        assert_inert(html, false);
    }
    // Saving an attachment finds the one the list showed, with the size it showed.
    for (i, shown) in view.attachments.iter().enumerate() {
        assert_eq!(shown.index as usize, i);
        if i < ATTACHMENTS_CHECKED {
            let (name, content_type, bytes) =
                attachment_bytes(raw, shown.index).expect("a listed attachment cannot be saved");
            assert_eq!(
                (name, content_type),
                (shown.name.clone(), shown.content_type.clone())
            );
            assert_eq!(bytes.len() as u64, shown.size);
        }
    }
    let past_the_end = u32::try_from(view.attachments.len()).unwrap_or(u32::MAX);
    assert!(attachment_bytes(raw, past_the_end).is_none());
}

/// Any text as a message's HTML part, with remote images blocked and allowed.
pub fn sanitize_html(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let (blocked_html, _) = onboard::message::sanitize_html(&html, false);
    assert_inert(&blocked_html, false);
    let (allowed_html, none_blocked) = onboard::message::sanitize_html(&html, true);
    assert_inert(&allowed_html, true);
    assert_eq!(
        none_blocked, 0,
        "images were counted as blocked while allowed"
    );
}
