//! The HTML writer: one self-contained page (inline CSS, no scripts, no external resources, every
//! link an in-page anchor), readable at 1280 px and printable.

use std::fmt::Write as _;

use serde_json::Value;

use super::{escape, guidance, human_ms, summary_line};
use crate::model::{Cell, CellStatus, CertInfo, ClientOutput, Outcome, Report, Timing};

/// Style sheet shared with the probe page. Colours are paired with text markers (⚠, ≠) so the
/// page survives greyscale printing; `print-color-adjust` keeps the heat map on paper.
pub(crate) const CSS: &str = r#"
:root { --tls:#c8e6c9; --tls-ink:#1b5e20; --plain:#ffe08a; --plain-ink:#6d4c00; --rej:#dfe4ea;
  --rej-ink:#37474f; --att:#b71c1c; --mis:#6a1b9a; --na:#f3f3f3; --line:#cfd4da; --muted:#5f6b76; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
  color:#1d2329; margin: 0 auto; padding: 16px 24px 48px; max-width: 1240px; background:#fff; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 4px; } h4 { font-size: 14px; margin: 0 0 6px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background:#f6f8fa; border:1px solid var(--line); border-radius:4px; padding:8px; overflow-x:auto;
  white-space: pre-wrap; word-break: break-all; max-height: 420px; overflow-y: auto; margin: 4px 0 8px; }
a { color:#0b57a4; }
.verdict { font-size: 15px; font-weight: 600; padding: 8px 12px; border-radius: 4px; margin: 8px 0 12px; }
.verdict.ok { background:#e8f5e9; border-left: 6px solid #2e7d32; }
.verdict.fail { background:#fce4ec; border-left: 6px solid var(--mis); }
nav { font-size: 13px; color: var(--muted); } nav a { margin-right: 12px; }
.legend { display:flex; flex-wrap:wrap; gap:6px 16px; margin: 8px 0 10px; font-size: 13px; align-items:center; }
.legend span.sw { display:inline-block; min-width: 62px; text-align:center; padding: 2px 6px; border-radius:3px; margin-right:4px; font-weight:600; }
table { border-collapse: collapse; }
table.heat { width: 100%; table-layout: fixed; }
table.heat th, table.heat td { border: 1px solid #fff; padding: 0; }
table.heat thead th { background:#37474f; color:#fff; font-weight:600; padding: 6px 4px; text-align:center; font-size: 13px; }
table.heat thead th.rowhead { text-align:left; width: 34%; padding-left: 8px; }
table.heat tbody th { text-align:left; font-weight: 500; padding: 2px 8px; background:#f6f8fa; border-bottom: 1px solid var(--line);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
table.heat tbody th a { color: inherit; text-decoration: none; }
table.heat tbody th .variant { color: var(--muted); font-weight: 400; }
table.heat td a { display:block; text-align:center; padding: 2px 2px; text-decoration:none; color:inherit; font-weight:600; }
table.heat td .exp { display:block; font-weight: 400; font-size: 11px; }
.o-tls { background: var(--tls); color: var(--tls-ink); }
.o-plaintext { background: var(--plain); color: var(--plain-ink); }
.o-rejected { background: var(--rej); color: var(--rej-ink); }
.o-na { background: repeating-linear-gradient(45deg, #f7f7f7 0 6px, #e9e9e9 6px 12px); color: var(--muted); }
.o-error { background:#fff; color: var(--mis); }
.attacker { background: var(--att) !important; color:#fff !important; }
.mismatch { outline: 3px solid var(--mis); outline-offset: -3px; }
.mismatch a::before, .sw.mismatch::before { content: "≠ "; }
.attacker a::after, .sw.attacker::after { content: " ⚠"; }
.guidance { background:#eef5fb; border-left: 6px solid #0b57a4; padding: 8px 16px; border-radius: 4px; }
.guidance ol { padding-left: 20px; } .guidance li { margin: 4px 0; }
.guidance code { background:#fff; border:1px solid var(--line); border-radius:3px; padding: 1px 4px; display:inline-block; margin-top:2px; }
table.kv th { text-align:left; padding: 3px 16px 3px 0; color: var(--muted); font-weight: 500; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 3px 0; vertical-align: top; }
table.grid { width: 100%; font-size: 12.5px; margin: 4px 0 8px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 3px 6px; text-align:left; vertical-align: top; }
table.grid th { background:#f6f8fa; font-weight: 600; }
table.grid td.fp { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; word-break: break-all; }
section.scenario { border-top: 2px solid #37474f; margin-top: 24px; }
section.scenario .why { color: var(--muted); margin: 2px 0 8px; }
article.cell { border: 1px solid var(--line); border-left-width: 6px; border-radius: 4px; padding: 8px 12px; margin: 10px 0; break-inside: avoid; }
article.cell.st-match { border-left-color: #2e7d32; }
article.cell.st-mismatch, article.cell.st-error { border-left-color: var(--mis); }
article.cell.st-not_applicable { border-left-color: #9e9e9e; }
article.cell.exposed { box-shadow: inset 0 0 0 1px var(--att); }
article.cell:target { outline: 3px solid #0b57a4; }
.badge { display:inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; margin-left: 4px; }
.badge.match { background:#e8f5e9; color:#1b5e20; } .badge.mismatch, .badge.error { background: var(--mis); color:#fff; }
.badge.not_applicable { background:#eee; color:#555; } .badge.attacker { background: var(--att); color:#fff; }
.back { font-size: 12px; } .timings { margin: 2px 0 6px; font-size: 13px; } ol.transcript { padding-left: 20px; margin: 4px 0; } ol.transcript li { margin: 2px 0; } .note { color: var(--muted); font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav, .back { display: none; }
  a { color: inherit; text-decoration: none; }
  pre { max-height: none; overflow: visible; }
  h2 { break-after: avoid; } section.scenario { break-before: auto; }
  table.heat { font-size: 10px; }
  table.heat tbody th { white-space: normal; }
}
"#;

/// Longest transcript / output text shown per cell; the JSON report keeps everything.
const MAX_PRE: usize = 24 * 1024;

fn pre(out: &mut String, text: &str) {
    let shown = if text.len() > MAX_PRE {
        let mut end = MAX_PRE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!(
            "{}\n… ({} more bytes in the JSON report)",
            &text[..end],
            text.len() - end
        )
    } else {
        text.to_owned()
    };
    let _ = writeln!(out, "<pre>{}</pre>", escape(&shown));
}

pub(crate) fn outcome_class(cell: &Cell) -> &'static str {
    match (cell.status, cell.observed) {
        (CellStatus::NotApplicable, _) => "o-na",
        (_, Some(Outcome::Tls)) => "o-tls",
        (_, Some(Outcome::Plaintext)) => "o-plaintext",
        (_, Some(Outcome::Rejected)) => "o-rejected",
        (_, None) => "o-error",
    }
}

fn cell_title(c: &Cell) -> String {
    let mut t = format!(
        "{} / {}: observed {}, expected {}",
        c.row_label(),
        c.sslmode,
        c.observed.map_or("nothing", |o| o.describe()),
        c.expected.outcome.describe()
    );
    if c.credentials_exposed.to_attacker {
        t.push_str("; a password reached an attacker");
    }
    if let Some(r) = &c.reason {
        let _ = write!(t, "; {r}");
    }
    t
}

/// The `id` of a scenario's details section.
pub(crate) fn scenario_anchor(name: &str) -> String {
    let mut s = String::from("scenario-");
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
            s.push(ch.to_ascii_lowercase());
        } else {
            s.push('_');
        }
    }
    s
}

fn legend(out: &mut String) {
    out.push_str("<div class=\"legend\" id=\"legend\"><strong>Legend</strong>");
    out.push_str("<span><span class=\"sw o-tls\">tls</span>accepted over TLS</span>");
    out.push_str("<span><span class=\"sw o-plaintext\">plain</span>accepted in plaintext</span>");
    out.push_str("<span><span class=\"sw o-rejected\">REJECT</span>rejected</span>");
    out.push_str(
        "<span><span class=\"sw attacker\">plain</span>a password reached an attacker</span>",
    );
    out.push_str(
        "<span><span class=\"sw o-tls mismatch\">tls</span>observed differs from expected</span>",
    );
    out.push_str(
        "<span><span class=\"sw o-na\">n/a</span>the client cannot express this cell</span>",
    );
    out.push_str("</div>\n");
}

fn heat_map(out: &mut String, report: &Report) {
    out.push_str("<table class=\"heat\" id=\"heatmap\">\n<thead><tr><th class=\"rowhead\" scope=\"col\">scenario</th>");
    for m in &report.sslmodes {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(m));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (scenario, variant) in report.rows() {
        let _ = write!(
            out,
            "<tr><th scope=\"row\" title=\"{}\"><a href=\"#{}\">{}</a>",
            escape(
                &report
                    .scenario(&scenario)
                    .map(|s| s.summary.clone())
                    .unwrap_or_default()
            ),
            scenario_anchor(&scenario),
            escape(&scenario)
        );
        if let Some(v) = &variant {
            let _ = write!(out, " <span class=\"variant\">[{}]</span>", escape(v));
        }
        out.push_str("</th>");
        for m in &report.sslmodes {
            match report.cell(&scenario, variant.as_deref(), m) {
                Some(c) => {
                    let mut class = outcome_class(c).to_owned();
                    if c.password_to_attacker() {
                        class.push_str(" attacker");
                    }
                    if c.status.is_failure() {
                        class.push_str(" mismatch");
                    }
                    let _ = write!(
                        out,
                        "<td class=\"{class}\" data-cell=\"{}\"><a href=\"#{}\" title=\"{}\">{}",
                        escape(&c.id),
                        escape(&c.id),
                        escape(&cell_title(c)),
                        escape(c.observed_label())
                    );
                    if c.status.is_failure() {
                        let _ = write!(
                            out,
                            "<span class=\"exp\">expected {}</span>",
                            escape(c.expected.outcome.label())
                        );
                    }
                    out.push_str("</a></td>");
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn guidance_html(out: &mut String, report: &Report) {
    let g = guidance(report);
    out.push_str("<section id=\"what-to-use\"><h2>What to use</h2><div class=\"guidance\">");
    let _ = write!(out, "<p><strong>{}</strong></p><ol>", escape(&g.headline));
    for step in &g.steps {
        let _ = write!(out, "<li>{}", escape(&step.text));
        if let Some(cmd) = &step.command {
            let _ = write!(out, "<br><code>{}</code>", escape(cmd));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    if !g.evidence.is_empty() {
        out.push_str("<p>In this run:</p><ul>");
        for e in &g.evidence {
            let _ = write!(out, "<li>{}</li>", escape(e));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div></section>\n");
}

fn environment(out: &mut String, report: &Report) {
    out.push_str("<section id=\"environment\"><h2>Environment</h2><table class=\"kv\">");
    let mut row = |k: &str, v: &str| {
        let _ = write!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    };
    row("pgtls", &report.tool.version);
    for lib in &report.tool.libraries {
        row(&lib.name, &lib.version);
    }
    if let Some(r) = &report.tool.rustc {
        row("compiler", r);
    }
    row(
        "client",
        &format!(
            "{} ({})",
            report.client.description,
            report.client.kind.as_str()
        ),
    );
    if let Some(p) = &report.client.program {
        row("client program", p);
    }
    if let Some(v) = &report.client.libpq_major {
        row("libpq major version", &v.to_string());
    }
    row("date", &report.date);
    row("wall time", &human_ms(report.duration_ms));
    row(
        "machine",
        &format!(
            "{} {}, {} CPUs, {} cells at a time",
            report.environment.os,
            report.environment.arch,
            report.environment.cpus,
            report.environment.concurrency
        ),
    );
    if !report.filters.scenarios.is_empty() {
        row("--scenario", &report.filters.scenarios.join(", "));
    }
    if !report.filters.sslmodes.is_empty() {
        row("--sslmode", &report.filters.sslmodes.join(", "));
    }
    row(
        "report format",
        &format!("{} v{}", report.format, report.format_version),
    );
    out.push_str("</table></section>\n");
}

pub(crate) fn chain_table(out: &mut String, chain: &[CertInfo]) {
    if chain.is_empty() {
        return;
    }
    out.push_str("<table class=\"grid\"><thead><tr><th>#</th><th>subject</th><th>issuer</th><th>names</th><th>valid</th><th>key</th><th>SHA-256 fingerprint</th></tr></thead><tbody>");
    for (i, c) in chain.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><td>{i}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} →<br>{}</td><td>{}</td><td class=\"fp\">{}</td></tr>",
            if c.is_ca { " (CA)" } else { "" },
            escape(&c.subject),
            escape(&c.issuer),
            escape(&c.sans.join(", ")),
            escape(&c.not_before),
            escape(&c.not_after),
            escape(&c.key),
            escape(&c.sha256)
        );
    }
    out.push_str("</tbody></table>");
}

pub(crate) fn timings_table(
    out: &mut String,
    total_label: &str,
    total_ms: f64,
    timings: &[Timing],
) {
    out.push_str("<p class=\"timings\">");
    for t in timings {
        let _ = write!(
            out,
            "{} <strong>{}</strong> · ",
            escape(&t.phase),
            human_ms(t.ms)
        );
    }
    let _ = write!(
        out,
        "{} <strong>{}</strong></p>",
        escape(total_label),
        human_ms(total_ms)
    );
}

fn client_output(out: &mut String, o: &ClientOutput) {
    let _ = write!(
        out,
        "<h4>Client output</h4><p class=\"mono\">{}<br>exit status: {}</p>",
        escape(&o.command),
        o.exit_code
            .map_or("none (killed or not started)".to_owned(), |c| c.to_string())
    );
    if !o.stdout.is_empty() {
        out.push_str("<p>stdout</p>");
        pre(out, &o.stdout);
    }
    if !o.stderr.is_empty() {
        out.push_str("<p>stderr</p>");
        pre(out, &o.stderr);
    }
}

fn cell_details(out: &mut String, c: &Cell) {
    let _ = write!(
        out,
        "<article class=\"cell st-{}{}\" id=\"{}\"><h4>{}{} — observed {} — expected {}<span class=\"badge {}\">{}</span>{}</h4>",
        c.status.as_str(),
        if c.password_to_attacker() { " exposed" } else { "" },
        escape(&c.id),
        escape(&c.sslmode),
        c.variant
            .as_deref()
            .map(|v| format!(" [{}]", escape(v)))
            .unwrap_or_default(),
        escape(c.observed.map_or(c.observed_label(), |o| o.describe())),
        escape(c.expected.outcome.describe()),
        c.status.as_str(),
        escape(&c.status.as_str().replace('_', " ")),
        if c.password_to_attacker() {
            "<span class=\"badge attacker\">⚠ password reached an attacker</span>"
        } else {
            ""
        }
    );
    out.push_str("<table class=\"kv\">");
    let mut row = |k: &str, v: &str| {
        let _ = write!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    };
    row(
        "expected",
        &format!(
            "{}; password reaches the server: {}",
            c.expected.outcome.describe(),
            yes_no(c.expected.password_reaches_server)
        ),
    );
    let mut cred = format!(
        "reached the server: {}; reached an attacker: {}",
        yes_no(c.credentials_exposed.to_server),
        yes_no(c.credentials_exposed.to_attacker)
    );
    for e in &c.credentials_exposed.evidence {
        let _ = write!(cred, "; {e}");
    }
    row("credentials (coordinator)", &cred);
    if let Some(r) = &c.reason {
        row("reason", r);
    }
    if let Some(m) = &c.message {
        row("client message", m);
    }
    row("conninfo", &c.conninfo);
    out.push_str("</table>");
    out.push_str("<h4>Timings</h4>");
    timings_table(out, "cell total", c.duration_ms, &c.timings);
    if !c.chain.is_empty() {
        out.push_str("<h4>Certificate chain presented by the server</h4>");
        chain_table(out, &c.chain);
    }
    if !c.transcript.is_empty() {
        let _ = write!(
            out,
            "<h4>Coordinator transcript ({} connection{})</h4>",
            c.transcript.len(),
            if c.transcript.len() == 1 { "" } else { "s" }
        );
        transcript(out, &c.transcript);
    }
    if let Some(o) = &c.client_output {
        client_output(out, o);
    }
    if c.diagnosis.is_some() {
        out.push_str("<p class=\"note\">The probe's full diagnosis (every attempt, check and exchange) is in the JSON report.</p>");
    }
    out.push_str("<p class=\"back\"><a href=\"#heatmap\">↑ back to the matrix</a></p></article>\n");
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One connection of the coordinator's transcript as a line of steps. The transcript is kept as
/// the coordinator serialized it; known fields are shown in words, and anything unexpected falls
/// back to the raw JSON.
fn connection_steps(t: &Value) -> Option<Vec<String>> {
    let obj = t.as_object()?;
    let mut steps = Vec::new();
    if let Some(reqs) = obj.get("requests").and_then(Value::as_array) {
        let names: Vec<String> = reqs
            .iter()
            .map(|r| match r {
                Value::String(s) => s.clone(),
                Value::Object(o) => o.keys().cloned().collect::<Vec<_>>().join(","),
                other => other.to_string(),
            })
            .collect();
        steps.push(format!("client sent: {}", names.join(", ")));
    }
    if let Some(a) = obj.get("ssl_answer").filter(|a| !a.is_null()) {
        steps.push(format!("SSLRequest answered {}", text_of(a)));
    }
    if let Some(tls) = obj.get("tls").and_then(Value::as_object) {
        let get = |k: &str| tls.get(k).map(text_of).filter(|s| !s.is_empty());
        if tls.get("established").and_then(Value::as_bool) == Some(true) {
            let mut s = format!(
                "TLS {} {}",
                get("version").unwrap_or_default(),
                get("cipher_suite").unwrap_or_default()
            );
            if let Some(a) = get("alpn") {
                let _ = write!(s, ", ALPN {a}");
            }
            if let Some(n) = get("sni") {
                let _ = write!(s, ", SNI {n}");
            }
            if tls.get("client_certificate").is_some_and(|c| !c.is_null()) {
                s.push_str(", client certificate presented");
            }
            steps.push(s);
        } else {
            let mut s = "TLS handshake failed".to_owned();
            if let Some(a) = get("client_alert") {
                let _ = write!(s, " (client alert {a})");
            }
            if let Some(e) = get("error") {
                let _ = write!(s, ": {e}");
            }
            steps.push(s);
        }
    }
    if let Some(params) = obj.get("startup_params").and_then(Value::as_array) {
        if !params.is_empty() {
            let p: Vec<String> = params
                .iter()
                .filter_map(|kv| {
                    let kv = kv.as_array()?;
                    Some(format!("{}={}", text_of(kv.first()?), text_of(kv.get(1)?)))
                })
                .collect();
            steps.push(format!("StartupMessage {}", p.join(" ")));
        }
    }
    if let Some(auth) = obj.get("auth").and_then(Value::as_object) {
        let msgs: Vec<String> = auth
            .get("messages")
            .and_then(Value::as_array)
            .map(|m| m.iter().map(text_of).collect())
            .unwrap_or_default();
        if !msgs.is_empty() {
            let mut s = format!(
                "auth {}: {}",
                auth.get("method").map(text_of).unwrap_or_default(),
                msgs.join(" → ")
            );
            if let Some(m) = auth
                .get("mechanism_chosen")
                .map(text_of)
                .filter(|m| !m.is_empty())
            {
                let _ = write!(s, " (mechanism {m}");
                if let Some(cb) = auth
                    .get("channel_binding")
                    .map(text_of)
                    .filter(|c| !c.is_empty())
                {
                    let _ = write!(s, ", channel binding {cb}");
                }
                s.push(')');
            }
            steps.push(s);
        }
    }
    if let Some(creds) = obj.get("credentials_exposed").and_then(Value::as_array) {
        for c in creds {
            steps.push(format!(
                "⚠ {} sent {}{}",
                c.get("kind").map(text_of).unwrap_or_default(),
                match c.get("transport").map(text_of).as_deref() {
                    Some("tls") => "over TLS",
                    Some("plaintext") => "in plaintext",
                    _ => "",
                },
                if c.get("to_attacker").and_then(Value::as_bool) == Some(true) {
                    " TO AN ATTACKER"
                } else {
                    ""
                }
            ));
        }
    }
    if let Some(errors) = obj.get("errors_sent").and_then(Value::as_array) {
        for e in errors {
            steps.push(format!(
                "server sent {} {}: {}",
                e.get("severity").map(text_of).unwrap_or_default(),
                e.get("sqlstate").map(text_of).unwrap_or_default(),
                e.get("message").map(text_of).unwrap_or_default()
            ));
        }
    }
    if obj.get("ready").and_then(Value::as_bool) == Some(true) {
        steps.push("session ready (ReadyForQuery)".to_owned());
    }
    if let Some(close) = obj.get("close") {
        steps.push(format!(
            "closed: {}",
            match close {
                Value::Object(o) => o
                    .iter()
                    .map(|(k, v)| format!("{k} {}", compact(v)))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => text_of(other),
            }
        ));
    }
    Some(steps)
}

fn compact(v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| format!("{k}: {}", text_of(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => text_of(other),
    }
}

fn transcript(out: &mut String, transcripts: &[Value]) {
    out.push_str("<ol class=\"transcript\">");
    for t in transcripts {
        match connection_steps(t) {
            Some(steps) => {
                let _ = write!(
                    out,
                    "<li><span class=\"mono\">connection {} from {}, {} ms</span>: {}</li>",
                    t.get("connection").map(text_of).unwrap_or_default(),
                    escape(&t.get("peer").map(text_of).unwrap_or_default()),
                    t.get("duration_ms").map(text_of).unwrap_or_default(),
                    steps
                        .iter()
                        .map(|s| escape(s))
                        .collect::<Vec<_>>()
                        .join(" · ")
                );
            }
            None => {
                out.push_str("<li>");
                pre(out, &serde_json::to_string_pretty(t).unwrap_or_default());
                out.push_str("</li>");
            }
        }
    }
    out.push_str("</ol><p class=\"note\">The raw transcripts (pre-TLS bytes in hex, every field) are in the JSON report.</p>");
}

pub(crate) fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn details(out: &mut String, report: &Report) {
    out.push_str("<section id=\"details\"><h2>Cell details</h2>");
    let mut names: Vec<String> = report.scenarios.iter().map(|s| s.name.clone()).collect();
    for c in &report.cells {
        if !names.contains(&c.scenario) {
            names.push(c.scenario.clone());
        }
    }
    for name in names {
        let cells: Vec<&Cell> = report.cells.iter().filter(|c| c.scenario == name).collect();
        if cells.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<section class=\"scenario\" id=\"{}\"><h3>{}</h3>",
            scenario_anchor(&name),
            escape(&name)
        );
        if let Some(info) = report.scenario(&name) {
            let _ = write!(out, "<p>{}</p>", escape(&info.summary));
            if !info.why.is_empty() {
                let _ = write!(out, "<p class=\"why\">{}</p>", escape(&info.why));
            }
            if !info.variants.is_empty() {
                out.push_str("<ul>");
                for v in &info.variants {
                    let _ = write!(
                        out,
                        "<li>variant <strong>{}</strong>: {}</li>",
                        escape(&v.name),
                        escape(&v.summary)
                    );
                }
                out.push_str("</ul>");
            }
        }
        for c in cells {
            cell_details(out, c);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

pub(crate) fn page_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"pgtls\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

/// The report as one self-contained HTML page.
pub fn html(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024 + report.cells.len() * 4096);
    let summary = summary_line(report);
    page_start(&mut out, &format!("pgtls matrix — {summary}"));
    let _ = write!(
        out,
        "<header><h1>pgtls matrix report</h1><p class=\"verdict {}\">{}</p>",
        if report.ok() { "ok" } else { "fail" },
        escape(&summary)
    );
    out.push_str(
        "<nav><a href=\"#matrix\">Matrix</a><a href=\"#what-to-use\">What to use</a>\
         <a href=\"#environment\">Environment</a><a href=\"#details\">Cell details</a></nav></header>\n",
    );
    out.push_str("<main>\n<section id=\"matrix\"><h2>Matrix: scenarios × sslmode</h2>");
    let _ = write!(
        out,
        "<p>Each cell is one connection attempt by <strong>{}</strong> against pgtls's mock \
         coordinator, compared with the catalog's hand-written expectation. Click a cell for its \
         transcript, certificate chain, client message and timings.</p>",
        escape(&report.client.description)
    );
    legend(&mut out);
    heat_map(&mut out, report);
    out.push_str("</section>\n");
    guidance_html(&mut out, report);
    environment(&mut out, report);
    details(&mut out, report);
    let _ = write!(
        out,
        "</main>\n<footer>Generated by pgtls {} on {}. Self-contained: this page loads nothing from the network.</footer>\n</body>\n</html>\n",
        escape(&report.tool.version),
        escape(&report.date)
    );
    out
}
