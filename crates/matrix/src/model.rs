//! The report model: one value that every writer renders.
//!
//! A [`Report`] is built once by the runner (or by hand in tests) and rendered by the writers in
//! [`crate::render`]: the terminal table, JSON, Markdown, HTML and JUnit all read the same fields,
//! so they cannot drift apart. The JSON writer is `serde_json` over these types, and
//! `testdata/schema/matrix-report.schema.json` documents that JSON.

use serde::{Deserialize, Serialize};

/// The value of [`Report::format`].
pub const REPORT_FORMAT: &str = "pgtls-matrix-report";
/// The value of [`Report::format_version`]; bumped on incompatible changes to the JSON.
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// What the client ended up with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Connected (authenticated) over TLS.
    Tls,
    /// Connected (authenticated) without encryption.
    Plaintext,
    /// No connection: the client refused, or the server refused the client.
    Rejected,
}

impl Outcome {
    /// Every outcome, in the order the legend lists them.
    pub const ALL: [Outcome; 3] = [Outcome::Tls, Outcome::Plaintext, Outcome::Rejected];

    /// The short label used in tables: `tls`, `plain`, `REJECT`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Tls => "tls",
            Outcome::Plaintext => "plain",
            Outcome::Rejected => "REJECT",
        }
    }

    /// The JSON name: `tls`, `plaintext`, `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Tls => "tls",
            Outcome::Plaintext => "plaintext",
            Outcome::Rejected => "rejected",
        }
    }

    /// A phrase for prose: "accepted over TLS", ...
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Tls => "accepted over TLS",
            Outcome::Plaintext => "accepted in plaintext",
            Outcome::Rejected => "rejected",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The catalog's hand-written expectation for one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    /// The outcome libpq produces.
    pub outcome: Outcome,
    /// Whether the password (or a password-derived proof) reaches the peer the client talks to.
    pub password_reaches_server: bool,
}

/// Whether credentials crossed the wire, read from the coordinator's transcripts (never from the
/// client's own account).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsExposed {
    /// A password, password hash or SCRAM proof reached the peer the client connected to.
    pub to_server: bool,
    /// ... and that peer was an attacker (a scenario whose server impersonates or intercepts).
    pub to_attacker: bool,
    /// What was exposed and how, one short line per exposure (e.g. `cleartext password over
    /// plaintext`). Never the secret itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl CredentialsExposed {
    /// True when anything reached the peer.
    pub fn any(&self) -> bool {
        self.to_server || self.to_attacker
    }
}

/// How a cell compares with its expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// Observed outcome and credential exposure equal the expectation.
    Match,
    /// The client decided differently from the expectation.
    Mismatch,
    /// The client cannot express this cell (e.g. libpq too old for a parameter); not run.
    NotApplicable,
    /// The cell could not be run or observed (client missing, timeout, server failure).
    Error,
}

impl CellStatus {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Match => "match",
            CellStatus::Mismatch => "mismatch",
            CellStatus::NotApplicable => "not_applicable",
            CellStatus::Error => "error",
        }
    }

    /// True for the statuses that make the matrix fail.
    pub fn is_failure(self) -> bool {
        matches!(self, CellStatus::Mismatch | CellStatus::Error)
    }
}

/// One timed phase of a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Phase name (`total`, `tcp`, `ssl_request`, `tls_handshake`, `auth`, ...).
    pub phase: String,
    /// Milliseconds.
    pub ms: f64,
}

/// One certificate of a chain, as shown to a reviewer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Subject alternative names (`DNS:...`, `IP:...`).
    #[serde(default)]
    pub sans: Vec<String>,
    /// Start of validity (RFC 3339).
    pub not_before: String,
    /// End of validity (RFC 3339).
    pub not_after: String,
    /// Key type and size.
    pub key: String,
    /// Whether the certificate is a CA.
    pub is_ca: bool,
    /// SHA-256 fingerprint, colon-separated upper-case hex as `openssl x509 -fingerprint -sha256`.
    pub sha256: String,
}

/// What an external client printed (psql or a command template).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientOutput {
    /// The command line, with the password redacted.
    pub command: String,
    /// Exit code; absent when the process was killed (timeout) or never started.
    pub exit_code: Option<i32>,
    /// Standard output (bounded, password redacted).
    pub stdout: String,
    /// Standard error (bounded, password redacted).
    pub stderr: String,
}

/// One cell: a scenario (and variant) in one sslmode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Stable identifier, also the HTML anchor: `cell-<scenario>-<sslmode>[-<variant>]`.
    pub id: String,
    /// Scenario name (a catalog row).
    pub scenario: String,
    /// sslmode as libpq spells it.
    pub sslmode: String,
    /// Client variant, when the row is a variant of the scenario.
    pub variant: Option<String>,
    /// The catalog's expectation.
    pub expected: Expected,
    /// What the client ended up with; absent for `not_applicable` and `error` cells.
    pub observed: Option<Outcome>,
    /// Comparison of observed and expected.
    pub status: CellStatus,
    /// Why the cell mismatched, was not applicable or failed to run (human text).
    pub reason: Option<String>,
    /// The client's message (libpq's text when rejected).
    pub message: Option<String>,
    /// Credentials seen by the coordinator.
    pub credentials_exposed: CredentialsExposed,
    /// The connection string given to the client (password redacted).
    pub conninfo: String,
    /// Wall time of the cell, milliseconds.
    pub duration_ms: f64,
    /// Per-phase timings, when the client reports them (the probe does).
    #[serde(default)]
    pub timings: Vec<Timing>,
    /// The chain the server presented (leaf first).
    #[serde(default)]
    pub chain: Vec<CertInfo>,
    /// The coordinator's transcripts of this cell's connections, as the coordinator serialized
    /// them (passwords are never serialized, only that they were exposed).
    #[serde(default)]
    pub transcript: Vec<serde_json::Value>,
    /// psql's or the command's output.
    pub client_output: Option<ClientOutput>,
    /// The probe's full diagnosis (probe client only).
    pub diagnosis: Option<serde_json::Value>,
}

impl Cell {
    /// The HTML anchor / id for a cell.
    pub fn make_id(scenario: &str, sslmode: &str, variant: Option<&str>) -> String {
        let mut id = String::from("cell-");
        push_slug(&mut id, scenario);
        id.push('-');
        push_slug(&mut id, sslmode);
        if let Some(v) = variant {
            id.push_str("--");
            push_slug(&mut id, v);
        }
        id
    }

    /// The row label: `scenario` or `scenario [variant]`.
    pub fn row_label(&self) -> String {
        row_label(&self.scenario, self.variant.as_deref())
    }

    /// The JUnit test name: `sslmode` or `sslmode [variant]`.
    pub fn test_name(&self) -> String {
        match &self.variant {
            Some(v) => format!("{} [{v}]", self.sslmode),
            None => self.sslmode.clone(),
        }
    }

    /// The table label of the observed outcome (`tls`, `plain`, `REJECT`, `n/a`, `ERROR`).
    pub fn observed_label(&self) -> &'static str {
        match (self.status, self.observed) {
            (CellStatus::NotApplicable, _) => "n/a",
            (_, Some(o)) => o.label(),
            (_, None) => "ERROR",
        }
    }

    /// True when a password reached an attacker in this cell.
    pub fn password_to_attacker(&self) -> bool {
        self.credentials_exposed.to_attacker
    }
}

/// `scenario` or `scenario [variant]`.
pub fn row_label(scenario: &str, variant: Option<&str>) -> String {
    match variant {
        Some(v) => format!("{scenario} [{v}]"),
        None => scenario.to_owned(),
    }
}

fn push_slug(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push('_');
        }
    }
}

/// The catalog row behind a set of cells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// Scenario name.
    pub name: String,
    /// One-line summary.
    pub summary: String,
    /// Why the scenario matters (what it proves).
    pub why: String,
    /// Oldest libpq major version that can express the scenario's base client context.
    pub libpq: u32,
    /// The scenario's client variants.
    #[serde(default)]
    pub variants: Vec<VariantInfo>,
}

/// A client variant of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantInfo {
    /// Variant name.
    pub name: String,
    /// What differs from the base client context.
    pub summary: String,
    /// Oldest libpq major version that can express the variant.
    pub libpq: u32,
}

/// A library and the version this binary was built with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Library {
    /// Crate name.
    pub name: String,
    /// Version (from Cargo.lock at build time).
    pub version: String,
}

/// The tool that produced the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `pgtls`.
    pub name: String,
    /// pgtls version (Cargo package version).
    pub version: String,
    /// `rustc --version` of the compiler that built it, when known.
    pub rustc: Option<String>,
    /// TLS and crypto libraries linked in (rustls first).
    pub libraries: Vec<Library>,
}

impl Tool {
    /// The version of `name` among [`Tool::libraries`].
    pub fn library(&self, name: &str) -> Option<&str> {
        self.libraries
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.version.as_str())
    }
}

/// Which client decided the cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    /// pgtls's in-process libpq-faithful probe.
    Probe,
    /// Real psql (libpq).
    Psql,
    /// A command template (`--client 'CMD {conninfo}'`).
    Command,
}

impl ClientKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Probe => "probe",
            ClientKind::Psql => "psql",
            ClientKind::Command => "command",
        }
    }
}

/// The client used for every cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    /// Kind.
    pub kind: ClientKind,
    /// Human description: `pgtls probe (in-process)`, `psql (PostgreSQL) 15.18`, the template.
    pub description: String,
    /// Path of psql or the template's program, when external.
    pub program: Option<String>,
    /// The client's version string, when known.
    pub version: Option<String>,
    /// libpq major version (psql), which decides `not_applicable` cells.
    pub libpq_major: Option<u32>,
}

/// Where the report was produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Operating system (`linux`, ...).
    pub os: String,
    /// CPU architecture.
    pub arch: String,
    /// CPUs available to the process.
    pub cpus: usize,
    /// Cells run at the same time.
    pub concurrency: usize,
}

impl Environment {
    /// The current process's environment, with the given concurrency.
    pub fn current(concurrency: usize) -> Self {
        Self {
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            concurrency,
        }
    }
}

/// The filters the run was restricted to (empty = everything).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// `--scenario` values.
    pub scenarios: Vec<String>,
    /// `--sslmode` values.
    pub sslmodes: Vec<String>,
}

/// Counts for one sslmode column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeSummary {
    /// sslmode.
    pub sslmode: String,
    /// Cells observed over TLS.
    pub tls: usize,
    /// Cells observed in plaintext.
    pub plaintext: usize,
    /// Cells observed rejected.
    pub rejected: usize,
    /// Cells where a password reached an attacker.
    pub password_to_attacker: usize,
    /// Mismatched or errored cells.
    pub failed: usize,
    /// Cells not applicable.
    pub not_applicable: usize,
}

/// Totals over the cells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of cells.
    pub cells: usize,
    /// Cells whose observation matched the expectation.
    pub matched: usize,
    /// Cells whose observation differed.
    pub mismatched: usize,
    /// Cells the client cannot express.
    pub not_applicable: usize,
    /// Cells that could not be run or observed.
    pub errors: usize,
    /// Cells where a password reached an attacker (expected or not).
    pub password_to_attacker: usize,
    /// True iff no cell mismatched or errored (the exit status is 0 exactly then).
    pub ok: bool,
    /// Per sslmode, in sslmode order.
    pub per_sslmode: Vec<ModeSummary>,
}

impl Summary {
    /// Counts `cells`; `sslmodes` fixes the order of [`Summary::per_sslmode`].
    pub fn of(cells: &[Cell], sslmodes: &[String]) -> Self {
        let mut s = Summary {
            cells: cells.len(),
            per_sslmode: sslmodes
                .iter()
                .map(|m| ModeSummary {
                    sslmode: m.clone(),
                    ..ModeSummary::default()
                })
                .collect(),
            ..Summary::default()
        };
        for cell in cells {
            match cell.status {
                CellStatus::Match => s.matched += 1,
                CellStatus::Mismatch => s.mismatched += 1,
                CellStatus::NotApplicable => s.not_applicable += 1,
                CellStatus::Error => s.errors += 1,
            }
            if cell.password_to_attacker() {
                s.password_to_attacker += 1;
            }
            if let Some(m) = s.per_sslmode.iter_mut().find(|m| m.sslmode == cell.sslmode) {
                match (cell.status, cell.observed) {
                    (CellStatus::NotApplicable, _) => m.not_applicable += 1,
                    (_, Some(Outcome::Tls)) => m.tls += 1,
                    (_, Some(Outcome::Plaintext)) => m.plaintext += 1,
                    (_, Some(Outcome::Rejected)) => m.rejected += 1,
                    (_, None) => {}
                }
                if cell.status.is_failure() {
                    m.failed += 1;
                }
                if cell.password_to_attacker() {
                    m.password_to_attacker += 1;
                }
            }
        }
        s.ok = s.mismatched == 0 && s.errors == 0;
        s
    }
}

/// A whole matrix run: what every writer renders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_FORMAT`].
    pub format: String,
    /// Always [`REPORT_FORMAT_VERSION`].
    pub format_version: u32,
    /// pgtls and library versions.
    pub tool: Tool,
    /// The client that decided the cells.
    pub client: ClientInfo,
    /// When the run started (RFC 3339, UTC).
    pub date: String,
    /// Wall time of the whole run, milliseconds.
    pub duration_ms: f64,
    /// Where it ran.
    pub environment: Environment,
    /// Filters applied.
    pub filters: Filters,
    /// The sslmode columns, in libpq's order.
    pub sslmodes: Vec<String>,
    /// The scenario rows, in catalog order.
    pub scenarios: Vec<ScenarioInfo>,
    /// Totals.
    pub summary: Summary,
    /// Every cell, row by row (scenario, then variant), sslmodes in column order.
    pub cells: Vec<Cell>,
}

impl Report {
    /// Assembles a report and computes its summary.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        tool: Tool,
        client: ClientInfo,
        date: String,
        duration_ms: f64,
        environment: Environment,
        filters: Filters,
        sslmodes: Vec<String>,
        scenarios: Vec<ScenarioInfo>,
        cells: Vec<Cell>,
    ) -> Self {
        let summary = Summary::of(&cells, &sslmodes);
        Self {
            format: REPORT_FORMAT.to_owned(),
            format_version: REPORT_FORMAT_VERSION,
            tool,
            client,
            date,
            duration_ms,
            environment,
            filters,
            sslmodes,
            scenarios,
            summary,
            cells,
        }
    }

    /// True iff every cell matched (n/a cells do not count against it).
    pub fn ok(&self) -> bool {
        self.summary.ok
    }

    /// The rows of the heat map: (scenario, variant) in report order, each once.
    pub fn rows(&self) -> Vec<(String, Option<String>)> {
        let mut rows: Vec<(String, Option<String>)> = Vec::new();
        for c in &self.cells {
            let key = (c.scenario.clone(), c.variant.clone());
            if !rows.contains(&key) {
                rows.push(key);
            }
        }
        rows
    }

    /// The cell of a row and column, if present.
    pub fn cell(&self, scenario: &str, variant: Option<&str>, sslmode: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| {
            c.scenario == scenario && c.variant.as_deref() == variant && c.sslmode == sslmode
        })
    }

    /// The catalog row of a scenario.
    pub fn scenario(&self, name: &str) -> Option<&ScenarioInfo> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}
