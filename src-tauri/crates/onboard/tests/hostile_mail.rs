//! The hostile mail corpus (tests/corpus/hostile/) through the preview's parser and sanitizer:
//! nothing active or loading survives, and messages built to exhaust the parser (deep MIME, deep
//! HTML, thousands of headers, megabytes of body) come back as a view, on a thread with the stack
//! a Tauri command gets. The same mail is rendered in the real app by the end-to-end test.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use onboard::message::{parse_message, MessageView};
use std::path::PathBuf;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/corpus/hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 3,
        "the hostile corpus is in {}",
        dir.display()
    );
    files
}

/// Parses on a thread with 2 MiB of stack, as tokio's worker threads (Tauri's commands) have.
fn parse_on_a_worker_stack(raw: Vec<u8>) -> MessageView {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse_message(&raw, false))
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn nothing_active_or_loading_survives_the_sanitizer() {
    for (name, raw) in corpus() {
        let view = parse_on_a_worker_stack(raw);
        let Some(html) = view.html_sanitized else {
            // Too deep to parse or to render: shown as text, which is never rendered as HTML.
            assert!(
                view.notices.iter().any(|n| n.contains("nests")),
                "{name}: {:?}",
                view.notices
            );
            continue;
        };
        let html = html.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onload",
            "onclick",
            "onfocus",
            "ontoggle",
            "onstart",
            "javascript:",
            "<iframe",
            "<form",
            "<object",
            "<embed",
            "<meta",
            "<link",
            "<base",
            "<style",
            "<video",
            "<audio",
            "<svg",
            "<math",
            "@import",
            "expression(",
            "srcset",
            "pwned",
        ] {
            assert!(!html.contains(bad), "{name}: “{bad}” survived");
        }
        // The one canary URL left is a plain link's, which the frame cannot follow.
        let rest = html.replace("href=\"http://127.0.0.1:47613/link\"", "");
        assert!(!rest.contains("47613"), "{name}: a canary URL survived");
    }
}

#[test]
fn messages_built_to_exhaust_the_parser_still_give_a_view() {
    let depth = 5_000;
    let mut mime =
        String::from("Subject: deep\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
    for i in 0..depth {
        mime.push_str(&format!(
            "--b{i}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n",
            i + 1
        ));
    }
    mime.push_str(&format!(
        "--b{depth}\r\nContent-Type: text/plain\r\n\r\nbottom\r\n"
    ));
    let view = parse_on_a_worker_stack(mime.into_bytes());
    assert!(view.text.is_some_and(|t| t.contains("bottom")));
    assert!(
        view.notices[0].contains("5001 MIME parts inside each other"),
        "{:?}",
        view.notices
    );

    // The HTML is not handed to the parser (minutes at this depth): a notice says why.
    let divs = 100_000;
    let html = format!(
        "{}<p>deep</p>{}",
        "<div>".repeat(divs),
        "</div>".repeat(divs)
    );
    let raw = format!("Subject: deep html\r\nContent-Type: text/html\r\n\r\n{html}");
    let view = parse_on_a_worker_stack(raw.into_bytes());
    assert_eq!(view.html_sanitized, None);
    assert!(
        view.notices
            .iter()
            .any(|n| n.contains("more than 512 deep")),
        "{:?}",
        view.notices
    );
}
