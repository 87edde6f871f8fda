//! Real psql through the same cells: libpq's own answers must equal the catalog's wherever
//! libpq of that version can express the cell, and the probe's answers cell by cell.

use std::sync::OnceLock;

use pgtls_coordinator::{catalog, peers};
use pgtls_matrix::client::{Client, Psql};
use pgtls_matrix::model::{CellStatus, Report};
use pgtls_matrix::render::{self, TableOptions};
use pgtls_matrix::{run_blocking, Options};

use crate::matrix::probe_report;

/// The psql matrix, run once per test binary; `None` (after a SKIP line) without psql.
fn psql_report(test: &str) -> Option<&'static Report> {
    static REPORT: OnceLock<Option<Report>> = OnceLock::new();
    let report = REPORT.get_or_init(|| {
        let path = peers::find_psql()?;
        let psql = Psql::at(path).expect("psql --version");
        Some(run_blocking(&Options::new(Client::Psql(psql)), |_| {}).expect("matrix runs"))
    });
    if report.is_none() {
        peers::skip(test, "psql");
    }
    report.as_ref()
}

#[test]
fn psql_matches_the_catalog_on_every_cell_its_libpq_can_express() {
    let Some(report) = psql_report("psql_matches_the_catalog_on_every_cell_its_libpq_can_express")
    else {
        return;
    };
    let failures: Vec<String> = report
        .cells
        .iter()
        .filter(|c| c.status.is_failure())
        .map(|c| {
            format!(
                "{} / {}: {}\n    psql: {}",
                c.row_label(),
                c.sslmode,
                c.reason.as_deref().unwrap_or("?"),
                c.message
                    .as_deref()
                    .unwrap_or("-")
                    .replace('\n', "\n          ")
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{}\n\n{}",
        failures.join("\n"),
        render::table(report, TableOptions::default())
    );
    assert!(
        report.summary.matched > report.summary.cells / 2,
        "psql ran most cells"
    );
}

#[test]
fn psql_skips_exactly_the_cells_that_need_a_newer_libpq() {
    let Some(report) = psql_report("psql_skips_exactly_the_cells_that_need_a_newer_libpq") else {
        return;
    };
    let major = report.client.libpq_major.expect("psql major recorded");
    for c in &report.cells {
        let row = catalog::find(&c.scenario).unwrap();
        let case = row
            .cases()
            .into_iter()
            .find(|k| k.variant == c.variant.as_deref())
            .unwrap();
        // The catalog's hand-written minimum libpq decides (the runner also reads the
        // connection string's features: a disagreement means the catalog row is wrong).
        let needs_newer = case.libpq > major;
        assert_eq!(
            c.status == CellStatus::NotApplicable,
            needs_newer,
            "{} / {}: {:?}",
            c.row_label(),
            c.sslmode,
            c.reason
        );
        if c.status == CellStatus::NotApplicable {
            assert!(c
                .reason
                .as_deref()
                .unwrap_or("")
                .starts_with(&format!("libpq {major} is too old")));
        }
    }
}

#[test]
fn psql_and_the_probe_agree_cell_by_cell() {
    let Some(psql) = psql_report("psql_and_the_probe_agree_cell_by_cell") else {
        return;
    };
    let probe = probe_report();
    let mut compared = 0;
    for c in psql
        .cells
        .iter()
        .filter(|c| c.status != CellStatus::NotApplicable)
    {
        let p = probe
            .cell(&c.scenario, c.variant.as_deref(), &c.sslmode)
            .expect("the probe ran the same cell");
        assert_eq!(
            c.observed,
            p.observed,
            "{} / {}: psql vs probe",
            c.row_label(),
            c.sslmode
        );
        assert_eq!(
            c.credentials_exposed.to_server,
            p.credentials_exposed.to_server,
            "{} / {}: password exposure, psql vs probe",
            c.row_label(),
            c.sslmode
        );
        compared += 1;
    }
    assert!(compared > 0);
}

#[test]
fn the_psql_reports_json_validates_against_the_schema() {
    let Some(report) = psql_report("the_psql_reports_json_validates_against_the_schema") else {
        return;
    };
    let json: serde_json::Value = serde_json::from_str(&render::json(report)).unwrap();
    crate::schema::validate(&json).unwrap();
    assert_eq!(json["client"]["kind"], "psql");
    // psql's own words are kept as evidence, password redacted.
    let c = report
        .cells
        .iter()
        .find(|c| c.observed == Some(pgtls_matrix::model::Outcome::Tls))
        .expect("a TLS cell");
    let out = c.client_output.as_ref().expect("psql output");
    assert!(out.stdout.contains("SSL connection"), "{}", out.stdout);
    assert!(out.command.contains("password=********"), "{}", out.command);
    assert!(!out.command.contains(catalog::PASSWORD));
}
