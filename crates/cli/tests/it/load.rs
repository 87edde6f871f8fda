//! `pgtls load` tests: the real binary against the in-process coordinator (catalog row `valid`)
//! and a real PostgreSQL, checking counts and JSON fields — never times.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;

use pgtls_coordinator::catalog::{self, SslMode, PASSWORD};
use pgtls_coordinator::peers::{PgBinaries, RealPostgres, RealPostgresConfig, ServerTls};
use pgtls_coordinator::Prepared;
use pgtls_pki::{CertSpec, Pki};

use crate::util::pgtls;

/// Runs `pgtls load ARGS` with HOME = `home` and no inherited `PG*` variable.
fn load(home: &Path, args: &[&str]) -> Output {
    pgtls()
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PGPASSFILE", home.join("no-pgpass"))
        .arg("load")
        .args(args)
        .output()
        .expect("run pgtls load")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A `valid` coordinator on its own thread and runtime, stopped on drop.
struct Server {
    addr: SocketAddr,
    pki_dir: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    seen: Option<std::sync::mpsc::Receiver<usize>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn valid() -> Server {
        let prepared = Prepared::scenario(catalog::find("valid").unwrap(), None).unwrap();
        let pki_dir = prepared.pki_dir().unwrap().to_path_buf();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let coordinator = prepared.start().await.unwrap();
                addr_tx.send(coordinator.addr()).unwrap();
                let _ = stop_rx.await;
                let _ = seen_tx.send(coordinator.shutdown().await.len());
            });
        });
        Server {
            addr: addr_rx.recv().unwrap(),
            pki_dir,
            stop: Some(stop_tx),
            seen: Some(seen_rx),
            thread: Some(thread),
        }
    }

    fn conninfo(&self, mode: SslMode) -> String {
        catalog::find("valid")
            .unwrap()
            .client
            .conninfo(&self.pki_dir, self.addr, mode)
    }

    /// Stops the server and returns how many connections it served.
    fn stop(mut self) -> usize {
        let _ = self.stop.take().unwrap().send(());
        let seen = self.seen.take().unwrap().recv().unwrap();
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        seen
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn load_json_counts_every_connection_against_the_coordinator_and_redacts_the_password() {
    let server = Server::valid();
    let home = tempfile::tempdir().unwrap();
    let conninfo = server.conninfo(SslMode::VerifyFull);
    let out = load(
        home.path(),
        &[
            "--connections",
            "10",
            "--concurrency",
            "2",
            "--json",
            &conninfo,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&out);
    assert_eq!(v["attempted"], 10);
    assert_eq!(v["succeeded"], 10);
    assert_eq!(v["failed"], 0);
    assert_eq!(v["concurrency"], 2);
    assert_eq!(v["connections_limit"], 10);
    assert_eq!(v["duration_limit_s"], serde_json::Value::Null);
    assert_eq!(v["stopped_by"], "count");
    assert_eq!(v["errors"], serde_json::json!([]));
    for phase in ["tcp", "ssl_negotiation", "tls", "auth", "total"] {
        assert_eq!(v["phases"][phase]["count"], 10, "{phase}");
        for field in ["min_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms"] {
            assert!(v["phases"][phase][field].is_number(), "{phase}.{field}");
        }
    }
    assert!(v["connections_per_s"].is_number());
    let target = v["target"].as_str().unwrap();
    assert!(target.contains("password=********"), "{target}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    // Not a terminal: no progress line.
    assert!(!stderr.contains('\r'), "{stderr}");
    assert_eq!(server.stop(), 10);
}

#[test]
fn load_human_report_lists_the_phases() {
    let server = Server::valid();
    let home = tempfile::tempdir().unwrap();
    let conninfo = server.conninfo(SslMode::Require);
    let out = load(home.path(), &["-n", "3", &conninfo]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 connections (3 ok, 0 failed)"),
        "{stdout}"
    );
    for label in ["tcp", "ssl negotiation", "tls", "auth", "total"] {
        assert!(stdout.contains(label), "{label} in {stdout}");
    }
    assert!(!stdout.contains(PASSWORD));
}

#[test]
fn load_counts_failures_by_libpq_message_and_exits_1() {
    let server = Server::valid();
    let home = tempfile::tempdir().unwrap();
    let conninfo = format!(
        "{} password=wrong-password",
        server.conninfo(SslMode::VerifyFull)
    );
    let out = load(home.path(), &["--connections", "4", "--json", &conninfo]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&out);
    assert_eq!(
        (v["attempted"].as_u64(), v["failed"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(v["errors"][0]["count"], 4);
    let message = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert_eq!(v["phases"]["total"], serde_json::Value::Null);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("wrong-password"));
}

#[test]
fn load_rejects_an_invalid_conninfo_with_libpq_text_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let out = load(home.path(), &["-n", "1", "host=127.0.0.1 sslmode=required"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid sslmode value: \"required\""),
        "{stderr}"
    );
}

#[test]
fn load_rejects_zero_concurrency_as_usage() {
    let home = tempfile::tempdir().unwrap();
    let out = load(home.path(), &["-c", "0", "host=127.0.0.1"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn load_against_real_postgres_reports_every_connection_in_json() {
    let test = "cli::load::load_against_real_postgres_reports_every_connection_in_json";
    let Some(bins) = PgBinaries::find_or_skip(test) else {
        return;
    };
    let pki = Pki::now_utc();
    let root = pki.root("pgtls load cli Root CA").unwrap();
    let leaf = pki
        .issue(&CertSpec::server("localhost").ip([127, 0, 0, 1]), &root)
        .unwrap();
    let pg = RealPostgres::start(
        &bins,
        &RealPostgresConfig {
            tls: Some(ServerTls {
                cert_chain_pem: leaf.pem(),
                key_pem: leaf.key_pem(),
                client_ca_pem: None,
            }),
            hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()],
            users: vec![("loader".into(), "cli-load-secret".into())],
            extra_conf: Vec::new(),
        },
    )
    .expect("start postgres");
    let home = tempfile::tempdir().unwrap();
    let root_file = home.path().join("root.crt");
    std::fs::write(&root_file, root.pem()).unwrap();
    let conninfo = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=loader dbname=postgres \
         password=cli-load-secret sslmode=verify-full sslrootcert={}",
        pg.port(),
        root_file.display()
    );
    let out = load(home.path(), &["-n", "6", "-c", "2", "--json", &conninfo]);
    assert_eq!(out.status.code(), Some(0), "{out:?}\n{}", pg.log());
    let v = json(&out);
    assert_eq!(
        (v["attempted"].as_u64(), v["succeeded"].as_u64()),
        (Some(6), Some(6))
    );
    for phase in ["tcp", "ssl_negotiation", "tls", "auth", "total"] {
        assert_eq!(v["phases"][phase]["count"], 6, "{phase}");
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains("cli-load-secret"));
}
