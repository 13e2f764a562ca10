//! `sendMail`: the message goes to recipients in the tenant's mailboxes, out by SMTP to the
//! configured sink for everyone else, and to the sender's Sent Items. Sending from a shared
//! mailbox needs a `.Shared` scope and send-as, as Exchange Online requires.

use super::caller::Caller;
use super::error::GraphError;
use super::mailbox::{locate, Params};
use crate::tenant::sim::{lock, Shared};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn bad(message: &str) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidRecipients", message)
}

fn addresses(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["emailAddress"]["address"].as_str().map(str::to_owned))
        .collect()
}

pub async fn send_mail(
    State(sim): State<Shared>,
    caller: Caller,
    Path(p): Params,
    Json(body): Json<Value>,
) -> Result<StatusCode, GraphError> {
    let found = locate(&sim, &caller, p.get("user").map(String::as_str))?;
    let from = found.mailbox.address.clone();
    let allowed = match caller.0.user.as_deref() {
        None => caller.has_any(&["Mail.Send"]),
        Some(me) if me.eq_ignore_ascii_case(&from) => caller.has_any(&["Mail.Send"]),
        Some(me) => {
            if !found.send_as.iter().any(|d| d.eq_ignore_ascii_case(me)) {
                return Err(GraphError::new(
                    StatusCode::FORBIDDEN,
                    "ErrorSendAsDenied",
                    "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.",
                ));
            }
            caller.has_any(&["Mail.Send.Shared"])
        }
    };
    if !allowed {
        return Err(GraphError::access_denied());
    }
    let message = &body["message"];
    let to = addresses(&message["toRecipients"]);
    let cc = addresses(&message["ccRecipients"]);
    if to.is_empty() && cc.is_empty() {
        return Err(bad(
            "At least one recipient is required, but none were found.",
        ));
    }
    let now = sim.clock.now();
    let html = message["body"]["contentType"]
        .as_str()
        .is_some_and(|c| c.eq_ignore_ascii_case("html"));
    let mut mime = format!(
        "From: {from}\r\nTo: {}\r\n{}Subject: {}\r\nDate: {}\r\nMessage-ID: <{}@m365-sim>\r\nMIME-Version: 1.0\r\nContent-Type: text/{}; charset=utf-8\r\n\r\n",
        to.join(", "),
        if cc.is_empty() { String::new() } else { format!("Cc: {}\r\n", cc.join(", ")) },
        message["subject"].as_str().unwrap_or_default().replace(['\r', '\n'], " "),
        now.to_rfc2822(),
        uuid::Uuid::new_v4(),
        if html { "html" } else { "plain" },
    );
    mime.push_str(
        &message["body"]["content"]
            .as_str()
            .unwrap_or_default()
            .replace('\n', "\r\n")
            .replace("\r\r\n", "\r\n"),
    );
    mime.push_str("\r\n");

    let store_error = |e: std::io::Error| {
        GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ErrorInternalServerError",
            e.to_string(),
        )
    };
    let mut external = Vec::new();
    for rcpt in to.iter().chain(&cc) {
        let local = locate(&sim, &caller, Some(rcpt)).is_ok();
        if local {
            sim.mail
                .deliver(rcpt, "Inbox", mime.as_bytes(), now, false)
                .map_err(store_error)?;
        } else {
            external.push(rcpt.clone());
        }
    }
    if !external.is_empty() {
        let relay = *lock(&sim.outgoing);
        if let Some(addr) = relay {
            relay_smtp(addr, &from, &external, &mime)
                .await
                .map_err(|e| {
                    GraphError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ErrorMessageSubmissionBlocked",
                        format!("The message could not be relayed: {e}"),
                    )
                })?;
        }
    }
    if body["saveToSentItems"].as_bool() != Some(false) {
        sim.mail
            .deliver(&from, "Sent Items", mime.as_bytes(), now, true)
            .map_err(store_error)?;
    }
    Ok(StatusCode::ACCEPTED)
}

/// A minimal SMTP client for the loopback sink.
async fn relay_smtp(
    addr: std::net::SocketAddr,
    from: &str,
    to: &[String],
    mime: &str,
) -> std::io::Result<()> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let expect = |line: Option<String>, code: &str| match line {
        Some(l) if l.starts_with(code) => Ok(()),
        other => Err(std::io::Error::other(format!(
            "SMTP answered {other:?}, expected {code}"
        ))),
    };
    expect(lines.next_line().await?, "220")?;
    let mut commands = vec![
        ("EHLO m365-sim".to_owned(), "250"),
        (format!("MAIL FROM:<{from}>"), "250"),
    ];
    commands.extend(to.iter().map(|t| (format!("RCPT TO:<{t}>"), "250")));
    commands.push(("DATA".into(), "354"));
    for (cmd, code) in commands {
        write.write_all(format!("{cmd}\r\n").as_bytes()).await?;
        let mut reply = lines.next_line().await?;
        while reply
            .as_deref()
            .is_some_and(|l| l.as_bytes().get(3) == Some(&b'-'))
        {
            reply = lines.next_line().await?;
        }
        expect(reply, code)?;
    }
    let stuffed: String = mime
        .split("\r\n")
        .map(|l| {
            if l.starts_with('.') {
                format!(".{l}\r\n")
            } else {
                format!("{l}\r\n")
            }
        })
        .collect();
    write.write_all(stuffed.as_bytes()).await?;
    write.write_all(b".\r\n").await?;
    expect(lines.next_line().await?, "250")?;
    write.write_all(b"QUIT\r\n").await?;
    Ok(())
}
