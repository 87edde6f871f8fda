//! Connection strings as raw bytes (keyword/value, URI, foreign dialects): no panic, and parse(render(x)) == x.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_conninfo::fuzzing::parse(data));
