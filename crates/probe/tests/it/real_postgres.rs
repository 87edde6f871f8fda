//! The probe against a real PostgreSQL started by the test, judged by real psql: for each case
//! the probe's verdict and transport equal psql's, and its rejection text equals libpq's.

use std::path::{Path, PathBuf};

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::peers::{
    psql_conninfo_command, PgBinaries, RealPostgres, RealPostgresConfig, ServerTls,
};
use pgtls_pki::{CertSpec, Pki};
use pgtls_probe::{AcceptedTransport, ProbeOptions, Verdict};

const USER: &str = "alice";
const PASSWORD: &str = "s3cret-pw";

struct Material {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
    tls: ServerTls,
}

fn material() -> Material {
    let pki = Pki::new(time::OffsetDateTime::now_utc());
    let root = pki.root("pgtls probe test root").expect("root");
    let other = pki.root("some other root").expect("other root");
    // The server certificate names only `localhost`: host=127.0.0.1 fails verify-full.
    let leaf = pki
        .issue(&CertSpec::server("localhost"), &root)
        .expect("leaf");
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.crt");
    let other_ca = dir.path().join("other.crt");
    std::fs::write(&ca, root.pem()).unwrap();
    std::fs::write(&other_ca, other.pem()).unwrap();
    Material {
        tls: ServerTls {
            cert_chain_pem: leaf.pem(),
            key_pem: leaf.key_pem(),
            client_ca_pem: None,
        },
        ca,
        other_ca,
        _dir: dir,
    }
}

/// What psql says: Ok(tls?) or Err(libpq's message without `psql: error: `).
fn psql_outcome(psql: &Path, conninfo: &str, home: &Path) -> Result<bool, String> {
    let out = psql_conninfo_command(psql, conninfo, home)
        .output()
        .expect("run psql");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        Ok(stdout.contains("SSL connection"))
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        // libpq's warnings (e.g. an ignored password file) come before psql's error line.
        let msg = match stderr.find("psql: error: ") {
            Some(i) => &stderr[i + "psql: error: ".len()..],
            None => &stderr,
        }
        .trim_end_matches('\n')
        .to_owned();
        Err(msg)
    }
}

fn probe_outcome(conninfo: &str, home: &Path) -> (Result<bool, String>, pgtls_probe::Diagnosis) {
    let env = Env::from_map([("HOME", home.to_str().unwrap())]).with_os_user(Some("nobody".into()));
    let settings = Settings::from_conninfo(conninfo, &env).expect("valid conninfo");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let d = rt.block_on(pgtls_probe::probe(&settings, &ProbeOptions::default()));
    let r = match d.verdict {
        Verdict::Accepted => Ok(d.transport == Some(AcceptedTransport::Tls)),
        Verdict::Rejected => Err(d.message.clone().unwrap_or_default()),
    };
    (r, d)
}

/// Runs every case against `pg` and returns the mismatches.
fn compare_all(pg: &RealPostgres, psql: &Path, m: &Material, label: &str) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    let mut mismatches = Vec::new();
    let roots: [(&str, Option<&Path>); 3] = [
        ("no-root", None),
        ("root", Some(&m.ca)),
        ("other-root", Some(&m.other_ca)),
    ];
    let mut cases = 0;
    for host in ["localhost", "127.0.0.1"] {
        for (root_label, root) in roots {
            for mode in pgtls_conninfo::SslMode::ALL {
                for cb in ["prefer", "require", "disable"] {
                    if cb == "disable" && mode != pgtls_conninfo::SslMode::Require {
                        continue;
                    }
                    let mut conninfo = format!(
                        "host={host} port={} user={USER} dbname=postgres password={PASSWORD} sslmode={} channel_binding={cb}",
                        pg.port(),
                        mode.as_str()
                    );
                    match root {
                        Some(p) => conninfo.push_str(&format!(" sslrootcert={}", p.display())),
                        None => conninfo.push_str(" sslrootcert=/nonexistent/root.crt"),
                    }
                    cases += 1;
                    let expected = psql_outcome(psql, &conninfo, home.path());
                    let (got, d) = probe_outcome(&conninfo, home.path());
                    if expected != got {
                        mismatches.push(format!(
                            "[{label}] host={host} {root_label} sslmode={mode} channel_binding={cb}\n  psql:  {expected:?}\n  probe: {got:?}\n  attempts: {}",
                            serde_json::to_string(&d.attempts).unwrap_or_default()
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "[{label}] {cases} cases compared with psql, {} mismatches",
        mismatches.len()
    );
    mismatches
}

fn start(bins: &PgBinaries, m: &Material, hba: &str, ssl: bool) -> RealPostgres {
    RealPostgres::start(
        bins,
        &RealPostgresConfig {
            tls: ssl.then(|| m.tls.clone()),
            hba: vec![hba.to_owned()],
            users: vec![(USER.into(), PASSWORD.into())],
            extra_conf: vec![],
        },
    )
    .expect("start postgres")
}

#[test]
fn probe_agrees_with_psql_against_real_postgres_in_every_sslmode() {
    let test = "real_postgres::probe_agrees_with_psql_against_real_postgres_in_every_sslmode";
    let Some(bins) = PgBinaries::find_or_skip(test) else {
        return;
    };
    let m = material();
    let mut mismatches = Vec::new();
    for (label, hba, ssl) in [
        (
            "hostssl-only",
            "hostssl all all 127.0.0.1/32 scram-sha-256",
            true,
        ),
        (
            "hostnossl-only",
            "hostnossl all all 127.0.0.1/32 scram-sha-256",
            true,
        ),
        ("host-any", "host all all 127.0.0.1/32 scram-sha-256", true),
        ("ssl-off", "host all all 127.0.0.1/32 scram-sha-256", false),
        ("md5-over-any", "host all all 127.0.0.1/32 md5", true),
    ] {
        let pg = start(&bins, &m, hba, ssl);
        mismatches.extend(compare_all(&pg, &bins.psql, &m, label));
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches with psql:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn probe_reports_scram_plus_and_checks_against_real_postgres() {
    let test = "real_postgres::probe_reports_scram_plus_and_checks_against_real_postgres";
    let Some(bins) = PgBinaries::find_or_skip(test) else {
        return;
    };
    let m = material();
    let pg = start(
        &bins,
        &m,
        "hostssl all all 127.0.0.1/32 scram-sha-256",
        true,
    );
    let home = tempfile::tempdir().unwrap();
    // sslmode=require without a root file: accepted, but verify-full would fail on the name
    // and nothing was verified.
    let conninfo = format!(
        "host=127.0.0.1 port={} user={USER} dbname=postgres password={PASSWORD} sslmode=require sslrootcert=/nonexistent",
        pg.port()
    );
    let (r, d) = probe_outcome(&conninfo, home.path());
    assert_eq!(r, Ok(true));
    let last = d.attempts.last().unwrap();
    // Informational only (never asserted): per-phase timings of one SCRAM-PLUS connection.
    eprintln!(
        "timings: {}",
        serde_json::to_string(&last.timings).unwrap_or_default()
    );
    assert_eq!(last.conversation.auth.scram_plus_offered, Some(true));
    assert_eq!(
        last.conversation.auth.mechanism.as_deref(),
        Some("SCRAM-SHA-256-PLUS")
    );
    assert!(last.conversation.auth.channel_bound);
    let hostname = d.checks.iter().find(|c| c.name == "hostname").unwrap();
    assert_eq!(hostname.result, pgtls_probe::CheckResult::Fail);
    assert!(!hostname.required);
    // An IP host with no iPAddress SAN: libpq also examines the CN, hence "1 other name".
    assert_eq!(
        hostname.reason,
        "server certificate for \"localhost\" (and 1 other name) does not match host name \"127.0.0.1\""
    );
    assert!(
        d.findings
            .iter()
            .any(|f| f.contains("a man in the middle would be accepted")),
        "{:?}",
        d.findings
    );
    assert!(
        d.remediation
            .iter()
            .any(|r| r.contains("sslmode=verify-full sslrootcert=")),
        "{:?}",
        d.remediation
    );
    let tls = d.tls.as_ref().unwrap();
    assert_eq!(tls.version, "TLSv1.3");
    assert_eq!(tls.sni, None, "no SNI for an IP literal");
    assert_eq!(d.chain.len(), 1);
    assert_eq!(d.chain[0].subject_cns, ["localhost"]);
}

fn write_mode(path: &Path, contents: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn client_certificates_key_permissions_and_pgpass_match_psql() {
    let test = "real_postgres::client_certificates_key_permissions_and_pgpass_match_psql";
    let Some(bins) = PgBinaries::find_or_skip(test) else {
        return;
    };
    let pki = Pki::new(time::OffsetDateTime::now_utc());
    let root = pki.root("pgtls probe client-cert root").unwrap();
    let leaf = pki.issue(&CertSpec::server("localhost"), &root).unwrap();
    let client = pki.issue(&CertSpec::client(USER), &root).unwrap();
    let stranger = pki.issue(&CertSpec::client(USER), &root).unwrap();
    let pg = RealPostgres::start(
        &bins,
        &RealPostgresConfig {
            tls: Some(ServerTls {
                cert_chain_pem: leaf.pem(),
                key_pem: leaf.key_pem(),
                client_ca_pem: Some(root.pem()),
            }),
            hba: vec![
                "hostssl all alice 127.0.0.1/32 cert".to_owned(),
                "host all bob 127.0.0.1/32 scram-sha-256".to_owned(),
            ],
            users: vec![
                (USER.into(), PASSWORD.into()),
                ("bob".into(), "bob-pw".into()),
            ],
            extra_conf: vec![],
        },
    )
    .expect("start postgres");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("client.crt"), client.pem()).unwrap();
    write_mode(&d.join("good.key"), &client.key_pem(), 0o600);
    write_mode(&d.join("group.key"), &client.key_pem(), 0o640);
    write_mode(&d.join("world.key"), &client.key_pem(), 0o644);
    write_mode(&d.join("other.key"), &stranger.key_pem(), 0o600);
    write_mode(&d.join("pgpass"), "*:*:*:bob:wrong-pw\n", 0o600);
    write_mode(
        &d.join("pgpass-good"),
        "localhost:*:postgres:bob:bob-pw\n",
        0o600,
    );
    write_mode(&d.join("pgpass-open"), "*:*:*:bob:bob-pw\n", 0o644);
    let home = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for mode in ["prefer", "require", "verify-full"] {
        for key in [
            "good.key",
            "group.key",
            "world.key",
            "missing.key",
            "other.key",
        ] {
            cases.push(format!(
                "host=localhost port={} user={USER} dbname=postgres sslmode={mode} sslrootcert={} sslcert={} sslkey={}",
                pg.port(),
                {
                    std::fs::write(d.join("root.crt"), root.pem()).unwrap();
                    d.join("root.crt").display()
                },
                d.join("client.crt").display(),
                d.join(key).display()
            ));
        }
    }
    for file in ["pgpass", "pgpass-good", "pgpass-open"] {
        for mode in ["disable", "require"] {
            cases.push(format!(
                "host=localhost port={} user=bob dbname=postgres sslmode={mode} passfile={}",
                pg.port(),
                d.join(file).display()
            ));
        }
    }
    let mut mismatches = Vec::new();
    for conninfo in &cases {
        let expected = psql_outcome(&bins.psql, conninfo, home.path());
        let (got, diag) = probe_outcome(conninfo, home.path());
        if expected != got {
            mismatches.push(format!(
                "{conninfo}\n  psql:  {expected:?}\n  probe: {got:?}\n  {}",
                serde_json::to_string(&diag.attempts).unwrap_or_default()
            ));
        }
    }
    eprintln!(
        "{} client-certificate/pgpass cases compared with psql",
        cases.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn unix_sockets_never_negotiate_tls_whatever_the_sslmode_like_psql() {
    let test = "real_postgres::unix_sockets_never_negotiate_tls_whatever_the_sslmode_like_psql";
    let Some(bins) = PgBinaries::find_or_skip(test) else {
        return;
    };
    let m = material();
    let pg = start(&bins, &m, "host all all 127.0.0.1/32 scram-sha-256", true);
    let home = tempfile::tempdir().unwrap();
    for mode in ["disable", "prefer", "require", "verify-full"] {
        let conninfo = format!(
            "host={} port={} user=postgres dbname=postgres sslmode={mode} sslrootcert={}",
            pg.scratch_dir().display(),
            pg.port(),
            m.ca.display()
        );
        let expected = psql_outcome(&bins.psql, &conninfo, home.path());
        let (got, _) = probe_outcome(&conninfo, home.path());
        assert_eq!(got, expected, "sslmode={mode}");
    }
    // And a socket that does not exist fails with libpq's text.
    let conninfo = format!("host={} port=1 user=postgres", home.path().display());
    let expected = psql_outcome(&bins.psql, &conninfo, home.path());
    let (got, _) = probe_outcome(&conninfo, home.path());
    assert_eq!(got, expected);
}
