//! `preview`: a folder's messages, newest first, or one message (headers, text, attachments,
//! or its raw MIME), over Graph or IMAP, read-only.

use crate::cloud_args::CloudArgs;
use crate::mailbox::{folder_id, target, MailboxArgs, Target, Via};
use crate::output;
use crate::search::{search, SearchArgs};
use clap::Args;
use onboard::{
    catalog::Diagnosis,
    mailbox::{search::SearchPage, MailCheckOptions, MessagePage, MessageSummary},
    message::MessageView,
};
use std::io::Write;
use std::process::ExitCode;

#[derive(Args)]
pub struct Preview {
    #[command(flatten)]
    mailbox: MailboxArgs,
    /// The folder's path as `folders` shows it (`Inbox/Inquiries/Tech-Support`), or its id.
    #[arg(long, value_name = "PATH", required_unless_present = "all_folders")]
    folder: Option<String>,
    /// Messages per page, 1 to 50.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=50))]
    top: u32,
    /// The next page: the cursor the previous page printed.
    #[arg(long, value_name = "CURSOR", conflicts_with = "message")]
    cursor: Option<String>,
    /// One message, by the id the list shows: its headers, text and attachments.
    #[arg(long, value_name = "ID")]
    message: Option<String>,
    /// With --message: its raw MIME source instead.
    #[arg(long, requires = "message")]
    raw: bool,
    /// With --message: fetch its remote images (public internet only, as the wizard does) and
    /// inline them; each one not loaded is listed with why.
    #[arg(long, requires = "message", conflicts_with = "raw")]
    remote_images: bool,
    #[command(flatten)]
    search: SearchArgs,
}

async fn page(args: &Preview, t: &Target, folder: &str) -> Result<MessagePage, Diagnosis> {
    let cursor = args.cursor.as_deref();
    match args.mailbox.via {
        Via::Graph => {
            let token = t.token().await?;
            onboard::mailbox::graph_message_page(
                &t.cloud,
                &token,
                &t.graph_mailbox,
                folder,
                args.top,
                cursor,
            )
            .await
        }
        Via::Imap => {
            let (token, opts) = (t.token().await?, MailCheckOptions::default());
            onboard::mailbox::imap_message_page(
                &t.cloud, &token, &t.login, folder, args.top, cursor, &opts,
            )
            .await
        }
    }
}

async fn raw(args: &Preview, t: &Target, folder: &str, id: &str) -> Result<Vec<u8>, Diagnosis> {
    match args.mailbox.via {
        Via::Graph => {
            let token = t.token().await?;
            onboard::mailbox::graph_raw_message(&t.cloud, &token, &t.graph_mailbox, id).await
        }
        Via::Imap => {
            let (token, opts) = (t.token().await?, MailCheckOptions::default());
            onboard::mailbox::imap_raw_message(&t.cloud, &token, &t.login, folder, id, &opts).await
        }
    }
}

pub async fn run(args: Preview, cloud: &CloudArgs, json: bool) -> ExitCode {
    let found = async {
        let t = target(&args.mailbox, cloud).await?;
        let folder = match &args.folder {
            Some(f) => Some(folder_id(&t, args.mailbox.via, f).await?),
            None => None,
        };
        Ok::<_, Diagnosis>((t, folder))
    }
    .await;
    let (t, folder) = match found {
        Ok(f) => f,
        Err(d) => return output::verdict::<()>(json, Err(d), |_| String::new()),
    };
    if args.search.asked() && args.message.is_none() {
        let (via, cursor) = (args.mailbox.via, args.cursor.as_deref());
        let found = search(&args.search, &t, via, folder.as_deref(), args.top, cursor).await;
        return output::verdict(json, found, search_text);
    }
    let folder = folder.unwrap_or_default();
    let Some(id) = &args.message else {
        return output::verdict(json, page(&args, &t, &folder).await, page_text);
    };
    let source = raw(&args, &t, &folder, id).await;
    match source {
        Ok(bytes) if args.raw && !json => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Ok(bytes) if args.raw => output::verdict(
            json,
            Ok(serde_json::json!({ "raw": String::from_utf8_lossy(&bytes) })),
            |_| String::new(),
        ),
        Ok(bytes) => {
            let mut view = onboard::message::parse_message(&bytes, args.remote_images);
            if args.remote_images {
                view.load_remote_images().await;
            }
            output::verdict(json, Ok(view), message_text)
        }
        Err(d) => output::verdict::<MessageView>(json, Err(d), message_text),
    }
}

/// Characters of `s`, at most `n`, with `…` when cut.
fn fit(s: &str, n: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= n {
        format!("{flat:n$}")
    } else {
        let cut: String = flat.chars().take(n.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn size_text(size: Option<u64>) -> String {
    match size {
        Some(b) if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        Some(b) if b >= 1024 => format!("{} KB", b.div_ceil(1024)),
        Some(b) => format!("{b} B"),
        None => String::new(),
    }
}

fn page_text(p: &MessagePage) -> String {
    let rows = p.messages.iter().map(|m| (m, None));
    list_text(rows, p.messages.len(), p.round_trips, p.next.as_deref())
}

/// The folder view's list with each hit's folder, and what capped or stopped the search.
fn search_text(p: &SearchPage) -> String {
    let rows = p
        .messages
        .iter()
        .map(|h| (&h.message, Some(h.folder.as_str())));
    let mut s = list_text(rows, p.messages.len(), p.round_trips, p.next.as_deref());
    if let Some(cap) = p.capped {
        s.push_str(&format!(
            "Graph returns at most {cap} results for a search: narrow it (--since, --from, a folder) to see the rest.\n"
        ));
    }
    if p.stopped {
        s.push_str("Stopped before every folder was searched.\n");
    }
    s
}

fn list_text<'a>(
    rows: impl Iterator<Item = (&'a MessageSummary, Option<&'a str>)>,
    count: usize,
    round_trips: u32,
    next: Option<&str>,
) -> String {
    let mut s = format!(
        "  {:<20}  {}  {}  {:>8}  ID\n",
        "RECEIVED",
        fit("FROM", 28),
        fit("SUBJECT", 40),
        "SIZE"
    );
    for (m, folder) in rows {
        let mark = format!(
            "{}{}",
            if m.is_read { ' ' } else { '*' },
            if m.has_attachments { '@' } else { ' ' }
        );
        s.push_str(&format!(
            "{mark}{:<20}  {}  {}  {:>8}  {}\n",
            m.received,
            fit(&m.from, 28),
            fit(&m.subject, 40),
            size_text(m.size),
            m.id
        ));
        if let Some(f) = folder {
            s.push_str(&format!("  in {f}\n"));
        }
    }
    s.push_str(&format!(
        "{} message{} (* unread, @ with attachments), {} round trip{}\n",
        count,
        if count == 1 { "" } else { "s" },
        round_trips,
        if round_trips == 1 { "" } else { "s" }
    ));
    if let Some(next) = next {
        s.push_str(&format!("Next page: --cursor {next}\n"));
    }
    s
}

fn message_text(v: &MessageView) -> String {
    let mut s = String::new();
    for (k, val) in &v.headers {
        s.push_str(&format!("{k}: {val}\n"));
    }
    for n in &v.notices {
        s.push_str(&format!("! {n}\n"));
    }
    s.push('\n');
    match (&v.text, &v.html_sanitized) {
        (Some(t), _) => s.push_str(t.trim_end()),
        (None, Some(_)) => s.push_str("(HTML only: see it in the wizard, or --raw)"),
        (None, None) => s.push_str("(no text)"),
    }
    s.push('\n');
    for f in &v.remote_image_failures {
        s.push_str(&format!(
            "Remote image not loaded: {}: {}\n",
            f.url, f.reason
        ));
    }
    let unlisted = (v.remote_images as usize).saturating_sub(v.remote_image_failures.len());
    if unlisted > 0 {
        let what = if v.remote_image_failures.is_empty() {
            "blocked (--remote-images loads them)"
        } else {
            "more not loaded"
        };
        s.push_str(&format!("Remote images: {unlisted} {what}\n"));
    }
    for a in &v.attachments {
        s.push_str(&format!(
            "Attachment: {}  {}  {}\n",
            a.name,
            a.content_type,
            size_text(Some(a.size))
        ));
    }
    s
}
