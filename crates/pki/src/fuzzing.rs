//! Entry points for `fuzz/` targets: thin wrappers that must never panic on any input.

use crate::{certificates, CertDetails, Digest};

/// Feeds `data` to the PEM/DER certificate reader, the fingerprint printer and
/// [`CertDetails::from_der`] (both on every certificate found and on the raw bytes).
pub fn certificate_input(data: &[u8]) {
    let _ = CertDetails::from_der(data);
    let _ = crate::pem::pem_blocks(data);
    if let Ok(certs) = certificates(data) {
        for der in certs {
            let _ = crate::fingerprint::openssl_line(&der, Digest::Sha256);
            let _ = crate::fingerprint::openssl_line(&der, Digest::Sha1);
            if let Ok(details) = CertDetails::from_der(&der) {
                let _ = details.summary();
            }
        }
    }
}
