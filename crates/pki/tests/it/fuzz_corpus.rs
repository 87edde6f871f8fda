//! Replays the committed cargo-fuzz corpus `fuzz/corpus/pki_certificate_input` (real
//! certificates, PEM bundles and every crash the fuzzer found, kept as regressions) through the
//! fuzz entry point, so a plain `cargo test` catches a regression without the fuzzer.

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
fn committed_certificate_fuzz_corpus_replays_without_panicking() {
    let Some(files) = corpus("pki_certificate_input") else {
        eprintln!("SKIP: fuzz/corpus/pki_certificate_input is not in this checkout");
        return;
    };
    assert!(!files.is_empty(), "the committed corpus has seeds");
    for (path, data) in files {
        eprintln!("replaying {}", path.display());
        pgtls_pki::fuzzing::certificate_input(&data);
    }
}
