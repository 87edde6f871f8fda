//! tls-server-end-point hashes of real certificates made with `openssl req -x509`; the
//! expected values are `openssl dgst` outputs recorded when the fixtures were made.

use pgtls_scram::{tls_server_end_point, EndPointHash, ScramError};
use pretty_assertions::assert_eq;

use crate::hex;

macro_rules! cert {
    ($name:literal) => {
        include_bytes!(concat!("certs/", $name, ".der")).as_slice()
    };
}

const CASES: &[(&str, &[u8], EndPointHash, &str)] = &[
    (
        "sha256WithRSAEncryption",
        cert!("rsa-sha256"),
        EndPointHash::Sha256,
        "e367e665f430733ab770b450ff4da2f7b39fe6404a3ed99cb192fd7561d4fc1b",
    ),
    (
        "sha384WithRSAEncryption",
        cert!("rsa-sha384"),
        EndPointHash::Sha384,
        "8591df7d9262d4c5640f58491ae61523f2332d2830d73660e7b65df261341d7ea136b7bbbdd0eb97da4edaf127214c5b",
    ),
    (
        "sha512WithRSAEncryption",
        cert!("rsa-sha512"),
        EndPointHash::Sha512,
        "c55cea8f416e66ada6503c7181c0fd81381553c20352989f8cbbfa6afec0d204c744edf26e4f838cffd8d58604b7aeb5e4b55054fbef17a7c498e1316b17d744",
    ),
    (
        "sha1WithRSAEncryption upgraded to SHA-256",
        cert!("rsa-sha1"),
        EndPointHash::Sha256,
        "d4a6c0fc557b66ebea515cde845b44993904f6a810d0ae1e278fdc2e26f45d76",
    ),
    (
        "md5WithRSAEncryption upgraded to SHA-256",
        cert!("rsa-md5"),
        EndPointHash::Sha256,
        "db6fe7c194b3b35d86e0e557be8293a4c7e30f7f7c59d6e111bc69d4849e1ac5",
    ),
    (
        "RSA-PSS with SHA-256",
        cert!("rsa-pss-sha256"),
        EndPointHash::Sha256,
        "01d89b91d717d12ebc7f8fb960d17617327325992034c12726dc528b404621bf",
    ),
    (
        "RSA-PSS with SHA-384",
        cert!("rsa-pss-sha384"),
        EndPointHash::Sha384,
        "6d2a74a1210b160a1ed2b394cca58d17ca106d3037af87f941136c5bcdb32f008ee5c5260aa4bd6c82eb0b2db9a1f90a",
    ),
    (
        "ecdsa-with-SHA256",
        cert!("ecdsa-p256-sha256"),
        EndPointHash::Sha256,
        "d4eadb64317302761abff4dc101be035599610bb6ad76b11c14347465e686383",
    ),
    (
        "ecdsa-with-SHA384",
        cert!("ecdsa-p384-sha384"),
        EndPointHash::Sha384,
        "236d59d1c94844b42fc2c0bd1406a0e9938f1247a12baed5118b9641e6446afe9792cffd768551a3e70a1472262d7416",
    ),
    (
        "ecdsa-with-SHA512",
        cert!("ecdsa-p256-sha512"),
        EndPointHash::Sha512,
        "848347611f925456943841ec695138c083be4e9173acd21be2523976ffc46aca0c9a6f82cf08a677de2caeb453729361431efbea040488753d8ed69ce8324a97",
    ),
];

#[test]
fn end_point_hash_uses_the_signature_digest() {
    for (what, der, alg, expected) in CASES {
        assert_eq!(EndPointHash::for_certificate(der), Ok(*alg), "{what}");
        assert_eq!(
            hex(&tls_server_end_point(der).unwrap()),
            *expected,
            "{what}"
        );
    }
}

#[test]
fn ed25519_certificate_has_no_digest_like_openssl() {
    let err = tls_server_end_point(cert!("ed25519")).unwrap_err();
    assert_eq!(
        err,
        ScramError::NoDigestForSignature {
            algorithm: "ED25519"
        }
    );
    assert_eq!(err.to_string(), "could not find digest for NID UNDEF");
}

#[test]
fn garbage_and_truncated_certificates_are_errors_not_panics() {
    assert_eq!(
        tls_server_end_point(b"not a certificate")
            .unwrap_err()
            .to_string(),
        "could not determine server certificate signature algorithm"
    );
    assert!(tls_server_end_point(&[]).is_err());
    for (_, der, _, _) in CASES {
        for cut in 0..der.len() {
            assert!(tls_server_end_point(&der[..cut]).is_err(), "cut {cut}");
        }
    }
}

#[test]
fn unknown_signature_algorithm_is_undetermined() {
    // SEQUENCE { SEQUENCE {} , SEQUENCE { OID 1.2.3 } }
    let der = [
        0x30, 0x09, 0x30, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04,
    ];
    assert_eq!(
        tls_server_end_point(&der),
        Err(ScramError::UnknownCertificateSignature)
    );
}

#[test]
fn oversized_der_lengths_are_rejected() {
    // Long-form length of 5 bytes, and a length pointing far past the end.
    assert!(tls_server_end_point(&[0x30, 0x85, 1, 0, 0, 0, 0]).is_err());
    assert!(tls_server_end_point(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30]).is_err());
}
