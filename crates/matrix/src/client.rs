//! The clients that decide cells: the in-process probe, real psql, or a command template.
//!
//! External clients (psql, templates) are run with a per-run empty `HOME`, no inherited `PG*`
//! variable and no password or service file, so `~/.postgresql/root.crt` and friends come only
//! from the cell's connection string. Every run has a timeout; a client still running then is
//! killed and the cell becomes an `error` cell.
//!
//! Command templates: `--client 'CMD ARGS {conninfo}'`. The template is split into words like a
//! POSIX shell would (quotes and backslashes), without running a shell; `{conninfo}` inside any
//! word is replaced by the cell's keyword/value connection string (password included: the
//! command needs it). The connection string is also in the environment as `PGTLS_CONNINFO`, and
//! the sslmode as `PGTLS_SSLMODE`. Exit status 0 means "connected"; a non-zero status means
//! "rejected", with stderr as the message. The command says which transport it got by printing
//! `SSL connection` (psql's `\conninfo` wording) or `transport=tls` for TLS, and
//! `transport=plaintext` for plaintext; when it prints neither, the coordinator's transcript of
//! the authenticated connection decides.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use pgtls_coordinator::peers;

use crate::model::{ClientInfo, ClientKind, ClientOutput};
use crate::Error;

/// The placeholder a command template must contain.
pub const CONNINFO_PLACEHOLDER: &str = "{conninfo}";

/// Longest stdout/stderr kept per cell.
const MAX_OUTPUT: usize = 16 * 1024;

/// Which client decides the cells.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Client {
    /// pgtls's libpq-faithful probe, in process.
    Probe,
    /// Real psql.
    Psql(Psql),
    /// A command template.
    Command(CommandTemplate),
}

impl Client {
    /// Parses `--client`: `probe`, `psql` (found like the tests find it), or a template
    /// containing `{conninfo}`.
    pub fn parse(value: &str) -> Result<Client, Error> {
        match value.trim() {
            "probe" => Ok(Client::Probe),
            "psql" => Ok(Client::Psql(Psql::discover()?)),
            _ => Ok(Client::Command(CommandTemplate::parse(value)?)),
        }
    }

    /// The report's description of this client.
    pub fn info(&self) -> ClientInfo {
        match self {
            Client::Probe => ClientInfo {
                kind: ClientKind::Probe,
                description: format!("pgtls probe {} (in-process)", env!("CARGO_PKG_VERSION")),
                program: None,
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
                libpq_major: None,
            },
            Client::Psql(p) => ClientInfo {
                kind: ClientKind::Psql,
                description: p.version.clone(),
                program: Some(p.path.display().to_string()),
                version: Some(p.version.clone()),
                libpq_major: Some(p.major),
            },
            Client::Command(t) => ClientInfo {
                kind: ClientKind::Command,
                description: t.template.clone(),
                program: t.words.first().cloned(),
                version: None,
                libpq_major: None,
            },
        }
    }
}

/// A psql binary and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Psql {
    /// Path of the binary.
    pub path: PathBuf,
    /// `psql --version` output, e.g. `psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`.
    pub version: String,
    /// Major version (the libpq it is built with is at least as new on Debian; psql's own major
    /// is what decides which connection parameters it accepts).
    pub major: u32,
}

impl Psql {
    /// Finds psql with [`peers::find_psql`] (versioned bindir first, then `PATH`).
    pub fn discover() -> Result<Psql, Error> {
        let path = peers::find_psql().ok_or(Error::PsqlNotFound)?;
        Psql::at(path)
    }

    /// Uses the psql at `path`.
    pub fn at(path: PathBuf) -> Result<Psql, Error> {
        let out = std::process::Command::new(&path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::Io {
                what: "running psql --version",
                source,
            })?;
        let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let major = peers::binary_major_version(&path).ok_or_else(|| Error::InvalidClient {
            value: path.display().to_string(),
            reason: format!("cannot read a major version from {version:?}"),
        })?;
        Ok(Psql {
            path,
            version,
            major,
        })
    }
}

/// A `--client` command template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandTemplate {
    template: String,
    words: Vec<String>,
}

impl CommandTemplate {
    /// Splits a template into words (POSIX shell quoting, no shell run); it must contain
    /// `{conninfo}`.
    pub fn parse(template: &str) -> Result<CommandTemplate, Error> {
        let invalid = |reason: &str| Error::InvalidClient {
            value: template.to_owned(),
            reason: reason.to_owned(),
        };
        let words = shlex::split(template).ok_or_else(|| invalid("unbalanced quotes"))?;
        if words.is_empty() {
            return Err(invalid(
                "use probe, psql, or a command template such as 'mydriver {conninfo}'",
            ));
        }
        if !words.iter().any(|w| w.contains(CONNINFO_PLACEHOLDER)) {
            return Err(invalid(
                "not probe or psql, and a command template must contain {conninfo}",
            ));
        }
        Ok(CommandTemplate {
            template: template.to_owned(),
            words,
        })
    }

    /// The template as given.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The argv for one connection string.
    pub fn argv(&self, conninfo: &str) -> Vec<String> {
        self.words
            .iter()
            .map(|w| w.replace(CONNINFO_PLACEHOLDER, conninfo))
            .collect()
    }
}

/// What an external client's run showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalVerdict {
    /// Connected over TLS (psql: `SSL connection` in `\conninfo`).
    Tls,
    /// Connected without TLS.
    Plaintext,
    /// Exit status 0, but the command did not say which transport it used.
    Connected,
    /// Non-zero exit status.
    Rejected,
    /// Still running at the timeout; killed.
    TimedOut,
    /// Could not be started.
    NotStarted(String),
}

/// An external client's run: verdict, message and output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalRun {
    /// The verdict.
    pub verdict: ExternalVerdict,
    /// The error message (psql's text without the `psql: error: ` prefix), when rejected.
    pub message: Option<String>,
    /// The command line (redacted), exit status and output.
    pub output: ClientOutput,
}

/// Replaces every occurrence of each secret with `********`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut s = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        s = s.replace(secret, "********");
    }
    s
}

fn bounded(bytes: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut s = redact(&text, secrets);
    if s.len() > MAX_OUTPUT {
        let mut end = MAX_OUTPUT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str("\n… (truncated)");
    }
    s
}

/// Reads psql's decision from its exit status and output: 0 and `SSL connection` in stdout is
/// TLS, 0 without it plaintext, anything else rejected.
pub fn classify_psql(
    exit_code: Option<i32>,
    stdout: &str,
    stderr: &str,
) -> (ExternalVerdict, Option<String>) {
    match exit_code {
        Some(0) if stdout.contains("SSL connection") => (ExternalVerdict::Tls, None),
        Some(0) => (ExternalVerdict::Plaintext, None),
        Some(_) => (ExternalVerdict::Rejected, Some(psql_message(stderr))),
        None => (ExternalVerdict::TimedOut, None),
    }
}

/// psql's error text without `psql: error: ` and trailing whitespace.
pub fn psql_message(stderr: &str) -> String {
    let t = stderr.trim_end();
    t.strip_prefix("psql: error: ").unwrap_or(t).to_owned()
}

/// Reads a command template's decision (see the module docs).
pub fn classify_command(
    exit_code: Option<i32>,
    stdout: &str,
    stderr: &str,
) -> (ExternalVerdict, Option<String>) {
    match exit_code {
        Some(0) => {
            if stdout.contains("SSL connection") || stdout.contains("transport=tls") {
                (ExternalVerdict::Tls, None)
            } else if stdout.contains("transport=plaintext") {
                (ExternalVerdict::Plaintext, None)
            } else {
                (ExternalVerdict::Connected, None)
            }
        }
        Some(_) => {
            let msg = stderr.trim();
            let msg = if msg.is_empty() { stdout.trim() } else { msg };
            (ExternalVerdict::Rejected, Some(msg.to_owned()))
        }
        None => (ExternalVerdict::TimedOut, None),
    }
}

/// How an external run ended.
enum End {
    /// The process exited (`None`: killed by a signal).
    Exited(Option<i32>),
    /// Still running at the timeout; killed.
    TimedOut(String),
    /// Could not be started or waited for.
    Failed(String),
}

/// Reads at most [`MAX_OUTPUT`] + 1 bytes, then discards the rest so the child never blocks on a
/// full pipe.
async fn read_bounded<R: tokio::io::AsyncRead + Unpin>(r: Option<R>) -> Vec<u8> {
    use tokio::io::AsyncReadExt as _;
    let mut buf = Vec::new();
    if let Some(mut r) = r {
        let _ = (&mut r)
            .take(MAX_OUTPUT as u64 + 1)
            .read_to_end(&mut buf)
            .await;
        let _ = tokio::io::copy(&mut r, &mut tokio::io::sink()).await;
    }
    buf
}

/// Runs `cmd` to completion or until `timeout` (then kills it), capturing bounded, redacted
/// output.
async fn run(
    mut cmd: tokio::process::Command,
    shown: String,
    timeout: Duration,
    secrets: &[&str],
) -> (End, ClientOutput) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut output = ClientOutput {
        command: shown,
        ..ClientOutput::default()
    };
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return (End::Failed(format!("could not start: {e}")), output),
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let all = async {
        let (out, err, status) =
            tokio::join!(read_bounded(stdout), read_bounded(stderr), child.wait());
        (out, err, status)
    };
    match tokio::time::timeout(timeout, all).await {
        Ok((out, err, Ok(status))) => {
            output.exit_code = status.code();
            output.stdout = bounded(&out, secrets);
            output.stderr = bounded(&err, secrets);
            (End::Exited(status.code()), output)
        }
        Ok((_, _, Err(e))) => (
            End::Failed(format!("waiting for the client failed: {e}")),
            output,
        ),
        Err(_) => (
            End::TimedOut(format!(
                "timed out after {} s; killed",
                timeout.as_secs_f32()
            )),
            output,
        ),
    }
}

fn not_started(output: ClientOutput, why: String) -> ExternalRun {
    ExternalRun {
        verdict: ExternalVerdict::NotStarted(why.clone()),
        message: Some(why),
        output,
    }
}

/// Reads a client's decision from its exit status, stdout and stderr.
type Classify = fn(Option<i32>, &str, &str) -> (ExternalVerdict, Option<String>);

/// Turns how a run ended into a verdict with `classify`.
fn finish(end: End, output: ClientOutput, classify: Classify) -> ExternalRun {
    match end {
        End::Exited(code) => {
            let (verdict, message) = match code {
                Some(_) => classify(code, &output.stdout, &output.stderr),
                None => (
                    ExternalVerdict::Rejected,
                    Some("the client was killed by a signal".to_owned()),
                ),
            };
            ExternalRun {
                verdict,
                message,
                output,
            }
        }
        End::TimedOut(why) => ExternalRun {
            verdict: ExternalVerdict::TimedOut,
            message: Some(why),
            output,
        },
        End::Failed(why) => not_started(output, why),
    }
}

/// Runs psql's `\conninfo` with `conninfo`, `home` as HOME.
pub async fn run_psql(
    psql: &Psql,
    conninfo: &str,
    redacted_conninfo: &str,
    home: &Path,
    timeout: Duration,
    secrets: &[&str],
) -> ExternalRun {
    let cmd = peers::psql_conninfo_command(&psql.path, conninfo, home);
    let shown = format!(
        "{} -X -w -d {} -c '\\conninfo'",
        psql.path.display(),
        shell_quote(redacted_conninfo)
    );
    let (end, output) = run(cmd.into(), shown, timeout, secrets).await;
    finish(end, output, classify_psql)
}

/// Runs a command template with `conninfo`, `home` as HOME.
pub async fn run_command(
    template: &CommandTemplate,
    conninfo: &str,
    redacted_conninfo: &str,
    sslmode: &str,
    home: &Path,
    timeout: Duration,
    secrets: &[&str],
) -> ExternalRun {
    let argv = template.argv(conninfo);
    let shown = template
        .argv(redacted_conninfo)
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    let Some((program, args)) = argv.split_first() else {
        return not_started(ClientOutput::default(), "empty command".into());
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args);
    for (k, _) in std::env::vars_os() {
        if k.to_str().is_some_and(|k| k.starts_with("PG")) {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("PGPASSFILE", home.join("no-such-pgpass"))
        .env("PGSERVICEFILE", home.join("no-such-service-file"))
        .env("PGSYSCONFDIR", home.join("no-such-sysconfdir"))
        .env("PGTLS_CONNINFO", conninfo)
        .env("PGTLS_SSLMODE", sslmode)
        .env("LC_ALL", "C");
    let (end, output) = run(cmd, shown, timeout, secrets).await;
    finish(end, output, classify_command)
}

/// Single-quotes a word for display when it needs it.
fn shell_quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
    {
        w.to_owned()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}
