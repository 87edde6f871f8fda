//! `pgtls-conninfo`: what a PostgreSQL connection string means, exactly as libpq reads it.
//!
//! What this crate does:
//! - parses libpq keyword/value and URI connection strings byte for byte as libpq's
//!   `fe-connect.c` does (quoting, escapes, percent-decoding, multiple hosts, `ssl=true`,
//!   `requiressl`), with libpq's error messages ([`parse_options`]);
//! - resolves them against the `PG*` environment variables and libpq's defaults
//!   (`~/.postgresql/root.crt`, sslmode `prefer`, port 5432, ...) and validates them as libpq
//!   does before any I/O ([`Settings::from_conninfo`], with an injectable [`Env`]);
//! - holds the sslmode table ([`SslMode::policy`], [`POLICY_TABLE`]) that the probe and
//!   `explain` branch on;
//! - explains connection strings written for other clients (pgjdbc, Npgsql, node-postgres,
//!   psycopg, asyncpg, sqlx, tokio-postgres): their effective TLS policy, whether a man in the
//!   middle would be accepted, and the fix ([`explain`]); and translates them to libpq settings.
//!
//! What it does not do: no network I/O, no file reads (whether `root.crt` exists is decided by
//! the caller at connection time; `~/.pgpass` and `pg_service.conf` are not read), no DNS.
//! Behaviour targets libpq 15; newer keywords (`sslrootcert=system`, `sslcertmode`,
//! `require_auth` from 16, `sslnegotiation` from 17) are accepted with their documented
//! meaning and recorded in [`Settings::min_libpq`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod env;
mod error;
pub mod explain;
pub mod fuzzing;
pub mod options;
mod parse;
mod settings;
mod sslmode;

pub use env::Env;
pub use error::ConninfoError;
pub use parse::{
    parse_keyword_value, parse_options, parse_uri, quote_value, redact_uri, uri_prefix_len,
    ConninfoOptions,
};
pub use settings::{
    ChannelBindingMode, Feature, GssEncMode, HostTarget, LoadBalanceHosts, RequireAuth, RootCert,
    Settings, Source, SslCertMode, SslNegotiation, TargetSessionAttrs, TlsVersion, BASELINE_LIBPQ,
    DEFAULT_PORT,
};
pub use sslmode::{Policy, SslMode, Transport, VerifyChain, POLICY_TABLE};
