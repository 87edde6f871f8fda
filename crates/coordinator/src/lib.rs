//! `pgtls-coordinator`: a mock PostgreSQL coordinator that plays every TLS scenario of the
//! [`catalog`] over the real wire protocol, and tells what each client did.
//!
//! # What this crate does
//!
//! - [`catalog`]: the scenario catalog as data — one row per situation (healthy chains, name
//!   checks, broken chains, expiry, revocation, negotiation answers, hba rules, client
//!   certificates, authentication methods, men in the middle), each with its PKI recipe, server
//!   behaviour, client context, minimum libpq version and the outcome libpq reaches in each of
//!   the six sslmodes (written by hand from libpq's rules, checked against real psql by this
//!   crate's tests), plus variants (other client contexts with their own expectations).
//! - A server on tokio + tokio-rustls (aws-lc-rs) driven by a plain [`ServerSpec`]: SSLRequest /
//!   GSSENCRequest answers (`S`, `N`, `E`, close, garbage, `S` + injected bytes), PostgreSQL's
//!   buffered-data rule after SSLRequest (CVE-2021-23214), direct TLS with ALPN `postgresql`,
//!   StartupMessage / CancelRequest, hostssl / hostnossl with PostgreSQL's exact FATAL texts,
//!   client certificates, trust / cleartext / MD5 / SCRAM-SHA-256(-PLUS) / cert authentication,
//!   ParameterStatus, BackendKeyData, ReadyForQuery and a one-row answer to simple queries (so
//!   `psql -c 'select 1'` works).
//! - A [`Transcript`] per connection (serde `Serialize`): bytes before TLS, the SSL answer, the
//!   TLS outcome (version, suite, ALPN, SNI, client certificate, or the alert the client sent
//!   when it refused our certificate), startup parameters, the authentication exchange, the
//!   credentials the client exposed (kind, transport, whether an attacker got them — never the
//!   value), and why the connection closed.
//! - [`peers`]: finding real `psql` / `postgres` for tests, with the SKIP-or-fail rule.
//!
//! Robustness: every read has a deadline (10 s for the whole handshake by default), every
//! length is bounded by `pgtls-wire`, connections are capped by a semaphore, and a bad
//! connection only ends itself.
//!
//! # What it does not do
//!
//! It is not a database: no SQL, no extended query protocol, no COPY, no replication, no GSSAPI
//! (GSSENCRequest is always answered `N`), no real cancellation. It does not decide what a
//! client should do — expectations are data in the catalog, and the client side lives in
//! `pgtls-probe`. Certificates are test certificates made by `pgtls-pki`.
//!
//! # Using it from a downstream test
//!
//! Prepare a scenario once (certificates, files, rustls configuration), start as many
//! instances as you like on `127.0.0.1:0`, point your client at the address with the row's
//! client context, then read what the client did:
//!
//! ```
//! use pgtls_coordinator::catalog::{self, SslMode};
//! use pgtls_coordinator::Prepared;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let row = catalog::find("valid").expect("catalog row");
//! let prepared = Prepared::scenario(row, None)?; // PKI in a temp dir, removed on drop
//! let coordinator = prepared.start().await?;
//!
//! // Your client would connect with this (password included; print the redacted form):
//! let pki_dir = coordinator.pki_dir().expect("catalog rows have files");
//! let conninfo = row.client.conninfo(pki_dir, coordinator.addr(), SslMode::VerifyFull);
//! assert!(conninfo.contains("sslrootcert="));
//! println!("{}", row.client.conninfo_redacted(pki_dir, coordinator.addr(), SslMode::VerifyFull));
//!
//! // Here, a raw client: SSLRequest, and the server answers `S`.
//! let mut socket = tokio::net::TcpStream::connect(coordinator.addr()).await?;
//! socket.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]).await?;
//! assert_eq!(socket.read_u8().await?, b'S');
//! drop(socket);
//!
//! let transcripts = coordinator.shutdown().await;
//! assert_eq!(transcripts.len(), 1);
//! assert_eq!(transcripts[0].ssl_answer.as_deref(), Some("S"));
//! assert!(transcripts[0].credentials_exposed.is_empty());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod catalog;
mod conn;
mod error;
pub mod fuzzing;
pub mod peers;
pub mod recipe;
mod scram;
mod server;
pub mod spec;
pub mod transcript;

pub use conn::Io;
pub use error::Error;
pub use server::{
    serve, serve_connection, server_config, Coordinator, Prepared, SHUTDOWN_GRACE,
    TRANSCRIPT_BUFFER,
};
pub use spec::ServerSpec;
pub use transcript::Transcript;
