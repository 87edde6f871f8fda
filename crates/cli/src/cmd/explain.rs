//! `pgtls explain [--json] [--dialect D] [--driver-version V] CONNSTR`: what a connection string
//! written for libpq, pgjdbc, Npgsql, node-postgres, psycopg, asyncpg, sqlx or tokio-postgres
//! really means for TLS. No network I/O; secrets are redacted in every output.

use std::io::{Read as _, Write as _};

use anyhow::Context as _;
use pgtls_conninfo::explain::{
    explain, ChainCheck, Dialect, ExplainOptions, Explanation, Exposure, Tls,
};

use crate::exit;

/// Connection strings longer than this are refused (libpq has no limit; 1 MiB is plenty).
const MAX_INPUT_LEN: u64 = 1024 * 1024;

/// Arguments of `pgtls explain`.
#[derive(clap::Args)]
#[command(after_help = "\
Dialects: libpq (keyword/value), libpq-uri, pgjdbc (jdbc:postgresql://...), npgsql \
(Host=...;SSL Mode=...), node-postgres, psycopg, asyncpg, sqlx, tokio-postgres. The dialect is \
detected unless --dialect is given (psycopg, asyncpg and tokio-postgres read the same URIs as \
libpq and are never guessed).
Pass - as CONNSTR to read the string from standard input (keeps passwords out of argv).
Exit status: 0 when the client accepts the string, 2 when the client itself rejects it (its \
own message is printed) or on a usage error.")]
pub struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Read the string as this client does instead of guessing.
    #[arg(long, value_name = "DIALECT", value_parser = parse_dialect)]
    dialect: Option<Dialect>,
    /// Describe this driver version (e.g. 15 for libpq, 42.2.4 for pgjdbc, 7.0 for Npgsql, 7 for
    /// node-postgres); default: the current major.
    #[arg(long, value_name = "VERSION")]
    driver_version: Option<String>,
    /// The connection string (or - for standard input).
    #[arg(value_name = "CONNSTR")]
    connstr: String,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
}

/// Runs `pgtls explain`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let input = if args.connstr == "-" {
        let mut s = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_LEN + 1)
            .read_to_string(&mut s)
            .context("reading the connection string from standard input")?;
        anyhow::ensure!(
            s.len() as u64 <= MAX_INPUT_LEN,
            "connection string longer than {MAX_INPUT_LEN} bytes"
        );
        s.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        args.connstr
    };
    let e = explain(
        &input,
        &ExplainOptions {
            dialect: args.dialect,
            driver_version: args.driver_version,
        },
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        let text = serde_json::to_string_pretty(&e).context("serialising the explanation")?;
        writeln!(out, "{text}").context("writing to stdout")?;
    } else {
        write_human(&mut out, &e).context("writing to stdout")?;
    }
    out.flush().context("writing to stdout")?;
    Ok(if e.error.is_some() {
        exit::USAGE
    } else {
        exit::OK
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn exposure(e: Exposure) -> &'static str {
    match e {
        Exposure::Yes => "YES",
        Exposure::No => "no",
        Exposure::IfNoRootFile => "YES unless the root certificate file exists",
    }
}

fn write_human(out: &mut impl std::io::Write, e: &Explanation) -> std::io::Result<()> {
    writeln!(
        out,
        "dialect:            {} ({})",
        e.dialect,
        if e.dialect_detected {
            "detected; --dialect to force another"
        } else {
            "forced"
        }
    )?;
    writeln!(
        out,
        "driver:             {} {} (assumed; --driver-version to change)",
        e.driver, e.driver_version_assumed
    )?;
    writeln!(out, "input:              {}", e.input)?;
    if let Some(err) = &e.error {
        writeln!(out, "rejected by the client: {err}")?;
        if let Some(h) = &e.hint {
            writeln!(out, "hint:               {h}")?;
        }
    }
    if let Some(m) = &e.mode {
        writeln!(out, "mode:               {m}")?;
    }
    if let Some(p) = &e.effective {
        let tls = match p.tls {
            Tls::Never => "never (plaintext)",
            Tls::Optional => "optional",
            Tls::Required => "required",
        };
        writeln!(
            out,
            "TLS:                {tls} (first attempt: {})",
            match p.first_transport {
                pgtls_conninfo::Transport::Plaintext => "plaintext",
                pgtls_conninfo::Transport::Tls => "TLS",
            }
        )?;
        let chain = match p.verify_chain {
            ChainCheck::Yes => "yes",
            ChainCheck::No => "no",
            ChainCheck::IfRootFile => "only if the root certificate file exists",
        };
        writeln!(out, "chain verified:     {chain} (roots: {})", p.ca_store)?;
        writeln!(out, "host name verified: {}", yes_no(p.verify_hostname))?;
        writeln!(out, "plaintext fallback: {}", yes_no(p.plaintext_fallback))?;
    }
    if let Some(m) = e.mitm_exposed {
        writeln!(out, "MITM accepted:      {}", exposure(m))?;
    }
    if let Some(p) = e.password_exposed_to_mitm {
        writeln!(out, "password to a MITM: {}", exposure(p))?;
    }
    if let Some(f) = &e.fix {
        writeln!(out, "fix (verify-full):  {f}")?;
    }
    if let Some(l) = &e.libpq_equivalent {
        writeln!(out, "libpq equivalent:   {l}")?;
    }
    if !e.notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in &e.notes {
            writeln!(out, "  - {n}")?;
        }
    }
    writeln!(out, "sources:")?;
    for s in &e.sources {
        writeln!(out, "  - {s}")?;
    }
    Ok(())
}
