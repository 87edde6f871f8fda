//! `LibpqVerifier` inside a real rustls handshake (in memory): it fails the handshake only when
//! told to enforce, and always leaves its report for the diagnosis.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use pgtls_pki::{CertSpec, ChainOrder, OffsetDateTime, Pki};
use pgtls_probe::verify::{
    certificate_error, CheckName, LibpqVerifier, Reason, Status, TrustStore,
};
use rustls::{CertificateError, ClientConfig, ClientConnection, ServerConfig, ServerConnection};
use rustls_pki_types::{ServerName, UnixTime};

const NOW: i64 = 1_800_000_000;

fn handshake(
    verifier: LibpqVerifier,
    chain: Vec<rustls_pki_types::CertificateDer<'static>>,
    key: rustls_pki_types::PrivateKeyDer<'static>,
) -> Result<(), rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server_config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let client_config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let mut client = ClientConnection::new(
        Arc::new(client_config),
        ServerName::try_from("db.pgtls.test").unwrap(),
    )
    .unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config)).unwrap();
    for _ in 0..20 {
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        let mut rd = buf.as_slice();
        while !rd.is_empty() {
            server.read_tls(&mut rd).unwrap();
        }
        server.process_new_packets()?;
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        let mut rd = buf.as_slice();
        while !rd.is_empty() {
            client.read_tls(&mut rd).unwrap();
        }
        client.process_new_packets()?;
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
    }
    panic!("handshake did not finish");
}

struct Setup {
    store: Arc<TrustStore>,
    chain: Vec<rustls_pki_types::CertificateDer<'static>>,
    key: rustls_pki_types::PrivateKeyDer<'static>,
}

fn setup(trusted: bool) -> Setup {
    let pki = Pki::new(OffsetDateTime::from_unix_timestamp(NOW).unwrap());
    let root = pki.root("pgtls Verifier Root").unwrap();
    let other = pki.root("pgtls Unrelated Root").unwrap();
    let leaf = pki
        .issue(&CertSpec::server("db.pgtls.test"), &root)
        .unwrap();
    let chain = leaf.chain(&[], ChainOrder::LeafFirst);
    let anchor = if trusted { &root } else { &other };
    Setup {
        store: Arc::new(TrustStore::from_certificates(&[anchor.der().clone()]).unwrap()),
        chain: chain.ders(),
        key: chain.key_der(),
    }
}

fn at_now(v: LibpqVerifier) -> LibpqVerifier {
    v.with_time(UnixTime::since_unix_epoch(StdDuration::from_secs(
        NOW as u64,
    )))
}

#[test]
fn enforcing_verifier_fails_the_handshake_with_unknown_issuer_and_keeps_the_report() {
    let s = setup(false);
    let verifier = at_now(LibpqVerifier::new(
        s.store,
        true,
        Some("db.pgtls.test".into()),
    ));
    let slot = verifier.report_slot();
    let err = handshake(verifier, s.chain, s.key).unwrap_err();
    assert_eq!(
        err,
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
    );
    let report = slot.lock().unwrap().clone().expect("report stored");
    assert!(!report.verified);
    assert_eq!(report.reason, Some(Reason::UnableToGetIssuerCertLocally));
    assert_eq!(
        report.message.as_deref(),
        Some("SSL error: certificate verify failed")
    );
}

#[test]
fn non_enforcing_verifier_lets_the_handshake_finish_and_still_reports_the_failure() {
    let s = setup(false);
    let verifier = at_now(LibpqVerifier::new(
        s.store,
        false,
        Some("wrong.pgtls.test".into()),
    ));
    let slot = verifier.report_slot();
    handshake(verifier, s.chain, s.key).unwrap();
    let report = slot.lock().unwrap().clone().expect("report stored");
    assert!(!report.verified);
    assert_eq!(
        report.check(CheckName::Hostname).unwrap().status,
        Status::Fail
    );
    assert_eq!(
        report.hostname_error(),
        Some("server certificate for \"db.pgtls.test\" does not match host name \"wrong.pgtls.test\"")
    );
}

#[test]
fn trusted_chain_passes_and_the_host_name_is_only_reported() {
    let s = setup(true);
    let verifier = at_now(LibpqVerifier::new(
        s.store,
        true,
        Some("other.pgtls.test".into()),
    ));
    let slot = verifier.report_slot();
    handshake(verifier, s.chain, s.key).unwrap();
    let report = slot.lock().unwrap().clone().unwrap();
    assert!(report.verified);
    assert_eq!(report.message, None);
    assert_eq!(
        report.check(CheckName::Hostname).unwrap().status,
        Status::Fail
    );
}

#[test]
fn rejection_errors_carry_the_alert_openssl_would_send() {
    assert_eq!(
        certificate_error(Reason::CertHasExpired),
        CertificateError::Expired
    );
    assert_eq!(
        certificate_error(Reason::CertRevoked),
        CertificateError::Revoked
    );
    assert_eq!(
        certificate_error(Reason::SelfSignedCertInChain),
        CertificateError::UnknownIssuer
    );
    assert_eq!(
        certificate_error(Reason::InvalidPurpose),
        CertificateError::InvalidPurpose
    );
    assert!(matches!(
        certificate_error(Reason::InvalidCa),
        CertificateError::Other(_)
    ));
}
