//! Remote images the user allowed for one message. The app fetches them itself and inlines them
//! as `data:` URLs, so the preview's webview still loads nothing from the network (its CSP has no
//! remote origin) and only raster images reach it. Bounded: a hostile mail cannot make the app
//! download without end.

use crate::message::image_limits::{IMAGE_TYPES, MAX_IMAGES, MAX_IMAGE_BYTES};
use crate::message::sanitize::{clean_html, is_inline_image, ImgSrc};
use base64::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The sanitized HTML with each remote image replaced by its content, and how many could not be
/// loaded (unreachable, not a raster image, too large, or beyond [`MAX_IMAGES`]); those are removed.
pub async fn inline_remote_images(sanitized_html: &str) -> (String, u32) {
    let urls = remote_image_urls(sanitized_html);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("m365-onboard/", env!("CARGO_PKG_VERSION")))
        .build();
    let mut loaded = HashMap::new();
    if let Ok(client) = client {
        let mut tasks = tokio::task::JoinSet::new();
        for url in urls.iter().take(MAX_IMAGES).cloned() {
            let client = client.clone();
            tasks.spawn(async move {
                let data = fetch_image(&client, &url).await;
                (url, data)
            });
        }
        while let Some(done) = tasks.join_next().await {
            if let Ok((url, Some(data))) = done {
                loaded.insert(url, data);
            }
        }
    }
    let loaded = Arc::new(loaded);
    let missing = Arc::new(Mutex::new(0u32));
    let (map, count) = (Arc::clone(&loaded), Arc::clone(&missing));
    let html = clean_html(sanitized_html, move |src| {
        // A sanitized message's own images are inlined already.
        let ImgSrc::Remote(src) = src else {
            return None;
        };
        let found = map.get(src).cloned();
        if found.is_none() {
            if let Ok(mut n) = count.lock() {
                *n += 1;
            }
        }
        found
    });
    let missing = missing.lock().map(|n| *n).unwrap_or(0);
    (html, missing)
}

/// The remote `<img src>` URLs, each once, in document order.
fn remote_image_urls(html: &str) -> Vec<String> {
    let found = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&found);
    clean_html(html, move |src| {
        let ImgSrc::Remote(src) = src else {
            return None;
        };
        if let Ok(mut v) = sink.lock() {
            if !v.iter().any(|u| u == src) {
                v.push(src.to_owned());
            }
        }
        None
    });
    let urls = found.lock().map(|v| v.clone()).unwrap_or_default();
    urls
}

/// The image as a `data:` URL, if it is a raster image within the size bound.
async fn fetch_image(client: &reqwest::Client, url: &str) -> Option<String> {
    let absolute = if url.trim_start().starts_with("//") {
        format!("https:{}", url.trim_start())
    } else {
        url.trim().to_owned()
    };
    let mut res = client.get(&absolute).send().await.ok()?;
    if !res.status().is_success() || res.content_length().unwrap_or(0) > MAX_IMAGE_BYTES as u64 {
        return None;
    }
    let kind = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    let subtype = kind.strip_prefix("image/")?;
    if !IMAGE_TYPES.contains(&subtype) {
        return None;
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = res.chunk().await.ok()? {
        if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
            return None;
        }
        bytes.extend_from_slice(&chunk);
    }
    let data = format!(
        "data:image/{subtype};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    );
    is_inline_image(&data).then_some(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-route HTTP server answering every request with `content_type` and `body`; it
    /// counts the requests it got.
    async fn server(content_type: &'static str, body: &'static [u8]) -> (u16, Arc<Mutex<u32>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(0));
        let counter = Arc::clone(&hits);
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                *counter.lock().unwrap() += 1;
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body).await;
            }
        });
        (port, hits)
    }

    #[tokio::test]
    async fn an_allowed_png_is_inlined_and_nothing_else_is_loaded() {
        let (png, _) = server("image/png", b"\x89PNG\r\n\x1a\nfake").await;
        let (svg, _) = server("image/svg+xml", b"<svg onload='alert(1)'/>").await;
        let html = format!(
            r#"<p><img src="http://127.0.0.1:{png}/a.png"><img src="http://127.0.0.1:{svg}/b.svg"><img src="http://127.0.0.1:1/down.png"></p>"#
        );
        let (out, missing) = inline_remote_images(&html).await;
        assert!(
            out.contains("src=\"data:image/png;base64,iVBORw0KGgpmYWtl\""),
            "{out}"
        );
        assert!(!out.contains("127.0.0.1"), "{out}");
        assert!(!out.contains("svg"), "{out}");
        assert_eq!(missing, 2);
    }

    #[tokio::test]
    async fn an_image_is_fetched_once_however_often_it_appears() {
        let (port, hits) = server("image/gif", b"GIF89a").await;
        let html = format!(
            r#"<img src="http://127.0.0.1:{port}/x.gif"><img src="http://127.0.0.1:{port}/x.gif">"#
        );
        let (out, missing) = inline_remote_images(&html).await;
        assert_eq!(out.matches("data:image/gif;base64,").count(), 2);
        assert_eq!((missing, *hits.lock().unwrap()), (0, 1));
    }

    #[test]
    fn svg_and_html_data_urls_are_not_images() {
        assert!(is_inline_image("data:image/png;base64,AAAA"));
        assert!(!is_inline_image("data:image/svg+xml;base64,AAAA"));
        assert!(!is_inline_image("data:text/html;base64,AAAA"));
    }
}
