//! IMAP's modified UTF-7 for folder names (RFC 3501 5.1.3): IMAP4rev1 servers send and expect
//! `Anfragen/B&APw-ro` where people read and type `Anfragen/Büro`. Names are kept as Unicode in
//! the core (and in the helpdesk's config, as Zammad keeps them) and encoded when sent.

use base64::alphabet::Alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Base64 with `,` for `/`, without padding; trailing bits must be zero.
const MODIFIED_BASE64: GeneralPurpose = GeneralPurpose::new(
    &match Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,") {
        Ok(a) => a,
        Err(_) => panic!("the modified base64 alphabet is valid"),
    },
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Printable US-ASCII other than `&` stands for itself.
fn is_direct(c: char) -> bool {
    (' '..='~').contains(&c) && c != '&'
}

/// The name as an IMAP4rev1 server expects it.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u16> = Vec::new();
    let flush = |out: &mut String, run: &mut Vec<u16>| {
        if !run.is_empty() {
            let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
            out.push('&');
            out.push_str(&MODIFIED_BASE64.encode(bytes));
            out.push('-');
            run.clear();
        }
    };
    for c in name.chars() {
        if is_direct(c) {
            flush(&mut out, &mut run);
            out.push(c);
        } else if c == '&' {
            flush(&mut out, &mut run);
            out.push_str("&-");
        } else {
            let mut units = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut run);
    out
}

/// The Unicode name, or `None` when `wire` is not canonical modified UTF-7 (raw 8-bit, a bad
/// base64 run, an unpaired surrogate, ASCII hidden in base64): such a name is shown as sent.
pub fn decode(wire: &str) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(c) = rest.chars().next() {
        if c == '&' {
            let end = rest.find('-')?;
            let run = &rest[1..end];
            if run.is_empty() {
                out.push('&');
            } else {
                let bytes = MODIFIED_BASE64.decode(run).ok()?;
                if bytes.len() % 2 != 0 {
                    return None;
                }
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                out.push_str(&String::from_utf16(&units).ok()?);
            }
            rest = &rest[end + 1..];
        } else if is_direct(c) {
            out.push(c);
            rest = &rest[1..];
        } else {
            return None;
        }
    }
    // One spelling per name: anything else (adjacent runs, ASCII in base64) is not canonical.
    (encode(&out) == wire).then_some(out)
}

/// The name to show: decoded, or as sent when it is not modified UTF-7.
pub fn display(wire: &str) -> String {
    decode(wire).unwrap_or_else(|| wire.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_encode_and_decode_as_rfc_3501_says() {
        for (unicode, wire) in [
            ("INBOX", "INBOX"),
            ("", ""),
            ("Anfragen/Büro", "Anfragen/B&APw-ro"),
            ("Tom & Jerry", "Tom &- Jerry"),
            ("&", "&-"),
            ("&&", "&-&-"),
            // RFC 3501's own example.
            ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            ("Entwürfe", "Entw&APw-rfe"),
            ("Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"),
            ("Gelöschte Elemente", "Gel&APY-schte Elemente"),
            ("😀 Fun", "&2D3eAA- Fun"),
            ("tab\there", "tab&AAk-here"),
        ] {
            assert_eq!(encode(unicode), wire, "{unicode}");
            assert_eq!(decode(wire).as_deref(), Some(unicode), "{wire}");
        }
    }

    #[test]
    fn what_is_not_canonical_is_refused_and_shown_as_sent() {
        for bad in [
            "B&APw",      // no closing '-'
            "B&AP!-ro",   // not base64
            "&APw-&APY-", // adjacent runs (ü, ö): one run is the canonical spelling
            "&AEE-",      // ASCII 'A' in base64
            "&2D0-",      // an unpaired surrogate
            "&AAAA-",     // an odd number of bytes
            "Büro",       // raw 8-bit
            "B&APx-ro",   // trailing bits set
        ] {
            assert_eq!(decode(bad), None, "{bad}");
            assert_eq!(display(bad), bad);
        }
    }
}
