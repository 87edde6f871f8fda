//! The invariant: no password, hash or SCRAM message leaves before the policy accepted the
//! peer, whatever the server sends (the fuzz target's entry point, driven by proptest here).

use proptest::prelude::*;

use crate::support::{auth, fatal, ok_and_ready};

fn seeds() -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for mode in 0u8..6 {
        for start in 0u8..3 {
            for flags in 0u8..8 {
                for answer in [b'S', b'N', b'E', b'X'] {
                    let mut d = vec![mode, start, 1, flags, 3, answer];
                    d.extend(auth(3, b""));
                    d.extend(auth(5, &[1, 2, 3, 4]));
                    d.extend(auth(10, b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"));
                    d.extend(fatal("28000", "x"));
                    d.extend(ok_and_ready());
                    v.push(d);
                }
            }
        }
    }
    v
}

#[test]
fn handcrafted_server_scripts_never_extract_a_secret_from_an_unaccepted_peer() {
    for s in seeds() {
        pgtls_probe::fuzzing::negotiation_and_auth(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_server_bytes_never_extract_a_secret_from_an_unaccepted_peer(
        head in proptest::collection::vec(any::<u8>(), 6),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        seed in 0usize..6,
    ) {
        let mut d = head;
        // Mix random bytes with well-formed requests so the machine gets deep.
        let pieces = [auth(3, b""), auth(5, &[9, 9, 9, 9]), auth(10, b"SCRAM-SHA-256\0\0"), ok_and_ready(), fatal("57P03", "x"), body.clone()];
        d.extend(&pieces[seed]);
        d.extend(body);
        pgtls_probe::fuzzing::negotiation_and_auth(&d);
    }
}
