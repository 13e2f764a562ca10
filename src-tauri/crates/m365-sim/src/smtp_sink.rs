//! The end of the outgoing mail path: a minimal SMTP server on loopback that Dovecot's submission
//! service relays to, writing each message to `DIR/NNNNNN.eml` for tests to read.

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

impl SmtpSink {
    pub async fn start(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let counter = Arc::new(AtomicU64::new(0));
        let out = dir.to_path_buf();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (out, counter) = (out.clone(), counter.clone());
                tokio::spawn(async move {
                    let _ = session(stream, &out, &counter).await;
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

async fn session(stream: TcpStream, out: &Path, counter: &AtomicU64) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 sink.localhost ESMTP test sink\r\n")
        .await?;
    let mut envelope = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 sink.localhost\r\n",
            "MAIL" | "RCPT" => {
                envelope.push_str(&format!("X-Sink-Envelope: {}\r\n", line.trim_end()));
                b"250 2.1.0 Ok\r\n"
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut message = std::mem::take(&mut envelope);
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
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let tmp = out.join(format!("{n:06}.tmp"));
                std::fs::write(&tmp, message)?;
                std::fs::rename(&tmp, out.join(format!("{n:06}.eml")))?;
                b"250 2.0.0 Ok: queued\r\n"
            }
            "RSET" => {
                envelope.clear();
                b"250 2.0.0 Ok\r\n"
            }
            "NOOP" => b"250 2.0.0 Ok\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 5.5.2 Command not recognized\r\n",
        };
        write.write_all(reply).await?;
    }
}
