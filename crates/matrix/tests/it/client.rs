//! psql and command-template clients: how their output becomes an outcome.

use std::time::Duration;

use pgtls_matrix::client::{
    classify_command, classify_psql, psql_message, redact, run_command, Client, CommandTemplate,
    ExternalVerdict,
};
use pgtls_matrix::Error;

#[test]
fn psql_exit_zero_with_ssl_connection_is_tls_and_without_it_plaintext() {
    let tls_out = "You are connected to database \"db\" as user \"u\" on host \"127.0.0.1\" at port \"5432\".\n\
                   SSL connection (protocol: TLSv1.3, cipher: TLS_AES_256_GCM_SHA384, compression: off)\n";
    assert_eq!(classify_psql(Some(0), tls_out, "").0, ExternalVerdict::Tls);
    let plain_out = "You are connected to database \"db\" as user \"u\" on host \"127.0.0.1\" at port \"5432\".\n";
    assert_eq!(
        classify_psql(Some(0), plain_out, "").0,
        ExternalVerdict::Plaintext
    );
}

#[test]
fn psql_failure_is_rejected_with_libpqs_message() {
    let (v, msg) = classify_psql(
        Some(2),
        "",
        "psql: error: connection to server at \"127.0.0.1\", port 5432 failed: server does not support SSL, but SSL was required\n",
    );
    assert_eq!(v, ExternalVerdict::Rejected);
    assert_eq!(
        msg.as_deref(),
        Some("connection to server at \"127.0.0.1\", port 5432 failed: server does not support SSL, but SSL was required")
    );
    assert_eq!(psql_message("other\n"), "other");
    assert_eq!(classify_psql(None, "", "").0, ExternalVerdict::TimedOut);
}

#[test]
fn command_reports_its_transport_by_convention() {
    assert_eq!(
        classify_command(Some(0), "transport=tls\n", "").0,
        ExternalVerdict::Tls
    );
    assert_eq!(
        classify_command(Some(0), "SSL connection (protocol: TLSv1.3)", "").0,
        ExternalVerdict::Tls
    );
    assert_eq!(
        classify_command(Some(0), "transport=plaintext", "").0,
        ExternalVerdict::Plaintext
    );
    assert_eq!(
        classify_command(Some(0), "connected", "").0,
        ExternalVerdict::Connected
    );
    let (v, msg) = classify_command(Some(1), "", "boom\n");
    assert_eq!(
        (v, msg.as_deref()),
        (ExternalVerdict::Rejected, Some("boom"))
    );
}

#[test]
fn command_template_needs_the_conninfo_placeholder() {
    assert!(matches!(
        Client::parse("mydriver --dsn"),
        Err(Error::InvalidClient { .. })
    ));
    assert!(matches!(
        Client::parse("'unbalanced {conninfo}"),
        Err(Error::InvalidClient { .. })
    ));
    assert!(matches!(
        Client::parse(""),
        Err(Error::InvalidClient { .. })
    ));
    assert!(matches!(Client::parse("probe"), Ok(Client::Probe)));
    let err = Client::parse("mydriver --dsn").unwrap_err().to_string();
    assert!(err.contains("{conninfo}"), "{err}");
}

#[test]
fn command_template_substitutes_the_conninfo_as_one_word() {
    let t = CommandTemplate::parse("drv --flag 'a b' --dsn={conninfo}").unwrap();
    assert_eq!(
        t.argv("host='h' sslmode='require'"),
        ["drv", "--flag", "a b", "--dsn=host='h' sslmode='require'"]
    );
}

#[test]
fn redact_hides_every_occurrence_of_a_secret() {
    assert_eq!(
        redact("pw s3cr3t and s3cr3t", &["s3cr3t", ""]),
        "pw ******** and ********"
    );
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn command_runs_without_the_callers_pg_environment_and_with_an_isolated_home() {
    let home = tempfile::tempdir().unwrap();
    let t = CommandTemplate::parse(
        "sh -c 'echo \"home=$HOME pgpass=$PGPASSFILE user=${PGUSER:-none} mode=$PGTLS_SSLMODE\"; echo \"dsn=$1\"; echo transport=tls' sh {conninfo}",
    )
    .unwrap();
    let run = rt().block_on(run_command(
        &t,
        "host='h' password='s3cr3t'",
        "host='h' password=********",
        "verify-full",
        home.path(),
        Duration::from_secs(20),
        &["s3cr3t"],
    ));
    assert_eq!(run.verdict, ExternalVerdict::Tls, "{run:?}");
    let out = &run.output.stdout;
    assert!(
        out.contains(&format!("home={}", home.path().display())),
        "{out}"
    );
    assert!(out.contains("user=none"), "{out}");
    assert!(out.contains("mode=verify-full"), "{out}");
    assert!(
        out.contains("dsn=host='h' password='********'"),
        "output is redacted: {out}"
    );
    assert!(
        !run.output.command.contains("s3cr3t"),
        "{}",
        run.output.command
    );
    assert_eq!(run.output.exit_code, Some(0));
}

#[test]
fn command_that_hangs_is_killed_at_the_timeout() {
    let home = tempfile::tempdir().unwrap();
    // `exec` so the killed process is the sleeper itself, with no orphan left behind.
    let t = CommandTemplate::parse("sh -c 'exec sleep 30' sh {conninfo}").unwrap();
    let run = rt().block_on(run_command(
        &t,
        "x",
        "x",
        "prefer",
        home.path(),
        Duration::from_millis(200),
        &[],
    ));
    assert_eq!(run.verdict, ExternalVerdict::TimedOut, "{run:?}");
    assert_eq!(run.output.exit_code, None);
}

#[test]
fn command_that_cannot_start_is_reported() {
    let home = tempfile::tempdir().unwrap();
    let t = CommandTemplate::parse("/nonexistent/pgtls-driver {conninfo}").unwrap();
    let run = rt().block_on(run_command(
        &t,
        "x",
        "x",
        "prefer",
        home.path(),
        Duration::from_secs(5),
        &[],
    ));
    assert!(
        matches!(run.verdict, ExternalVerdict::NotStarted(_)),
        "{run:?}"
    );
}

#[test]
fn command_output_is_bounded_and_a_chatty_command_still_finishes() {
    let home = tempfile::tempdir().unwrap();
    let t = CommandTemplate::parse(
        "sh -c 'head -c 2000000 /dev/zero | tr \"\\000\" x; exit 3' sh {conninfo}",
    )
    .unwrap();
    let run = rt().block_on(run_command(
        &t,
        "x",
        "x",
        "prefer",
        home.path(),
        Duration::from_secs(20),
        &[],
    ));
    assert_eq!(
        run.verdict,
        ExternalVerdict::Rejected,
        "{:?}",
        run.message.as_deref().map(|m| &m[..40.min(m.len())])
    );
    assert_eq!(run.output.exit_code, Some(3));
    assert!(
        run.output.stdout.len() <= 16 * 1024 + 64,
        "{}",
        run.output.stdout.len()
    );
    assert!(run.output.stdout.ends_with("(truncated)"));
}
