//! The corpus of headers that break the RFCs (tests/corpus/broken-headers/, one mail per way
//! real mail breaks them) as the preview shows them: From, To, Cc, Subject and attachment names
//! in the detail view, and From and Subject in the message list over IMAP (the real Dovecot)
//! and over Graph (the simulator, which stores headers decoded as Exchange does). The expected
//! texts are what the bytes mean, written by hand.
//! The list test needs root and Dovecot, as `make test` has.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use chrono::{DateTime, Duration, Utc};
use m365_sim::tenant::mail_store::SeedFolder;
use m365_sim::tenant::mail_store::SeedMessage;
use onboard::identity::{GraphAudience, OutlookAudience, Resource};
use onboard::mailbox::{
    graph_folders, graph_message_page, graph_raw_message, imap_message_page, imap_raw_message,
    Folder, MailLogin, MessageSummary,
};
use onboard::message::{parse_message, MessageView};
use std::path::PathBuf;
use support::mail::{opts, typed, MailWorld, ALICE, GRAPH_SCOPE};

struct Case {
    file: &'static str,
    from: &'static str,
    to: &'static str,
    cc: Option<&'static str>,
    subject: &'static str,
    attachments: &'static [&'static str],
}

const fn case(
    file: &'static str,
    from: &'static str,
    to: &'static str,
    subject: &'static str,
) -> Case {
    Case {
        file,
        from,
        to,
        cc: None,
        subject,
        attachments: &[],
    }
}

const CASES: &[Case] = &[
    case(
        "raw-utf-8",
        "Zoë Ångström <zoe@example.test>",
        "Jörg Müller <joerg@example.test>",
        "Grüße aus Malmö – Angebot №7",
    ),
    case(
        "raw-windows-1252",
        "Jörg Müller <joerg@example.test>",
        "Zoë Ångström <zoe@example.test>",
        "Grüße aus Köln – Rechnung über 25 €",
    ),
    case(
        "raw-koi8-r",
        "Иван Петров <ivan@example.test>",
        "Ольга Смирнова <olga@example.test>",
        "Счёт на оплату за декабрь",
    ),
    case(
        "raw-windows-1251",
        "Сергей Козлов <sergey@example.test>",
        "Анна Иванова <anna@example.test>",
        "Привет, мир! Отчёт за ноябрь",
    ),
    case(
        "raw-shift_jis",
        "ソフト開発部 山田 <yamada@example.jp>",
        "佐藤花子 <sato@example.jp>",
        "会議の資料について（ソフト表）",
    ),
    case(
        "raw-euc-kr",
        "김철수 <kim@example.kr>",
        "이영희 <lee@example.kr>",
        "안녕하세요, 회의 일정 안내",
    ),
    case(
        "raw-gb18030",
        "张伟 <zhang@example.cn>",
        "李娜 <li@example.cn>",
        "你好，关于下周的会议安排",
    ),
    case(
        "raw-iso-2022-jp",
        "山田太郎 <yamada@example.jp>",
        "鈴木一郎 <suzuki@example.jp>",
        "会議の資料について",
    ),
    case(
        "charset-from-content-type",
        "Paweł Wiśniewski <pawel@example.pl>",
        "Małgorzata Żak <gosia@example.pl>",
        "Zażółć gęślą jaźń - faktura",
    ),
    Case {
        cc: Some(
            "José <jose@example.es>, François <francois@example.fr>, Anna Müller <anna@example.de>",
        ),
        ..case(
            "mislabelled-encoded-words",
            "张伟 <zhang@example.cn>",
            "דנה לוי <dana@example.il>, สมชาย <somchai@example.th>",
            "회의 일정 – Café",
        )
    },
    case(
        "unknown-encoded-word-charset",
        "Jörg Müller <joerg@example.test>",
        "Zoë Ångström <zoe@example.test>",
        "Grüße aus Köln",
    ),
    Case {
        attachments: &["Отчёт за ноябрь.xls"],
        ..case(
            "attachment-name-raw-8bit",
            "Sergey <sergey@example.test>",
            "anna@example.test",
            "Отчёт за ноябрь",
        )
    },
    Case {
        attachments: &["会議の資料.pdf", "회의록.hwp", "会议纪要.docx", "Счёт.txt"],
        ..case(
            "attachment-name-rfc2231-legacy",
            "Documents <docs@example.test>",
            "team@example.test",
            "Minutes",
        )
    },
];

fn eml(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/corpus/broken-headers")
        .join(format!("{file}.eml"))
}

/// Each case's mail has its own minute on 2026-12-07, the first the oldest.
fn received(i: usize) -> DateTime<Utc> {
    "2026-12-07T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        + Duration::minutes(i64::try_from(i).unwrap())
}

fn header<'a>(view: &'a MessageView, name: &str) -> Option<&'a str> {
    view.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every mismatch of the detail view of `c`'s mail with what it says, as lines.
fn detail_mismatches(c: &Case, view: &MessageView, how: &str) -> Vec<String> {
    let names: Vec<&str> = view.attachments.iter().map(|a| a.name.as_str()).collect();
    let got = [
        ("From", header(view, "From"), Some(c.from)),
        ("To", header(view, "To"), Some(c.to)),
        ("Cc", header(view, "Cc"), c.cc),
        ("Subject", header(view, "Subject"), Some(c.subject)),
    ];
    let mut out: Vec<String> = got
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(k, got, want)| format!("{how} {}: {k} {got:?}, not {want:?}", c.file))
        .collect();
    if names != c.attachments {
        out.push(format!(
            "{how} {}: attachments {names:?}, not {:?}",
            c.file, c.attachments
        ));
    }
    out
}

#[test]
fn the_detail_view_reads_every_broken_header_as_its_bytes_mean() {
    let mut wrong = Vec::new();
    for c in CASES {
        let view = parse_message(&std::fs::read(eml(c.file)).unwrap(), false);
        assert!(view.notices.is_empty(), "{}: {:?}", c.file, view.notices);
        wrong.extend(detail_mismatches(c, &view, "detail"));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The mail whose raw 8-bit attachment name is in its BODYSTRUCTURE, which imap-proto 0.16
/// cannot read: the IMAP list of its folder is read again without BODYSTRUCTURE. It has a
/// folder of its own, so that the Inbox proves the list that reads it.
const RAW_NAME: &str = "attachment-name-raw-8bit";
const RAW_NAMES_FOLDER: &str = "Raw names";

/// What is wrong with the list rows of the `cases` (found by their received minute).
fn row_mismatches(rows: &[MessageSummary], cases: &[usize], how: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in CASES.iter().enumerate().filter(|(i, _)| cases.contains(i)) {
        let when = received(i).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let Some(row) = rows.iter().find(|r| r.received == when) else {
            out.push(format!("{how} {}: no row received {when}", c.file));
            continue;
        };
        if row.from != c.from || row.subject != c.subject {
            out.push(format!(
                "{how} {}: row {:?} / {:?}, not {:?} / {:?}",
                c.file, row.from, row.subject, c.from, c.subject
            ));
        }
        let attached = !c.attachments.is_empty();
        if row.has_attachments != attached {
            out.push(format!(
                "{how} {}: has_attachments {}",
                c.file, row.has_attachments
            ));
        }
    }
    out
}

#[tokio::test]
async fn the_list_and_the_detail_read_broken_headers_over_imap_and_graph() {
    // A test-local seed: the corpus in alice's Inbox, beside the demo's three messages.
    let w = MailWorld::start_with(|seed| {
        let folders = &mut seed.mailboxes.get_mut(ALICE).unwrap().folders;
        let mut raw_names = SeedFolder {
            name: RAW_NAMES_FOLDER.into(),
            messages: vec![],
            children: vec![],
            hidden: false,
            generated: 0,
        };
        assert_eq!(folders[0].name, "Inbox");
        for (i, c) in CASES.iter().enumerate() {
            let m = SeedMessage {
                eml: eml(c.file),
                received: received(i),
                is_read: false,
            };
            match c.file {
                RAW_NAME => raw_names.messages.push(m),
                _ => folders[0].messages.push(m),
            }
        }
        folders.push(raw_names);
    })
    .await;
    let cloud = w.cloud();
    let mut wrong = Vec::new();
    let in_inbox: Vec<usize> = (0..CASES.len())
        .filter(|i| CASES[*i].file != RAW_NAME)
        .collect();

    let token = typed::<OutlookAudience>(&w.outlook_token(ALICE).await, Resource::Outlook);
    let login = MailLogin::own(ALICE, token.secret());
    let raw_name = [CASES.iter().position(|c| c.file == RAW_NAME).unwrap()];
    for (folder, cases) in [("INBOX", &in_inbox[..]), (RAW_NAMES_FOLDER, &raw_name[..])] {
        let page = imap_message_page(&cloud, &token, &login, folder, 50, None, &opts())
            .await
            .unwrap();
        wrong.extend(row_mismatches(&page.messages, cases, "IMAP list"));
        for i in cases {
            let when = received(*i).format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let Some(row) = page.messages.iter().find(|r| r.received == when) else {
                continue;
            };
            let raw = imap_raw_message(&cloud, &token, &login, folder, &row.id, &opts())
                .await
                .unwrap();
            wrong.extend(detail_mismatches(
                &CASES[*i],
                &parse_message(&raw, false),
                "IMAP detail",
            ));
        }
    }

    let gtoken = typed::<GraphAudience>(&w.token(ALICE, GRAPH_SCOPE).await, Resource::Graph);
    let tree = graph_folders(&cloud, &gtoken, "me", false).await.unwrap();
    let raw_names = Folder::find(&tree, RAW_NAMES_FOLDER).unwrap().id.clone();
    for (folder, cases) in [("inbox", &in_inbox[..]), (&raw_names, &raw_name[..])] {
        let page = graph_message_page(&cloud, &gtoken, "me", folder, 50, None)
            .await
            .unwrap();
        wrong.extend(row_mismatches(&page.messages, cases, "Graph list"));
        for i in cases {
            let when = received(*i).format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let Some(row) = page.messages.iter().find(|r| r.received == when) else {
                continue;
            };
            let raw = graph_raw_message(&cloud, &gtoken, "me", &row.id)
                .await
                .unwrap();
            wrong.extend(detail_mismatches(
                &CASES[*i],
                &parse_message(&raw, false),
                "Graph detail",
            ));
        }
    }
    w.stop().await;
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
