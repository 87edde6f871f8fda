//! Replays the fuzz entry points on seeds and, when present, on the cargo-fuzz corpora under
//! `fuzz/corpus/scram_*`.

use std::path::Path;

use pgtls_scram::fuzzing;

const SEEDS: &[&[u8]] = &[
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    b"e=invalid-proof",
    b"n,,n=,r=abc",
    b"p=tls-server-end-point,,n=,r=abc",
    b"c=biws,r=abcsrv,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    b"",
    b",,,,",
    b"=",
];

#[test]
fn seeds_and_their_prefixes_never_panic() {
    for seed in SEEDS {
        for cut in 0..=seed.len() {
            let s = &seed[..cut];
            fuzzing::server_first(s);
            fuzzing::server_final(s);
            fuzzing::client_messages(s);
        }
    }
}

#[test]
fn cargo_fuzz_corpora_replay_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 3] = [
        ("scram_server_first", fuzzing::server_first),
        ("scram_server_final", fuzzing::server_final),
        ("scram_client_messages", fuzzing::client_messages),
    ];
    for (name, target) in targets {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        for entry in entries.flatten() {
            if let Ok(data) = std::fs::read(entry.path()) {
                target(&data);
            }
        }
    }
}
