//! The JUnit report parses as XML and has one test case per cell.

use pgtls_matrix::model::CellStatus;
use pgtls_matrix::render::junit;

use crate::sample;

#[test]
fn junit_has_one_testcase_per_cell_named_by_scenario_and_sslmode() {
    let r = sample::report();
    let xml = junit(&r);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("24"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), r.cells.len());
    for cell in &r.cells {
        let name = match &cell.variant {
            Some(v) => format!("{} [{v}]", cell.sslmode),
            None => cell.sslmode.clone(),
        };
        let matching: Vec<_> = cases
            .iter()
            .filter(|c| {
                c.attribute("classname") == Some(&cell.scenario)
                    && c.attribute("name") == Some(&name)
            })
            .collect();
        assert_eq!(matching.len(), 1, "{} / {name}", cell.scenario);
        let case = matching[0];
        let has = |tag: &str| case.children().any(|n| n.has_tag_name(tag));
        assert_eq!(
            has("failure"),
            cell.status == CellStatus::Mismatch,
            "{}",
            cell.id
        );
        assert_eq!(
            has("error"),
            cell.status == CellStatus::Error,
            "{}",
            cell.id
        );
        assert_eq!(
            has("skipped"),
            cell.status == CellStatus::NotApplicable,
            "{}",
            cell.id
        );
    }
}

#[test]
fn junit_failure_says_what_was_expected_and_observed() {
    let xml = junit(&sample::report());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("expected REJECT, observed tls")
    );
    let text = failure.text().unwrap();
    assert!(
        text.contains("scenario mitm-downgrade <&> / sslmode verify-full"),
        "{text}"
    );
    assert!(text.contains("password=********"));
    let suites = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .count();
    assert_eq!(suites, 3);
}
