//! A folder to search in, the same over Graph and IMAP: `Search` (four messages: umlauts, two
//! senders at acme.example, attachments, dates from October to late November 2026) with a
//! child `Search/Archive` (one older message), and `Capped` (1,005 generated messages) for
//! Graph's limit of 1,000 results.

use chrono::{DateTime, Utc};
use m365_sim::tenant::mail_store::{SeedFolder, SeedMessage};
use m365_sim::tenant::seed::Seed;
use std::path::Path;

pub const FOLDER: &str = "Search";
pub const ARCHIVE: &str = "Search/Archive";

/// (file, received, subject): the folder's messages, newest first.
pub const RECHNUNG: &str = "Rechnung Büro 4711";
pub const PRINTER: &str = "Printer jam ticket";
pub const INVOICE: &str = "Invoice November";
pub const LUNCH: &str = "Lunch on Friday";
pub const OLD_PRINTER: &str = "Old printer jam";

fn plain(from: &str, subject: &str, date: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: alice@contoso.test\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{}@search.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        subject.len() * 7 + body.len()
    )
}

fn with_pdf(from: &str, subject: &str, date: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: alice@contoso.test\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{}@search.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n--b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n",
        subject.len() * 11 + body.len()
    )
}

fn message(dir: &Path, name: &str, eml: String, received: &str) -> SeedMessage {
    let path = dir.join(name);
    std::fs::write(&path, eml).unwrap();
    SeedMessage {
        eml: path,
        received: received.parse::<DateTime<Utc>>().unwrap(),
        is_read: false,
    }
}

fn folder(
    name: &str,
    messages: Vec<SeedMessage>,
    children: Vec<SeedFolder>,
    generated: usize,
) -> SeedFolder {
    SeedFolder {
        name: name.into(),
        messages,
        children,
        hidden: false,
        generated,
    }
}

/// Adds the folders to `mailbox`'s seed; the message files are written to `dir` (keep it until
/// the simulator has started).
pub fn add(seed: &mut Seed, mailbox: &str, dir: &Path) {
    let m = |n, eml, at| message(dir, n, eml, at);
    let search = folder(
        FOLDER,
        vec![
            m(
                "1.eml",
                with_pdf(
                    "Jörg Müller <joerg@kunde.example>",
                    RECHNUNG,
                    "Tue, 24 Nov 2026 10:30:00 +0100",
                    "Bitte um Rückruf wegen der Druckerstörung.",
                ),
                "2026-11-24T09:30:00Z",
            ),
            m(
                "2.eml",
                plain(
                    "Acme Support <help@acme.example>",
                    PRINTER,
                    "Fri, 20 Nov 2026 12:00:00 +0000",
                    "The printer jam persists on floor two.",
                ),
                "2026-11-20T12:00:00Z",
            ),
            m(
                "3.eml",
                with_pdf(
                    "Acme Billing <billing@acme.example>",
                    INVOICE,
                    "Tue, 10 Nov 2026 12:00:00 +0000",
                    "Your invoice is attached.",
                ),
                "2026-11-10T12:00:00Z",
            ),
            m(
                "4.eml",
                plain(
                    "Someone <someone@other.example>",
                    LUNCH,
                    "Thu, 01 Oct 2026 12:00:00 +0000",
                    "Pizza for the team.",
                ),
                "2026-10-01T12:00:00Z",
            ),
        ],
        vec![folder(
            "Archive",
            vec![m(
                "5.eml",
                plain(
                    "Acme Support <help@acme.example>",
                    OLD_PRINTER,
                    "Mon, 01 Jun 2026 12:00:00 +0000",
                    "The printer jam is fixed.",
                ),
                "2026-06-01T12:00:00Z",
            )],
            vec![],
            0,
        )],
        0,
    );
    let boxes = &mut seed.mailboxes;
    let mb = boxes.get_mut(mailbox).unwrap();
    mb.folders.push(search);
    mb.folders.push(folder("Capped", vec![], vec![], 1005));
}
