//! The diagnosis: what happened on each attempt, every check's result, the verdict with libpq's
//! text, and what to change. Data first (serde `Serialize`); [`Diagnosis::render_human`] is one
//! view of it.

use std::fmt::Write as _;

use pgtls_pki::details::CertDetails;
use serde::Serialize;

use crate::auth::SecretSent;
use crate::failure::{Failure, NextMove};
use crate::gate::AcceptedTransport;
use crate::machine::{ConvRecord, Start};
use crate::tls::TlsInfo;

/// libpq's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// libpq would connect.
    Accepted,
    /// libpq would not connect.
    Rejected,
}

/// Result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckResult {
    /// The check passed.
    Pass,
    /// The check failed.
    Fail,
    /// The check could not be made (e.g. no certificate).
    Skipped,
}

/// One certificate check, computed whether or not the sslmode requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `chain`, `validity`, `purpose`, `ca-constraints`, `revocation`, `hostname`, `fingerprint`.
    pub name: String,
    /// The outcome.
    pub result: CheckResult,
    /// Whether libpq enforces it with these settings.
    pub required: bool,
    /// Why, in words (names presented vs expected, dates, issuer...).
    pub reason: String,
}

/// Milliseconds spent in each phase of one attempt.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Name resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolve_ms: Option<f64>,
    /// TCP (or Unix socket) connect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_ms: Option<f64>,
    /// SSLRequest to answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_negotiation_ms: Option<f64>,
    /// Local TLS setup plus handshake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_ms: Option<f64>,
    /// StartupMessage to ReadyForQuery (or failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_auth_ms: Option<f64>,
    /// The whole attempt.
    pub total_ms: f64,
}

/// One connection attempt (one TCP connection, or a failed resolution).
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The `host` entry (or hostaddr, or socket path) as libpq displays it.
    pub host: String,
    /// The address connected to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    /// The port.
    pub port: u16,
    /// How the connection started.
    pub start: Start,
    /// The transport the StartupMessage went over, if it was sent.
    pub transport: Option<AcceptedTransport>,
    /// SSLRequest exchange, startup and authentication.
    #[serde(flatten)]
    pub conversation: ConvRecord,
    /// The TLS session, when a handshake completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsInfo>,
    /// The chain the server presented (leaf first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<CertDetails>,
    /// Every check, required or not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Timings.
    pub timings: Timings,
    /// The failure, if the attempt failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// The error as libpq prints it for this attempt (with the `connection to server ...` prefix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub libpq_error: Option<String>,
    /// What libpq does next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextMove>,
}

/// The fingerprint pin's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinReport {
    /// The pinned SHA-256 (colon hex, uppercase).
    pub expected: String,
    /// Whether it matched the leaf or a CA of the chain.
    pub matched: bool,
    /// Which certificate matched (`leaf`, `intermediate #1`, `root`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_certificate: Option<String>,
}

/// Everything the probe found.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// Would libpq connect?
    pub verdict: Verdict,
    /// Transport of the successful connection.
    pub transport: Option<AcceptedTransport>,
    /// libpq's error message when rejected (every attempt, as libpq accumulates them).
    pub message: Option<String>,
    /// The connection string (password redacted).
    pub conninfo: String,
    /// The sslmode in effect.
    pub sslmode: String,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
    /// The chain of the deciding TLS attempt (the last one that saw a certificate).
    pub chain: Vec<CertDetails>,
    /// The TLS session of the deciding TLS attempt.
    pub tls: Option<TlsInfo>,
    /// Checks of the deciding TLS attempt.
    pub checks: Vec<Check>,
    /// Secrets sent over the whole probe, and over what.
    pub secrets_sent: Vec<(SecretSent, AcceptedTransport)>,
    /// The fingerprint pin, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin: Option<PinReport>,
    /// Warnings libpq prints on stderr besides its error (e.g. an ignored password file).
    pub warnings: Vec<String>,
    /// Statements about the security of what happened.
    pub findings: Vec<String>,
    /// What to change, naming exact parameters.
    pub remediation: Vec<String>,
    /// True when the rejection comes from a local file or setting (CLI exit 2).
    pub local_error: bool,
}

impl Diagnosis {
    /// A human-readable report.
    pub fn render_human(&self) -> String {
        let mut s = String::new();
        let verdict = match (self.verdict, self.transport) {
            (Verdict::Accepted, Some(AcceptedTransport::Tls)) => "ACCEPTED over TLS",
            (Verdict::Accepted, _) => "ACCEPTED in PLAINTEXT",
            (Verdict::Rejected, _) => "REJECTED",
        };
        let _ = writeln!(s, "libpq would connect: {verdict}");
        let _ = writeln!(s, "conninfo: {}", self.conninfo);
        let _ = writeln!(s, "sslmode: {}", self.sslmode);
        if let Some(m) = &self.message {
            let _ = writeln!(s, "libpq error:");
            for line in m.lines() {
                let _ = writeln!(s, "  {line}");
            }
        }
        for (i, a) in self.attempts.iter().enumerate() {
            let _ = writeln!(
                s,
                "\nattempt {}: {} {}port {} ({:?})",
                i + 1,
                a.host,
                a.addr
                    .as_deref()
                    .filter(|x| *x != a.host)
                    .map(|x| format!("({x}) "))
                    .unwrap_or_default(),
                a.port,
                a.start
            );
            if let Some(n) = &a.conversation.negotiation {
                let _ = writeln!(s, "  SSLRequest {n}");
            }
            if let Some(t) = &a.tls {
                let _ = writeln!(
                    s,
                    "  TLS {} {} group {} ALPN {} SNI {}",
                    t.version,
                    t.cipher_suite,
                    t.key_exchange_group.as_deref().unwrap_or("?"),
                    t.alpn.as_deref().unwrap_or("(none)"),
                    t.sni.as_deref().unwrap_or("(not sent)")
                );
            }
            for (j, c) in a.chain.iter().enumerate() {
                let _ = writeln!(s, "  cert[{j}] {}", c.summary());
                let _ = writeln!(s, "          SHA-256 {}", c.sha256_fingerprint);
            }
            for c in &a.checks {
                let _ = writeln!(
                    s,
                    "  check {:<14} {:<7} {} {}",
                    c.name,
                    format!("{:?}", c.result).to_lowercase(),
                    if c.required {
                        "(required)"
                    } else {
                        "(not required)"
                    },
                    c.reason
                );
            }
            let auth = &a.conversation.auth;
            if !auth.requests.is_empty() {
                let _ = writeln!(s, "  server asked: {}", auth.requests.join(", "));
            }
            if let Some(plus) = auth.scram_plus_offered {
                let _ = writeln!(
                    s,
                    "  SASL mechanisms: {} (SCRAM-SHA-256-PLUS {})",
                    auth.sasl_mechanisms.join(", "),
                    if plus { "offered" } else { "not offered" }
                );
            }
            for (what, over) in &auth.secrets_sent {
                let _ = writeln!(s, "  sent {what:?} over {over:?}");
            }
            let t = &a.timings;
            let _ = writeln!(
                s,
                "  timings ms: tcp {} ssl {} tls {} auth {} total {:.1}",
                fmt_ms(t.tcp_ms),
                fmt_ms(t.ssl_negotiation_ms),
                fmt_ms(t.tls_ms),
                fmt_ms(t.startup_auth_ms),
                t.total_ms
            );
            if let Some(e) = &a.libpq_error {
                let _ = writeln!(s, "  error: {}", e.replace('\n', "\n         "));
            }
            if let Some(n) = a.next {
                let _ = writeln!(s, "  next: {n:?}");
            }
        }
        if let Some(p) = &self.pin {
            let _ = writeln!(
                s,
                "\npinned fingerprint {}: {}",
                p.expected,
                if p.matched {
                    "matched"
                } else {
                    "NOT FOUND in the chain"
                }
            );
        }
        for w in &self.warnings {
            let _ = writeln!(s, "\n{w}");
        }
        if !self.findings.is_empty() {
            let _ = writeln!(s, "\nfindings:");
            for f in &self.findings {
                let _ = writeln!(s, "  - {f}");
            }
        }
        if !self.remediation.is_empty() {
            let _ = writeln!(s, "\nremediation:");
            for r in &self.remediation {
                let _ = writeln!(s, "  - {r}");
            }
        }
        s
    }
}

fn fmt_ms(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into())
}
