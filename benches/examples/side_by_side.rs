//! The side-by-side run of the README: real PostgreSQL 15 (initdb, TLS, SCRAM) and the pgtls
//! coordinator serving scenario `valid` with the *same* certificate and key, each loaded by
//! `pgtls load` and by `pgbench -C` (libpq) with a one-line `SELECT 1` script, under the same
//! connection settings. Prints a Markdown table with ratios.
//!
//! ```text
//! cargo build --release -p pgtls && cargo run --release -p pgtls-benches --example side_by_side -- \
//!     [--pgtls target/release/pgtls] [--seconds 10] [--sslmode verify-full] [--in-process]
//! ```
//!
//! By default the coordinator is `pgtls serve --scenario valid --pki-dir DIR` started by this
//! program (its transcript lines are read and discarded); `--in-process` runs the same
//! coordinator in this process on its own thread and current-thread runtime instead.
//! Needs PostgreSQL server binaries and pgbench (`/usr/lib/postgresql/15/bin`); runs real
//! PostgreSQL as the `postgres` user when started as root.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use pgtls_coordinator::catalog::{self, PASSWORD};
use pgtls_coordinator::peers::{self, PgBinaries, RealPostgres, RealPostgresConfig, ServerTls};
use pgtls_coordinator::Prepared;

struct Opts {
    pgtls: PathBuf,
    seconds: u32,
    sslmode: String,
    in_process: bool,
}

fn opts() -> Opts {
    let mut o = Opts {
        pgtls: PathBuf::from("target/release/pgtls"),
        seconds: 10,
        sslmode: "verify-full".into(),
        in_process: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args.get(i).map(String::as_str) {
            Some("--pgtls") => o.pgtls = PathBuf::from(value),
            Some("--seconds") => o.seconds = value.parse().expect("--seconds N"),
            Some("--sslmode") => o.sslmode = value,
            Some("--in-process") => {
                o.in_process = true;
                i += 1;
                continue;
            }
            other => panic!("unknown argument {other:?}"),
        }
        i += 2;
    }
    o
}

/// The coordinator in this process, on its own thread.
fn start_coordinator(pki_dir: &Path) -> (SocketAddr, std::thread::JoinHandle<()>) {
    let prepared =
        Prepared::scenario(catalog::find("valid").expect("row"), Some(pki_dir)).expect("prepare");
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let mut c = prepared.start().await.expect("start");
            tx.send(c.addr()).expect("send addr");
            // Serve until the process exits; read transcripts so none is dropped with a warning.
            while c.next_transcript().await.is_some() {}
        });
    });
    (rx.recv().expect("coordinator address"), handle)
}

/// `pgtls serve --scenario valid` as a child process; its stdout (transcripts) is drained by a
/// thread so the server never blocks on a full pipe.
fn start_pgtls_serve(pgtls: &Path, pki_dir: &Path) -> (SocketAddr, std::process::Child) {
    use std::io::BufRead as _;
    let mut child = Command::new(pgtls)
        .args([
            "serve",
            "--scenario",
            "valid",
            "--listen",
            "127.0.0.1:0",
            "--pki-dir",
        ])
        .arg(pki_dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn pgtls serve");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines
        .next()
        .and_then(Result::ok)
        .expect("pgtls serve prints `listening on IP:PORT`");
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line from pgtls serve: {first:?}"));
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (addr, child)
}

/// libpq environment for both clients: the same settings, only the port differs.
fn libpq_env(cmd: &mut Command, home: &Path, port: u16, sslmode: &str, pki_dir: &Path) {
    let row = catalog::find("valid").expect("row");
    peers::isolate_libpq_env(cmd, home);
    cmd.env("PGHOST", &row.client.host)
        .env(
            "PGHOSTADDR",
            row.client.hostaddr.as_deref().unwrap_or("127.0.0.1"),
        )
        .env("PGPORT", port.to_string())
        .env("PGUSER", &row.client.user)
        .env("PGDATABASE", "postgres")
        .env("PGPASSWORD", PASSWORD)
        .env("PGSSLMODE", sslmode)
        .env("PGSSLROOTCERT", pki_dir.join("root.crt"))
        .env("PGCHANNELBINDING", "prefer");
}

struct Run {
    client: &'static str,
    server: &'static str,
    per_s: f64,
    connect_ms: f64,
    errors: u64,
}

fn pgtls_load(o: &Opts, home: &Path, server: &'static str, port: u16, pki_dir: &Path) -> Run {
    let mut cmd = Command::new(&o.pgtls);
    libpq_env(&mut cmd, home, port, &o.sslmode, pki_dir);
    // The conninfo is empty: everything comes from the PG* variables, as for pgbench.
    cmd.args(["load", "--json", "--duration", &o.seconds.to_string(), ""]);
    let out = cmd.output().expect("run pgtls load");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "pgtls load said ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Run {
        client: "pgtls load",
        server,
        per_s: v["connections_per_s"].as_f64().unwrap_or(0.0),
        connect_ms: v["phases"]["total"]["mean_ms"].as_f64().unwrap_or(0.0),
        errors: v["failed"].as_u64().unwrap_or(0),
    }
}

fn pgbench(
    o: &Opts,
    pgbench: &Path,
    home: &Path,
    server: &'static str,
    port: u16,
    pki_dir: &Path,
) -> Run {
    let script = home.join("select1.sql");
    std::fs::write(&script, "SELECT 1;\n").expect("write script");
    let mut cmd = Command::new(pgbench);
    libpq_env(&mut cmd, home, port, &o.sslmode, pki_dir);
    cmd.args([
        "-n",
        "-C",
        "-c",
        "1",
        "-j",
        "1",
        "-T",
        &o.seconds.to_string(),
        "-f",
    ])
    .arg(&script);
    let out = cmd.output().expect("run pgbench");
    let text = String::from_utf8_lossy(&out.stdout);
    let number_after = |prefix: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0)
    };
    if !out.status.success() {
        eprintln!(
            "pgbench against {server} failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Run {
        client: "pgbench -C (libpq)",
        server,
        per_s: number_after("tps = "),
        connect_ms: number_after("average connection time = "),
        errors: number_after("number of failed transactions: ") as u64,
    }
}

fn main() {
    let o = opts();
    let bins = PgBinaries::find().expect("PostgreSQL server binaries (initdb, pg_ctl)");
    let pgbench_bin = peers::find_pg_binary("pgbench").expect("pgbench");
    let home = tempfile::tempdir().expect("temp dir");
    let own_dir = tempfile::tempdir().expect("temp dir");

    let pki_dir = own_dir.path().to_path_buf();
    let mut child = None;
    let (addr, how) = if o.in_process {
        (start_coordinator(&pki_dir).0, "in process")
    } else {
        let (addr, c) = start_pgtls_serve(&o.pgtls, &pki_dir);
        child = Some(c);
        (addr, "`pgtls serve --scenario valid`")
    };
    let read = |name: &str| {
        std::fs::read_to_string(pki_dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let row = catalog::find("valid").expect("row");
    let pg = RealPostgres::start(
        &bins,
        &RealPostgresConfig {
            tls: Some(ServerTls {
                cert_chain_pem: read("server.crt"),
                key_pem: read("server.key"),
                client_ca_pem: None,
            }),
            hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()],
            users: vec![(row.client.user.clone(), PASSWORD.to_owned())],
            extra_conf: vec!["max_connections = 20".into()],
        },
    )
    .expect("start PostgreSQL");
    println!(
        "PostgreSQL {} on port {}, coordinator ({how}) on {addr}; sslmode={}, SCRAM-SHA-256 \
         (channel_binding=prefer), {} s per run, load average before: {}",
        pg.major(),
        pg.port(),
        o.sslmode,
        o.seconds,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    let mut runs = Vec::new();
    for (server, port) in [
        ("PostgreSQL 15", pg.port()),
        ("pgtls coordinator", addr.port()),
    ] {
        runs.push(pgtls_load(&o, home.path(), server, port, &pki_dir));
        runs.push(pgbench(
            &o,
            &pgbench_bin,
            home.path(),
            server,
            port,
            &pki_dir,
        ));
    }
    println!("\n| client | server | connections/s | mean connect (ms) | errors |");
    println!("|---|---|---:|---:|---:|");
    for r in &runs {
        println!(
            "| {} | {} | {:.1} | {:.2} | {} |",
            r.client, r.server, r.per_s, r.connect_ms, r.errors
        );
    }
    let rate = |client: &str, server: &str| {
        runs.iter()
            .find(|r| r.client == client && r.server == server)
            .map_or(0.0, |r| r.per_s)
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let (pl, pb) = ("pgtls load", "pgbench -C (libpq)");
    let (pg15, co) = ("PostgreSQL 15", "pgtls coordinator");
    println!("\nratios (connections/s):");
    println!(
        "- coordinator / PostgreSQL: {:.2} under pgtls load, {:.2} under pgbench",
        ratio(rate(pl, co), rate(pl, pg15)),
        ratio(rate(pb, co), rate(pb, pg15))
    );
    println!(
        "- pgtls load / pgbench: {:.2} against PostgreSQL, {:.2} against the coordinator",
        ratio(rate(pl, pg15), rate(pb, pg15)),
        ratio(rate(pl, co), rate(pb, co))
    );
    println!(
        "load average after: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    if let Some(mut c) = child {
        let _ = c.kill();
        let _ = c.wait();
    }
}
