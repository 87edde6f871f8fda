//! `pgtls-pki`: the test PKI behind every pgtls scenario, and facts about certificates.
//!
//! What it does:
//! - builds roots, intermediates, server leaves and client certificates in memory with rcgen,
//!   from specs written as data ([`CertSpec`], [`Role`], [`Defect`], [`KeyType`]), valid relative
//!   to an injected `now` ([`Pki::new`]); CRLs revoking chosen serials ([`Pki::crl`]); chains in
//!   any order ([`Chain`], [`ChainOrder`]);
//! - hands them out as DER/PEM and rustls `CertificateDer`/`PrivateKeyDer`, and lays them out on
//!   disk for a client or a real PostgreSQL server ([`Files`], keys at mode 0600);
//! - reads PEM bundles and DER files and prints `openssl x509 -fingerprint` lines ([`fingerprint`]);
//! - describes a certificate ([`CertDetails`]: names, validity, key, purposes, fingerprints),
//!   never panicking on garbage.
//!
//! What it does not do: verify chains or host names (that is the probe's job, with libpq's
//! rules), talk to the network, or make certificates for production use: keys are generated
//! quickly, RSA keys are reused from a small per-process pool, nothing is kept secret beyond
//! file modes.
//!
//! ```
//! use pgtls_pki::{days, CertSpec, ChainOrder, Defect, KeyType, Pki};
//! let pki = Pki::new(time::OffsetDateTime::now_utc());
//! let root = pki.root("pgtls Root CA")?;
//! let inter = pki.issue(&CertSpec::intermediate("pgtls Intermediate CA"), &root)?;
//! let leaf = pki.issue(&CertSpec::server("c-demo.pgtls.test").not_after(days(-1)), &inter)?;
//! let revoked_crl = pki.crl(&inter, &[leaf.serial()])?;
//! let chain = leaf.chain(&[&inter], ChainOrder::LeafFirst);
//! assert_eq!(chain.ders()[0], *leaf.der());
//! let facts = leaf.details()?;
//! assert_eq!(facts.san_dns, ["c-demo.pgtls.test"]);
//! assert_eq!(facts.public_key, KeyType::EcdsaP256.name());
//! assert_eq!(revoked_crl.revoked(), [leaf.serial().clone()]);
//! let _client_eku = CertSpec::server("c-demo.pgtls.test").defect(Defect::ClientAuthOnly);
//! # Ok::<(), pgtls_pki::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::path::PathBuf;

mod chain;
pub mod details;
mod factory;
pub mod files;
pub mod fingerprint;
pub mod fuzzing;
pub mod pem;

pub use chain::{Chain, ChainOrder};
pub use details::{CertDetails, SanEntry};
pub use factory::{
    days, hours, BasicConstraints, Cert, CertSpec, Crl, Defect, Eku, KeyType, KeyUsage,
    KeyUsageBit, Pki, Role, San, Serial, RSA_POOL_SIZE,
};
pub use files::{FileEntry, Files};
pub use fingerprint::{certificates, Digest};

/// Re-exported so callers can write offsets and `now` without naming the `time` crate version.
pub use time::{Duration, OffsetDateTime};

/// Everything that can go wrong in this crate.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// rcgen refused to make a key, certificate or CRL.
    Generate {
        /// What was being made.
        what: &'static str,
        /// rcgen's reason.
        source: rcgen::Error,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A [`Files`] entry name is not a plain relative path.
    InvalidFileName {
        /// The rejected name.
        name: String,
    },
    /// The input holds no certificate (no PEM CERTIFICATE block, or empty).
    NoCertificate,
    /// A PEM block is malformed.
    Pem {
        /// 1-based line of the block's BEGIN line.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// Bytes that should be a DER certificate are not one.
    InvalidCertificate {
        /// The PEM block's BEGIN line, when the certificate came from PEM.
        line: Option<usize>,
        /// The parser's reason.
        reason: String,
    },
    /// A [`CertSpec`] asks for something that cannot be encoded.
    InvalidSpec(&'static str),
    /// An invariant of this crate did not hold (a bug).
    Internal(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Generate { what, source } => write!(f, "could not generate {what}: {source}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::InvalidFileName { name } => write!(
                f,
                "invalid file name {name:?}: must be a relative path without \"..\""
            ),
            Error::NoCertificate => f.write_str("no certificate found"),
            Error::Pem { line, reason } => {
                write!(f, "malformed PEM block at line {line}: {reason}")
            }
            Error::InvalidCertificate {
                line: Some(line),
                reason,
            } => write!(
                f,
                "invalid certificate in PEM block at line {line}: {reason}"
            ),
            Error::InvalidCertificate { line: None, reason } => {
                write!(f, "invalid DER certificate: {reason}")
            }
            Error::InvalidSpec(what) => write!(f, "invalid certificate spec: {what}"),
            Error::Internal(what) => write!(f, "internal error: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Generate { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Uppercase hex of `bytes`, joined by `sep` (`""` or `":"`).
pub(crate) fn hex_upper(bytes: &[u8], sep: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * (2 + sep.len()));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}
