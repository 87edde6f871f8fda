//! The catalog's hand-written expectations checked against real psql (libpq), for every row
//! and variant the installed libpq can express, in all six sslmodes.
//!
//! psql's outcome: exit status 0 and `SSL connection` in `\conninfo` = tls; exit status 0
//! otherwise = plaintext; anything else = rejected. Whether the password reached the server
//! comes from the coordinator's transcripts of that cell.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pgtls_coordinator::catalog::{self, Case, Outcome, SslMode};
use pgtls_coordinator::peers;
use pgtls_coordinator::{Prepared, Transcript};
use tokio::sync::Semaphore;

/// Cells run at once (each is one psql process and one coordinator instance).
const PARALLEL: usize = 4;

struct Cell {
    label: String,
    mode: SslMode,
    want: catalog::Expected,
    got_outcome: Outcome,
    got_password: bool,
    psql_stderr: String,
    transcripts: Vec<Transcript>,
    conninfo: String,
    /// libpq checks channel_binding=require only at AuthenticationOk, after the server
    /// considered the session ready.
    refuses_after_auth_ok: bool,
}

async fn run_cell(
    psql: PathBuf,
    home: PathBuf,
    prepared: Prepared,
    case_label: String,
    client: catalog::ClientContext,
    want: catalog::Expected,
    mode: SslMode,
) -> Cell {
    let coord = prepared.start().await.expect("start coordinator");
    let dir = prepared.pki_dir().unwrap().to_path_buf();
    let conninfo = format!(
        "{} connect_timeout=10",
        client.conninfo(&dir, coord.addr(), mode)
    );
    let redacted = client.conninfo_redacted(&dir, coord.addr(), mode);
    let refuses_after_auth_ok = client.param("channel_binding") == Some("require");
    let output = tokio::task::spawn_blocking(move || {
        peers::psql_conninfo_command(&psql, &conninfo, &home)
            .output()
            .expect("run psql")
    })
    .await
    .expect("psql task");
    let transcripts = coord.shutdown().await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let got_outcome = match (output.status.success(), stdout.contains("SSL connection")) {
        (true, true) => Outcome::Tls,
        (true, false) => Outcome::Plaintext,
        (false, _) => Outcome::Rejected,
    };
    Cell {
        label: case_label,
        mode,
        want,
        got_outcome,
        got_password: transcripts.iter().any(Transcript::password_exposed),
        psql_stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        transcripts,
        conninfo: redacted,
        refuses_after_auth_ok,
    }
}

fn describe(cell: &Cell) -> String {
    let attempts: Vec<String> = cell
        .transcripts
        .iter()
        .map(|t| {
            format!(
                "[ssl_answer={:?} tls={} ready={} creds={} close={:?}{}]",
                t.ssl_answer,
                t.tls
                    .as_ref()
                    .map_or("none".to_owned(), |x| if x.established {
                        x.version.clone().unwrap_or_default()
                    } else {
                        format!(
                            "failed({})",
                            x.client_alert
                                .clone()
                                .or(x.error.clone())
                                .unwrap_or_default()
                        )
                    }),
                t.ready,
                t.credentials_exposed.len(),
                t.close,
                t.errors_sent
                    .first()
                    .map(|e| format!(" sent={} {}", e.sqlstate, e.message))
                    .unwrap_or_default()
            )
        })
        .collect();
    format!(
        "{} sslmode={}: want {} (password {}), psql got {} (password {})\n    conninfo: {}\n    psql: {}\n    server: {}",
        cell.label,
        cell.mode,
        cell.want.outcome,
        cell.want.password_reaches_server,
        cell.got_outcome,
        cell.got_password,
        cell.conninfo,
        cell.psql_stderr.replace('\n', "\n          "),
        attempts.join(" ")
    )
}

/// Transcript consistency: what psql says and what the server saw agree.
fn transcript_agrees(cell: &Cell) -> Option<String> {
    let hex: String = catalog::PASSWORD
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    for t in &cell.transcripts {
        let json = t.to_json_line();
        if json.contains(catalog::PASSWORD) || json.contains(&hex) {
            return Some("the password value is in a transcript".into());
        }
    }
    let ready: Vec<&Transcript> = cell.transcripts.iter().filter(|t| t.ready).collect();
    match cell.got_outcome {
        Outcome::Rejected if !ready.is_empty() && !cell.refuses_after_auth_ok => {
            Some("psql failed but a session was ready".into())
        }
        Outcome::Tls | Outcome::Plaintext if ready.len() != 1 => {
            Some(format!("{} ready sessions for one psql run", ready.len()))
        }
        Outcome::Tls if ready[0].transport() != pgtls_coordinator::transcript::Transport::Tls => {
            Some("psql says SSL, the server saw plaintext".into())
        }
        Outcome::Plaintext
            if ready[0].transport() == pgtls_coordinator::transcript::Transport::Tls =>
        {
            Some("psql says plaintext, the server saw TLS".into())
        }
        _ => None,
    }
}

type Cases = Vec<(&'static catalog::Scenario, Vec<Case<'static>>)>;

fn cases_for(major: u32, filter: &impl Fn(&catalog::Scenario) -> bool) -> (Cases, Vec<String>) {
    let mut skipped = Vec::new();
    let mut out = Vec::new();
    for row in catalog::all().iter().filter(|r| filter(r)) {
        let mut cases = Vec::new();
        for case in row.cases() {
            if case.libpq > major {
                skipped.push(format!("{} (needs libpq {})", case.label(), case.libpq));
            } else {
                cases.push(case);
            }
        }
        out.push((row, cases));
    }
    (out, skipped)
}

async fn check_against_psql(psql: &Path, filter: impl Fn(&catalog::Scenario) -> bool) {
    let major = peers::binary_major_version(psql).expect("psql --version");
    let home = tempfile::tempdir().expect("home dir");
    let (rows, skipped) = cases_for(major, &filter);
    for s in &skipped {
        eprintln!("note: psql {major} cannot express {s}; not checked here");
    }
    let verbose = std::env::var_os("PGTLS_PSQL_VERBOSE").is_some();
    let limit = Arc::new(Semaphore::new(PARALLEL));
    let mut tasks = Vec::new();
    for (row, cases) in rows {
        let prepared = Prepared::scenario(row, None).expect("prepare");
        for case in cases {
            for (mode, want) in case.expect.iter() {
                let permit = limit.clone().acquire_owned().await.unwrap();
                let (psql, home, prepared) = (
                    psql.to_path_buf(),
                    home.path().to_path_buf(),
                    prepared.clone(),
                );
                let (label, client) = (case.label(), case.client.clone());
                tasks.push(tokio::spawn(async move {
                    let cell = run_cell(psql, home, prepared, label, client, want, mode).await;
                    drop(permit);
                    cell
                }));
            }
        }
    }
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for task in tasks {
        let cell = task.await.expect("cell task");
        checked += 1;
        if verbose {
            eprintln!("{}", describe(&cell));
        }
        if cell.got_outcome != cell.want.outcome
            || cell.got_password != cell.want.password_reaches_server
        {
            mismatches.push(describe(&cell));
        } else if let Some(problem) = transcript_agrees(&cell) {
            mismatches.push(format!("{problem}: {}", describe(&cell)));
        }
    }
    eprintln!(
        "psql {major}: {checked} cells checked, {} mismatches",
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} cells disagree with psql {major}:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

macro_rules! psql_test {
    ($name:ident, $($category:ident)|+) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(psql) = peers::psql_or_skip(stringify!($name)) else { return };
            check_against_psql(&psql, |row| {
                matches!(row.category, $(catalog::Category::$category)|+)
            })
            .await;
        }
    };
}

psql_test!(psql_agrees_with_healthy_and_auth_rows, Healthy | Auth);
psql_test!(psql_agrees_with_name_rows, Names);
psql_test!(
    psql_agrees_with_chain_time_and_revocation_rows,
    Chain | Time | Revocation
);
psql_test!(
    psql_agrees_with_negotiation_and_client_cert_rows,
    Negotiation | ClientCert
);
psql_test!(psql_agrees_with_mitm_rows, Mitm);
