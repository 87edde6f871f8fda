//! `pgtls scenarios [--json] [NAME]`: the scenario catalog, as a table, one row in detail, or
//! the stable JSON other tools read.

use std::io::Write as _;

use anyhow::Context as _;
use pgtls_coordinator::catalog::{self, Expectations, Scenario, SslMode};

use crate::exit;

const AFTER_HELP: &str = "\
Each scenario is a coordinator setup (certificates, SSLRequest answer, pg_hba rule,
authentication) plus the client context a test uses, and the outcome libpq reaches in each
sslmode: tls, plaintext or rejected; `+` marks modes where the password (or a hash or SCRAM
proof of it) reaches the server. Variants are other client contexts for the same server.
Serve one with `pgtls serve --scenario NAME`.

--json prints an array; each element has name, category, summary, why, libpq (minimum major
version, a string), client {host, hostaddr, user, dbname, password, sslrootcert, params},
expect {disable, allow, prefer, require, verify-ca, verify-full} -> tls|plaintext|rejected,
password_reaches_server {same keys} -> bool, server, pki and variants (name, summary, libpq,
client, expect, password_reaches_server). File names in client are inside the PKI directory.

Exit codes:
  0  listed
  2  unknown scenario name";

/// Arguments of `pgtls scenarios`.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Print the catalog (or the one scenario) as JSON.
    #[arg(long)]
    json: bool,

    /// Show only this scenario, in detail.
    #[arg(value_name = "NAME")]
    name: Option<String>,
}

/// Runs `pgtls scenarios`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    match list(args) {
        // `pgtls scenarios | head`: a closed pipe is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.downcast_ref::<serde_json::Error>()
                        .and_then(|j| j.io_error_kind())
                        == Some(std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Ok(exit::OK)
        }
        other => other,
    }
}

fn list(args: Args) -> anyhow::Result<u8> {
    let rows: Vec<&Scenario> = match &args.name {
        Some(name) => match catalog::find(name) {
            Some(row) => vec![row],
            None => {
                eprintln!(
                    "pgtls: scenarios: unknown scenario {name:?} (run `pgtls scenarios` for the list)"
                );
                return Ok(exit::USAGE);
            }
        },
        None => catalog::all().iter().collect(),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let listing: Vec<_> = rows.iter().map(|r| r.listing()).collect();
        serde_json::to_writer_pretty(&mut out, &listing).context("writing JSON")?;
        writeln!(out).context("writing to stdout")?;
    } else if args.name.is_some() {
        for row in rows {
            detail(&mut out, row).context("writing to stdout")?;
        }
    } else {
        table(&mut out, &rows).context("writing to stdout")?;
    }
    out.flush().context("writing to stdout")?;
    Ok(exit::OK)
}

fn cells(e: &Expectations) -> Vec<String> {
    e.iter()
        .map(|(_, x)| {
            format!(
                "{}{}",
                x.outcome,
                if x.password_reaches_server { "+" } else { "" }
            )
        })
        .collect()
}

fn table(out: &mut impl std::io::Write, rows: &[&Scenario]) -> std::io::Result<()> {
    let width = rows
        .iter()
        .flat_map(|r| {
            std::iter::once(r.name.len()).chain(r.variants.iter().map(|v| v.name.len() + 2))
        })
        .max()
        .unwrap_or(4)
        .max(4);
    write!(out, "{:<width$}  {:<5}", "NAME", "LIBPQ")?;
    for m in SslMode::ALL {
        write!(out, "  {:<11}", m.as_str())?;
    }
    writeln!(out, "  SUMMARY")?;
    for row in rows {
        write!(out, "{:<width$}  {:<5}", row.name, row.libpq)?;
        for c in cells(&row.expect) {
            write!(out, "  {c:<11}")?;
        }
        writeln!(out, "  {}", row.summary)?;
        for v in &row.variants {
            write!(out, "{:<width$}  {:<5}", format!("  {}", v.name), v.libpq)?;
            for c in cells(&v.expect) {
                write!(out, "  {c:<11}")?;
            }
            writeln!(out, "  {}", v.summary)?;
        }
    }
    writeln!(
        out,
        "\n{} scenarios. `+`: the password (or a hash / SCRAM proof of it) reaches the server.",
        rows.len()
    )
}

fn detail(out: &mut impl std::io::Write, row: &Scenario) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({:?}, libpq {}+)",
        row.name, row.category, row.libpq
    )?;
    writeln!(out, "  {}", row.summary)?;
    writeln!(out, "  why: {}", row.why)?;
    writeln!(out, "  server: {}", row.describe_server())?;
    writeln!(out, "  pki: {}", row.pki.describe())?;
    let contexts = std::iter::once((
        "(row)",
        "the scenario's own client context",
        &row.client,
        &row.expect,
    ))
    .chain(
        row.variants
            .iter()
            .map(|v| (v.name, v.summary, &v.client, &v.expect)),
    );
    for (name, summary, client, expect) in contexts {
        writeln!(out, "  client {name}: {summary}")?;
        let mut parts = vec![format!("host={}", client.host)];
        if let Some(a) = &client.hostaddr {
            parts.push(format!("hostaddr={a}"));
        }
        parts.push(format!("user={} dbname={}", client.user, client.dbname));
        if client.password.is_some() {
            parts.push("password=********".to_owned());
        }
        if let Some(r) = &client.sslrootcert {
            parts.push(format!("sslrootcert=<pki>/{r}"));
        }
        for (k, v) in &client.params {
            if catalog::FILE_PARAMS.contains(&k.as_str()) {
                parts.push(format!("{k}=<pki>/{v}"));
            } else {
                parts.push(format!("{k}={v}"));
            }
        }
        writeln!(out, "    {}", parts.join(" "))?;
        let line: Vec<String> = SslMode::ALL
            .iter()
            .zip(cells(expect))
            .map(|(m, c)| format!("{m}={c}"))
            .collect();
        writeln!(out, "    expect: {}", line.join(" "))?;
    }
    Ok(())
}
