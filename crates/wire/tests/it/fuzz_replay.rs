//! Replays the fuzz entry points on seeds, on deterministic pseudo-random bytes and, when
//! present, on the cargo-fuzz corpora under `fuzz/corpus/wire_*`.

use std::path::Path;

use pgtls_wire::fuzzing;

fn seeds() -> Vec<Vec<u8>> {
    vec![
        b"\0\0\0\x08\x04\xd2\x16\x2f".to_vec(),
        b"\x00\x00\x00\x37\x00\x03\x00\x00user\0alice\0database\0db1\0application_name\0psql\0\0"
            .to_vec(),
        b"\0\0\0\x10\x04\xd2\x16\x2e\0\0\0\x01abcd".to_vec(),
        b"R\x00\x00\x00\x2a\x00\x00\x00\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0".to_vec(),
        b"E\x00\x00\x00\x1dSFATAL\0VFATAL\0C28000\0Mx\0\0".to_vec(),
        b"p\0\0\0\x0ePLAIN\0\xff\xff\xff\xff".to_vec(),
        b"D\0\0\0\x0f\0\x02\0\0\0\x011\xff\xff\xff\xff".to_vec(),
    ]
}

/// xorshift64*: deterministic bytes without a dependency.
fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

fn run_all(data: &[u8]) {
    fuzzing::frontend_startup(data);
    fuzzing::frontend(data);
    fuzzing::backend(data);
}

#[test]
fn seeds_and_all_their_prefixes_and_bit_flips_round_trip() {
    for seed in seeds() {
        for cut in 0..=seed.len() {
            run_all(&seed[..cut]);
        }
        for i in 0..seed.len() {
            for bit in 0..8 {
                let mut m = seed.clone();
                m[i] ^= 1 << bit;
                run_all(&m);
            }
        }
    }
}

#[test]
fn pseudo_random_inputs_never_panic() {
    for seed in 0..2000u64 {
        let len = (seed % 97) as usize;
        run_all(&pseudo_random(
            seed.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            len,
        ));
    }
}

#[test]
fn cargo_fuzz_corpora_replay_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 3] = [
        ("wire_frontend_startup", fuzzing::frontend_startup),
        ("wire_frontend", fuzzing::frontend),
        ("wire_backend", fuzzing::backend),
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
