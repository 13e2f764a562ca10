//! The one-shot loopback listener of RFC 8252: Microsoft redirects the system browser to
//! `http://localhost:{port}/?…`, and exactly one request carrying the expected `state` ends the
//! wait. Other requests (a favicon, a stale tab, a forged response) are answered and ignored.
//! Connections are served side by side, each within [`REQUEST_DEADLINE`], and at most
//! [`MAX_OPEN`] at once (a new one pushes out the oldest): a flood of idle or junk connections
//! cannot hold the browser's answer back, nor fill the memory.

use crate::catalog::Diagnosis;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The request line and headers of a browser's GET fit in this many bytes.
const MAX_HEAD: usize = 16 * 1024;

/// The time one connection may take to send its request head, in all.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(5);

/// Connections served at once.
pub const MAX_OPEN: usize = 64;

pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    /// Listens on 127.0.0.1 at a port the system picks.
    pub async fn bind() -> Result<Self, Diagnosis> {
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| {
            Diagnosis::new(
                "loopback.bind",
                "The wizard cannot listen for the browser's answer",
                e.to_string(),
                "Allow this program to listen on 127.0.0.1 (a local firewall or sandbox may forbid it), or use the device code flow.",
            )
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        Ok(Self { listener, port })
    }

    /// The redirect URI to send: Entra matches `http://localhost` whatever the port.
    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}/", self.port)
    }

    /// Waits for the request with `state`, at most `timeout`, or until `cancel` completes.
    pub async fn receive(
        self,
        state: &str,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<HashMap<String, String>, Diagnosis> {
        let (tx, mut rx) = mpsc::channel(1);
        let mut open = Connections(VecDeque::new());
        let wait = async {
            loop {
                tokio::select! {
                    biased;
                    Some(params) = rx.recv() => return params,
                    accepted = self.listener.accept() => {
                        let Ok((stream, _)) = accepted else {
                            // Out of file descriptors, say: wait instead of spinning.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        };
                        open.push(stream, state, &tx);
                    }
                }
            }
        };
        tokio::select! {
            params = wait => Ok(params),
            () = tokio::time::sleep(timeout) => Err(Diagnosis::new(
                "loopback.timeout",
                "No answer came back from the browser",
                format!("Nothing arrived at {} within {} minutes.", self.redirect_uri(), timeout.as_secs() / 60),
                "Finish the sign-in in the browser window that opened (or open the link again), then try again.",
            )),
            () = cancel => Err(Diagnosis::new(
                "loopback.cancelled",
                "Cancelled",
                "The wait for the browser was cancelled.",
                "Start again when you are ready.",
            )),
        }
    }
}

/// The connections being answered; dropping it ends them (the wait is over).
struct Connections(VecDeque<JoinHandle<()>>);

impl Connections {
    fn push(
        &mut self,
        stream: TcpStream,
        state: &str,
        found: &mpsc::Sender<HashMap<String, String>>,
    ) {
        self.0.retain(|task| !task.is_finished());
        if self.0.len() >= MAX_OPEN {
            if let Some(oldest) = self.0.pop_front() {
                oldest.abort();
            }
        }
        let (state, found) = (state.to_owned(), found.clone());
        self.0.push_back(tokio::spawn(async move {
            if let Some(params) = answer(stream, &state).await {
                let _ = found.try_send(params);
            }
        }));
    }
}

impl Drop for Connections {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// The query of a request's `GET {target} HTTP/1.1` line (`code`, `state`, `error`, …), from the
/// raw bytes the browser sent; empty for anything else. Later values of a repeated name win.
pub fn callback_query(head: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(head);
    let target = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("GET "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_default();
    url::Url::parse(&format!("http://localhost{target}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// Reads one request; returns its query when it carries `state`, after answering the browser.
async fn answer(mut stream: TcpStream, state: &str) -> Option<HashMap<String, String>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    let read_head = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            match stream.read(&mut buf).await {
                Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
    };
    // One deadline for the whole head: a client trickling a byte at a time is cut off too.
    let _ = tokio::time::timeout(REQUEST_DEADLINE, read_head).await;
    let params = callback_query(&head);
    let (status, title, body, result) = match params.get("state") {
        Some(s) if s == state => (
            "200 OK",
            "You can close this tab",
            "The answer reached M365 Mail Onboarding. Return to the wizard.",
            Some(params),
        ),
        Some(_) => (
            "400 Bad Request",
            "This answer belongs to another sign-in",
            "Its state does not match the sign-in the wizard is waiting for; it was ignored.",
            None,
        ),
        None => ("404 Not Found", "Not found", "Nothing here.", None),
    };
    let page = format!(
        "<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1><p>{body}</p>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{page}",
        page.len()
    );
    let write = async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    };
    let _ = tokio::time::timeout(REQUEST_DEADLINE, write).await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn only_the_request_with_the_right_state_ends_the_wait() {
        let lb = Loopback::bind().await.unwrap();
        let port = lb.port;
        assert_eq!(lb.redirect_uri(), format!("http://localhost:{port}/"));
        let wait = tokio::spawn(async move {
            lb.receive("s1", Duration::from_secs(10), std::future::pending())
                .await
        });
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        assert!(get(port, "/?state=forged&code=x")
            .await
            .starts_with("HTTP/1.1 400"));
        let page = get(port, "/?admin_consent=True&tenant=t&state=s1").await;
        assert!(page.starts_with("HTTP/1.1 200") && page.contains("close this tab"));
        let params = wait.await.unwrap().unwrap();
        assert_eq!(params["admin_consent"], "True");
        assert!(
            TcpStream::connect(("127.0.0.1", port)).await.is_err(),
            "one-shot"
        );
    }

    #[tokio::test]
    async fn the_wait_ends_on_timeout_or_cancel() {
        let lb = Loopback::bind().await.unwrap();
        let d = lb
            .receive("s", Duration::from_millis(50), std::future::pending())
            .await
            .unwrap_err();
        assert_eq!(d.code, "loopback.timeout");
        let lb = Loopback::bind().await.unwrap();
        let d = lb
            .receive("s", Duration::from_secs(10), std::future::ready(()))
            .await
            .unwrap_err();
        assert_eq!(d.code, "loopback.cancelled");
    }
}
