//! From attempts to a diagnosis: the per-attempt checks (computed whether or not the sslmode
//! requires them), the verdict with libpq's accumulated message, findings and remediation.

use pgtls_conninfo::{Policy, RootCert, SslMode};

use crate::auth::SecretSent;
use crate::diagnosis::{Attempt, Check, CheckResult, Diagnosis, Verdict};
use crate::engine::{check, pin_report, Ctx};
use crate::failure::FailureKind;
use crate::gate::{AcceptedTransport, HostnameCheck, PinCheck};
use crate::trust::Roots;
use crate::verify::{ChainReport, CheckName, Status};

/// The checks of one TLS attempt: the verification module's report (every check, required or
/// not), the post-handshake host-name check, and the pin.
pub(crate) fn checks(
    policy: &Policy,
    roots: &Roots,
    report: Option<&ChainReport>,
    hostname: &HostnameCheck,
    pin: Option<&PinCheck>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let Some(report) = report else {
        out.push(check(
            "chain",
            CheckResult::Skipped,
            roots.enforce,
            "the server presented no certificate",
        ));
        return out;
    };
    for c in &report.checks {
        let name = serde_json::to_value(c.name)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if c.name == CheckName::Hostname {
            continue;
        }
        let result = match c.status {
            Status::Pass => CheckResult::Pass,
            Status::Fail => CheckResult::Fail,
            Status::Skipped => CheckResult::Skipped,
        };
        let required = match c.name {
            CheckName::Revocation => roots.enforce && report.crl.enabled,
            _ => roots.enforce,
        };
        let mut reason = c.detail.clone();
        if let Some(r) = c.reason {
            reason = format!("{} ({reason})", r.openssl_text());
        }
        if !roots.enforce && c.name == CheckName::Chain {
            reason = format!(
                "{reason}; not enforced: {} (sslmode={})",
                roots.source, policy.mode
            );
        }
        out.push(check(&name, result, required, reason));
    }
    let (result, reason) = match hostname {
        HostnameCheck::Passed => (
            CheckResult::Pass,
            report
                .hostname
                .as_ref()
                .map(|h| {
                    format!(
                        "\"{}\" matches {}",
                        h.host,
                        h.matched.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| "host matches".into()),
        ),
        HostnameCheck::Failed(m) => (CheckResult::Fail, m.clone()),
        HostnameCheck::NotRequired => (CheckResult::Skipped, "not evaluated".into()),
    };
    out.push(check("hostname", result, policy.verify_hostname, reason));
    if let Some(p) = pin {
        out.push(match p {
            PinCheck::Matched => check(
                "fingerprint",
                CheckResult::Pass,
                true,
                "pinned SHA-256 fingerprint found in the chain",
            ),
            PinCheck::Mismatched(m) => check("fingerprint", CheckResult::Fail, true, m.clone()),
            PinCheck::NotRequested => check("fingerprint", CheckResult::Skipped, false, "no pin"),
        });
    }
    out
}

fn root_file_hint(ctx: &Ctx<'_>) -> String {
    match &ctx.settings.sslrootcert {
        RootCert::File(p) => p.display().to_string(),
        RootCert::System => "system".into(),
        RootCert::NoHomeDirectory => "/path/to/root.crt".into(),
    }
}

/// The whole diagnosis.
pub(crate) fn build(
    ctx: &Ctx<'_>,
    attempts: Vec<Attempt>,
    errors: Vec<String>,
    outcome: Option<AcceptedTransport>,
) -> Diagnosis {
    let settings = ctx.settings;
    let verdict = if outcome.is_some() {
        Verdict::Accepted
    } else {
        Verdict::Rejected
    };
    let deciding = attempts
        .iter()
        .rev()
        .find(|a| !a.chain.is_empty() || a.tls.is_some());
    let chain = deciding.map(|a| a.chain.clone()).unwrap_or_default();
    let tls = deciding.and_then(|a| a.tls.clone());
    let checks = deciding.map(|a| a.checks.clone()).unwrap_or_default();
    let secrets_sent: Vec<(SecretSent, AcceptedTransport)> = attempts
        .iter()
        .flat_map(|a| a.conversation.auth.secrets_sent.iter().copied())
        .collect();
    let local_error = verdict == Verdict::Rejected
        && attempts
            .last()
            .and_then(|a| a.error.as_ref())
            .is_some_and(|f| f.is_local());
    let mut findings = Vec::new();
    let mut remediation = Vec::new();
    let mode = settings.sslmode;
    let root = root_file_hint(ctx);
    let host = settings
        .hosts
        .first()
        .and_then(|h| h.host.clone())
        .unwrap_or_else(|| "<server name>".into());

    // What happened to the transport.
    match outcome {
        Some(AcceptedTransport::Plaintext) => {
            findings.push("the connection is NOT encrypted: queries, results and any password cross the network in the clear".into());
            if attempts.iter().any(|a| {
                a.conversation
                    .negotiation
                    .as_ref()
                    .is_some_and(|n| n.answer == "N")
            }) {
                findings.push(format!(
                    "the server answered N to SSLRequest and sslmode={mode} continued without TLS: a man in the middle can do the same and would be accepted"
                ));
                remediation.push(
                    "enable TLS on the server (ssl=on with ssl_cert_file/ssl_key_file)".into(),
                );
            }
            if attempts
                .iter()
                .any(|a| a.error.is_some() && a.start != crate::machine::Start::Plaintext)
            {
                findings.push(format!("TLS failed and sslmode={mode} fell back to plaintext: a man in the middle can force this"));
            }
            remediation.push(format!("connect with sslmode=verify-full sslrootcert={root} so that libpq refuses unencrypted or unverified servers"));
        }
        Some(AcceptedTransport::Tls) => {
            let verified = checks
                .iter()
                .any(|c| c.name == "chain" && c.required && c.result == CheckResult::Pass);
            let name_ok = checks
                .iter()
                .any(|c| c.name == "hostname" && c.result == CheckResult::Pass);
            if !verified {
                findings.push(format!(
                    "the server certificate was NOT verified (sslmode={mode} without a root certificate file): a man in the middle would be accepted"
                ));
                remediation.push(format!("connect with sslmode=verify-full sslrootcert={root} (the CA that issued the server certificate)"));
            } else if !ctx.policy.verify_hostname {
                findings.push(format!(
                    "the chain was verified but the host name is not checked in sslmode={mode}: any certificate from the same CA would be accepted"
                ));
                remediation.push(format!(
                    "connect with sslmode=verify-full sslrootcert={root}"
                ));
            }
            if let Some(c) = checks
                .iter()
                .find(|c| c.name == "hostname" && c.result == CheckResult::Fail)
            {
                if !ctx.policy.verify_hostname {
                    findings.push(format!(
                        "this server's certificate would fail verify-full: {}",
                        c.reason
                    ));
                    if let Some(name) = chain
                        .first()
                        .and_then(|l| l.san_dns.first().or(l.subject_cns.first()))
                    {
                        remediation.push(format!("connect with host={name} (a name the certificate holds), or reissue the server certificate with a subjectAltName for {host}"));
                    }
                }
            } else if name_ok && !verified {
                findings.push("the certificate's names match the host, but without chain verification that proves nothing".into());
            }
            if let Some(c) = checks
                .iter()
                .find(|c| c.name == "validity" && c.result == CheckResult::Fail)
            {
                findings.push(format!(
                    "a presented certificate is outside its validity period: {}",
                    c.reason
                ));
            }
        }
        None => {}
    }

    // Why it failed.
    if verdict == Verdict::Rejected {
        if let Some(f) = attempts.last().and_then(|a| a.error.as_ref()) {
            let m = f.message.as_str();
            match f.kind {
                FailureKind::LocalFile
                    if m.starts_with("root certificate file")
                        || m.starts_with("could not get home directory") =>
                {
                    remediation.push(format!("create {root} holding the CA certificate that issued the server's certificate, or pass sslrootcert=<file>"));
                }
                FailureKind::LocalFile if m.contains("private key file") => {
                    remediation.push("fix the client key: chmod 0600 the file named by sslkey (owned by you), and make sure it matches sslcert".into());
                }
                FailureKind::Negotiation if m.starts_with("server does not support SSL") => {
                    findings.push("the server (or something in front of it) refused TLS".into());
                    remediation.push("enable TLS on the server (ssl=on) or check for a proxy that strips it; never downgrade to sslmode=prefer/allow to \"fix\" this".into());
                }
                FailureKind::Handshake if m.contains("certificate verify failed") => {
                    if let Some(leaf) = chain.first() {
                        if chain.len() == 1 && !leaf.self_issued {
                            findings.push(format!("the server sends no intermediate: its certificate is issued by \"{}\" and nothing else is presented", leaf.issuer));
                            remediation.push(format!("append the intermediate CA to the server's ssl_cert_file, or add it together with the root to sslrootcert={root}"));
                        } else if leaf.self_signed {
                            remediation.push(format!("the server certificate is self-signed: put it (or better, a CA that issues it) in sslrootcert={root}"));
                        } else {
                            remediation.push(format!(
                                "put the root CA that issued \"{}\" in sslrootcert={root}",
                                chain.last().map(|c| c.issuer.as_str()).unwrap_or("")
                            ));
                        }
                    }
                }
                FailureKind::HostName => {
                    if let Some(name) = chain
                        .first()
                        .and_then(|l| l.san_dns.first().or(l.subject_cns.first()))
                    {
                        remediation.push(format!("connect with host={name} (a name the certificate holds; hostaddr=<ip> may carry the address), or reissue the server certificate with a subjectAltName for {host}"));
                    }
                }
                FailureKind::ServerAuthError
                    if m.contains("no pg_hba.conf entry") && m.ends_with("no encryption") =>
                {
                    remediation.push("the server accepts this user/database only over TLS (hostssl): use sslmode=verify-full (or at least require)".into());
                }
                FailureKind::ServerAuthError
                    if m.contains("no pg_hba.conf entry") && m.ends_with("SSL encryption") =>
                {
                    remediation.push("the server accepts this user/database only without TLS (hostnossl): change pg_hba.conf to hostssl".into());
                }
                FailureKind::ClientAuth if m.contains("channel binding") => {
                    remediation.push("the server must offer SCRAM-SHA-256-PLUS over TLS (password_encryption=scram-sha-256 and a SCRAM verifier for the role); trust/md5/password methods cannot be channel-bound".into());
                }
                FailureKind::Pin => {
                    findings.push("the presented chain does not contain the pinned certificate: this may be a man in the middle".into());
                }
                _ => {}
            }
        }
    }

    for (what, over) in &secrets_sent {
        match (what, over) {
            (SecretSent::CleartextPassword, AcceptedTransport::Plaintext) => findings.push("the password was sent in cleartext over an unencrypted connection".into()),
            (SecretSent::CleartextPassword, AcceptedTransport::Tls) => findings.push("the server asked for the cleartext password (method password): whoever terminates TLS learns it".into()),
            (SecretSent::Md5Hash, _) => findings.push("the server uses md5: the hash sent is replayable against this server; set password_encryption=scram-sha-256 and re-set the password".into()),
            (SecretSent::ScramProof, _) => {}
        }
    }
    if let Some(a) = attempts
        .iter()
        .rev()
        .find(|a| a.conversation.auth.scram_plus_offered.is_some())
    {
        let auth = &a.conversation.auth;
        if auth.channel_bound {
            findings.push("SCRAM-SHA-256-PLUS with channel binding was used: a TLS-terminating man in the middle could not complete authentication".into());
        } else if a.transport == Some(AcceptedTransport::Tls)
            && auth.scram_plus_offered == Some(false)
        {
            findings.push("the server did not offer SCRAM-SHA-256-PLUS over TLS: channel_binding=require would fail".into());
        }
    }
    if mode == SslMode::Require
        && outcome == Some(AcceptedTransport::Tls)
        && !remediation.iter().any(|r| r.contains("verify-full"))
    {
        remediation.push(format!(
            "connect with sslmode=verify-full sslrootcert={root}"
        ));
    }
    remediation.dedup();
    Diagnosis {
        verdict,
        transport: outcome,
        message: if verdict == Verdict::Rejected {
            Some(errors.join("\n"))
        } else {
            None
        },
        conninfo: settings.redacted(),
        sslmode: mode.as_str().to_owned(),
        pin: ctx.pin.as_ref().map(|p| pin_report(p, &attempts)),
        attempts,
        chain,
        tls,
        checks,
        secrets_sent,
        warnings: ctx.warnings.lock().map(|w| w.clone()).unwrap_or_default(),
        findings,
        remediation,
        local_error,
    }
}
