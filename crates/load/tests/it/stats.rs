//! Percentiles and summaries, against values computed by hand.

use std::time::Duration;

use pgtls_load::{percentile, Phase, PhaseSummary, Recorder, Timings};
use pretty_assertions::assert_eq;

#[test]
fn nearest_rank_percentiles_of_one_to_ten() {
    let v: Vec<u64> = (1..=10).collect();
    // ranks: ceil(0.5*10)=5, ceil(0.9*10)=9, ceil(0.99*10)=10, ceil(0*10)->1, 100% -> 10
    assert_eq!(percentile(&v, 500), Some(5));
    assert_eq!(percentile(&v, 900), Some(9));
    assert_eq!(percentile(&v, 990), Some(10));
    assert_eq!(percentile(&v, 0), Some(1));
    assert_eq!(percentile(&v, 1000), Some(10));
}

#[test]
fn nearest_rank_percentiles_of_one_to_a_hundred_and_of_one_sample() {
    let v: Vec<u64> = (1..=100).collect();
    assert_eq!(percentile(&v, 500), Some(50));
    assert_eq!(percentile(&v, 900), Some(90));
    assert_eq!(percentile(&v, 990), Some(99));
    assert_eq!(percentile(&[7], 500), Some(7));
    assert_eq!(percentile(&[7], 990), Some(7));
    assert_eq!(percentile(&[], 500), None);
}

#[test]
fn percentile_of_three_samples_rounds_the_rank_up() {
    // ceil(0.5*3)=2 → 20; ceil(0.9*3)=3 → 30; ceil(0.99*3)=3 → 30
    let v = [10, 20, 30];
    assert_eq!(percentile(&v, 500), Some(20));
    assert_eq!(percentile(&v, 900), Some(30));
    assert_eq!(percentile(&v, 990), Some(30));
}

#[test]
fn summary_sorts_and_reports_milliseconds() {
    // 4 ms, 1 ms, 3 ms, 2 ms, 10 ms in nanoseconds, unsorted.
    let mut v = vec![4_000_000, 1_000_000, 3_000_000, 2_000_000, 10_000_000];
    let s = PhaseSummary::of(&mut v).unwrap();
    // sorted 1 2 3 4 10; p50 rank ceil(2.5)=3 → 3; p90 rank ceil(4.5)=5 → 10; p99 → 10;
    // mean (1+2+3+4+10)/5 = 4.
    assert_eq!(
        s,
        PhaseSummary {
            count: 5,
            min_ms: 1.0,
            p50_ms: 3.0,
            p90_ms: 10.0,
            p99_ms: 10.0,
            max_ms: 10.0,
            mean_ms: 4.0,
        }
    );
    assert_eq!(PhaseSummary::of(&mut []), None);
}

#[test]
fn mean_rounds_down_to_the_nanosecond() {
    // (1 + 2) / 2 = 1.5 ns → 1 ns = 0.000001 ms
    let s = PhaseSummary::of(&mut [1, 2]).unwrap();
    assert_eq!(s.mean_ms, 0.000001);
}

fn timings(tcp_us: u64, ssl_us: Option<u64>, tls_us: Option<u64>, auth_us: u64) -> Timings {
    let us = Duration::from_micros;
    Timings {
        tcp: Some(us(tcp_us)),
        ssl_negotiation: ssl_us.map(us),
        tls: tls_us.map(us),
        auth: Some(us(auth_us)),
        total: us(tcp_us + ssl_us.unwrap_or(0) + tls_us.unwrap_or(0) + auth_us),
    }
}

#[test]
fn recorder_keeps_phases_apart_and_skips_phases_not_gone_through() {
    let mut r = Recorder::new();
    r.success(&timings(100, Some(50), Some(1000), 200));
    r.success(&timings(300, None, Some(2000), 400)); // direct TLS: no SSLRequest
    r.success(&timings(200, None, None, 600)); // plaintext
    r.failure("connection refused");
    let phases = r.phases();
    assert_eq!(r.succeeded(), 3);
    assert_eq!(r.failed(), 1);
    let tcp = phases.get(Phase::Tcp).unwrap();
    assert_eq!(
        (tcp.count, tcp.min_ms, tcp.p50_ms, tcp.max_ms),
        (3, 0.1, 0.2, 0.3)
    );
    let ssl = phases.get(Phase::SslNegotiation).unwrap();
    assert_eq!((ssl.count, ssl.p50_ms), (1, 0.05));
    let tls = phases.get(Phase::Tls).unwrap();
    // two samples 1 ms, 2 ms: p50 rank ceil(1.0)=1 → 1 ms; p90 rank ceil(1.8)=2 → 2 ms
    assert_eq!(
        (tls.count, tls.p50_ms, tls.p90_ms, tls.mean_ms),
        (2, 1.0, 2.0, 1.5)
    );
    // totals: 1.35 ms, 2.7 ms, 0.8 ms → sorted 0.8 1.35 2.7; p50 = 1.35
    let total = phases.get(Phase::Total).unwrap();
    assert_eq!((total.count, total.p50_ms, total.max_ms), (3, 1.35, 2.7));
}

#[test]
fn errors_are_counted_per_message_most_frequent_first() {
    let mut r = Recorder::new();
    for m in [
        "b refused",
        "a reset",
        "b refused",
        "c timeout",
        "a reset",
        "b refused",
    ] {
        r.failure(m);
    }
    let errors: Vec<(String, u64)> = r
        .errors()
        .into_iter()
        .map(|e| (e.message, e.count))
        .collect();
    assert_eq!(
        errors,
        vec![
            ("b refused".to_string(), 3),
            ("a reset".to_string(), 2),
            ("c timeout".to_string(), 1)
        ]
    );
}

#[test]
fn phases_serialise_with_stable_keys_and_null_for_phases_never_seen() {
    let mut r = Recorder::new();
    r.success(&timings(100, None, None, 200));
    let text = serde_json::to_string(&r.phases()).unwrap();
    // Phases appear in connection order.
    let at = |k: &str| {
        text.find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("{k} in {text}"))
    };
    assert!(at("tcp") < at("ssl_negotiation"));
    assert!(at("ssl_negotiation") < at("tls"));
    assert!(at("tls") < at("auth"));
    assert!(at("auth") < at("total"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(json["tls"].is_null());
    assert_eq!(json["tcp"]["count"], 1);
    assert_eq!(json["auth"]["p99_ms"], 0.2);
}
