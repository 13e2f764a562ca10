//! Remote images the user allowed for one message. The app fetches them itself and inlines them
//! as `data:` URLs, so the preview's webview still loads nothing from the network (its CSP has no
//! remote origin) and only raster images reach it. Fetched from the public internet only
//! (`platform::public_http`): the sender chose the URLs, and must not make the app reach this
//! computer, the LAN or a cloud metadata service. Bounded: a hostile mail cannot make the app
//! download without end. Each image not loaded is reported with why.

use crate::message::image_limits::{IMAGE_TYPES, MAX_IMAGES, MAX_IMAGE_BYTES};
use crate::message::sanitize::{clean_html, is_inline_image, ImgSrc};
use crate::platform::public_http::{Dial, PublicHttp, Refusal, Resolve};
use base64::Engine;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ts_rs::TS;

/// One image's whole fetch, redirects included, ends after this.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this many images not loaded are listed (the count covers all of them).
pub const MAX_LISTED_FAILURES: usize = 100;
/// A listed URL is cut to this many characters.
const MAX_URL_CHARS: usize = 200;

/// A remote image that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoteImageFailure {
    /// As the message gives it (cut to 200 characters).
    pub url: String,
    /// Why, with particulars: "points into your local network (10.0.0.5, a private network)".
    pub reason: String,
    /// Why, the same words for every image refused alike: "points into your local network".
    pub summary: String,
}

/// The HTML with the loaded images inlined and the others removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteImages {
    pub html: String,
    /// Distinct image URLs not loaded.
    pub not_loaded: u32,
    /// The first [`MAX_LISTED_FAILURES`] of them, in document order.
    pub failures: Vec<RemoteImageFailure>,
}

/// Why one image was not loaded.
enum NotLoaded {
    Fetch(Refusal),
    NotRaster(String),
    OverLimit,
}

impl NotLoaded {
    fn summary(&self) -> String {
        match self {
            NotLoaded::Fetch(r) => r.summary().to_owned(),
            NotLoaded::NotRaster(_) => "not a raster image".to_owned(),
            NotLoaded::OverLimit => format!("beyond the {MAX_IMAGES} images a message may load"),
        }
    }

    fn reason(&self) -> String {
        match self {
            NotLoaded::Fetch(Refusal::TooLarge) => {
                format!("too large (over {} MB)", MAX_IMAGE_BYTES / (1024 * 1024))
            }
            NotLoaded::Fetch(r) => r.to_string(),
            NotLoaded::NotRaster(kind) => format!("not a raster image ({kind})"),
            NotLoaded::OverLimit => self.summary(),
        }
    }
}

/// [`inline_with`] over the system's resolver and plain TCP.
pub async fn inline_remote_images(sanitized_html: &str) -> RemoteImages {
    match PublicHttp::system() {
        Ok(http) => inline_with(Arc::new(http), sanitized_html).await,
        Err(d) => {
            let why = Refusal::Unreachable(d.title);
            collect(sanitized_html, HashMap::new(), |_| {
                NotLoaded::Fetch(why.clone())
            })
        }
    }
}

/// The sanitized HTML with each remote image fetched through `http` and replaced by its content;
/// those that could not be loaded (refused, unreachable, not a raster image, too large, or beyond
/// [`MAX_IMAGES`]) are removed and reported.
pub async fn inline_with<R: Resolve, D: Dial>(
    http: Arc<PublicHttp<R, D>>,
    sanitized_html: &str,
) -> RemoteImages {
    let urls = remote_image_urls(sanitized_html);
    let mut tasks = tokio::task::JoinSet::new();
    for url in urls.iter().take(MAX_IMAGES).cloned() {
        let http = Arc::clone(&http);
        tasks.spawn(async move {
            let data = tokio::time::timeout(FETCH_TIMEOUT, fetch_image(&http, &url))
                .await
                .unwrap_or(Err(NotLoaded::Fetch(Refusal::TimedOut)));
            (url, data)
        });
    }
    let mut results = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok((url, data)) = done {
            results.insert(url, data);
        }
    }
    collect(sanitized_html, results, |_| NotLoaded::OverLimit)
}

/// The HTML with `results`' images inlined; an image without a result gets `missing`'s reason.
fn collect(
    html: &str,
    mut results: HashMap<String, Result<String, NotLoaded>>,
    missing: impl Fn(&str) -> NotLoaded,
) -> RemoteImages {
    let mut failures = Vec::new();
    let mut not_loaded = 0u32;
    for url in remote_image_urls(html) {
        let result = results
            .entry(url.clone())
            .or_insert_with(|| Err(missing(&url)));
        if let Err(why) = result {
            not_loaded += 1;
            if failures.len() < MAX_LISTED_FAILURES {
                failures.push(RemoteImageFailure {
                    url: url.chars().take(MAX_URL_CHARS).collect(),
                    reason: why.reason(),
                    summary: why.summary(),
                });
            }
        }
    }
    let loaded: HashMap<String, String> = results
        .into_iter()
        .filter_map(|(url, r)| Some((url, r.ok()?)))
        .collect();
    let html = clean_html(html, move |src| {
        // A sanitized message's own images are inlined already.
        let ImgSrc::Remote(src) = src else {
            return None;
        };
        loaded.get(src).cloned()
    });
    RemoteImages {
        html,
        not_loaded,
        failures,
    }
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
async fn fetch_image<R: Resolve, D: Dial>(
    http: &PublicHttp<R, D>,
    url: &str,
) -> Result<String, NotLoaded> {
    // The sanitizer drops protocol-relative URLs (`//host/x`); one that got here is not valid.
    let res = http.get(url, "image/*").await.map_err(NotLoaded::Fetch)?;
    // The server's words reach the notice: a few, and only printable.
    let kind: String = res
        .media_type()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    let subtype = kind
        .strip_prefix("image/")
        .filter(|t| IMAGE_TYPES.contains(t))
        .ok_or_else(|| {
            NotLoaded::NotRaster(if kind.is_empty() {
                "no type".into()
            } else {
                kind.clone()
            })
        })?
        .to_owned();
    let bytes = res.bytes(MAX_IMAGE_BYTES).await.map_err(NotLoaded::Fetch)?;
    let data = format!(
        "data:image/{subtype};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    );
    if is_inline_image(&data) {
        Ok(data)
    } else {
        Err(NotLoaded::NotRaster(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::public_http::test_support::{
        server, FakeResolver, RecordingDialer, Reply,
    };

    const PUBLIC: &str = "93.184.215.14";

    /// A fetcher whose names resolve as `answers` and whose every connection lands on a loopback
    /// server with `routes`; the server's request log and the dialler.
    async fn fetcher(
        answers: &[(&str, &str)],
        routes: Vec<(&'static str, Reply)>,
    ) -> (
        Arc<PublicHttp<FakeResolver, RecordingDialer>>,
        Arc<Mutex<Vec<String>>>,
        RecordingDialer,
    ) {
        let mut resolver = FakeResolver::default();
        for (host, addr) in answers {
            resolver = resolver.answer(host, &[addr]);
        }
        let (addr, log) = server(routes).await;
        let dialer = RecordingDialer::to(addr);
        let http = PublicHttp::new(resolver, dialer.clone(), None).unwrap();
        (Arc::new(http), log, dialer)
    }

    fn reasons(r: &RemoteImages) -> Vec<(&str, &str)> {
        r.failures
            .iter()
            .map(|f| (f.url.as_str(), f.summary.as_str()))
            .collect()
    }

    #[tokio::test]
    async fn an_allowed_png_is_inlined_and_nothing_else_is_loaded() {
        let (http, _, _) = fetcher(
            &[("img.example", PUBLIC), ("down.example", PUBLIC)],
            vec![
                (
                    "img.example/a.png",
                    Reply::ok("image/png", b"\x89PNG\r\n\x1a\nfake"),
                ),
                (
                    "img.example/b.svg",
                    Reply::ok("image/svg+xml", b"<svg onload='alert(1)'/>"),
                ),
            ],
        )
        .await;
        let html = r#"<p><img src="http://img.example/a.png"><img src="http://img.example/b.svg"><img src="http://down.example/x.png"></p>"#;
        let out = inline_with(http, html).await;
        assert!(
            out.html
                .contains("src=\"data:image/png;base64,iVBORw0KGgpmYWtl\""),
            "{}",
            out.html
        );
        assert!(!out.html.contains("example"), "{}", out.html);
        assert!(!out.html.contains("svg"), "{}", out.html);
        assert_eq!(out.not_loaded, 2, "{out:?}");
        assert_eq!(
            reasons(&out),
            [
                ("http://img.example/b.svg", "not a raster image"),
                ("http://down.example/x.png", "unreachable")
            ]
        );
    }

    #[tokio::test]
    async fn svg_is_refused_as_not_a_raster_image() {
        let (http, _, _) = fetcher(
            &[("img.example", PUBLIC)],
            vec![("img.example/b.svg", Reply::ok("image/svg+xml", b"<svg/>"))],
        )
        .await;
        let out = inline_with(http, r#"<img src="http://img.example/b.svg">"#).await;
        assert_eq!(out.failures[0].reason, "not a raster image (image/svg+xml)");
        assert!(!out.html.contains("svg"), "{}", out.html);
    }

    #[tokio::test]
    async fn an_image_is_fetched_once_however_often_it_appears() {
        let (http, log, _) = fetcher(
            &[("img.example", PUBLIC)],
            vec![("img.example/x.gif", Reply::ok("image/gif", b"GIF89a"))],
        )
        .await;
        let html = r#"<img src="http://img.example/x.gif"><img src="http://img.example/x.gif">"#;
        let out = inline_with(http, html).await;
        assert_eq!(out.html.matches("data:image/gif;base64,").count(), 2);
        assert_eq!((out.not_loaded, log.lock().unwrap().len()), (0, 1));
    }

    #[tokio::test]
    async fn images_in_the_local_network_are_blocked_with_the_reason_and_never_dialled() {
        let (http, log, dialer) = fetcher(
            &[("img.example", PUBLIC), ("printer.example", "192.168.1.20")],
            vec![
                ("img.example/ok.png", Reply::ok("image/png", b"PNG")),
                (
                    "img.example/hop.png",
                    Reply::redirect("http://169.254.169.254/latest"),
                ),
            ],
        )
        .await;
        let html = r#"
            <img src="http://img.example/ok.png">
            <img src="http://127.0.0.1/a.png">
            <img src="http://2130706433/b.png">
            <img src="http://[::ffff:10.0.0.5]/c.png">
            <img src="http://printer.example/d.png">
            <img src="http://img.example/hop.png">
            <img src="http://img.example:8080/e.png">"#;
        let out = inline_with(http, html).await;
        assert_eq!(out.not_loaded, 6, "{:?}", out.failures);
        let local = "points into your local network";
        assert_eq!(
            reasons(&out),
            [
                ("http://127.0.0.1/a.png", local),
                ("http://2130706433/b.png", local),
                ("http://[::ffff:10.0.0.5]/c.png", local),
                ("http://printer.example/d.png", local),
                ("http://img.example/hop.png", local),
                ("http://img.example:8080/e.png", "not on the default port"),
            ]
        );
        assert_eq!(
            out.failures[3].reason,
            "points into your local network (printer.example is 192.168.1.20, a private network)"
        );
        assert!(
            out.failures[4].reason.contains("169.254.169.254"),
            "{:?}",
            out.failures[4]
        );
        assert!(out.html.contains("data:image/png"), "{}", out.html);
        let public: std::net::SocketAddr = format!("{PUBLIC}:80").parse().unwrap();
        assert_eq!(
            dialer.dialled(),
            [public, public],
            "ok.png and hop.png's first hop"
        );
        assert_eq!(log.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn too_large_and_too_many_images_are_reported() {
        let big = vec![0u8; MAX_IMAGE_BYTES + 1];
        let (http, log, _) = fetcher(
            &[("img.example", PUBLIC)],
            vec![("img.example/big.png", Reply::ok("image/png", &big))],
        )
        .await;
        let mut html = String::from(r#"<img src="http://img.example/big.png">"#);
        for i in 0..MAX_IMAGES {
            html.push_str(&format!(
                r#"<img src="http://127.0.0.{}/{i}.png">"#,
                i % 250 + 1
            ));
        }
        let out = inline_with(http, &html).await;
        assert_eq!(out.not_loaded as usize, MAX_IMAGES + 1);
        assert_eq!(out.failures[0].reason, "too large (over 3 MB)");
        assert_eq!(
            out.failures.last().map(|f| f.summary.as_str()),
            Some("beyond the 40 images a message may load")
        );
        assert_eq!(log.lock().unwrap().len(), 1);
    }

    #[test]
    fn svg_and_html_data_urls_are_not_images() {
        assert!(is_inline_image("data:image/png;base64,AAAA"));
        assert!(!is_inline_image("data:image/svg+xml;base64,AAAA"));
        assert!(!is_inline_image("data:text/html;base64,AAAA"));
    }
}
