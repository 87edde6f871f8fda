//! Certificate revocation lists as OpenSSL's `check_cert_crl` uses them (CRL_CHECK |
//! CRL_CHECK_ALL, no delta CRLs, no extended CRL support: indirect CRLs and reason-partitioned
//! CRLs are not usable, as in libpq).

use x509_parser::extensions::{DistributionPointName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::cert::{Akid, Cert, KU_CRL_SIGN};
use super::{der, name, Reason};

/// issuingDistributionPoint, reduced.
#[derive(Debug, Clone, Default)]
pub(crate) struct Idp {
    pub(crate) full_names: Vec<String>,
    pub(crate) has_distribution_point: bool,
    pub(crate) only_user: bool,
    pub(crate) only_ca: bool,
    pub(crate) only_attr: bool,
    pub(crate) indirect: bool,
    pub(crate) reasons: bool,
}

/// A parsed CRL.
#[derive(Debug, Clone)]
pub(crate) struct Crl {
    pub(crate) der: Vec<u8>,
    pub(crate) issuer_der: Vec<u8>,
    pub(crate) issuer_text: String,
    pub(crate) this_update: i64,
    pub(crate) next_update: Option<i64>,
    /// Revoked serials (raw INTEGER contents) with `removeFromCRL` flagged.
    pub(crate) revoked: Vec<(Vec<u8>, bool)>,
    pub(crate) akid: Option<Akid>,
    pub(crate) idp: Option<Idp>,
    pub(crate) delta: bool,
    pub(crate) unhandled_critical: bool,
    pub(crate) sig_alg: Vec<u8>,
    pub(crate) tbs: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

const HANDLED_CRL_EXTS: &[&str] = &[
    "2.5.29.20", // cRLNumber
    "2.5.29.27", // deltaCRLIndicator
    "2.5.29.28", // issuingDistributionPoint
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.46", // freshestCRL
];

fn int_eq(a: &[u8], b: &[u8]) -> bool {
    let strip = |x: &[u8]| -> Vec<u8> {
        let skip = x
            .iter()
            .take_while(|b| **b == 0)
            .count()
            .min(x.len().saturating_sub(1));
        x.get(skip..).unwrap_or_default().to_vec()
    };
    strip(a) == strip(b)
}

impl Crl {
    pub(crate) fn parse(der_bytes: &[u8]) -> Result<Crl, String> {
        let envelope = der::signed(der_bytes).ok_or("not a DER CRL")?;
        let (_, crl) = CertificateRevocationList::from_der(der_bytes).map_err(|e| e.to_string())?;
        let tbs = &crl.tbs_cert_list;
        let mut out = Crl {
            der: der_bytes.to_vec(),
            issuer_der: tbs.issuer.as_raw().to_vec(),
            issuer_text: tbs.issuer.to_string(),
            this_update: tbs.this_update.timestamp(),
            next_update: tbs.next_update.map(|t| t.timestamp()),
            revoked: Vec::new(),
            akid: None,
            idp: None,
            delta: false,
            unhandled_critical: false,
            sig_alg: envelope.algorithm.to_vec(),
            tbs: envelope.tbs.full.to_vec(),
            signature: envelope.signature.to_vec(),
        };
        for rc in crl.iter_revoked_certificates() {
            let remove = rc.reason_code().is_some_and(|(_, code)| code.0 == 8);
            out.revoked.push((rc.raw_serial().to_vec(), remove));
        }
        for ext in tbs.extensions() {
            let oid = ext.oid.to_id_string();
            if ext.critical && !HANDLED_CRL_EXTS.contains(&oid.as_str()) {
                out.unhandled_critical = true;
            }
            if oid == "2.5.29.27" {
                out.delta = true;
            }
            match ext.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    out.akid = Some(Akid {
                        keyid: a.key_identifier.as_ref().map(|k| k.0.to_vec()),
                        issuer_names: Vec::new(),
                        serial: a.authority_cert_serial.map(<[u8]>::to_vec),
                    });
                }
                ParsedExtension::IssuingDistributionPoint(idp) => {
                    let full_names = match &idp.distribution_point {
                        Some(DistributionPointName::FullName(names)) => {
                            names.iter().map(|n| format!("{n:?}")).collect()
                        }
                        _ => Vec::new(),
                    };
                    out.idp = Some(Idp {
                        full_names,
                        has_distribution_point: idp.distribution_point.is_some(),
                        only_user: idp.only_contains_user_certs,
                        only_ca: idp.only_contains_ca_certs,
                        only_attr: idp.only_contains_attribute_certs,
                        indirect: idp.indirect_crl,
                        reasons: idp.only_some_reasons.is_some(),
                    });
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// `ossl_x509_check_crl_time` (3.0 comparisons): the error, if any.
    fn time_error(&self, now: i64) -> Option<Reason> {
        if self.this_update > now {
            return Some(Reason::CrlNotYetValid);
        }
        match self.next_update {
            Some(next) if next <= now => Some(Reason::CrlHasExpired),
            _ => None,
        }
    }

    fn akid_matches(&self, issuer: &Cert) -> bool {
        let Some(akid) = &self.akid else {
            return true;
        };
        if let (Some(k), Some(s)) = (&akid.keyid, &issuer.skid) {
            if k != s {
                return false;
            }
        }
        if let Some(serial) = &akid.serial {
            if !int_eq(serial, &issuer.serial) {
                return false;
            }
        }
        true
    }

    pub(crate) fn lists(&self, serial: &[u8]) -> Option<bool> {
        self.revoked
            .iter()
            .find(|(s, _)| int_eq(s, serial))
            .map(|(_, remove)| *remove)
    }
}

const SCORE_NOCRITICAL: u32 = 0x100;
const SCORE_SCOPE: u32 = 0x080;
const SCORE_TIME: u32 = 0x040;
const SCORE_ISSUER_NAME: u32 = 0x020;
const SCORE_VALID: u32 = SCORE_NOCRITICAL | SCORE_TIME | SCORE_SCOPE;
const SCORE_ISSUER_CERT: u32 = 0x018;
const SCORE_SAME_PATH: u32 = 0x008; // part of ISSUER_CERT; an issuer found on the path
const SCORE_AKID: u32 = 0x004;

/// `get_crl_score`: how suitable `crl` is for `chain[depth]`; also the index of the CRL issuer
/// in the chain.
fn score(crl: &Crl, chain: &[Cert], depth: usize, now: i64) -> (u32, Option<usize>) {
    let Some(x) = chain.get(depth) else {
        return (0, None);
    };
    if crl.delta {
        return (0, None);
    }
    if let Some(idp) = &crl.idp {
        if idp.indirect || idp.reasons {
            return (0, None);
        }
    }
    let mut s = 0;
    if !name::names_equal(&x.issuer_der, &crl.issuer_der) {
        return (0, None);
    }
    s |= SCORE_ISSUER_NAME;
    if !crl.unhandled_critical {
        s |= SCORE_NOCRITICAL;
    }
    if crl.time_error(now).is_none() {
        s |= SCORE_TIME;
    }
    // crl_akid_check
    let last = chain.len().saturating_sub(1);
    let mut cidx = if depth != last { depth + 1 } else { depth };
    let mut issuer_idx = None;
    let matching =
        |c: &Cert| name::names_equal(&c.subject_der, &crl.issuer_der) && crl.akid_matches(c);
    if chain.get(cidx).is_some_and(matching) {
        s |= SCORE_AKID | SCORE_ISSUER_CERT;
        issuer_idx = Some(cidx);
    } else {
        cidx += 1;
        while let Some(c) = chain.get(cidx) {
            if matching(c) {
                s |= SCORE_AKID | SCORE_SAME_PATH;
                issuer_idx = Some(cidx);
                break;
            }
            cidx += 1;
        }
    }
    if s & SCORE_AKID == 0 {
        return (0, None);
    }
    // crl_crldp_check
    let is_ca = x.basic_constraints.is_some_and(|(ca, _)| ca);
    let in_scope = match &crl.idp {
        Some(idp) if idp.only_attr => false,
        Some(idp) if is_ca && idp.only_user => false,
        Some(idp) if !is_ca && idp.only_ca => false,
        idp => {
            let dp_match = x.crl_dps.iter().flatten().any(|dp| {
                !dp.has_crl_issuer
                    && match idp {
                        None => true,
                        Some(i) if !i.has_distribution_point || dp.full_names.is_empty() => true,
                        Some(i) => dp.full_names.iter().any(|n| i.full_names.contains(n)),
                    }
            });
            dp_match || idp.as_ref().is_none_or(|i| !i.has_distribution_point)
        }
    };
    if in_scope {
        s |= SCORE_SCOPE;
    }
    (s, issuer_idx)
}

/// The outcome of checking one certificate against the CRLs.
#[derive(Debug, Clone)]
pub(crate) struct CrlCheck {
    pub(crate) error: Option<Reason>,
    pub(crate) detail: String,
}

/// `check_cert_crl` for `chain[depth]` given every CRL that a lookup by issuer name returned.
pub(crate) fn check_cert(chain: &[Cert], depth: usize, crls: &[Crl], now: i64) -> CrlCheck {
    let Some(x) = chain.get(depth) else {
        return CrlCheck {
            error: None,
            detail: String::new(),
        };
    };
    // OpenSSL 3.0 checks self-signed certificates too (the root against its own CRL); later
    // versions skip them.
    let mut best: Option<(&Crl, u32, Option<usize>)> = None;
    for crl in crls {
        let (s, issuer) = score(crl, chain, depth, now);
        if s == 0 {
            continue;
        }
        match best {
            Some((b, bs, _)) if s < bs || (s == bs && crl.this_update <= b.this_update) => {}
            _ => best = Some((crl, s, issuer)),
        }
    }
    let fail = |reason: Reason, detail: String| CrlCheck {
        error: Some(reason),
        detail,
    };
    let Some((crl, s, issuer_idx)) = best else {
        return fail(
            Reason::UnableToGetCrl,
            format!(
                "depth {depth}: no CRL from \"{}\" is loaded (CRL checking covers the whole chain)",
                x.issuer_text
            ),
        );
    };
    // check_crl
    let Some(issuer) = issuer_idx.and_then(|i| chain.get(i)) else {
        return fail(
            Reason::UnableToGetCrlIssuer,
            format!("depth {depth}: CRL issuer not in chain"),
        );
    };
    if issuer.key_usage.is_some_and(|ku| ku & KU_CRL_SIGN == 0) {
        return fail(
            Reason::KeyUsageNoCrlSign,
            format!(
                "depth {depth}: CRL issuer \"{}\" lacks cRLSign",
                issuer.subject_text
            ),
        );
    }
    if s & SCORE_SCOPE == 0 {
        return fail(
            Reason::DifferentCrlScope,
            format!("depth {depth}: CRL scope does not cover the certificate"),
        );
    }
    if let Some(reason) = crl.time_error(now) {
        return fail(
            reason,
            format!(
                "depth {depth}: CRL from \"{}\" thisUpdate {} nextUpdate {} vs now {}",
                crl.issuer_text,
                super::rfc3339(crl.this_update),
                crl.next_update
                    .map(super::rfc3339)
                    .unwrap_or_else(|| "(none)".into()),
                super::rfc3339(now)
            ),
        );
    }
    if let Err(e) =
        super::cert::verify_signed_data(&issuer.spki_der, &crl.sig_alg, &crl.tbs, &crl.signature)
    {
        return fail(
            Reason::CrlSignatureFailure,
            format!("depth {depth}: CRL from \"{}\": {e}", crl.issuer_text),
        );
    }
    // cert_crl
    if crl.unhandled_critical {
        return fail(
            Reason::UnhandledCriticalCrlExtension,
            format!("depth {depth}: CRL has an unhandled critical extension"),
        );
    }
    match crl.lists(&x.serial) {
        Some(false) => fail(
            Reason::CertRevoked,
            format!(
                "depth {depth}: serial {} is listed in the CRL from \"{}\"",
                hex(&x.serial),
                crl.issuer_text
            ),
        ),
        _ => CrlCheck {
            error: None,
            detail: format!(
                "depth {depth}: not revoked (CRL from \"{}\"{})",
                crl.issuer_text,
                if s >= SCORE_VALID {
                    ""
                } else {
                    ", not fully valid"
                }
            ),
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
