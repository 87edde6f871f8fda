//! `pgtls-probe`: a PostgreSQL client that decides exactly as libpq 15 would whether to connect
//! with given settings, and explains the decision.
//!
//! # What this crate does
//!
//! - [`probe`] takes resolved libpq [`Settings`] (from `pgtls-conninfo`) and makes the attempts
//!   libpq would make: hosts in order, each address, and per address the transports the sslmode
//!   allows with libpq 15's retries (`allow`: plaintext, then TLS after an authentication error;
//!   `prefer`: SSLRequest, plaintext on the same connection after `N`, a new plaintext connection
//!   after a failed handshake, verification or authentication over TLS; `require` and above: TLS
//!   only). It reads the SSLRequest answer as libpq does (one read: `S` plus pipelined bytes is
//!   the CVE-2021-23222 failure), performs TLS with rustls (aws-lc-rs) with libpq's SNI, ALPN,
//!   protocol range, client certificate and root-file rules, and authenticates (trust, cleartext,
//!   MD5, SCRAM-SHA-256 / -PLUS with `channel_binding`, `require_auth`).
//! - It returns a [`Diagnosis`]: every attempt with its timings, negotiation bytes, TLS session,
//!   the server's chain, every certificate check (computed even when the mode does not require
//!   it), the authentication exchange, the verdict with libpq's exact text, findings and
//!   remediation. Passwords are never stored in it.
//! - The decision logic is sans-I/O ([`machine::Conversation`], [`gate::accept_peer`],
//!   [`failure::next_move`]); [`probe_stream`] runs one conversation over any
//!   `AsyncRead + AsyncWrite` (e.g. `tokio::io::duplex`); [`fuzzing`] drives it with arbitrary
//!   server bytes.
//!
//! # The invariant
//!
//! No password, MD5 hash or SCRAM message is produced before the policy accepted the peer:
//! [`auth::Authenticator`] can only be built from a [`gate::PeerAccepted`], which only
//! [`gate::accept_peer`] makes.
//!
//! # What it does not do
//!
//! No GSSAPI, no TLS 1.0/1.1 (rustls), no service files, no queries after
//! ReadyForQuery, no encrypted client keys (`sslpassword`). Certificate verification rules live
//! in [`verify`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod diagnosis;
mod engine;
pub mod failure;
pub mod fuzzing;
pub mod gate;
pub mod machine;
mod pgpass;
mod report;
pub mod tls;
mod trust;
pub mod verify;

use std::time::Duration;

pub use diagnosis::{Attempt, Check, CheckResult, Diagnosis, PinReport, Timings, Verdict};
pub use engine::{attempt_prefix, probe_stream, Endpoint};
pub use failure::{Failure, FailureKind, NextMove};
pub use gate::AcceptedTransport;
pub use machine::Start;
pub use pgtls_conninfo::Settings;

/// A secret string: never printed, never serialized.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: String) -> Self {
        Self(s)
    }

    /// The secret itself (only the authenticator calls this).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("********")
    }
}

/// Options of a probe that are not libpq settings.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// `--expect-fingerprint`: the SHA-256 of the leaf or of a CA of the chain (hex, colons and
    /// case ignored). When set, the probe refuses to authenticate unless it matches.
    pub expect_fingerprint: Option<String>,
    /// Bound on each attempt when `connect_timeout` is not set (libpq would wait forever).
    pub io_timeout: Duration,
    /// Fixed SCRAM nonce (tests).
    pub scram_nonce: Option<[u8; 18]>,
    /// libpq's default password file (`~/.pgpass`), used when neither `password`, `passfile`
    /// nor `PGPASSFILE` is set. `None`: no default file.
    pub default_passfile: Option<std::path::PathBuf>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            expect_fingerprint: None,
            io_timeout: Duration::from_secs(30),
            scram_nonce: None,
            default_passfile: None,
        }
    }
}

/// Error in the probe's own options (not a libpq decision).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeError {
    /// `--expect-fingerprint` is not 32 bytes of hex.
    InvalidFingerprint(String),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::InvalidFingerprint(s) => {
                write!(
                    f,
                    "invalid sha-256 fingerprint {s:?}: expected 64 hex digits"
                )
            }
        }
    }
}

impl std::error::Error for ProbeError {}

/// Parses a SHA-256 fingerprint (hex with optional `:`; case-insensitive; optional `sha256:` or
/// `sha256 Fingerprint=` prefix).
pub fn parse_fingerprint(s: &str) -> Result<Vec<u8>, ProbeError> {
    let t = s.trim();
    let t = t
        .strip_prefix("sha256 Fingerprint=")
        .or_else(|| t.strip_prefix("SHA256 Fingerprint="))
        .or_else(|| t.strip_prefix("sha256:"))
        .unwrap_or(t);
    let digits: String = t.chars().filter(|c| *c != ':' && *c != ' ').collect();
    if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ProbeError::InvalidFingerprint(s.to_owned()));
    }
    (0..32)
        .map(|i| {
            u8::from_str_radix(digits.get(i * 2..i * 2 + 2).unwrap_or("zz"), 16)
                .map_err(|_| ProbeError::InvalidFingerprint(s.to_owned()))
        })
        .collect()
}

impl ProbeOptions {
    pub(crate) fn pin_bytes(&self) -> Option<Vec<u8>> {
        self.expect_fingerprint
            .as_deref()
            .map(|s| parse_fingerprint(s).unwrap_or_default())
    }
}

/// Makes every attempt libpq would make with `settings` and explains the outcome.
///
/// Validate `expect_fingerprint` with [`parse_fingerprint`] first: an invalid one never matches,
/// so the probe refuses to authenticate anywhere.
pub async fn probe(settings: &Settings, opts: &ProbeOptions) -> Diagnosis {
    let pin = opts
        .expect_fingerprint
        .as_ref()
        .map(|s| parse_fingerprint(s).unwrap_or_default());
    let ctx = engine::Ctx {
        settings,
        policy: settings.policy(),
        opts,
        pin,
        warnings: Default::default(),
    };
    engine::run(ctx).await
}
