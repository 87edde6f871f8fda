//! The verification report: every check, its status and context, and the reason OpenSSL would give.

use serde::Serialize;

use super::hostname::HostnameOutcome;
use super::trust::{CertSource, CrlStatus, TrustSource};

/// libpq's text for any chain verification failure (the specific X509 reason is not shown by
/// libpq 15 with OpenSSL 3).
pub const VERIFY_FAILED: &str = "SSL error: certificate verify failed";

/// Why a certificate check failed, named after OpenSSL's `X509_V_ERR_*` codes (with a few
/// webpki-only outcomes that OpenSSL never produces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// 2: the chain ends in a trusted, not self-signed certificate.
    UnableToGetIssuerCert,
    /// 3: CRL checking is on and no CRL covers a certificate of the chain.
    UnableToGetCrl,
    /// 6.
    UnableToDecodeIssuerPublicKey,
    /// 7.
    CertSignatureFailure,
    /// 8.
    CrlSignatureFailure,
    /// 9.
    CertNotYetValid,
    /// 10.
    CertHasExpired,
    /// 11.
    CrlNotYetValid,
    /// 12.
    CrlHasExpired,
    /// 18: the server's only certificate is self-signed and not in the root file.
    DepthZeroSelfSignedCert,
    /// 19: the chain ends in a self-signed certificate that is not in the root file.
    SelfSignedCertInChain,
    /// 20: no issuer found for an untrusted certificate.
    UnableToGetIssuerCertLocally,
    /// 21.
    UnableToVerifyLeafSignature,
    /// 22.
    CertChainTooLong,
    /// 23.
    CertRevoked,
    /// 24.
    InvalidCa,
    /// 25.
    PathLengthExceeded,
    /// 26: EKU without serverAuth, or leaf keyUsage without a TLS usage (OpenSSL 3 says
    /// "unsuitable certificate purpose"; 1.1 said "unsupported").
    InvalidPurpose,
    /// 32.
    KeyUsageNoCertSign,
    /// 33.
    UnableToGetCrlIssuer,
    /// 34.
    UnhandledCriticalExtension,
    /// 35.
    KeyUsageNoCrlSign,
    /// 36.
    UnhandledCriticalCrlExtension,
    /// 44.
    DifferentCrlScope,
    /// 47 (name constraints; reported by webpki only, see README-verify).
    PermittedViolation,
    /// 1.
    Unspecified,
    /// The certificate could not be parsed at all.
    BadCertificateEncoding,
    /// webpki only: an end-entity certificate that says cA=TRUE (OpenSSL accepts it).
    CaUsedAsEndEntity,
    /// libpq's host-name check failed (not an X509 error: libpq checks after the handshake).
    HostnameMismatch,
}

impl Reason {
    /// OpenSSL's `X509_V_ERR_*` number (0 for our own outcomes).
    pub fn openssl_code(self) -> u32 {
        match self {
            Self::Unspecified => 1,
            Self::UnableToGetIssuerCert => 2,
            Self::UnableToGetCrl => 3,
            Self::UnableToDecodeIssuerPublicKey => 6,
            Self::CertSignatureFailure => 7,
            Self::CrlSignatureFailure => 8,
            Self::CertNotYetValid => 9,
            Self::CertHasExpired => 10,
            Self::CrlNotYetValid => 11,
            Self::CrlHasExpired => 12,
            Self::DepthZeroSelfSignedCert => 18,
            Self::SelfSignedCertInChain => 19,
            Self::UnableToGetIssuerCertLocally => 20,
            Self::UnableToVerifyLeafSignature => 21,
            Self::CertChainTooLong => 22,
            Self::CertRevoked => 23,
            Self::InvalidCa => 24,
            Self::PathLengthExceeded => 25,
            Self::InvalidPurpose => 26,
            Self::KeyUsageNoCertSign => 32,
            Self::UnableToGetCrlIssuer => 33,
            Self::UnhandledCriticalExtension => 34,
            Self::KeyUsageNoCrlSign => 35,
            Self::UnhandledCriticalCrlExtension => 36,
            Self::DifferentCrlScope => 44,
            Self::PermittedViolation => 47,
            Self::BadCertificateEncoding | Self::CaUsedAsEndEntity | Self::HostnameMismatch => 0,
        }
    }

    /// OpenSSL 3's reason text (`X509_verify_cert_error_string`), or ours for our outcomes.
    pub fn openssl_text(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified certificate verification error",
            Self::UnableToGetIssuerCert => "unable to get issuer certificate",
            Self::UnableToGetCrl => "unable to get certificate CRL",
            Self::UnableToDecodeIssuerPublicKey => "unable to decode issuer public key",
            Self::CertSignatureFailure => "certificate signature failure",
            Self::CrlSignatureFailure => "CRL signature failure",
            Self::CertNotYetValid => "certificate is not yet valid",
            Self::CertHasExpired => "certificate has expired",
            Self::CrlNotYetValid => "CRL is not yet valid",
            Self::CrlHasExpired => "CRL has expired",
            Self::DepthZeroSelfSignedCert => "self-signed certificate",
            Self::SelfSignedCertInChain => "self-signed certificate in certificate chain",
            Self::UnableToGetIssuerCertLocally => "unable to get local issuer certificate",
            Self::UnableToVerifyLeafSignature => "unable to verify the first certificate",
            Self::CertChainTooLong => "certificate chain too long",
            Self::CertRevoked => "certificate revoked",
            Self::InvalidCa => "invalid CA certificate",
            Self::PathLengthExceeded => "path length constraint exceeded",
            Self::InvalidPurpose => "unsuitable certificate purpose",
            Self::KeyUsageNoCertSign => "key usage does not include certificate signing",
            Self::UnableToGetCrlIssuer => "unable to get CRL issuer certificate",
            Self::UnhandledCriticalExtension => "unhandled critical extension",
            Self::KeyUsageNoCrlSign => "key usage does not include CRL signing",
            Self::UnhandledCriticalCrlExtension => "unhandled critical CRL extension",
            Self::DifferentCrlScope => "Different CRL scope",
            Self::PermittedViolation => "permitted subtree violation",
            Self::BadCertificateEncoding => "certificate could not be parsed",
            Self::CaUsedAsEndEntity => "CA certificate used as end entity",
            Self::HostnameMismatch => "host name mismatch",
        }
    }

    /// The one table from webpki's errors to our reasons. Every variant webpki 0.103 has is
    /// listed; a future one maps to `Unspecified` until it is added here.
    #[allow(deprecated)]
    pub fn from_webpki(e: &webpki::Error) -> Reason {
        use webpki::Error as E;
        match e {
            // Encoding problems: OpenSSL would not have parsed the certificate either.
            E::BadDer
            | E::BadDerTime
            | E::TrailingData(_)
            | E::ExtensionValueInvalid
            | E::MalformedExtensions
            | E::InvalidCertValidity
            | E::InvalidSerialNumber
            | E::UnsupportedCertVersion
            | E::MalformedDnsIdentifier
            | E::MalformedNameConstraint => Reason::BadCertificateEncoding,
            // OpenSSL accepts a cA=TRUE leaf for ssl_server (check_purpose_ssl_server ignores it).
            E::CaUsedAsEndEntity => Reason::CaUsedAsEndEntity,
            // A leaf used as CA: OpenSSL's "invalid CA certificate".
            E::EndEntityUsedAsCa => Reason::InvalidCa,
            E::CertDistrusted => Reason::Unspecified,
            E::CertExpired { .. } => Reason::CertHasExpired,
            E::CertNotValidYet { .. } => Reason::CertNotYetValid,
            // webpki's own name check (we use libpq's rules instead).
            E::CertNotValidForName(_) => Reason::HostnameMismatch,
            E::CertRevoked => Reason::CertRevoked,
            E::CrlExpired { .. } => Reason::CrlHasExpired,
            E::EmptyEkuExtension | E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => {
                Reason::InvalidPurpose
            }
            // CRLs webpki refuses to use: OpenSSL skips such CRLs and ends without one.
            E::InvalidCrlNumber
            | E::UnsupportedCrlVersion
            | E::UnsupportedCrlIssuingDistributionPoint
            | E::UnsupportedDeltaCrl
            | E::UnsupportedIndirectCrl
            | E::UnsupportedRevocationReason
            | E::UnsupportedRevocationReasonsPartitioning
            | E::UnknownRevocationStatus => Reason::UnableToGetCrl,
            E::InvalidCrlSignatureForPublicKey
            | E::UnsupportedCrlSignatureAlgorithm
            | E::UnsupportedCrlSignatureAlgorithmContext(_)
            | E::UnsupportedCrlSignatureAlgorithmForPublicKey
            | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => {
                Reason::CrlSignatureFailure
            }
            E::IssuerNotCrlSigner => Reason::KeyUsageNoCrlSign,
            E::InvalidSignatureForPublicKey
            | E::SignatureAlgorithmMismatch
            | E::UnsupportedSignatureAlgorithm
            | E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                Reason::CertSignatureFailure
            }
            E::InvalidNetworkMaskConstraint
            | E::NameConstraintViolation
            | E::MaximumNameConstraintComparisonsExceeded => Reason::PermittedViolation,
            // webpki's search budget: the nearest OpenSSL outcome is a chain too long.
            E::MaximumPathBuildCallsExceeded
            | E::MaximumSignatureChecksExceeded
            | E::MaximumPathDepthExceeded => Reason::CertChainTooLong,
            E::PathLenConstraintViolated => Reason::PathLengthExceeded,
            // webpki cannot tell "no issuer" from "self-signed not trusted".
            E::UnknownIssuer => Reason::UnableToGetIssuerCertLocally,
            E::UnsupportedCriticalExtension => Reason::UnhandledCriticalExtension,
            E::UnsupportedNameType => Reason::Unspecified,
            _ => Reason::Unspecified,
        }
    }

    /// rustls' certificate errors (e.g. from a verifier that rejected the chain) to our reasons.
    #[allow(deprecated)]
    pub fn from_certificate_error(e: &rustls::CertificateError) -> Reason {
        use rustls::CertificateError as C;
        match e {
            C::BadEncoding => Reason::BadCertificateEncoding,
            C::Expired | C::ExpiredContext { .. } => Reason::CertHasExpired,
            C::NotValidYet | C::NotValidYetContext { .. } => Reason::CertNotYetValid,
            C::Revoked => Reason::CertRevoked,
            C::UnhandledCriticalExtension => Reason::UnhandledCriticalExtension,
            C::UnknownIssuer => Reason::UnableToGetIssuerCertLocally,
            C::UnknownRevocationStatus => Reason::UnableToGetCrl,
            C::ExpiredRevocationList | C::ExpiredRevocationListContext { .. } => {
                Reason::CrlHasExpired
            }
            C::BadSignature
            | C::UnsupportedSignatureAlgorithm
            | C::UnsupportedSignatureAlgorithmContext { .. }
            | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                Reason::CertSignatureFailure
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => Reason::HostnameMismatch,
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => Reason::InvalidPurpose,
            // OCSP is never used by libpq; a verifier's own refusal carries no X509 reason.
            C::InvalidOcspResponse | C::ApplicationVerificationFailure | C::Other(_) => {
                Reason::Unspecified
            }
            _ => Reason::Unspecified,
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.openssl_text())
    }
}

/// The checks every report carries, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// A path to a self-signed certificate of the trust store, with valid signatures.
    Chain,
    /// notBefore/notAfter of every certificate of the chain, anchor included.
    Validity,
    /// EKU allows serverAuth (leaf and CAs), leaf keyUsage allows TLS.
    Purpose,
    /// CA certificates are CAs (basicConstraints), path length constraints.
    Ca,
    /// CRLs cover the whole chain and list none of it.
    Revocation,
    /// libpq's host-name rules (verify-full).
    Hostname,
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// Not evaluated (no CRL loaded, no host, or the certificate could not be parsed).
    Skipped,
}

/// One check's result with its context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which check.
    pub name: CheckName,
    /// Pass, fail or skipped.
    pub status: Status,
    /// The first failure in OpenSSL's order, if any.
    pub reason: Option<Reason>,
    /// Chain depth of that failure (0 = the server's certificate).
    pub depth: Option<usize>,
    /// Human context: names presented vs expected, notAfter vs now, which CRL…
    pub detail: String,
}

/// One certificate of the chain as built.
#[derive(Debug, Clone, Serialize)]
pub struct ChainCert {
    /// 0 = the server's certificate.
    pub depth: usize,
    /// Where it came from.
    pub source: CertSource,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// OpenSSL's self-signed flag.
    pub self_signed: bool,
    /// SHA-256 fingerprint (`AA:BB:…`).
    pub sha256: String,
    /// pgtls-pki's full description of the certificate.
    pub details: Option<pgtls_pki::details::CertDetails>,
}

/// What rustls-webpki decides on the same inputs (anchors: the self-signed certificates of the
/// store; intermediates: everything else), for comparison and for rustls-based clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebpkiOpinion {
    /// webpki accepted the chain.
    pub accepted: bool,
    /// webpki's error, as it prints it.
    pub error: Option<String>,
    /// That error mapped to our reasons.
    pub reason: Option<Reason>,
}

/// Everything the verifier found about one server chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    /// The chain verification OpenSSL does for libpq passed (chain, validity, purpose, CA,
    /// revocation; not the host name, which libpq checks separately).
    pub verified: bool,
    /// libpq's message when verification is enforced and fails.
    pub message: Option<String>,
    /// OpenSSL's specific reason (the first error in OpenSSL's order).
    pub reason: Option<Reason>,
    /// Depth of that error.
    pub error_depth: Option<usize>,
    /// Every check, in [`CheckName`] order.
    pub checks: Vec<Check>,
    /// The chain OpenSSL would build, leaf first (ends early when no issuer was found).
    pub chain: Vec<ChainCert>,
    /// Certificates the server sent that the chain does not use.
    pub unused_server_certs: usize,
    /// Where the roots came from.
    pub trust_source: TrustSource,
    /// CRL state.
    pub crl: CrlStatus,
    /// The verification time, RFC 3339.
    pub now: String,
    /// The host-name check in full, when a host was given.
    pub hostname: Option<HostnameOutcome>,
    /// webpki's verdict on the same inputs.
    pub webpki: WebpkiOpinion,
}

impl ChainReport {
    /// The check called `name`.
    pub fn check(&self, name: CheckName) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// libpq's host-name error, if the host was checked and did not match.
    pub fn hostname_error(&self) -> Option<&str> {
        self.hostname.as_ref().and_then(|h| h.error.as_deref())
    }
}
