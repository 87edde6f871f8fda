//! Helpers shared by the test modules: the fixed `now`, locating openssl, running `openssl verify`
//! and rustls-webpki on a recipe.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use pgtls_pki::{Cert, Crl, OffsetDateTime};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// 2025-06-01T00:00:00Z: every test PKI is built for this instant, never for the wall clock.
pub const NOW_UNIX: i64 = 1_748_736_000;

pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW_UNIX).expect("valid timestamp")
}

pub fn pki() -> pgtls_pki::Pki {
    pgtls_pki::Pki::new(now())
}

/// The DigiCert Global Root G2 shipped in testdata/.
pub fn digicert_pem() -> Vec<u8> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/DigiCertGlobalRootG2.crt.pem");
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The openssl binary, or `None` after printing `SKIP: openssl not found` (a failure instead
/// when PGTLS_REQUIRE_REAL_PEERS=1).
pub fn openssl() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("openssl"))
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var("PGTLS_REQUIRE_REAL_PEERS").as_deref() == Ok("1") {
            panic!("openssl not found and PGTLS_REQUIRE_REAL_PEERS=1");
        }
        eprintln!("SKIP: openssl not found");
    }
    found
}

/// Runs openssl with `args`; returns (success, stdout + stderr).
pub fn run_openssl(openssl: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(openssl)
        .args(args)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// What to hand to a verifier.
#[derive(Clone, Default)]
pub struct Verify {
    pub trusted: Vec<Cert>,
    pub untrusted: Vec<Cert>,
    pub crls: Vec<Crl>,
    /// `sslserver` (default) or `sslclient`.
    pub client: bool,
    /// DNS host name to check, if any.
    pub host: Option<String>,
    /// IP address to check, if any.
    pub ip: Option<String>,
}

/// `openssl verify -attime NOW -CAfile ... [-untrusted ...] [-crl_check_all -CRLfile ...]
/// -purpose sslserver|sslclient [-verify_hostname H | -verify_ip IP] leaf.pem`.
pub fn openssl_verify(openssl: &Path, leaf: &Cert, v: &Verify) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    let leaf_path = write("leaf.pem", leaf.pem());
    let at = NOW_UNIX.to_string();
    let mut args: Vec<String> = vec!["verify".into(), "-attime".into(), at];
    let ca = write("ca.pem", v.trusted.iter().map(Cert::pem).collect());
    args.extend(["-CAfile".into(), ca]);
    if !v.untrusted.is_empty() {
        let untrusted = write("untrusted.pem", v.untrusted.iter().map(Cert::pem).collect());
        args.extend(["-untrusted".into(), untrusted]);
    }
    if !v.crls.is_empty() {
        let crl = write("crl.pem", v.crls.iter().map(Crl::pem).collect());
        args.extend(["-crl_check".into(), "-CRLfile".into(), crl]);
    }
    args.extend([
        "-purpose".into(),
        if v.client { "sslclient" } else { "sslserver" }.into(),
    ]);
    if let Some(host) = &v.host {
        args.extend(["-verify_hostname".into(), host.clone()]);
    }
    if let Some(ip) = &v.ip {
        args.extend(["-verify_ip".into(), ip.clone()]);
    }
    args.push(leaf_path);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run_openssl(openssl, &refs)
}

/// rustls-webpki chain (+ CRL) verification at NOW, then the name check when a host/IP is given.
pub fn webpki_verify(leaf: &Cert, v: &Verify) -> Result<(), webpki::Error> {
    let anchors: Vec<_> = v
        .trusted
        .iter()
        .map(|c| {
            webpki::anchor_from_trusted_cert(c.der())
                .expect("anchor")
                .to_owned()
        })
        .collect();
    let intermediates: Vec<CertificateDer<'static>> =
        v.untrusted.iter().map(|c| c.der().clone()).collect();
    let crls: Vec<webpki::CertRevocationList<'static>> = v
        .crls
        .iter()
        .map(|c| {
            webpki::OwnedCertRevocationList::from_der(c.der_bytes())
                .expect("crl parses")
                .into()
        })
        .collect();
    let crl_refs: Vec<&webpki::CertRevocationList<'_>> = crls.iter().collect();
    let revocation = if crl_refs.is_empty() {
        None
    } else {
        Some(
            webpki::RevocationOptionsBuilder::new(&crl_refs)
                .expect("crls given")
                .with_depth(webpki::RevocationCheckDepth::EndEntity)
                .with_status_policy(webpki::UnknownStatusPolicy::Allow)
                .build(),
        )
    };
    let ee = webpki::EndEntityCert::try_from(leaf.der())?;
    let usage = if v.client {
        webpki::KeyUsage::client_auth()
    } else {
        webpki::KeyUsage::server_auth()
    };
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(NOW_UNIX).expect("positive"),
    ));
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &intermediates,
        time,
        usage,
        revocation,
        None,
    )?;
    let name = v.host.as_deref().or(v.ip.as_deref());
    if let Some(name) = name {
        let server_name = ServerName::try_from(name).expect("valid server name");
        ee.verify_is_valid_for_subject_name(&server_name)?;
    }
    Ok(())
}
