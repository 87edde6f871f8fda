//! The HTML page for one `pgtls probe` diagnosis, in the matrix report's style.

use std::fmt::Write as _;

use pgtls_probe::{AcceptedTransport, CheckResult, Diagnosis, Verdict};
use serde::Serialize;

use super::html::{chain_table, page_start, timings_table, yes_no};
use super::{escape, guidance};
use crate::model::{Timing, Tool};

/// What the page says around the diagnosis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeContext {
    /// When the probe ran (RFC 3339); [`crate::versions::now_rfc3339`] gives now.
    pub date: String,
    /// pgtls and library versions; [`crate::versions::tool`] gives this build's.
    pub tool: Tool,
}

impl ProbeContext {
    /// This build's versions and the current time.
    pub fn now() -> ProbeContext {
        ProbeContext {
            date: crate::versions::now_rfc3339(),
            tool: crate::versions::tool(),
        }
    }
}

/// A serde enum's name (`"tls"`), for enums that only implement `Serialize`.
fn name_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_owned(),
    }
}

fn kv(out: &mut String, k: &str, v: &str) {
    let _ = write!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
}

/// Renders one probe diagnosis as a self-contained page (inline CSS, no scripts, nothing
/// fetched): verdict, libpq's message, each attempt with its negotiation, TLS session, chain
/// with SHA-256 fingerprints, checks and timings, findings, remediation, the "what to use"
/// advice and the versions that produced it.
pub fn probe_html(diagnosis: &Diagnosis, ctx: &ProbeContext) -> String {
    let d = diagnosis;
    let headline = match (d.verdict, d.transport) {
        (Verdict::Accepted, Some(AcceptedTransport::Tls)) => "libpq would connect over TLS",
        (Verdict::Accepted, _) => "libpq would connect WITHOUT encryption",
        (Verdict::Rejected, _) => "libpq would NOT connect",
    };
    let good = d.verdict == Verdict::Accepted && d.transport == Some(AcceptedTransport::Tls);
    let mut out = String::with_capacity(32 * 1024);
    page_start(&mut out, &format!("pgtls probe — {headline}"));
    let _ = write!(
        out,
        "<header><h1>pgtls probe report</h1><p class=\"verdict {}\">{}</p>\
         <nav><a href=\"#connection\">Connection</a><a href=\"#attempts\">Attempts</a>\
         <a href=\"#chain\">Certificate chain</a><a href=\"#what-to-use\">What to use</a>\
         <a href=\"#environment\">Environment</a></nav></header><main>",
        if good { "ok" } else { "fail" },
        escape(headline)
    );

    out.push_str("<section id=\"connection\"><h2>Connection</h2><table class=\"kv\">");
    kv(&mut out, "conninfo", &d.conninfo);
    kv(&mut out, "sslmode", &d.sslmode);
    kv(&mut out, "verdict", &name_of(&d.verdict));
    kv(
        &mut out,
        "transport",
        &d.transport.map_or("none".to_owned(), |t| name_of(&t)),
    );
    if let Some(m) = &d.message {
        kv(&mut out, "libpq message", m);
    }
    if let Some(t) = &d.tls {
        kv(
            &mut out,
            "TLS",
            &format!(
                "{} {}{}{}",
                t.version,
                t.cipher_suite,
                t.alpn
                    .as_deref()
                    .map(|a| format!(", ALPN {a}"))
                    .unwrap_or_default(),
                t.sni
                    .as_deref()
                    .map(|s| format!(", SNI {s}"))
                    .unwrap_or_default()
            ),
        );
    }
    let secrets: Vec<String> = d
        .secrets_sent
        .iter()
        .map(|(s, t)| format!("{} over {}", name_of(s), name_of(t)))
        .collect();
    kv(
        &mut out,
        "secrets sent",
        &if secrets.is_empty() {
            "none".to_owned()
        } else {
            secrets.join(", ")
        },
    );
    if let Some(p) = &d.pin {
        kv(
            &mut out,
            "pinned SHA-256",
            &format!(
                "{} — {}",
                p.expected,
                if p.matched {
                    format!(
                        "matched {}",
                        p.matched_certificate.as_deref().unwrap_or("a certificate")
                    )
                } else {
                    "NOT in the server's chain".to_owned()
                }
            ),
        );
    }
    out.push_str("</table>");
    if !d.findings.is_empty() {
        out.push_str("<h3>Findings</h3><ul>");
        for f in &d.findings {
            let _ = write!(out, "<li>{}</li>", escape(f));
        }
        out.push_str("</ul>");
    }
    if !d.remediation.is_empty() {
        out.push_str("<h3>Remediation</h3><ul>");
        for r in &d.remediation {
            let _ = write!(out, "<li>{}</li>", escape(r));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");

    out.push_str("<section id=\"attempts\"><h2>Attempts</h2>");
    for (i, a) in d.attempts.iter().enumerate() {
        let _ = write!(
            out,
            "<article class=\"cell {}\" id=\"attempt-{}\"><h4>Attempt {}: {}{} port {} — {}</h4><table class=\"kv\">",
            if a.error.is_some() { "st-mismatch" } else { "st-match" },
            i + 1,
            i + 1,
            escape(&a.host),
            a.addr
                .as_deref()
                .map(|x| format!(" ({})", escape(x)))
                .unwrap_or_default(),
            a.port,
            escape(&name_of(&a.start))
        );
        if let Some(n) = &a.conversation.negotiation {
            kv(&mut out, "SSLRequest", &format!("sent {n}"));
        }
        if let Some(t) = &a.transport {
            kv(&mut out, "startup over", &name_of(t));
        }
        if let Some(t) = &a.tls {
            kv(
                &mut out,
                "TLS",
                &format!(
                    "{} {} group {} ALPN {} SNI {}",
                    t.version,
                    t.cipher_suite,
                    t.key_exchange_group.as_deref().unwrap_or("?"),
                    t.alpn.as_deref().unwrap_or("(none)"),
                    t.sni.as_deref().unwrap_or("(not sent)")
                ),
            );
        }
        if let Some(e) = &a.conversation.server_error {
            kv(&mut out, "server error", e);
        }
        if let Some(e) = &a.libpq_error {
            kv(&mut out, "libpq error", e);
        }
        if let Some(n) = &a.next {
            kv(&mut out, "libpq then", &name_of(n));
        }
        out.push_str("</table>");
        if !a.checks.is_empty() {
            out.push_str("<table class=\"grid\"><thead><tr><th>check</th><th>result</th><th>enforced</th><th>why</th></tr></thead><tbody>");
            for c in &a.checks {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&c.name),
                    match c.result {
                        CheckResult::Pass => "pass",
                        CheckResult::Fail => "FAIL",
                        CheckResult::Skipped => "skipped",
                    },
                    yes_no(c.required),
                    escape(&c.reason)
                );
            }
            out.push_str("</tbody></table>");
        }
        let t = &a.timings;
        let timings: Vec<Timing> = [
            ("name resolution", t.resolve_ms),
            ("tcp connect", t.tcp_ms),
            ("SSLRequest answer", t.ssl_negotiation_ms),
            ("TLS handshake", t.tls_ms),
            ("startup + authentication", t.startup_auth_ms),
        ]
        .into_iter()
        .filter_map(|(phase, ms)| {
            ms.map(|ms| Timing {
                phase: phase.to_owned(),
                ms,
            })
        })
        .collect();
        timings_table(&mut out, "attempt total", t.total_ms, &timings);
        out.push_str("</article>");
    }
    out.push_str("</section>");

    out.push_str("<section id=\"chain\"><h2>Certificate chain presented by the server</h2>");
    if d.chain.is_empty() {
        out.push_str("<p>No certificate was seen.</p>");
    } else {
        let chain: Vec<_> = d.chain.iter().map(crate::runner::cert_info).collect();
        chain_table(&mut out, &chain);
    }
    out.push_str("</section>");

    let g = guidance::static_guidance();
    out.push_str("<section id=\"what-to-use\"><h2>What to use</h2><div class=\"guidance\">");
    let _ = write!(out, "<p><strong>{}</strong></p><ol>", escape(&g.headline));
    for step in &g.steps {
        let _ = write!(out, "<li>{}", escape(&step.text));
        if let Some(cmd) = &step.command {
            let _ = write!(out, "<br><code>{}</code>", escape(cmd));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol></div></section>");

    out.push_str("<section id=\"environment\"><h2>Environment</h2><table class=\"kv\">");
    kv(&mut out, "pgtls", &ctx.tool.version);
    for lib in &ctx.tool.libraries {
        kv(&mut out, &lib.name, &lib.version);
    }
    if let Some(r) = &ctx.tool.rustc {
        kv(&mut out, "compiler", r);
    }
    kv(
        &mut out,
        "client",
        "pgtls probe (libpq 15 rules, in process)",
    );
    kv(&mut out, "date", &ctx.date);
    out.push_str("</table></section>");

    let _ = write!(
        out,
        "<section id=\"diagnosis\"><h2>Diagnosis (JSON)</h2><details><summary>Show</summary><pre>{}</pre></details></section>",
        escape(&serde_json::to_string_pretty(d).unwrap_or_default())
    );
    let _ = writeln!(
        out,
        "</main><footer>Generated by pgtls {} on {}. Self-contained: this page loads nothing from the network.</footer></body></html>",
        escape(&ctx.tool.version),
        escape(&ctx.date)
    );
    out
}
