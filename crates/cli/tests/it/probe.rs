//! `pgtls probe` tests: the real binary, isolated from the invoking user's environment.

use std::path::Path;
use std::process::Output;

use pgtls_coordinator::peers::{PgBinaries, RealPostgres, RealPostgresConfig, ServerTls};
use pgtls_pki::{CertSpec, OffsetDateTime, Pki};

use crate::util::pgtls;

fn probe(home: &Path, args: &[&str]) -> Output {
    pgtls()
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PGPASSFILE", home.join("no-pgpass"))
        .arg("probe")
        .args(args)
        .output()
        .expect("run pgtls probe")
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

#[test]
fn probe_rejects_an_invalid_sslmode_with_libpq_text_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let out = probe(home.path(), &["host=127.0.0.1 sslmode=required"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid sslmode value: \"required\""),
        "{stderr}"
    );
}

#[test]
fn probe_rejects_a_malformed_fingerprint_with_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let out = probe(
        home.path(),
        &["--expect-fingerprint", "zz", "host=127.0.0.1"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn probe_json_reports_a_refused_connection_as_libpq_and_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let conninfo = format!("host=127.0.0.1 port={port} user=u password=hunter2 sslmode=disable");
    let out = probe(home.path(), &["--json", &conninfo]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&out);
    assert_eq!(v["verdict"], "rejected");
    assert!(v["transport"].is_null());
    assert_eq!(
        v["message"],
        format!(
            "connection to server at \"127.0.0.1\", port {port} failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?"
        )
    );
    assert!(v["attempts"].is_array());
    assert!(v["chain"].is_array());
    assert!(v.get("tls").is_some());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("hunter2"), "password leaked: {text}");
    assert!(text.contains("password=********"), "{text}");
}

struct Server {
    pg: RealPostgres,
    _dir: tempfile::TempDir,
    ca: String,
    leaf_sha256: String,
    root_sha256: String,
}

fn server(test: &str) -> Option<Server> {
    let bins = PgBinaries::find_or_skip(test)?;
    let pki = Pki::new(OffsetDateTime::now_utc());
    let root = pki.root("pgtls cli test root").unwrap();
    let leaf = pki.issue(&CertSpec::server("localhost"), &root).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.crt");
    std::fs::write(&ca, root.pem()).unwrap();
    let pg = RealPostgres::start(
        &bins,
        &RealPostgresConfig {
            tls: Some(ServerTls {
                cert_chain_pem: leaf.pem(),
                key_pem: leaf.key_pem(),
                client_ca_pem: None,
            }),
            hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()],
            users: vec![("alice".into(), "pw-alice".into())],
            extra_conf: vec![],
        },
    )
    .expect("start postgres");
    Some(Server {
        pg,
        ca: ca.display().to_string(),
        leaf_sha256: leaf.details().unwrap().sha256_fingerprint,
        root_sha256: root.details().unwrap().sha256_fingerprint,
        _dir: dir,
    })
}

#[test]
fn probe_accepts_verify_full_against_real_postgres_and_pins_leaf_or_root() {
    let Some(s) =
        server("cli::probe::probe_accepts_verify_full_against_real_postgres_and_pins_leaf_or_root")
    else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let conninfo = format!(
        "host=localhost port={} user=alice dbname=postgres password=pw-alice sslmode=verify-full sslrootcert={}",
        s.pg.port(),
        s.ca
    );
    let out = probe(home.path(), &["--json", &conninfo]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json(&out);
    assert_eq!(v["verdict"], "accepted");
    assert_eq!(v["transport"], "tls");
    assert!(v["message"].is_null());
    assert_eq!(v["tls"]["sni"], "localhost");
    assert_eq!(v["tls"]["alpn_offered"][0], "postgresql");
    assert_eq!(v["chain"][0]["sha256_fingerprint"], s.leaf_sha256.as_str());

    for pin in [&s.leaf_sha256, &s.root_sha256] {
        let out = probe(home.path(), &["--expect-fingerprint", pin, &conninfo]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let wrong = "00".repeat(32);
    let out = probe(
        home.path(),
        &["--json", "--expect-fingerprint", &wrong, &conninfo],
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "rejected");
    assert!(
        v["secrets_sent"].as_array().is_some_and(|a| a.is_empty()),
        "no secret may be sent to an unpinned server: {v}"
    );
}

#[test]
fn probe_explains_why_require_is_not_enough_in_human_output() {
    let Some(s) = server("cli::probe::probe_explains_why_require_is_not_enough_in_human_output")
    else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let conninfo = format!(
        "host=127.0.0.1 port={} user=alice dbname=postgres password=pw-alice sslmode=require",
        s.pg.port()
    );
    let out = probe(home.path(), &[&conninfo]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ACCEPTED over TLS"), "{text}");
    assert!(
        text.contains("a man in the middle would be accepted"),
        "{text}"
    );
    assert!(text.contains("would fail verify-full"), "{text}");
    assert!(text.contains("sslmode=verify-full sslrootcert="), "{text}");
    assert!(text.contains("connect with host=localhost"), "{text}");
    assert!(!text.contains("pw-alice"), "{text}");
}

#[test]
fn probe_exits_2_when_verify_full_has_no_root_file() {
    let Some(s) = server("cli::probe::probe_exits_2_when_verify_full_has_no_root_file") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let conninfo = format!(
        "host=localhost port={} user=alice dbname=postgres password=pw-alice sslmode=verify-full",
        s.pg.port()
    );
    let out = probe(home.path(), &["--json", &conninfo]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(
        v["message"],
        format!(
            "connection to server at \"localhost\" (127.0.0.1), port {} failed: root certificate file \"{}/.postgresql/root.crt\" does not exist\nEither provide the file or change sslmode to disable server certificate verification.",
            s.pg.port(),
            home.path().display()
        )
    );
}

#[test]
fn probe_html_writes_one_self_contained_page_naming_verdict_and_fingerprint() {
    let Some(s) = server(
        "cli::probe::probe_html_writes_one_self_contained_page_naming_verdict_and_fingerprint",
    ) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let page = home.path().join("probe.html");
    let conninfo = format!(
        "host=localhost port={} user=alice dbname=postgres password=pw-alice sslmode=require",
        s.pg.port()
    );
    let out = probe(home.path(), &["--html", page.to_str().unwrap(), &conninfo]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let html = std::fs::read_to_string(&page).expect("the page was written");
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(
        html.contains(&s.leaf_sha256),
        "the leaf fingerprint is on the page"
    );
    assert!(!html.contains("pw-alice"), "password leaked into the page");
    for attr in ["src=\"http", "href=\"http", "src='http", "href='http"] {
        assert!(
            !html.contains(attr),
            "the page fetches from the network: {attr}"
        );
    }
    assert!(!html.contains("<script src"), "no external scripts");

    let unwritable = home.path().join("no-such-dir").join("probe.html");
    let out = probe(
        home.path(),
        &["--html", unwritable.to_str().unwrap(), &conninfo],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unwritable report file is a usage error"
    );
}
