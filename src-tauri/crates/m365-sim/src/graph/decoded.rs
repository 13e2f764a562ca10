//! A message as Exchange stores it: its headers decoded, whatever charset their raw bytes or
//! encoded words were in. Read by the message representation, search and attachments alike.

use crate::tenant::mail_store::Entry;
use mail_parser::MessageParser;

pub(super) fn read_decoded(entry: &Entry) -> Vec<u8> {
    let raw = std::fs::read(&entry.path).unwrap_or_default();
    let decoded = MessageParser::default()
        .parse(&raw)
        .and_then(|m| super::header_text::utf8_headers(&m));
    decoded.unwrap_or(raw)
}
