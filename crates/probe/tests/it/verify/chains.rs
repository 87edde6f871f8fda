//! Chains from pgtls-pki with one defect each. The expected outcome is OpenSSL's reason and
//! depth, written by hand from OpenSSL's rules; where `openssl` exists the same files go through
//! `openssl verify` (purpose sslserver, trust store = the root file only, CRLs for the whole
//! chain) and must give the same first error. webpki's verdict on the same inputs is asserted
//! too, so every divergence is pinned by a test (see README-verify).

use std::path::Path;
use std::process::Command;
use std::time::Duration as StdDuration;

use pgtls_pki::{
    BasicConstraints, Cert, CertSpec, Crl, Defect, Duration, Eku, KeyType, KeyUsage, KeyUsageBit,
    OffsetDateTime, Pki,
};
use pgtls_probe::verify::{
    evaluate, CheckName, EvalInputs, Reason, Status, TrustStore, VERIFY_FAILED,
};
use rustls_pki_types::{CertificateDer, UnixTime};

/// A fixed instant (2027-01-15T08:00:00Z): every certificate is relative to it.
const NOW: i64 = 1_800_000_000;

fn pki() -> Pki {
    Pki::new(OffsetDateTime::from_unix_timestamp(NOW).unwrap())
}

struct Case {
    name: &'static str,
    leaf: Cert,
    sent: Vec<Cert>,
    roots: Vec<Cert>,
    crls: Option<Vec<Crl>>,
    /// OpenSSL's first error (reason text, depth); `None` = verified.
    expect: Option<(&'static str, usize)>,
    webpki_accepts: bool,
}

fn pem_of(certs: &[Cert]) -> String {
    certs.iter().map(Cert::pem).collect()
}

fn write(dir: &Path, name: &str, contents: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// The first `error N at D depth lookup: TEXT` of `openssl verify`, or `None` for OK.
fn openssl_verify(openssl: &Path, case: &Case, dir: &Path) -> Option<(String, usize)> {
    let root = write(dir, "root.crt", &pem_of(&case.roots));
    let leaf = write(dir, "leaf.crt", &case.leaf.pem());
    let mut cmd = Command::new(openssl);
    cmd.args([
        "verify",
        "-no-CApath",
        "-no-CAstore",
        "-purpose",
        "sslserver",
    ])
    .arg("-attime")
    .arg(NOW.to_string())
    .arg("-CAfile")
    .arg(&root);
    if !case.sent.is_empty() {
        cmd.arg("-untrusted")
            .arg(write(dir, "untrusted.crt", &pem_of(&case.sent)));
    }
    if let Some(crls) = &case.crls {
        let text: String = crls.iter().map(Crl::pem).collect();
        cmd.arg("-crl_check_all")
            .arg("-CRLfile")
            .arg(write(dir, "crl.pem", &text));
    }
    let out = cmd.arg(&leaf).output().expect("run openssl verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for line in text.lines() {
        let line = line.trim_start_matches("[CRL path] ");
        if let Some(rest) = line.strip_prefix("error ") {
            if let Some((head, reason)) = rest.split_once(" depth lookup: ") {
                let depth = head
                    .rsplit(' ')
                    .next()
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(usize::MAX);
                return Some((reason.trim().to_owned(), depth));
            }
        }
    }
    assert!(
        out.status.success() && text.contains(": OK"),
        "{}: unexpected openssl output:\n{text}",
        case.name
    );
    None
}

fn run(cases: Vec<Case>) {
    let openssl = pgtls_coordinator::peers::openssl_or_skip("verify::chains (openssl verify)");
    let now = UnixTime::since_unix_epoch(StdDuration::from_secs(NOW as u64));
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let root_path = write(dir.path(), "store-root.crt", &pem_of(&case.roots));
        let mut store = TrustStore::load_root_file(&root_path).unwrap();
        if let Some(crls) = &case.crls {
            let text: String = crls.iter().map(Crl::pem).collect();
            let crl_path = write(dir.path(), "store-crl.pem", &text);
            assert!(
                store.load_crls(Some(&crl_path), None).enabled,
                "{}",
                case.name
            );
        }
        let sent: Vec<CertificateDer<'static>> =
            case.sent.iter().map(|c| c.der().clone()).collect();
        let report = evaluate(
            case.leaf.der(),
            &sent,
            &store,
            &EvalInputs { now, host: None },
        );
        let ours = report.reason.map(|r| {
            (
                r.openssl_text().to_owned(),
                report.error_depth.unwrap_or(usize::MAX),
            )
        });
        let expected = case.expect.map(|(t, d)| (t.to_owned(), d));
        if ours != expected {
            failures.push(format!(
                "{}: probe says {ours:?}, expected {expected:?}\n{report:#?}",
                case.name
            ));
        }
        if report.verified != case.expect.is_none() {
            failures.push(format!("{}: verified = {}", case.name, report.verified));
        }
        let message_ok = if report.verified {
            report.message.is_none()
        } else {
            report.message.as_deref() == Some(VERIFY_FAILED)
        };
        if !message_ok {
            failures.push(format!("{}: libpq message {:?}", case.name, report.message));
        }
        if report.webpki.accepted != case.webpki_accepts {
            failures.push(format!(
                "{}: webpki accepted = {} ({:?}), expected {}",
                case.name, report.webpki.accepted, report.webpki.error, case.webpki_accepts
            ));
        }
        if let Some(openssl) = &openssl {
            let real = openssl_verify(openssl, case, dir.path());
            if real != expected {
                failures.push(format!(
                    "{}: openssl verify says {real:?}, expected {expected:?}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn chain_building_and_trust_anchors_follow_openssl() {
    let pki = pki();
    let root = pki.root("pgtls Test Root").unwrap();
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Test Intermediate"), &root)
        .unwrap();
    let leaf = pki
        .issue(&CertSpec::server("db.pgtls.test"), &inter)
        .unwrap();
    let other_root = pki.root("pgtls Other Root").unwrap();
    let other_inter = pki
        .issue(
            &CertSpec::intermediate("pgtls Other Intermediate"),
            &other_root,
        )
        .unwrap();
    let other_leaf = pki
        .issue(&CertSpec::server("db.pgtls.test"), &other_inter)
        .unwrap();
    let self_signed = pki.self_signed(&CertSpec::server("db.pgtls.test")).unwrap();
    // Same name as the real intermediate, different key.
    let impostor = pki
        .issue(&CertSpec::intermediate("pgtls Test Intermediate"), &root)
        .unwrap();
    run(vec![
        Case {
            name: "good chain, intermediate sent",
            leaf: leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "server sends its chain in any order with strays",
            leaf: leaf.clone(),
            sent: vec![other_root.clone(), root.clone(), inter.clone()],
            roots: vec![other_root.clone(), root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "server does not send the intermediate",
            leaf: leaf.clone(),
            sent: vec![],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("unable to get local issuer certificate", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "intermediate in the root file completes the chain",
            leaf: leaf.clone(),
            sent: vec![],
            roots: vec![inter.clone(), root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "root file holding only the intermediate is no anchor",
            leaf: leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![inter.clone()],
            crls: None,
            expect: Some(("unable to get issuer certificate", 1)),
            webpki_accepts: false,
        },
        Case {
            name:
                "root file holding only the intermediate fails even when the server sends the root",
            leaf: leaf.clone(),
            sent: vec![inter.clone(), root.clone()],
            roots: vec![inter.clone()],
            crls: None,
            expect: Some(("unable to get issuer certificate", 1)),
            webpki_accepts: false,
        },
        Case {
            name: "self-signed server certificate not in the root file",
            leaf: self_signed.clone(),
            sent: vec![],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("self-signed certificate", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "self-signed server certificate in the root file",
            leaf: self_signed.clone(),
            sent: vec![],
            roots: vec![root.clone(), self_signed.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "server sends a chain to a root the client does not trust",
            leaf: other_leaf.clone(),
            sent: vec![other_inter.clone(), other_root.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("self-signed certificate in certificate chain", 2)),
            webpki_accepts: false,
        },
        Case {
            name: "server sends an impostor intermediate (same name, other key)",
            leaf: leaf.clone(),
            sent: vec![impostor.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("unable to get local issuer certificate", 0)),
            webpki_accepts: false,
        },
    ]);
}

#[test]
fn validity_of_every_certificate_is_checked_anchor_included() {
    let pki = pki();
    let root = pki.root("pgtls Test Root").unwrap();
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Test Intermediate"), &root)
        .unwrap();
    let expired_inter = pki
        .issue(
            &CertSpec::intermediate("pgtls Expired Intermediate").defect(Defect::Expired),
            &root,
        )
        .unwrap();
    let expired_root = pki
        .self_signed(&CertSpec::root("pgtls Expired Root").defect(Defect::Expired))
        .unwrap();
    let inter_of_expired_root = pki
        .issue(
            &CertSpec::intermediate("pgtls Intermediate B"),
            &expired_root,
        )
        .unwrap();
    let server = |spec: CertSpec, issuer: &Cert| pki.issue(&spec, issuer).unwrap();
    run(vec![
        Case {
            name: "expired server certificate",
            leaf: server(
                CertSpec::server("db.pgtls.test").defect(Defect::Expired),
                &inter,
            ),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("certificate has expired", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "server certificate not yet valid",
            leaf: server(
                CertSpec::server("db.pgtls.test").defect(Defect::NotYetValid),
                &inter,
            ),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("certificate is not yet valid", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "expired intermediate",
            leaf: server(CertSpec::server("db.pgtls.test"), &expired_inter),
            sent: vec![expired_inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("certificate has expired", 1)),
            webpki_accepts: false,
        },
        Case {
            name: "expired root in the root file",
            leaf: server(CertSpec::server("db.pgtls.test"), &inter_of_expired_root),
            sent: vec![inter_of_expired_root.clone()],
            roots: vec![expired_root.clone()],
            crls: None,
            expect: Some(("certificate has expired", 2)),
            webpki_accepts: true,
        },
        Case {
            name: "notAfter equal to now is already expired",
            leaf: server(
                CertSpec::server("db.pgtls.test").not_after(Duration::ZERO),
                &inter,
            ),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("certificate has expired", 0)),
            webpki_accepts: true,
        },
        Case {
            name: "notBefore equal to now is valid",
            leaf: server(
                CertSpec::server("db.pgtls.test").not_before(Duration::ZERO),
                &inter,
            ),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
    ]);
}

#[test]
fn purpose_and_ca_rules_follow_openssl() {
    let pki = pki();
    let root = pki.root("pgtls Test Root").unwrap();
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Test Intermediate"), &root)
        .unwrap();
    let ca = |spec: CertSpec, issuer: &Cert| pki.issue(&spec, issuer).unwrap();
    let client_auth_inter = ca(
        CertSpec::intermediate("pgtls ClientAuth Intermediate").eku(Eku::ClientAuth),
        &root,
    );
    let not_ca_inter = ca(
        CertSpec::intermediate("pgtls NotCA Intermediate").defect(Defect::NotCa),
        &root,
    );
    let no_certsign_inter = ca(
        CertSpec::intermediate("pgtls NoCertSign Intermediate").defect(Defect::NoKeyCertSign),
        &root,
    );
    let no_bc_inter = ca(
        CertSpec::intermediate("pgtls NoBC Intermediate")
            .basic_constraints(BasicConstraints::Absent),
        &root,
    );
    let client_auth_root = pki
        .self_signed(&CertSpec::root("pgtls ClientAuth Root").eku(Eku::ClientAuth))
        .unwrap();
    let inter_of_ca_root = ca(
        CertSpec::intermediate("pgtls Intermediate C"),
        &client_auth_root,
    );
    let no_bc_root = pki
        .self_signed(&CertSpec::root("pgtls NoBC Root").basic_constraints(BasicConstraints::Absent))
        .unwrap();
    let pathlen0 = ca(
        CertSpec::intermediate("pgtls PathLen0 Intermediate")
            .basic_constraints(BasicConstraints::CaPathLen(0)),
        &root,
    );
    let below_pathlen0 = ca(CertSpec::intermediate("pgtls Below PathLen0"), &pathlen0);
    let leaf_of = |spec: CertSpec, issuer: &Cert| pki.issue(&spec, issuer).unwrap();
    let host = "db.pgtls.test";
    run(vec![
        Case {
            name: "server certificate for clientAuth only",
            leaf: leaf_of(
                CertSpec::server(host).defect(Defect::ClientAuthOnly),
                &inter,
            ),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("unsuitable certificate purpose", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "server certificate without extendedKeyUsage",
            leaf: leaf_of(CertSpec::server(host).defect(Defect::NoEku), &inter),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "server certificate whose keyUsage allows no TLS use",
            leaf: leaf_of(
                CertSpec::server(host).key_usage(KeyUsage::Bits(vec![KeyUsageBit::CrlSign])),
                &inter,
            ),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("unsuitable certificate purpose", 0)),
            webpki_accepts: true,
        },
        Case {
            name: "server certificate that is a CA",
            leaf: leaf_of(CertSpec::server(host).defect(Defect::LeafIsCa), &inter),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: false,
        },
        Case {
            name: "intermediate restricted to clientAuth",
            leaf: leaf_of(CertSpec::server(host), &client_auth_inter),
            sent: vec![client_auth_inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("unsuitable certificate purpose", 1)),
            webpki_accepts: false,
        },
        Case {
            name: "root restricted to clientAuth",
            leaf: leaf_of(CertSpec::server(host), &inter_of_ca_root),
            sent: vec![inter_of_ca_root.clone()],
            roots: vec![client_auth_root.clone()],
            crls: None,
            expect: Some(("unsuitable certificate purpose", 2)),
            webpki_accepts: true,
        },
        Case {
            name: "intermediate with CA:FALSE",
            leaf: leaf_of(CertSpec::server(host), &not_ca_inter),
            sent: vec![not_ca_inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("invalid CA certificate", 1)),
            webpki_accepts: false,
        },
        Case {
            name: "intermediate whose keyUsage lacks keyCertSign",
            leaf: leaf_of(CertSpec::server(host), &no_certsign_inter),
            sent: vec![no_certsign_inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("invalid CA certificate", 1)),
            webpki_accepts: true,
        },
        Case {
            name: "intermediate without basicConstraints",
            leaf: leaf_of(CertSpec::server(host), &no_bc_inter),
            sent: vec![no_bc_inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("invalid CA certificate", 1)),
            webpki_accepts: false,
        },
        Case {
            name: "root without basicConstraints but with keyCertSign",
            leaf: leaf_of(CertSpec::server(host), &no_bc_root),
            sent: vec![],
            roots: vec![no_bc_root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "path length constraint exceeded",
            leaf: leaf_of(CertSpec::server(host), &below_pathlen0),
            sent: vec![below_pathlen0.clone(), pathlen0.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("path length constraint exceeded", 2)),
            webpki_accepts: false,
        },
        Case {
            name: "purpose is reported before expiry",
            leaf: leaf_of(
                CertSpec::server(host)
                    .defect(Defect::ClientAuthOnly)
                    .defect(Defect::Expired),
                &inter,
            ),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: None,
            expect: Some(("unsuitable certificate purpose", 0)),
            webpki_accepts: false,
        },
    ]);
}

#[test]
fn crls_must_cover_the_whole_chain() {
    let pki = pki();
    let root = pki.root("pgtls Test Root").unwrap();
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Test Intermediate"), &root)
        .unwrap();
    let leaf = pki
        .issue(&CertSpec::server("db.pgtls.test"), &inter)
        .unwrap();
    let expired_leaf = pki
        .issue(
            &CertSpec::server("db.pgtls.test").defect(Defect::Expired),
            &inter,
        )
        .unwrap();
    let direct_leaf = pki
        .issue(&CertSpec::server("db.pgtls.test"), &root)
        .unwrap();
    let crl = |issuer: &Cert, revoked: &[&Cert]| {
        let serials: Vec<_> = revoked.iter().map(|c| c.serial()).collect();
        pki.crl(issuer, &serials).unwrap()
    };
    run(vec![
        Case {
            name: "CRLs for every CA, nothing revoked",
            leaf: leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: Some(vec![crl(&inter, &[]), crl(&root, &[])]),
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "no CRL from the root for the intermediate",
            leaf: leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: Some(vec![crl(&inter, &[])]),
            expect: Some(("unable to get certificate CRL", 1)),
            webpki_accepts: false,
        },
        Case {
            name: "no CRL from the intermediate for the server",
            leaf: leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: Some(vec![crl(&root, &[])]),
            expect: Some(("unable to get certificate CRL", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "server certificate revoked",
            leaf: leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: Some(vec![crl(&inter, &[&leaf]), crl(&root, &[])]),
            expect: Some(("certificate revoked", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "intermediate revoked",
            leaf: leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: Some(vec![crl(&inter, &[]), crl(&root, &[&inter])]),
            expect: Some(("certificate revoked", 1)),
            webpki_accepts: false,
        },
        Case {
            name: "revocation is reported before expiry",
            leaf: expired_leaf.clone(),
            sent: vec![inter.clone()],
            roots: vec![root.clone()],
            crls: Some(vec![crl(&inter, &[&expired_leaf]), crl(&root, &[])]),
            expect: Some(("certificate revoked", 0)),
            webpki_accepts: false,
        },
        Case {
            name: "a self-signed root listed in its own CRL is revoked (OpenSSL 3.0)",
            leaf: direct_leaf.clone(),
            sent: vec![],
            roots: vec![root.clone()],
            crls: Some(vec![crl(&root, &[&root])]),
            expect: Some(("certificate revoked", 1)),
            webpki_accepts: true,
        },
    ]);
}

#[test]
fn key_types_and_signatures() {
    let pki = pki();
    let rsa_root = pki
        .self_signed(&CertSpec::root("pgtls RSA Root").key(KeyType::Rsa2048))
        .unwrap();
    let p384 = pki
        .issue(
            &CertSpec::intermediate("pgtls P-384 Intermediate").key(KeyType::EcdsaP384),
            &rsa_root,
        )
        .unwrap();
    let ed_leaf = pki
        .issue(
            &CertSpec::server("db.pgtls.test").key(KeyType::Ed25519),
            &p384,
        )
        .unwrap();
    let rsa_leaf = pki
        .issue(
            &CertSpec::server("db.pgtls.test").key(KeyType::Rsa2048),
            &p384,
        )
        .unwrap();
    run(vec![
        Case {
            name: "RSA root, P-384 intermediate, Ed25519 server",
            leaf: ed_leaf,
            sent: vec![p384.clone()],
            roots: vec![rsa_root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
        Case {
            name: "RSA server under P-384",
            leaf: rsa_leaf,
            sent: vec![p384.clone()],
            roots: vec![rsa_root.clone()],
            crls: None,
            expect: None,
            webpki_accepts: true,
        },
    ]);
}

#[test]
fn tampered_signature_is_a_signature_failure_and_every_check_is_still_computed() {
    let pki = pki();
    let root = pki.root("pgtls Test Root").unwrap();
    let leaf = pki
        .issue(
            &CertSpec::server("db.pgtls.test").defect(Defect::Expired),
            &root,
        )
        .unwrap();
    let mut der = leaf.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let tampered = CertificateDer::from(der);
    let store = TrustStore::from_certificates(&[root.der().clone()]).unwrap();
    let report = evaluate(
        &tampered,
        &[],
        &store,
        &EvalInputs {
            now: UnixTime::since_unix_epoch(StdDuration::from_secs(NOW as u64)),
            host: Some("other.pgtls.test".into()),
        },
    );
    // internal_verify checks the signature before the time of the same certificate.
    assert_eq!(report.reason, Some(Reason::CertSignatureFailure));
    assert_eq!(report.error_depth, Some(0));
    let status = |n| report.check(n).unwrap().status;
    assert_eq!(status(CheckName::Chain), Status::Fail);
    assert_eq!(status(CheckName::Validity), Status::Fail);
    assert_eq!(status(CheckName::Purpose), Status::Pass);
    assert_eq!(status(CheckName::Ca), Status::Pass);
    assert_eq!(status(CheckName::Revocation), Status::Skipped);
    assert_eq!(status(CheckName::Hostname), Status::Fail);
    assert!(!report.webpki.accepted);
    let validity = report.check(CheckName::Validity).unwrap();
    assert!(
        validity.detail.contains("has expired"),
        "{}",
        validity.detail
    );
    assert!(
        validity.detail.contains("now 2027-01-15T08:00:00Z"),
        "{}",
        validity.detail
    );
}

#[test]
fn untrusted_and_expired_chain_reports_the_issuer_first_and_the_expiry_too() {
    let pki = pki();
    let root = pki.root("pgtls Test Root").unwrap();
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Test Intermediate"), &root)
        .unwrap();
    let leaf = pki
        .issue(
            &CertSpec::server("db.pgtls.test").defect(Defect::Expired),
            &inter,
        )
        .unwrap();
    let store = TrustStore::from_certificates(&[root.der().clone()]).unwrap();
    let report = evaluate(
        leaf.der(),
        &[],
        &store,
        &EvalInputs {
            now: UnixTime::since_unix_epoch(StdDuration::from_secs(NOW as u64)),
            host: Some("db.pgtls.test".into()),
        },
    );
    assert_eq!(report.reason, Some(Reason::UnableToGetIssuerCertLocally));
    assert_eq!(
        report.check(CheckName::Validity).unwrap().reason,
        Some(Reason::CertHasExpired)
    );
    assert_eq!(
        report.check(CheckName::Hostname).unwrap().status,
        Status::Pass
    );
    assert_eq!(report.chain.len(), 1);
    assert!(report.chain[0].details.is_some());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["reason"], "unable_to_get_issuer_cert_locally");
    assert_eq!(json["checks"][1]["name"], "validity");
    assert_eq!(json["checks"][1]["status"], "fail");
}
