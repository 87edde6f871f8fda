//! The human rendering of a [`Report`] and of the progress line.

use std::fmt::Write as _;

use crate::engine::{Progress, Report, StopReason};
use crate::stats::Phase;

/// The report as a table, one phase per line, milliseconds.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let bound = match report.stopped_by {
        StopReason::Count => "connection count reached",
        StopReason::Duration => "duration reached",
    };
    if !report.target.is_empty() {
        let _ = writeln!(out, "target: {}", report.target);
    }
    let _ = writeln!(
        out,
        "{} connections ({} ok, {} failed) in {:.2} s with concurrency {} ({bound}): {:.1} connections/s",
        report.attempted,
        report.succeeded,
        report.failed,
        report.elapsed_s,
        report.concurrency,
        report.connections_per_s,
    );
    let _ = writeln!(
        out,
        "{:<16} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "phase (ms)", "count", "min", "p50", "p90", "p99", "max", "mean"
    );
    for phase in Phase::ALL {
        match report.phases.get(phase) {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "{:<16} {:>8} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
                    phase.label(),
                    s.count,
                    s.min_ms,
                    s.p50_ms,
                    s.p90_ms,
                    s.p99_ms,
                    s.max_ms,
                    s.mean_ms
                );
            }
            None => {
                let _ = writeln!(out, "{:<16} {:>8} {:>9}", phase.label(), 0, "-");
            }
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "errors:");
        for e in &report.errors {
            let _ = writeln!(out, "  {:>8}  {}", e.count, e.message);
        }
    }
    out
}

/// One progress line (no newline): `[3.0 s] 3512 ok, 0 failed, 1170.7/s`.
pub fn progress_line(p: &Progress) -> String {
    format!(
        "[{:.1} s] {} ok, {} failed, {:.1}/s",
        p.elapsed.as_secs_f64(),
        p.succeeded,
        p.failed,
        p.rate()
    )
}
