//! How deeply a message's HTML nests its elements, estimated from its tags without parsing it.
//! The HTML parser behind the sanitizer (html5ever) takes time quadratic in the nesting depth:
//! 8,000 nested `<div>`s take seconds and 100,000 take minutes, so a hostile mail could freeze
//! its preview. WebKit's own parser stops nesting at 512 elements; deeper HTML is not shown.

/// The deepest nesting the preview renders, as WebKit's HTML parser allows.
pub const MAX_HTML_DEPTH: usize = 512;

/// Elements without content, and those whose end tag may be left out (a new one, or the end of
/// its parent, closes them): neither makes the document deeper as a parser builds it.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "tbody", "thead", "tfoot", "option",
    "optgroup", "colgroup", "rp", "rt", "!doctype",
];

/// Whether `html` nests deeper than [`MAX_HTML_DEPTH`] by its start and end tags. Errs on the
/// side of depth: tags written inside scripts count too (the limit leaves room for them).
pub fn too_deep(html: &str) -> bool {
    let mut depth = 0usize;
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |j| &comment[j + 3..]);
            continue;
        }
        let closing = rest.starts_with('/');
        let tag = rest.trim_start_matches('/');
        let end = tag
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '!' || c == '-'))
            .unwrap_or(tag.len());
        let name = tag[..end].to_ascii_lowercase();
        if name.is_empty() || NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        let self_closing = tag[end..]
            .split('>')
            .next()
            .is_some_and(|attrs| attrs.ends_with('/'));
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            if depth > MAX_HTML_DEPTH {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(tag: &str, n: usize) -> String {
        format!(
            "{}x{}",
            format!("<{tag}>").repeat(n),
            format!("</{tag}>").repeat(n)
        )
    }

    #[test]
    fn deep_nesting_is_found_and_ordinary_mail_is_not() {
        assert!(!too_deep(&nested("div", MAX_HTML_DEPTH)));
        assert!(too_deep(&nested("div", MAX_HTML_DEPTH + 1)));
        assert!(
            too_deep(&"<b>".repeat(10_000)),
            "unclosed formatting elements"
        );
        assert!(too_deep(&nested("DIV class=x", 600)));
        // Long, flat documents: siblings, void and self-closed elements, optional end tags.
        let table = format!(
            "<table>{}</table>",
            "<tr><td>1<td>2<br><img src=x></tr>\n".repeat(20_000)
        );
        assert!(!too_deep(&table));
        assert!(!too_deep(&"<p>para\n".repeat(5_000)));
        assert!(!too_deep(&"<li>item<hr/><span/>".repeat(5_000)));
        assert!(!too_deep(&"<!-- <div> --><div></div>".repeat(5_000)));
        assert!(!too_deep("a < b, 3<4 and <>"));
    }
}
