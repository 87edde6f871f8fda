//! tls-server-end-point channel binding data (RFC 5929 §4.1), with a tiny bounded DER reader
//! that only looks at a certificate's outer `signatureAlgorithm`.

use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::ScramError;

/// The digest used for the tls-server-end-point hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndPointHash {
    /// SHA-224 (28 bytes).
    Sha224,
    /// SHA-256 (32 bytes); also used for MD5 and SHA-1 signatures.
    Sha256,
    /// SHA-384 (48 bytes).
    Sha384,
    /// SHA-512 (64 bytes).
    Sha512,
}

impl EndPointHash {
    /// The digest for a DER certificate's signature algorithm, as PostgreSQL and libpq pick
    /// it (OpenSSL's `X509_get_signature_info`, then MD5/SHA-1 upgraded to SHA-256).
    /// Checked against libpq 15.18 for RSA-PSS/SHA-384, sha1WithRSA and ecdsa-with-SHA512.
    pub fn for_certificate(cert_der: &[u8]) -> Result<Self, ScramError> {
        let (oid, params) =
            signature_algorithm(cert_der).ok_or(ScramError::UnknownCertificateSignature)?;
        match oid {
            // sha1WithRSAEncryption, md5WithRSAEncryption, md2/md4 RSA, sha1WithRSA (OIW),
            // ecdsa-with-SHA1, dsa-with-sha1
            RSA_SHA1 | RSA_MD5 | RSA_MD2 | RSA_MD4 | OIW_RSA_SHA1 | ECDSA_SHA1 | DSA_SHA1 => {
                Ok(Self::Sha256)
            }
            RSA_SHA224 | ECDSA_SHA224 | DSA_SHA224 => Ok(Self::Sha224),
            RSA_SHA256 | ECDSA_SHA256 | DSA_SHA256 => Ok(Self::Sha256),
            RSA_SHA384 | ECDSA_SHA384 => Ok(Self::Sha384),
            RSA_SHA512 | ECDSA_SHA512 => Ok(Self::Sha512),
            RSA_PSS => pss_hash(params).ok_or(ScramError::UnknownCertificateSignature),
            ED25519 => Err(ScramError::NoDigestForSignature {
                algorithm: "ED25519",
            }),
            ED448 => Err(ScramError::NoDigestForSignature { algorithm: "ED448" }),
            _ => Err(ScramError::UnknownCertificateSignature),
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha224 => Sha224::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// The tls-server-end-point channel binding data of a DER certificate: its hash with the
/// digest of its signature algorithm (MD5/SHA-1 → SHA-256; RSA-PSS → the PSS hash).
///
/// Ed25519/Ed448 certificates fail with libpq's `could not find digest for NID UNDEF`
/// (observed with libpq 15.18, which sends its `p=` client-first-message and then fails);
/// unknown algorithms and non-certificates with `could not determine server certificate
/// signature algorithm`.
pub fn tls_server_end_point(cert_der: &[u8]) -> Result<Vec<u8>, ScramError> {
    Ok(EndPointHash::for_certificate(cert_der)?.digest(cert_der))
}

// OID contents (without tag and length).
const RSA_MD2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x02];
const RSA_MD4: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x03];
const RSA_MD5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04];
const RSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
const RSA_SHA224: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e];
const OIW_RSA_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1d];
const ECDSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
const ECDSA_SHA224: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01];
const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
const DSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03];
const DSA_SHA224: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x01];
const DSA_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const ED448: &[u8] = &[0x2b, 0x65, 0x71];
// Digest OIDs inside RSASSA-PSS-params.
const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
const SHA224: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04];

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;
const CTX0: u8 = 0xa0;

/// A bounded DER cursor: definite lengths only, at most 4 length bytes, never past the end.
struct Der<'a> {
    buf: &'a [u8],
}

impl<'a> Der<'a> {
    /// Reads one TLV, returning (tag, contents).
    fn read(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.buf.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None; // indefinite or absurd
            }
            let (len_bytes, after) = rest.split_at_checked(n)?;
            rest = after;
            len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        let (contents, after) = rest.split_at_checked(len)?;
        self.buf = after;
        Some((tag, contents))
    }

    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.read()? {
            (t, contents) if t == tag => Some(contents),
            _ => None,
        }
    }
}

/// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, ... }.
/// Returns the algorithm OID contents and the parameters (possibly empty).
fn signature_algorithm(cert: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut outer = Der { buf: cert };
    let mut certificate = Der {
        buf: outer.expect(SEQUENCE)?,
    };
    certificate.expect(SEQUENCE)?; // tbsCertificate
    let mut alg = Der {
        buf: certificate.expect(SEQUENCE)?,
    };
    let oid = alg.expect(OID)?;
    Some((oid, alg.buf))
}

/// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] EXPLICIT AlgorithmIdentifier DEFAULT
/// sha1, ... }.
fn pss_hash(params: &[u8]) -> Option<EndPointHash> {
    let mut p = Der { buf: params };
    let mut seq = Der {
        buf: p.expect(SEQUENCE)?,
    };
    let hash_oid = match seq.read() {
        Some((CTX0, explicit)) => {
            let mut explicit = Der { buf: explicit };
            let mut alg = Der {
                buf: explicit.expect(SEQUENCE)?,
            };
            alg.expect(OID)?
        }
        _ => SHA1, // absent: the default, SHA-1
    };
    match hash_oid {
        SHA1 | SHA256 => Some(EndPointHash::Sha256),
        SHA224 => Some(EndPointHash::Sha224),
        SHA384 => Some(EndPointHash::Sha384),
        SHA512 => Some(EndPointHash::Sha512),
        _ => None,
    }
}
