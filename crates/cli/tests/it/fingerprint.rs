//! `pgtls fingerprint` tests: the published DigiCert fingerprint, byte-for-byte agreement with
//! `openssl x509 -noout -fingerprint` on many certificates, and exit status 2 on bad files.

use std::path::{Path, PathBuf};
use std::process::Command;

use pgtls_pki::{CertSpec, KeyType, Pki};

use crate::util::pgtls;

const DIGICERT_SHA256: &str = "sha256 Fingerprint=CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";
const DIGICERT_SHA1: &str =
    "sha1 Fingerprint=DF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4";

fn digicert() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/DigiCertGlobalRootG2.crt.pem")
}

/// The openssl binary, or `None` after printing `SKIP: openssl not found` (a failure when
/// PGTLS_REQUIRE_REAL_PEERS=1).
fn openssl() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("openssl"))
        .find(|p| p.is_file());
    if found.is_none() {
        assert_ne!(
            std::env::var("PGTLS_REQUIRE_REAL_PEERS").as_deref(),
            Ok("1"),
            "openssl not found and PGTLS_REQUIRE_REAL_PEERS=1"
        );
        eprintln!("SKIP: openssl not found");
    }
    found
}

/// `pgtls fingerprint ARGS...` → (exit code, stdout, stderr).
fn fingerprint(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = pgtls()
        .arg("fingerprint")
        .args(args)
        .output()
        .expect("run pgtls");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// What openssl prints for the first certificate in `file`.
fn openssl_fingerprint(openssl: &Path, file: &Path, digest: &str) -> String {
    let out = Command::new(openssl)
        .args(["x509", "-in"])
        .arg(file)
        .args(["-noout", digest, "-fingerprint"])
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn assert_same_as_openssl(openssl: &Path, file: &Path) {
    for (flag, digest) in [(None, "-sha256"), (Some("--sha1"), "-sha1")] {
        let mut args = vec![file.as_os_str()];
        if let Some(flag) = flag {
            args.insert(0, flag.as_ref());
        }
        let (code, ours, err) = fingerprint(&args);
        assert_eq!(code, 0, "{}: {err}", file.display());
        assert_eq!(
            ours,
            openssl_fingerprint(openssl, file, digest),
            "{} {digest}",
            file.display()
        );
    }
}

#[test]
fn digicert_global_root_g2_has_the_published_sha256_fingerprint() {
    let (code, out, err) = fingerprint(&[digicert().as_os_str()]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, format!("{DIGICERT_SHA256}\n"));
}

#[test]
fn sha1_flag_prints_the_sha1_fingerprint() {
    let (code, out, _) = fingerprint(&["--sha1".as_ref(), digicert().as_os_str()]);
    assert_eq!(code, 0);
    assert_eq!(out, format!("{DIGICERT_SHA1}\n"));
}

#[test]
fn fingerprints_match_openssl_for_pem_der_trusted_and_generated_certificates() {
    let Some(openssl) = openssl() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = vec![digicert()];

    // The DigiCert root as DER and as a TRUSTED CERTIFICATE, both made by openssl itself.
    let der = dir.path().join("digicert.der");
    let trusted = dir.path().join("digicert-trusted.pem");
    for (out, extra) in [
        (&der, &["-outform", "DER"][..]),
        (&trusted, &["-addtrust", "serverAuth"][..]),
    ] {
        let status = Command::new(&openssl)
            .args(["x509", "-in"])
            .arg(digicert())
            .args(extra)
            .arg("-out")
            .arg(out)
            .status()
            .expect("run openssl");
        assert!(status.success());
    }
    files.push(der);
    files.push(trusted);

    // Generated certificates of every key type, as PEM and DER.
    let pki = Pki::now_utc();
    let root = pki.root("pgtls Root CA").expect("root");
    for key in KeyType::ALL {
        let leaf = pki
            .issue(
                &CertSpec::server("c-demo.pgtls.test")
                    .key(key)
                    .ip([127, 0, 0, 1]),
                &root,
            )
            .expect("leaf");
        let pem = dir.path().join(format!("{key:?}.pem"));
        std::fs::write(&pem, leaf.pem()).expect("write");
        let der = dir.path().join(format!("{key:?}.der"));
        std::fs::write(&der, leaf.der_bytes()).expect("write");
        files.push(pem);
        files.push(der);
    }
    for file in &files {
        assert_same_as_openssl(&openssl, file);
    }
}

#[test]
fn bundle_prints_one_line_per_certificate_matching_openssl_on_each() {
    let Some(openssl) = openssl() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::now_utc();
    let root = pki.root("pgtls Root CA").expect("root");
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Intermediate CA"), &root)
        .expect("intermediate");
    let leaf = pki
        .issue(
            &CertSpec::server("c-demo.pgtls.test").key(KeyType::Ed25519),
            &inter,
        )
        .expect("leaf");
    let certs = [&leaf, &inter, &root];
    let bundle = dir.path().join("bundle.pem");
    // A key in the middle, as in a combined server file: skipped like openssl skips it.
    let text = format!(
        "{}{}{}{}",
        leaf.pem(),
        leaf.key_pem(),
        inter.pem(),
        root.pem()
    );
    std::fs::write(&bundle, text).expect("write");

    let (code, out, err) = fingerprint(&[bundle.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    let mut expected = String::new();
    for (i, cert) in certs.iter().enumerate() {
        let single = dir.path().join(format!("{i}.pem"));
        std::fs::write(&single, cert.pem()).expect("write");
        expected.push_str(&openssl_fingerprint(&openssl, &single, "-sha256"));
    }
    assert_eq!(out, expected);
    assert_eq!(
        out.lines().next().map(|l| format!("{l}\n")),
        Some(openssl_fingerprint(&openssl, &bundle, "-sha256")),
        "openssl reads the first certificate of a bundle"
    );
}

#[test]
fn system_trust_bundle_gives_one_line_per_root_matching_openssl_on_a_sample() {
    let Some(openssl) = openssl() else { return };
    let bundle = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if !bundle.is_file() {
        eprintln!("SKIP: {} not found", bundle.display());
        return;
    }
    let text = std::fs::read_to_string(bundle).expect("read bundle");
    let (code, out, err) = fingerprint(&[bundle.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    let ours: Vec<&str> = out.lines().collect();
    // Split on END lines by hand (independently of the reader under test).
    let blocks: Vec<&str> = text
        .split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|b| b.contains("-----BEGIN CERTIFICATE-----"))
        .collect();
    assert!(blocks.len() > 10, "a real bundle has many roots");
    assert_eq!(ours.len(), blocks.len(), "one line per certificate");
    // openssl costs tens of milliseconds per run here: compare every 10th root and the last.
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = (0..blocks.len()).step_by(10).chain([blocks.len() - 1]);
    for i in sample {
        let single = dir.path().join(format!("{i}.pem"));
        std::fs::write(&single, blocks[i]).expect("write");
        assert_eq!(
            format!("{}\n", ours[i]),
            openssl_fingerprint(&openssl, &single, "-sha256"),
            "root #{i}"
        );
    }
}

#[test]
fn several_files_print_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::now_utc();
    let root = pki.root("pgtls Root CA").expect("root");
    let root_file = dir.path().join("root.pem");
    std::fs::write(&root_file, root.pem()).expect("write");
    let (code, out, _) = fingerprint(&[digicert().as_os_str(), root_file.as_os_str()]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], DIGICERT_SHA256);
    assert_eq!(
        lines[1],
        format!(
            "sha256 Fingerprint={}",
            root.details().expect("details").sha256_fingerprint
        )
    );
}

#[test]
fn missing_file_exits_2_and_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such.crt");
    let (code, out, err) = fingerprint(&[missing.as_os_str()]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

#[test]
fn file_without_a_certificate_exits_2_and_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::now_utc();
    let root = pki.root("pgtls Root CA").expect("root");
    let cases = [
        ("empty.crt", Vec::new(), "no certificate found"),
        (
            "key-only.pem",
            root.key_pem().into_bytes(),
            "no certificate found",
        ),
        (
            "garbage.der",
            b"\x00\x01garbage".to_vec(),
            "invalid DER certificate",
        ),
    ];
    for (name, contents, reason) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).expect("write");
        let (code, out, err) = fingerprint(&[path.as_os_str()]);
        assert_eq!(code, 2, "{name}");
        assert_eq!(out, "", "{name}");
        assert!(err.contains(&path.display().to_string()), "{name}: {err}");
        assert!(err.contains(reason), "{name}: {err}");
    }
}

#[test]
fn good_files_are_still_printed_when_another_file_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.crt");
    let (code, out, err) = fingerprint(&[missing.as_os_str(), digicert().as_os_str()]);
    assert_eq!(code, 2);
    assert_eq!(out, format!("{DIGICERT_SHA256}\n"));
    assert!(err.contains("missing.crt"), "{err}");
}

#[test]
fn no_file_argument_is_a_usage_error() {
    let (code, out, err) = fingerprint(&[]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("FILE"), "{err}");
}
