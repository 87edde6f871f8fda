//! Load runs with the real probe against the in-process coordinator (catalog row `valid`):
//! counts, phases and error grouping — never times.

use std::rc::Rc;

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::catalog::{self, SslMode, PASSWORD};
use pgtls_coordinator::Prepared;
use pgtls_load::{Phase, Plan, ProbeConnector, Report, StopReason};
use pgtls_probe::ProbeOptions;
use pretty_assertions::assert_eq;

/// Runs `plan` against a fresh `valid` coordinator with the row's client context in `mode` plus
/// `extra` keywords (a later keyword overrides an earlier one, as in libpq). Returns the report
/// and how many connections the server saw.
fn run_valid(mode: SslMode, extra: &str, plan: &Plan) -> (Report, usize) {
    let row = catalog::find("valid").expect("catalog row");
    let prepared = Prepared::scenario(row, None).expect("prepare valid");
    let home = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let coordinator = prepared.start().await.expect("start");
        let conninfo = format!(
            "{} {extra}",
            row.client
                .conninfo(prepared.pki_dir().unwrap(), coordinator.addr(), mode)
        );
        let env = Env::from_map(std::iter::empty::<(String, String)>())
            .with_home(Some(home.path().to_path_buf()));
        let settings = Settings::from_conninfo(&conninfo, &env).expect("valid conninfo");
        let connector = ProbeConnector::new(settings, ProbeOptions::default());
        let report = pgtls_load::run(Rc::new(connector), plan, |_| {})
            .await
            .expect("load run");
        let seen = coordinator.shutdown().await.len();
        (report, seen)
    })
}

fn count_plan(connections: u64, concurrency: usize) -> Plan {
    Plan {
        connections: Some(connections),
        concurrency,
        duration: None,
        ..Plan::default()
    }
}

fn count(report: &Report, phase: Phase) -> u64 {
    report.phases.get(phase).map_or(0, |s| s.count)
}

#[test]
fn verify_full_against_valid_makes_every_connection_with_all_four_phases() {
    let (report, seen) = run_valid(SslMode::VerifyFull, "", &count_plan(12, 3));
    assert_eq!(
        (report.attempted, report.succeeded, report.failed, seen),
        (12, 12, 0, 12)
    );
    assert_eq!(report.stopped_by, StopReason::Count);
    for phase in Phase::ALL {
        assert_eq!(count(&report, phase), 12, "{phase}");
    }
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn direct_tls_has_no_ssl_negotiation_phase() {
    let (report, _) = run_valid(
        SslMode::VerifyFull,
        "sslnegotiation=direct",
        &count_plan(4, 1),
    );
    assert_eq!(
        (report.succeeded, report.failed),
        (4, 0),
        "{:?}",
        report.errors
    );
    assert_eq!(count(&report, Phase::SslNegotiation), 0);
    assert!(report.phases.ssl_negotiation.is_none());
    assert_eq!(count(&report, Phase::Tls), 4);
    assert_eq!(count(&report, Phase::Auth), 4);
}

#[test]
fn plaintext_connections_have_no_tls_phases() {
    let (report, _) = run_valid(SslMode::Disable, "", &count_plan(4, 2));
    assert_eq!(
        (report.succeeded, report.failed),
        (4, 0),
        "{:?}",
        report.errors
    );
    assert_eq!(count(&report, Phase::Tcp), 4);
    assert_eq!(count(&report, Phase::SslNegotiation), 0);
    assert_eq!(count(&report, Phase::Tls), 0);
    assert_eq!(count(&report, Phase::Auth), 4);
}

#[test]
fn a_wrong_password_fails_every_connection_under_one_libpq_message() {
    assert_ne!(PASSWORD, "not-the-password");
    let (report, seen) = run_valid(
        SslMode::VerifyFull,
        "password=not-the-password",
        &count_plan(5, 2),
    );
    assert_eq!(
        (report.attempted, report.succeeded, report.failed),
        (5, 0, 5)
    );
    assert_eq!(seen, 5);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].count, 5);
    assert!(
        report.errors[0]
            .message
            .contains("FATAL:  password authentication failed for user \"citus\""),
        "{}",
        report.errors[0].message
    );
    assert!(report.phases.total.is_none());
}
