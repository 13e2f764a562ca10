//! One message as the preview shows it, from its raw MIME: parsed, its HTML sanitised (its depth
//! estimated first, since deep nesting makes the parser slow), its own images inlined, remote
//! ones fetched only when allowed, its attachments saved. It is handed bytes and knows nothing of
//! mailboxes.
//!
//! Uses catalog/ and platform/.

pub mod header_text;
pub mod html_depth;
pub mod image_limits;
pub(crate) mod inline_images;
pub mod remote_images;
pub(crate) mod sanitize;
pub mod saved_file;
pub mod view;

pub use remote_images::{inline_remote_images, RemoteImageFailure, RemoteImages};
pub use saved_file::{eml_file_name, safe_file_name, save_private_file};
pub use view::{attachment_bytes, parse_message, sanitize_html, AttachmentInfo, MessageView};
