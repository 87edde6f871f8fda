//! The load loop with scripted connectors (no network): counts, bounds, error grouping.

use std::cell::Cell;
use std::time::Duration;

use pgtls_load::{run_blocking, Connector, Error, Phase, Plan, StopReason, Timings};
use pretty_assertions::assert_eq;

/// Succeeds with total = n ms for the n-th call (1-based), fails every call divisible by `fail_every`.
struct Scripted {
    calls: Cell<u64>,
    fail_every: u64,
}

impl Connector for Scripted {
    async fn connect(&self) -> Result<Timings, String> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        // Give other workers a turn, as a real connect would.
        tokio::task::yield_now().await;
        if self.fail_every != 0 && n % self.fail_every == 0 {
            return Err(format!("scripted failure {}", n % 2));
        }
        Ok(Timings {
            tcp: Some(Duration::from_micros(10)),
            ssl_negotiation: Some(Duration::from_micros(20)),
            tls: Some(Duration::from_micros(n)),
            auth: Some(Duration::from_micros(30)),
            total: Duration::from_millis(n),
        })
    }
}

fn plan(connections: Option<u64>, concurrency: usize, duration: Option<Duration>) -> Plan {
    Plan {
        connections,
        concurrency,
        duration,
        ..Plan::default()
    }
}

#[test]
fn count_bound_makes_exactly_that_many_attempts_across_workers() {
    let c = Scripted {
        calls: Cell::new(0),
        fail_every: 0,
    };
    let report = run_blocking(c, &plan(Some(100), 4, None), |_| {}).unwrap();
    assert_eq!(
        (
            report.attempted,
            report.succeeded,
            report.failed,
            report.concurrency
        ),
        (100, 100, 0, 4)
    );
    assert_eq!(report.stopped_by, StopReason::Count);
    // totals are 1..=100 ms whatever the interleaving: p50 50, p90 90, p99 99, mean 50.5
    let total = report.phases.get(Phase::Total).unwrap();
    assert_eq!(
        (
            total.count,
            total.min_ms,
            total.p50_ms,
            total.p90_ms,
            total.p99_ms,
            total.max_ms,
            total.mean_ms
        ),
        (100, 1.0, 50.0, 90.0, 99.0, 100.0, 50.5)
    );
    assert!(report.errors.is_empty());
}

#[test]
fn failures_are_counted_and_grouped_and_excluded_from_latencies() {
    let c = Scripted {
        calls: Cell::new(0),
        fail_every: 5,
    };
    let report = run_blocking(c, &plan(Some(20), 3, None), |_| {}).unwrap();
    // calls 5, 10, 15, 20 fail: 5 and 15 say "1", 10 and 20 say "0"
    assert_eq!(
        (report.attempted, report.succeeded, report.failed),
        (20, 16, 4)
    );
    let errors: Vec<(String, u64)> = report
        .errors
        .iter()
        .map(|e| (e.message.clone(), e.count))
        .collect();
    assert_eq!(
        errors,
        vec![
            ("scripted failure 0".into(), 2),
            ("scripted failure 1".into(), 2)
        ]
    );
    assert_eq!(report.phases.get(Phase::Tls).unwrap().count, 16);
    // largest successful total is call 19
    assert_eq!(report.phases.get(Phase::Total).unwrap().max_ms, 19.0);
}

#[test]
fn an_elapsed_duration_starts_no_connection() {
    let c = Scripted {
        calls: Cell::new(0),
        fail_every: 0,
    };
    let report = run_blocking(c, &plan(Some(1000), 2, Some(Duration::ZERO)), |_| {}).unwrap();
    assert_eq!((report.attempted, report.succeeded), (0, 0));
    assert_eq!(report.stopped_by, StopReason::Duration);
    assert_eq!(report.phases.get(Phase::Total), None);
    assert_eq!(report.connections_per_s, 0.0);
}

#[test]
fn a_plan_needs_a_bound_and_a_worker() {
    let c = || Scripted {
        calls: Cell::new(0),
        fail_every: 0,
    };
    assert!(matches!(
        run_blocking(c(), &plan(None, 1, None), |_| {}),
        Err(Error::Unbounded)
    ));
    assert!(matches!(
        run_blocking(c(), &plan(Some(1), 0, None), |_| {}),
        Err(Error::ZeroConcurrency)
    ));
    assert_eq!(
        Error::Unbounded.to_string(),
        "load run needs a connection count or a duration"
    );
}

/// Never finishes: the attempt timeout turns it into an error.
struct Hangs;

impl Connector for Hangs {
    async fn connect(&self) -> Result<Timings, String> {
        std::future::pending::<()>().await;
        unreachable!()
    }
}

#[test]
fn a_hung_attempt_becomes_a_timeout_error() {
    let p = Plan {
        connections: Some(2),
        concurrency: 2,
        duration: None,
        attempt_timeout: Duration::from_millis(20),
        ..Plan::default()
    };
    let report = run_blocking(Hangs, &p, |_| {}).unwrap();
    assert_eq!(
        (report.attempted, report.succeeded, report.failed),
        (2, 0, 2)
    );
    assert_eq!(report.errors[0].message, "timeout after 0.02 s");
    assert_eq!(report.errors[0].count, 2);
}

#[test]
fn report_json_has_the_documented_fields() {
    let c = Scripted {
        calls: Cell::new(0),
        fail_every: 0,
    };
    let report = run_blocking(c, &plan(Some(3), 1, None), |_| {}).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = vec![
        "target",
        "connections_limit",
        "duration_limit_s",
        "concurrency",
        "attempted",
        "succeeded",
        "failed",
        "elapsed_s",
        "connections_per_s",
        "stopped_by",
        "phases",
        "errors",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(json["stopped_by"], "count");
    assert_eq!(json["phases"]["ssl_negotiation"]["p50_ms"], 0.02);
}

#[test]
fn text_report_lists_every_phase_and_the_errors() {
    let c = Scripted {
        calls: Cell::new(0),
        fail_every: 2,
    };
    let report = run_blocking(c, &plan(Some(4), 1, None), |_| {}).unwrap();
    let text = pgtls_load::text::render(&report);
    for label in [
        "tcp",
        "ssl negotiation",
        "tls",
        "auth",
        "total",
        "errors:",
        "scripted failure 0",
    ] {
        assert!(text.contains(label), "{label} missing in\n{text}");
    }
    assert!(text.contains("4 connections (2 ok, 2 failed)"), "{text}");
}
