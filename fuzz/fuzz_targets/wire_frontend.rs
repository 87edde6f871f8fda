//! Typed frontend messages in every password context and two size limits: no panic, round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_wire::fuzzing::frontend(data));
