//! `pgtls explain` tests: the real binary. Expectations are written by hand.

use std::io::Write as _;
use std::process::{Output, Stdio};

use crate::util::pgtls;

fn explain(args: &[&str]) -> Output {
    pgtls()
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("explain")
        .args(args)
        .output()
        .expect("run pgtls explain")
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

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn json_for_an_azure_style_require_string_says_mitm_depends_on_the_root_file() {
    let out = explain(&[
        "--json",
        "host=mydemo.postgres.database.azure.com port=5432 dbname=citus user=citus password=hunter2x sslmode=require",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["dialect"], "libpq");
    assert_eq!(v["error"], serde_json::Value::Null);
    assert_eq!(v["effective"]["tls"], "required");
    assert_eq!(v["effective"]["verify_chain"], "if-root-file");
    assert_eq!(v["effective"]["verify_hostname"], false);
    assert_eq!(v["effective"]["plaintext_fallback"], false);
    assert_eq!(v["mitm_exposed"], "if-no-root-file");
    assert_eq!(v["password_exposed_to_mitm"], "if-no-root-file");
    assert_eq!(
        v["fix"],
        "user=citus password=******** dbname=citus host=mydemo.postgres.database.azure.com port=5432 sslmode=verify-full"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2x"));
}

#[test]
fn sslmode_required_is_rejected_with_exit_2_and_a_hint() {
    let out = explain(&["--json", "host=db sslmode=required"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["error"], r#"invalid sslmode value: "required""#);
    assert!(v["hint"]
        .as_str()
        .is_some_and(|h| h.contains("node-postgres")));
    assert_eq!(v["effective"], serde_json::Value::Null);
}

#[test]
fn human_output_names_the_verdict_lines() {
    let out = explain(&["jdbc:postgresql://db:5432/app?sslmode=require&password=hunter2x"]);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out);
    for line in [
        "dialect:            pgjdbc (detected; --dialect to force another)",
        "TLS:                required (first attempt: TLS)",
        "chain verified:     no (roots: none)",
        "host name verified: no",
        "plaintext fallback: no",
        "MITM accepted:      YES",
        "password to a MITM: YES",
        "fix (verify-full):  jdbc:postgresql://db:5432/app?password=********&sslmode=verify-full",
    ] {
        assert!(t.contains(line), "missing {line:?} in:\n{t}");
    }
    assert!(!t.contains("hunter2x"));
}

#[test]
fn dialect_can_be_forced_and_is_reported_as_forced() {
    let out = explain(&[
        "--json",
        "--dialect",
        "asyncpg",
        "postgresql://db/app?sslmode=prefer",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["dialect"], "asyncpg");
    assert_eq!(v["dialect_detected"], false);
    assert_eq!(v["effective"]["verify_chain"], false);
}

#[test]
fn driver_version_selects_the_row_for_that_release() {
    let out = explain(&[
        "--json",
        "--driver-version",
        "7.0",
        "Host=db;SSL Mode=Require",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["driver_version_assumed"], "7.0");
    assert!(v["error"]
        .as_str()
        .is_some_and(|e| e.starts_with("To validate server certificates")));
    let out = explain(&["--json", "Host=db;SSL Mode=Require"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["mitm_exposed"], true);
}

#[test]
fn node_postgres_require_is_verify_full() {
    let out = explain(&[
        "--json",
        "--dialect",
        "node-postgres",
        "postgres://u:pw@db/app?sslmode=require",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["effective"]["verify_chain"], true);
    assert_eq!(v["effective"]["verify_hostname"], true);
    assert_eq!(v["mitm_exposed"], false);
}

#[test]
fn the_string_can_come_from_stdin() {
    let mut child = pgtls()
        .env_clear()
        .args(["explain", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"postgresql://u:hunter2x@db/app?sslmode=verify-full\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["dialect"], "libpq-uri");
    assert_eq!(v["mitm_exposed"], false);
    assert_eq!(
        v["input"],
        "postgresql://u:********@db/app?sslmode=verify-full"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2x"));
}

#[test]
fn an_unknown_dialect_is_a_usage_error() {
    let out = explain(&["--dialect", "mysql", "host=db"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown dialect"));
}

#[test]
fn a_missing_connection_string_is_a_usage_error() {
    let out = explain(&[]);
    assert_eq!(out.status.code(), Some(2));
}
