//! Server certificate verification as libpq 15 + OpenSSL 3 decide it.
//!
//! What this module does:
//! - loads `sslrootcert` (a PEM bundle, or `system`), `sslcrl` and `sslcrldir` the way
//!   OpenSSL's `X509_STORE` does for libpq ([`TrustStore`], [`TrustSource`]);
//! - evaluates a server chain with OpenSSL's rules and order — anchors must be self-signed store
//!   certificates, chains are built from the server's certificates in any order plus the store,
//!   validity of every certificate (the anchor too), serverAuth purpose, CA-ness, path length,
//!   CRLs across the whole chain — computing **every** check even after the first failure
//!   ([`evaluate`] → [`ChainReport`]), with OpenSSL's reason ([`Reason`]) next to libpq's
//!   message (`SSL error: certificate verify failed`);
//! - matches host names with libpq's own rules, not RFC 6125's ([`match_hostname`]);
//! - plugs into rustls as [`LibpqVerifier`], which fails the handshake only when verification is
//!   enforced and leaves the report in a shared slot for the diagnosis;
//! - asks rustls-webpki for its opinion on the same inputs ([`WebpkiOpinion`]): signatures are
//!   verified with rustls' aws-lc-rs algorithm table, and every place where webpki and OpenSSL
//!   disagree is listed in README-verify with the test that shows it.
//!
//! What it does not do: load client certificates or keys, decide *whether* to verify (that is
//! the sslmode policy, in the connection engine), OCSP, name constraints in the OpenSSL model
//! (webpki's opinion covers them), or policy trees.

mod cert;
mod chain;
mod crl;
mod der;
mod hostname;
mod name;
mod report;
mod trust;
mod verifier;
mod webpki_opinion;

use std::fmt;
use std::path::PathBuf;

pub use chain::{evaluate, EvalInputs};
pub use hostname::{check_hostname, match_hostname, HostnameOutcome};
pub use report::{
    ChainCert, ChainReport, Check, CheckName, Reason, Status, WebpkiOpinion, VERIFY_FAILED,
};
pub use trust::{CertSource, CrlStatus, SystemPaths, TrustSource, TrustStore};
pub use verifier::{certificate_error, LibpqVerifier, ReportSlot};

/// What can go wrong loading trust material or verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The root file does not exist (libpq decides per sslmode what that means).
    RootFileMissing {
        /// The file.
        path: PathBuf,
    },
    /// The root file exists but OpenSSL could not load it.
    RootFile {
        /// The file.
        path: PathBuf,
        /// OpenSSL's reason (`no certificate or crl found`, …).
        reason: String,
    },
    /// The chain was rejected (carried inside rustls errors).
    ChainRejected {
        /// OpenSSL's reason.
        reason: Reason,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RootFileMissing { path } => {
                write!(
                    f,
                    "root certificate file \"{}\" does not exist",
                    path.display()
                )
            }
            Self::RootFile { path, reason } => write!(
                f,
                "could not read root certificate file \"{}\": {reason}",
                path.display()
            ),
            Self::ChainRejected { reason } => write!(f, "certificate verify failed: {reason}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Unix seconds as RFC 3339 UTC (`2025-01-31T12:00:00Z`), without needing `time`'s formatting.
pub(crate) fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn errors_read_as_libpq() {
        let e = VerifyError::RootFile {
            path: "/x/root.crt".into(),
            reason: "no certificate or crl found".into(),
        };
        assert_eq!(
            e.to_string(),
            "could not read root certificate file \"/x/root.crt\": no certificate or crl found"
        );
        let e = VerifyError::RootFileMissing {
            path: "/x/root.crt".into(),
        };
        assert_eq!(
            e.to_string(),
            "root certificate file \"/x/root.crt\" does not exist"
        );
    }
}
