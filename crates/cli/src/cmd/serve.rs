//! `pgtls serve --scenario NAME [--listen ADDR] [--pki-dir DIR]`: one catalog scenario as a
//! mock PostgreSQL coordinator, printing a JSON transcript line per finished connection.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use pgtls_coordinator::catalog::{self, SslMode};
use pgtls_coordinator::{Coordinator, Prepared};

use crate::exit;

const AFTER_HELP: &str = "\
The client-side files (root.crt, and client.crt/client.key, root.crl... when the scenario uses
them) are written into --pki-dir (created if missing) or into a temporary directory whose path
is printed on stderr and which is removed when the server stops.

stdout: the first line is `listening on IP:PORT`; then one JSON transcript per finished
connection (what arrived before TLS, the SSL answer, the TLS outcome or the client's alert,
startup parameters, the authentication exchange, credentials exposed — never their values —
and why the connection closed). SIGINT or SIGTERM stops the server cleanly (exit 0).

Exit codes:
  0  stopped by a signal
  2  unknown scenario, unusable --pki-dir or --listen address";

/// Arguments of `pgtls serve`.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The scenario to serve (`pgtls scenarios` lists them).
    #[arg(long, value_name = "NAME")]
    scenario: String,

    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,

    /// Directory for the client-side files (created if missing; default: a temporary one).
    #[arg(long, value_name = "DIR")]
    pki_dir: Option<PathBuf>,

    /// Log each connection's progress on stderr.
    #[arg(long, short)]
    verbose: bool,
}

/// Runs `pgtls serve`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let Some(row) = catalog::find(&args.scenario) else {
        eprintln!(
            "pgtls: serve: unknown scenario {:?} (run `pgtls scenarios` for the list)",
            args.scenario
        );
        return Ok(exit::USAGE);
    };
    if args.verbose {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::DEBUG)
            .try_init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let prepared = Prepared::scenario(row, args.pki_dir.as_deref())
            .with_context(|| format!("preparing scenario {}", row.name))?;
        let pki_dir = prepared
            .pki_dir()
            .map(|p| p.to_path_buf())
            .context("a catalog scenario has a PKI directory")?;
        let coordinator = prepared
            .start_at(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let addr = coordinator.addr();
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {addr}").context("writing to stdout")?;
            out.flush().context("writing to stdout")?;
        }
        if args.pki_dir.is_none() {
            eprintln!(
                "pgtls: serve: client files in temporary directory {}",
                pki_dir.display()
            );
        }
        eprintln!("pgtls: serve: scenario {}: {}", row.name, row.summary);
        eprintln!(
            "pgtls: serve: try: psql \"{}\"",
            row.client
                .conninfo_redacted(&pki_dir, addr, SslMode::VerifyFull)
        );
        serve_until_signal(coordinator).await
    })
}

async fn serve_until_signal(mut coordinator: Coordinator) -> anyhow::Result<u8> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("installing the SIGINT handler")?;
    loop {
        tokio::select! {
            t = coordinator.next_transcript() => match t {
                Some(t) => print_line(&t.to_json_line())?,
                None => break,
            },
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    for t in coordinator.shutdown().await {
        print_line(&t.to_json_line())?;
    }
    eprintln!("pgtls: serve: stopped");
    Ok(exit::OK)
}

fn print_line(line: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").context("writing to stdout")?;
    out.flush().context("writing to stdout")
}
