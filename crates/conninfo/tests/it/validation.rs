//! Values libpq rejects before any network I/O, with its messages (pqConnectOptions2 order).

use pgtls_conninfo::{RequireAuth, RootCert, SslMode};
use pretty_assertions::assert_eq;

use crate::util::{err, ok};

#[test]
fn sslmode_values_are_exact_and_case_sensitive() {
    for (s, mode) in [
        ("disable", SslMode::Disable),
        ("allow", SslMode::Allow),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ] {
        assert_eq!(ok(&format!("sslmode={s}")).sslmode, mode, "{s}");
    }
    assert_eq!(
        err("sslmode=required"),
        r#"invalid sslmode value: "required""#
    );
    assert_eq!(
        err("sslmode=Require"),
        r#"invalid sslmode value: "Require""#
    );
    assert_eq!(
        err("sslmode=verify_full"),
        r#"invalid sslmode value: "verify_full""#
    );
    assert_eq!(err("sslmode=''"), r#"invalid sslmode value: """#);
    assert_eq!(
        err("sslmode=no-verify"),
        r#"invalid sslmode value: "no-verify""#
    );
}

#[test]
fn other_enumerated_options_use_the_generic_message() {
    assert_eq!(
        err("channel_binding=required"),
        r#"invalid channel_binding value: "required""#
    );
    assert_eq!(
        err("sslnegotiation=requiredirect sslmode=require"),
        r#"invalid sslnegotiation value: "requiredirect""#
    );
    assert_eq!(
        err("sslcertmode=yes"),
        r#"invalid sslcertmode value: "yes""#
    );
    assert_eq!(err("gssencmode=x"), r#"invalid gssencmode value: "x""#);
    assert_eq!(
        err("target_session_attrs=x"),
        r#"invalid target_session_attrs value: "x""#
    );
    assert_eq!(
        err("load_balance_hosts=yes"),
        r#"invalid load_balance_hosts value: "yes""#
    );
}

#[test]
fn channel_binding_is_checked_before_sslmode() {
    assert_eq!(
        err("sslmode=bad channel_binding=bad"),
        r#"invalid channel_binding value: "bad""#
    );
}

#[test]
fn protocol_versions_are_case_insensitive_and_empty_means_unset() {
    let s = ok("ssl_min_protocol_version=tlsv1 ssl_max_protocol_version=TLSV1.1");
    assert_eq!(
        (
            s.ssl_min_protocol_version.map(|v| v.as_str()),
            s.ssl_max_protocol_version.map(|v| v.as_str())
        ),
        (Some("TLSv1"), Some("TLSv1.1"))
    );
    assert_eq!(
        ok("ssl_min_protocol_version=''").ssl_min_protocol_version,
        None
    );
    assert_eq!(
        err("ssl_min_protocol_version=TLSv1.4"),
        r#"invalid ssl_min_protocol_version value: "TLSv1.4""#
    );
    assert_eq!(
        err("ssl_max_protocol_version=SSLv3"),
        r#"invalid ssl_max_protocol_version value: "SSLv3""#
    );
}

#[test]
fn a_max_below_the_default_min_is_an_invalid_range() {
    assert_eq!(
        err("ssl_max_protocol_version=TLSv1.1"),
        "invalid SSL protocol version range"
    );
    assert_eq!(
        err("ssl_min_protocol_version=tlsv1.3 ssl_max_protocol_version=TLSv1.2"),
        "invalid SSL protocol version range"
    );
    assert_eq!(
        err("ssl_min_protocol_version=TLSv1.1 ssl_max_protocol_version=TLSv1"),
        "invalid SSL protocol version range"
    );
    ok("ssl_min_protocol_version=TLSv1 ssl_max_protocol_version=TLSv1");
    ok("ssl_min_protocol_version='' ssl_max_protocol_version=TLSv1");
}

#[test]
fn sslrootcert_system_makes_the_default_sslmode_verify_full() {
    let s = ok("sslrootcert=system");
    assert_eq!(s.sslmode, SslMode::VerifyFull);
    assert!(!s.sslmode_explicit);
    assert_eq!(s.sslrootcert, RootCert::System);
    assert_eq!(s.min_libpq(), 16);
    assert_eq!(
        ok("sslrootcert=system sslmode=verify-full").sslmode,
        SslMode::VerifyFull
    );
}

#[test]
fn sslrootcert_system_rejects_every_weaker_mode() {
    for m in ["disable", "allow", "prefer", "require", "verify-ca"] {
        assert_eq!(
            err(&format!("sslrootcert=system sslmode={m}")),
            format!(
                r#"weak sslmode "{m}" may not be used with sslrootcert=system (use "verify-full")"#
            )
        );
    }
}

#[test]
fn sslrootcert_system_from_the_environment_counts_and_pgsslmode_is_explicit() {
    let e = crate::util::env_with(&[("PGSSLROOTCERT", "system")]);
    let s = pgtls_conninfo::Settings::from_conninfo("", &e).expect("parses");
    assert_eq!(s.sslmode, SslMode::VerifyFull);
    let e = crate::util::env_with(&[("PGSSLROOTCERT", "system"), ("PGSSLMODE", "prefer")]);
    assert_eq!(
        pgtls_conninfo::Settings::from_conninfo("", &e)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(
            r#"weak sslmode "prefer" may not be used with sslrootcert=system (use "verify-full")"#
                .to_owned()
        )
    );
    let e = crate::util::env_with(&[("PGREQUIRESSL", "1")]);
    assert_eq!(
        pgtls_conninfo::Settings::from_conninfo("sslrootcert=system", &e)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(
            r#"weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")"#
                .to_owned()
        )
    );
}

#[test]
fn sslnegotiation_direct_needs_require_or_stronger() {
    for m in ["disable", "allow", "prefer"] {
        assert_eq!(
            err(&format!("sslnegotiation=direct sslmode={m}")),
            format!(
                r#"weak sslmode "{m}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")"#
            )
        );
    }
    assert_eq!(
        err("sslnegotiation=direct"),
        r#"weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")"#
    );
    for m in ["require", "verify-ca", "verify-full"] {
        assert_eq!(
            ok(&format!("sslnegotiation=direct sslmode={m}")).min_libpq(),
            17
        );
    }
}

#[test]
fn direct_is_checked_before_sslrootcert_system() {
    assert_eq!(
        err("sslnegotiation=direct sslrootcert=system sslmode=prefer"),
        r#"weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")"#
    );
}

#[test]
fn host_and_hostaddr_counts_must_match() {
    assert_eq!(
        err("host=a hostaddr=192.0.2.1,192.0.2.2"),
        "could not match 1 host names to 2 hostaddr values"
    );
    assert_eq!(
        err("host=a,b,c hostaddr=192.0.2.1"),
        "could not match 3 host names to 1 hostaddr values"
    );
    let s = ok("host=a,b hostaddr=192.0.2.1,192.0.2.2 port=1");
    let slots: Vec<(Option<&str>, Option<&str>, u16)> = s
        .hosts
        .iter()
        .map(|h| (h.host.as_deref(), h.hostaddr.as_deref(), h.port))
        .collect();
    assert_eq!(
        slots,
        vec![
            (Some("a"), Some("192.0.2.1"), 1),
            (Some("b"), Some("192.0.2.2"), 1)
        ]
    );
}

#[test]
fn one_port_serves_every_host_otherwise_counts_must_match() {
    assert_eq!(
        err("host=a,b port=1,2,3"),
        "could not match 3 port numbers to 2 hosts"
    );
    assert_eq!(
        err("host=/tmp/nx port=1,,2"),
        "could not match 3 port numbers to 1 hosts"
    );
    let ports: Vec<u16> = ok("host=a,b,c port=1,,3")
        .hosts
        .iter()
        .map(|h| h.port)
        .collect();
    assert_eq!(ports, vec![1, 5432, 3]);
    let ports: Vec<u16> = ok("host=a,b port=7").hosts.iter().map(|h| h.port).collect();
    assert_eq!(ports, vec![7, 7]);
}

#[test]
fn ports_are_integers_between_1_and_65535() {
    assert_eq!(err("port=0"), r#"invalid port number: "0""#);
    assert_eq!(err("port=65536"), r#"invalid port number: "65536""#);
    assert_eq!(
        err("host=a,b port=99999"),
        r#"invalid port number: "99999""#
    );
    assert_eq!(
        err("port=abc"),
        r#"invalid integer value "abc" for connection option "port""#
    );
    assert_eq!(
        err("port=12ab"),
        r#"invalid integer value "12ab" for connection option "port""#
    );
    assert_eq!(
        err("port=99999999999"),
        r#"invalid integer value "99999999999" for connection option "port""#
    );
    assert_eq!(ok("port=' 6000 '").hosts[0].port, 6000);
    assert_eq!(ok("port=+6000").hosts[0].port, 6000);
}

#[test]
fn connect_timeout_must_be_an_integer() {
    assert_eq!(
        err("connect_timeout=abc"),
        r#"invalid integer value "abc" for connection option "connect_timeout""#
    );
}

#[test]
fn empty_host_entries_mean_the_default_socket_directory() {
    let s = ok("host=a,,b");
    let hosts: Vec<Option<&str>> = s.hosts.iter().map(|h| h.host.as_deref()).collect();
    assert_eq!(hosts, vec![Some("a"), None, Some("b")]);
    assert!(s.hosts[1].is_unix_socket());
    assert!(ok("host=/var/run/postgresql").hosts[0].is_unix_socket());
    assert!(ok("host=@abstract").hosts[0].is_unix_socket());
    assert!(!ok("host=/tmp hostaddr=127.0.0.1").hosts[0].is_unix_socket());
}

#[test]
fn require_auth_lists_follow_libpq_16() {
    let r = ok("require_auth=scram-sha-256").require_auth;
    assert!(r.auth_required);
    assert!(r.allows_code(10) && r.allows_code(11) && r.allows_code(12));
    assert!(!r.allows_code(3) && !r.allows_code(5));
    let r = ok("require_auth=!password,!md5").require_auth;
    assert!(!r.auth_required);
    assert!(!r.allows_code(3) && !r.allows_code(5) && r.allows_code(10));
    let r = ok("require_auth=none,scram-sha-256").require_auth;
    assert!(!r.auth_required);
    let r = ok("require_auth=!none").require_auth;
    assert!(r.auth_required && r.allows_code(3));
    assert_eq!(ok("require_auth=''").require_auth, RequireAuth::ANY);
    assert_eq!(
        err("require_auth=scram"),
        r#"invalid require_auth value: "scram""#
    );
    assert_eq!(
        err("require_auth=!scram"),
        r#"invalid require_auth value: "scram""#
    );
    assert_eq!(
        err("require_auth=md5,!password"),
        r#"negative require_auth method "!password" cannot be mixed with non-negative methods"#
    );
    assert_eq!(
        err("require_auth=!md5,password"),
        r#"require_auth method "password" cannot be mixed with negative methods"#
    );
    assert_eq!(
        err("require_auth=md5,md5"),
        r#"require_auth method "md5" is specified more than once"#
    );
    assert_eq!(
        err("require_auth=!md5,!md5"),
        r#"require_auth method "!md5" is specified more than once"#
    );
    assert_eq!(
        err("require_auth=none,none"),
        r#"require_auth method "none" is specified more than once"#
    );
    assert_eq!(
        err("require_auth=!none,!none"),
        r#"require_auth method "!none" is specified more than once"#
    );
}

#[test]
fn service_files_are_not_read() {
    assert_eq!(
        err("service=prod"),
        r#"service "prod" needs pg_service.conf, which pgtls does not read"#
    );
}

#[test]
fn min_libpq_records_newer_features() {
    assert_eq!(ok("host=a sslmode=verify-full").min_libpq(), 10);
    assert_eq!(ok("channel_binding=require").min_libpq(), 13);
    assert_eq!(ok("sslsni=0").min_libpq(), 14);
    assert_eq!(ok("sslcrldir=/d").min_libpq(), 14);
    assert_eq!(ok("target_session_attrs=read-only").min_libpq(), 14);
    assert_eq!(ok("sslcertmode=allow").min_libpq(), 16);
    assert_eq!(ok("require_auth=md5").min_libpq(), 16);
    assert_eq!(ok("load_balance_hosts=random").min_libpq(), 16);
    assert_eq!(ok("sslnegotiation=postgres").min_libpq(), 17);
    assert_eq!(ok("sslkeylogfile=/tmp/k").min_libpq(), 18);
    let e = crate::util::env_with(&[("PGSSLNEGOTIATION", "direct"), ("PGSSLMODE", "require")]);
    assert_eq!(
        pgtls_conninfo::Settings::from_conninfo("", &e)
            .expect("parses")
            .min_libpq(),
        17
    );
    let e = crate::util::env_with(&[("PGSSLNEGOTIATION", "postgres")]);
    assert_eq!(
        pgtls_conninfo::Settings::from_conninfo("", &e)
            .expect("parses")
            .min_libpq(),
        10
    );
    let features: Vec<(String, u32)> = ok("sslrootcert=system sslsni=1")
        .features()
        .iter()
        .map(|f| (f.what.clone(), f.since))
        .collect();
    assert_eq!(
        features,
        vec![
            ("keyword sslsni".to_owned(), 14),
            ("sslrootcert=system".to_owned(), 16)
        ]
    );
}
