//! Every recipe handed to `openssl verify` (with -attime at the injected now, -purpose,
//! -verify_hostname / -verify_ip, -untrusted, -crl_check): each defect is reported as that
//! defect. Also: our fingerprints, serials and key files agree with openssl's view.

use pgtls_pki::{CertSpec, ChainOrder, Files, KeyType};

use crate::recipes::{self, Recipe};
use crate::util::{openssl, openssl_verify, pki, run_openssl};

/// Verifies `recipe` with openssl; `None` when openssl is missing (SKIP printed).
fn verify(recipe: Recipe) -> Option<(bool, String)> {
    let openssl = openssl()?;
    Some(openssl_verify(&openssl, &recipe.leaf, &recipe.verify))
}

fn assert_ok(recipe: Recipe) {
    if let Some((ok, out)) = verify(recipe) {
        assert!(
            ok && out.contains(": OK"),
            "openssl verify should accept:\n{out}"
        );
    }
}

fn assert_rejected(recipe: Recipe, reason: &str) {
    assert_rejected_any(recipe, &[reason]);
}

/// Rejected with one of `reasons` (OpenSSL renamed some texts between 1.1 and 3.0).
fn assert_rejected_any(recipe: Recipe, reasons: &[&str]) {
    if let Some((ok, out)) = verify(recipe) {
        assert!(!ok, "openssl verify should reject with {reasons:?}:\n{out}");
        assert!(
            reasons.iter().any(|r| out.contains(r)),
            "openssl verify should say one of {reasons:?}:\n{out}"
        );
    }
}

/// X509_V_ERR_INVALID_PURPOSE (26): "unsupported certificate purpose" up to OpenSSL 1.1,
/// "unsuitable certificate purpose" since 3.0.
const INVALID_PURPOSE: [&str; 2] = [
    "unsupported certificate purpose",
    "unsuitable certificate purpose",
];

#[test]
fn openssl_accepts_valid_root_to_leaf() {
    assert_ok(recipes::valid());
}

#[test]
fn openssl_accepts_valid_chain_with_intermediate() {
    assert_ok(recipes::valid_with_intermediate());
}

#[test]
fn openssl_accepts_every_key_type() {
    for key in KeyType::ALL {
        assert_ok(recipes::valid_key(key));
    }
}

#[test]
fn openssl_accepts_reversed_intermediates() {
    assert_ok(recipes::reversed_chain());
}

#[test]
fn openssl_reports_expired_leaf_as_has_expired() {
    assert_rejected(recipes::expired_leaf(), "certificate has expired");
}

#[test]
fn openssl_reports_not_yet_valid_leaf() {
    assert_rejected(
        recipes::not_yet_valid_leaf(),
        "certificate is not yet valid",
    );
}

#[test]
fn openssl_reports_expired_intermediate_as_has_expired() {
    assert_rejected(recipes::expired_intermediate(), "certificate has expired");
}

#[test]
fn openssl_reports_client_eku_only_server_as_unsupported_purpose() {
    assert_rejected_any(recipes::client_eku_only(), &INVALID_PURPOSE);
}

#[test]
fn openssl_accepts_server_leaf_without_eku() {
    assert_ok(recipes::no_eku());
}

#[test]
fn openssl_accepts_leaf_with_ca_true() {
    assert_ok(recipes::leaf_is_ca());
}

#[test]
fn openssl_reports_untrusted_root_as_unable_to_get_local_issuer() {
    assert_rejected(
        recipes::untrusted_root(),
        "unable to get local issuer certificate",
    );
}

#[test]
fn openssl_reports_impostor_root_with_trusted_name_as_unable_to_get_local_issuer() {
    assert_rejected(
        recipes::impostor_root(),
        "unable to get local issuer certificate",
    );
}

#[test]
fn openssl_reports_self_signed_leaf() {
    assert_rejected(recipes::self_signed_leaf(), "self-signed certificate");
}

#[test]
fn openssl_reports_revoked_leaf_as_certificate_revoked() {
    assert_rejected(recipes::revoked_leaf(), "certificate revoked");
}

#[test]
fn openssl_accepts_leaf_missing_from_crl() {
    assert_ok(recipes::crl_without_leaf());
}

#[test]
fn openssl_reports_intermediate_without_ca_flag_as_invalid_ca() {
    assert_rejected(recipes::intermediate_not_ca(), "invalid CA certificate");
}

#[test]
fn openssl_reports_intermediate_without_key_cert_sign() {
    assert_rejected(
        recipes::intermediate_without_key_cert_sign(),
        "key usage does not include certificate signing",
    );
}

#[test]
fn openssl_reports_missing_intermediate_as_unable_to_get_local_issuer() {
    assert_rejected(
        recipes::missing_intermediate(),
        "unable to get local issuer certificate",
    );
}

#[test]
fn openssl_rejects_trust_in_intermediate_only() {
    assert_rejected(
        recipes::intermediate_only_trusted(),
        "unable to get issuer certificate",
    );
}

#[test]
fn openssl_reports_other_host_as_hostname_mismatch() {
    assert_rejected(recipes::wrong_hostname(), "hostname mismatch");
}

#[test]
fn openssl_matches_cn_when_there_is_no_san() {
    assert_ok(recipes::cn_only());
}

#[test]
fn openssl_ignores_cn_when_a_dns_san_exists() {
    assert_rejected(recipes::san_overrides_cn(), "hostname mismatch");
}

#[test]
fn openssl_matches_wildcard_for_one_label() {
    assert_ok(recipes::wildcard_match());
}

#[test]
fn openssl_rejects_wildcard_for_two_labels() {
    assert_rejected(recipes::wildcard_two_labels(), "hostname mismatch");
}

#[test]
fn openssl_rejects_wildcard_for_bare_domain() {
    assert_rejected(recipes::wildcard_bare_domain(), "hostname mismatch");
}

#[test]
fn openssl_matches_ipv4_san() {
    assert_ok(recipes::ip_san());
}

#[test]
fn openssl_matches_ipv6_san() {
    assert_ok(recipes::ipv6_san());
}

#[test]
fn openssl_does_not_match_ip_written_as_dnsname() {
    assert_rejected(recipes::ip_in_dnsname(), "IP address mismatch");
}

#[test]
fn openssl_rejects_certificate_without_names() {
    assert_rejected(recipes::no_names(), "hostname mismatch");
}

#[test]
fn openssl_accepts_client_certificate_for_sslclient() {
    assert_ok(recipes::client_cert());
}

#[test]
fn openssl_rejects_server_certificate_for_sslclient() {
    assert_rejected_any(recipes::server_cert_as_client(), &INVALID_PURPOSE);
}

#[test]
fn openssl_fingerprints_and_serials_match_ours_for_every_key_type() {
    let Some(openssl) = openssl() else { return };
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    for key in KeyType::ALL {
        let leaf = pki
            .issue(&CertSpec::server("c-demo.pgtls.test").key(key), &root)
            .expect("leaf");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("leaf.pem");
        std::fs::write(&path, leaf.pem()).expect("write");
        let path = path.to_str().expect("utf-8 path");
        let details = leaf.details().expect("details");
        let (ok, sha256) = run_openssl(
            &openssl,
            &["x509", "-in", path, "-noout", "-sha256", "-fingerprint"],
        );
        assert!(ok, "{sha256}");
        assert_eq!(
            sha256.trim_end(),
            format!("sha256 Fingerprint={}", details.sha256_fingerprint),
            "{key:?}"
        );
        let (ok, sha1) = run_openssl(
            &openssl,
            &["x509", "-in", path, "-noout", "-sha1", "-fingerprint"],
        );
        assert!(ok, "{sha1}");
        assert_eq!(
            sha1.trim_end(),
            format!("sha1 Fingerprint={}", details.sha1_fingerprint)
        );
        let (ok, serial) = run_openssl(&openssl, &["x509", "-in", path, "-noout", "-serial"]);
        assert!(ok, "{serial}");
        assert_eq!(serial.trim_end(), format!("serial={}", details.serial));
        let (ok, text) = run_openssl(&openssl, &["x509", "-in", path, "-noout", "-text"]);
        assert!(ok, "{text}");
        assert!(
            text.contains(&format!(
                "Signature Algorithm: {}",
                details.signature_algorithm
            )),
            "{key:?}: {}\n{text}",
            details.signature_algorithm
        );
    }
}

#[test]
fn openssl_reads_our_key_files_and_they_match_their_certificates() {
    let Some(openssl) = openssl() else { return };
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    // RSA keys come from the per-process pool, so this adds no RSA key generation.
    for key in KeyType::ALL {
        let leaf = pki
            .issue(&CertSpec::server("c-demo.pgtls.test").key(key), &root)
            .expect("leaf");
        let dir = tempfile::tempdir().expect("tempdir");
        Files::new()
            .server(&leaf.chain(&[], ChainOrder::LeafFirst))
            .write_to(dir.path())
            .expect("write");
        let crt = dir.path().join("server.crt");
        let key_path = dir.path().join("server.key");
        let (ok, cert_pub) = run_openssl(
            &openssl,
            &["x509", "-in", crt.to_str().unwrap(), "-noout", "-pubkey"],
        );
        assert!(ok, "{cert_pub}");
        let (ok, key_pub) = run_openssl(
            &openssl,
            &["pkey", "-in", key_path.to_str().unwrap(), "-pubout"],
        );
        assert!(ok, "{key:?}: {key_pub}");
        assert_eq!(cert_pub, key_pub, "{key:?}: key file matches certificate");
    }
}

#[test]
fn openssl_lists_the_revoked_serial_in_our_crl() {
    let Some(openssl) = openssl() else { return };
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let leaf = pki
        .issue(&CertSpec::server("c-demo.pgtls.test"), &root)
        .expect("leaf");
    let crl = pki.crl(&root, &[leaf.serial()]).expect("crl");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("root.crl");
    std::fs::write(&path, crl.pem()).expect("write");
    let (ok, text) = run_openssl(
        &openssl,
        &["crl", "-in", path.to_str().unwrap(), "-noout", "-text"],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("Serial Number: {}", leaf.serial().hex())),
        "serial {} listed:\n{text}",
        leaf.serial()
    );
    assert!(text.contains("Key Compromise"), "{text}");
}

#[test]
fn openssl_parses_a_raw_ip_san_of_invalid_length() {
    let Some(openssl) = openssl() else { return };
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let leaf = pki
        .issue(
            &CertSpec::server("c-demo.pgtls.test").sans([
                pgtls_pki::San::RawIp(vec![10, 0, 0]),
                pgtls_pki::San::dns("x.test"),
            ]),
            &root,
        )
        .expect("leaf");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("leaf.pem");
    std::fs::write(&path, leaf.pem()).expect("write");
    let (ok, text) = run_openssl(
        &openssl,
        &[
            "x509",
            "-in",
            path.to_str().unwrap(),
            "-noout",
            "-ext",
            "subjectAltName",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("IP Address:<invalid length=3>"), "{text}");
    assert!(text.contains("DNS:x.test"), "{text}");
}
