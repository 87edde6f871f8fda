//! `pgtls load`: open full connections as fast as allowed and report connections/s and latency
//! percentiles per phase (TCP, SSL negotiation, TLS, auth).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::Context as _;
use pgtls_conninfo::Env;
use pgtls_load::{Plan, ProbeConnector};
use pgtls_probe::ProbeOptions;

use crate::exit;

const AFTER_HELP: &str = "\
Each connection goes from nothing to ReadyForQuery exactly as `pgtls probe` (and libpq) would
with these settings, then closes. The run stops at whichever bound comes first: --connections
attempts, or --duration seconds (10 s when neither is given). The client runs on one thread
(like pgbench -j 1); --concurrency sets how many connections are in flight at once.

Latencies are those of successful connections; percentiles are nearest-rank (every value is one
that was observed). A progress line is printed on stderr when it is a terminal.

Exit codes: 0 every connection succeeded, 1 at least one failed, 2 usage error or a connection
string the client rejects.";

/// Arguments of `pgtls load`.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Stop after this many connection attempts.
    #[arg(long, short = 'n', value_name = "N")]
    connections: Option<u64>,
    /// Connections in flight at once.
    #[arg(long, short = 'c', value_name = "C", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
    /// Start no new connection after this many seconds (default 10 without --connections).
    #[arg(long, short = 'd', value_name = "S")]
    duration: Option<f64>,
    /// An attempt that takes longer than this many seconds counts as an error (when the
    /// connection string sets no connect_timeout).
    #[arg(long, value_name = "S", default_value_t = 10.0)]
    timeout: f64,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// The connection string (libpq keyword/value or URI; other clients' dialects as `pgtls probe`
    /// accepts them).
    conninfo: String,
}

fn seconds(what: &str, s: f64) -> anyhow::Result<Duration> {
    if !s.is_finite() || !(0.0..=1e7).contains(&s) {
        anyhow::bail!("invalid {what} {s}: expected seconds between 0 and 10000000");
    }
    Ok(Duration::from_secs_f64(s))
}

/// Runs `pgtls load`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let env = Env::from_process();
    let settings = match pgtls_conninfo::explain::to_libpq_settings(&args.conninfo, None, &env) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pgtls load: {e}");
            return Ok(exit::USAGE);
        }
    };
    let duration = match (args.duration, args.connections) {
        (Some(d), _) => Some(seconds("--duration", d)?),
        (None, None) => Some(Duration::from_secs(10)),
        (None, Some(_)) => None,
    };
    let attempt_timeout = seconds("--timeout", args.timeout)?;
    let plan = Plan {
        connections: args.connections,
        concurrency: usize::try_from(args.concurrency).context("--concurrency")?,
        duration,
        // The probe bounds each attempt too; this outer bound also covers multi-host fallbacks.
        attempt_timeout: attempt_timeout
            .saturating_mul(2)
            .max(Duration::from_secs(1)),
        progress_every: Duration::from_secs(1),
    };
    let target = settings.redacted();
    let opts = ProbeOptions {
        io_timeout: attempt_timeout,
        ..ProbeOptions::default()
    };
    let connector = ProbeConnector::new(settings, opts);

    let tty = std::io::stderr().is_terminal();
    let progress = |p: &pgtls_load::Progress| {
        if tty {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{}", pgtls_load::text::progress_line(p));
            let _ = err.flush();
        }
    };
    let result = pgtls_load::run_blocking(connector, &plan, progress);
    if tty {
        // Clear the progress line whatever happened.
        let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
    }
    let mut report = result.context("load run")?;
    report.target = target;

    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report).context("writing JSON")?;
        writeln!(out).context("writing JSON")?;
    } else {
        print!("{}", pgtls_load::text::render(&report));
    }
    Ok(if report.failed == 0 {
        exit::OK
    } else {
        exit::FAILED
    })
}
