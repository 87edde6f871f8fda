//! Real psql is the judge: every string below is given to `psql -d`, which validates it before
//! any I/O (the hosts are missing Unix-socket directories, so a valid string ends in a
//! "connection to server on socket" failure, never on the network). pgtls must reject exactly
//! what psql rejects, with psql's message, and accept what psql accepts. Cases needing a newer
//! libpq than the installed psql are skipped.

use std::process::Stdio;

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::peers;

const NX: &str = "/tmp/pgtls-oracle-no-such-dir";

/// Extra environment variables for one case.
type Vars = Vec<(&'static str, &'static str)>;

/// (conninfo, extra environment, libpq major needed)
fn cases() -> Vec<(String, Vars, u32)> {
    let h = format!("host={NX}");
    let u = "postgresql://%2Ftmp%2Fpgtls-oracle-no-such-dir";
    let kv = |s: &str| format!("{h} {s}");
    vec![
        (kv("sslmode=required"), vec![], 10),
        (kv("sslmode=Require"), vec![], 10),
        (kv("sslmode=verify-full"), vec![], 10),
        (kv("requiressl=1"), vec![], 10),
        (kv("channel_binding=required"), vec![], 13),
        (kv("sslmode=bad channel_binding=bad"), vec![], 13),
        (kv("ssl_max_protocol_version=TLSv1.1"), vec![], 13),
        (
            kv("ssl_min_protocol_version=tlsv1.3 ssl_max_protocol_version=TLSv1.2"),
            vec![],
            13,
        ),
        (kv("ssl_min_protocol_version=TLSv1.4"), vec![], 13),
        (
            kv("ssl_min_protocol_version=TLSv1 ssl_max_protocol_version=TLSv1"),
            vec![],
            13,
        ),
        (kv("gssencmode=x"), vec![], 12),
        (kv("target_session_attrs=x"), vec![], 10),
        (kv("port=0"), vec![], 10),
        (kv("port=abc"), vec![], 10),
        (kv("port=' 5432 '"), vec![], 10),
        (format!("host={NX},{NX} port=99999"), vec![], 10),
        (format!("host={NX} port=1,,2"), vec![], 10),
        (
            format!("host={NX} hostaddr=192.0.2.1,192.0.2.2"),
            vec![],
            10,
        ),
        ("=x".to_owned(), vec![], 10),
        (kv("foo=bar"), vec![], 10),
        (format!("host='{NX}"), vec![], 10),
        (kv("dbname='it\\'s' user=a\\ b"), vec![], 10),
        (format!("{u}/db?ssl=true"), vec![], 10),
        (format!("{u}/db?ssl=false"), vec![], 10),
        (format!("{u}/db?requiressl=1"), vec![], 10),
        (format!("{u}/db?x=1"), vec![], 10),
        (format!("{u}/db?a=b=c"), vec![], 10),
        (format!("{u}/db?abc"), vec![], 10),
        (format!("{u}/db?a=%00"), vec![], 10),
        (format!("{u}/d%zzb"), vec![], 10),
        ("postgresql://[::1".to_owned(), vec![], 10),
        ("postgresql://[]/db".to_owned(), vec![], 10),
        ("postgresql://[::1]x/db".to_owned(), vec![], 10),
        (h.clone(), vec![("PGSSLMODE", "required")], 10),
        (h.clone(), vec![("PGSSLMODE", "")], 10),
        (
            h.clone(),
            vec![("PGREQUIRESSL", "1"), ("PGSSLMODE", "verify-full")],
            10,
        ),
        (h.clone(), vec![("PGSSLMAXPROTOCOLVERSION", "TLSv1.1")], 13),
        (kv("sslrootcert=system sslmode=require"), vec![], 16),
        (kv("sslnegotiation=direct"), vec![], 17),
        (kv("require_auth=md5,md5"), vec![], 16),
    ]
}

#[test]
fn pgtls_rejects_exactly_what_psql_rejects_with_its_message() {
    let Some(psql) = peers::psql_or_skip("psql_oracle") else {
        return;
    };
    let major = peers::binary_major_version(&psql).unwrap_or(0);
    let home = tempfile::tempdir().expect("tempdir");
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    for (conninfo, vars, needs) in cases() {
        if needs > major {
            skipped.push(conninfo);
            continue;
        }
        let mut env = Env::from_map([("USER", "oracle")]).with_home(Some(home.path().to_owned()));
        for (k, v) in &vars {
            env = env.with_var(*k, *v);
        }
        let ours = Settings::from_conninfo(&conninfo, &env)
            .map(|_| ())
            .map_err(|e| e.to_string());
        let mut cmd = peers::psql_conninfo_command(&psql, &conninfo, home.path());
        cmd.env("PGUSER", "oracle").stdout(Stdio::null());
        for (k, v) in &vars {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run psql");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("").to_owned();
        match &ours {
            Err(msg) => {
                let want = format!("psql: error: {msg}");
                if first != want {
                    failures.push(format!(
                        "{conninfo:?} {vars:?}: pgtls says {msg:?}, psql says {first:?}"
                    ));
                }
            }
            Ok(()) => {
                if !first.contains("connection to server")
                    && !first.contains("could not translate host name")
                {
                    failures.push(format!(
                        "{conninfo:?} {vars:?}: pgtls accepts, psql says {first:?}"
                    ));
                }
            }
        }
    }
    if !skipped.is_empty() {
        eprintln!("SKIP: psql_oracle: psql {major} predates these cases: {skipped:?}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
