//! The glue between the engine and the verification module ([`crate::verify`]): libpq 15's
//! root-file rule with its messages, CRL loading, and the [`LibpqVerifier`] handed to rustls.
//!
//! libpq verifies the chain only when a root file was loaded (or for verify-ca/verify-full,
//! which fail without one); the verifier still evaluates every check for the diagnosis. The
//! name is never checked inside the handshake: libpq does it afterwards.

use std::sync::{Arc, Mutex};

use pgtls_conninfo::{Policy, RootCert, Settings, VerifyChain};

use crate::failure::{Failure, FailureKind};
use crate::verify::{LibpqVerifier, ReportSlot, TrustSource, TrustStore, VerifyError};

const PG15_HINT: &str =
    "Either provide the file or change sslmode to disable server certificate verification.";

/// What libpq loaded as trust roots.
#[derive(Debug)]
pub struct Roots {
    /// The store (empty when no root file exists).
    pub store: Arc<TrustStore>,
    /// Whether libpq verifies the chain (a root file was loaded).
    pub enforce: bool,
    /// Where the roots came from, for messages (`/home/u/.postgresql/root.crt`, `system`).
    pub source: String,
}

impl Roots {
    /// Whether verification is on.
    pub fn loaded(&self) -> bool {
        self.enforce
    }
}

/// libpq 15's root file rule, run after the server's `S`.
pub fn load_roots(settings: &Settings, policy: &Policy) -> Result<Roots, Failure> {
    let local = |m: String| Failure::new(FailureKind::LocalFile, m);
    let missing = |what: String| -> Result<Roots, Failure> {
        if policy.verify_chain == VerifyChain::Always {
            Err(local(format!("{what}\n{PG15_HINT}")))
        } else {
            Ok(Roots {
                store: Arc::new(TrustStore::empty()),
                enforce: false,
                source: what,
            })
        }
    };
    let (mut store, source) = match &settings.sslrootcert {
        RootCert::File(path) => match TrustStore::load_root_file(path) {
            Ok(s) => (s, path.display().to_string()),
            Err(VerifyError::RootFileMissing { path }) => {
                return missing(format!(
                    "root certificate file \"{}\" does not exist",
                    path.display()
                ))
            }
            Err(e) => return Err(local(e.to_string())),
        },
        RootCert::NoHomeDirectory => {
            return missing("could not get home directory to locate root certificate file".into())
        }
        RootCert::System => match TrustStore::load(&TrustSource::System) {
            Ok(s) => (s, "system".to_owned()),
            Err(e) => return Err(local(e.to_string())),
        },
    };
    store.load_crls(settings.sslcrl.as_deref(), settings.sslcrldir.as_deref());
    Ok(Roots {
        store: Arc::new(store),
        enforce: true,
        source,
    })
}

/// The verifier for these roots and a slot for its report.
pub fn verifier(roots: &Roots, host: Option<String>) -> (Arc<LibpqVerifier>, ReportSlot) {
    let slot: ReportSlot = Arc::new(Mutex::new(None));
    let v =
        LibpqVerifier::new(Arc::clone(&roots.store), roots.enforce, host).with_slot(slot.clone());
    (Arc::new(v), slot)
}
