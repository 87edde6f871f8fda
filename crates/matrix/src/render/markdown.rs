//! The Markdown writer: a table for a review document.

use std::fmt::Write as _;

use super::{guidance, human_ms, summary_line};
use crate::model::{Cell, CellStatus, Report};

fn md(s: &str) -> String {
    // Inside table cells: pipes split cells, newlines end rows, backslashes escape.
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
}

fn cell_md(cell: &Cell) -> String {
    let mut s = match cell.status {
        CellStatus::NotApplicable => "n/a".to_owned(),
        _ => match cell.observed {
            Some(crate::model::Outcome::Rejected) => "**REJECT**".to_owned(),
            Some(o) => o.label().to_owned(),
            None => "**ERROR**".to_owned(),
        },
    };
    if cell.password_to_attacker() {
        s.push_str(" ⚠️");
    }
    if cell.status.is_failure() {
        let _ = write!(s, " ❌ (expected {})", cell.expected.outcome.label());
    }
    s
}

/// The report as Markdown: environment, summary, legend, the table, mismatches, what to use.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# pgtls matrix\n");
    let _ = writeln!(out, "{}\n", md(&summary_line(report)));
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| pgtls | {} |", md(&report.tool.version));
    for lib in &report.tool.libraries {
        let _ = writeln!(out, "| {} | {} |", md(&lib.name), md(&lib.version));
    }
    let _ = writeln!(out, "| client | {} |", md(&report.client.description));
    let _ = writeln!(out, "| date | {} |", md(&report.date));
    let _ = writeln!(out, "| wall time | {} |", human_ms(report.duration_ms));
    let _ = writeln!(
        out,
        "| machine | {} {}, {} CPUs, {} cells at a time |\n",
        md(&report.environment.os),
        md(&report.environment.arch),
        report.environment.cpus,
        report.environment.concurrency
    );

    let _ = writeln!(
        out,
        "Legend: `tls` accepted over TLS · `plain` accepted in plaintext · **REJECT** rejected · \
         ⚠️ a password reached an attacker · ❌ observed differs from expected · n/a the client \
         cannot express this cell.\n"
    );
    let _ = write!(out, "| scenario |");
    for m in &report.sslmodes {
        let _ = write!(out, " {m} |");
    }
    out.push_str("\n|---|");
    for _ in &report.sslmodes {
        out.push_str("---|");
    }
    out.push('\n');
    for (scenario, variant) in report.rows() {
        let _ = write!(
            out,
            "| `{}` |",
            md(&crate::model::row_label(&scenario, variant.as_deref()))
        );
        for m in &report.sslmodes {
            match report.cell(&scenario, variant.as_deref(), m) {
                Some(c) => {
                    let _ = write!(out, " {} |", cell_md(c));
                }
                None => out.push_str("  |"),
            }
        }
        out.push('\n');
    }

    let failures: Vec<&Cell> = report
        .cells
        .iter()
        .filter(|c| c.status.is_failure())
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n## Mismatches\n");
        for c in failures {
            let _ = writeln!(
                out,
                "- `{}` / `{}`: expected {}, observed {}{}",
                md(&c.row_label()),
                c.sslmode,
                c.expected.outcome.label(),
                c.observed_label(),
                c.reason
                    .as_deref()
                    .or(c.message.as_deref())
                    .map(|r| format!(" — {}", md(r)))
                    .unwrap_or_default()
            );
        }
    }

    let g = guidance(report);
    let _ = writeln!(out, "\n## What to use\n\n**{}**\n", md(&g.headline));
    for (i, step) in g.steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, step.text);
        if let Some(cmd) = &step.command {
            let _ = writeln!(out, "   `{cmd}`");
        }
    }
    if !g.evidence.is_empty() {
        let _ = writeln!(out, "\nIn this run:\n");
        for e in &g.evidence {
            let _ = writeln!(out, "- {}", md(e));
        }
    }
    out
}
