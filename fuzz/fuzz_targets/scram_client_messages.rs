//! Client-first and client-final messages fed to the SCRAM server (plaintext and TLS, both mechanisms): no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_scram::fuzzing::client_messages(data));
