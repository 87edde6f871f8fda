//! The matrix runner: catalog scenarios × sslmodes × variants, one coordinator instance per cell.
//!
//! Each selected scenario is prepared once (certificates made, client files written, rustls
//! configured). Each cell then starts its own instance of it on `127.0.0.1:0`, builds the row's
//! connection string (`host`, `hostaddr`, the instance's `port`, `user`, `dbname`, `password`,
//! `sslrootcert` and file parameters inside the scenario's PKI directory) plus `sslmode=`, lets
//! the client connect, stops the instance and reads its transcripts: whether a password (or a
//! hash or SCRAM proof of it) reached the server, and whether that server was an attacker.
//!
//! The observed outcome and exposure are compared with the catalog's hand-written expectation.
//! Cells run concurrently, at most [`Options::concurrency`] at a time.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::catalog::{self, ClientContext, Scenario, SslMode};
use pgtls_coordinator::transcript::{CredentialKind, Transport};
use pgtls_coordinator::{Prepared, Transcript};
use pgtls_pki::details::{CertDetails, SanEntry};
use pgtls_probe::{AcceptedTransport, Diagnosis, ProbeOptions, Verdict};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::client::{self, Client, ExternalRun, ExternalVerdict};
use crate::model::{
    Cell, CellStatus, CertInfo, ClientOutput, CredentialsExposed, Environment, Expected, Filters,
    Outcome, Report, ScenarioInfo, Timing, VariantInfo,
};
use crate::{versions, Error};

/// How to run the matrix.
#[derive(Clone, Debug)]
pub struct Options {
    /// Who decides each cell.
    pub client: Client,
    /// Only these scenarios (catalog names); empty: all.
    pub scenarios: Vec<String>,
    /// Only these sslmodes; empty: all six.
    pub sslmodes: Vec<String>,
    /// Cells run at the same time (at least 1).
    pub concurrency: usize,
    /// Bound on one cell (the client is killed or abandoned after it; the cell is an `error`).
    pub cell_timeout: Duration,
}

impl Options {
    /// Every scenario and sslmode with `client`, [`default_concurrency`] and a 20 s cell timeout.
    pub fn new(client: Client) -> Options {
        Options {
            client,
            scenarios: Vec::new(),
            sslmodes: Vec::new(),
            concurrency: default_concurrency(),
            cell_timeout: Duration::from_secs(20),
        }
    }
}

/// Four cells per CPU (a cell mostly waits on loopback I/O and the other side's crypto), at
/// least 4, at most 64.
pub fn default_concurrency() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cpus * 4).clamp(4, 64)
}

/// Progress of a run: called once per finished cell, in finishing order.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Cells finished so far (including this one).
    pub done: usize,
    /// Cells in the run.
    pub total: usize,
    /// The cell that just finished.
    pub cell: &'a Cell,
}

/// Parses `--sslmode` values (libpq's spelling).
pub fn parse_sslmode(value: &str) -> Result<SslMode, Error> {
    value.parse().map_err(|_| Error::UnknownSslMode {
        value: value.to_owned(),
    })
}

/// The catalog rows selected by `names` (all when empty), in catalog order.
pub fn select_scenarios(names: &[String]) -> Result<Vec<&'static Scenario>, Error> {
    for n in names {
        if catalog::find(n).is_none() {
            return Err(Error::UnknownScenario {
                name: n.clone(),
                known: catalog::names().iter().map(|s| (*s).to_owned()).collect(),
            });
        }
    }
    Ok(catalog::all()
        .iter()
        .filter(|s| names.is_empty() || names.iter().any(|n| n == s.name))
        .collect())
}

/// The sslmodes selected by `values` (all six when empty), in libpq's order.
pub fn select_sslmodes(values: &[String]) -> Result<Vec<SslMode>, Error> {
    let chosen = values
        .iter()
        .map(|v| parse_sslmode(v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SslMode::ALL
        .into_iter()
        .filter(|m| chosen.is_empty() || chosen.contains(m))
        .collect())
}

/// One cell to run.
struct Job {
    index: usize,
    scenario: &'static Scenario,
    variant: Option<&'static str>,
    client_ctx: &'static ClientContext,
    libpq: u32,
    expected: Expected,
    mode: SslMode,
}

fn expected_of(e: catalog::Expected) -> Expected {
    Expected {
        outcome: outcome_of(e.outcome),
        password_reaches_server: e.password_reaches_server,
    }
}

fn outcome_of(o: catalog::Outcome) -> Outcome {
    match o {
        catalog::Outcome::Tls => Outcome::Tls,
        catalog::Outcome::Plaintext => Outcome::Plaintext,
        catalog::Outcome::Rejected => Outcome::Rejected,
    }
}

fn scenario_info(s: &Scenario) -> ScenarioInfo {
    ScenarioInfo {
        name: s.name.to_owned(),
        summary: s.summary.to_owned(),
        why: s.why.to_owned(),
        libpq: s.libpq,
        variants: s
            .variants
            .iter()
            .map(|v| VariantInfo {
                name: v.name.to_owned(),
                summary: v.summary.to_owned(),
                libpq: v.libpq,
            })
            .collect(),
    }
}

/// Runs the matrix on the current tokio runtime. `progress` is called after each cell.
pub async fn run(opts: &Options, mut progress: impl FnMut(Progress<'_>)) -> Result<Report, Error> {
    let scenarios = select_scenarios(&opts.scenarios)?;
    let modes = select_sslmodes(&opts.sslmodes)?;
    let date = versions::now_rfc3339();
    let started = Instant::now();
    let concurrency = opts.concurrency.max(1);

    // An empty HOME for every client: `~/.postgresql/root.crt` and friends never come from the
    // user running pgtls.
    let home = tempfile::Builder::new()
        .prefix("pgtls-matrix-home-")
        .tempdir()
        .map_err(|source| Error::Io {
            what: "creating an empty HOME for the clients",
            source,
        })?;
    let home_path: Arc<Path> = Arc::from(home.path());

    // Prepare each scenario once, all in parallel on the blocking pool (certificate generation
    // and file writes); a scenario's cells start as soon as it is ready.
    type Ready = Option<Result<Prepared, String>>;
    let mut preparing = JoinSet::new();
    let mut ready: Vec<watch::Sender<Ready>> = Vec::with_capacity(scenarios.len());
    for s in &scenarios {
        let s: &'static Scenario = s;
        let (tx, _) = watch::channel(None);
        let tx2 = tx.clone();
        preparing.spawn_blocking(move || {
            let p = Prepared::scenario(s, None).map_err(|e| e.to_string());
            tx2.send_replace(Some(p));
        });
        ready.push(tx);
    }

    let client = Arc::new(opts.client.clone());
    let semaphore = Arc::new(Semaphore::new(concurrency));
    let mut set = JoinSet::new();
    let mut meta = Vec::new();
    for (s, tx) in scenarios.iter().zip(&ready) {
        for case in s.cases() {
            for &mode in &modes {
                let job = Job {
                    index: meta.len(),
                    scenario: s,
                    variant: case.variant,
                    client_ctx: case_client(s, case.variant),
                    libpq: case.libpq,
                    expected: expected_of(case.expect.get(mode)),
                    mode,
                };
                meta.push((job.scenario, job.variant, job.mode, job.expected));
                let mut rx = tx.subscribe();
                let client = Arc::clone(&client);
                let home = Arc::clone(&home_path);
                let semaphore = Arc::clone(&semaphore);
                let timeout = opts.cell_timeout;
                set.spawn(async move {
                    let prepared = match rx.wait_for(Option::is_some).await {
                        Ok(p) => p.clone().unwrap_or_else(|| Err("not prepared".into())),
                        Err(_) => Err("the preparation task panicked".into()),
                    };
                    let _permit = semaphore.acquire_owned().await;
                    let index = job.index;
                    (
                        index,
                        run_cell(job, prepared, &client, &home, timeout).await,
                    )
                });
            }
        }
    }

    let total = meta.len();
    let mut cells: Vec<Option<Cell>> = vec![None; total];
    let mut done = 0;
    while let Some(res) = set.join_next().await {
        done += 1;
        // A panicking cell task leaves a gap, filled below as an error cell.
        if let Ok((i, cell)) = res {
            progress(Progress {
                done,
                total,
                cell: &cell,
            });
            if let Some(slot) = cells.get_mut(i) {
                *slot = Some(cell);
            }
        }
    }
    while preparing.join_next().await.is_some() {}
    // Removing the PKI directories is slow on some filesystems (files written with fsync):
    // drop the prepared scenarios in parallel.
    let mut cleanup = JoinSet::new();
    for tx in ready {
        let p = tx.send_replace(None);
        cleanup.spawn_blocking(move || drop(p));
    }
    while cleanup.join_next().await.is_some() {}
    let cells: Vec<Cell> = cells
        .into_iter()
        .zip(meta)
        .map(|(c, (s, v, m, e))| {
            c.unwrap_or_else(|| {
                let mut cell = blank_cell(s.name, v, m, e, String::new());
                cell.status = CellStatus::Error;
                cell.reason = Some("the cell's task panicked".into());
                cell
            })
        })
        .collect();
    drop(home);

    Ok(Report::new(
        versions::tool(),
        opts.client.info(),
        date,
        started.elapsed().as_secs_f64() * 1000.0,
        Environment::current(concurrency),
        Filters {
            scenarios: opts.scenarios.clone(),
            sslmodes: modes
                .iter()
                .filter(|_| !opts.sslmodes.is_empty())
                .map(|m| m.as_str().to_owned())
                .collect(),
        },
        modes.iter().map(|m| m.as_str().to_owned()).collect(),
        scenarios.iter().map(|s| scenario_info(s)).collect(),
        cells,
    ))
}

/// [`run`] on a new multi-threaded runtime (for synchronous callers such as the CLI).
pub fn run_blocking(opts: &Options, progress: impl FnMut(Progress<'_>)) -> Result<Report, Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            what: "starting the async runtime",
            source,
        })?;
    rt.block_on(run(opts, progress))
}

/// The `'static` client context of a case (the catalog is `'static`).
fn case_client(s: &'static Scenario, variant: Option<&str>) -> &'static ClientContext {
    match variant.and_then(|v| s.variant(v)) {
        Some(v) => &v.client,
        None => &s.client,
    }
}

fn blank_cell(
    scenario: &str,
    variant: Option<&str>,
    mode: SslMode,
    expected: Expected,
    conninfo: String,
) -> Cell {
    Cell {
        id: Cell::make_id(scenario, mode.as_str(), variant),
        scenario: scenario.to_owned(),
        sslmode: mode.as_str().to_owned(),
        variant: variant.map(str::to_owned),
        expected,
        observed: None,
        status: CellStatus::Error,
        reason: None,
        message: None,
        credentials_exposed: CredentialsExposed::default(),
        conninfo,
        duration_ms: 0.0,
        timings: Vec::new(),
        chain: Vec::new(),
        transcript: Vec::new(),
        client_output: None,
        diagnosis: None,
    }
}

/// What a client run produced, before comparison.
struct Observation {
    observed: Option<Outcome>,
    /// Why nothing was observed (timeouts, failures to start).
    error: Option<String>,
    message: Option<String>,
    timings: Vec<Timing>,
    chain: Vec<CertInfo>,
    client_output: Option<ClientOutput>,
    diagnosis: Option<serde_json::Value>,
}

impl Observation {
    fn error(why: String) -> Observation {
        Observation {
            observed: None,
            error: Some(why),
            message: None,
            timings: Vec::new(),
            chain: Vec::new(),
            client_output: None,
            diagnosis: None,
        }
    }
}

async fn run_cell(
    job: Job,
    prepared: Result<Prepared, String>,
    client: &Client,
    home: &Path,
    timeout: Duration,
) -> Cell {
    let started = Instant::now();
    let name = job.scenario.name;
    let mut cell = blank_cell(name, job.variant, job.mode, job.expected, String::new());
    let prepared = match &prepared {
        Ok(p) => p,
        Err(e) => {
            cell.reason = Some(format!("could not prepare the scenario: {e}"));
            return cell;
        }
    };
    let coordinator = match prepared.start().await {
        Ok(c) => c,
        Err(e) => {
            cell.reason = Some(format!("could not start the coordinator: {e}"));
            return cell;
        }
    };
    let pki_dir = coordinator.pki_dir().unwrap_or(home).to_path_buf();
    let addr = coordinator.addr();
    let conninfo = job.client_ctx.conninfo(&pki_dir, addr, job.mode);
    cell.conninfo = job.client_ctx.conninfo_redacted(&pki_dir, addr, job.mode);
    let secrets: Vec<&str> = job.client_ctx.password.iter().map(String::as_str).collect();
    let env = Env::from_map([("HOME", home.to_string_lossy().into_owned())]);

    // Cells an older psql cannot express are not run.
    if let Client::Psql(psql) = client {
        if let Some(reason) = too_new_for(psql.major, job.libpq, &conninfo, &env) {
            let _ = coordinator.shutdown().await;
            cell.status = CellStatus::NotApplicable;
            cell.reason = Some(reason);
            cell.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            return cell;
        }
    }

    let obs = match client {
        Client::Probe => probe_cell(&conninfo, &env, timeout).await,
        Client::Psql(psql) => external(
            client::run_psql(psql, &conninfo, &cell.conninfo, home, timeout, &secrets).await,
        ),
        Client::Command(t) => external(
            client::run_command(
                t,
                &conninfo,
                &cell.conninfo,
                job.mode.as_str(),
                home,
                timeout,
                &secrets,
            )
            .await,
        ),
    };
    let transcripts = coordinator.shutdown().await;
    cell.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    finish_cell(cell, obs, &transcripts, prepared, job.expected)
}

/// A reason the cell is not applicable to a psql of major `major`, if any: the catalog row needs
/// a newer libpq, or the connection string uses a keyword or value a newer libpq introduced.
fn too_new_for(major: u32, row_libpq: u32, conninfo: &str, env: &Env) -> Option<String> {
    let mut need = row_libpq;
    let mut what: Vec<String> = Vec::new();
    if let Ok(opts) = pgtls_conninfo::parse_options(conninfo) {
        for (k, v) in opts.iter() {
            if let Some(kw) = pgtls_conninfo::options::keyword(k).filter(|kw| kw.since > major) {
                need = need.max(kw.since);
                what.push(if kw.secret {
                    k.to_owned()
                } else {
                    format!("{k}={v}")
                });
            }
        }
    }
    // Values with a newer meaning (sslrootcert=system...), when libpq's checks accept the string.
    if let Ok(settings) = Settings::from_conninfo(conninfo, env) {
        for f in settings.features() {
            if f.since > major && !f.what.starts_with("keyword ") && !what.contains(&f.what) {
                need = need.max(f.since);
                what.push(f.what.clone());
            }
        }
    }
    if need <= major {
        return None;
    }
    let mut reason = format!("libpq {major} is too old: needs libpq {need}");
    if !what.is_empty() {
        reason.push_str(&format!(" for {}", what.join(", ")));
    }
    Some(reason)
}

async fn probe_cell(conninfo: &str, env: &Env, timeout: Duration) -> Observation {
    let settings = match Settings::from_conninfo(conninfo, env) {
        Ok(s) => s,
        Err(e) => {
            // libpq fails the same way, before any I/O.
            return Observation {
                observed: Some(Outcome::Rejected),
                error: None,
                message: Some(e.to_string()),
                timings: Vec::new(),
                chain: Vec::new(),
                client_output: None,
                diagnosis: None,
            };
        }
    };
    let opts = ProbeOptions {
        io_timeout: timeout,
        ..ProbeOptions::default()
    };
    let diag = match tokio::time::timeout(timeout, pgtls_probe::probe(&settings, &opts)).await {
        Ok(d) => d,
        Err(_) => {
            return Observation::error(format!(
                "the probe did not finish within {} s",
                timeout.as_secs_f32()
            ))
        }
    };
    observation_from_diagnosis(&diag)
}

fn observation_from_diagnosis(diag: &Diagnosis) -> Observation {
    let observed = match (diag.verdict, diag.transport) {
        (Verdict::Accepted, Some(AcceptedTransport::Tls)) => Outcome::Tls,
        (Verdict::Accepted, _) => Outcome::Plaintext,
        (Verdict::Rejected, _) => Outcome::Rejected,
    };
    let mut timings = Vec::new();
    let several = diag.attempts.len() > 1;
    for (i, a) in diag.attempts.iter().enumerate() {
        let prefix = if several {
            format!("attempt {} ", i + 1)
        } else {
            String::new()
        };
        let t = &a.timings;
        for (phase, ms) in [
            ("tcp connect", t.tcp_ms),
            ("SSLRequest answer", t.ssl_negotiation_ms),
            ("TLS handshake", t.tls_ms),
            ("startup + authentication", t.startup_auth_ms),
            ("attempt total", several.then_some(t.total_ms)),
        ] {
            if let Some(ms) = ms {
                timings.push(Timing {
                    phase: format!("{prefix}{phase}"),
                    ms,
                });
            }
        }
    }
    Observation {
        observed: Some(observed),
        error: None,
        message: diag.message.clone(),
        timings,
        chain: diag.chain.iter().map(cert_info).collect(),
        client_output: None,
        diagnosis: serde_json::to_value(diag).ok(),
    }
}

fn external(run: ExternalRun) -> Observation {
    let observed = match &run.verdict {
        ExternalVerdict::Tls => Some(Outcome::Tls),
        ExternalVerdict::Plaintext => Some(Outcome::Plaintext),
        ExternalVerdict::Rejected => Some(Outcome::Rejected),
        // Decided from the transcripts in `finish_cell`.
        ExternalVerdict::Connected => None,
        ExternalVerdict::TimedOut | ExternalVerdict::NotStarted(_) => None,
    };
    let error = match &run.verdict {
        ExternalVerdict::TimedOut | ExternalVerdict::NotStarted(_) => Some(
            run.message
                .clone()
                .unwrap_or_else(|| "the client did not finish".to_owned()),
        ),
        _ => None,
    };
    Observation {
        observed,
        error,
        message: match run.verdict {
            ExternalVerdict::Rejected => run.message,
            _ => None,
        },
        timings: Vec::new(),
        chain: Vec::new(),
        client_output: Some(run.output),
        diagnosis: None,
    }
}

/// A certificate as reports show it.
pub fn cert_info(d: &CertDetails) -> CertInfo {
    CertInfo {
        subject: d.subject.clone(),
        issuer: d.issuer.clone(),
        sans: d
            .sans
            .iter()
            .map(|s| match s {
                SanEntry::Dns(v) => format!("DNS:{v}"),
                SanEntry::Ip(v) => format!("IP:{v}"),
                SanEntry::InvalidIp(v) => format!("IP(invalid):{v}"),
                SanEntry::Email(v) => format!("email:{v}"),
                SanEntry::Uri(v) => format!("URI:{v}"),
                SanEntry::Other(v) => v.clone(),
            })
            .collect(),
        not_before: d.not_before.clone(),
        not_after: d.not_after.clone(),
        key: d.public_key.clone(),
        is_ca: d.is_ca,
        sha256: d.sha256_fingerprint.to_ascii_uppercase(),
    }
}

fn exposure(transcripts: &[Transcript]) -> CredentialsExposed {
    let mut e = CredentialsExposed::default();
    for t in transcripts {
        for c in &t.credentials_exposed {
            e.to_server = true;
            e.to_attacker |= c.to_attacker;
            let kind = match c.kind {
                CredentialKind::Cleartext => "cleartext password",
                CredentialKind::Md5 => "MD5 password hash",
                CredentialKind::ScramProof => "SCRAM client proof",
            };
            let transport = match c.transport {
                Transport::Tls => "over TLS",
                Transport::Plaintext => "in plaintext",
            };
            e.evidence.push(format!(
                "connection {}: {kind} {transport}{}",
                t.connection,
                if c.to_attacker { " to an attacker" } else { "" }
            ));
        }
    }
    e
}

fn finish_cell(
    mut cell: Cell,
    mut obs: Observation,
    transcripts: &[Transcript],
    prepared: &Prepared,
    expected: Expected,
) -> Cell {
    cell.credentials_exposed = exposure(transcripts);
    cell.transcript = transcripts
        .iter()
        .filter_map(|t| serde_json::to_value(t).ok())
        .collect();

    // A command that exited 0 without naming its transport: the session the coordinator saw
    // reach ReadyForQuery decides.
    if obs.observed.is_none() && obs.error.is_none() {
        match transcripts.iter().find(|t| t.ready) {
            Some(t) => {
                obs.observed = Some(match t.transport() {
                    Transport::Tls => Outcome::Tls,
                    Transport::Plaintext => Outcome::Plaintext,
                })
            }
            None => {
                obs.error = Some(
                    "the command exited 0, but no session reached ReadyForQuery on the coordinator"
                        .into(),
                )
            }
        }
    }

    // The chain the server presented: the probe's view, else the served one when TLS happened.
    if obs.chain.is_empty() && transcripts.iter().any(|t| t.tls.is_some()) {
        if let Some(tls) = &prepared.spec().tls {
            obs.chain = tls
                .chain
                .iter()
                .filter_map(|c| CertDetails::from_der(c).ok())
                .map(|d| cert_info(&d))
                .collect();
        }
    }

    cell.observed = obs.observed;
    cell.message = obs.message;
    cell.timings = obs.timings;
    cell.chain = obs.chain;
    cell.client_output = obs.client_output;
    cell.diagnosis = obs.diagnosis;
    match (obs.error, obs.observed) {
        (Some(why), _) => {
            cell.status = CellStatus::Error;
            cell.reason = Some(why);
        }
        (None, None) => {
            cell.status = CellStatus::Error;
            cell.reason = Some("nothing observed".into());
        }
        (None, Some(observed)) => {
            let sent = cell.credentials_exposed.to_server;
            let mut why = Vec::new();
            if observed != expected.outcome {
                why.push(format!(
                    "expected {}, observed {}",
                    expected.outcome.describe(),
                    observed.describe()
                ));
            }
            if sent != expected.password_reaches_server {
                why.push(if expected.password_reaches_server {
                    "the catalog expects the password to reach the server; the coordinator saw none"
                        .to_owned()
                } else {
                    "the catalog expects no password to reach the server; the coordinator saw one"
                        .to_owned()
                });
            }
            if why.is_empty() {
                cell.status = CellStatus::Match;
            } else {
                cell.status = CellStatus::Mismatch;
                cell.reason = Some(why.join("; "));
            }
        }
    }
    cell
}
