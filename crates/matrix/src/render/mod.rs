//! Writers: every one renders the same [`crate::model::Report`].
//!
//! - [`table`]: the terminal table (optionally coloured) plus [`summary_line`];
//! - [`json`]: the JSON document described by `testdata/schema/matrix-report.schema.json`;
//! - [`markdown`]: a review-document table;
//! - [`html`]: one self-contained page (inline CSS, no scripts, nothing fetched);
//! - [`junit`]: one `<testcase>` per cell for CI dashboards;
//! - [`probe_html`]: the same page style for a single `pgtls probe` diagnosis.
//!
//! Writers return `String`s; writing files is the caller's business.

pub mod guidance;
mod html;
mod junit;
mod markdown;
mod probe;
mod table;

pub use guidance::{guidance, static_guidance, Guidance, Step};
pub use html::html;
pub use junit::junit;
pub use markdown::markdown;
pub use probe::{probe_html, ProbeContext};
pub use table::{summary_line, table, TableOptions};

use crate::model::Report;

/// The JSON document (pretty-printed, newline-terminated).
pub fn json(report: &Report) -> String {
    // Serializing plain data structs with string keys cannot fail.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("could not serialize report: {e}") }).to_string()
    });
    s.push('\n');
    s
}

/// Escapes text for HTML and XML element content and double-quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters even as references; show them visibly.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Milliseconds for humans: `0.8 ms`, `12 ms`, `1.24 s`.
pub(crate) fn human_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}
