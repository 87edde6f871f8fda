//! `pgtls-scram`: SCRAM-SHA-256 and SCRAM-SHA-256-PLUS as PostgreSQL speaks them, both sides.
//!
//! # What this crate does
//!
//! - [`ScramClient`]: the libpq side. It builds libpq's exact messages (`n,,n=,r=<nonce>`,
//!   `y,,` or `p=tls-server-end-point,,` gs2 headers), checks the server's messages the way
//!   libpq does, and fails with libpq's exact texts ([`ScramError`]'s `Display`).
//! - [`ScramServer`]: the PostgreSQL side (`auth-scram.c`), with the same checks in the same
//!   order and the SQLSTATE, message and detail PostgreSQL reports ([`ScramServerError`]),
//!   including the downgrade check (`y` over TLS) and the channel binding check a
//!   TLS-terminating man in the middle trips.
//! - [`ScramVerifier`]: the stored secret (`SCRAM-SHA-256$<iter>:<salt>$<stored>:<server>`).
//! - [`tls_server_end_point`]: the RFC 5929 channel binding data of a DER certificate, picking
//!   the digest from the certificate's signature algorithm with a tiny bounded DER reader.
//!
//! # What it does not do
//!
//! No I/O and no randomness: nonces and salts are parameters, so every exchange is
//! deterministic in tests. No SASL framing (see `pgtls-wire`), no mechanism selection or
//! `channel_binding=require` policy (the probe's job). SASLprep is applied only in its ASCII
//! fast path: a non-ASCII password is used as its raw UTF-8 bytes, which matches PostgreSQL
//! when the password is already in normalized form but not otherwise.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attr;
mod b64;
mod cert;
mod client;
mod crypto;
mod error;
pub mod fuzzing;
mod server;

pub use cert::{tls_server_end_point, EndPointHash};
pub use client::{ChannelBinding, Nonce, ScramClient};
pub use crypto::ScramVerifier;
pub use error::{ScramError, ScramServerError};
pub use server::ScramServer;

/// The SASL mechanism name without channel binding.
pub const SCRAM_SHA_256: &str = "SCRAM-SHA-256";
/// The SASL mechanism name with channel binding.
pub const SCRAM_SHA_256_PLUS: &str = "SCRAM-SHA-256-PLUS";
/// The only channel binding type PostgreSQL supports.
pub const TLS_SERVER_END_POINT: &str = "tls-server-end-point";
/// PostgreSQL's default iteration count (`scram_iterations`, PG16+; fixed before).
pub const DEFAULT_ITERATIONS: u32 = 4096;
/// PostgreSQL's salt length in bytes.
pub const DEFAULT_SALT_LEN: usize = 16;
/// Raw nonce length: 18 random bytes, base64-encoded to 24 characters.
pub const RAW_NONCE_LEN: usize = 18;
/// Length of a SHA-256 SCRAM key, proof or signature.
pub const KEY_LEN: usize = 32;
