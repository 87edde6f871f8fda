//! `pgtls`: tells, on the wire and with evidence, whether a PostgreSQL connection's TLS is safe.
//!
//! This binary is thin (as ripgrep's `main.rs` is): it parses arguments, calls one subcommand's
//! `run`, prints errors with their whole chain and maps the result to a documented exit code.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Exit codes shared by every subcommand (also listed in README.md and `--help`).
pub mod exit {
    /// Accepted / every cell matched / success.
    pub const OK: u8 = 0;
    /// Rejected (probe) / at least one cell mismatched (matrix).
    pub const FAILED: u8 = 1;
    /// Usage error, unreadable or invalid input file, or a connection string the client rejects.
    pub const USAGE: u8 = 2;
}

const AFTER_HELP: &str = "\
Exit codes:
  0  accepted / every matrix cell matched / success
  1  rejected (probe) / at least one matrix cell did not match (matrix)
  2  usage error, unreadable or invalid input, or a string the client itself rejects";

#[derive(Parser)]
#[command(name = "pgtls", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every scenario in every sslmode against the in-process coordinator and compare.
    Matrix(cmd::matrix::Args),
    /// Connect to a server and decide exactly as libpq would, then explain the decision.
    Probe(cmd::probe::Args),
    /// Explain what a connection string (libpq, JDBC, Npgsql, node-postgres...) really means for TLS.
    Explain(cmd::explain::Args),
    /// Serve one scenario as a mock PostgreSQL coordinator.
    Serve(cmd::serve::Args),
    /// List the scenario catalog.
    Scenarios(cmd::scenarios::Args),
    /// Print certificate fingerprints exactly as `openssl x509 -noout -fingerprint` does.
    Fingerprint(cmd::fingerprint::Args),
    /// Open full connections as fast as allowed and report connections/s and phase latencies.
    Load(cmd::load::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("pgtls: error: {err:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Matrix(args) => cmd::matrix::run(args),
        Command::Probe(args) => cmd::probe::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Scenarios(args) => cmd::scenarios::run(args),
        Command::Fingerprint(args) => cmd::fingerprint::run(args),
        Command::Load(args) => cmd::load::run(args),
    }
}
