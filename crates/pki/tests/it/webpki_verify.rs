//! Every recipe handed to rustls-webpki (chain + CRL at the injected now, then the name): each
//! defect is reported as that defect. Where webpki and OpenSSL/libpq differ (leaf with CA:TRUE,
//! CN-only names, trust in an intermediate, keyUsage on CAs) the test says so by name.

use webpki::Error;

use crate::recipes::{self, Recipe};
use crate::util::webpki_verify;
use pgtls_pki::KeyType;

fn check(recipe: Recipe) -> Result<(), Error> {
    webpki_verify(&recipe.leaf, &recipe.verify)
}

#[test]
fn webpki_accepts_valid_root_to_leaf() {
    assert_eq!(check(recipes::valid()), Ok(()));
}

#[test]
fn webpki_accepts_valid_chain_with_intermediate() {
    assert_eq!(check(recipes::valid_with_intermediate()), Ok(()));
}

#[test]
fn webpki_accepts_every_key_type() {
    for key in KeyType::ALL {
        assert_eq!(check(recipes::valid_key(key)), Ok(()), "{key:?}");
    }
}

#[test]
fn webpki_accepts_reversed_intermediates() {
    assert_eq!(check(recipes::reversed_chain()), Ok(()));
}

#[test]
fn webpki_reports_expired_leaf_as_expired() {
    let err = check(recipes::expired_leaf()).unwrap_err();
    assert!(matches!(err, Error::CertExpired { .. }), "{err:?}");
}

#[test]
fn webpki_reports_not_yet_valid_leaf() {
    let err = check(recipes::not_yet_valid_leaf()).unwrap_err();
    assert!(matches!(err, Error::CertNotValidYet { .. }), "{err:?}");
}

#[test]
fn webpki_reports_expired_intermediate_as_expired() {
    let err = check(recipes::expired_intermediate()).unwrap_err();
    assert!(matches!(err, Error::CertExpired { .. }), "{err:?}");
}

#[test]
fn webpki_reports_client_eku_only_server_as_required_eku_not_found() {
    let err = check(recipes::client_eku_only()).unwrap_err();
    assert!(
        matches!(err, Error::RequiredEkuNotFoundContext(_)),
        "{err:?}"
    );
}

#[test]
fn webpki_accepts_server_leaf_without_eku() {
    assert_eq!(check(recipes::no_eku()), Ok(()));
}

#[test]
fn webpki_rejects_leaf_with_ca_true_unlike_openssl() {
    assert_eq!(check(recipes::leaf_is_ca()), Err(Error::CaUsedAsEndEntity));
}

#[test]
fn webpki_reports_untrusted_root_as_unknown_issuer() {
    assert_eq!(check(recipes::untrusted_root()), Err(Error::UnknownIssuer));
}

#[test]
fn webpki_reports_impostor_root_with_trusted_name_as_bad_signature() {
    assert_eq!(
        check(recipes::impostor_root()),
        Err(Error::InvalidSignatureForPublicKey)
    );
}

#[test]
fn webpki_reports_self_signed_leaf_as_unknown_issuer() {
    assert_eq!(
        check(recipes::self_signed_leaf()),
        Err(Error::UnknownIssuer)
    );
}

#[test]
fn webpki_reports_revoked_leaf_as_revoked() {
    assert_eq!(check(recipes::revoked_leaf()), Err(Error::CertRevoked));
}

#[test]
fn webpki_accepts_leaf_missing_from_crl() {
    assert_eq!(check(recipes::crl_without_leaf()), Ok(()));
}

#[test]
fn webpki_reports_intermediate_without_ca_flag() {
    assert_eq!(
        check(recipes::intermediate_not_ca()),
        Err(Error::EndEntityUsedAsCa)
    );
}

#[test]
fn webpki_ignores_key_usage_of_intermediate_unlike_openssl() {
    assert_eq!(check(recipes::intermediate_without_key_cert_sign()), Ok(()));
}

#[test]
fn webpki_reports_missing_intermediate_as_unknown_issuer() {
    assert_eq!(
        check(recipes::missing_intermediate()),
        Err(Error::UnknownIssuer)
    );
}

#[test]
fn webpki_accepts_trust_in_intermediate_only_unlike_openssl() {
    assert_eq!(check(recipes::intermediate_only_trusted()), Ok(()));
}

fn assert_not_valid_for_name(result: Result<(), Error>) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::CertNotValidForName(_)), "{err:?}");
}

#[test]
fn webpki_reports_other_host_as_not_valid_for_name() {
    assert_not_valid_for_name(check(recipes::wrong_hostname()));
}

#[test]
fn webpki_ignores_cn_unlike_libpq() {
    assert_not_valid_for_name(check(recipes::cn_only()));
}

#[test]
fn webpki_rejects_cn_match_when_san_differs() {
    assert_not_valid_for_name(check(recipes::san_overrides_cn()));
}

#[test]
fn webpki_matches_wildcard_for_one_label() {
    assert_eq!(check(recipes::wildcard_match()), Ok(()));
}

#[test]
fn webpki_rejects_wildcard_for_two_labels() {
    assert_not_valid_for_name(check(recipes::wildcard_two_labels()));
}

#[test]
fn webpki_rejects_wildcard_for_bare_domain() {
    assert_not_valid_for_name(check(recipes::wildcard_bare_domain()));
}

#[test]
fn webpki_matches_ipv4_san() {
    assert_eq!(check(recipes::ip_san()), Ok(()));
}

#[test]
fn webpki_matches_ipv6_san() {
    assert_eq!(check(recipes::ipv6_san()), Ok(()));
}

#[test]
fn webpki_does_not_match_ip_written_as_dnsname() {
    assert_not_valid_for_name(check(recipes::ip_in_dnsname()));
}

#[test]
fn webpki_rejects_certificate_without_names() {
    assert_not_valid_for_name(check(recipes::no_names()));
}

#[test]
fn webpki_accepts_client_certificate_for_client_auth() {
    assert_eq!(check(recipes::client_cert()), Ok(()));
}

#[test]
fn webpki_rejects_server_certificate_for_client_auth() {
    let err = check(recipes::server_cert_as_client()).unwrap_err();
    assert!(
        matches!(err, Error::RequiredEkuNotFoundContext(_)),
        "{err:?}"
    );
}
