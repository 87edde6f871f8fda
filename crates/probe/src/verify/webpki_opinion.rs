//! rustls-webpki's verdict on the same inputs, for comparison (and for clients built on rustls).
//!
//! webpki gets OpenSSL-shaped inputs: the trust anchors are only the *self-signed* certificates
//! of the store (OpenSSL without PARTIAL_CHAIN anchors nothing else), every other store
//! certificate joins the server's as a possible intermediate, and when CRL checking is on every
//! CRL found for the chain is passed with whole-chain depth and unknown status denied.

use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{
    EndEntityCert, KeyUsage, OwnedCertRevocationList, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};

use super::cert::Cert;
use super::report::{Reason, WebpkiOpinion};
use super::trust::TrustStore;

pub(crate) fn opinion(
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    store: &TrustStore,
    now: UnixTime,
) -> WebpkiOpinion {
    let fail = |e: webpki::Error| WebpkiOpinion {
        accepted: false,
        error: Some(format!("{e:?}")),
        reason: Some(Reason::from_webpki(&e)),
    };
    let ee = match EndEntityCert::try_from(end_entity) {
        Ok(ee) => ee,
        Err(e) => return fail(e),
    };
    // Gather the store certificates that could matter: what the files hold, plus what a hashed
    // directory yields for the names along the server's chain.
    let mut store_certs: Vec<Cert> = Vec::new();
    let mut wanted: Vec<Vec<u8>> = Vec::new();
    for der in std::iter::once(end_entity).chain(intermediates.iter()) {
        if let Ok(c) = Cert::parse(der.as_ref()) {
            wanted.push(c.issuer_der.clone());
        }
    }
    for der in store.certificates() {
        if let Ok(c) = Cert::parse(der.as_ref()) {
            store_certs.push(c);
        }
    }
    let mut i = 0;
    while let Some(name) = wanted.get(i).cloned() {
        i += 1;
        if i > 64 {
            break;
        }
        for (c, _) in store.lookup_certs(&name) {
            if !store_certs.iter().any(|s| s.der == c.der) {
                wanted.push(c.issuer_der.clone());
                store_certs.push(c);
            }
        }
    }
    let anchor_ders: Vec<CertificateDer<'static>> = store_certs
        .iter()
        .filter(|c| c.self_signed)
        .map(|c| c.der.clone())
        .collect();
    let anchors: Vec<TrustAnchor<'_>> = anchor_ders
        .iter()
        .filter_map(|d| webpki::anchor_from_trusted_cert(d).ok())
        .collect();
    let mut inter: Vec<CertificateDer<'_>> = intermediates.to_vec();
    inter.extend(
        store_certs
            .iter()
            .filter(|c| !c.self_signed)
            .map(|c| c.der.clone()),
    );

    let mut crls: Vec<webpki::CertRevocationList<'static>> = Vec::new();
    if store.crl_status().enabled {
        let mut names: Vec<Vec<u8>> = Vec::new();
        for der in std::iter::once(end_entity).chain(inter.iter()) {
            if let Ok(c) = Cert::parse(der.as_ref()) {
                names.push(c.issuer_der);
            }
        }
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for crl in store.loaded_crls().iter().cloned().chain(
            names
                .iter()
                .flat_map(|n| store.lookup_crls(n))
                .collect::<Vec<_>>(),
        ) {
            if seen.contains(&crl.der) {
                continue;
            }
            seen.push(crl.der.clone());
            if let Ok(owned) = OwnedCertRevocationList::from_der(&crl.der) {
                crls.push(owned.into());
            }
        }
    }
    let crl_refs: Vec<&webpki::CertRevocationList<'_>> = crls.iter().collect();
    let revocation = if store.crl_status().enabled {
        match RevocationOptionsBuilder::new(&crl_refs) {
            Ok(b) => Some(
                b.with_depth(RevocationCheckDepth::Chain)
                    .with_status_policy(UnknownStatusPolicy::Deny)
                    .build(),
            ),
            // No CRL at all: every status is unknown, which webpki cannot even be asked about.
            Err(_) => return fail(webpki::Error::UnknownRevocationStatus),
        }
    } else {
        None
    };
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    match ee.verify_for_usage(
        provider.signature_verification_algorithms.all,
        &anchors,
        &inter,
        now,
        KeyUsage::server_auth(),
        revocation,
        None,
    ) {
        Ok(_) => WebpkiOpinion {
            accepted: true,
            error: None,
            reason: None,
        },
        Err(e) => fail(e),
    }
}
