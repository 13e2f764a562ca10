//! Several IMAP reads in one round trip. async-imap waits for each command's reply before it
//! sends the next; here all the commands go out in one write, under tags of our own, and the
//! replies are read until each tag is answered (RFC 3501 §5.5 lets a client send commands
//! without waiting). Only for commands whose results do not depend on each other's message
//! numbers: `STATUS`es, or an `EXAMINE` and a `SEARCH` in it.

use crate::catalog::Diagnosis;
use crate::catalog::{self, MailProtocol};
use crate::cloud::endpoints::MailEndpoint;
use crate::mailbox::imap::check::{self as imap_check, Replies};
use async_imap::error::Error;
use async_imap::imap_proto::{Response, Status};
use std::fmt::Debug;
use tokio::io::{AsyncRead, AsyncWrite};

/// The prefix of our tags: async-imap's own are `A1`, `A2`, …, so a reply cannot be taken for
/// the other's.
const TAG: &str = "P";

/// Why a pipeline stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Command `index` got a `NO` or `BAD`; `line` is the server's reply.
    Refused { index: usize, line: String },
    /// The connection failed or closed before every command was answered.
    Broken(Error),
}

impl Failure {
    /// The index of the refused command, if one was refused.
    pub(crate) fn index(&self) -> Option<usize> {
        match self {
            Failure::Refused { index, .. } => Some(*index),
            Failure::Broken(_) => None,
        }
    }

    pub(crate) fn diagnosis(&self, endpoint: &MailEndpoint, replies: &Replies) -> Diagnosis {
        match self {
            Failure::Refused { line, .. } => catalog::mail_reply(MailProtocol::Imap, line),
            Failure::Broken(e) => imap_check::failure(endpoint, replies, e),
        }
    }
}

/// Sends `commands` at once and reads until each is answered, handing every untagged response
/// to `on_data`. Stops at the first refusal; the caller then drops the session, whose later
/// replies are not read.
pub(crate) async fn pipeline<T>(
    session: &mut async_imap::Session<T>,
    replies: &Replies,
    commands: &[String],
    mut on_data: impl FnMut(&Response<'_>),
) -> Result<(), Failure>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    if commands.is_empty() {
        return Ok(());
    }
    // The encoder ends the last line; the others are ended here.
    let batch = commands
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{TAG}{i} {c}"))
        .collect::<Vec<_>>()
        .join("\r\n");
    session
        .run_command_untagged(batch)
        .await
        .map_err(Failure::Broken)?;
    let mut answered = 0;
    while answered < commands.len() {
        let reply = session
            .read_response()
            .await
            .map_err(|e| Failure::Broken(Error::Io(e)))?
            .ok_or(Failure::Broken(Error::ConnectionLost))?;
        match reply.parsed() {
            Response::Done {
                tag,
                status,
                information,
                ..
            } => {
                let Some(index) = ours(&tag.0) else { continue };
                if *status != Status::Ok {
                    let line = replies.tagged(&tag.0).unwrap_or_else(|| {
                        let word = if *status == Status::Bad { "BAD" } else { "NO" };
                        let info = information.as_deref().unwrap_or_default();
                        format!("{} {word} {info}", tag.0)
                    });
                    return Err(Failure::Refused { index, line });
                }
                answered += 1;
            }
            data => on_data(data),
        }
    }
    Ok(())
}

fn ours(tag: &str) -> Option<usize> {
    tag.strip_prefix(TAG)?.parse().ok()
}

/// A mailbox name as an IMAP quoted string; `None` if it holds a line break, which only a
/// literal could carry.
pub(crate) fn quoted(name: &str) -> Option<String> {
    if name.contains(['\r', '\n']) {
        return None;
    }
    Some(format!(
        "\"{}\"",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::imap_proto::MailboxDatum;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// A server that answers nothing until it has read `n` commands: a client that waited for
    /// each reply would hang here.
    async fn server(io: tokio::io::DuplexStream, n: usize, answers: &'static str) -> Vec<String> {
        let (r, mut w) = tokio::io::split(io);
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"* OK ready\r\n").await.unwrap();
        let login = lines.next_line().await.unwrap().unwrap();
        let tag = login.split(' ').next().unwrap().to_owned();
        w.write_all(format!("{tag} OK logged in\r\n").as_bytes())
            .await
            .unwrap();
        let mut got = vec![];
        while got.len() < n {
            got.push(lines.next_line().await.unwrap().unwrap());
        }
        w.write_all(answers.as_bytes()).await.unwrap();
        got
    }

    async fn session(io: tokio::io::DuplexStream) -> async_imap::Session<tokio::io::DuplexStream> {
        let mut client = async_imap::Client::new(io);
        client.read_response().await.unwrap();
        client.login("u", "p").await.map_err(|(e, _)| e).unwrap()
    }

    /// The pipeline's result, the lines the server read, and the `STATUS` counts seen.
    type Run = (Result<(), Failure>, Vec<String>, Vec<(String, u32)>);

    fn run(n: usize, answers: &'static str) -> Run {
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let (a, b) = tokio::io::duplex(1 << 16);
            let served = tokio::spawn(server(b, n, answers));
            let mut s = session(a).await;
            let commands: Vec<String> = (0..n)
                .map(|i| format!("STATUS {} (MESSAGES)", quoted(&format!("F{i}")).unwrap()))
                .collect();
            let mut seen = vec![];
            let result = tokio::time::timeout(
                std::time::Duration::from_secs(5),
                pipeline(&mut s, &Replies::default(), &commands, |r| {
                    if let Response::MailboxData(MailboxDatum::Status { mailbox, status }) = r {
                        if let Some(async_imap::types::StatusAttribute::Messages(m)) =
                            status.first()
                        {
                            seen.push((mailbox.to_string(), *m));
                        }
                    }
                }),
            )
            .await
            .expect("the pipeline waited for a reply before sending every command");
            (result, served.await.unwrap(), seen)
        })
    }

    #[test]
    fn every_command_is_sent_before_a_reply_is_read() {
        let (result, sent, seen) = run(
            3,
            "* STATUS \"F1\" (MESSAGES 7)\r\nP1 OK\r\n* STATUS \"F0\" (MESSAGES 2)\r\nP0 OK\r\n\
             * STATUS \"F2\" (MESSAGES 0)\r\nP2 OK\r\n",
        );
        result.unwrap();
        assert_eq!(
            sent,
            [
                "P0 STATUS \"F0\" (MESSAGES)",
                "P1 STATUS \"F1\" (MESSAGES)",
                "P2 STATUS \"F2\" (MESSAGES)"
            ]
        );
        assert_eq!(
            seen,
            [("F1".into(), 7), ("F0".into(), 2), ("F2".into(), 0)],
            "replies in the server's order, whichever that is"
        );
    }

    #[test]
    fn a_refusal_names_its_command() {
        let (result, _, _) = run(
            2,
            "* STATUS \"F0\" (MESSAGES 2)\r\nP0 OK\r\nP1 NO [NONEXISTENT] Mailbox doesn't exist: F1\r\n",
        );
        let failure = result.unwrap_err();
        assert_eq!(failure.index(), Some(1));
        let Failure::Refused { line, .. } = failure else {
            unreachable!()
        };
        assert_eq!(line, "P1 NO [NONEXISTENT] Mailbox doesn't exist: F1");
    }

    #[test]
    fn a_closed_connection_is_a_broken_pipeline() {
        let (result, _, _) = run(
            2,
            "* STATUS \"F0\" (MESSAGES 2)\r\nP0 OK\r\n* BYE going\r\n",
        );
        assert!(matches!(result, Err(Failure::Broken(_))), "{result:?}");
    }

    #[test]
    fn names_are_quoted_as_imap_reads_them() {
        assert_eq!(quoted(r#"a "b" \c"#).unwrap(), r#""a \"b\" \\c""#);
        assert_eq!(quoted("a\r\nb"), None);
    }
}
