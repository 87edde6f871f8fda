//! A rustls [`ServerCertVerifier`] that decides as libpq's OpenSSL does and leaves its full
//! report for the diagnosis.
//!
//! libpq verifies the chain during the handshake (only when a root file exists or the sslmode
//! requires it) and the host name *after* the handshake. So this verifier fails the handshake
//! only for chain problems and only when `enforce` is set; the connection engine checks the host
//! name afterwards with [`super::match_hostname`]. The report is stored either way, so a
//! `sslmode=require` connection still learns that verify-full would have failed.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::chain::{evaluate, EvalInputs};
use super::report::{ChainReport, Reason};
use super::trust::TrustStore;
use super::VerifyError;

/// Where [`LibpqVerifier`] leaves the report of the last chain it saw.
pub type ReportSlot = Arc<Mutex<Option<ChainReport>>>;

/// libpq's certificate decision as a rustls verifier.
#[derive(Debug)]
pub struct LibpqVerifier {
    store: Arc<TrustStore>,
    enforce: bool,
    host: Option<String>,
    now: Option<UnixTime>,
    slot: ReportSlot,
    provider: Arc<CryptoProvider>,
}

impl LibpqVerifier {
    /// A verifier over `store`. `enforce`: fail the handshake when the chain does not verify
    /// (libpq: a root file exists, or verify-ca/verify-full). `host`: libpq's `host`, used only
    /// for the report's host-name check.
    pub fn new(store: Arc<TrustStore>, enforce: bool, host: Option<String>) -> Self {
        Self {
            store,
            enforce,
            host,
            now: None,
            slot: Arc::new(Mutex::new(None)),
            provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
        }
    }

    /// Uses a fixed verification time instead of the handshake's (tests).
    pub fn with_time(mut self, now: UnixTime) -> Self {
        self.now = Some(now);
        self
    }

    /// Stores reports in `slot` instead of a fresh one.
    pub fn with_slot(mut self, slot: ReportSlot) -> Self {
        self.slot = slot;
        self
    }

    /// The slot the reports go to.
    pub fn report_slot(&self) -> ReportSlot {
        Arc::clone(&self.slot)
    }
}

/// The rustls error whose TLS alert is closest to the one OpenSSL's `ssl_verify_alarm_type`
/// sends for `reason` (see README-verify for the two that differ).
pub fn certificate_error(reason: Reason) -> CertificateError {
    match reason {
        // unknown_ca in OpenSSL.
        Reason::UnableToGetIssuerCert
        | Reason::UnableToGetIssuerCertLocally
        | Reason::DepthZeroSelfSignedCert
        | Reason::SelfSignedCertInChain
        | Reason::UnableToVerifyLeafSignature
        | Reason::UnableToGetCrl
        | Reason::UnableToGetCrlIssuer => CertificateError::UnknownIssuer,
        // certificate_expired.
        Reason::CertHasExpired | Reason::CrlHasExpired => CertificateError::Expired,
        // bad_certificate in OpenSSL; rustls sends certificate_expired for NotValidYet.
        Reason::CertNotYetValid | Reason::CrlNotYetValid => CertificateError::NotValidYet,
        Reason::CertRevoked => CertificateError::Revoked,
        // decrypt_error.
        Reason::CertSignatureFailure | Reason::CrlSignatureFailure => {
            CertificateError::BadSignature
        }
        // unsupported_certificate.
        Reason::InvalidPurpose => CertificateError::InvalidPurpose,
        Reason::BadCertificateEncoding => CertificateError::BadEncoding,
        Reason::UnhandledCriticalExtension => CertificateError::UnhandledCriticalExtension,
        // certificate_unknown (OpenSSL's default).
        other => CertificateError::Other(OtherError(Arc::new(VerifyError::ChainRejected {
            reason: other,
        }))),
    }
}

impl ServerCertVerifier for LibpqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let report = evaluate(
            end_entity,
            intermediates,
            &self.store,
            &EvalInputs {
                now: self.now.unwrap_or(now),
                host: self.host.clone(),
            },
        );
        let verified = report.verified;
        let reason = report.reason.unwrap_or(Reason::Unspecified);
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(report);
        }
        if self.enforce && !verified {
            Err(rustls::Error::InvalidCertificate(certificate_error(reason)))
        } else {
            Ok(ServerCertVerified::assertion())
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
