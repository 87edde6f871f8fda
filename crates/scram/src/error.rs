//! Errors: the client's (libpq's texts) and the server's (PostgreSQL's SQLSTATE + message).

use std::fmt;

/// A SCRAM failure as libpq reports it. `Display` is libpq's exact text (without the trailing
/// newline libpq adds), e.g. `invalid SCRAM response (nonce mismatch)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScramError {
    /// The server sent an empty SASL message.
    EmptyMessage,
    /// The server's SASL message contains a NUL byte.
    LengthMismatch,
    /// A different attribute (or the end of the message) where `attr` was expected.
    AttributeExpected {
        /// The attribute libpq expected.
        attr: char,
    },
    /// No `=` after the attribute letter.
    ExpectedEquals {
        /// The attribute being read.
        attr: char,
    },
    /// The server's nonce does not start with the client's nonce.
    NonceMismatch,
    /// The salt is not valid base64.
    InvalidSalt,
    /// The iteration count is not a positive integer.
    InvalidIterationCount,
    /// More attributes after `i=` in the server-first-message.
    GarbageAfterServerFirst,
    /// The server-first-message asks for more iterations than this client allows (a guard
    /// against a hostile server; libpq has no limit).
    TooManyIterations {
        /// The count the server asked for.
        iterations: u32,
        /// The client's limit.
        max: u32,
    },
    /// The server-final-message is `e=<error>`.
    ServerError(String),
    /// More attributes after `v=` in the server-final-message.
    GarbageAfterServerFinal,
    /// The server signature is not base64 of 32 bytes.
    InvalidServerSignature,
    /// The server signature does not match: the server does not know the password (or the
    /// exchange was tampered with).
    IncorrectServerSignature,
    /// A message arrived out of order.
    InvalidState,
    /// Several messages in the order libpq accumulates them (earlier non-fatal notes, then
    /// the failure); `Display` joins them with newlines.
    Several(Vec<ScramError>),
    /// The certificate's signature algorithm could not be determined (unknown OID or not a
    /// certificate).
    UnknownCertificateSignature,
    /// The certificate's signature algorithm has no separate digest (Ed25519, Ed448), so
    /// there is no tls-server-end-point hash.
    NoDigestForSignature {
        /// The signature algorithm, e.g. `ED25519`.
        algorithm: &'static str,
    },
}

impl fmt::Display for ScramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyMessage => f.write_str("malformed SCRAM message (empty message)"),
            Self::LengthMismatch => f.write_str("malformed SCRAM message (length mismatch)"),
            Self::AttributeExpected { attr } => {
                write!(f, "malformed SCRAM message (attribute \"{attr}\" expected)")
            }
            Self::ExpectedEquals { attr } => write!(
                f,
                "malformed SCRAM message (expected character \"=\" for attribute \"{attr}\")"
            ),
            Self::NonceMismatch => f.write_str("invalid SCRAM response (nonce mismatch)"),
            Self::InvalidSalt => f.write_str("malformed SCRAM message (invalid salt)"),
            Self::InvalidIterationCount => {
                f.write_str("malformed SCRAM message (invalid iteration count)")
            }
            Self::GarbageAfterServerFirst => {
                f.write_str("malformed SCRAM message (garbage at end of server-first-message)")
            }
            Self::TooManyIterations { iterations, max } => write!(
                f,
                "SCRAM iteration count {iterations} exceeds this client's limit of {max}"
            ),
            Self::ServerError(e) => write!(f, "error received from server in SCRAM exchange: {e}"),
            Self::GarbageAfterServerFinal => {
                f.write_str("malformed SCRAM message (garbage at end of server-final-message)")
            }
            Self::InvalidServerSignature => {
                f.write_str("malformed SCRAM message (invalid server signature)")
            }
            Self::IncorrectServerSignature => f.write_str("incorrect server signature"),
            Self::InvalidState => f.write_str("invalid SCRAM exchange state"),
            Self::Several(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Self::UnknownCertificateSignature => {
                f.write_str("could not determine server certificate signature algorithm")
            }
            // OpenSSL reports no digest NID for these (NID_undef, whose short name is UNDEF).
            Self::NoDigestForSignature { .. } => f.write_str("could not find digest for NID UNDEF"),
        }
    }
}

impl std::error::Error for ScramError {}

impl ScramError {
    /// One error, or [`ScramError::Several`] for more.
    pub(crate) fn from_messages(mut messages: Vec<ScramError>) -> Self {
        if messages.len() == 1 {
            messages.pop().unwrap_or(Self::InvalidState)
        } else {
            Self::Several(messages)
        }
    }

    /// The last (deciding) error; itself unless this is [`ScramError::Several`].
    pub fn last(&self) -> &ScramError {
        match self {
            Self::Several(errors) => errors.last().map_or(self, ScramError::last),
            other => other,
        }
    }
}

/// A failure as the PostgreSQL server reports it: a FATAL ErrorResponse with this SQLSTATE,
/// message and optional detail. `Display` is the message (plus `: detail` if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScramServerError {
    /// SQLSTATE: `08P01` protocol violation, `28000` invalid authorization specification,
    /// `28P01` invalid password, `0A000` feature not supported.
    pub sqlstate: &'static str,
    /// The primary message (`M` field).
    pub message: String,
    /// The detail (`D` field), if PostgreSQL sends one.
    pub detail: Option<String>,
}

impl ScramServerError {
    pub(crate) fn new(sqlstate: &'static str, message: impl Into<String>) -> Self {
        Self {
            sqlstate,
            message: message.into(),
            detail: None,
        }
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// `08P01 malformed SCRAM message` with a detail.
    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::new(PROTOCOL_VIOLATION, "malformed SCRAM message").with_detail(detail)
    }

    /// Whether this is the failed-proof outcome (`28P01`): the client's password (or the
    /// verifier) is wrong, or the exchange was a doomed one.
    pub fn is_invalid_password(&self) -> bool {
        self.sqlstate == INVALID_PASSWORD
    }
}

pub(crate) const PROTOCOL_VIOLATION: &str = "08P01";
pub(crate) const INVALID_AUTHORIZATION: &str = "28000";
pub(crate) const INVALID_PASSWORD: &str = "28P01";
pub(crate) const FEATURE_NOT_SUPPORTED: &str = "0A000";

impl fmt::Display for ScramServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScramServerError {}
