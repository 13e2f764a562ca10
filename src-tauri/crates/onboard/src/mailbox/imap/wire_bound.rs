//! A bound on what one IMAP server response may be, applied to the bytes as they arrive (before
//! the IMAP client buffers them): a literal announced larger than the largest read the wizard
//! asks for (`{4294967295}`), or a response whose lines and literals never end, fails the read at
//! once. The client itself would reserve up to 512 MB for either.

use crate::catalog::Diagnosis;
use crate::mailbox::message_page::MAX_RAW_BYTES;
use std::fmt;

/// The largest literal: the raw message the preview fetches (`BODY.PEEK[]<0.MAX+1>`).
pub const MAX_LITERAL: u64 = MAX_RAW_BYTES as u64 + 1;

/// The longest line: far more than any answer but one needs (the client parses a line again
/// with every read until it ends, so a longer one costs time by its square).
pub const MAX_LINE: u64 = 1024 * 1024;

/// The longest `* SEARCH` line, the one answer that grows with the mailbox: about a million
/// message numbers. Also the most text one response may have outside its literals.
pub const MAX_TEXT: u64 = 8 * 1024 * 1024;

/// A line's tail long enough to hold a literal's announcement at its end (a longer number
/// than fits is no u32, which the client refuses to parse).
const TAIL: usize = 32;

/// Where the reader is in the server's byte stream.
#[derive(Debug, Default)]
pub(crate) struct WireBound {
    /// Bytes of the current literal still to come.
    literal_left: u64,
    /// The current response so far: its text, and its literals.
    text: u64,
    literals: u64,
    /// The current line's length, its start (is it a `* SEARCH`?) and its end (for its `{N}`).
    line: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
}

/// What [`WireBound::take`] refused; carried as the IMAP client's I/O error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TooLarge {
    Literal(u64),
    Line(u64),
    Text,
    Response,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TooLarge::Literal(n) => write!(
                f,
                "the server announced a literal of {n} bytes, more than the {MAX_LITERAL} the wizard reads"
            ),
            TooLarge::Line(max) => write!(
                f,
                "the server sent a line of more than {} MB",
                max / (1024 * 1024)
            ),
            TooLarge::Text => write!(
                f,
                "the server sent a response of more than {} MB of text",
                MAX_TEXT / (1024 * 1024)
            ),
            TooLarge::Response => write!(
                f,
                "the server sent a response of more than {} MB in literals",
                MAX_LITERAL / (1024 * 1024)
            ),
        }
    }
}

impl std::error::Error for TooLarge {}

impl WireBound {
    /// Follows `bytes`, read from the server after what came before.
    pub(crate) fn take(&mut self, mut bytes: &[u8]) -> Result<(), TooLarge> {
        while !bytes.is_empty() {
            if self.literal_left > 0 {
                let n = self.literal_left.min(bytes.len() as u64);
                self.literal_left -= n;
                bytes = &bytes[usize::try_from(n).unwrap_or(bytes.len())..];
                continue;
            }
            let b = bytes[0];
            bytes = &bytes[1..];
            self.text += 1;
            if b != b'\n' {
                self.line += 1;
                let max = if is_search(&self.head) {
                    MAX_TEXT
                } else {
                    MAX_LINE
                };
                if self.line > max {
                    return Err(TooLarge::Line(max));
                }
                if self.text > MAX_TEXT {
                    return Err(TooLarge::Text);
                }
                if self.head.len() < SEARCH_HEAD {
                    self.head.push(b);
                }
                if self.tail.len() == TAIL {
                    self.tail.remove(0);
                }
                self.tail.push(b);
                continue;
            }
            let literal = announced(&self.tail);
            self.tail.clear();
            self.head.clear();
            self.line = 0;
            match literal {
                Some(Err(())) => return Err(TooLarge::Literal(u64::MAX)),
                Some(Ok(n)) if n > MAX_LITERAL => return Err(TooLarge::Literal(n)),
                Some(Ok(n)) => {
                    self.literals += n;
                    if self.literals > MAX_LITERAL {
                        return Err(TooLarge::Response);
                    }
                    self.literal_left = n;
                }
                // The response ends with this line.
                None => (self.text, self.literals) = (0, 0),
            }
        }
        Ok(())
    }
}

/// The bytes of a line's start that tell a `SEARCH` answer.
const SEARCH_HEAD: usize = 10;

/// `* SEARCH ` or `* ESEARCH `, the start of a line (any case).
fn is_search(head: &[u8]) -> bool {
    let head = head.to_ascii_uppercase();
    head.starts_with(b"* SEARCH ") || head.starts_with(b"* ESEARCH ")
}

/// The size of the literal a line (without its `\n`) announces at its end: `{N}` or `{N+}`;
/// `Err` for a number too long to count.
fn announced(line: &[u8]) -> Option<Result<u64, ()>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let inner = inner.strip_suffix(b"+").unwrap_or(inner);
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or(()),
    )
}

/// The diagnosis of a refused response.
pub(crate) fn too_large(endpoint: &str, why: &TooLarge) -> Diagnosis {
    Diagnosis::new(
        "imap.response_too_large",
        format!("The IMAP server {endpoint} sent more than the wizard reads"),
        format!("The wizard stopped reading and closed the connection: {why}."),
        "Check that the IMAP host and port point at Exchange Online (outlook.office365.com:993) and not at another server or a proxy that alters the connection.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_skipped_by_length_and_bounded() {
        let mut w = WireBound::default();
        w.take(b"* 1 FETCH (BODY[] {5}\r\nab\n}{ UID 7)\r\na1 OK done\r\n")
            .unwrap();
        assert_eq!((w.text, w.literals, w.literal_left), (0, 0, 0));
        let mut w = WireBound::default();
        assert_eq!(
            w.take(b"* 1 FETCH (BODY[] {4294967295}\r\n"),
            Err(TooLarge::Literal(4_294_967_295))
        );
        let mut w = WireBound::default();
        assert_eq!(
            w.take(b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n"),
            Err(TooLarge::Literal(u64::MAX))
        );
        let mut w = WireBound::default();
        assert!(w.take(b"* 1 FETCH (BODY[] {52428801+}\r\n").is_ok());
    }

    #[test]
    fn a_response_without_end_is_refused() {
        let mut w = WireBound::default();
        assert_eq!(
            w.take(&vec![b'x'; 1024 * 1024 + 1]),
            Err(TooLarge::Line(MAX_LINE))
        );
        // A SEARCH answer may be longer, but not without end.
        let mut w = WireBound::default();
        w.take(b"* SEARCH").unwrap();
        let numbers = b" 1234567".repeat(128 * 1024);
        let mut result = Ok(());
        for _ in 0..=MAX_TEXT / numbers.len() as u64 {
            result = w.take(&numbers);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(TooLarge::Line(MAX_TEXT)));
        // Lines joined by empty literals are one response: its text is bounded too.
        let mut w = WireBound::default();
        let line = [vec![b'x'; 512 * 1024], b" {0}\r\n".to_vec()].concat();
        let mut result = Ok(());
        for _ in 0..=MAX_TEXT / line.len() as u64 {
            result = w.take(&line);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(TooLarge::Text));
        let mut w = WireBound::default();
        let chunk = vec![0u8; 4 * 1024 * 1024];
        let mut result = Ok(());
        for i in 0..100 {
            result = w
                .take(format!(" BODY[{i}] {{{}}}\r\n", chunk.len()).as_bytes())
                .and_then(|()| w.take(&chunk));
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(TooLarge::Response));
    }
}
