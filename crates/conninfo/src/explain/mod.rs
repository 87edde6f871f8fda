//! `explain` (issue 9): what a connection string written for some client really means for TLS.
//!
//! Recognises libpq keyword/value and URI strings, pgjdbc JDBC URLs, Npgsql (ADO.NET) keyword
//! strings, node-postgres URIs, and the rows where psycopg, asyncpg, sqlx and tokio-postgres
//! read a URI differently from libpq. For each it reports the effective policy in libpq terms,
//! whether a man in the middle would be accepted and would get the password, and the minimal
//! change to verify-full. It also translates a foreign string to libpq [`Settings`] so the probe
//! can connect as that client would (as closely as libpq can express it).
//!
//! No network I/O, no file reads. Secrets never appear in any output.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::{ConninfoError, Env, Settings};

mod dialects;
pub mod table;

pub use dialects::{detect, REQUIRED_HINT};

/// A connection-string dialect (one client's reading of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// libpq keyword/value (`host=... sslmode=...`), also psql and anything on libpq.
    Libpq,
    /// libpq URI (`postgresql://...`).
    LibpqUri,
    /// pgjdbc (`jdbc:postgresql://...`).
    Pgjdbc,
    /// Npgsql / ADO.NET keyword string (`Host=...;SSL Mode=...`).
    Npgsql,
    /// node-postgres (`pg`, via pg-connection-string).
    NodePostgres,
    /// psycopg 2/3 (libpq underneath: libpq's reading, libpq's version).
    Psycopg,
    /// asyncpg (its own URI parser and TLS).
    Asyncpg,
    /// sqlx (`sqlx-postgres` `PgConnectOptions`).
    Sqlx,
    /// tokio-postgres (`Config` parser; TLS from the connector you pass).
    TokioPostgres,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 9] = [
        Dialect::Libpq,
        Dialect::LibpqUri,
        Dialect::Pgjdbc,
        Dialect::Npgsql,
        Dialect::NodePostgres,
        Dialect::Psycopg,
        Dialect::Asyncpg,
        Dialect::Sqlx,
        Dialect::TokioPostgres,
    ];

    /// The name used in `--dialect` and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dialect::Libpq => "libpq",
            Dialect::LibpqUri => "libpq-uri",
            Dialect::Pgjdbc => "pgjdbc",
            Dialect::Npgsql => "npgsql",
            Dialect::NodePostgres => "node-postgres",
            Dialect::Psycopg => "psycopg",
            Dialect::Asyncpg => "asyncpg",
            Dialect::Sqlx => "sqlx",
            Dialect::TokioPostgres => "tokio-postgres",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Dialect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let norm = s.to_ascii_lowercase();
        let d = match norm.as_str() {
            "libpq" | "psql" | "keyword-value" => Dialect::Libpq,
            "libpq-uri" | "uri" => Dialect::LibpqUri,
            "pgjdbc" | "jdbc" => Dialect::Pgjdbc,
            "npgsql" | "ado.net" | "adonet" => Dialect::Npgsql,
            "node-postgres" | "pg" | "node" => Dialect::NodePostgres,
            "psycopg" | "psycopg2" | "psycopg3" => Dialect::Psycopg,
            "asyncpg" => Dialect::Asyncpg,
            "sqlx" => Dialect::Sqlx,
            "tokio-postgres" | "rust-postgres" => Dialect::TokioPostgres,
            _ => {
                return Err(format!(
                    "unknown dialect \"{s}\" (known: {})",
                    Dialect::ALL.map(Dialect::as_str).join(", ")
                ))
            }
        };
        Ok(d)
    }
}

/// Whether TLS is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tls {
    /// Plaintext only.
    Never,
    /// TLS when the server (or a man in the middle) agrees, else plaintext.
    Optional,
    /// TLS or no connection.
    Required,
}

/// Whether the certificate chain is verified: yes, no, or only if the root file exists
/// (libpq's `~/.postgresql/root.crt` rule). JSON: `true`, `false`, `"if-root-file"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainCheck {
    /// Always verified.
    Yes,
    /// Never verified.
    No,
    /// Verified only if the root certificate file exists.
    IfRootFile,
}

impl Serialize for ChainCheck {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ChainCheck::Yes => s.serialize_bool(true),
            ChainCheck::No => s.serialize_bool(false),
            ChainCheck::IfRootFile => s.serialize_str("if-root-file"),
        }
    }
}

/// Whether a man in the middle is accepted (or gets the password): yes, no, or only when the
/// root file is missing. JSON: `true`, `false`, `"if-no-root-file"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Exposed.
    Yes,
    /// Not exposed.
    No,
    /// Exposed unless the root certificate file exists.
    IfNoRootFile,
}

impl Serialize for Exposure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Exposure::Yes => s.serialize_bool(true),
            Exposure::No => s.serialize_bool(false),
            Exposure::IfNoRootFile => s.serialize_str("if-no-root-file"),
        }
    }
}

/// The effective policy in libpq terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// Whether TLS is used.
    pub tls: Tls,
    /// Whether the chain is verified.
    pub verify_chain: ChainCheck,
    /// Whether the host name is verified.
    pub verify_hostname: bool,
    /// Whether a refused or failed TLS attempt falls back to plaintext.
    pub plaintext_fallback: bool,
    /// The transport of the first attempt.
    pub first_transport: crate::Transport,
    /// Which roots verify the chain (`none` when nothing is verified).
    pub ca_store: String,
}

/// What `--dialect` / `--driver-version` asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Force a dialect instead of detecting one.
    pub dialect: Option<Dialect>,
    /// The driver version to describe (e.g. `42.2.4`, `6.0`, `8.11`); default: the current
    /// major the table describes.
    pub driver_version: Option<String>,
}

/// The answer of [`explain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The dialect the string was read in.
    pub dialect: Dialect,
    /// Whether the dialect was detected (false: forced by the caller).
    pub dialect_detected: bool,
    /// The client's own error for this string, or null when it parses.
    pub error: Option<String>,
    /// A hint accompanying the error (e.g. which clients accept `sslmode=required`).
    pub hint: Option<String>,
    /// The effective policy; null when the client rejects the string.
    pub effective: Option<Effective>,
    /// Whether a man in the middle would be accepted.
    pub mitm_exposed: Option<Exposure>,
    /// Whether a password (if one is used) would reach that man in the middle. For SCRAM
    /// the MITM gets a proof it can relay, not the password; for cleartext/MD5 it gets the
    /// password or its hash; pgtls reports the worst case the client allows.
    pub password_exposed_to_mitm: Option<Exposure>,
    /// The connection string rewritten to verify-full in the same dialect (secrets redacted).
    pub fix: Option<String>,
    /// The driver whose behaviour is described.
    pub driver: &'static str,
    /// The driver version the description is for.
    pub driver_version_assumed: String,
    /// The input with secrets redacted.
    pub input: String,
    /// The libpq keyword/value equivalent (redacted), when one exists.
    pub libpq_equivalent: Option<String>,
    /// The sslmode-like setting as the driver reads it (e.g. `require`, `no-verify`).
    pub mode: Option<String>,
    /// The id of the mapping-table row used (see [`table::ROWS`]).
    pub row: &'static str,
    /// Human notes: where the rules come from, caveats, what differs from libpq.
    pub notes: Vec<String>,
    /// Sources of the mapping rows used (document titles / versions).
    pub sources: Vec<String>,
}

/// Explains `input`. Never fails: a string the client rejects gives `error` (and `hint`).
pub fn explain(input: &str, opts: &ExplainOptions) -> Explanation {
    dialects::explain(input, opts)
}

/// Translates a connection string in `dialect` (detected when `None`) into libpq settings,
/// resolved against `env`, so the probe can connect as that client would. The sslmode is the
/// libpq mode closest to the client's effective policy (pgjdbc `ssl=true` → `verify-full`,
/// Npgsql `Require` → `require`, node-postgres `sslmode=require` → `verify-full` with
/// `sslrootcert=system` for Node's public CA list, ...). What libpq cannot express (a client
/// that never verifies even when `~/.postgresql/root.crt` exists, a name check without a chain
/// check) is listed in [`explain`]'s notes. A string the client itself rejects is
/// [`ConninfoError::Foreign`] with the client's message.
pub fn to_libpq_settings(
    input: &str,
    dialect: Option<Dialect>,
    env: &Env,
) -> Result<Settings, ConninfoError> {
    dialects::to_libpq_settings(input, dialect, env)
}
