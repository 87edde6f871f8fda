//! The properties: the probe (and real psql) against the reference model, case by case,
//! through the real wire.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use pgtls_coordinator::peers;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestRunner};

use crate::case::{case, Bias, Case, Mode, Trust};
use crate::harness::{run_probe, run_psql, Observed};
use crate::reference::{self, expect, Expected, Outcome, Wire};

/// The seed of the default run (override with `PROPTEST_RNG_SEED=<u64>`).
const SEED: u64 = 0x7067_746c_735f_6d64;
/// Default number of psql cases (override with `PGTLS_MODEL_PSQL_CASES=<n>`).
const PSQL_CASES: u32 = 24;

const PROBE_OUTCOME_REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/model/probe_outcome.txt"
);
const PROBE_SECRETS_REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/model/probe_secrets.txt"
);
const PSQL_REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/model/psql_outcome.txt"
);

/// proptest's defaults (so `PROPTEST_CASES` and friends apply), with this binary's regression
/// file and, unless `PROPTEST_RNG_SEED` is set, a fixed seed.
fn config(regressions: &'static str) -> Config {
    let mut config = Config::default();
    if config.failure_persistence.is_some() {
        config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(regressions)));
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    config
}

/// Runs `test` on `config.cases` cases from `strategy`; panics with proptest's minimal failing
/// case. Prints the case count, the time taken and what the model expected of the cases run
/// (for the record, never asserted).
fn check(
    name: &str,
    config: Config,
    strategy: impl Strategy<Value = Case>,
    test: impl Fn(&Case) -> Result<(), TestCaseError>,
) {
    let cases = config.cases;
    let started = Instant::now();
    let mut runner = TestRunner::new(config);
    let seen: RefCell<BTreeMap<&'static str, usize>> = RefCell::default();
    let result = runner.run(&strategy, |case| {
        let mut seen = seen.borrow_mut();
        for label in labels(&case) {
            *seen.entry(label).or_default() += 1;
        }
        drop(seen);
        test(&case)
    });
    eprintln!(
        "{name}: {cases} cases in {:.1?}; model expected {:?}",
        started.elapsed(),
        seen.borrow()
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

/// What a case exercises, by the model's account.
fn labels(case: &Case) -> Vec<&'static str> {
    let e = expect(case);
    let mut v = vec![match e.outcome {
        Outcome::Tls => "tls",
        Outcome::Plaintext => "plaintext",
        Outcome::Rejected => e.reason.unwrap_or("rejected"),
    }];
    if e.connections.len() > 1 {
        v.push("retried");
    }
    if e.password_reaches_server() {
        v.push("secret sent");
    }
    if case.trust != Trust::NoFile && case.sslmode != Mode::Disable {
        v.push(if reference::chain_verifies(case) {
            "root file: chain ok"
        } else {
            "root file: chain bad"
        });
    }
    if case.sslmode == Mode::VerifyFull {
        v.push(if reference::host_matches(&case.chain, &case.host) {
            "verify-full: host ok"
        } else {
            "verify-full: host bad"
        });
    }
    v
}

fn plan(connections: &[reference::Connection]) -> Vec<&'static str> {
    connections
        .iter()
        .map(|c| {
            if c.ssl_request {
                "SSLRequest"
            } else {
                "plaintext startup"
            }
        })
        .collect()
}

fn disagreement(client: &str, case: &Case, expected: &Expected, observed: &Observed) -> String {
    format!(
        "{client} disagrees with the reference model\n\
         case: {case:#?}\n\
         conninfo: {}\n\
         model:   {:?} ({}), connections {:?}\n\
         {client}: {:?}, connections {:?}\n\
         {client} message: {}\n\
         server saw:\n{}",
        observed.conninfo,
        expected.outcome,
        expected.reason.unwrap_or("connected"),
        expected.connections,
        observed.outcome,
        observed.connections,
        observed.message.as_deref().unwrap_or("-"),
        observed.transcript_summary,
    )
}

#[test]
fn probe_reaches_the_reference_models_outcome_through_the_real_wire() {
    check(
        "probe outcome",
        config(PROBE_OUTCOME_REGRESSIONS),
        case(Bias::Spread),
        |case| {
            let expected = expect(case);
            let observed = run_probe(case);
            prop_assert!(
                observed.outcome == expected.outcome
                    && plan(&observed.connections) == plan(&expected.connections),
                "{}",
                disagreement("probe", case, &expected, &observed)
            );
            Ok(())
        },
    );
}

#[test]
fn probe_never_sends_a_secret_to_a_peer_its_sslmode_should_have_rejected() {
    check(
        "probe secrets",
        config(PROBE_SECRETS_REGRESSIONS),
        case(Bias::Credentials),
        |case| {
            let expected = expect(case);
            let observed = run_probe(case);
            // The safety rule on its own, whatever the retries: never in the clear when SSL is
            // required, never over a TLS session the settings should have refused.
            for (secret, wire) in observed.connections.iter().filter_map(|c| c.exposure) {
                let allowed = match wire {
                    Wire::Plaintext => !matches!(
                        case.sslmode,
                        Mode::Require | Mode::VerifyCa | Mode::VerifyFull
                    ),
                    Wire::Tls => reference::tls_accepted(case),
                };
                prop_assert!(
                    allowed,
                    "{secret:?} sent over {wire:?} to a peer the sslmode rejects\n{}",
                    disagreement("probe", case, &expected, &observed)
                );
            }
            // And exactly the secrets libpq 15 would send, connection by connection.
            let sent: Vec<_> = observed.connections.iter().map(|c| c.exposure).collect();
            let model: Vec<_> = expected.connections.iter().map(|c| c.exposure).collect();
            prop_assert!(
                sent == model,
                "{}",
                disagreement("probe", case, &expected, &observed)
            );
            Ok(())
        },
    );
}

#[test]
fn psql_reaches_the_reference_models_outcome_and_sends_the_same_secrets() {
    let test = "psql_reaches_the_reference_models_outcome_and_sends_the_same_secrets";
    let Some(psql) = peers::psql_or_skip(test) else {
        return;
    };
    // The model encodes libpq 15's flag-driven retries (the same through 16); libpq 17
    // rewrote them (allow + `N` on the SSL retry fails there).
    match peers::binary_major_version(&psql) {
        Some(14..=16) => {}
        other => {
            peers::skip(
                test,
                &format!(
                    "psql from PostgreSQL 14-16 (found {}: {other:?})",
                    psql.display()
                ),
            );
            return;
        }
    }
    let mut config = config(PSQL_REGRESSIONS);
    config.cases = std::env::var("PGTLS_MODEL_PSQL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(PSQL_CASES);
    check("psql outcome", config, case(Bias::Spread), |case| {
        let expected = expect(case);
        let observed = run_psql(case, &psql);
        prop_assert!(
            observed.outcome == expected.outcome && observed.connections == expected.connections,
            "{}",
            disagreement("psql", case, &expected, &observed)
        );
        Ok(())
    });
}
