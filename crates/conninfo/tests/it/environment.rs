//! PG* environment variables, HOME, the OS user and libpq's compiled-in defaults.

use std::path::PathBuf;
use std::time::Duration;

use pgtls_conninfo::{
    ChannelBindingMode, Env, GssEncMode, HostTarget, RootCert, Settings, Source, SslCertMode,
    SslMode, SslNegotiation, TlsVersion,
};
use pretty_assertions::assert_eq;

use crate::util::{env, env_with, ok};

fn with(vars: &[(&str, &str)], conninfo: &str) -> Settings {
    match Settings::from_conninfo(conninfo, &env_with(vars)) {
        Ok(s) => s,
        Err(e) => panic!("{conninfo:?} with {vars:?}: {e}"),
    }
}

fn with_err(vars: &[(&str, &str)], conninfo: &str) -> String {
    match Settings::from_conninfo(conninfo, &env_with(vars)) {
        Ok(s) => panic!("{conninfo:?} with {vars:?} should fail: {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn defaults_of_an_empty_string() {
    let s = ok("");
    assert_eq!(
        s.hosts,
        vec![HostTarget {
            host: None,
            hostaddr: None,
            port: 5432
        }]
    );
    assert!(s.hosts[0].is_unix_socket());
    assert_eq!(s.user, "alice");
    assert_eq!(s.dbname, "alice");
    assert_eq!(s.password, None);
    assert_eq!(s.sslmode, SslMode::Prefer);
    assert!(!s.sslmode_explicit);
    assert_eq!(
        s.sslrootcert,
        RootCert::File(PathBuf::from("/home/alice/.postgresql/root.crt"))
    );
    assert_eq!(
        s.sslcert,
        Some(PathBuf::from("/home/alice/.postgresql/postgresql.crt"))
    );
    assert_eq!(
        s.sslkey,
        Some(PathBuf::from("/home/alice/.postgresql/postgresql.key"))
    );
    assert_eq!(
        s.sslcrl,
        Some(PathBuf::from("/home/alice/.postgresql/root.crl"))
    );
    assert_eq!(s.sslcrldir, None);
    assert!(s.sslsni);
    assert_eq!(s.sslnegotiation, SslNegotiation::Postgres);
    assert_eq!(s.ssl_min_protocol_version, Some(TlsVersion::Tls1_2));
    assert_eq!(s.ssl_max_protocol_version, None);
    assert_eq!(s.channel_binding, ChannelBindingMode::Prefer);
    assert_eq!(s.gssencmode, GssEncMode::Prefer);
    assert_eq!(s.sslcertmode, SslCertMode::Allow);
    assert_eq!(s.connect_timeout, None);
    assert_eq!(s.application_name, None);
    assert_eq!(s.value_of("sslmode"), Some(("prefer", Source::Default)));
}

#[test]
fn every_documented_pg_variable_is_read() {
    let vars = [
        ("PGHOST", "envhost"),
        ("PGHOSTADDR", "192.0.2.7"),
        ("PGPORT", "6543"),
        ("PGUSER", "bob"),
        ("PGPASSWORD", "envpw"),
        ("PGDATABASE", "envdb"),
        ("PGSSLMODE", "verify-ca"),
        ("PGSSLROOTCERT", "/etc/ca.pem"),
        ("PGSSLCERT", "/etc/c.pem"),
        ("PGSSLKEY", "/etc/c.key"),
        ("PGSSLCRL", "/etc/crl.pem"),
        ("PGSSLCRLDIR", "/etc/crls"),
        ("PGSSLSNI", "0"),
        ("PGCHANNELBINDING", "require"),
        ("PGSSLNEGOTIATION", "direct"),
        ("PGSSLMINPROTOCOLVERSION", "TLSv1.3"),
        ("PGSSLMAXPROTOCOLVERSION", "tlsv1.3"),
        ("PGCONNECT_TIMEOUT", "7"),
        ("PGAPPNAME", "envapp"),
        ("PGREQUIREAUTH", "scram-sha-256"),
        ("PGSSLCERTMODE", "disable"),
        ("PGGSSENCMODE", "disable"),
    ];
    let s = with(&vars, "");
    assert_eq!(
        s.hosts,
        vec![HostTarget {
            host: Some("envhost".into()),
            hostaddr: Some("192.0.2.7".into()),
            port: 6543
        }]
    );
    assert_eq!(s.user, "bob");
    assert_eq!(s.password.as_deref(), Some("envpw"));
    assert_eq!(s.dbname, "envdb");
    assert_eq!(s.sslmode, SslMode::VerifyCa);
    assert!(s.sslmode_explicit);
    assert_eq!(s.sslrootcert, RootCert::File("/etc/ca.pem".into()));
    assert_eq!(s.sslcert, Some("/etc/c.pem".into()));
    assert_eq!(s.sslkey, Some("/etc/c.key".into()));
    assert_eq!(s.sslcrl, Some("/etc/crl.pem".into()));
    assert_eq!(s.sslcrldir, Some("/etc/crls".into()));
    assert!(!s.sslsni);
    assert_eq!(s.channel_binding, ChannelBindingMode::Require);
    assert_eq!(s.sslnegotiation, SslNegotiation::Direct);
    assert_eq!(s.ssl_min_protocol_version, Some(TlsVersion::Tls1_3));
    assert_eq!(s.ssl_max_protocol_version, Some(TlsVersion::Tls1_3));
    assert_eq!(s.connect_timeout, Some(Duration::from_secs(7)));
    assert_eq!(s.application_name.as_deref(), Some("envapp"));
    assert!(!s.require_auth.allows_code(3));
    assert!(s.require_auth.allows_code(10));
    assert_eq!(s.sslcertmode, SslCertMode::Disable);
    assert_eq!(s.gssencmode, GssEncMode::Disable);
    assert_eq!(
        s.value_of("sslmode"),
        Some(("verify-ca", Source::Env("PGSSLMODE")))
    );
    // Nothing from the environment is echoed.
    assert_eq!(s.redacted(), "");
}

#[test]
fn the_connection_string_wins_over_the_environment() {
    let s = with(
        &[("PGSSLMODE", "disable"), ("PGHOST", "envhost")],
        "host=db sslmode=require",
    );
    assert_eq!(s.sslmode, SslMode::Require);
    assert_eq!(s.hosts[0].host.as_deref(), Some("db"));
    assert_eq!(s.value_of("sslmode"), Some(("require", Source::Conninfo)));
}

#[test]
fn an_empty_variable_counts_as_set() {
    assert_eq!(
        with_err(&[("PGSSLMODE", "")], ""),
        r#"invalid sslmode value: """#
    );
}

#[test]
fn pgrequiressl_1_means_require_only_when_pgsslmode_is_unset() {
    assert_eq!(with(&[("PGREQUIRESSL", "1")], "").sslmode, SslMode::Require);
    assert_eq!(
        with(&[("PGREQUIRESSL", "1x")], "").sslmode,
        SslMode::Require
    );
    assert_eq!(with(&[("PGREQUIRESSL", "0")], "").sslmode, SslMode::Prefer);
    assert_eq!(
        with(&[("PGREQUIRESSL", "1"), ("PGSSLMODE", "allow")], "").sslmode,
        SslMode::Allow
    );
    assert_eq!(
        with(&[("PGREQUIRESSL", "1")], "sslmode=disable").sslmode,
        SslMode::Disable
    );
    let s = with(&[("PGREQUIRESSL", "1")], "");
    assert!(s.sslmode_explicit);
    assert_eq!(
        s.value_of("sslmode"),
        Some(("require", Source::Env("PGREQUIRESSL")))
    );
}

#[test]
fn user_defaults_to_the_os_user_and_dbname_to_the_user() {
    let s = ok("user=carol");
    assert_eq!((s.user.as_str(), s.dbname.as_str()), ("carol", "carol"));
    let s = with(&[("PGUSER", "dave")], "");
    assert_eq!((s.user.as_str(), s.dbname.as_str()), ("dave", "dave"));
    let s = ok("user='' dbname=''");
    assert_eq!((s.user.as_str(), s.dbname.as_str()), ("alice", "alice"));
}

#[test]
fn no_user_at_all_is_an_error() {
    let e = Env::from_map([("HOME", "/h")]);
    assert_eq!(e.os_user(), None);
    assert_eq!(
        Settings::from_conninfo("", &e)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err("could not look up local user name".to_owned())
    );
    assert!(Settings::from_conninfo("user=x", &e).is_ok());
}

#[test]
fn without_a_home_directory_the_default_files_are_unknown() {
    let e = Env::from_map([("USER", "u")]);
    let s = Settings::from_conninfo("", &e).expect("parses");
    assert_eq!(s.sslrootcert, RootCert::NoHomeDirectory);
    assert_eq!(s.sslcert, None);
    assert_eq!(s.sslkey, None);
    assert_eq!(s.sslcrl, None);
}

#[test]
fn explicit_files_replace_the_defaults_and_sslcrldir_disables_the_default_crl() {
    let s = ok("sslrootcert=/r.pem sslcert=/c.pem sslkey=/k.pem sslcrldir=/crls");
    assert_eq!(s.sslrootcert, RootCert::File("/r.pem".into()));
    assert_eq!(s.sslcert, Some("/c.pem".into()));
    assert_eq!(s.sslkey, Some("/k.pem".into()));
    assert_eq!(s.sslcrl, None);
    assert_eq!(s.sslcrldir, Some("/crls".into()));
    // An empty sslrootcert means the default, as in libpq.
    assert_eq!(
        ok("sslrootcert=''").sslrootcert,
        RootCert::File("/home/alice/.postgresql/root.crt".into())
    );
}

#[test]
fn home_comes_from_the_map_and_can_be_replaced() {
    let e = env().with_home(Some("/other".into()));
    let s = Settings::from_conninfo("", &e).expect("parses");
    assert_eq!(
        s.sslrootcert,
        RootCert::File("/other/.postgresql/root.crt".into())
    );
}

#[test]
fn sslsni_is_on_only_when_the_value_starts_with_1() {
    assert!(ok("sslsni=1").sslsni);
    assert!(ok("sslsni=10").sslsni);
    assert!(!ok("sslsni=0").sslsni);
    assert!(!ok("sslsni=on").sslsni);
    assert!(!ok("sslsni=''").sslsni);
}

#[test]
fn sni_is_the_host_unless_it_is_an_ip_literal() {
    let s = ok("host=db.example.com,192.0.2.1,2001:db8::1,192.000.002.001,/tmp hostaddr=,,,,");
    let sni: Vec<Option<&str>> = s.hosts.iter().map(|h| h.sni_name()).collect();
    assert_eq!(
        sni,
        vec![Some("db.example.com"), None, None, None, Some("/tmp")]
    );
    // hostaddr is never the SNI name.
    assert_eq!(ok("hostaddr=192.0.2.1").hosts[0].sni_name(), None);
}

#[test]
fn connect_timeout_follows_libpq_15() {
    assert_eq!(
        ok("connect_timeout=10").connect_timeout,
        Some(Duration::from_secs(10))
    );
    assert_eq!(
        ok("connect_timeout=1").connect_timeout,
        Some(Duration::from_secs(2))
    );
    assert_eq!(ok("connect_timeout=0").connect_timeout, None);
    assert_eq!(ok("connect_timeout=-5").connect_timeout, None);
    assert_eq!(
        ok("connect_timeout=' 3 '").connect_timeout,
        Some(Duration::from_secs(3))
    );
}

#[test]
fn application_name_falls_back_to_pgappname_only_when_not_given() {
    assert_eq!(
        with(&[("PGAPPNAME", "env")], "application_name=mine")
            .application_name
            .as_deref(),
        Some("mine")
    );
    assert_eq!(
        ok("fallback_application_name=fb")
            .fallback_application_name
            .as_deref(),
        Some("fb")
    );
}

#[test]
fn from_process_reads_the_real_environment_without_panicking() {
    let e = Env::from_process();
    // HOME is normally set where tests run; either way, the call must work.
    let _ = e.home();
    let _ = e.os_user();
}
