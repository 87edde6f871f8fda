//! Server-first-message (raw and behind the client's nonce) for the three channel-binding choices, then as server-final: no panic, client-final starts with `c=`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_scram::fuzzing::server_first(data));
