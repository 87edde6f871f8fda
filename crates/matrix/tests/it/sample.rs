//! A small hand-made report with every kind of cell, for the writer tests.

use pgtls_matrix::model::*;

fn cell(
    scenario: &str,
    variant: Option<&str>,
    sslmode: &str,
    expected: Outcome,
    observed: Option<Outcome>,
    status: CellStatus,
) -> Cell {
    Cell {
        id: Cell::make_id(scenario, sslmode, variant),
        scenario: scenario.into(),
        sslmode: sslmode.into(),
        variant: variant.map(Into::into),
        expected: Expected {
            outcome: expected,
            password_reaches_server: expected != Outcome::Rejected,
        },
        observed,
        status,
        reason: None,
        message: None,
        credentials_exposed: CredentialsExposed {
            to_server: observed.is_some_and(|o| o != Outcome::Rejected),
            to_attacker: false,
            evidence: vec![],
        },
        conninfo: format!(
            "host='localhost' port='5432' user='alice' password=******** sslmode='{sslmode}'"
        ),
        duration_ms: 3.5,
        timings: vec![Timing {
            phase: "tcp".into(),
            ms: 0.2,
        }],
        chain: vec![],
        transcript: vec![serde_json::json!({"events": ["ssl_request", "S"]})],
        client_output: None,
        diagnosis: None,
    }
}

pub const MODES: [&str; 6] = [
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// Rows: `good-chain`, `good-chain [no-rootcert]`, `mitm-downgrade <&>` (a name needing escaping),
/// `needs-16`. Contains a mismatch, an error, n/a cells and attacker cells.
pub fn report() -> Report {
    use CellStatus::*;
    use Outcome::*;
    let mut cells = Vec::new();
    for m in MODES {
        let exp = if m == "disable" || m == "allow" {
            Plaintext
        } else {
            Tls
        };
        let mut c = cell("good-chain", None, m, exp, Some(exp), Match);
        if exp == Tls {
            c.chain = vec![CertInfo {
                subject: "CN=db.pgtls.test".into(),
                issuer: "CN=pgtls Root CA".into(),
                sans: vec!["DNS:db.pgtls.test".into()],
                not_before: "2025-01-01T00:00:00Z".into(),
                not_after: "2026-01-01T00:00:00Z".into(),
                key: "ECDSA P-256".into(),
                is_ca: false,
                sha256: ["AB"; 32].join(":"),
            }];
        }
        cells.push(c);
    }
    for m in MODES {
        let exp = match m {
            "disable" | "allow" => Plaintext,
            "verify-ca" | "verify-full" => Rejected,
            _ => Tls,
        };
        let mut c = cell("good-chain", Some("no-rootcert"), m, exp, Some(exp), Match);
        if exp == Rejected {
            c.message = Some("root certificate file \"/h/.postgresql/root.crt\" does not exist\nEither provide the file or change sslmode to disable server certificate verification.".into());
        }
        cells.push(c);
    }
    for m in MODES {
        let exp = match m {
            "disable" | "allow" | "prefer" => Plaintext,
            _ => Rejected,
        };
        let mut c = cell("mitm-downgrade <&>", None, m, exp, Some(exp), Match);
        if exp == Plaintext {
            c.credentials_exposed.to_attacker = true;
            c.credentials_exposed.evidence = vec!["cleartext password over plaintext".into()];
        }
        cells.push(c);
    }
    // One mismatch: verify-full observed tls where the catalog says REJECT.
    if let Some(c) = cells
        .iter_mut()
        .find(|c| c.scenario.starts_with("mitm") && c.sslmode == "verify-full")
    {
        c.observed = Some(Tls);
        c.status = Mismatch;
        c.reason = Some("expected rejected, observed tls".into());
    }
    for m in MODES {
        let mut c = cell("needs-16", None, m, Rejected, None, NotApplicable);
        c.reason = Some("libpq 15 is too old: sslrootcert=system needs 16".into());
        if m == "disable" {
            c.status = Error;
            c.reason = Some("timed out after 10 s; killed".into());
            c.client_output = Some(ClientOutput {
                command: "psql -X -w -d 'host=x password=********' -c '\\conninfo'".into(),
                exit_code: None,
                stdout: String::new(),
                stderr: "<script>alert(1)</script> https://evil.example/".into(),
            });
        }
        cells.push(c);
    }
    let scenarios = vec![
        ScenarioInfo {
            name: "good-chain".into(),
            summary: "A valid chain for db.pgtls.test".into(),
            why: "Baseline".into(),
            libpq: 15,
            variants: vec![VariantInfo {
                name: "no-rootcert".into(),
                summary: "no sslrootcert, empty HOME".into(),
                libpq: 15,
            }],
        },
        ScenarioInfo {
            name: "mitm-downgrade <&>".into(),
            summary: "An attacker answers N to SSLRequest".into(),
            why: "prefer falls back".into(),
            libpq: 15,
            variants: vec![],
        },
        ScenarioInfo {
            name: "needs-16".into(),
            summary: "sslrootcert=system".into(),
            why: String::new(),
            libpq: 16,
            variants: vec![],
        },
    ];
    Report::new(
        pgtls_matrix::versions::tool(),
        ClientInfo {
            kind: ClientKind::Psql,
            description: "psql (PostgreSQL) 15.18".into(),
            program: Some("/usr/lib/postgresql/15/bin/psql".into()),
            version: Some("psql (PostgreSQL) 15.18".into()),
            libpq_major: Some(15),
        },
        "2025-01-31T12:00:00Z".into(),
        812.0,
        Environment::current(8),
        Filters::default(),
        MODES.iter().map(|m| m.to_string()).collect(),
        scenarios,
        cells,
    )
}
