//! Replays the committed cargo-fuzz corpus `fuzz/corpus/probe_negotiation` (real PostgreSQL 15
//! answers behind the 5-byte policy header, and every crash the fuzzer found, kept as
//! regressions) through the fuzz entry point, so a plain `cargo test` catches a regression
//! without the fuzzer.

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Option<Vec<(PathBuf, Vec<u8>)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = entries
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok().map(|data| (e.path(), data)))
        .collect();
    files.sort();
    Some(files)
}

#[test]
fn committed_negotiation_fuzz_corpus_never_extracts_a_secret_from_an_unaccepted_peer() {
    let Some(files) = corpus("probe_negotiation") else {
        eprintln!("SKIP: fuzz/corpus/probe_negotiation is not in this checkout");
        return;
    };
    assert!(!files.is_empty(), "the committed corpus has seeds");
    for (path, data) in files {
        eprintln!("replaying {}", path.display());
        pgtls_probe::fuzzing::negotiation_and_auth(&data);
    }
}
