//! Search in the preview, read-only, over the channel's own protocol: the query and its
//! validation (query.rs), the page it answers, shaped as the folder view's (page.rs), Graph's
//! `$search`/`$filter` (graph_search.rs), IMAP's `UID SEARCH` under `EXAMINE`
//! (imap_search.rs), and a kept profile's search on the preview's connections
//! (profile_search.rs).
//!
//! Uses the preview's code: mailbox/graph/preview.rs and mailbox/imap/preview.rs turn results
//! into list entries, mailbox/preview.rs keeps the connections.

pub mod graph_search;
pub mod imap_search;
pub mod page;
pub mod profile_search;
pub mod query;

pub use graph_search::{graph_search, SEARCH_CAP};
pub use page::{no_progress, Progress, SearchHit, SearchPage, SearchProgress};
pub use profile_search::profile_search;
pub use query::{SearchQuery, SearchScope, ValidQuery};
