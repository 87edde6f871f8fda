//! A stream of backend messages decoded one after another: no panic, each round-trips, ErrorResponse text renders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_wire::fuzzing::backend(data));
