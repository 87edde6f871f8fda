//! Facts about one certificate, for diagnoses and reports ([`CertDetails`]).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::oid_registry::{self, Oid};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::fingerprint::{fingerprint, Digest};
use crate::{Error, Serial};

/// One subjectAltName entry, in certificate order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum SanEntry {
    /// dNSName (text as in the certificate; may contain wildcards, IP text or even NUL).
    Dns(String),
    /// iPAddress of 4 or 16 bytes, in the usual text form.
    Ip(String),
    /// iPAddress of another length (libpq: `certificate contains IP address with invalid
    /// length <n>`): the raw bytes as hex.
    InvalidIp(String),
    /// rfc822Name.
    Email(String),
    /// uniformResourceIdentifier.
    Uri(String),
    /// Any other kind, described.
    Other(String),
}

/// What a certificate says about itself. Built by [`CertDetails::from_der`]; serializes to JSON
/// for reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertDetails {
    /// X.509 version (1..=3).
    pub version: u32,
    /// Subject DN in certificate order (`O=pgtls, CN=c-demo.pgtls.test`).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Every subject commonName, in order (libpq uses only the first).
    pub subject_cns: Vec<String>,
    /// dNSName SANs in order.
    pub san_dns: Vec<String>,
    /// Valid (4- or 16-byte) iPAddress SANs in order.
    pub san_ips: Vec<String>,
    /// Every SAN entry in certificate order (what libpq scans).
    pub sans: Vec<SanEntry>,
    /// notBefore, RFC 3339 UTC.
    pub not_before: String,
    /// notAfter, RFC 3339 UTC.
    pub not_after: String,
    /// notBefore as a Unix timestamp.
    pub not_before_unix: i64,
    /// notAfter as a Unix timestamp.
    pub not_after_unix: i64,
    /// True when a basicConstraints extension is present.
    pub has_basic_constraints: bool,
    /// basicConstraints CA flag (false when absent).
    pub is_ca: bool,
    /// basicConstraints pathLenConstraint.
    pub path_len: Option<u32>,
    /// keyUsage bits by RFC 5280 name (`digitalSignature`, `keyCertSign`...); `None` = no extension.
    pub key_usage: Option<Vec<String>>,
    /// extendedKeyUsage purposes (`serverAuth`, `clientAuth`, other OIDs dotted); `None` = no extension.
    pub extended_key_usage: Option<Vec<String>>,
    /// Public key type and size: `ECDSA P-256`, `ECDSA P-384`, `RSA 2048`, `Ed25519`...
    pub public_key: String,
    /// Public key size in bits (0 when unknown).
    pub public_key_bits: u32,
    /// OpenSSL's name of the signature algorithm (`ecdsa-with-SHA256`, `sha256WithRSAEncryption`,
    /// `ED25519`, or the dotted OID).
    pub signature_algorithm: String,
    /// Serial number, uppercase hex (as `openssl x509 -serial` prints it).
    pub serial: String,
    /// SHA-256 fingerprint, colon hex.
    pub sha256_fingerprint: String,
    /// SHA-1 fingerprint, colon hex.
    pub sha1_fingerprint: String,
    /// Subject and issuer names are identical.
    pub self_issued: bool,
    /// Self-issued and the signature verifies with the certificate's own key.
    pub self_signed: bool,
    /// Extensions that could not be parsed (duplicate or malformed), and other oddities.
    pub warnings: Vec<String>,
}

impl CertDetails {
    /// Parses one DER certificate (trailing bytes are reported in `warnings`). Never panics.
    pub fn from_der(der: &[u8]) -> Result<CertDetails, Error> {
        let (rest, cert) =
            x509_parser::parse_x509_certificate(der).map_err(|e| Error::InvalidCertificate {
                line: None,
                reason: e.to_string(),
            })?;
        let mut warnings = Vec::new();
        if !rest.is_empty() {
            warnings.push(format!(
                "{} trailing bytes after the certificate",
                rest.len()
            ));
        }
        let raw = cert.as_raw();

        let subject_cns = cert
            .subject()
            .iter_common_name()
            .map(|attr| match attr.as_str() {
                Ok(s) => s.to_owned(),
                Err(_) => String::from_utf8_lossy(attr.as_slice()).into_owned(),
            })
            .collect();

        let mut sans = Vec::new();
        match cert.subject_alternative_name() {
            Ok(Some(ext)) => {
                for name in &ext.value.general_names {
                    sans.push(san_entry(name));
                }
            }
            Ok(None) => {}
            Err(e) => warnings.push(format!("subjectAltName: {e}")),
        }
        let san_dns = sans
            .iter()
            .filter_map(|s| match s {
                SanEntry::Dns(d) => Some(d.clone()),
                _ => None,
            })
            .collect();
        let san_ips = sans
            .iter()
            .filter_map(|s| match s {
                SanEntry::Ip(ip) => Some(ip.clone()),
                _ => None,
            })
            .collect();

        let validity = cert.validity();
        let not_before = validity.not_before.to_datetime();
        let not_after = validity.not_after.to_datetime();

        let (has_basic_constraints, is_ca, path_len) = match cert.basic_constraints() {
            Ok(Some(bc)) => (true, bc.value.ca, bc.value.path_len_constraint),
            Ok(None) => (false, false, None),
            Err(e) => {
                warnings.push(format!("basicConstraints: {e}"));
                (false, false, None)
            }
        };

        let key_usage = match cert.key_usage() {
            Ok(Some(ku)) => Some(key_usage_names(ku.value.flags)),
            Ok(None) => None,
            Err(e) => {
                warnings.push(format!("keyUsage: {e}"));
                None
            }
        };

        let extended_key_usage = match cert.extended_key_usage() {
            Ok(Some(eku)) => {
                let e = eku.value;
                let mut names = Vec::new();
                for (set, name) in [
                    (e.any, "anyExtendedKeyUsage"),
                    (e.server_auth, "serverAuth"),
                    (e.client_auth, "clientAuth"),
                    (e.code_signing, "codeSigning"),
                    (e.email_protection, "emailProtection"),
                    (e.time_stamping, "timeStamping"),
                    (e.ocsp_signing, "OCSPSigning"),
                ] {
                    if set {
                        names.push(name.to_owned());
                    }
                }
                names.extend(e.other.iter().map(|oid| oid.to_id_string()));
                Some(names)
            }
            Ok(None) => None,
            Err(e) => {
                warnings.push(format!("extendedKeyUsage: {e}"));
                None
            }
        };

        let (public_key, public_key_bits) = public_key_name(cert.public_key());
        let signature_algorithm = signature_algorithm_name(&cert.signature_algorithm.algorithm);

        let serial_bytes = cert.raw_serial();
        if serial_bytes.first().is_some_and(|b| b & 0x80 != 0) {
            warnings.push("negative serial number".to_owned());
        }
        let serial = Serial::from_be_bytes(serial_bytes).hex();

        let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();
        let self_signed = self_issued && cert.verify_signature(None).is_ok();

        Ok(CertDetails {
            version: cert.version().0.saturating_add(1),
            subject: name_string(&cert, true),
            issuer: name_string(&cert, false),
            subject_cns,
            san_dns,
            san_ips,
            sans,
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            not_before_unix: not_before.unix_timestamp(),
            not_after_unix: not_after.unix_timestamp(),
            has_basic_constraints,
            is_ca,
            path_len,
            key_usage,
            extended_key_usage,
            public_key,
            public_key_bits,
            signature_algorithm,
            serial,
            sha256_fingerprint: fingerprint(raw, Digest::Sha256),
            sha1_fingerprint: fingerprint(raw, Digest::Sha1),
            self_issued,
            self_signed,
            warnings,
        })
    }

    /// True when `unix_time` is within notBefore..=notAfter.
    pub fn is_valid_at(&self, unix_time: i64) -> bool {
        self.not_before_unix <= unix_time && unix_time <= self.not_after_unix
    }

    /// One human line: `CN=c-demo.pgtls.test (ECDSA P-256, expires 2025-01-01T00:00:00Z, issuer CN=Root CA)`.
    pub fn summary(&self) -> String {
        let subject = if self.subject.is_empty() {
            "(empty subject)"
        } else {
            &self.subject
        };
        format!(
            "{subject} ({}, expires {}, issuer {})",
            self.public_key, self.not_after, self.issuer
        )
    }
}

fn name_string(cert: &X509Certificate<'_>, subject: bool) -> String {
    let name = if subject {
        cert.subject()
    } else {
        cert.issuer()
    };
    // x509-parser renders unknown attribute types and non-UTF-8 values itself; fall back to
    // its raw-hex form if the registry lookup fails.
    match x509_parser::x509::X509Name::to_string_with_registry(name, oid_registry()) {
        Ok(s) => s,
        Err(_) => name.to_string(),
    }
}

fn oid_registry() -> &'static oid_registry::OidRegistry<'static> {
    static REGISTRY: std::sync::OnceLock<oid_registry::OidRegistry<'static>> =
        std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| oid_registry::OidRegistry::default().with_x509())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

fn san_entry(name: &GeneralName<'_>) -> SanEntry {
    match name {
        GeneralName::DNSName(d) => SanEntry::Dns((*d).to_owned()),
        GeneralName::IPAddress(bytes) => match *bytes {
            [a, b, c, d] => SanEntry::Ip(Ipv4Addr::new(*a, *b, *c, *d).to_string()),
            _ => match <[u8; 16]>::try_from(*bytes) {
                Ok(v6) => SanEntry::Ip(Ipv6Addr::from(v6).to_string()),
                Err(_) => SanEntry::InvalidIp(crate::hex_upper(bytes, "")),
            },
        },
        GeneralName::RFC822Name(e) => SanEntry::Email((*e).to_owned()),
        GeneralName::URI(u) => SanEntry::Uri((*u).to_owned()),
        GeneralName::Invalid(tag, bytes) => SanEntry::Other(format!(
            "invalid entry (tag {}): {}",
            tag.0,
            String::from_utf8_lossy(bytes)
        )),
        other => SanEntry::Other(format!("{other:?}")),
    }
}

fn key_usage_names(flags: u16) -> Vec<String> {
    const NAMES: [&str; 9] = [
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
        "keyAgreement",
        "keyCertSign",
        "cRLSign",
        "encipherOnly",
        "decipherOnly",
    ];
    NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| (flags >> bit) & 1 == 1)
        .map(|(_, name)| (*name).to_owned())
        .collect()
}

fn public_key_name(spki: &SubjectPublicKeyInfo<'_>) -> (String, u32) {
    let alg = &spki.algorithm.algorithm;
    let key_bytes: &[u8] = &spki.subject_public_key.data;
    if *alg == oid_registry::OID_PKCS1_RSAENCRYPTION {
        let bits = match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa_bits(rsa.modulus),
            _ => 0,
        };
        return (format!("RSA {bits}"), bits);
    }
    if *alg == oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok());
        let (name, bits) = match curve {
            Some(c) if c == oid_registry::OID_EC_P256 => ("P-256".to_owned(), 256),
            Some(c) if c == oid_registry::OID_NIST_EC_P384 => ("P-384".to_owned(), 384),
            Some(c) if c == oid_registry::OID_NIST_EC_P521 => ("P-521".to_owned(), 521),
            Some(c) => (c.to_id_string(), 0),
            None => ("(unknown curve)".to_owned(), 0),
        };
        return (format!("ECDSA {name}"), bits);
    }
    if *alg == oid_registry::OID_SIG_ED25519 {
        return ("Ed25519".to_owned(), 256);
    }
    if *alg == oid_registry::OID_SIG_ED448 {
        return ("Ed448".to_owned(), 456);
    }
    if *alg == oid_registry::OID_PKCS1_RSASSAPSS {
        let bits = rsa_pss_bits(key_bytes);
        return (format!("RSA-PSS {bits}"), bits);
    }
    (format!("unknown ({})", alg.to_id_string()), 0)
}

/// Bits of an RSA modulus given as DER INTEGER contents (leading zero bytes ignored).
fn rsa_bits(modulus: &[u8]) -> u32 {
    let start = modulus.iter().position(|b| *b != 0);
    match start.and_then(|i| modulus.get(i..)) {
        Some(m @ [first, ..]) => {
            let len = u32::try_from(m.len()).unwrap_or(u32::MAX / 8);
            len.saturating_mul(8).saturating_sub(first.leading_zeros())
        }
        _ => 0,
    }
}

/// RSA-PSS keys use the RSAPublicKey structure too.
fn rsa_pss_bits(key: &[u8]) -> u32 {
    use x509_parser::prelude::FromDer as _;
    match x509_parser::public_key::RSAPublicKey::from_der(key) {
        Ok((_, rsa)) => rsa_bits(rsa.modulus),
        Err(_) => 0,
    }
}

fn signature_algorithm_name(oid: &Oid<'_>) -> String {
    let known: [(&Oid<'_>, &str); 12] = [
        (
            &oid_registry::OID_PKCS1_SHA256WITHRSA,
            "sha256WithRSAEncryption",
        ),
        (
            &oid_registry::OID_PKCS1_SHA384WITHRSA,
            "sha384WithRSAEncryption",
        ),
        (
            &oid_registry::OID_PKCS1_SHA512WITHRSA,
            "sha512WithRSAEncryption",
        ),
        (
            &oid_registry::OID_PKCS1_SHA224WITHRSA,
            "sha224WithRSAEncryption",
        ),
        (
            &oid_registry::OID_PKCS1_SHA1WITHRSA,
            "sha1WithRSAEncryption",
        ),
        (
            &oid_registry::OID_PKCS1_MD5WITHRSAENC,
            "md5WithRSAEncryption",
        ),
        (&oid_registry::OID_PKCS1_RSASSAPSS, "rsassaPss"),
        (
            &oid_registry::OID_SIG_ECDSA_WITH_SHA256,
            "ecdsa-with-SHA256",
        ),
        (
            &oid_registry::OID_SIG_ECDSA_WITH_SHA384,
            "ecdsa-with-SHA384",
        ),
        (
            &oid_registry::OID_SIG_ECDSA_WITH_SHA512,
            "ecdsa-with-SHA512",
        ),
        (&oid_registry::OID_SIG_ED25519, "ED25519"),
        (&oid_registry::OID_SIG_ED448, "ED448"),
    ];
    known
        .iter()
        .find(|(k, _)| *k == oid)
        .map(|(_, name)| (*name).to_owned())
        .unwrap_or_else(|| oid.to_id_string())
}
