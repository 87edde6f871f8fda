//! PEM bundles and DER certificates through the reader, the openssl-style fingerprint and CertDetails: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_pki::fuzzing::certificate_input(data));
