//! Laying out client and server files: names, contents, and key modes.

use std::path::Path;

use pgtls_pki::{files, CertSpec, ChainOrder, Error, Files};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::util::pki;

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

#[test]
fn client_and_server_layout_has_the_named_files_with_keys_at_0600() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let inter = pki
        .issue(&CertSpec::intermediate("Intermediate CA"), &root)
        .expect("intermediate");
    let server = pki
        .issue(&CertSpec::server("c-demo.pgtls.test"), &inter)
        .expect("server");
    let alice = pki
        .issue(&CertSpec::client("alice"), &root)
        .expect("client");
    let crl = pki.crl(&root, &[]).expect("crl");
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("pki");

    let written = Files::new()
        .root_crt(&[&root])
        .client(&alice, &[])
        .root_crl(&[&crl])
        .certs("intermediate-only.crt", &[&inter])
        .server(&server.chain(&[&inter], ChainOrder::LeafFirst))
        .server_ca(&[&root])
        .write_to(&target)
        .expect("write");

    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "root.crt",
            "client.crt",
            "client.key",
            "root.crl",
            "intermediate-only.crt",
            "server.crt",
            "server.key",
            "ca.crt"
        ]
    );
    #[cfg(unix)]
    for name in &names {
        let expected = if name.ends_with(".key") { 0o600 } else { 0o644 };
        assert_eq!(mode(&target.join(name)), expected, "{name}");
    }

    let read = |name: &str| std::fs::read(target.join(name)).expect("read");
    assert_eq!(read(files::ROOT_CRT), root.pem().into_bytes());
    let server_certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&read(files::SERVER_CRT))
            .collect::<Result<_, _>>()
            .expect("server.crt parses");
    assert_eq!(
        server_certs,
        vec![server.der().clone(), inter.der().clone()]
    );
    let key = PrivateKeyDer::from_pem_slice(&read(files::SERVER_KEY)).expect("server.key parses");
    assert_eq!(key.secret_der(), server.key_der().secret_der());
    let key = PrivateKeyDer::from_pem_slice(&read(files::CLIENT_KEY)).expect("client.key parses");
    assert_eq!(key.secret_der(), alice.key_der().secret_der());
    assert!(String::from_utf8(read(files::ROOT_CRL))
        .expect("utf-8")
        .starts_with("-----BEGIN X509 CRL-----"));
}

#[cfg(unix)]
#[test]
fn rewriting_a_world_readable_key_file_makes_it_0600() {
    use std::os::unix::fs::PermissionsExt as _;
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let alice = pki
        .issue(&CertSpec::client("alice"), &root)
        .expect("client");
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join(files::CLIENT_KEY);
    std::fs::write(&key, "old").expect("write");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    Files::new()
        .client(&alice, &[])
        .write_to(dir.path())
        .expect("write");
    assert_eq!(mode(&key), 0o600);
    assert_eq!(
        std::fs::read_to_string(&key).expect("read"),
        alice.key_pem()
    );
}

#[test]
fn names_with_parent_or_absolute_components_are_refused_before_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for bad in ["../escape.crt", "/etc/passwd", "", "a/../../b"] {
        let err = Files::new()
            .file("fine.crt", "x", false)
            .file(bad, "x", false)
            .write_to(dir.path())
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidFileName { .. }),
            "{bad}: {err:?}"
        );
    }
    assert!(!dir.path().join("fine.crt").exists(), "nothing written");
}

#[test]
fn names_may_contain_subdirectories_and_later_entries_replace_earlier_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = Files::new().file("crls/1a2b3c4d.r0", "first", false).file(
        "crls/1a2b3c4d.r0",
        "second",
        false,
    );
    assert_eq!(files.entries().len(), 1);
    files.write_to(dir.path()).expect("write");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("crls/1a2b3c4d.r0")).expect("read"),
        "second"
    );
}

#[test]
fn debug_of_files_never_shows_contents() {
    let pki = pki();
    let root = pki.root("Root CA").expect("root");
    let files = Files::new().key("root.key", &root);
    let text = format!("{files:?}");
    assert!(!text.contains("PRIVATE"), "{text}");
    assert!(files.get("root.key").expect("entry").secret);
}
