//! `pgtls-wire`: the PostgreSQL startup-phase codec.
//!
//! # What this crate does
//!
//! It decodes and encodes every message that crosses the wire before and during
//! authentication, in both directions, plus the little needed to finish a session:
//!
//! - frontend packets without a type byte ([`StartupPacket`]): SSLRequest, GSSENCRequest,
//!   CancelRequest (4-byte keys and the longer protocol 3.2 keys) and StartupMessage (3.0 and 3.2,
//!   parameters kept in order);
//! - the one-byte answers to SSLRequest / GSSENCRequest ([`SslResponse`], [`GssEncResponse`]);
//! - typed frontend messages ([`FrontendMessage`]): PasswordMessage, SASLInitialResponse,
//!   SASLResponse, Query, Terminate;
//! - typed backend messages ([`BackendMessage`]): Authentication*, ParameterStatus,
//!   BackendKeyData, ReadyForQuery, ErrorResponse / NoticeResponse (every field code, rendered
//!   the way libpq prints them), NegotiateProtocolVersion, RowDescription, DataRow,
//!   CommandComplete, EmptyQueryResponse.
//!
//! Decoding is incremental: `Ok(None)` means "need more bytes", `Err` means the peer sent
//! something malformed, and the [`DecodeError`] names the message and the offset. Every length is
//! bounded (startup packets as PostgreSQL bounds them, other messages by [`Limits`]); no input
//! panics. Every decoded message re-encodes to exactly the bytes it came from.
//!
//! # What it does not do
//!
//! No I/O, no async, no TLS, no SCRAM computations (see `pgtls-scram`), no extended-query
//! protocol (Parse/Bind/...), no COPY. Unknown message kinds are kept as raw bytes
//! (`Unknown { .. }` variants) rather than rejected.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backend;
mod error;
mod fields;
mod frontend;
pub mod fuzzing;
mod reader;
mod startup;
mod writer;

pub use backend::{Authentication, BackendMessage, FieldDescription};
pub use error::DecodeError;
pub use fields::{field, ErrorFields};
pub use frontend::{FrontendMessage, PasswordContext};
pub use startup::{
    GssEncResponse, ProtocolVersion, SslResponse, StartupPacket, CANCEL_REQUEST_CODE,
    GSSENC_REQUEST_CODE, MAX_CANCEL_KEY_LEN, MAX_STARTUP_PACKET_BODY_LEN, MAX_STARTUP_PACKET_LEN,
    MIN_CANCEL_KEY_LEN, MIN_STARTUP_PACKET_LEN, SSL_REQUEST_CODE,
};

/// Size bounds applied while decoding typed (tagged) messages.
///
/// Startup packets are not affected: they are always bounded like PostgreSQL bounds them
/// ([`MIN_STARTUP_PACKET_LEN`]..=[`MAX_STARTUP_PACKET_LEN`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest accepted value of a message's length word (which counts itself, not the type
    /// byte). Anything larger is a [`DecodeError::InvalidLength`], reported as soon as the
    /// length word has arrived.
    pub max_message_len: usize,
}

impl Limits {
    /// The default bound on a message's length word: 1 MiB.
    pub const DEFAULT_MAX_MESSAGE_LEN: usize = 1 << 20;

    /// Limits with the given maximum length word.
    pub const fn new(max_message_len: usize) -> Self {
        Self { max_message_len }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_MESSAGE_LEN)
    }
}
