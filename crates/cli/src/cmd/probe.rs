//! `pgtls probe`: connect as libpq would, then explain the decision.

use std::io::Write as _;

use anyhow::Context as _;
use pgtls_conninfo::explain::{detect, Dialect};
use pgtls_conninfo::{Env, Settings};
use pgtls_probe::{parse_fingerprint, Diagnosis, ProbeOptions, Verdict};

use crate::exit;

const AFTER_HELP: &str = "\
The connection string is read exactly as libpq reads it (keyword/value or URI), completed from the
PG* environment variables and libpq's defaults (~/.postgresql/root.crt, sslmode=prefer, port 5432).
JDBC (jdbc:postgresql://...) and Npgsql (Host=...;SSL Mode=...) strings are translated to the
closest libpq settings first.

Exit codes:
  0  libpq would connect with these settings (and the pinned fingerprint matched, if given)
  1  libpq would not connect (or the pinned fingerprint is not in the server's chain)
  2  usage error, a connection string libpq rejects, or a local file problem (root file,
     client certificate or key)";

/// Arguments of `pgtls probe`.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Print one JSON object instead of the human report.
    #[arg(long)]
    json: bool,

    /// Require this SHA-256 fingerprint (hex, colons optional) to be the server certificate or
    /// a CA of its chain; the probe refuses to authenticate otherwise.
    #[arg(long, value_name = "HEX")]
    expect_fingerprint: Option<String>,

    /// Also write the diagnosis as one self-contained HTML page (no network fetches) to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<std::path::PathBuf>,

    /// Give up on an attempt after this many seconds when connect_timeout is not set.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,

    /// The connection string (empty: only the environment and defaults, as `psql` with no
    /// arguments).
    #[arg(value_name = "CONNINFO", default_value = "")]
    conninfo: String,
}

fn settings(input: &str, env: &Env) -> Result<Settings, String> {
    let result = match detect(input.trim()) {
        Dialect::Libpq | Dialect::LibpqUri => Settings::from_conninfo(input, env),
        _ => pgtls_conninfo::explain::to_libpq_settings(input, None, env),
    };
    result.map_err(|e| e.to_string())
}

/// Runs `pgtls probe`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    if let Some(fp) = &args.expect_fingerprint {
        if let Err(e) = parse_fingerprint(fp) {
            eprintln!("pgtls probe: {e}");
            return Ok(exit::USAGE);
        }
    }
    let env = Env::from_process();
    let settings = match settings(&args.conninfo, &env) {
        Ok(s) => s,
        Err(e) => {
            if args.json {
                let v = serde_json::json!({
                    "verdict": "rejected",
                    "transport": null,
                    "message": e,
                    "attempts": [],
                    "chain": [],
                    "tls": null,
                    "local_error": true,
                });
                println!("{v}");
            } else {
                eprintln!("pgtls probe: {e}");
            }
            return Ok(exit::USAGE);
        }
    };
    let opts = ProbeOptions {
        expect_fingerprint: args.expect_fingerprint.clone(),
        io_timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        scram_nonce: None,
        default_passfile: env.home().map(|h| h.join(".pgpass")),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let diagnosis = runtime.block_on(pgtls_probe::probe(&settings, &opts));
    if let Some(path) = &args.html {
        let page = pgtls_matrix::render::probe_html(
            &diagnosis,
            &pgtls_matrix::render::ProbeContext::now(),
        );
        if let Err(e) = std::fs::write(path, page) {
            eprintln!("pgtls probe: cannot write {}: {e}", path.display());
            return Ok(exit::USAGE);
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &diagnosis).context("writing JSON")?;
        writeln!(out)?;
    } else {
        write!(out, "{}", diagnosis.render_human())?;
    }
    Ok(exit_code(&diagnosis))
}

fn exit_code(d: &Diagnosis) -> u8 {
    let pin_failed = d.pin.as_ref().is_some_and(|p| !p.matched);
    match d.verdict {
        Verdict::Accepted if !pin_failed => exit::OK,
        Verdict::Rejected if d.local_error => exit::USAGE,
        _ => exit::FAILED,
    }
}
