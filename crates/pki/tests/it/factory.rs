//! The factory: specs become certificates with exactly the knobs asked for. Expectations are
//! written by hand from the spec and read back with CertDetails (x509-parser, not rcgen).

use std::collections::HashSet;
use std::net::Ipv6Addr;
use std::sync::Arc;

use pgtls_pki::{
    days, BasicConstraints, CertSpec, ChainOrder, Defect, Eku, Error, KeyType, KeyUsage, Pki,
    SanEntry,
};
use pretty_assertions::assert_eq;

use crate::util::{now, pki};

const HOST: &str = "c-demo.pgtls.test";

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn serial_numbers_are_distinct_within_and_across_pkis() {
    let mut seen = HashSet::new();
    for _ in 0..2 {
        let pki = pki();
        let root = pki.root("Root CA").expect("root");
        assert!(seen.insert(root.serial().clone()));
        for i in 0..15 {
            let leaf = pki
                .issue(&CertSpec::server(format!("h{i}.pgtls.test")), &root)
                .expect("leaf");
            assert_eq!(leaf.details().expect("details").serial, leaf.serial().hex());
            assert!(seen.insert(leaf.serial().clone()), "duplicate serial");
        }
    }
    assert_eq!(seen.len(), 32);
}

#[test]
fn server_spec_puts_host_in_cn_and_dns_san() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let d = pki
        .issue(&CertSpec::server(HOST), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.subject, "CN=c-demo.pgtls.test");
    assert_eq!(d.issuer, "CN=Root CA");
    assert_eq!(d.subject_cns, strings(&[HOST]));
    assert_eq!(d.san_dns, strings(&[HOST]));
    assert!(d.san_ips.is_empty());
}

#[test]
fn server_spec_for_an_ip_host_uses_an_ip_san() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let d = pki
        .issue(&CertSpec::server("127.0.0.1"), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.san_ips, strings(&["127.0.0.1"]));
    assert!(d.san_dns.is_empty());
    assert_eq!(d.subject_cns, strings(&["127.0.0.1"]));
}

#[test]
fn sans_keep_their_order_with_wildcards_ipv6_and_ip_text_in_dnsname() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let spec = CertSpec::server(HOST)
        .dns("*.pgtls.test")
        .ip(Ipv6Addr::LOCALHOST)
        .ip_as_dns([10, 0, 0, 1])
        .ip([192, 0, 2, 1]);
    let d = pki
        .issue(&spec, &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(
        d.sans,
        vec![
            SanEntry::Dns(HOST.into()),
            SanEntry::Dns("*.pgtls.test".into()),
            SanEntry::Ip("::1".into()),
            SanEntry::Dns("10.0.0.1".into()),
            SanEntry::Ip("192.0.2.1".into()),
        ]
    );
    assert_eq!(d.san_dns, strings(&[HOST, "*.pgtls.test", "10.0.0.1"]));
    assert_eq!(d.san_ips, strings(&["::1", "192.0.2.1"]));
}

#[test]
fn certificate_without_cn_and_san_has_only_the_organization() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let d = pki
        .issue(&CertSpec::server(HOST).no_cn().no_san().org("pgtls"), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.subject, "O=pgtls");
    assert!(d.subject_cns.is_empty());
    assert!(d.sans.is_empty());
}

#[test]
fn certificate_with_empty_subject_and_only_a_san_is_made() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let d = pki
        .issue(&CertSpec::server(HOST).no_cn(), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.subject, "");
    assert_eq!(d.san_dns, strings(&[HOST]));
}

#[test]
fn validity_is_relative_to_the_injected_now() {
    // now = 2025-06-01T00:00:00Z
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let ok = pki.issue(&CertSpec::server(HOST), &root).expect("leaf");
    let d = ok.details().expect("details");
    assert_eq!(d.not_before, "2025-05-31T00:00:00Z");
    assert_eq!(d.not_after, "2025-08-30T00:00:00Z");
    let d = pki
        .issue(&CertSpec::server(HOST).defect(Defect::Expired), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.not_before, "2025-05-02T00:00:00Z");
    assert_eq!(d.not_after, "2025-05-31T00:00:00Z");
    let d = pki
        .issue(&CertSpec::server(HOST).defect(Defect::NotYetValid), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.not_before, "2025-06-02T00:00:00Z");
    assert_eq!(d.not_after, "2025-07-01T00:00:00Z");
    let d = pki
        .issue(&CertSpec::server(HOST).not_after(days(-1)), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.not_after, "2025-05-31T00:00:00Z");
}

#[test]
fn injected_now_is_truncated_to_whole_seconds() {
    let pki = Pki::new(now() + time::Duration::milliseconds(750));
    assert_eq!(pki.now(), now());
}

#[test]
fn roles_have_their_documented_defaults() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let inter = pki
        .issue(&CertSpec::intermediate("Intermediate CA"), &root)
        .expect("intermediate");
    let server = pki.issue(&CertSpec::server(HOST), &inter).expect("server");
    let client = pki
        .issue(&CertSpec::client("alice"), &inter)
        .expect("client");

    let d = root.details().expect("root details");
    assert!(d.is_ca && d.has_basic_constraints && d.self_signed && d.self_issued);
    assert_eq!(d.path_len, None);
    assert_eq!(
        d.key_usage,
        Some(strings(&["digitalSignature", "keyCertSign", "cRLSign"]))
    );
    assert_eq!(d.extended_key_usage, None);
    assert_eq!(d.not_after, "2035-05-30T00:00:00Z");
    assert!(root.is_self_signed());

    let d = inter.details().expect("intermediate details");
    assert!(d.is_ca && !d.self_signed && !d.self_issued);
    assert_eq!(d.issuer, "CN=Root CA");

    let d = server.details().expect("server details");
    assert!(!d.is_ca && d.has_basic_constraints);
    assert_eq!(d.key_usage, Some(strings(&["digitalSignature"])));
    assert_eq!(d.extended_key_usage, Some(strings(&["serverAuth"])));
    assert_eq!(d.issuer, "CN=Intermediate CA");
    assert!(!server.is_self_signed());

    let d = client.details().expect("client details");
    assert_eq!(d.subject, "CN=alice");
    assert!(d.sans.is_empty());
    assert_eq!(d.extended_key_usage, Some(strings(&["clientAuth"])));
}

#[test]
fn every_defect_sets_its_knob() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let leaf = |spec: CertSpec| {
        pki.issue(&spec, &root)
            .expect("cert")
            .details()
            .expect("details")
    };
    let server = || CertSpec::server(HOST);
    let inter = || CertSpec::intermediate("Intermediate CA");
    for defect in Defect::ALL {
        match defect {
            Defect::Expired => {
                assert!(!leaf(server().defect(defect)).is_valid_at(crate::util::NOW_UNIX))
            }
            Defect::NotYetValid => {
                let d = leaf(server().defect(defect));
                assert!(!d.is_valid_at(crate::util::NOW_UNIX));
                assert!(d.not_before_unix > crate::util::NOW_UNIX);
            }
            Defect::ClientAuthOnly => assert_eq!(
                leaf(server().defect(defect)).extended_key_usage,
                Some(strings(&["clientAuth"]))
            ),
            Defect::ServerAuthOnly => assert_eq!(
                leaf(CertSpec::client("alice").defect(defect)).extended_key_usage,
                Some(strings(&["serverAuth"]))
            ),
            Defect::NoEku => assert_eq!(leaf(server().defect(defect)).extended_key_usage, None),
            Defect::NotCa => {
                let d = leaf(inter().defect(defect));
                assert!(d.has_basic_constraints && !d.is_ca);
                assert_eq!(
                    d.key_usage,
                    Some(strings(&["digitalSignature", "keyCertSign", "cRLSign"])),
                    "only the CA flag changes"
                );
            }
            Defect::LeafIsCa => {
                let d = leaf(server().defect(defect));
                assert!(d.is_ca);
                assert_eq!(d.extended_key_usage, Some(strings(&["serverAuth"])));
            }
            Defect::NoKeyCertSign => {
                let d = leaf(inter().defect(defect));
                assert!(d.is_ca);
                assert_eq!(d.key_usage, Some(strings(&["digitalSignature", "cRLSign"])));
            }
        }
    }
}

#[test]
fn explicit_knobs_reach_the_certificate() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let d = |spec: CertSpec| {
        pki.issue(&spec, &root)
            .expect("cert")
            .details()
            .expect("details")
    };
    let with_pathlen =
        d(CertSpec::intermediate("I").basic_constraints(BasicConstraints::CaPathLen(0)));
    assert!(with_pathlen.is_ca);
    assert_eq!(with_pathlen.path_len, Some(0));
    let no_bc = d(CertSpec::intermediate("I").basic_constraints(BasicConstraints::Absent));
    assert!(!no_bc.has_basic_constraints && !no_bc.is_ca);
    assert_eq!(
        d(CertSpec::server(HOST).key_usage(KeyUsage::Absent)).key_usage,
        None
    );
    assert_eq!(
        d(CertSpec::server(HOST).eku(Eku::ServerAndClientAuth)).extended_key_usage,
        Some(strings(&["serverAuth", "clientAuth"]))
    );
    assert_eq!(
        d(CertSpec::server(HOST).eku(Eku::CodeSigning)).extended_key_usage,
        Some(strings(&["codeSigning"]))
    );
}

#[test]
fn key_types_have_their_named_keys_and_signatures() {
    let pki = pki();
    let expected = [
        (KeyType::EcdsaP256, "ECDSA P-256", 256, "ecdsa-with-SHA256"),
        (KeyType::EcdsaP384, "ECDSA P-384", 384, "ecdsa-with-SHA384"),
        (KeyType::Ed25519, "Ed25519", 256, "ED25519"),
        (
            KeyType::Rsa2048,
            "RSA 2048",
            2048,
            "sha256WithRSAEncryption",
        ),
    ];
    for (key, name, bits, sig) in expected {
        let cert = pki
            .self_signed(&CertSpec::root("Root").key(key))
            .expect("root");
        let d = cert.details().expect("details");
        assert_eq!(
            (d.public_key.as_str(), d.public_key_bits),
            (name, bits),
            "{key:?}"
        );
        assert_eq!(d.signature_algorithm, sig, "{key:?}");
        assert!(d.self_signed, "{key:?}: self-signature verifies");
        assert_eq!(key.name(), name);
        assert_eq!(key.signature_algorithm_name(), sig);
        assert!(matches!(
            cert.key_der(),
            rustls_pki_types::PrivateKeyDer::Pkcs8(_)
        ));
    }
}

#[test]
fn issued_certificate_is_signed_with_the_issuer_key_type() {
    let pki = pki();
    let root = pki
        .self_signed(&CertSpec::root("Root").key(KeyType::EcdsaP384))
        .expect("root");
    let d = pki
        .issue(&CertSpec::server(HOST).key(KeyType::Ed25519), &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.public_key, "Ed25519");
    assert_eq!(d.signature_algorithm, "ecdsa-with-SHA384");
}

fn spki(cert: &pgtls_pki::Cert) -> Vec<u8> {
    let (_, x509) = x509_parser::parse_x509_certificate(cert.der_bytes()).expect("parse");
    x509.public_key().raw.to_vec()
}

#[test]
fn rsa_keys_come_from_a_small_per_process_pool() {
    // Two RSA keys at most in this process: pool slots 0 and 1.
    let first = pki();
    let second = pki();
    let spec = CertSpec::root("RSA Root").key(KeyType::Rsa2048);
    let a0 = first.self_signed(&spec).expect("rsa");
    let a1 = first.self_signed(&spec).expect("rsa");
    let b0 = second.self_signed(&spec).expect("rsa");
    assert_ne!(spki(&a0), spki(&a1), "distinct keys within one Pki");
    assert_eq!(spki(&a0), spki(&b0), "the pool is shared across Pkis");
    assert_ne!(a0.serial(), b0.serial());
}

#[test]
fn rustls_accepts_the_chain_and_key_for_every_key_type() {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let inter = pki
        .issue(&CertSpec::intermediate("Intermediate CA"), &root)
        .expect("intermediate");
    for key in KeyType::ALL {
        let leaf = pki
            .issue(&CertSpec::server(HOST).key(key), &inter)
            .expect("leaf");
        let chain = leaf.chain(&[&inter], ChainOrder::LeafFirst);
        rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain.ders(), chain.key_der())
            .unwrap_or_else(|e| panic!("{key:?}: {e}"));
    }
}

#[test]
fn chain_orders_put_certificates_where_they_say() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let i1 = pki.issue(&CertSpec::intermediate("I1"), &root).expect("i1");
    let i2 = pki.issue(&CertSpec::intermediate("I2"), &i1).expect("i2");
    let leaf = pki.issue(&CertSpec::server(HOST), &i2).expect("leaf");
    let order = |o: ChainOrder| -> Vec<String> {
        let chain = leaf.chain(&[&i2, &i1], o);
        assert_eq!(chain.leaf().der(), leaf.der());
        assert_eq!(
            chain.pem().matches("-----BEGIN CERTIFICATE-----").count(),
            chain.certs().len()
        );
        chain
            .certs()
            .iter()
            .map(|c| c.details().expect("details").subject)
            .collect()
    };
    let leaf_subject = "CN=c-demo.pgtls.test";
    assert_eq!(order(ChainOrder::LeafOnly), strings(&[leaf_subject]));
    assert_eq!(
        order(ChainOrder::LeafFirst),
        strings(&[leaf_subject, "CN=I2", "CN=I1"])
    );
    assert_eq!(
        order(ChainOrder::Reversed),
        strings(&[leaf_subject, "CN=I1", "CN=I2"])
    );
    assert_eq!(
        order(ChainOrder::LeafLast),
        strings(&["CN=I1", "CN=I2", leaf_subject])
    );
}

#[test]
fn crl_lists_exactly_the_revoked_serials_and_is_signed_by_the_issuer() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let a = pki
        .issue(&CertSpec::server("a.pgtls.test"), &root)
        .expect("a");
    let b = pki
        .issue(&CertSpec::server("b.pgtls.test"), &root)
        .expect("b");
    let crl = pki.crl(&root, &[a.serial(), b.serial()]).expect("crl");
    let (_, parsed) = x509_parser::parse_x509_crl(crl.der_bytes()).expect("crl parses");
    let serials: Vec<String> = parsed
        .iter_revoked_certificates()
        .map(|r| pgtls_pki::Serial::from_be_bytes(r.raw_serial()).hex())
        .collect();
    assert_eq!(serials, vec![a.serial().hex(), b.serial().hex()]);
    assert_eq!(parsed.issuer().to_string(), "CN=Root CA");
    let (_, root_x509) = x509_parser::parse_x509_certificate(root.der_bytes()).expect("root");
    parsed
        .verify_signature(root_x509.public_key())
        .expect("signed by the root key");
    assert_eq!(
        parsed.last_update().timestamp(),
        crate::util::NOW_UNIX - 3600
    );
    assert!(crl.pem().starts_with("-----BEGIN X509 CRL-----\n"));

    let empty = pki.crl(&root, &[]).expect("empty crl");
    let (_, parsed) = x509_parser::parse_x509_crl(empty.der_bytes()).expect("parses");
    assert_eq!(parsed.iter_revoked_certificates().count(), 0);
}

#[test]
fn crl_can_be_signed_by_an_issuer_without_crl_sign() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let inter = pki
        .issue(
            &CertSpec::intermediate("No CRL Sign")
                .key_usage(KeyUsage::Bits(vec![pgtls_pki::KeyUsageBit::KeyCertSign])),
            &root,
        )
        .expect("intermediate");
    pki.crl(&inter, &[]).expect("a defective CRL is still made");
}

#[test]
fn self_signed_leaf_is_flagged_as_such() {
    let pki = pki();
    let leaf = pki.self_signed(&CertSpec::server(HOST)).expect("leaf");
    assert!(leaf.is_self_signed());
    let d = leaf.details().expect("details");
    assert!(d.self_signed && !d.is_ca);
    assert_eq!(d.issuer, d.subject);
}

#[test]
fn non_ascii_dns_name_is_an_error_not_a_panic() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let err = pki
        .issue(&CertSpec::server("bücher.pgtls.test"), &root)
        .unwrap_err();
    assert!(matches!(err, Error::Generate { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("could not generate dNSName"),
        "{err}"
    );
}

#[test]
fn debug_output_never_contains_the_key() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let text = format!("{root:?} {:?}", pki);
    assert!(!text.contains("PRIVATE"), "{text}");
    assert!(text.contains("Root CA"), "{text}");
}

#[test]
fn pem_outputs_have_the_expected_labels() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    assert!(root.pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(root.pem().ends_with("-----END CERTIFICATE-----\n"));
    assert!(root.key_pem().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(root.pem().lines().all(|l| l.len() <= 64));
}

#[test]
fn raw_ip_san_of_invalid_length_is_written_in_order_with_the_others() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let spec = CertSpec::server(HOST).sans([
        pgtls_pki::San::dns(HOST),
        pgtls_pki::San::RawIp(vec![127, 0, 0]),
        pgtls_pki::San::ip([127, 0, 0, 1]),
    ]);
    let d = pki
        .issue(&spec, &root)
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(
        d.sans,
        vec![
            SanEntry::Dns(HOST.into()),
            SanEntry::InvalidIp("7F0000".into()),
            SanEntry::Ip("127.0.0.1".into()),
        ]
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn dns_name_with_embedded_nul_is_kept_verbatim() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let evil = "c-demo.pgtls.test\0.attacker.test";
    let d = pki
        .issue(
            &CertSpec::server(HOST).sans([pgtls_pki::San::dns(evil)]),
            &root,
        )
        .expect("leaf")
        .details()
        .expect("details");
    assert_eq!(d.san_dns, strings(&[evil]));
}

#[test]
fn factory_types_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Pki>();
    send_sync::<pgtls_pki::Cert>();
    send_sync::<pgtls_pki::Crl>();
    send_sync::<pgtls_pki::Chain>();
    send_sync::<pgtls_pki::Files>();
    send_sync::<CertSpec>();
    send_sync::<pgtls_pki::CertDetails>();
    send_sync::<Error>();
}

#[test]
fn validity_offset_out_of_range_is_an_error_not_a_panic() {
    let pki = pki();
    let err = pki
        .self_signed(&CertSpec::root("Root").not_after(time::Duration::MAX))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid certificate spec: validity offset out of range"
    );
}
