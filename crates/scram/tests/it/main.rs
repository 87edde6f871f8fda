//! Integration tests for `pgtls-scram`.

mod cert;
mod client_errors;
mod exchange;
mod fuzz_replay;
mod properties;
mod real_psql;
mod rfc7677;
mod server_errors;

/// Lowercase hex, for comparing digests with values printed by `openssl dgst`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
