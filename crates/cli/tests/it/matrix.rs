//! `pgtls matrix` tests: the real binary, exit codes, filters and report files.

use std::path::Path;

use pgtls_coordinator::peers;

use crate::util::{pgtls, run};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn matrix_prints_a_table_and_exits_0_when_every_cell_matches() {
    let out = run(&["matrix", "--scenario", "valid,mitm-strip-ssl"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "scenario",
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full"
        ]
    );
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("mitm-strip-ssl "))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        row,
        [
            "mitm-strip-ssl",
            "plain!",
            "plain!",
            "plain!",
            "REJECT",
            "REJECT",
            "REJECT"
        ]
    );
    assert!(text.lines().any(|l| l.starts_with("valid [no-rootcert]")));
    let summary = text.lines().last().unwrap();
    assert!(summary.starts_with("OK: "), "{summary}");
    assert!(summary.contains("0 mismatch"), "{summary}");
    // Piped stdout: no colour, and no progress bar on a non-terminal stderr.
    assert!(!text.contains('\x1b'));
    assert!(!stderr(&out).contains("cells\r") && !stderr(&out).contains('\r'));
}

#[test]
fn matrix_sslmode_filter_keeps_only_those_columns() {
    let out = run(&[
        "matrix",
        "--scenario",
        "valid",
        "--sslmode",
        "verify-full",
        "--sslmode",
        "prefer",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["scenario", "prefer", "verify-full"],
        "libpq's column order"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("OK: 6 cells, 6 match"),
        "{text}"
    );
    let quiet = run(&[
        "matrix",
        "--scenario",
        "valid",
        "--sslmode",
        "disable",
        "--quiet",
    ]);
    assert_eq!(
        stdout(&quiet).lines().count(),
        1,
        "--quiet prints only the summary"
    );
}

#[test]
fn matrix_unknown_scenario_is_a_usage_error() {
    let out = run(&["matrix", "--scenario", "no-such-scenario"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown scenario \"no-such-scenario\""),
        "{err}"
    );
    assert!(err.contains("valid"), "lists the known names: {err}");
}

#[test]
fn matrix_unknown_sslmode_is_a_usage_error() {
    let out = run(&["matrix", "--sslmode", "required"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown sslmode \"required\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn matrix_client_template_without_placeholder_is_a_usage_error() {
    let out = run(&["matrix", "--client", "mydriver --dsn"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("{conninfo}"), "{}", stderr(&out));
}

#[test]
fn matrix_writes_json_markdown_html_and_junit_from_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let out = pgtls()
        .args(["matrix", "--scenario", "valid,mitm-self-signed", "--json"])
        .arg(p("m.json"))
        .arg("--markdown")
        .arg(p("m.md"))
        .arg("--html")
        .arg(p("m.html"))
        .arg("--junit")
        .arg(p("m.xml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |n: &str| std::fs::read_to_string(p(n)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&read("m.json")).unwrap();
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(
        cells.len(),
        6 * 6,
        "valid: 3 rows, mitm-self-signed: 3 rows"
    );
    assert_eq!(json["tool"]["name"], "pgtls");
    assert_eq!(json["tool"]["libraries"][0]["name"], "rustls");
    assert_eq!(json["client"]["kind"], "probe");
    assert_eq!(
        json["filters"]["scenarios"],
        serde_json::json!(["valid", "mitm-self-signed"])
    );
    for c in cells {
        for key in [
            "scenario",
            "sslmode",
            "variant",
            "expected",
            "observed",
            "message",
            "credentials_exposed",
        ] {
            assert!(c.get(key).is_some(), "cell without {key}: {c}");
        }
        assert_eq!(c["status"], "match");
    }
    let md = read("m.md");
    assert_eq!(md.lines().filter(|l| l.starts_with("| `")).count(), 6);
    let html = read("m.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h3>mitm-self-signed</h3>"));
    assert!(!html.contains("<script"));
    let xml = read("m.xml");
    assert_eq!(xml.matches("<testcase ").count(), 36);
    assert!(xml.contains("classname=\"valid\" name=\"verify-full [no-rootcert]\""));
    // The human table still goes to stdout.
    assert!(stdout(&out).contains("mitm-self-signed"));
}

#[test]
fn matrix_report_file_that_cannot_be_written_is_exit_2() {
    let out = run(&[
        "matrix",
        "--scenario",
        "valid",
        "--sslmode",
        "disable",
        "--json",
        "/nonexistent-dir/x.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent-dir/x.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn matrix_with_a_command_that_never_connects_exits_1() {
    // `true` exits 0 without connecting: the coordinator saw no session, so the cells that
    // should connect are errors and the run fails.
    let out = run(&[
        "matrix",
        "--scenario",
        "valid",
        "--sslmode",
        "prefer",
        "--client",
        "true {conninfo}",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("ERROR*"), "{text}");
    assert!(text.contains("no session reached ReadyForQuery"), "{text}");
}

fn psql_path(test: &str) -> Option<String> {
    peers::psql_or_skip(test).map(|p| p.display().to_string())
}

#[test]
fn matrix_with_psql_through_a_command_template_matches_the_catalog() {
    let Some(psql) = psql_path("matrix_with_psql_through_a_command_template_matches_the_catalog")
    else {
        return;
    };
    let template = format!("{psql} -X -w -d {{conninfo}} -c \\\\conninfo");
    let out = run(&[
        "matrix",
        "--scenario",
        "valid,mitm-strip-ssl,expired-leaf",
        "--client",
        &template,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("client: command"), "{}", stdout(&out));
}

#[test]
fn matrix_with_psql_client_marks_cells_libpq_cannot_express() {
    let Some(_) = psql_path("matrix_with_psql_client_marks_cells_libpq_cannot_express") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("psql.json");
    let out = pgtls()
        .args([
            "matrix",
            "--client",
            "psql",
            "--scenario",
            "valid,direct-tls",
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(&json)).unwrap()).unwrap();
    let major = report["client"]["libpq_major"].as_u64().unwrap();
    let direct: Vec<&serde_json::Value> = report["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["scenario"] == "direct-tls" && c["variant"].is_null())
        .collect();
    assert_eq!(direct.len(), 6);
    if major < 17 {
        // sslnegotiation=direct arrived in libpq 17.
        assert!(
            direct.iter().all(|c| c["status"] == "not_applicable"),
            "{direct:?}"
        );
        assert!(stdout(&out).contains("n/a"));
        assert!(
            stdout(&out).contains(&format!("libpq {major} is too old")),
            "{}",
            stdout(&out)
        );
    }
}
