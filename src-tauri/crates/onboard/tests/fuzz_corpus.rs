//! Replays the committed fuzz seeds (`fuzz/seeds/<target>/`) through the fuzz targets' own
//! bodies, on stable: every property the fuzzer checks holds for every seed, in `make test`.
//! `make fuzz` looks for new inputs; a crash it finds is fixed and its input added to the seeds.

#[path = "../fuzz/bodies/mod.rs"]
mod bodies;

use std::path::PathBuf;

fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    // An empty directory would make this test pass while replaying nothing.
    assert!(
        files.len() >= 5,
        "{} holds only {} seeds",
        dir.display(),
        files.len()
    );
    files
}

#[test]
fn every_seed_keeps_every_property() {
    let mut failed = Vec::new();
    for (target, body) in bodies::TARGETS {
        for file in seeds(target) {
            let data = std::fs::read(&file).expect("a readable seed");
            // The panic's message (the property broken) is printed as it happens. (So is
            // mail-parser's on message/found-mail-parser-panic.eml, which the core catches.)
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                failed.push(format!("{target}: {}", file.display()));
            }
        }
    }
    assert!(failed.is_empty(), "seeds that fail:\n{}", failed.join("\n"));
}
