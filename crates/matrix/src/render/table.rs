//! The terminal table and the summary line.

use std::fmt::Write as _;

use super::human_ms;
use crate::model::{Cell, CellStatus, ClientKind, Outcome, Report};

/// How to draw the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Use ANSI colours (callers pass false when `NO_COLOR` is set or stdout is not a terminal).
    pub color: bool,
}

const ATTACKER: char = '!';
const MISMATCH: char = '*';

const RESET: &str = "\x1b[0m";

fn style(cell: &Cell) -> &'static str {
    if cell.status.is_failure() {
        // Magenta, reversed: impossible to miss.
        return "\x1b[1;7;35m";
    }
    if cell.password_to_attacker() {
        return "\x1b[1;31m";
    }
    match (cell.status, cell.observed) {
        (CellStatus::NotApplicable, _) => "\x1b[2m",
        (_, Some(Outcome::Tls)) => "\x1b[32m",
        (_, Some(Outcome::Plaintext)) => "\x1b[33m",
        (_, Some(Outcome::Rejected)) => "\x1b[36m",
        (_, None) => "\x1b[1;7;35m",
    }
}

/// The text of one cell: label plus markers (`!` password reached an attacker, `*` mismatch).
fn cell_text(cell: &Cell) -> String {
    let mut s = cell.observed_label().to_owned();
    if cell.password_to_attacker() {
        s.push(ATTACKER);
    }
    if cell.status.is_failure() {
        s.push(MISMATCH);
    }
    s
}

/// The matrix as a table: one row per scenario (and variant), one column per sslmode, a legend,
/// the list of mismatches, and the summary line.
pub fn table(report: &Report, opts: TableOptions) -> String {
    let rows = report.rows();
    let row_labels: Vec<String> = rows
        .iter()
        .map(|(s, v)| crate::model::row_label(s, v.as_deref()))
        .collect();
    let first_w = row_labels
        .iter()
        .map(|l| l.chars().count())
        .chain(std::iter::once("scenario".len()))
        .max()
        .unwrap_or(8);
    let col_w: Vec<usize> = report
        .sslmodes
        .iter()
        .map(|m| m.len().max("REJECT!*".len()))
        .collect();

    let mut out = String::new();
    let _ = write!(out, "{:<first_w$}", "scenario");
    for (m, w) in report.sslmodes.iter().zip(&col_w) {
        let _ = write!(out, "  {m:<w$}");
    }
    trim_push_newline(&mut out);
    let _ = write!(out, "{}", "-".repeat(first_w));
    for w in &col_w {
        let _ = write!(out, "  {}", "-".repeat(*w));
    }
    out.push('\n');

    for ((scenario, variant), label) in rows.iter().zip(&row_labels) {
        let _ = write!(out, "{label:<first_w$}");
        for (m, w) in report.sslmodes.iter().zip(&col_w) {
            out.push_str("  ");
            match report.cell(scenario, variant.as_deref(), m) {
                Some(cell) => {
                    let text = cell_text(cell);
                    let pad = w.saturating_sub(text.chars().count());
                    if opts.color {
                        let _ = write!(out, "{}{text}{RESET}{}", style(cell), " ".repeat(pad));
                    } else {
                        let _ = write!(out, "{text}{}", " ".repeat(pad));
                    }
                }
                None => {
                    let _ = write!(out, "{:<w$}", "");
                }
            }
        }
        trim_push_newline(&mut out);
    }

    out.push('\n');
    let _ = writeln!(
        out,
        "tls = accepted over TLS   plain = accepted in plaintext   REJECT = rejected   \
         {ATTACKER} = a password reached an attacker   {MISMATCH} = observed differs from expected{}",
        if report.summary.not_applicable > 0 {
            "   n/a = the client cannot express this cell"
        } else {
            ""
        }
    );

    let failures: Vec<&Cell> = report
        .cells
        .iter()
        .filter(|c| c.status.is_failure())
        .collect();
    if !failures.is_empty() {
        out.push('\n');
        for c in failures {
            let _ = writeln!(
                out,
                "{MISMATCH} {} / {}: expected {}{}, observed {}{}",
                c.row_label(),
                c.sslmode,
                c.expected.outcome.label(),
                if c.expected.password_reaches_server {
                    " (password sent)"
                } else {
                    ""
                },
                c.observed_label(),
                match (&c.reason, &c.message) {
                    (Some(r), _) => format!(" - {r}"),
                    (None, Some(m)) => format!(" - {}", first_line(m)),
                    (None, None) => String::new(),
                }
            );
        }
    }
    out.push('\n');
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

fn trim_push_newline(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    out.push('\n');
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// One line: verdict, counts, exposure, client, wall time.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let mut line = format!(
        "{}: {} cells, {} match, {} mismatch",
        if s.ok { "OK" } else { "FAILED" },
        s.cells,
        s.matched,
        s.mismatched
    );
    if s.errors > 0 {
        let _ = write!(line, ", {} error", s.errors);
    }
    if s.not_applicable > 0 {
        let mut reasons: Vec<&str> = report
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::NotApplicable)
            .filter_map(|c| c.reason.as_deref())
            .collect();
        reasons.sort_unstable();
        reasons.dedup();
        let _ = write!(line, ", {} n/a", s.not_applicable);
        if !reasons.is_empty() {
            let _ = write!(line, " ({})", reasons.join("; "));
        }
    }
    let unexpected = report
        .cells
        .iter()
        .filter(|c| c.password_to_attacker() && c.status.is_failure())
        .count();
    let _ = write!(
        line,
        "; a password reached an attacker in {} cell{}",
        s.password_to_attacker,
        if s.password_to_attacker == 1 { "" } else { "s" }
    );
    if s.password_to_attacker > 0 {
        if unexpected == 0 {
            line.push_str(" (all as the catalog expects)");
        } else {
            let _ = write!(line, " ({unexpected} unexpected)");
        }
    }
    let client = match report.client.kind {
        ClientKind::Probe => "probe".to_owned(),
        ClientKind::Psql => report
            .client
            .version
            .clone()
            .unwrap_or_else(|| "psql".to_owned()),
        ClientKind::Command => format!("command {}", report.client.description),
    };
    let _ = write!(line, "; client: {client}; {}", human_ms(report.duration_ms));
    line
}
