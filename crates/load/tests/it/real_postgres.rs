//! A load run against a real PostgreSQL with TLS and SCRAM (runs when the server binaries exist;
//! SKIP otherwise, FAIL under PGTLS_REQUIRE_REAL_PEERS=1).

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::peers::{PgBinaries, RealPostgres, RealPostgresConfig, ServerTls};
use pgtls_load::{Phase, Plan, ProbeConnector};
use pgtls_pki::{CertSpec, Pki};
use pgtls_probe::ProbeOptions;
use pretty_assertions::assert_eq;

#[test]
fn verify_full_load_against_real_postgres_counts_every_connection() {
    let test =
        "load::real_postgres::verify_full_load_against_real_postgres_counts_every_connection";
    let Some(bins) = PgBinaries::find_or_skip(test) else {
        return;
    };
    let pki = Pki::now_utc();
    let root = pki.root("pgtls load test Root CA").unwrap();
    let leaf = pki
        .issue(&CertSpec::server("localhost").ip([127, 0, 0, 1]), &root)
        .unwrap();
    let pg = RealPostgres::start(
        &bins,
        &RealPostgresConfig {
            tls: Some(ServerTls {
                cert_chain_pem: leaf.pem(),
                key_pem: leaf.key_pem(),
                client_ca_pem: None,
            }),
            hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()],
            users: vec![("loader".into(), "load-secret".into())],
            extra_conf: Vec::new(),
        },
    )
    .expect("start postgres");
    let home = tempfile::tempdir().unwrap();
    let root_file = home.path().join("root.crt");
    std::fs::write(&root_file, root.pem()).unwrap();
    let conninfo = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=loader dbname=postgres \
         password=load-secret sslmode=verify-full sslrootcert={}",
        pg.port(),
        root_file.display()
    );
    let env = Env::from_map(std::iter::empty::<(String, String)>())
        .with_home(Some(home.path().to_path_buf()));
    let settings = Settings::from_conninfo(&conninfo, &env).unwrap();
    let plan = Plan {
        connections: Some(8),
        concurrency: 2,
        duration: None,
        ..Plan::default()
    };
    let report = pgtls_load::run_blocking(
        ProbeConnector::new(settings, ProbeOptions::default()),
        &plan,
        |_| {},
    )
    .unwrap();
    assert_eq!(
        (report.attempted, report.succeeded, report.failed),
        (8, 8, 0),
        "{:?}\n{}",
        report.errors,
        pg.log()
    );
    for phase in Phase::ALL {
        assert_eq!(
            report.phases.get(phase).map(|s| s.count),
            Some(8),
            "{phase}"
        );
    }
}
