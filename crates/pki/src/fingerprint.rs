//! Certificates out of PEM bundles and DER files, and `openssl x509 -fingerprint` lines.
//!
//! OpenSSL 3 prints `sha256 Fingerprint=CB:3C:...` for `-sha256` and `sha1 Fingerprint=...` for
//! `-sha1` (the digest's lowercase short name, uppercase colon-separated hex); without a digest
//! option it prints `SHA1 Fingerprint=...`.

use aws_lc_rs::digest;
use rustls_pki_types::CertificateDer;

use crate::pem::{looks_like_pem, pem_blocks};
use crate::{hex_upper, Error};

/// PEM labels OpenSSL's `x509 -in` accepts as a certificate.
const CERT_LABELS: [&str; 3] = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];

/// A fingerprint digest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Digest {
    /// SHA-256 (`-sha256`).
    #[default]
    Sha256,
    /// SHA-1 (`-sha1`).
    Sha1,
}

impl Digest {
    /// OpenSSL's short name as printed in `-fingerprint` output: `sha256`, `sha1`.
    pub fn openssl_name(self) -> &'static str {
        match self {
            Digest::Sha256 => "sha256",
            Digest::Sha1 => "sha1",
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            Digest::Sha256 => &digest::SHA256,
            Digest::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        };
        digest::digest(alg, data).as_ref().to_vec()
    }
}

/// Uppercase colon-separated hex (`AB:CD:...`), as OpenSSL prints fingerprints.
pub fn colon_hex(bytes: &[u8]) -> String {
    hex_upper(bytes, ":")
}

/// The fingerprint of a DER certificate as colon hex.
pub fn fingerprint(der: &[u8], digest: Digest) -> String {
    colon_hex(&digest.digest(der))
}

/// Exactly the line `openssl x509 -noout -<digest> -fingerprint` prints for this certificate
/// (without the newline).
pub fn openssl_line(der: &[u8], digest: Digest) -> String {
    format!(
        "{} Fingerprint={}",
        digest.openssl_name(),
        fingerprint(der, digest)
    )
}

/// Every certificate in `data`: each `CERTIFICATE` / `X509 CERTIFICATE` / `TRUSTED CERTIFICATE`
/// block of a PEM text (other blocks such as keys and CRLs are skipped), or, when `data` is not
/// PEM, one DER certificate. Each certificate is checked to parse as X.509; trailing bytes after
/// a DER certificate (the trust settings of a TRUSTED CERTIFICATE) are not part of it.
pub fn certificates(data: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    if looks_like_pem(data) {
        let mut certs = Vec::new();
        for block in pem_blocks(data)? {
            if !CERT_LABELS.contains(&block.label.as_str()) {
                continue;
            }
            let der =
                certificate_prefix(&block.der).map_err(|reason| Error::InvalidCertificate {
                    line: Some(block.line),
                    reason,
                })?;
            certs.push(CertificateDer::from(der.to_vec()));
        }
        if certs.is_empty() {
            return Err(Error::NoCertificate);
        }
        Ok(certs)
    } else {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::NoCertificate);
        }
        let der = certificate_prefix(data)
            .map_err(|reason| Error::InvalidCertificate { line: None, reason })?;
        Ok(vec![CertificateDer::from(der.to_vec())])
    }
}

/// `openssl x509 -fingerprint` lines for every certificate in `data` (see [`certificates`]).
pub fn openssl_lines(data: &[u8], digest: Digest) -> Result<Vec<String>, Error> {
    Ok(certificates(data)?
        .iter()
        .map(|der| openssl_line(der, digest))
        .collect())
}

/// The bytes of the X.509 certificate at the start of `data`.
fn certificate_prefix(data: &[u8]) -> Result<&[u8], String> {
    match x509_parser::parse_x509_certificate(data) {
        Ok((rest, _)) => {
            let used = data.len().saturating_sub(rest.len());
            data.get(..used)
                .ok_or_else(|| "parser consumed more than its input".to_owned())
        }
        Err(e) => Err(e.to_string()),
    }
}
