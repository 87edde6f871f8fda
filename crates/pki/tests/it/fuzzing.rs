//! The fuzz entry point survives truncations, bit flips and hostile shapes (deterministic).

use pgtls_pki::fuzzing::certificate_input;
use pgtls_pki::{CertSpec, KeyType};

use crate::util::{digicert_pem, pki};

/// xorshift64*: a fixed-seed generator so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
}

fn samples() -> Vec<Vec<u8>> {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let mut out = vec![digicert_pem()];
    for key in [KeyType::EcdsaP256, KeyType::Ed25519] {
        let leaf = pki
            .issue(
                &CertSpec::server("c-demo.pgtls.test")
                    .key(key)
                    .ip([127, 0, 0, 1]),
                &root,
            )
            .expect("leaf");
        out.push(leaf.der_bytes().to_vec());
        out.push(leaf.pem().into_bytes());
    }
    out.push(
        pki.crl(&root, &[root.serial()])
            .expect("crl")
            .der_bytes()
            .to_vec(),
    );
    out
}

#[test]
fn every_truncation_of_valid_inputs_is_handled() {
    for sample in samples() {
        for len in 0..=sample.len() {
            certificate_input(&sample[..len]);
        }
    }
}

#[test]
fn random_byte_flips_are_handled() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let samples = samples();
    for _ in 0..4000 {
        let mut data = samples[rng.below(samples.len())].clone();
        for _ in 0..=rng.below(8) {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        certificate_input(&data);
    }
}

#[test]
fn hostile_shapes_are_handled() {
    let inputs: [&[u8]; 8] = [
        b"",
        b"-----BEGIN CERTIFICATE-----",
        b"-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n",
        b"-----BEGIN -----\n-----END -----\n",
        b"\x30\x84\xff\xff\xff\xff\x30",
        b"\x30\x80\x30\x80\x00\x00\x00\x00",
        &[0xff; 300],
        b"-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END CERTIFICATE-----\n",
    ];
    for input in inputs {
        certificate_input(input);
    }
    // Deeply nested constructed values.
    let mut nested = Vec::new();
    for _ in 0..2000 {
        nested.extend_from_slice(&[0x30, 0x80]);
    }
    certificate_input(&nested);
}
