//! `pgtls-matrix`: runs every catalog scenario in every sslmode and reports the evidence.
//!
//! # What this crate does
//!
//! - **Runs the matrix** ([`runner`]): every scenario of the coordinator's catalog × the six
//!   sslmodes × the scenario's client variants. Each cell starts its own coordinator instance
//!   (from the scenario prepared once) on `127.0.0.1:0`, builds the row's connection string
//!   plus `sslmode=`, lets a client decide — the in-process probe, real psql, or a command
//!   template ([`client`]) — and compares the observed outcome (TLS / plaintext / rejected) and
//!   the credentials the coordinator saw with the catalog's hand-written expectation. Cells run
//!   concurrently, bounded by a semaphore.
//! - **Holds one report model** ([`model::Report`]) that every writer renders ([`render`]): the
//!   terminal table, JSON (documented by `testdata/schema/matrix-report.schema.json`), Markdown,
//!   a self-contained HTML page and JUnit XML; plus an HTML page for a single probe diagnosis.
//!
//! # The HTML page, checked by eye
//!
//! Structural tests check the page (every scenario and cell present, links resolve, nothing
//! fetched). Its rendering is a documented manual check, not a CI test: with Debian's
//! `chromium` installed,
//!
//! ```text
//! pgtls matrix --html /tmp/report.html
//! chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
//!   --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d)" \
//!   --screenshot=testdata/report-screenshot.png --window-size=1280,3300 file:///tmp/report.html
//! ```
//!
//! and look at it: the heat map (rows = scenarios and variants, columns = sslmodes) fits 1280 px,
//! cells where a password reached an attacker are solid red with ⚠, mismatches have a purple
//! frame with ≠ and "expected …", and the "What to use" box follows. The committed
//! `testdata/report-screenshot.png` is such a capture. `--print-to-pdf` shows the print layout
//! (colours kept, navigation hidden).
//!
//! # What it does not do
//!
//! It computes no expectation: outcomes come from the catalog, written by hand. It does not
//! decide TLS itself (the probe or libpq does), does not draw progress bars or write files
//! (the CLI does), and never prints a password: connection strings in reports are redacted.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
mod error;
pub mod model;
pub mod render;
pub mod runner;
pub mod versions;

pub use error::Error;
pub use runner::{run, run_blocking, Options, Progress};
