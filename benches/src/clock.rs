//! Which clock a benchmark reads: wall time, or the on-CPU time of the bench thread.
//!
//! The handshake benches run client and server on one thread (a current-thread tokio runtime),
//! so that thread's on-CPU time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, user and kernel time,
//! including the loopback TCP work its syscalls do) is the whole cost of a connection, and —
//! unlike wall time — it does not grow when other processes hold the cores. On an idle machine
//! the two agree (nothing in a same-thread loopback connection waits for anything but CPU).
//! (`/proc/thread-self/schedstat` is not used: for the running thread it only advances at
//! scheduler ticks, 4 ms here.)

use std::time::{Duration, Instant};

/// The environment variable that selects the clock: `wall` or `cpu` (default).
pub const CLOCK_ENV: &str = "PGTLS_BENCH_CLOCK";

/// This thread's on-CPU time since it started; `None` when the platform has no thread CPU clock.
pub fn thread_cpu() -> Option<Duration> {
    cpu_time::ThreadTime::try_now()
        .ok()
        .map(|t| t.as_duration())
}

/// A clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Wall-clock time.
    Wall,
    /// On-CPU time of the calling thread.
    ThreadCpu,
}

/// A reading of a [`Clock`].
#[derive(Clone, Copy, Debug)]
pub enum Stamp {
    /// From [`Clock::Wall`].
    Wall(Instant),
    /// From [`Clock::ThreadCpu`].
    Cpu(Duration),
}

impl Clock {
    /// `$PGTLS_BENCH_CLOCK` (`wall` or `cpu`), defaulting to the thread CPU clock when it is
    /// readable and to wall time otherwise.
    pub fn from_env() -> Clock {
        match std::env::var(CLOCK_ENV).as_deref() {
            Ok("wall") => Clock::Wall,
            _ if thread_cpu().is_some() => Clock::ThreadCpu,
            _ => Clock::Wall,
        }
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Clock::Wall => "wall-clock time",
            Clock::ThreadCpu => "on-CPU time of the bench thread",
        }
    }

    /// Reads the clock.
    pub fn start(self) -> Stamp {
        match self {
            Clock::Wall => Stamp::Wall(Instant::now()),
            Clock::ThreadCpu => Stamp::Cpu(thread_cpu().unwrap_or_default()),
        }
    }
}

impl Stamp {
    /// Time on the same clock since this reading.
    pub fn elapsed(self) -> Duration {
        match self {
            Stamp::Wall(t) => t.elapsed(),
            Stamp::Cpu(c) => thread_cpu().unwrap_or_default().saturating_sub(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_cpu_clock_advances_with_work_on_this_thread() {
        let before = thread_cpu().expect("a thread CPU clock on Linux");
        // Burn a little CPU (not a sleep: sleeping does not advance this clock). Far less than a
        // scheduler tick, so a tick-based clock would not move.
        let mut x = 0u64;
        for i in 0..100_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(thread_cpu().unwrap() > before);
    }
}
