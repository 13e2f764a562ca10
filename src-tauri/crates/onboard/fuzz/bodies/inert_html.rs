//! What the preview's sanitized HTML must be, checked on the markup itself: a small reader of the
//! sanitizer's serialized output (every `<` outside an attribute value starts a tag, every value
//! is double-quoted), independent of the sanitizer's own policy code.

/// Elements that run script, load something, submit or navigate on their own.
const FORBIDDEN_TAGS: [&str; 24] = [
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "select", "textarea", "meta", "link", "base", "svg", "math", "template", "noscript",
    "audio", "video", "source", "portal",
];

/// Attributes that hold a URL the webview could follow or load.
const URL_ATTRIBUTES: [&str; 8] = [
    "href",
    "src",
    "cite",
    "longdesc",
    "background",
    "poster",
    "action",
    "xlink:href",
];

/// CSS that loads or runs something (the sanitizer drops such a `style`).
const FORBIDDEN_CSS: [&str; 7] = [
    "url(",
    "expression",
    "@import",
    "javascript:",
    "behavior",
    "-moz-binding",
    "image-set(",
];

/// Panics, naming the reason and the markup, unless `html` is inert: no forbidden element, no
/// event handler, no `javascript:`/`vbscript:` URL, `data:` only as a raster `<img>`, no CSS
/// that loads, and with `remote_images_allowed` false no remote image.
pub fn assert_inert(html: &str, remote_images_allowed: bool) {
    if let Err(why) = check(html, remote_images_allowed) {
        panic!("sanitized HTML is not inert: {why}\n{html}");
    }
}

fn check(html: &str, remote_images_allowed: bool) -> Result<(), String> {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(end_tag) = rest.strip_prefix('/') {
            let close = end_tag.find('>').ok_or("an end tag is not closed")?;
            check_tag(&end_tag[..close])?;
            rest = &end_tag[close + 1..];
            continue;
        }
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .ok_or("a tag is not closed")?;
        let tag = rest[..name_end].to_ascii_lowercase();
        check_tag(&tag)?;
        rest = &rest[name_end..];
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
            if let Some(after) = rest.strip_prefix("/>").or_else(|| rest.strip_prefix('>')) {
                rest = after;
                break;
            }
            let name_end = rest
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("<{tag}> has an unreadable attribute"))?;
            let name = rest[..name_end].to_ascii_lowercase();
            rest = &rest[name_end..];
            let mut value = String::new();
            if let Some(quoted) = rest.strip_prefix("=\"") {
                let close = quoted
                    .find('"')
                    .ok_or_else(|| format!("<{tag} {name}> has an unclosed value"))?;
                value = unescape(&quoted[..close]);
                rest = &quoted[close + 1..];
            }
            check_attribute(&tag, &name, &value, remote_images_allowed)?;
        }
    }
    Ok(())
}

fn check_tag(tag: &str) -> Result<(), String> {
    match FORBIDDEN_TAGS.contains(&tag) {
        true => Err(format!("a <{tag}> element")),
        false => Ok(()),
    }
}

fn check_attribute(tag: &str, name: &str, value: &str, remote_ok: bool) -> Result<(), String> {
    if name.starts_with("on") || ["formaction", "srcdoc", "http-equiv"].contains(&name) {
        return Err(format!("<{tag} {name}>"));
    }
    if name == "style" {
        let css = value.to_ascii_lowercase();
        if let Some(bad) = FORBIDDEN_CSS.iter().find(|b| css.contains(*b)) {
            return Err(format!("<{tag} style> with {bad}"));
        }
        if css.contains('\\') {
            return Err(format!("<{tag} style> with a CSS escape"));
        }
    }
    if !URL_ATTRIBUTES.contains(&name) {
        return Ok(());
    }
    // As a browser reads a URL: leading spaces and controls skipped, tabs and newlines dropped.
    let url: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    if url.starts_with("javascript:") || url.starts_with("vbscript:") {
        return Err(format!("<{tag} {name}> runs script"));
    }
    let image = tag == "img" && name == "src";
    if url.starts_with("data:") && !(image && is_raster_data(&url)) {
        return Err(format!(
            "<{tag} {name}> with a data: URL that is not a raster image"
        ));
    }
    let remote = ["http:", "https:", "//", "\\\\", "/\\", "\\/"]
        .iter()
        .any(|p| url.starts_with(p));
    if image && remote && !remote_ok {
        return Err("a remote image while remote images are blocked".into());
    }
    Ok(())
}

fn is_raster_data(url: &str) -> bool {
    ["png", "jpeg", "gif", "webp", "bmp"]
        .iter()
        .any(|t| url.starts_with(&format!("data:image/{t};base64,")))
}

/// The serializer's escapes in attribute values.
fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn the_reader_catches_what_it_should() {
        assert!(check(
            r#"<p style="color: red">a &lt;script&gt; <a href="https://x/">x</a></p>"#,
            false
        )
        .is_ok());
        assert!(check(
            r#"<img alt="<script>" src="data:image/png;base64,AA">"#,
            false
        )
        .is_ok());
        for bad in [
            "<script>alert(1)</script>",
            "<a href=\" java\nscript:x\">x</a>",
            "<a href=\"\u{1}javascript:x\">",
            r#"<img src="x" onerror="alert(1)">"#,
            r#"<a href="JAVASCRIPT:alert(1)">x</a>"#,
            r#"<img src="https://canary/x.png">"#,
            r#"<div style="background: URL(x)">"#,
            r#"<a href="data:text/html,x">"#,
            "</iframe>",
        ] {
            assert!(check(bad, false).is_err(), "{bad}");
        }
        assert!(check(r#"<img src="https://canary/x.png">"#, true).is_ok());
    }
}
