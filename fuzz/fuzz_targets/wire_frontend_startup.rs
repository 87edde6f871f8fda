//! Startup-phase packets (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage): no panic, and what decodes re-encodes to exactly the consumed bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_wire::fuzzing::frontend_startup(data));
