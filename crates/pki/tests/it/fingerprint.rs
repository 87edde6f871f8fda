//! Certificates out of PEM bundles and DER, and openssl-style fingerprint lines. The DigiCert
//! constants are hand-written (from the issue and from `openssl x509 -fingerprint`).

use pgtls_pki::fingerprint::{certificates, openssl_line, openssl_lines};
use pgtls_pki::{CertSpec, Digest, Error};
use pretty_assertions::assert_eq;

use crate::util::{digicert_pem, pki};

const DIGICERT_SHA256: &str = "sha256 Fingerprint=CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";
const DIGICERT_SHA1: &str =
    "sha1 Fingerprint=DF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4";

fn digicert_der() -> Vec<u8> {
    use base64::Engine as _;
    let text = String::from_utf8(digicert_pem()).expect("utf-8");
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64")
}

/// SHA-256 colon hex computed independently of the crate's formatter.
fn sha256_line(der: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der);
    let hex: Vec<String> = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    format!("sha256 Fingerprint={}", hex.join(":"))
}

#[test]
fn digicert_global_root_g2_sha256_fingerprint_is_the_published_one() {
    assert_eq!(
        openssl_lines(&digicert_pem(), Digest::Sha256).expect("lines"),
        vec![DIGICERT_SHA256.to_owned()]
    );
}

#[test]
fn digicert_global_root_g2_sha1_fingerprint_matches_openssl() {
    assert_eq!(
        openssl_lines(&digicert_pem(), Digest::Sha1).expect("lines"),
        vec![DIGICERT_SHA1.to_owned()]
    );
}

#[test]
fn der_file_gives_the_same_line_as_pem() {
    assert_eq!(
        openssl_lines(&digicert_der(), Digest::Sha256).expect("lines"),
        vec![DIGICERT_SHA256.to_owned()]
    );
}

#[test]
fn bundle_gives_one_line_per_certificate_skipping_keys_and_crls() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let leaf = pki
        .issue(&CertSpec::server("c-demo.pgtls.test"), &root)
        .expect("leaf");
    let crl = pki.crl(&root, &[]).expect("crl");
    let bundle = format!(
        "# a comment line, as in ca-certificates bundles\n{}{}{}subject=CN = Root CA\n{}",
        String::from_utf8(digicert_pem()).expect("utf-8"),
        leaf.key_pem(),
        crl.pem(),
        leaf.pem(),
    );
    assert_eq!(
        openssl_lines(bundle.as_bytes(), Digest::Sha256).expect("lines"),
        vec![DIGICERT_SHA256.to_owned(), sha256_line(leaf.der_bytes())]
    );
}

#[test]
fn crlf_line_endings_are_accepted() {
    let text = String::from_utf8(digicert_pem())
        .expect("utf-8")
        .replace('\n', "\r\n");
    assert_eq!(
        openssl_lines(text.as_bytes(), Digest::Sha256).expect("lines"),
        vec![DIGICERT_SHA256.to_owned()]
    );
}

#[test]
fn trusted_certificate_block_is_fingerprinted_without_its_trust_settings() {
    use base64::Engine as _;
    let mut der = digicert_der();
    // An (empty) X509_CERT_AUX sequence after the certificate, as `openssl x509 -addtrust` writes.
    der.extend_from_slice(&[0x30, 0x00]);
    let pem = format!(
        "-----BEGIN TRUSTED CERTIFICATE-----\n{}\n-----END TRUSTED CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    assert_eq!(
        openssl_lines(pem.as_bytes(), Digest::Sha256).expect("lines"),
        vec![DIGICERT_SHA256.to_owned()]
    );
}

#[test]
fn openssl_line_shape() {
    let line = openssl_line(&digicert_der(), Digest::Sha256);
    assert_eq!(line.len(), "sha256 Fingerprint=".len() + 32 * 3 - 1);
    assert_eq!(Digest::Sha256.openssl_name(), "sha256");
    assert_eq!(Digest::Sha1.openssl_name(), "sha1");
}

#[test]
fn empty_input_and_pem_without_certificates_have_no_certificate() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    for input in [String::new(), "\n \n".to_owned(), root.key_pem()] {
        let err = certificates(input.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::NoCertificate), "{err:?}");
        assert_eq!(err.to_string(), "no certificate found");
    }
}

#[test]
fn malformed_pem_names_the_line() {
    let no_end = "junk\n-----BEGIN CERTIFICATE-----\nMIIB\n";
    assert_eq!(
        certificates(no_end.as_bytes()).unwrap_err().to_string(),
        "malformed PEM block at line 2: no END line"
    );
    let bad_b64 = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    assert_eq!(
        certificates(bad_b64.as_bytes()).unwrap_err().to_string(),
        "malformed PEM block at line 1: bad base64"
    );
    let mismatched = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n";
    assert!(matches!(
        certificates(mismatched.as_bytes()).unwrap_err(),
        Error::Pem { line: 1, .. }
    ));
    let not_a_cert = "\n\n-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
    let err = certificates(not_a_cert.as_bytes()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidCertificate { line: Some(3), .. }),
        "{err:?}"
    );
}

#[test]
fn binary_garbage_is_an_invalid_der_certificate() {
    let err = certificates(&[0x30, 0x03, 0x02, 0x01, 0x01]).unwrap_err();
    assert!(
        matches!(err, Error::InvalidCertificate { line: None, .. }),
        "{err:?}"
    );
}
