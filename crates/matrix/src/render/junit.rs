//! The JUnit XML writer: one `<testcase>` per cell, `classname` = scenario, `name` = sslmode
//! (plus ` [variant]`), `<failure>` when observed differs from expected, `<error>` when the cell
//! could not be run, `<skipped>` when the client cannot express it.

use std::fmt::Write as _;

use super::escape;
use crate::model::{Cell, CellStatus, Report};

fn secs(ms: f64) -> String {
    format!("{:.3}", ms / 1000.0)
}

/// The expected/observed comparison of a cell, as a failure text.
fn failure_text(c: &Cell) -> String {
    let mut s = format!(
        "scenario {} / sslmode {}{}\nexpected: {}, password reaches server: {}\nobserved: {}, password reached server: {}, reached an attacker: {}\n",
        c.scenario,
        c.sslmode,
        c.variant
            .as_deref()
            .map(|v| format!(" / variant {v}"))
            .unwrap_or_default(),
        c.expected.outcome,
        c.expected.password_reaches_server,
        c.observed.map_or("none", |o| o.as_str()),
        c.credentials_exposed.to_server,
        c.credentials_exposed.to_attacker,
    );
    if let Some(r) = &c.reason {
        let _ = writeln!(s, "reason: {r}");
    }
    if let Some(m) = &c.message {
        let _ = writeln!(s, "client message: {m}");
    }
    let _ = writeln!(s, "conninfo: {}", c.conninfo);
    s
}

/// The report as JUnit XML (one `<testsuite>` per scenario inside `<testsuites>`).
pub fn junit(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"pgtls matrix\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        s.cells,
        s.mismatched,
        s.errors,
        s.not_applicable,
        secs(report.duration_ms)
    );
    // JUnit timestamps carry no zone; the report's date is UTC.
    let timestamp: String = report.date.chars().take(19).collect();
    for info in report.scenarios.iter() {
        let cells: Vec<&Cell> = report
            .cells
            .iter()
            .filter(|c| c.scenario == info.name)
            .collect();
        if cells.is_empty() {
            continue;
        }
        let count = |st: CellStatus| cells.iter().filter(|c| c.status == st).count();
        let time: f64 = cells.iter().map(|c| c.duration_ms).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
            escape(&info.name),
            cells.len(),
            count(CellStatus::Mismatch),
            count(CellStatus::Error),
            count(CellStatus::NotApplicable),
            secs(time),
            escape(&timestamp)
        );
        let _ = writeln!(out, "    <properties>");
        for (k, v) in properties(report) {
            let _ = writeln!(
                out,
                "      <property name=\"{}\" value=\"{}\"/>",
                escape(&k),
                escape(&v)
            );
        }
        let _ = writeln!(out, "    </properties>");
        for c in cells {
            write_case(&mut out, c);
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    // Cells whose scenario is not in the scenario list still get a test case.
    let orphans: Vec<&Cell> = report
        .cells
        .iter()
        .filter(|c| report.scenario(&c.scenario).is_none())
        .collect();
    if !orphans.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"other\" tests=\"{}\" timestamp=\"{}\">",
            orphans.len(),
            escape(&timestamp)
        );
        for c in orphans {
            write_case(&mut out, c);
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

fn properties(report: &Report) -> Vec<(String, String)> {
    let mut p = vec![
        ("pgtls.version".to_owned(), report.tool.version.clone()),
        ("client".to_owned(), report.client.description.clone()),
        ("date".to_owned(), report.date.clone()),
    ];
    for lib in &report.tool.libraries {
        p.push((format!("{}.version", lib.name), lib.version.clone()));
    }
    p
}

fn write_case(out: &mut String, c: &Cell) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
        escape(&c.scenario),
        escape(&c.test_name()),
        secs(c.duration_ms)
    );
    let body = match c.status {
        CellStatus::Match => None,
        CellStatus::Mismatch => Some(format!(
            "      <failure type=\"mismatch\" message=\"{}\">{}</failure>\n",
            escape(&format!(
                "expected {}, observed {}",
                c.expected.outcome.label(),
                c.observed_label()
            )),
            escape(&failure_text(c))
        )),
        CellStatus::Error => Some(format!(
            "      <error type=\"error\" message=\"{}\">{}</error>\n",
            escape(c.reason.as_deref().unwrap_or("the cell could not be run")),
            escape(&failure_text(c))
        )),
        CellStatus::NotApplicable => Some(format!(
            "      <skipped message=\"{}\"/>\n",
            escape(c.reason.as_deref().unwrap_or("not applicable"))
        )),
    };
    let system_out = format!(
        "observed {}; expected {}{}{}",
        c.observed_label(),
        c.expected.outcome.label(),
        if c.credentials_exposed.to_attacker {
            "; a password reached an attacker"
        } else if c.credentials_exposed.to_server {
            "; the password reached the server"
        } else {
            ""
        },
        c.message
            .as_deref()
            .map(|m| format!("\n{m}"))
            .unwrap_or_default()
    );
    out.push_str(">\n");
    if let Some(b) = body {
        out.push_str(&b);
    }
    let _ = writeln!(
        out,
        "      <system-out>{}</system-out>",
        escape(&system_out)
    );
    out.push_str("    </testcase>\n");
}
