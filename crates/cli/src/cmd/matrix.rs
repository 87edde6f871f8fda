//! `pgtls matrix`: every catalog scenario in every sslmode, compared with the catalog.

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use pgtls_matrix::client::Client;
use pgtls_matrix::model::Report;
use pgtls_matrix::render::{self, TableOptions};
use pgtls_matrix::{runner, Options, Progress};

use crate::exit;

const AFTER_HELP: &str = "\
Each cell starts its own in-process mock coordinator for the scenario on 127.0.0.1, connects with
the scenario's client context plus sslmode=<column>, and compares what the client ended up with
(tls / plain / REJECT) and whether the password reached the server with the catalog's hand-written
expectation. Cells: `!` a password reached an attacker, `*` observed differs from expected,
`n/a` the client cannot express the cell (e.g. psql 15 and a libpq 16+ parameter).

Clients:
  probe               pgtls's libpq-faithful probe, in process (default)
  psql                real psql: exit status, and `SSL connection` in \\conninfo means TLS
  'CMD ARGS {conninfo}'
                      any command; {conninfo} is replaced by the keyword/value string (also in
                      $PGTLS_CONNINFO, sslmode in $PGTLS_SSLMODE). Exit 0 = connected; print
                      `transport=tls` / `SSL connection` or `transport=plaintext` to say how,
                      otherwise the coordinator's transcript decides. Run without a shell, with
                      an empty HOME and no inherited PG* variables.

Exit codes:
  0  every cell matched its expectation (n/a cells do not count)
  1  at least one cell did not match, or could not be run
  2  usage error (unknown scenario or sslmode, bad --client), or a report file could not be written";

/// Arguments of `pgtls matrix`.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Who connects: `probe`, `psql`, or a command template containing {conninfo}.
    #[arg(long, value_name = "CLIENT", default_value = "probe")]
    client: String,

    /// Only this scenario (repeat or comma-separate for several; see `pgtls scenarios`).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    scenario: Vec<String>,

    /// Only this sslmode (repeat or comma-separate for several).
    #[arg(long, value_name = "MODE", value_delimiter = ',')]
    sslmode: Vec<String>,

    /// Write the report as JSON (schema: testdata/schema/matrix-report.schema.json).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// Write the report as a Markdown table for a review document.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,

    /// Write the report as one self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,

    /// Write JUnit XML: one testcase per cell (classname = scenario, name = sslmode [variant]).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// Cells run at the same time (default: 4 per CPU).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,

    /// Give up on a cell after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    timeout: u64,

    /// Print only the summary line, not the table.
    #[arg(long)]
    quiet: bool,
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
struct Bar {
    enabled: bool,
    last: usize,
}

impl Bar {
    fn new() -> Bar {
        Bar {
            enabled: std::io::stderr().is_terminal(),
            last: usize::MAX,
        }
    }

    fn update(&mut self, p: &Progress<'_>) {
        if !self.enabled || p.total == 0 {
            return;
        }
        const WIDTH: usize = 30;
        let filled = p.done * WIDTH / p.total;
        if filled == self.last && p.done != p.total {
            return;
        }
        self.last = filled;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {}/{} cells",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            p.done,
            p.total
        );
        let _ = err.flush();
    }

    fn clear(&self) {
        if self.enabled && self.last != usize::MAX {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(60));
            let _ = err.flush();
        }
    }
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn write_file(path: &Path, text: &str, what: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)
        .with_context(|| format!("writing the {what} report to {}", path.display()))
}

/// Runs `pgtls matrix`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let client = Client::parse(&args.client)?;
    // Check the filters before preparing anything, so a typo fails fast.
    runner::select_scenarios(&args.scenario)?;
    runner::select_sslmodes(&args.sslmode)?;
    let mut opts = Options::new(client);
    opts.scenarios = args.scenario.clone();
    opts.sslmodes = args.sslmode.clone();
    if let Some(j) = args.jobs {
        anyhow::ensure!(j > 0, "--jobs must be at least 1");
        opts.concurrency = j;
    }
    opts.cell_timeout = Duration::from_secs(args.timeout.max(1));

    let mut bar = Bar::new();
    let report: Report = runner::run_blocking(&opts, |p| bar.update(&p))?;
    bar.clear();

    if let Some(p) = &args.json {
        write_file(p, &render::json(&report), "JSON")?;
    }
    if let Some(p) = &args.markdown {
        write_file(p, &render::markdown(&report), "Markdown")?;
    }
    if let Some(p) = &args.html {
        write_file(p, &render::html(&report), "HTML")?;
    }
    if let Some(p) = &args.junit {
        write_file(p, &render::junit(&report), "JUnit")?;
    }

    let mut out = std::io::stdout().lock();
    if args.quiet {
        writeln!(out, "{}", render::summary_line(&report))?;
    } else {
        let color = std::io::stdout().is_terminal() && !no_color();
        write!(out, "{}", render::table(&report, TableOptions { color }))?;
    }
    out.flush()?;
    Ok(if report.ok() { exit::OK } else { exit::FAILED })
}
