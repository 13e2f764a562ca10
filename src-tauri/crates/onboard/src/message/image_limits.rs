//! How much of a message's images the preview shows, remote or its own: the same bounds and
//! raster types for both, so neither path lets a hostile mail load more.

/// At most this many images per message are fetched; the rest stay blocked.
pub const MAX_IMAGES: usize = 40;
/// An image larger than this stays blocked.
pub const MAX_IMAGE_BYTES: usize = 3 * 1024 * 1024;

/// The raster types shown; SVG can carry script and links.
pub(crate) const IMAGE_TYPES: [&str; 5] = ["png", "jpeg", "gif", "webp", "bmp"];
