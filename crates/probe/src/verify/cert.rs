//! A certificate reduced to the facts OpenSSL's verifier looks at (`x509v3_cache_extensions`).

use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};

use super::{der, name};

/// authorityKeyIdentifier as OpenSSL's `X509_check_akid` uses it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Akid {
    pub(crate) keyid: Option<Vec<u8>>,
    pub(crate) issuer_names: Vec<Vec<u8>>,
    pub(crate) serial: Option<Vec<u8>>,
}

/// One CRL distribution point of a certificate (only what the CRL scope check needs).
#[derive(Debug, Clone, Default)]
pub(crate) struct DistPoint {
    /// Full-name general names, as debug text for comparison.
    pub(crate) full_names: Vec<String>,
    pub(crate) has_crl_issuer: bool,
}

/// A parsed certificate.
#[derive(Debug, Clone)]
pub(crate) struct Cert {
    pub(crate) der: CertificateDer<'static>,
    pub(crate) subject_der: Vec<u8>,
    pub(crate) issuer_der: Vec<u8>,
    pub(crate) subject_text: String,
    pub(crate) issuer_text: String,
    pub(crate) serial: Vec<u8>,
    pub(crate) version: u32,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) skid: Option<Vec<u8>>,
    pub(crate) akid: Option<Akid>,
    /// basicConstraints: (cA, pathLenConstraint).
    pub(crate) basic_constraints: Option<(bool, Option<u32>)>,
    /// keyUsage bits as x509-parser numbers them (bit 0 = digitalSignature).
    pub(crate) key_usage: Option<u16>,
    /// extKeyUsage: (serverAuth or SGC present, text of the purposes).
    pub(crate) eku: Option<(bool, Vec<String>)>,
    pub(crate) crl_dps: Option<Vec<DistPoint>>,
    pub(crate) unhandled_critical: Vec<String>,
    pub(crate) spki_der: Vec<u8>,
    pub(crate) key_alg_oid: String,
    pub(crate) sig_alg_oid: String,
    pub(crate) sig_alg: Vec<u8>,
    pub(crate) tbs: Vec<u8>,
    pub(crate) signature: Vec<u8>,
    /// EXFLAG_SI: subject and issuer names are equal.
    pub(crate) self_issued: bool,
    /// EXFLAG_SS: self-issued, own AKID matches, signature algorithm fits the key.
    pub(crate) self_signed: bool,
}

pub(crate) const KU_DIGITAL_SIGNATURE: u16 = 1;
pub(crate) const KU_KEY_ENCIPHERMENT: u16 = 1 << 2;
pub(crate) const KU_KEY_AGREEMENT: u16 = 1 << 4;
pub(crate) const KU_KEY_CERT_SIGN: u16 = 1 << 5;
pub(crate) const KU_CRL_SIGN: u16 = 1 << 6;

const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const OID_NS_SGC: &str = "2.16.840.1.113730.4.1";
const OID_MS_SGC: &str = "1.3.6.1.4.1.311.10.3.3";

/// Extensions OpenSSL 3.0 understands (`X509_supported_extension`); any other critical
/// extension is "unhandled critical extension".
const SUPPORTED: &[&str] = &[
    "2.16.840.1.113730.1.1", // nsCertType
    "2.5.29.15",             // keyUsage
    "2.5.29.17",             // subjectAltName
    "2.5.29.19",             // basicConstraints
    "2.5.29.32",             // certificatePolicies
    "2.5.29.31",             // cRLDistributionPoints
    "2.5.29.37",             // extKeyUsage
    "1.3.6.1.5.5.7.1.7",     // sbgp-ipAddrBlock
    "1.3.6.1.5.5.7.1.8",     // sbgp-autonomousSysNum
    "1.3.6.1.5.5.7.48.1.5",  // OCSP noCheck
    "2.5.29.36",             // policyConstraints
    "1.3.6.1.5.5.7.1.14",    // proxyCertInfo
    "2.5.29.30",             // nameConstraints
    "2.5.29.33",             // policyMappings
    "2.5.29.54",             // inhibitAnyPolicy
];

fn general_name_text(gn: &GeneralName<'_>) -> String {
    format!("{gn:?}")
}

/// `check_sig_alg_match`: the key algorithm a signature algorithm needs (None = unknown, allowed).
fn key_oids_for_sig(sig_oid: &str) -> Option<&'static [&'static str]> {
    const RSA: &str = "1.2.840.113549.1.1.1";
    const RSA_PSS: &str = "1.2.840.113549.1.1.10";
    const EC: &str = "1.2.840.10045.2.1";
    match sig_oid {
        "1.2.840.113549.1.1.4"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.12"
        | "1.2.840.113549.1.1.13"
        | "1.2.840.113549.1.1.14" => Some(&[RSA]),
        RSA_PSS => Some(&[RSA, RSA_PSS]),
        "1.2.840.10045.4.1"
        | "1.2.840.10045.4.3.1"
        | "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.3"
        | "1.2.840.10045.4.3.4" => Some(&[EC]),
        "1.3.101.112" => Some(&["1.3.101.112"]),
        "1.3.101.113" => Some(&["1.3.101.113"]),
        _ => None,
    }
}

impl Cert {
    /// Parses a certificate; `Err` carries the parser's complaint.
    pub(crate) fn parse(der_bytes: &[u8]) -> Result<Cert, String> {
        let envelope = der::signed(der_bytes).ok_or("not a DER certificate")?;
        let (rest, x) = X509Certificate::from_der(der_bytes).map_err(|e| e.to_string())?;
        if !rest.is_empty() {
            return Err("trailing data after certificate".into());
        }
        let tbs = &x.tbs_certificate;
        let mut cert = Cert {
            der: CertificateDer::from(der_bytes.to_vec()),
            subject_der: tbs.subject.as_raw().to_vec(),
            issuer_der: tbs.issuer.as_raw().to_vec(),
            subject_text: tbs.subject.to_string(),
            issuer_text: tbs.issuer.to_string(),
            serial: tbs.raw_serial().to_vec(),
            version: tbs.version.0,
            not_before: tbs.validity.not_before.timestamp(),
            not_after: tbs.validity.not_after.timestamp(),
            skid: None,
            akid: None,
            basic_constraints: None,
            key_usage: None,
            eku: None,
            crl_dps: None,
            unhandled_critical: Vec::new(),
            spki_der: tbs.subject_pki.raw.to_vec(),
            key_alg_oid: tbs.subject_pki.algorithm.algorithm.to_id_string(),
            sig_alg_oid: x.signature_algorithm.algorithm.to_id_string(),
            sig_alg: envelope.algorithm.to_vec(),
            tbs: envelope.tbs.full.to_vec(),
            signature: envelope.signature.to_vec(),
            self_issued: false,
            self_signed: false,
        };
        for ext in tbs.extensions() {
            let oid = ext.oid.to_id_string();
            if ext.critical && !SUPPORTED.contains(&oid.as_str()) {
                cert.unhandled_critical.push(oid.clone());
            }
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => cert.skid = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    let issuer_names = a
                        .authority_cert_issuer
                        .iter()
                        .flatten()
                        .filter_map(|gn| match gn {
                            GeneralName::DirectoryName(n) => Some(n.as_raw().to_vec()),
                            _ => None,
                        })
                        .collect();
                    cert.akid = Some(Akid {
                        keyid: a.key_identifier.as_ref().map(|k| k.0.to_vec()),
                        issuer_names,
                        serial: a.authority_cert_serial.map(<[u8]>::to_vec),
                    });
                }
                ParsedExtension::BasicConstraints(bc) => {
                    cert.basic_constraints = Some((bc.ca, bc.path_len_constraint));
                }
                ParsedExtension::KeyUsage(ku) => cert.key_usage = Some(ku.flags),
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    let mut names = Vec::new();
                    let pairs = [
                        (eku.any, "anyExtendedKeyUsage"),
                        (eku.server_auth, "serverAuth"),
                        (eku.client_auth, "clientAuth"),
                        (eku.code_signing, "codeSigning"),
                        (eku.email_protection, "emailProtection"),
                        (eku.time_stamping, "timeStamping"),
                        (eku.ocsp_signing, "OCSPSigning"),
                    ];
                    for (present, label) in pairs {
                        if present {
                            names.push(label.to_owned());
                        }
                    }
                    let others: Vec<String> = eku.other.iter().map(|o| o.to_id_string()).collect();
                    let sgc = others
                        .iter()
                        .any(|o| o == OID_NS_SGC || o == OID_MS_SGC || o == OID_SERVER_AUTH);
                    names.extend(others);
                    cert.eku = Some((eku.server_auth || sgc, names));
                }
                ParsedExtension::CRLDistributionPoints(dps) => {
                    let points = dps
                        .points
                        .iter()
                        .map(|p| DistPoint {
                            full_names: match &p.distribution_point {
                                Some(x509_parser::extensions::DistributionPointName::FullName(
                                    names,
                                )) => names.iter().map(general_name_text).collect(),
                                _ => Vec::new(),
                            },
                            has_crl_issuer: p.crl_issuer.is_some(),
                        })
                        .collect();
                    cert.crl_dps = Some(points);
                }
                _ => {}
            }
        }
        cert.self_issued = name::names_equal(&cert.subject_der, &cert.issuer_der);
        cert.self_signed = cert.self_issued && cert.akid_matches(&cert) && cert.sig_alg_fits(&cert);
        Ok(cert)
    }

    /// `X509_check_akid(issuer, self.akid) == X509_V_OK`.
    pub(crate) fn akid_matches(&self, issuer: &Cert) -> bool {
        let Some(akid) = &self.akid else {
            return true;
        };
        if let (Some(keyid), Some(skid)) = (&akid.keyid, &issuer.skid) {
            if keyid != skid {
                return false;
            }
        }
        if let Some(serial) = &akid.serial {
            if strip_int(serial) != strip_int(&issuer.serial) {
                return false;
            }
        }
        if !akid.issuer_names.is_empty()
            && !akid
                .issuer_names
                .iter()
                .any(|n| name::names_equal(n, &issuer.issuer_der))
        {
            return false;
        }
        true
    }

    /// `check_sig_alg_match(issuer key, self)`.
    pub(crate) fn sig_alg_fits(&self, issuer: &Cert) -> bool {
        match key_oids_for_sig(&self.sig_alg_oid) {
            Some(keys) => keys.contains(&issuer.key_alg_oid.as_str()),
            None => true,
        }
    }

    /// `ossl_x509_likely_issued(issuer, self) == X509_V_OK` (names, AKID, key type).
    pub(crate) fn likely_issued_by(&self, issuer: &Cert) -> bool {
        name::names_equal(&issuer.subject_der, &self.issuer_der)
            && self.akid_matches(issuer)
            && self.sig_alg_fits(issuer)
    }

    /// OpenSSL's notion of time validity at `now` (3.0: valid iff notBefore <= now < notAfter,
    /// because `X509_cmp_time` maps equality to "before").
    pub(crate) fn time_error(&self, now: i64) -> Option<super::Reason> {
        if self.not_before > now {
            Some(super::Reason::CertNotYetValid)
        } else if self.not_after <= now {
            Some(super::Reason::CertHasExpired)
        } else {
            None
        }
    }

    /// `X509_check_ca`: 0 = not a CA, 1 = basicConstraints cA, 3 = v1 self-signed root,
    /// 4 = keyUsage keyCertSign without basicConstraints.
    pub(crate) fn check_ca(&self) -> u8 {
        if self.key_usage.is_some_and(|ku| ku & KU_KEY_CERT_SIGN == 0) {
            return 0;
        }
        match self.basic_constraints {
            Some((true, _)) => 1,
            Some((false, _)) => 0,
            None if self.version == 0 && self.self_signed => 3,
            None if self.key_usage.is_some() => 4,
            None => 0,
        }
    }

    /// `check_purpose_ssl_server` (without the Netscape cert type, which we never see).
    pub(crate) fn purpose_ok(&self, as_ca: bool) -> bool {
        if self.eku.as_ref().is_some_and(|(server, _)| !server) {
            return false;
        }
        if as_ca {
            return self.check_ca() != 0;
        }
        !self.key_usage.is_some_and(|ku| {
            ku & (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT) == 0
        })
    }

    /// Whether `self` is signed by `issuer`'s key, using rustls' aws-lc-rs algorithm table.
    pub(crate) fn signed_by(&self, issuer: &Cert) -> Result<(), String> {
        verify_signed_data(&issuer.spki_der, &self.sig_alg, &self.tbs, &self.signature)
    }

    /// The SHA-256 fingerprint, hex upper-case with colons (as `openssl x509 -fingerprint`).
    pub(crate) fn sha256(&self) -> String {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.der.as_ref());
        d.as_ref()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

fn strip_int(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(bytes.len().saturating_sub(1));
    bytes.get(skip..).unwrap_or_default()
}

/// Verifies `signature` over `message` with the key in `spki_der`, picking the algorithm whose
/// webpki identifiers match the signature algorithm and the key algorithm.
pub(crate) fn verify_signed_data(
    spki_der: &[u8],
    sig_alg: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let (key_alg, key) = der::spki(spki_der).ok_or("unable to decode issuer public key")?;
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let mut saw_sig_alg = false;
    for alg in provider.signature_verification_algorithms.all {
        if alg.signature_alg_id().as_ref() != sig_alg {
            continue;
        }
        saw_sig_alg = true;
        if alg.public_key_alg_id().as_ref() != key_alg {
            continue;
        }
        return alg
            .verify_signature(key, message, signature)
            .map_err(|_| "signature does not verify".to_owned());
    }
    Err(if saw_sig_alg {
        "signature algorithm does not fit the issuer's key".to_owned()
    } else {
        "unsupported signature algorithm".to_owned()
    })
}
