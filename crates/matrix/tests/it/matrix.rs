//! The whole matrix, with the in-process probe: every cell must match the catalog.

use std::sync::OnceLock;

use pgtls_coordinator::catalog;
use pgtls_matrix::client::Client;
use pgtls_matrix::model::{CellStatus, Report};
use pgtls_matrix::render::{self, TableOptions};
use pgtls_matrix::{run_blocking, Options};

/// The full probe matrix, run once per test binary and shared by the tests below.
pub fn probe_report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| run_blocking(&Options::new(Client::Probe), |_| {}).expect("matrix runs"))
}

fn failures(report: &Report) -> String {
    report
        .cells
        .iter()
        .filter(|c| c.status.is_failure())
        .map(|c| {
            format!(
                "{} / {}: {} (message: {})",
                c.row_label(),
                c.sslmode,
                c.reason.as_deref().unwrap_or("?"),
                c.message.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_cell_of_the_probe_matrix_matches_the_catalog() {
    let report = probe_report();
    assert!(
        report.ok(),
        "mismatches:\n{}\n\n{}",
        failures(report),
        render::table(report, TableOptions::default())
    );
    assert!(report.cells.iter().all(|c| c.status == CellStatus::Match));
}

#[test]
fn the_matrix_covers_every_scenario_variant_and_sslmode() {
    let report = probe_report();
    let cases: usize = catalog::all().iter().map(|s| 1 + s.variants.len()).sum();
    assert_eq!(report.cells.len(), cases * 6);
    assert_eq!(report.scenarios.len(), catalog::all().len());
    for s in catalog::all() {
        for case in s.cases() {
            for mode in catalog::SslMode::ALL {
                let cell = report
                    .cell(s.name, case.variant, mode.as_str())
                    .unwrap_or_else(|| panic!("no cell for {} / {mode}", case.label()));
                // The expectation is the catalog's, copied, never recomputed.
                let e = case.expect.get(mode);
                assert_eq!(cell.expected.outcome.as_str(), e.outcome.as_str());
                assert_eq!(
                    cell.expected.password_reaches_server,
                    e.password_reaches_server
                );
            }
        }
    }
}

#[test]
fn probe_cells_carry_evidence() {
    let report = probe_report();
    for c in &report.cells {
        assert!(!c.conninfo.is_empty(), "{}", c.id);
        assert!(
            !c.conninfo.contains(catalog::PASSWORD),
            "password printed in {}",
            c.id
        );
        // A diagnosis, unless libpq's option checks refuse the string before any I/O.
        assert!(
            c.diagnosis.is_some() || (c.transcript.is_empty() && c.message.is_some()),
            "{}",
            c.id
        );
        assert!(
            !c.transcript.is_empty() || c.observed == Some(pgtls_matrix::model::Outcome::Rejected),
            "{}",
            c.id
        );
        if c.observed == Some(pgtls_matrix::model::Outcome::Tls) {
            assert!(!c.chain.is_empty(), "TLS cell {} without a chain", c.id);
        }
        if c.observed == Some(pgtls_matrix::model::Outcome::Rejected) {
            assert!(
                c.message.is_some(),
                "rejected cell {} without libpq's message",
                c.id
            );
        }
    }
    // Attackers got passwords somewhere (the weak modes of the MITM rows), and the marker
    // comes from the coordinator's transcripts.
    assert!(report.summary.password_to_attacker > 0);
    for c in report
        .cells
        .iter()
        .filter(|c| c.credentials_exposed.to_attacker)
    {
        assert!(
            c.credentials_exposed
                .evidence
                .iter()
                .any(|e| e.contains("to an attacker")),
            "{}",
            c.id
        );
        assert!(
            catalog::find(&c.scenario).unwrap().server.attacker,
            "{}",
            c.id
        );
    }
}

#[test]
fn the_real_reports_json_validates_against_the_schema() {
    let json: serde_json::Value = serde_json::from_str(&render::json(probe_report())).unwrap();
    crate::schema::validate(&json).unwrap();
    assert_eq!(json["client"]["kind"], "probe");
    assert_eq!(
        json["cells"].as_array().unwrap().len(),
        probe_report().cells.len()
    );
}

#[test]
fn the_real_reports_junit_has_one_testcase_per_cell() {
    let report = probe_report();
    let xml = render::junit(report);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), report.cells.len());
    let mut names: Vec<(String, String)> = cases
        .iter()
        .map(|c| {
            (
                c.attribute("classname").unwrap().to_owned(),
                c.attribute("name").unwrap().to_owned(),
            )
        })
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        report.cells.len(),
        "classname + name identify a cell"
    );
    assert!(doc.descendants().all(|n| !n.has_tag_name("failure")));
}

#[test]
fn the_real_reports_html_names_every_scenario_and_cell_and_fetches_nothing() {
    let report = probe_report();
    let page = render::html(report);
    crate::html::assert_self_contained(&page);
    for s in catalog::all() {
        assert!(
            page.contains(&format!("<h3>{}</h3>", s.name)),
            "scenario {} not named",
            s.name
        );
    }
    let ids = crate::html::attribute_values(&page, "id");
    for c in &report.cells {
        assert!(
            page.contains(&format!("data-cell=\"{}\"", c.id)),
            "{} not in the heat map",
            c.id
        );
        assert!(ids.contains(&c.id), "{} has no details", c.id);
    }
    // The guidance's evidence is computed from this run.
    assert!(page.contains("verify-full: "));
}
