//! Chain verification modelled on OpenSSL 3.0's `X509_verify_cert` with the settings libpq uses
//! (purpose `ssl_server`, trusted-first, no PARTIAL_CHAIN, CRL_CHECK|CRL_CHECK_ALL when CRLs were
//! loaded), computing every check even after the first failure.
//!
//! OpenSSL's order, which decides the single reason it reports:
//! 1. `build_chain`: from the leaf, look for each issuer in the trust store first, else among the
//!    certificates the server sent (any order); once a store certificate joins, only the store is
//!    searched. The chain is trusted only when it reaches a *self-signed* store certificate (a
//!    store holding only an intermediate does not anchor anything). Failures: `self-signed
//!    certificate` (alone), `self-signed certificate in certificate chain`, `unable to get issuer
//!    certificate` (the top is a non-self-signed store certificate), `unable to get local issuer
//!    certificate`.
//! 2. `check_extensions`, per certificate from the leaf up: unhandled critical extension, CA-ness
//!    (intermediates need basicConstraints cA; the top may also be a v1 root or a keyCertSign-only
//!    certificate), purpose (EKU must allow serverAuth on every certificate, the leaf's keyUsage
//!    must allow a TLS use), path length.
//! 3. `check_revocation` for every certificate.
//! 4. `internal_verify`, from the top down: the issuer's keyUsage must allow keyCertSign, the
//!    signature must verify, and every certificate (the anchor too) must be within its validity
//!    period.

use rustls_pki_types::{CertificateDer, UnixTime};

use super::cert::{Cert, KU_KEY_CERT_SIGN};
use super::report::{ChainCert, ChainReport, Check, CheckName, Reason, Status, VERIFY_FAILED};
use super::trust::{CertSource, TrustStore};
use super::{crl, hostname, rfc3339, webpki_opinion};

/// What [`evaluate`] needs besides the certificates.
#[derive(Debug, Clone)]
pub struct EvalInputs {
    /// The verification time (injected; never read from the clock here).
    pub now: UnixTime,
    /// libpq's `host` for this connection slot, for the host-name check; `None` skips it
    /// (libpq never uses `hostaddr`).
    pub host: Option<String>,
}

/// OpenSSL's default verify depth (100) plus one, as `build_chain` bounds the chain.
const MAX_CHAIN: usize = 101;

struct Built {
    chain: Vec<(Cert, CertSource)>,
    num_untrusted: usize,
    trusted: bool,
    error: Option<(Reason, usize)>,
    used_server: usize,
}

/// OpenSSL's `build_chain` (trusted-first; alternate chains never apply with trusted-first).
fn build_chain(leaf: Cert, sent: &[Cert], store: &TrustStore, now: i64) -> Built {
    let mut chain: Vec<(Cert, CertSource)> = vec![(leaf, CertSource::Server)];
    let mut num_untrusted = 1usize;
    let mut pool: Vec<&Cert> = sent.iter().collect();
    let mut search_untrusted = true;
    let mut trusted = false;
    let mut used_server = 0usize;
    // Every round adds a certificate or ends the search; the bound is belt and braces.
    for _ in 0..(2 * MAX_CHAIN + 4) {
        let num = chain.len();
        let Some(curr) = chain.last().map(|(c, _)| c.clone()) else {
            break;
        };
        // Look in the trust store first.
        let found = if num > MAX_CHAIN {
            None
        } else {
            trusted_issuer(&curr, store, now)
        };
        if let Some((issuer, source)) = found {
            let mut self_signed = curr.self_signed;
            let mut ok = true;
            if !self_signed {
                self_signed = issuer.self_signed;
                chain.push((issuer, source));
            } else if curr.der != issuer.der {
                // A self-signed mimic of a store certificate.
                ok = false;
            } else {
                // The server's self-signed certificate is in the store: use the trusted copy.
                num_untrusted -= 1;
                if let Some(last) = chain.last_mut() {
                    *last = (issuer, source);
                }
            }
            if ok {
                search_untrusted = false;
                // check_trust: only a self-signed store certificate is a trust anchor.
                if chain.last().is_some_and(|(c, _)| c.self_signed) {
                    trusted = true;
                    break;
                }
                if !self_signed {
                    continue;
                }
            }
        }
        if !search_untrusted {
            break;
        }
        // Then among the certificates the server sent, in any order.
        let issuer_pos = if curr.self_signed || num > MAX_CHAIN {
            None
        } else {
            best_issuer(&curr, &pool, &chain, now)
        };
        match issuer_pos {
            None => search_untrusted = false,
            Some(pos) => {
                let issuer = pool.remove(pos).clone();
                chain.push((issuer, CertSource::Server));
                num_untrusted += 1;
                used_server += 1;
            }
        }
    }
    let num = chain.len();
    let error = if trusted {
        None
    } else if num > MAX_CHAIN {
        Some((Reason::CertChainTooLong, num - 1))
    } else {
        let top_ss = chain.last().is_some_and(|(c, _)| c.self_signed);
        let reason = if top_ss {
            if num == 1 {
                Reason::DepthZeroSelfSignedCert
            } else {
                Reason::SelfSignedCertInChain
            }
        } else if num_untrusted < num {
            Reason::UnableToGetIssuerCert
        } else {
            Reason::UnableToGetIssuerCertLocally
        };
        Some((reason, num - 1))
    };
    Built {
        chain,
        num_untrusted,
        trusted,
        error,
        used_server,
    }
}

/// `X509_STORE_CTX_get1_issuer`: a store certificate that likely issued `x`, preferring one
/// that is currently valid, else the one expiring last.
fn trusted_issuer(x: &Cert, store: &TrustStore, now: i64) -> Option<(Cert, CertSource)> {
    let candidates: Vec<(Cert, CertSource)> = store
        .lookup_certs(&x.issuer_der)
        .into_iter()
        .filter(|(c, _)| x.likely_issued_by(c))
        .collect();
    pick_best(candidates, |(c, _)| c, now)
}

/// `get0_best_issuer_sk` over the server's certificates (no duplicates of the chain).
fn best_issuer(x: &Cert, pool: &[&Cert], chain: &[(Cert, CertSource)], now: i64) -> Option<usize> {
    let candidates: Vec<(usize, &Cert)> = pool
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let dup =
                !(x.self_issued && chain.len() == 1) && chain.iter().any(|(o, _)| o.der == c.der);
            !dup && x.likely_issued_by(c)
        })
        .map(|(i, c)| (i, *c))
        .collect();
    pick_best(candidates, |(_, c)| c, now).map(|(i, _)| i)
}

fn pick_best<T>(candidates: Vec<T>, cert: impl Fn(&T) -> &Cert, now: i64) -> Option<T> {
    let mut best: Option<T> = None;
    for cand in candidates {
        if cert(&cand).time_error(now).is_none() {
            return Some(cand);
        }
        let better = match &best {
            None => true,
            Some(b) => cert(&cand).not_after > cert(b).not_after,
        };
        if better {
            best = Some(cand);
        }
    }
    best
}

struct Finding {
    reason: Reason,
    depth: usize,
    detail: String,
}

fn check_from(name: CheckName, findings: &[Finding], pass_detail: String) -> Check {
    match findings.first() {
        None => Check {
            name,
            status: Status::Pass,
            reason: None,
            depth: None,
            detail: pass_detail,
        },
        Some(first) => Check {
            name,
            status: Status::Fail,
            reason: Some(first.reason),
            depth: Some(first.depth),
            detail: findings
                .iter()
                .map(|f| f.detail.clone())
                .collect::<Vec<_>>()
                .join("; "),
        },
    }
}

fn skipped(name: CheckName, detail: impl Into<String>) -> Check {
    Check {
        name,
        status: Status::Skipped,
        reason: None,
        depth: None,
        detail: detail.into(),
    }
}

fn hostname_check(
    leaf_der: &[u8],
    host: Option<&str>,
) -> (Check, Option<hostname::HostnameOutcome>) {
    let Some(host) = host else {
        return (
            skipped(
                CheckName::Hostname,
                "no host given (libpq compares `host`, never `hostaddr`)",
            ),
            None,
        );
    };
    let outcome = hostname::check_hostname(leaf_der, host);
    let presented = if outcome.presented.is_empty() {
        "no names".to_owned()
    } else {
        outcome
            .presented
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let check = match (&outcome.error, &outcome.matched) {
        (None, matched) => Check {
            name: CheckName::Hostname,
            status: Status::Pass,
            reason: None,
            depth: None,
            detail: format!(
                "host \"{host}\" matches \"{}\" (names examined: {presented})",
                matched.as_deref().unwrap_or_default()
            ),
        },
        (Some(e), _) => Check {
            name: CheckName::Hostname,
            status: Status::Fail,
            reason: Some(Reason::HostnameMismatch),
            depth: Some(0),
            detail: format!("{e} (expected \"{host}\"; names examined: {presented})"),
        },
    };
    (check, Some(outcome))
}

fn chain_cert(depth: usize, cert: &Cert, source: CertSource) -> ChainCert {
    ChainCert {
        depth,
        source,
        subject: cert.subject_text.clone(),
        issuer: cert.issuer_text.clone(),
        not_before: rfc3339(cert.not_before),
        not_after: rfc3339(cert.not_after),
        self_signed: cert.self_signed,
        sha256: cert.sha256(),
        details: pgtls_pki::details::CertDetails::from_der(cert.der.as_ref()).ok(),
    }
}

/// Evaluates a server chain as libpq's OpenSSL would, computing every check.
///
/// `end_entity` is the server's certificate, `intermediates` the rest of what it sent (any order,
/// duplicates and strays allowed). The host-name check runs when `inputs.host` is set; it never
/// affects [`ChainReport::verified`] (libpq checks the name after the handshake).
pub fn evaluate(
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    store: &TrustStore,
    inputs: &EvalInputs,
) -> ChainReport {
    let now = i64::try_from(inputs.now.as_secs()).unwrap_or(i64::MAX);
    let (host_check, host_outcome) = hostname_check(end_entity.as_ref(), inputs.host.as_deref());
    let webpki = webpki_opinion::opinion(end_entity, intermediates, store, inputs.now);
    let mut report = ChainReport {
        verified: false,
        message: Some(VERIFY_FAILED.to_owned()),
        reason: None,
        error_depth: None,
        checks: Vec::new(),
        chain: Vec::new(),
        unused_server_certs: intermediates.len(),
        trust_source: store.source().clone(),
        crl: store.crl_status().clone(),
        now: rfc3339(now),
        hostname: host_outcome,
        webpki,
    };
    let leaf = match Cert::parse(end_entity.as_ref()) {
        Ok(c) => c,
        Err(e) => {
            report.reason = Some(Reason::BadCertificateEncoding);
            report.error_depth = Some(0);
            report.checks = vec![
                Check {
                    name: CheckName::Chain,
                    status: Status::Fail,
                    reason: Some(Reason::BadCertificateEncoding),
                    depth: Some(0),
                    detail: format!("server certificate could not be parsed: {e}"),
                },
                skipped(CheckName::Validity, "certificate not parsed"),
                skipped(CheckName::Purpose, "certificate not parsed"),
                skipped(CheckName::Ca, "certificate not parsed"),
                skipped(CheckName::Revocation, "certificate not parsed"),
                host_check,
            ];
            return report;
        }
    };
    let sent: Vec<Cert> = intermediates
        .iter()
        .filter_map(|c| Cert::parse(c.as_ref()).ok())
        .collect();
    let built = build_chain(leaf, &sent, store, now);
    let certs: Vec<Cert> = built.chain.iter().map(|(c, _)| c.clone()).collect();
    let num = certs.len();
    report.unused_server_certs = intermediates.len().saturating_sub(built.used_server);
    report.chain = built
        .chain
        .iter()
        .enumerate()
        .map(|(i, (c, s))| chain_cert(i, c, *s))
        .collect();

    // 1. chain (build result), plus signatures from internal_verify.
    let mut chain_findings: Vec<Finding> = Vec::new();
    if let Some((reason, depth)) = built.error {
        let top = certs.last();
        chain_findings.push(Finding {
            reason,
            depth,
            detail: format!(
                "{reason} at depth {depth}: chain ends at \"{}\" (issuer \"{}\"), {} from the server, {} from the trust store",
                top.map(|c| c.subject_text.as_str()).unwrap_or_default(),
                top.map(|c| c.issuer_text.as_str()).unwrap_or_default(),
                built.num_untrusted,
                num - built.num_untrusted
            ),
        });
    }

    // 2. check_extensions.
    let mut ext_order: Vec<Finding> = Vec::new();
    let mut ca_findings: Vec<Finding> = Vec::new();
    let mut purpose_findings: Vec<Finding> = Vec::new();
    let mut plen: u32 = 0;
    for (i, x) in certs.iter().enumerate() {
        if let Some(oid) = x.unhandled_critical.first() {
            let f = Finding {
                reason: Reason::UnhandledCriticalExtension,
                depth: i,
                detail: format!("depth {i}: unhandled critical extension {oid}"),
            };
            chain_findings.push(Finding {
                detail: f.detail.clone(),
                ..f
            });
            ext_order.push(Finding {
                detail: String::new(),
                ..f
            });
        }
        if i > 0 {
            let ret = x.check_ca();
            if ret == 0 || (i + 1 < num && ret != 1) {
                let f = Finding {
                    reason: Reason::InvalidCa,
                    depth: i,
                    detail: format!(
                        "depth {i}: \"{}\" is not a CA (basicConstraints {})",
                        x.subject_text,
                        match x.basic_constraints {
                            Some((true, _)) => "CA:TRUE but keyUsage lacks keyCertSign",
                            Some((false, _)) => "CA:FALSE",
                            None => "absent",
                        }
                    ),
                };
                ext_order.push(Finding {
                    detail: String::new(),
                    ..f
                });
                ca_findings.push(f);
            }
        }
        if !x.purpose_ok(i > 0) {
            let ekus = x
                .eku
                .as_ref()
                .map(|(_, names)| names.join(","))
                .unwrap_or_else(|| "(none)".into());
            let f = Finding {
                reason: Reason::InvalidPurpose,
                depth: i,
                detail: format!(
                    "depth {i}: \"{}\" is not valid for serverAuth (extendedKeyUsage {ekus}{})",
                    x.subject_text,
                    if i == 0 && x.eku.as_ref().is_none_or(|(s, _)| *s) {
                        ", keyUsage allows no TLS use"
                    } else {
                        ""
                    }
                ),
            };
            ext_order.push(Finding {
                detail: String::new(),
                ..f
            });
            purpose_findings.push(f);
        }
        if i > 1 {
            if let Some((_, Some(limit))) = x.basic_constraints {
                if plen > limit {
                    let f = Finding {
                        reason: Reason::PathLengthExceeded,
                        depth: i,
                        detail: format!(
                            "depth {i}: pathLenConstraint {limit} but {plen} CA(s) below it"
                        ),
                    };
                    ext_order.push(Finding {
                        detail: String::new(),
                        ..f
                    });
                    ca_findings.push(f);
                }
            }
        }
        if i > 0 && !x.self_issued {
            plen += 1;
        }
    }

    // 3. revocation.
    let mut revocation_findings: Vec<Finding> = Vec::new();
    let mut revocation_notes: Vec<String> = Vec::new();
    let crl_enabled = store.crl_status().enabled;
    if crl_enabled {
        for i in 0..num {
            let Some(x) = certs.get(i) else { break };
            let crls = store.lookup_crls(&x.issuer_der);
            let outcome = crl::check_cert(&certs, i, &crls, now);
            match outcome.error {
                Some(reason) => revocation_findings.push(Finding {
                    reason,
                    depth: i,
                    detail: outcome.detail,
                }),
                None => revocation_notes.push(outcome.detail),
            }
        }
    }

    // 4. internal_verify: top-down signatures and validity.
    let mut signature_order: Vec<Finding> = Vec::new();
    let mut validity_findings: Vec<Finding> = Vec::new();
    let mut validity_notes: Vec<String> = Vec::new();
    if let Some(top) = certs.last() {
        let mut n = num - 1;
        let mut issuer_idx = n;
        // A top that is not self-issued is only an issuer (OpenSSL then has no signature to
        // check for the top itself; with an untrusted chain OpenSSL never gets here).
        if !top.likely_issued_by(top) && n > 0 {
            n -= 1;
            // Reported for the diagnosis only: such a chain is untrusted before this step.
            if let Some(reason) = top.time_error(now) {
                validity_findings.push(Finding {
                    reason,
                    depth: num - 1,
                    detail: format!(
                        "depth {}: \"{}\" {reason} (notBefore {}, notAfter {}, now {})",
                        num - 1,
                        top.subject_text,
                        rfc3339(top.not_before),
                        rfc3339(top.not_after),
                        rfc3339(now)
                    ),
                });
            }
        }
        while let (Some(xs), Some(xi)) = (certs.get(n), certs.get(issuer_idx)) {
            if n != issuer_idx {
                if xi.key_usage.is_some_and(|ku| ku & KU_KEY_CERT_SIGN == 0) {
                    signature_order.push(Finding {
                        reason: Reason::KeyUsageNoCertSign,
                        depth: issuer_idx,
                        detail: format!(
                            "depth {issuer_idx}: \"{}\" keyUsage lacks keyCertSign",
                            xi.subject_text
                        ),
                    });
                }
                if let Err(e) = xs.signed_by(xi) {
                    signature_order.push(Finding {
                        reason: if e.starts_with("unable to decode") {
                            Reason::UnableToDecodeIssuerPublicKey
                        } else {
                            Reason::CertSignatureFailure
                        },
                        depth: n,
                        detail: format!(
                            "depth {n}: signature of \"{}\" by \"{}\": {e}",
                            xs.subject_text, xi.subject_text
                        ),
                    });
                }
            }
            match xs.time_error(now) {
                Some(reason) => {
                    let f = Finding {
                        reason,
                        depth: n,
                        detail: format!(
                            "depth {n}: \"{}\" {} (notBefore {}, notAfter {}, now {})",
                            xs.subject_text,
                            if reason == Reason::CertHasExpired {
                                "has expired"
                            } else {
                                "is not yet valid"
                            },
                            rfc3339(xs.not_before),
                            rfc3339(xs.not_after),
                            rfc3339(now)
                        ),
                    };
                    signature_order.push(Finding {
                        detail: String::new(),
                        ..f
                    });
                    validity_findings.push(f);
                }
                None => {
                    validity_notes.push(format!("depth {n}: valid until {}", rfc3339(xs.not_after)))
                }
            }
            if n == 0 {
                break;
            }
            issuer_idx = n;
            n -= 1;
        }
    }
    // Signature problems belong to the chain check.
    for f in &signature_order {
        if !matches!(f.reason, Reason::CertHasExpired | Reason::CertNotYetValid) {
            chain_findings.push(Finding {
                reason: f.reason,
                depth: f.depth,
                detail: f.detail.clone(),
            });
        }
    }
    // Validity findings listed leaf first for humans; the primary one is OpenSSL's (top-down).
    validity_findings.sort_by_key(|f| f.depth);

    // The reason OpenSSL reports: the first error in its order.
    let primary = built
        .error
        .or_else(|| ext_order.first().map(|f| (f.reason, f.depth)))
        .or_else(|| revocation_findings.first().map(|f| (f.reason, f.depth)))
        .or_else(|| signature_order.first().map(|f| (f.reason, f.depth)));

    let chain_pass = format!(
        "trusted: chain of {num} reaches self-signed \"{}\" from the {}",
        certs
            .last()
            .map(|c| c.subject_text.as_str())
            .unwrap_or_default(),
        match built.chain.last().map(|(_, s)| *s) {
            Some(CertSource::SystemFile | CertSource::HashedDir) => "system/hashed store",
            Some(CertSource::CrlFile) => "sslcrl file",
            _ => "root file",
        }
    );
    let mut validity_check = check_from(
        CheckName::Validity,
        &validity_findings,
        validity_notes.join("; "),
    );
    if let Some(first_top_down) = signature_order
        .iter()
        .find(|f| matches!(f.reason, Reason::CertHasExpired | Reason::CertNotYetValid))
    {
        validity_check.reason = Some(first_top_down.reason);
        validity_check.depth = Some(first_top_down.depth);
    }
    let revocation_check = if crl_enabled {
        check_from(
            CheckName::Revocation,
            &revocation_findings,
            revocation_notes.join("; "),
        )
    } else {
        skipped(CheckName::Revocation, store.crl_status().note.clone())
    };
    report.checks = vec![
        check_from(CheckName::Chain, &chain_findings, chain_pass),
        validity_check,
        check_from(
            CheckName::Purpose,
            &purpose_findings,
            "every certificate allows serverAuth".into(),
        ),
        check_from(
            CheckName::Ca,
            &ca_findings,
            "every issuing certificate is a CA".into(),
        ),
        revocation_check,
        host_check,
    ];
    report.verified = built.trusted && primary.is_none();
    if report.verified {
        report.message = None;
    } else {
        let (reason, depth) = primary.unwrap_or((Reason::Unspecified, 0));
        report.reason = Some(reason);
        report.error_depth = Some(depth);
    }
    report
}
