//! The real connector: one `pgtls_probe::probe` per connection, so a load run follows every
//! libpq setting exactly as `pgtls probe` does (sslmode fallbacks, multiple hosts, direct TLS,
//! channel binding, `require_auth`...).

use std::time::{Duration, Instant};

use pgtls_probe::{probe, Diagnosis, ProbeOptions, Settings, Verdict};

use crate::engine::Connector;
use crate::stats::Timings;

/// Connects with the probe.
#[derive(Debug, Clone)]
pub struct ProbeConnector {
    settings: Settings,
    opts: ProbeOptions,
}

impl ProbeConnector {
    /// A connector for resolved settings and probe options.
    pub fn new(settings: Settings, opts: ProbeOptions) -> ProbeConnector {
        ProbeConnector { settings, opts }
    }

    /// The settings every connection uses.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

fn ms(v: Option<f64>) -> Option<Duration> {
    v.filter(|m| m.is_finite() && *m >= 0.0)
        .map(|m| Duration::from_secs_f64(m / 1000.0))
}

/// The phase timings of the successful (last) attempt of an accepted diagnosis, with `total`
/// measured by the caller around the whole probe (earlier failed attempts, e.g. `prefer`
/// retrying in plaintext, count in `total` only).
pub fn timings_of(diagnosis: &Diagnosis, total: Duration) -> Timings {
    let t = diagnosis.attempts.last().map(|a| &a.timings);
    Timings {
        tcp: t.and_then(|t| ms(t.tcp_ms)),
        ssl_negotiation: t.and_then(|t| ms(t.ssl_negotiation_ms)),
        tls: t.and_then(|t| ms(t.tls_ms)),
        auth: t.and_then(|t| ms(t.startup_auth_ms)),
        total,
    }
}

/// The message a rejected diagnosis is counted under: libpq's text.
pub fn failure_message(diagnosis: &Diagnosis) -> String {
    diagnosis
        .message
        .as_deref()
        .map(str::trim_end)
        .filter(|m| !m.is_empty())
        .unwrap_or("rejected without a message")
        .to_owned()
}

impl Connector for ProbeConnector {
    async fn connect(&self) -> Result<Timings, String> {
        let t0 = Instant::now();
        let d = probe(&self.settings, &self.opts).await;
        let total = t0.elapsed();
        match d.verdict {
            Verdict::Accepted => Ok(timings_of(&d, total)),
            Verdict::Rejected => Err(failure_message(&d)),
        }
    }
}
