//! The crate's error type.

use std::fmt;

/// Everything that stops a matrix run before it produces a report. (A cell that fails to run,
/// including a scenario that cannot be prepared, is not an error: it is an `error` cell in the
/// report, and the run fails with exit status 1.)
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `--scenario` named no catalog scenario.
    UnknownScenario {
        /// The name given.
        name: String,
        /// The catalog's names.
        known: Vec<String>,
    },
    /// `--sslmode` is not one of libpq's six.
    UnknownSslMode {
        /// The value given.
        value: String,
    },
    /// `--client` is not `probe`, `psql` or a command template.
    InvalidClient {
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `--client psql` but no psql binary was found.
    PsqlNotFound,
    /// A local I/O failure (temporary directories, the async runtime).
    Io {
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownScenario { name, known } => write!(
                f,
                "unknown scenario {name:?} (known: {})",
                known.join(", ")
            ),
            Error::UnknownSslMode { value } => write!(
                f,
                "unknown sslmode {value:?} (use disable, allow, prefer, require, verify-ca or verify-full)"
            ),
            Error::InvalidClient { value, reason } => {
                write!(f, "invalid --client {value:?}: {reason}")
            }
            Error::PsqlNotFound => f.write_str(
                "psql not found (install postgresql-client, or set PGTLS_PG_BINDIR to its bin directory)",
            ),
            Error::Io { what, source } => write!(f, "{what}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
