//! Latency samples and their summaries.
//!
//! Percentiles use the nearest-rank definition, computed with integers only: the `p`-th
//! percentile of `n` sorted samples is the sample at rank `ceil(p × n / 100)` (1-based, at least
//! 1). So for the ten samples 1..=10, p50 = 5, p90 = 9 and p99 = 10; every reported value is a
//! latency that was actually observed.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// A connection phase, in the order they happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// TCP connect (SYN → established).
    Tcp,
    /// SSLRequest sent → the server's one-byte answer read (absent with `sslnegotiation=direct`
    /// and for plaintext connections).
    SslNegotiation,
    /// TLS handshake (ClientHello → handshake complete on the client).
    Tls,
    /// StartupMessage sent → ReadyForQuery (authentication included).
    Auth,
    /// The whole connection, from before the TCP connect to ReadyForQuery.
    Total,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 5] = [
        Phase::Tcp,
        Phase::SslNegotiation,
        Phase::Tls,
        Phase::Auth,
        Phase::Total,
    ];

    /// The JSON key (`ssl_negotiation`).
    pub fn key(self) -> &'static str {
        match self {
            Phase::Tcp => "tcp",
            Phase::SslNegotiation => "ssl_negotiation",
            Phase::Tls => "tls",
            Phase::Auth => "auth",
            Phase::Total => "total",
        }
    }

    /// Human label (`ssl negotiation`).
    pub fn label(self) -> &'static str {
        match self {
            Phase::Tcp => "tcp",
            Phase::SslNegotiation => "ssl negotiation",
            Phase::Tls => "tls",
            Phase::Auth => "auth",
            Phase::Total => "total",
        }
    }

    fn index(self) -> usize {
        match self {
            Phase::Tcp => 0,
            Phase::SslNegotiation => 1,
            Phase::Tls => 2,
            Phase::Auth => 3,
            Phase::Total => 4,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How long each phase of one successful connection took. A phase the connection did not go
/// through (no SSLRequest with direct TLS, no TLS in plaintext) is `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// TCP connect.
    pub tcp: Option<Duration>,
    /// SSLRequest → answer byte.
    pub ssl_negotiation: Option<Duration>,
    /// TLS handshake.
    pub tls: Option<Duration>,
    /// Startup → ReadyForQuery.
    pub auth: Option<Duration>,
    /// The whole connection.
    pub total: Duration,
}

impl Timings {
    /// The duration of `phase`, if the connection went through it.
    pub fn get(&self, phase: Phase) -> Option<Duration> {
        match phase {
            Phase::Tcp => self.tcp,
            Phase::SslNegotiation => self.ssl_negotiation,
            Phase::Tls => self.tls,
            Phase::Auth => self.auth,
            Phase::Total => Some(self.total),
        }
    }
}

/// The `per_mille`-th per-mille (500 = median, 990 = p99) of `sorted` samples, by nearest rank.
/// `None` when there are no samples.
pub fn percentile(sorted: &[u64], per_mille: u64) -> Option<u64> {
    let n = sorted.len() as u64;
    if n == 0 {
        return None;
    }
    let rank = (per_mille.min(1000) * n).div_ceil(1000).clamp(1, n);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// Summary of one phase's samples; durations in milliseconds (nanosecond resolution).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseSummary {
    /// Number of samples.
    pub count: u64,
    /// Fastest.
    pub min_ms: f64,
    /// Median (nearest rank).
    pub p50_ms: f64,
    /// 90th percentile (nearest rank).
    pub p90_ms: f64,
    /// 99th percentile (nearest rank).
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Arithmetic mean (integer nanoseconds, rounded down).
    pub mean_ms: f64,
}

fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}

impl PhaseSummary {
    /// Summarises samples given in nanoseconds (sorted in place). `None` when empty.
    pub fn of(samples: &mut [u64]) -> Option<PhaseSummary> {
        samples.sort_unstable();
        let count = samples.len() as u64;
        let (&min, &max) = (samples.first()?, samples.last()?);
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        let mean = u64::try_from(sum / u128::from(count)).unwrap_or(u64::MAX);
        Some(PhaseSummary {
            count,
            min_ms: ms(min),
            p50_ms: ms(percentile(samples, 500)?),
            p90_ms: ms(percentile(samples, 900)?),
            p99_ms: ms(percentile(samples, 990)?),
            max_ms: ms(max),
            mean_ms: ms(mean),
        })
    }
}

/// Every phase's summary (JSON: one key per phase, `null` when no connection went through it).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Phases {
    /// TCP connect.
    pub tcp: Option<PhaseSummary>,
    /// SSLRequest → answer.
    pub ssl_negotiation: Option<PhaseSummary>,
    /// TLS handshake.
    pub tls: Option<PhaseSummary>,
    /// Startup → ReadyForQuery.
    pub auth: Option<PhaseSummary>,
    /// Whole connection.
    pub total: Option<PhaseSummary>,
}

impl Phases {
    /// The summary of `phase`.
    pub fn get(&self, phase: Phase) -> Option<&PhaseSummary> {
        match phase {
            Phase::Tcp => self.tcp.as_ref(),
            Phase::SslNegotiation => self.ssl_negotiation.as_ref(),
            Phase::Tls => self.tls.as_ref(),
            Phase::Auth => self.auth.as_ref(),
            Phase::Total => self.total.as_ref(),
        }
    }

    fn set(&mut self, phase: Phase, summary: Option<PhaseSummary>) {
        let slot = match phase {
            Phase::Tcp => &mut self.tcp,
            Phase::SslNegotiation => &mut self.ssl_negotiation,
            Phase::Tls => &mut self.tls,
            Phase::Auth => &mut self.auth,
            Phase::Total => &mut self.total,
        };
        *slot = summary;
    }
}

/// One distinct error message and how often it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorCount {
    /// The message (libpq's text when the probe produced it).
    pub message: String,
    /// Occurrences.
    pub count: u64,
}

/// Collects outcomes as connections finish: latency samples per phase for successes, counts per
/// message for failures.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    samples: [Vec<u64>; 5],
    errors: BTreeMap<String, u64>,
    succeeded: u64,
    failed: u64,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Records a successful connection.
    pub fn success(&mut self, timings: &Timings) {
        self.succeeded += 1;
        for phase in Phase::ALL {
            if let Some(d) = timings.get(phase) {
                if let Some(v) = self.samples.get_mut(phase.index()) {
                    v.push(nanos(d));
                }
            }
        }
    }

    /// Records a failed connection.
    pub fn failure(&mut self, message: &str) {
        self.failed += 1;
        *self.errors.entry(message.to_owned()).or_insert(0) += 1;
    }

    /// Successful connections so far.
    pub fn succeeded(&self) -> u64 {
        self.succeeded
    }

    /// Failed connections so far.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Summaries of every phase.
    pub fn phases(&mut self) -> Phases {
        let mut phases = Phases::default();
        for phase in Phase::ALL {
            let summary = self
                .samples
                .get_mut(phase.index())
                .and_then(|v| PhaseSummary::of(v));
            phases.set(phase, summary);
        }
        phases
    }

    /// Errors, most frequent first (ties by message).
    pub fn errors(&self) -> Vec<ErrorCount> {
        let mut v: Vec<ErrorCount> = self
            .errors
            .iter()
            .map(|(message, &count)| ErrorCount {
                message: message.clone(),
                count,
            })
            .collect();
        v.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.message.cmp(&b.message))
        });
        v
    }
}
