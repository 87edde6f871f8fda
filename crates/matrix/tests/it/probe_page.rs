//! The single-diagnosis page `pgtls probe --html` writes.

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::catalog::{self, SslMode};
use pgtls_coordinator::Prepared;
use pgtls_matrix::render::{probe_html, ProbeContext};
use pgtls_probe::{probe, Diagnosis, ProbeOptions};

fn diagnose(scenario: &str, mode: SslMode) -> Diagnosis {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let row = catalog::find(scenario).unwrap();
        let prepared = Prepared::scenario(row, None).unwrap();
        let coordinator = prepared.start().await.unwrap();
        let home = tempfile::tempdir().unwrap();
        let conninfo =
            row.client
                .conninfo(coordinator.pki_dir().unwrap(), coordinator.addr(), mode);
        let env = Env::from_map([("HOME", home.path().display().to_string())]);
        let settings = Settings::from_conninfo(&conninfo, &env).unwrap();
        let d = probe(&settings, &ProbeOptions::default()).await;
        coordinator.shutdown().await;
        d
    })
}

#[test]
fn probe_page_shows_the_verdict_chain_fingerprints_and_advice_and_fetches_nothing() {
    let d = diagnose("valid", SslMode::VerifyFull);
    let page = probe_html(&d, &ProbeContext::now());
    crate::html::assert_self_contained(&page);
    assert!(page.contains("libpq would connect over TLS"));
    assert!(page.contains("class=\"verdict ok\""));
    assert!(!d.chain.is_empty());
    for cert in &d.chain {
        assert!(
            page.contains(&cert.sha256_fingerprint.to_ascii_uppercase()),
            "fingerprint of {}",
            cert.subject
        );
    }
    assert!(page.contains("password=********"), "redacted conninfo");
    assert!(!page.contains(catalog::PASSWORD));
    assert!(page.contains("id=\"what-to-use\""));
    assert!(page.contains("-fingerprint -sha256"));
    assert!(page.contains(pgtls_matrix::versions::library("rustls").unwrap()));
}

#[test]
fn probe_page_of_a_rejection_shows_libpqs_message() {
    let d = diagnose("wrong-hostname", SslMode::VerifyFull);
    let page = probe_html(&d, &ProbeContext::now());
    crate::html::assert_self_contained(&page);
    assert!(page.contains("libpq would NOT connect"));
    assert!(page.contains("class=\"verdict fail\""));
    let msg = d.message.as_deref().expect("libpq message");
    let first = msg.lines().next().unwrap().replace('"', "&quot;");
    assert!(page.contains(&first), "{first}");
}
