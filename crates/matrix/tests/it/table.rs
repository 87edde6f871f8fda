//! The terminal table, the summary line and the Markdown table.

use pgtls_matrix::render::{markdown, summary_line, table, TableOptions};

use crate::sample;

fn plain_table() -> String {
    table(&sample::report(), TableOptions { color: false })
}

#[test]
fn table_has_a_row_per_scenario_and_variant_and_a_column_per_sslmode() {
    let t = plain_table();
    let header = t.lines().next().unwrap();
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        cols,
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
    for row in [
        "good-chain ",
        "good-chain [no-rootcert]",
        "mitm-downgrade <&>",
        "needs-16",
    ] {
        assert!(
            t.lines().any(|l| l.starts_with(row)),
            "row {row:?} missing in\n{t}"
        );
    }
    let good = t.lines().find(|l| l.starts_with("good-chain ")).unwrap();
    let labels: Vec<&str> = good.split_whitespace().skip(1).collect();
    assert_eq!(labels, ["plain", "plain", "tls", "tls", "tls", "tls"]);
    let no_root = t
        .lines()
        .find(|l| l.starts_with("good-chain [no-rootcert]"))
        .unwrap();
    let labels: Vec<&str> = no_root.split_whitespace().skip(2).collect();
    assert_eq!(labels, ["plain", "plain", "tls", "tls", "REJECT", "REJECT"]);
}

#[test]
fn table_marks_passwords_reaching_an_attacker_and_mismatches() {
    let t = plain_table();
    let mitm = t.lines().find(|l| l.starts_with("mitm-downgrade")).unwrap();
    let labels: Vec<&str> = mitm.split_whitespace().skip(2).collect();
    assert_eq!(
        labels,
        ["plain!", "plain!", "plain!", "REJECT", "REJECT", "tls*"]
    );
    assert!(
        t.contains("* mitm-downgrade <&> / verify-full: expected REJECT, observed tls"),
        "{t}"
    );
    // The error cell is marked too, and n/a cells are labelled.
    let needs = t.lines().find(|l| l.starts_with("needs-16")).unwrap();
    assert!(needs.contains("ERROR*") && needs.contains("n/a"), "{needs}");
    assert!(t.contains("! = a password reached an attacker"));
}

#[test]
fn table_is_colourless_unless_asked() {
    assert!(!plain_table().contains('\x1b'));
    let coloured = table(&sample::report(), TableOptions { color: true });
    assert!(coloured.contains("\x1b[32mtls"));
    // Columns stay aligned: stripping the escapes gives the plain table back.
    let mut stripped = String::new();
    let mut chars = coloured.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            stripped.push(c);
        }
    }
    assert_eq!(stripped, plain_table());
}

#[test]
fn summary_line_counts_cells_and_gives_the_not_applicable_reason() {
    let s = summary_line(&sample::report());
    assert!(
        s.starts_with("FAILED: 24 cells, 17 match, 1 mismatch, 1 error, 5 n/a"),
        "{s}"
    );
    // n/a reasons are listed once even though five cells share one.
    assert_eq!(s.matches("libpq 15 is too old").count(), 1, "{s}");
    assert!(
        s.contains("a password reached an attacker in 3 cells (all as the catalog expects)"),
        "{s}"
    );
    assert!(s.contains("client: psql (PostgreSQL) 15.18"), "{s}");
}

#[test]
fn markdown_has_one_table_row_per_report_row_and_the_guidance() {
    let md = markdown(&sample::report());
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), 4, "{md}");
    assert!(
        rows.iter().all(|r| r.matches(" |").count() == 7),
        "{rows:#?}"
    );
    assert!(
        md.contains("| `mitm-downgrade &lt;&> ` |") || md.contains("`mitm-downgrade &lt;&>`"),
        "{md}"
    );
    assert!(md.contains("plain ⚠️"));
    assert!(md.contains("❌ (expected REJECT)"));
    assert!(md.contains("## What to use"));
    assert!(md.contains("sslmode=verify-full"));
    assert!(md.contains("-fingerprint -sha256"));
}
