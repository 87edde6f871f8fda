//! Server-final-message (raw and behind `v=`) after a valid first round: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_scram::fuzzing::server_final(data));
