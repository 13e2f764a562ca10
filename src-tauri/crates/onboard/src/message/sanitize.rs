//! The preview's HTML policy: what of a message's HTML the webview may see. Scripts, handlers,
//! forms, frames and loading styles go; each remote or `cid:` image is decided by the caller,
//! so the message view and the remote-image fetch share one policy.

use crate::message::image_limits::IMAGE_TYPES;
use std::borrow::Cow;
use std::collections::HashSet;

/// `url` as a browser reads it (WHATWG URL parsing): leading and trailing controls and spaces
/// dropped, tabs and newlines removed anywhere, so `\x01data:` and `ht&#9;tp:` are what they
/// look like to the webview; lowercased to compare schemes.
pub(crate) fn as_browser_reads(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// `http:`, `https:` or protocol-relative: fetching it would tell the sender the mail was read.
pub(crate) fn is_remote(url: &str) -> bool {
    let u = as_browser_reads(url);
    u.starts_with("http:")
        || u.starts_with("https:")
        || u.starts_with("//")
        || u.starts_with("\\\\")
}

/// A `style` value is kept only without anything that loads or runs something.
pub(crate) fn style_is_safe(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    ![
        "url(",
        "expression",
        "@import",
        "javascript:",
        "behavior",
        "-moz-binding",
        "\\",
        "image-set(",
    ]
    .iter()
    .any(|bad| l.contains(bad))
}

/// An `<img src>` that [`clean_html`]'s caller decides on.
pub(crate) enum ImgSrc<'a> {
    /// `http:`, `https:` or protocol-relative, as written.
    Remote(&'a str),
    /// A part of the message (RFC 2392), as the browser reads it (lowercased).
    Cid(&'a str),
}

/// The preview's HTML policy ([`crate::message::view::sanitize_html`]), with `img` deciding what becomes of each remote or `cid:` image:
/// a replacement URL, or `None` to drop it.
pub(crate) fn clean_html(
    html: &str,
    img: impl Fn(ImgSrc<'_>) -> Option<String> + Send + Sync + 'static,
) -> String {
    let mut b = ammonia::Builder::default();
    b.url_relative(ammonia::UrlRelative::Deny)
        .url_schemes(HashSet::from(["http", "https", "mailto", "cid", "data"]))
        .add_generic_attributes(["style"])
        .add_tag_attributes("td", ["bgcolor", "align", "valign", "width", "height"])
        .add_tag_attributes(
            "table",
            [
                "bgcolor",
                "align",
                "border",
                "cellpadding",
                "cellspacing",
                "width",
            ],
        )
        .add_tag_attributes("font", ["color", "face", "size"])
        .add_tags(["font", "center"])
        .attribute_filter(move |element, attribute, value| {
            if attribute == "style" {
                return style_is_safe(value).then_some(Cow::Borrowed(value));
            }
            if element == "img" && attribute == "src" {
                if is_remote(value) {
                    return img(ImgSrc::Remote(value)).map(Cow::Owned);
                }
                let read = as_browser_reads(value);
                if read.starts_with("cid:") {
                    return img(ImgSrc::Cid(&read)).map(Cow::Owned);
                }
                // data: only as an image, and only the image types a browser cannot run.
                return (!is_data(value) || is_inline_image(value)).then_some(Cow::Borrowed(value));
            }
            if attribute == "background" || attribute == "srcset" || is_data(value) {
                return None;
            }
            Some(Cow::Borrowed(value))
        });
    b.clean(html).to_string()
}

pub(crate) fn is_data(url: &str) -> bool {
    as_browser_reads(url).starts_with("data:")
}

/// A `data:` URL of a raster image (no SVG, which can carry script and links).
pub(crate) fn is_inline_image(url: &str) -> bool {
    let u = as_browser_reads(url);
    IMAGE_TYPES
        .iter()
        .any(|t| u.starts_with(&format!("data:image/{t};base64,")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_image_urls_are_recognized() {
        assert!(is_remote("http://x/y.png"));
        assert!(is_remote(" HTTPS://x/y.png"));
        assert!(is_remote("//x/y.png"));
        assert!(!is_remote("cid:part1@x"));
        // Found by the fuzzer: what the browser strips must not hide the scheme.
        assert!(is_remote("\u{1}http://x/y.png"));
        assert!(is_remote("ht\ttp://x/y.png"));
        assert!(is_data("\u{2}data:image/svg+xml;base64,AA"));
        assert!(!is_inline_image("\u{2}data:image/svg+xml;base64,AA"));
    }

    #[test]
    fn styles_that_load_something_are_dropped() {
        assert!(style_is_safe("color: red; font-weight: bold"));
        assert!(!style_is_safe("background:URL(http://canary/)"));
        assert!(!style_is_safe("width: expression(alert(1))"));
        assert!(!style_is_safe("background: u\\72l(http://x)"));
    }
}
