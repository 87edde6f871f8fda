//! Integration tests for `pgtls-wire`.

mod error_fields;
mod fuzz_replay;
mod incremental;
mod malformed;
mod properties;
mod real_bytes;
mod roundtrip;
mod strategies;

/// Hex dump helper for readable expectations.
pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
