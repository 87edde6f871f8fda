//! The coordinator's session state machine fed an arbitrary client byte stream in memory: the
//! first byte picks a server setup (plaintext SCRAM / MD5 / cleartext / trust, hostssl-only,
//! TLS with the real rustls handshake, a garbage SSL answer), the rest is what the client
//! sends before closing. No panic, the session ends, the answer stays bounded, the transcript
//! serialises and never records the password's value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pgtls_coordinator::fuzzing::session(data));
