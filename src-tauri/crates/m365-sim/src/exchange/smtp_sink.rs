//! The end of the outgoing mail path: a minimal SMTP server on loopback that Dovecot's submission
//! service relays to, writing each message to `DIR/NNNNNN.eml` for tests to read.
//!
//! Started for a simulator, it also enforces Exchange Online's Send As rule as Exchange does,
//! after DATA: a message whose From the authenticated login may not send as is refused with
//! `554 5.2.252 SendAsDenied`. The sink learns the login from RFC 4954's `AUTH=` parameter of
//! MAIL FROM, which Dovecot's submission relay adds for a relay that offers AUTH (its trusted
//! relay; the sink listens on loopback only). Mail without `AUTH=` (Graph's own relay, which
//! checked Send As itself) is accepted as before.

use crate::tenant::sim::Shared;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

/// Whether `login` may send as `from`.
type SendAsRule = dyn Fn(&str, &str) -> bool + Send + Sync;
type SendAs = Arc<SendAsRule>;

impl SmtpSink {
    /// A sink that accepts every message.
    pub async fn start(dir: &Path) -> std::io::Result<Self> {
        Self::listen(dir, None).await
    }

    /// A sink that refuses what `sim`'s tenants do not allow: Send As without the permission.
    pub async fn start_for(dir: &Path, sim: Shared) -> std::io::Result<Self> {
        let rule: SendAs = Arc::new(move |login, from| sim.world().may_send_as(login, from));
        Self::listen(dir, Some(rule)).await
    }

    async fn listen(dir: &Path, send_as: Option<SendAs>) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let counter = Arc::new(AtomicU64::new(0));
        let out = dir.to_path_buf();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (out, counter, send_as) = (out.clone(), counter.clone(), send_as.clone());
                tokio::spawn(async move {
                    let _ = session(stream, &out, &counter, send_as.as_deref()).await;
                });
            }
        });
        Ok(Self {
            port,
            dir: dir.to_path_buf(),
            task,
        })
    }

    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

/// ENHANCEDSTATUSCODES, so that a relaying server passes our `5.2.252` on unchanged; AUTH, so
/// that Dovecot names the submitting login in `MAIL FROM … AUTH=` (the sink never asks a client
/// to authenticate).
const EHLO: &[u8] =
    b"250-sink.localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN\r\n";

async fn session(
    stream: TcpStream,
    out: &Path,
    counter: &AtomicU64,
    send_as: Option<&SendAsRule>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 sink.localhost ESMTP test sink\r\n")
        .await?;
    let mut envelope = String::new();
    let mut mail_from = String::new();
    let mut login: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: Vec<u8> = match verb.as_str() {
            "EHLO" => EHLO.to_vec(),
            "HELO" => b"250 sink.localhost\r\n".to_vec(),
            "MAIL" | "RCPT" => {
                envelope.push_str(&format!("X-Sink-Envelope: {}\r\n", line.trim_end()));
                if verb == "MAIL" {
                    (mail_from, login) = mail_parameters(&line);
                }
                b"250 2.1.0 Ok\r\n".to_vec()
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut message = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    message.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let headers = std::mem::take(&mut envelope);
                let sender = header_from(&message).unwrap_or_else(|| mail_from.clone());
                match (send_as, login.take()) {
                    (Some(may), Some(login)) if !may(&login, &sender) => format!(
                        "554 5.2.252 SendAsDenied; {login} not allowed to send as {sender}\r\n"
                    )
                    .into_bytes(),
                    _ => {
                        let n = counter.fetch_add(1, Ordering::SeqCst);
                        let tmp = out.join(format!("{n:06}.tmp"));
                        std::fs::write(&tmp, format!("{headers}{message}"))?;
                        std::fs::rename(&tmp, out.join(format!("{n:06}.eml")))?;
                        b"250 2.0.0 Ok: queued\r\n".to_vec()
                    }
                }
            }
            "RSET" => {
                envelope.clear();
                login = None;
                b"250 2.0.0 Ok\r\n".to_vec()
            }
            "NOOP" => b"250 2.0.0 Ok\r\n".to_vec(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 5.5.2 Command not recognized\r\n".to_vec(),
        };
        write.write_all(&reply).await?;
    }
}

/// `MAIL FROM:<path> AUTH=<xtext>`: the reverse path and the authenticated submitter, if named
/// (`AUTH=<>` means unknown, RFC 4954 §5).
fn mail_parameters(line: &str) -> (String, Option<String>) {
    let rest = line.trim_end();
    let path = rest
        .split_once('<')
        .and_then(|(_, r)| r.split_once('>'))
        .map(|(p, _)| p.to_owned())
        .unwrap_or_default();
    let params = rest.rsplit_once('>').map_or("", |(_, p)| p);
    let login = params
        .split_whitespace()
        .find_map(|p| {
            p.split_once('=')
                .filter(|(k, _)| k.eq_ignore_ascii_case("AUTH"))
        })
        .map(|(_, v)| xtext_decode(v))
        .filter(|v| v != "<>" && !v.is_empty());
    (path, login)
}

/// RFC 3461 §4: `+XX` is the byte with hex value XX.
fn xtext_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The address of the message's From header.
fn header_from(message: &str) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse_headers(message.as_bytes())?;
    parsed
        .from()?
        .first()?
        .address
        .as_deref()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_submitter_is_read_from_the_auth_parameter() {
        assert_eq!(
            mail_parameters("MAIL FROM:<support@contoso.test> AUTH=alice@contoso.test\r\n"),
            (
                "support@contoso.test".into(),
                Some("alice@contoso.test".into())
            )
        );
        assert_eq!(
            mail_parameters("MAIL FROM:<a@b.c> BODY=8BITMIME auth=x+2By@b.c\r\n").1,
            Some("x+y@b.c".into())
        );
        assert_eq!(mail_parameters("MAIL FROM:<a@b.c> AUTH=<>\r\n").1, None);
        assert_eq!(mail_parameters("MAIL FROM:<a@b.c>\r\n").1, None);
        assert_eq!(
            header_from("From: Support <support@contoso.test>\r\nTo: x@y.z\r\n\r\nbody\r\n")
                .as_deref(),
            Some("support@contoso.test")
        );
    }
}
