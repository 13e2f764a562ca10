//! Files the code generates and the repository commits (the TypeScript bindings, the JSON
//! Schemas in docs/): a test fails when one is stale, and rewrites it when asked.

use std::path::Path;

/// Asserts that `path` (relative to the repository's root) holds `fresh`; with the environment
/// variable `update` set, writes it first. `how` tells the reader how to regenerate it.
pub(crate) fn assert_current(path: &str, fresh: &str, update: &str, how: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../..")
        .join(path);
    if std::env::var_os(update).is_some() {
        std::fs::write(&path, fresh).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fresh, "{} is stale: {how}", path.display());
}
