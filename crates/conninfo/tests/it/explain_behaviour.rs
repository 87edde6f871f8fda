//! `explain` beyond the table rows: detection, redaction, fixes, authentication guards and the
//! translation to libpq settings.

use pgtls_conninfo::explain::{detect, explain, to_libpq_settings, Dialect, ExplainOptions};
use pgtls_conninfo::{RootCert, SslMode};
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::env;

fn json(input: &str) -> Value {
    serde_json::to_value(explain(input, &ExplainOptions::default())).expect("serialises")
}

fn json_as(input: &str, dialect: &str, version: Option<&str>) -> Value {
    let opts = ExplainOptions {
        dialect: Some(dialect.parse().expect("dialect")),
        driver_version: version.map(str::to_owned),
    };
    serde_json::to_value(explain(input, &opts)).expect("serialises")
}

#[test]
fn dialects_are_detected_from_the_text() {
    for (input, want) in [
        ("host=db sslmode=require", Dialect::Libpq),
        ("", Dialect::Libpq),
        ("dbname=x", Dialect::Libpq),
        ("postgresql://db/app?sslmode=require", Dialect::LibpqUri),
        ("postgres://db/app?ssl=true", Dialect::LibpqUri),
        ("jdbc:postgresql://db/app?ssl=true", Dialect::Pgjdbc),
        ("jdbc:postgresql:app", Dialect::Pgjdbc),
        (
            "Host=db;Username=u;Password=p;SSL Mode=Require",
            Dialect::Npgsql,
        ),
        ("Server=db", Dialect::Npgsql),
        ("host=db;port=5432", Dialect::Npgsql),
        ("User Id=u", Dialect::Npgsql),
        ("postgres://db/app?sslmode=no-verify", Dialect::NodePostgres),
        ("postgres://db/app?ssl=1", Dialect::NodePostgres),
        (
            "postgres://db/app?uselibpqcompat=true&sslmode=require",
            Dialect::NodePostgres,
        ),
        ("postgres://db/app?ssl-mode=require", Dialect::Sqlx),
        ("  jdbc:postgresql://db/app", Dialect::Pgjdbc),
    ] {
        assert_eq!(detect(input), want, "{input:?}");
    }
}

#[test]
fn dialect_names_and_aliases_parse() {
    for (name, want) in [
        ("libpq", Dialect::Libpq),
        ("psql", Dialect::Libpq),
        ("libpq-uri", Dialect::LibpqUri),
        ("JDBC", Dialect::Pgjdbc),
        ("pgjdbc", Dialect::Pgjdbc),
        ("npgsql", Dialect::Npgsql),
        ("ado.net", Dialect::Npgsql),
        ("node-postgres", Dialect::NodePostgres),
        ("pg", Dialect::NodePostgres),
        ("psycopg2", Dialect::Psycopg),
        ("asyncpg", Dialect::Asyncpg),
        ("sqlx", Dialect::Sqlx),
        ("tokio-postgres", Dialect::TokioPostgres),
    ] {
        assert_eq!(name.parse::<Dialect>(), Ok(want), "{name}");
    }
    assert!("mysql"
        .parse::<Dialect>()
        .unwrap_err()
        .contains("unknown dialect \"mysql\""));
    for d in Dialect::ALL {
        assert_eq!(d.as_str().parse::<Dialect>(), Ok(d));
    }
}

#[test]
fn a_forced_dialect_is_reported_as_not_detected() {
    let v = json_as("postgresql://db/app", "asyncpg", None);
    assert_eq!(v["dialect"], "asyncpg");
    assert_eq!(v["dialect_detected"], false);
    assert_eq!(json("postgresql://db/app")["dialect_detected"], true);
}

#[test]
fn no_output_ever_contains_the_password() {
    let secret = "hunter2x";
    let inputs = [
        format!("host=db password={secret} sslmode=require"),
        format!("host=db password='{secret}' sslmode=required"),
        format!("host='db password={secret}"),
        format!("postgresql://u:{secret}@db/app?sslmode=require"),
        format!("postgresql://u:{secret}@[::1/app"),
        format!("postgresql://u:{secret}%zz@db/app"),
        format!("postgresql://db/app?password={secret}&ssl=false"),
        format!("jdbc:postgresql://db/app?user=u&password={secret}&ssl=true"),
        format!("jdbc:postgresql://db/app?password={secret}&sslmode=required"),
        format!("Host=db;Username=u;Password={secret};SSL Mode=Require"),
        format!("Host=db;PWD={secret};SSL Mode=verify-full"),
        format!("Host=db;Password=\"{secret};x\";SSL Mode=Require"),
        format!("Host=db;Password='{secret}"),
        format!("postgres://u:{secret}@db/app?sslmode=no-verify"),
        format!("postgres://u:{secret}@db/app?uselibpqcompat=true&sslmode=verify-ca"),
    ];
    for input in &inputs {
        for d in [
            None,
            Some("asyncpg"),
            Some("sqlx"),
            Some("tokio-postgres"),
            Some("node-postgres"),
            Some("psycopg"),
        ] {
            let v = match d {
                None => json(input),
                Some(d) => json_as(input, d, None),
            };
            let text = v.to_string();
            assert!(!text.contains(secret), "{input:?} as {d:?} leaked: {text}");
        }
    }
}

#[test]
fn fixes_keep_the_dialect_and_ask_for_verify_full() {
    for (input, fix) in [
        ("host=db sslmode=require", "host=db sslmode=verify-full"),
        ("host=db requiressl=1 password=x", "password=******** host=db sslmode=verify-full"),
        ("postgresql://u:pw@db:5433/app?ssl=true&application_name=a", "postgresql://u:********@db:5433/app?application_name=a&sslmode=verify-full"),
        ("jdbc:postgresql://db/app?ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory&password=pw", "jdbc:postgresql://db/app?password=********&sslmode=verify-full"),
        ("Host=db;SSL Mode=Require;Trust Server Certificate=true;Root Certificate=/ca.pem", "Host=db;Root Certificate=/ca.pem;SSL Mode=VerifyFull"),
        ("postgres://db/app?sslmode=no-verify", "postgres://db/app?sslmode=verify-full"),
    ] {
        assert_eq!(json(input)["fix"], fix, "{input:?}");
    }
    assert_eq!(
        json_as("Host=db;SSL Mode=Prefer", "npgsql", Some("5.0"))["fix"],
        "Host=db;SSL Mode=Require"
    );
    assert_eq!(
        json_as("postgresql://db/app", "tokio-postgres", None)["fix"],
        "postgresql://db/app?sslmode=require"
    );
}

#[test]
fn required_gets_a_hint_naming_the_clients() {
    let v = json("host=db sslmode=required");
    let hint = v["hint"].as_str().expect("hint");
    for word in ["libpq", "pgjdbc", "Npgsql", "node-postgres", "require"] {
        assert!(hint.contains(word), "hint lacks {word}: {hint}");
    }
}

#[test]
fn channel_binding_require_keeps_the_mitm_and_the_password_out() {
    let v = json("host=db sslmode=prefer channel_binding=require");
    assert_eq!(v["mitm_exposed"], false);
    assert_eq!(v["password_exposed_to_mitm"], false);
    assert_eq!(v["effective"]["plaintext_fallback"], true);
}

#[test]
fn require_auth_without_password_methods_keeps_only_the_password_out() {
    let v = json("host=db sslmode=require require_auth=scram-sha-256");
    assert_eq!(v["mitm_exposed"], "if-no-root-file");
    assert_eq!(v["password_exposed_to_mitm"], false);
    let v = json("host=db sslmode=require require_auth=!md5");
    assert_eq!(v["password_exposed_to_mitm"], "if-no-root-file");
}

#[test]
fn libpq_versions_change_the_reading() {
    // libpq 15 does not know sslnegotiation; libpq 17 does.
    assert_eq!(
        json_as(
            "host=db sslmode=require sslnegotiation=direct",
            "libpq",
            Some("15")
        )["error"],
        r#"invalid connection option "sslnegotiation""#
    );
    assert_eq!(
        json_as(
            "postgresql://db?sslmode=require&sslnegotiation=direct",
            "libpq-uri",
            Some("16")
        )["error"],
        r#"invalid URI query parameter: "sslnegotiation""#
    );
    assert_eq!(
        json_as(
            "host=db sslmode=require sslnegotiation=direct",
            "libpq",
            Some("17")
        )["error"],
        Value::Null
    );
    assert_eq!(
        json_as(
            "host=db sslrootcert=system sslmode=require",
            "libpq",
            Some("15")
        )["error"],
        Value::Null
    );
    assert_eq!(
        json_as("host=db", "psycopg", Some("15"))["driver"],
        "psycopg (libpq)"
    );
}

#[test]
fn npgsql_versions_change_the_reading() {
    assert_eq!(
        json_as("Host=db;SSL Mode=Require", "npgsql", Some("6.0"))["error"]
            .as_str()
            .map(|s| s.starts_with("To validate server certificates")),
        Some(true)
    );
    assert_eq!(
        json_as("Host=db;SSL Mode=Require", "npgsql", Some("8.0"))["mitm_exposed"],
        true
    );
    assert_eq!(
        json_as("Host=db;SSL Mode=Require", "npgsql", Some("5.0.11"))["mitm_exposed"],
        false
    );
    assert_eq!(
        json_as("Host=db;SSL Mode=3", "npgsql", None)["mode"],
        "Require"
    );
    assert_eq!(
        json_as("Host=db;Trust Server Certificate=maybe", "npgsql", None)["error"],
        "String 'maybe' was not recognized as a valid Boolean."
    );
}

#[test]
fn node_postgres_reads_an_ssl_file_as_turning_tls_on() {
    // pg-connection-string: any of sslcert/sslkey/sslrootcert/sslmode makes ssl an object,
    // even after ssl=0.
    let v = json_as(
        "postgres://db/app?ssl=0&sslrootcert=/ca.pem",
        "node-postgres",
        None,
    );
    assert_eq!(v["effective"]["tls"], "required");
    assert_eq!(v["effective"]["verify_hostname"], true);
}

#[test]
fn the_json_contract_has_every_field() {
    let v = json("host=db sslmode=require");
    for key in [
        "dialect",
        "error",
        "effective",
        "mitm_exposed",
        "fix",
        "password_exposed_to_mitm",
        "driver",
        "driver_version_assumed",
        "notes",
        "sources",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in [
        "tls",
        "verify_chain",
        "verify_hostname",
        "plaintext_fallback",
    ] {
        assert!(v["effective"].get(key).is_some(), "missing effective.{key}");
    }
}

#[test]
fn jdbc_urls_translate_to_libpq_settings() {
    let s = to_libpq_settings(
        "jdbc:postgresql://db1:5433,db2/app?user=u&password=p%20w&ssl=true&sslrootcert=/ca.pem",
        None,
        &env(),
    )
    .expect("translates");
    let hosts: Vec<(Option<&str>, u16)> = s
        .hosts
        .iter()
        .map(|h| (h.host.as_deref(), h.port))
        .collect();
    assert_eq!(hosts, vec![(Some("db1"), 5433), (Some("db2"), 5432)]);
    assert_eq!(s.dbname, "app");
    assert_eq!(s.user, "u");
    assert_eq!(s.password.as_deref(), Some("p w"));
    assert_eq!(s.sslmode, SslMode::VerifyFull);
    assert_eq!(s.sslrootcert, RootCert::File("/ca.pem".into()));
}

#[test]
fn npgsql_strings_translate_to_libpq_settings() {
    let s = to_libpq_settings(
        "Host=db;Port=6432;Database=app;Username=u;Password='a;b';SSL Mode=VerifyFull",
        None,
        &env(),
    )
    .expect("translates");
    assert_eq!(s.hosts[0].host.as_deref(), Some("db"));
    assert_eq!(s.hosts[0].port, 6432);
    assert_eq!(s.dbname, "app");
    assert_eq!(s.password.as_deref(), Some("a;b"));
    assert_eq!(s.sslmode, SslMode::VerifyFull);
    assert_eq!(s.sslrootcert, RootCert::System);
    let s = to_libpq_settings("Host=db;SSL Mode=Require", Some(Dialect::Npgsql), &env())
        .expect("translates");
    assert_eq!(s.sslmode, SslMode::Require);
}

#[test]
fn strings_the_client_rejects_do_not_translate() {
    let e = to_libpq_settings("jdbc:postgresql://db/app?sslmode=required", None, &env())
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(e, Err("pgjdbc: Invalid sslmode value: required".to_owned()));
    let e = to_libpq_settings("host=db sslmode=required", None, &env())
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(e, Err(r#"invalid sslmode value: "required""#.to_owned()));
}

#[test]
fn node_and_sqlx_uris_translate_too() {
    let s = to_libpq_settings("postgres://u:pw@db/app?sslmode=no-verify", None, &env())
        .expect("translates");
    assert_eq!(s.sslmode, SslMode::Require);
    assert_eq!(s.password.as_deref(), Some("pw"));
    let s = to_libpq_settings("postgres://db/app?ssl-mode=verify-full", None, &env())
        .expect("translates");
    assert_eq!(
        (s.sslmode, s.sslrootcert),
        (SslMode::VerifyFull, RootCert::System)
    );
}
