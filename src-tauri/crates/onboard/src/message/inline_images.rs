//! The images a message carries for its own HTML (`<img src="cid:…">`, RFC 2392), such as the
//! logo in a signature. The preview shows them as `data:` URLs, so its frame still loads
//! nothing; raster types only, bounded like remote images.

use crate::message::image_limits::{IMAGE_TYPES, MAX_IMAGES, MAX_IMAGE_BYTES};
use base64::Engine;
use mail_parser::{Message, MimeHeaders};
use percent_encoding::percent_decode_str;
use std::collections::HashMap;

/// At most this many bytes of a message's inline images are shown, all together.
pub const MAX_INLINE_BYTES: usize = 10 * 1024 * 1024;

/// A message's inline images as `data:` URLs, by Content-ID (lowercased, without `<>`).
#[derive(Debug, Default)]
pub(crate) struct InlineImages(HashMap<String, String>);

impl InlineImages {
    pub(crate) fn of(m: &Message<'_>) -> Self {
        let mut found = HashMap::new();
        let mut total = 0;
        for part in &m.parts {
            let (Some(id), Some(kind)) = (part.content_id(), part.content_type()) else {
                continue;
            };
            let subtype = match kind.subtype().map(str::to_ascii_lowercase) {
                Some(s) if s == "jpg" || s == "pjpeg" => "jpeg".to_owned(),
                Some(s) => s,
                None => continue,
            };
            let bytes = part.contents();
            let fits = !bytes.is_empty()
                && bytes.len() <= MAX_IMAGE_BYTES
                && total + bytes.len() <= MAX_INLINE_BYTES
                && found.len() < MAX_IMAGES;
            if !kind.ctype().eq_ignore_ascii_case("image")
                || !IMAGE_TYPES.contains(&subtype.as_str())
                || !fits
            {
                continue;
            }
            total += bytes.len();
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            found.insert(
                content_id(id),
                format!("data:image/{subtype};base64,{data}"),
            );
        }
        Self(found)
    }

    /// The image a `cid:` URL (lowercased, as the browser reads it) names, if the message has it.
    pub(crate) fn data_url(&self, cid_url: &str) -> Option<String> {
        // A `cid:` URL is the Content-ID percent-encoded (RFC 2392).
        let id = percent_decode_str(cid_url.strip_prefix("cid:")?).decode_utf8_lossy();
        self.0.get(&id.to_lowercase()).cloned()
    }
}

fn content_id(header: &str) -> String {
    let id = header.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    id.strip_suffix('>').unwrap_or(id).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cid_url_is_percent_decoded() {
        let images = InlineImages(HashMap::from([(
            "a@b/c%zz%4".to_owned(),
            "data:".to_owned(),
        )]));
        assert_eq!(
            images.data_url("cid:a%40b%2fc%zz%4").as_deref(),
            Some("data:")
        );
    }
}
