//! Every scenario of the coordinator's catalog, every variant, every sslmode: the probe's
//! outcome and whether the password reached the server equal the catalog's hand-written
//! expectations (never computed by the probe).

use pgtls_coordinator::catalog::{self, Outcome};
use pgtls_coordinator::Prepared;
use pgtls_probe::{AcceptedTransport, ProbeOptions, Verdict};

use pgtls_conninfo::{Env, Settings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_matches_the_catalog_expectations_for_every_scenario_and_sslmode() {
    let home = tempfile::tempdir().unwrap();
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for row in catalog::all() {
        let prepared = Prepared::scenario(row, None).expect("prepare scenario");
        let coordinator = prepared.start().await.expect("start coordinator");
        let pki_dir = coordinator.pki_dir().expect("pki dir").to_owned();
        for case in row.cases() {
            for mode in catalog::SslMode::ALL {
                let expected = case.expect.get(mode);
                let conninfo = case.client.conninfo(&pki_dir, coordinator.addr(), mode);
                let env = Env::from_map([("HOME", home.path().to_str().unwrap())])
                    .with_os_user(Some("nobody".into()));
                let (outcome, password_sent, message) =
                    match Settings::from_conninfo(&conninfo, &env) {
                        // libpq refuses such settings before any I/O.
                        Err(e) => (Outcome::Rejected, false, e.to_string()),
                        Ok(s) => {
                            let opts = ProbeOptions {
                                io_timeout: std::time::Duration::from_secs(10),
                                ..ProbeOptions::default()
                            };
                            let d = pgtls_probe::probe(&s, &opts).await;
                            let outcome = match (d.verdict, d.transport) {
                                (Verdict::Accepted, Some(AcceptedTransport::Tls)) => Outcome::Tls,
                                (Verdict::Accepted, _) => Outcome::Plaintext,
                                (Verdict::Rejected, _) => Outcome::Rejected,
                            };
                            (
                                outcome,
                                !d.secrets_sent.is_empty(),
                                d.message.unwrap_or_default(),
                            )
                        }
                    };
                compared += 1;
                if outcome != expected.outcome || password_sent != expected.password_reaches_server
                {
                    mismatches.push(format!(
                        "{} sslmode={mode}: expected {expected}, probe {outcome}{} — {}",
                        case.label(),
                        if password_sent {
                            " (password sent)"
                        } else {
                            ""
                        },
                        message
                    ));
                }
            }
        }
        drop(coordinator.shutdown().await);
    }
    eprintln!(
        "{compared} catalog cells compared, {} mismatches",
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
