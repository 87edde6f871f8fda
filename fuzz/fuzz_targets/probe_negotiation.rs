//! The probe's sans-I/O negotiation + authentication machine fed arbitrary server bytes (the first 5 bytes choose sslmode, start, channel_binding, TLS facts and read size): no panic, and no password, hash or SCRAM message is emitted unless the policy accepted the peer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_probe::fuzzing::negotiation_and_auth(data));
