//! A scripted IMAP server on loopback, without TLS, for what Dovecot cannot be made to do (refuse
//! `CHARSET UTF-8`, lack `LIST-STATUS`): it greets with `capabilities`, signs anyone in, answers
//! each command with what `answer` gives for it (`BAD` when nothing), says goodbye to `LOGOUT`,
//! and returns every command line it read (literals joined in).

use onboard::cloud::{Cloud, CloudPreset, TlsMode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::task::JoinHandle;

/// `answer(tag, command)`: the reply lines, the tagged one included.
pub async fn serve(
    capabilities: &'static str,
    answer: impl Fn(&str, &str) -> Option<String> + Send + 'static,
) -> (u16, JoinHandle<Vec<String>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let (r, mut w) = tcp.into_split();
        let mut r = BufReader::new(r);
        let mut seen = Vec::new();
        w.write_all(format!("* OK [CAPABILITY {capabilities}] fake ready\r\n").as_bytes())
            .await
            .unwrap();
        loop {
            let mut line = Vec::new();
            if r.read_until(b'\n', &mut line).await.unwrap() == 0 {
                return seen;
            }
            let mut text = String::from_utf8_lossy(&line).trim_end().to_owned();
            // A literal: go ahead, then its bytes and the rest of the command.
            while let Some(n) = text
                .strip_suffix('}')
                .and_then(|t| t.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok())
            {
                w.write_all(b"+ go ahead\r\n").await.unwrap();
                let mut literal = vec![0; n];
                r.read_exact(&mut literal).await.unwrap();
                let mut rest = Vec::new();
                r.read_until(b'\n', &mut rest).await.unwrap();
                text = format!(
                    "{text}{}{}",
                    String::from_utf8_lossy(&literal),
                    String::from_utf8_lossy(&rest).trim_end()
                );
            }
            seen.push(text.clone());
            let (tag, command) = text.split_once(' ').unwrap_or((&text, ""));
            let upper = command.to_ascii_uppercase();
            let reply = if upper.starts_with("AUTHENTICATE") {
                format!("{tag} OK signed in\r\n")
            } else if upper.starts_with("LOGOUT") {
                w.write_all(format!("* BYE bye\r\n{tag} OK\r\n").as_bytes())
                    .await
                    .unwrap();
                return seen;
            } else {
                answer(tag, command).unwrap_or_else(|| format!("{tag} BAD unknown\r\n"))
            };
            w.write_all(reply.as_bytes()).await.unwrap();
        }
    });
    (port, task)
}

/// The global cloud with its IMAP host on the fake server at `port`.
pub fn cloud(port: u16) -> Cloud {
    let mut cloud = Cloud::preset(CloudPreset::Global);
    cloud.imap = format!("127.0.0.1:{port}");
    cloud.imap_tls = TlsMode::None;
    cloud
}
