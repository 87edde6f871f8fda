//! The load loop: `concurrency` workers on one thread, each opening connections back to back
//! until the count or the time bound is reached.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::stats::{ErrorCount, Phases, Recorder, Timings};
use crate::Error;

/// Opens one full connection and reports its phase timings, or why it failed.
///
/// The engine runs connectors on a current-thread runtime, so the future need not be `Send`.
pub trait Connector {
    /// One connection, from nothing to ReadyForQuery (and closed again).
    fn connect(&self) -> impl Future<Output = Result<Timings, String>>;
}

/// How much load to apply. At least one of `connections` and `duration` must be set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Stop after this many connection attempts.
    pub connections: Option<u64>,
    /// Connections in flight at once (≥ 1).
    pub concurrency: usize,
    /// Start no new connection after this long (connections in flight finish).
    pub duration: Option<Duration>,
    /// An attempt still running after this long counts as an error (`timeout after …`).
    pub attempt_timeout: Duration,
    /// How often the progress callback is called.
    pub progress_every: Duration,
}

impl Default for Plan {
    /// Ten seconds, one connection at a time.
    fn default() -> Plan {
        Plan {
            connections: None,
            concurrency: 1,
            duration: Some(Duration::from_secs(10)),
            attempt_timeout: Duration::from_secs(30),
            progress_every: Duration::from_secs(1),
        }
    }
}

impl Plan {
    /// Checks the plan is bounded and has at least one worker.
    pub fn validate(&self) -> Result<(), Error> {
        if self.concurrency == 0 {
            return Err(Error::ZeroConcurrency);
        }
        if self.connections.is_none() && self.duration.is_none() {
            return Err(Error::Unbounded);
        }
        Ok(())
    }
}

/// Why the run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// `connections` attempts were made.
    Count,
    /// `duration` elapsed.
    Duration,
}

/// A progress snapshot, handed to the progress callback while the run goes on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Since the run started.
    pub elapsed: Duration,
    /// Connections finished successfully.
    pub succeeded: u64,
    /// Connections that failed.
    pub failed: u64,
}

impl Progress {
    /// Successful connections per second so far.
    pub fn rate(&self) -> f64 {
        rate(self.succeeded, self.elapsed)
    }
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        count as f64 / secs
    } else {
        0.0
    }
}

/// The outcome of a run (serialised as `pgtls load --json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The connection string, password redacted (filled in by the caller; empty otherwise).
    pub target: String,
    /// The `connections` bound.
    pub connections_limit: Option<u64>,
    /// The `duration` bound, seconds.
    pub duration_limit_s: Option<f64>,
    /// Workers.
    pub concurrency: usize,
    /// Connections started.
    pub attempted: u64,
    /// Connections that reached ReadyForQuery.
    pub succeeded: u64,
    /// Connections that failed.
    pub failed: u64,
    /// Wall-clock time of the run, seconds.
    pub elapsed_s: f64,
    /// `succeeded / elapsed_s`.
    pub connections_per_s: f64,
    /// Which bound ended the run.
    pub stopped_by: StopReason,
    /// Latency summaries per phase, successful connections only.
    pub phases: Phases,
    /// Failures by message, most frequent first.
    pub errors: Vec<ErrorCount>,
}

struct Shared {
    started: Cell<u64>,
    recorder: RefCell<Recorder>,
}

/// Runs `plan` with `connector` and returns the report.
///
/// Must be awaited on a tokio runtime with time enabled; the workers are spawned on a
/// [`tokio::task::LocalSet`] created here, so the connector runs on the awaiting thread. With
/// the current-thread runtime of [`crate::run_blocking`] the client side of the load is one
/// thread, as pgbench's `-j 1` is.
pub async fn run<C, P>(connector: Rc<C>, plan: &Plan, mut progress: P) -> Result<Report, Error>
where
    C: Connector + 'static,
    P: FnMut(&Progress),
{
    plan.validate()?;
    let start = Instant::now();
    let deadline = plan.duration.map(|d| start + d);
    let shared = Rc::new(Shared {
        started: Cell::new(0),
        recorder: RefCell::new(Recorder::new()),
    });
    let limit = plan.connections;
    let attempt_timeout = plan.attempt_timeout;

    let local = tokio::task::LocalSet::new();
    let stopped_by = local
        .run_until(async {
            let mut workers = Vec::with_capacity(plan.concurrency);
            for _ in 0..plan.concurrency {
                let shared = Rc::clone(&shared);
                let connector = Rc::clone(&connector);
                workers.push(tokio::task::spawn_local(async move {
                    worker(&*connector, &shared, limit, deadline, attempt_timeout).await
                }));
            }
            let all = async {
                let mut by_duration = false;
                for w in workers {
                    // A worker never panics by design; if one did, count it as a duration stop
                    // rather than poisoning the report.
                    by_duration |= w.await.unwrap_or(true);
                }
                by_duration
            };
            tokio::pin!(all);
            let mut ticker = tokio::time::interval_at(
                tokio::time::Instant::now() + plan.progress_every,
                plan.progress_every.max(Duration::from_millis(10)),
            );
            loop {
                tokio::select! {
                    by_duration = &mut all => break by_duration,
                    _ = ticker.tick() => {
                        let rec = shared.recorder.borrow();
                        progress(&Progress {
                            elapsed: start.elapsed(),
                            succeeded: rec.succeeded(),
                            failed: rec.failed(),
                        });
                    }
                }
            }
        })
        .await;
    let elapsed = start.elapsed();
    let mut rec = shared.recorder.borrow_mut();
    let succeeded = rec.succeeded();
    Ok(Report {
        target: String::new(),
        connections_limit: plan.connections,
        duration_limit_s: plan.duration.map(|d| d.as_secs_f64()),
        concurrency: plan.concurrency,
        attempted: shared.started.get(),
        succeeded,
        failed: rec.failed(),
        elapsed_s: elapsed.as_secs_f64(),
        connections_per_s: rate(succeeded, elapsed),
        stopped_by: if stopped_by {
            StopReason::Duration
        } else {
            StopReason::Count
        },
        phases: rec.phases(),
        errors: rec.errors(),
    })
}

/// Claims and opens connections until the count is reached (→ false) or the deadline passed
/// (→ true).
async fn worker<C: Connector>(
    connector: &C,
    shared: &Shared,
    limit: Option<u64>,
    deadline: Option<Instant>,
    attempt_timeout: Duration,
) -> bool {
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return true;
        }
        let n = shared.started.get();
        if limit.is_some_and(|l| n >= l) {
            return false;
        }
        shared.started.set(n + 1);
        match tokio::time::timeout(attempt_timeout, connector.connect()).await {
            Ok(Ok(t)) => shared.recorder.borrow_mut().success(&t),
            Ok(Err(message)) => shared.recorder.borrow_mut().failure(&message),
            Err(_) => shared.recorder.borrow_mut().failure(&format!(
                "timeout after {} s",
                attempt_timeout.as_secs_f64()
            )),
        }
    }
}
