//! CertDetails on a real public root (facts copied by hand from `openssl x509 -text`) and on
//! garbage.

use pgtls_pki::{CertDetails, CertSpec, Error, SanEntry};
use pretty_assertions::assert_eq;

use crate::util::{digicert_pem, pki};

fn digicert_der() -> Vec<u8> {
    use base64::Engine as _;
    let text = String::from_utf8(digicert_pem()).expect("utf-8");
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64")
}

#[test]
fn digicert_global_root_g2_facts() {
    let d = CertDetails::from_der(&digicert_der()).expect("parses");
    let subject = "C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2";
    assert_eq!(d.version, 3);
    assert_eq!(d.subject, subject);
    assert_eq!(d.issuer, subject);
    assert_eq!(d.subject_cns, vec!["DigiCert Global Root G2".to_owned()]);
    assert!(d.sans.is_empty());
    assert_eq!(d.not_before, "2013-08-01T12:00:00Z");
    assert_eq!(d.not_after, "2038-01-15T12:00:00Z");
    assert!(d.is_ca && d.has_basic_constraints);
    assert_eq!(d.path_len, None);
    assert_eq!(
        d.key_usage,
        Some(vec![
            "digitalSignature".to_owned(),
            "keyCertSign".to_owned(),
            "cRLSign".to_owned()
        ])
    );
    assert_eq!(d.extended_key_usage, None);
    assert_eq!(d.public_key, "RSA 2048");
    assert_eq!(d.public_key_bits, 2048);
    assert_eq!(d.signature_algorithm, "sha256WithRSAEncryption");
    assert_eq!(d.serial, "033AF1E6A711A9A0BB2864B11D09FAE5");
    assert_eq!(
        d.sha256_fingerprint,
        "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F"
    );
    assert_eq!(
        d.sha1_fingerprint,
        "DF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4"
    );
    assert!(d.self_issued && d.self_signed);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert!(d.is_valid_at(1_748_736_000));
    assert!(!d.is_valid_at(2_200_000_000));
}

#[test]
fn details_serialize_to_json_with_tagged_sans() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let leaf = pki
        .issue(
            &CertSpec::server("c-demo.pgtls.test").ip([127, 0, 0, 1]),
            &root,
        )
        .expect("leaf");
    let json = serde_json::to_value(leaf.details().expect("details")).expect("json");
    assert_eq!(
        json["sans"],
        serde_json::json!([
            {"type": "dns", "value": "c-demo.pgtls.test"},
            {"type": "ip", "value": "127.0.0.1"}
        ])
    );
    assert_eq!(json["public_key"], "ECDSA P-256");
    assert_eq!(
        json["extended_key_usage"],
        serde_json::json!(["serverAuth"])
    );
    assert_eq!(json["not_after"], "2025-08-30T00:00:00Z");
}

#[test]
fn trailing_bytes_after_a_certificate_are_a_warning() {
    let mut der = digicert_der();
    der.extend_from_slice(&[0x30, 0x00]);
    let d = CertDetails::from_der(&der).expect("parses");
    assert_eq!(
        d.warnings,
        vec!["2 trailing bytes after the certificate".to_owned()]
    );
    assert_eq!(
        d.sha256_fingerprint,
        "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F",
        "the fingerprint covers the certificate only"
    );
}

#[test]
fn garbage_is_an_invalid_certificate_error() {
    for input in [
        &b""[..],
        b"\x30",
        b"\x30\x84\xff\xff\xff\xff",
        b"-----BEGIN CERTIFICATE-----",
        &[0u8; 64],
    ] {
        let err = CertDetails::from_der(input).unwrap_err();
        assert!(
            matches!(err, Error::InvalidCertificate { line: None, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with("invalid DER certificate: "),
            "{err}"
        );
    }
}

#[test]
fn summary_names_subject_key_and_expiry() {
    let d = CertDetails::from_der(&digicert_der()).expect("parses");
    assert_eq!(
        d.summary(),
        "C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2 \
         (RSA 2048, expires 2038-01-15T12:00:00Z, issuer C=US, O=DigiCert Inc, \
         OU=www.digicert.com, CN=DigiCert Global Root G2)"
    );
}

#[test]
fn sans_of_unusual_kinds_are_listed_not_dropped() {
    // Only dNSName/iPAddress come from the factory; check the enum's JSON shape for the rest.
    let v = serde_json::to_value(SanEntry::InvalidIp("0A0000".into())).expect("json");
    assert_eq!(
        v,
        serde_json::json!({"type": "invalid-ip", "value": "0A0000"})
    );
}
