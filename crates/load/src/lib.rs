//! `pgtls-load`: the engine behind `pgtls load` — open full PostgreSQL connections as fast as
//! allowed and report connections per second and latency percentiles per phase.
//!
//! What it does:
//! - runs a [`Plan`] (connection count and/or duration bound, concurrency) with any
//!   [`Connector`] on a current-thread tokio runtime ([`run`], [`run_blocking`]);
//! - records each successful connection's phase timings (TCP, SSL negotiation, TLS, auth, total)
//!   and each failure's message ([`Recorder`]); summarises them with exact nearest-rank
//!   percentiles p50/p90/p99 ([`PhaseSummary`]) into a serialisable [`Report`] (`--json`);
//! - connects with the probe ([`ProbeConnector`]), so a load run honours every connection
//!   setting exactly as `pgtls probe` (and libpq) does;
//! - renders the report and a progress line for humans ([`text`]).
//!
//! What it does not do: decide whether to print progress (the CLI does, on a TTY only), run
//! queries after ReadyForQuery, pace connections to a target rate, or spread the client over
//! several threads.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::rc::Rc;

mod engine;
mod probe;
mod stats;
pub mod text;

pub use engine::{run, Connector, Plan, Progress, Report, StopReason};
pub use probe::{failure_message, timings_of, ProbeConnector};
pub use stats::{percentile, ErrorCount, Phase, PhaseSummary, Phases, Recorder, Timings};

/// Everything that can stop a load run before it starts.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Neither a connection count nor a duration was given.
    Unbounded,
    /// `concurrency` was 0.
    ZeroConcurrency,
    /// The tokio runtime could not be built.
    Runtime(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unbounded => f.write_str("load run needs a connection count or a duration"),
            Error::ZeroConcurrency => f.write_str("concurrency must be at least 1"),
            Error::Runtime(e) => write!(f, "cannot start the async runtime: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Runtime(e) => Some(e),
            _ => None,
        }
    }
}

/// Builds a current-thread runtime and runs `plan` on it (see [`run`]).
///
/// A current-thread runtime is deliberate: for connections opened back to back it is markedly
/// faster than a multi-thread runtime (no cross-thread wake-ups), and it makes the client's CPU
/// budget one core, like `pgbench -j 1`.
pub fn run_blocking<C, P>(connector: C, plan: &Plan, progress: P) -> Result<Report, Error>
where
    C: Connector + 'static,
    P: FnMut(&Progress),
{
    plan.validate()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    rt.block_on(run(Rc::new(connector), plan, progress))
}
