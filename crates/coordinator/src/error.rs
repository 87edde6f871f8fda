//! The crate's one error type.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// What can go wrong while preparing or starting a coordinator.
///
/// Connection-level problems never surface here: they end that connection and are recorded in
/// its [`crate::Transcript`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No catalog row has this name.
    UnknownScenario(String),
    /// A catalog expectation shorthand is malformed.
    InvalidExpectation(String),
    /// Making certificates or writing the PKI files failed.
    Pki(pgtls_pki::Error),
    /// rustls refused the server configuration (key does not match, bad client CA...).
    Tls(rustls::Error),
    /// A filesystem or socket operation failed.
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        source: io::Error,
    },
    /// A path that should be a directory is not usable.
    PkiDir {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownScenario(name) => write!(
                f,
                "unknown scenario {name:?} (`pgtls scenarios` lists them)"
            ),
            Error::InvalidExpectation(s) => write!(
                f,
                "invalid expectation shorthand {s:?}: want six tokens like `T+` `P-` `R-`"
            ),
            Error::Pki(e) => write!(f, "building the scenario PKI: {e}"),
            Error::Tls(e) => write!(f, "building the TLS server configuration: {e}"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::PkiDir { path, reason } => {
                write!(f, "PKI directory {}: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Pki(e) => Some(e),
            Error::Tls(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<pgtls_pki::Error> for Error {
    fn from(e: pgtls_pki::Error) -> Self {
        Error::Pki(e)
    }
}

impl From<rustls::Error> for Error {
    fn from(e: rustls::Error) -> Self {
        Error::Tls(e)
    }
}
