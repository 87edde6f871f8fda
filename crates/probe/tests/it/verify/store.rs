//! Loading `sslrootcert`, `sslcrl`, `sslcrldir` and the system store as OpenSSL does for libpq.

use std::path::Path;
use std::process::Command;
use std::time::Duration as StdDuration;

use pgtls_pki::{Cert, CertSpec, OffsetDateTime, Pki};
use pgtls_probe::verify::{
    evaluate, EvalInputs, Reason, SystemPaths, TrustSource, TrustStore, VerifyError,
};
use rustls_pki_types::UnixTime;

const NOW: i64 = 1_800_000_000;

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(StdDuration::from_secs(NOW as u64))
}

struct Pkix {
    pki: Pki,
    root: Cert,
    inter: Cert,
    leaf: Cert,
}

fn pkix() -> Pkix {
    let pki = Pki::new(OffsetDateTime::from_unix_timestamp(NOW).unwrap());
    let root = pki.root("pgtls Store Root").unwrap();
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Store Intermediate"), &root)
        .unwrap();
    let leaf = pki
        .issue(&CertSpec::server("db.pgtls.test"), &inter)
        .unwrap();
    Pkix {
        pki,
        root,
        inter,
        leaf,
    }
}

fn verify(p: &Pkix, store: &TrustStore) -> Option<Reason> {
    evaluate(
        p.leaf.der(),
        &[p.inter.der().clone()],
        store,
        &EvalInputs {
            now: now(),
            host: None,
        },
    )
    .reason
}

#[test]
fn root_file_without_certificates_fails_with_openssls_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in [("empty.crt", ""), ("text.crt", "this is not PEM\n")] {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        let err = TrustStore::load(&TrustSource::File(path.clone())).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "could not read root certificate file \"{}\": no certificate or crl found",
                path.display()
            )
        );
    }
}

#[test]
fn missing_root_file_is_left_to_the_caller() {
    let path = Path::new("/nonexistent/pgtls/root.crt");
    let err = TrustStore::load(&TrustSource::File(path.to_owned())).unwrap_err();
    assert_eq!(
        err,
        VerifyError::RootFileMissing {
            path: path.to_owned()
        }
    );
    assert_eq!(
        err.to_string(),
        "root certificate file \"/nonexistent/pgtls/root.crt\" does not exist"
    );
}

#[test]
fn root_bundle_with_several_cas_in_any_order_verifies() {
    let p = pkix();
    let other = p.pki.root("pgtls Unrelated Root").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("root.crt");
    let bundle = format!(
        "comment line\n{}{}\n{}",
        p.inter.pem(),
        other.pem(),
        p.root.pem()
    );
    std::fs::write(&path, bundle).unwrap();
    let store = TrustStore::load_root_file(&path).unwrap();
    assert_eq!(store.certificates().len(), 3);
    assert_eq!(verify(&p, &store), None);
}

#[test]
fn root_file_holding_only_a_crl_loads_but_trusts_nothing() {
    let p = pkix();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("root.crt");
    std::fs::write(&path, p.pki.crl(&p.root, &[]).unwrap().pem()).unwrap();
    let store = TrustStore::load_root_file(&path).unwrap();
    assert!(store.certificates().is_empty());
    assert_eq!(
        verify(&p, &store),
        Some(Reason::UnableToGetIssuerCertLocally)
    );
}

#[test]
fn unusable_sslcrl_silently_disables_revocation_and_skips_sslcrldir() {
    let p = pkix();
    let mut store = TrustStore::from_certificates(&[p.root.der().clone()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let status = store
        .load_crls(Some(&dir.path().join("missing.crl")), Some(dir.path()))
        .clone();
    assert!(!status.enabled, "{status:?}");
    assert_eq!(verify(&p, &store), None);
}

#[test]
fn missing_sslcrldir_still_turns_crl_checking_on() {
    let p = pkix();
    let mut store = TrustStore::from_certificates(&[p.root.der().clone()]).unwrap();
    assert!(
        store
            .load_crls(None, Some(Path::new("/nonexistent/pgtls/crldir")))
            .enabled
    );
    assert_eq!(verify(&p, &store), Some(Reason::UnableToGetCrl));
}

#[test]
fn certificates_in_the_sslcrl_file_join_the_trust_store() {
    let p = pkix();
    let other = p.pki.root("pgtls Unrelated Root").unwrap();
    let mut store = TrustStore::from_certificates(&[other.der().clone()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let crl_path = dir.path().join("root.crl");
    let contents = format!(
        "{}{}{}",
        p.root.pem(),
        p.pki.crl(&p.root, &[]).unwrap().pem(),
        p.pki.crl(&p.inter, &[]).unwrap().pem()
    );
    std::fs::write(&crl_path, contents).unwrap();
    assert!(store.load_crls(Some(&crl_path), None).enabled);
    assert_eq!(verify(&p, &store), None);
}

fn rehash(test: &str, dir: &Path) -> bool {
    let Some(openssl) = pgtls_coordinator::peers::openssl_or_skip(test) else {
        return false;
    };
    let out = Command::new(openssl)
        .arg("rehash")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    true
}

#[test]
fn sslcrldir_finds_crls_by_openssl_name_hash() {
    let p = pkix();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("root.crl.pem"),
        p.pki.crl(&p.root, &[]).unwrap().pem(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("inter.crl.pem"),
        p.pki.crl(&p.inter, &[p.leaf.serial()]).unwrap().pem(),
    )
    .unwrap();
    if !rehash(
        "verify::store::sslcrldir_finds_crls_by_openssl_name_hash",
        dir.path(),
    ) {
        return;
    }
    let mut store = TrustStore::from_certificates(&[p.root.der().clone()]).unwrap();
    assert!(store.load_crls(None, Some(dir.path())).enabled);
    assert_eq!(verify(&p, &store), Some(Reason::CertRevoked));
}

#[test]
fn system_store_uses_cert_file_and_hashed_cert_dir() {
    let p = pkix();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.pem");
    std::fs::write(&bundle, p.root.pem()).unwrap();
    let store = TrustStore::load_system(&SystemPaths::from_vars(Some(bundle), Some(String::new())));
    assert_eq!(store.source(), &TrustSource::System);
    assert_eq!(verify(&p, &store), None);

    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::write(certs.join("root.pem"), p.root.pem()).unwrap();
    if !rehash(
        "verify::store::system_store_uses_cert_file_and_hashed_cert_dir",
        &certs,
    ) {
        return;
    }
    let store = TrustStore::load_system(&SystemPaths::from_vars(
        Some(dir.path().join("no-bundle.pem")),
        Some(format!("/nonexistent:{}", certs.display())),
    ));
    assert!(store.certificates().is_empty());
    assert_eq!(verify(&p, &store), None);
}

fn pem_block(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                b64.push(char::from(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// Messages observed from libpq 15.18 (psql against a server answering `S`) for the same kinds
/// of broken files.
#[test]
fn broken_root_files_fail_with_libpq_15s_reasons() {
    let p = pkix();
    let good = p.root.der().to_vec();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, String, Option<&str>); 4] = [
        (
            "truncated.crt",
            pem_block(&good[..good.len() / 2]),
            Some("too long"),
        ),
        (
            "wrongtag.crt",
            pem_block(&[0x31, 3, 2, 1, 0]),
            Some("wrong tag"),
        ),
        (
            "badb64.crt",
            "-----BEGIN CERTIFICATE-----\n!!!!not base64!!!!\n-----END CERTIFICATE-----\n".into(),
            Some("bad base64 decode"),
        ),
        (
            "trailing.crt",
            pem_block(&[good.as_slice(), &[0, 0]].concat()),
            None,
        ),
    ];
    for (name, contents, reason) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        let result = TrustStore::load_root_file(&path);
        match reason {
            Some(reason) => assert_eq!(
                result.unwrap_err().to_string(),
                format!(
                    "could not read root certificate file \"{}\": {reason}",
                    path.display()
                ),
                "{name}"
            ),
            None => assert_eq!(result.unwrap().certificates().len(), 1, "{name}"),
        }
    }
}
