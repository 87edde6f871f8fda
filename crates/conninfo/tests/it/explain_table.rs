//! One hand-written case per row of the mapping table (`explain::table::ROWS`): the input, the
//! dialect it is read in, and the JSON contract fields a user sees. The last test checks that
//! every row has a case.

use pgtls_conninfo::explain::{explain, table, ExplainOptions};
use serde_json::Value;

/// A case: row id, forced dialect, driver version, input, expected dialect, and either the
/// client's error or (tls, verify_chain, verify_hostname, plaintext_fallback, mitm_exposed,
/// password_exposed_to_mitm) as JSON text.
struct Case {
    row: &'static str,
    dialect: Option<&'static str>,
    version: Option<&'static str>,
    input: &'static str,
    expect_dialect: &'static str,
    expect: Expect,
}

enum Expect {
    Rejected(&'static str),
    Policy {
        tls: &'static str,
        chain: &'static str,
        host: bool,
        fallback: bool,
        mitm: &'static str,
        password: &'static str,
    },
}

use Expect::{Policy as P, Rejected as R};

const fn c(
    row: &'static str,
    dialect: Option<&'static str>,
    version: Option<&'static str>,
    input: &'static str,
    expect_dialect: &'static str,
    expect: Expect,
) -> Case {
    Case {
        row,
        dialect,
        version,
        input,
        expect_dialect,
        expect,
    }
}

const fn p(
    tls: &'static str,
    chain: &'static str,
    host: bool,
    fallback: bool,
    mitm: &'static str,
    password: &'static str,
) -> Expect {
    P {
        tls,
        chain,
        host,
        fallback,
        mitm,
        password,
    }
}

const WEAK_SYSTEM: &str =
    r#"weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")"#;
const WEAK_DIRECT: &str = r#"weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")"#;
const NPGSQL6: &str = "To validate server certificates, please use VerifyFull or VerifyCA instead of Require. To disable validation, explicitly set 'Trust Server Certificate' to true. See https://www.npgsql.org/doc/release-notes/6.0.html for more details.";
const NODE_CA: &str = "SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA with sslrootcert. If a public CA is used, verify-ca allows connections to a server that somebody else may have registered with the CA, making you vulnerable to Man-in-the-Middle attacks. Either specify a custom CA certificate with sslrootcert parameter or use sslmode=verify-full for proper security.";
const ASYNCPG: &str =
    "`sslmode` parameter must be one of: disable, allow, prefer, require, verify-ca, verify-full";

fn cases() -> Vec<Case> {
    vec![
        // libpq keyword/value
        c("libpq/default", None, None, "host=db.example.com user=app", "libpq", p("optional", "if-root-file", false, true, "true", "true")),
        c("libpq/disable", None, None, "host=db sslmode=disable", "libpq", p("never", "false", false, false, "true", "true")),
        c("libpq/allow", None, None, "host=db sslmode=allow", "libpq", p("optional", "if-root-file", false, true, "true", "true")),
        c("libpq/prefer", None, None, "host=db sslmode=prefer", "libpq", p("optional", "if-root-file", false, true, "true", "true")),
        c("libpq/require", None, None, "host=db sslmode=require", "libpq", p("required", "if-root-file", false, false, "\"if-no-root-file\"", "\"if-no-root-file\"")),
        c("libpq/verify-ca", None, None, "host=db sslmode=verify-ca sslrootcert=/etc/ca.pem", "libpq", p("required", "true", false, false, "false", "false")),
        c("libpq/verify-full", None, None, "host=db sslmode=verify-full", "libpq", p("required", "true", true, false, "false", "false")),
        c("libpq/requiressl=1", None, None, "host=db requiressl=1", "libpq", p("required", "if-root-file", false, false, "\"if-no-root-file\"", "\"if-no-root-file\"")),
        c("libpq-uri/ssl=true", None, None, "postgresql://db/app?ssl=true", "libpq-uri", p("required", "if-root-file", false, false, "\"if-no-root-file\"", "\"if-no-root-file\"")),
        c("libpq-uri/ssl=false", None, None, "postgresql://db/app?ssl=false", "libpq-uri", R(r#"invalid URI query parameter: "ssl""#)),
        c("libpq/required", None, None, "host=db sslmode=required", "libpq", R(r#"invalid sslmode value: "required""#)),
        c("libpq/system", None, None, "host=db sslrootcert=system", "libpq", p("required", "true", true, false, "false", "false")),
        c("libpq/system-weak", None, None, "host=db sslrootcert=system sslmode=require", "libpq", R(WEAK_SYSTEM)),
        c("libpq15/system", None, Some("15"), "host=db sslrootcert=system", "libpq", p("optional", "if-root-file", false, true, "true", "true")),
        c("libpq/direct-weak", None, None, "host=db sslnegotiation=direct", "libpq", R(WEAK_DIRECT)),
        c("libpq/syntax", None, None, "host='db", "libpq", R("unterminated quoted string in connection info string")),
        c("libpq/unknown-keyword", None, Some("16"), "host=db sslmode=require sslnegotiation=direct", "libpq", R(r#"invalid connection option "sslnegotiation""#)),
        // pgjdbc
        c("pgjdbc/default", None, None, "jdbc:postgresql://db:5432/app", "pgjdbc", p("optional", "false", false, true, "true", "true")),
        c("pgjdbc/ssl=true", None, None, "jdbc:postgresql://db/app?ssl=true", "pgjdbc", p("required", "true", true, false, "false", "false")),
        c("pgjdbc/ssl=false", None, None, "jdbc:postgresql://db/app?ssl=false", "pgjdbc", p("optional", "false", false, true, "true", "true")),
        c("pgjdbc/disable", None, None, "jdbc:postgresql://db/app?sslmode=disable", "pgjdbc", p("never", "false", false, false, "true", "true")),
        c("pgjdbc/allow", None, None, "jdbc:postgresql://db/app?sslmode=allow", "pgjdbc", p("optional", "false", false, true, "true", "true")),
        c("pgjdbc/prefer", None, None, "jdbc:postgresql://db/app?sslmode=prefer", "pgjdbc", p("optional", "false", false, true, "true", "true")),
        c("pgjdbc/require", None, None, "jdbc:postgresql://db/app?sslmode=require", "pgjdbc", p("required", "false", false, false, "true", "true")),
        c("pgjdbc/verify-ca", None, None, "jdbc:postgresql://db/app?sslmode=VERIFY-CA", "pgjdbc", p("required", "true", false, false, "false", "false")),
        c("pgjdbc/verify-full", None, None, "jdbc:postgresql://db/app?sslmode=verify-full&sslrootcert=/ca.pem", "pgjdbc", p("required", "true", true, false, "false", "false")),
        c("pgjdbc/nonvalidating", None, None, "jdbc:postgresql://db/app?ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory", "pgjdbc", p("required", "false", true, false, "true", "true")),
        c("pgjdbc/nonvalidating-require", None, None, "jdbc:postgresql://db/app?sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory", "pgjdbc", p("required", "false", false, false, "true", "true")),
        c("pgjdbc/defaultjava", None, None, "jdbc:postgresql://db/app?sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory", "pgjdbc", p("required", "true", true, false, "false", "false")),
        c("pgjdbc/defaultjava-ca", None, None, "jdbc:postgresql://db/app?sslmode=verify-ca&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory", "pgjdbc", p("required", "true", false, false, "true", "true")),
        c("pgjdbc/custom-factory", None, None, "jdbc:postgresql://db/app?sslmode=require&sslfactory=com.example.MyFactory", "pgjdbc", p("required", "false", false, false, "true", "true")),
        c("pgjdbc/required", None, None, "jdbc:postgresql://db/app?sslmode=required", "pgjdbc", R("Invalid sslmode value: required")),
        c("pgjdbc-old/ssl=true", None, Some("42.2.4"), "jdbc:postgresql://db/app?ssl=true", "pgjdbc", p("required", "false", false, false, "true", "true")),
        c("pgjdbc-old/default", None, Some("42.2.4"), "jdbc:postgresql://db/app", "pgjdbc", p("never", "false", false, false, "true", "true")),
        // Npgsql
        c("npgsql8/default", None, None, "Host=db;Username=u;Password=pw", "npgsql", p("optional", "false", false, true, "true", "true")),
        c("npgsql8/disable", None, None, "Host=db;SSL Mode=Disable", "npgsql", p("never", "false", false, false, "true", "true")),
        c("npgsql8/allow", None, None, "Host=db;SslMode=allow", "npgsql", p("optional", "false", false, true, "true", "true")),
        c("npgsql8/prefer", None, None, "Host=db;SSL Mode=Prefer;Root Certificate=/ca.pem", "npgsql", p("optional", "false", false, true, "true", "true")),
        c("npgsql8/require", None, None, "Host=db;SSL Mode=Require", "npgsql", p("required", "false", false, false, "true", "true")),
        c("npgsql8/verify-ca", None, None, "Host=db;SSL Mode=VerifyCA;Root Certificate=/ca.pem", "npgsql", p("required", "true", false, false, "false", "false")),
        c("npgsql8/verify-ca-system", None, None, "Host=db;SSL Mode=VerifyCA", "npgsql", p("required", "true", false, false, "\"if-no-root-file\"", "\"if-no-root-file\"")),
        c("npgsql8/verify-full", None, None, "Server=db;SSL Mode=verifyfull", "npgsql", p("required", "true", true, false, "false", "false")),
        c("npgsql/invalid", None, None, "Host=db;SSL Mode=Required", "npgsql", R("Requested value 'Required' was not found.")),
        c("npgsql8/libpq-spelling", None, None, "Host=db;SSL Mode=verify-full", "npgsql", R("Requested value 'verify-full' was not found.")),
        c("npgsql6/require", None, Some("7.0"), "Host=db;SSL Mode=Require", "npgsql", R(NPGSQL6)),
        c("npgsql6/require-tsc", None, Some("6.0.3"), "Host=db;SSL Mode=Require;Trust Server Certificate=true", "npgsql", p("required", "false", false, false, "true", "true")),
        c("npgsql5/require", None, Some("5.0"), "Host=db;SSL Mode=Require", "npgsql", p("required", "true", true, false, "false", "false")),
        c("npgsql5/require-tsc", None, Some("5.0"), "Host=db;SSL Mode=Require;TrustServerCertificate=True", "npgsql", p("required", "false", false, false, "true", "true")),
        c("npgsql5/prefer", None, Some("4.1"), "Host=db;SSL Mode=Prefer", "npgsql", p("optional", "true", true, true, "true", "true")),
        c("npgsql5/prefer-tsc", None, Some("4.1"), "Host=db;SSL Mode=Prefer;Trust Server Certificate=true", "npgsql", p("optional", "false", false, true, "true", "true")),
        c("npgsql5/verify", None, Some("5.0"), "Host=db;SSL Mode=VerifyFull", "npgsql", R("Requested value 'VerifyFull' was not found.")),
        c("npgsql5/default", None, Some("5.0"), "Host=db;Database=app", "npgsql", p("never", "false", false, false, "true", "true")),
        // node-postgres
        c("node/default", Some("node-postgres"), None, "postgres://u:pw@db/app", "node-postgres", p("never", "false", false, false, "true", "true")),
        c("node/ssl=true", Some("node-postgres"), None, "postgres://db/app?ssl=true", "node-postgres", p("required", "true", true, false, "false", "false")),
        c("node/disable", None, None, "postgres://db/app?ssl=0", "node-postgres", p("never", "false", false, false, "true", "true")),
        c("node/require", Some("node-postgres"), None, "postgres://db/app?sslmode=require", "node-postgres", p("required", "true", true, false, "false", "false")),
        c("node/no-verify", None, None, "postgres://db/app?sslmode=no-verify", "node-postgres", p("required", "false", false, false, "true", "true")),
        c("node/required", Some("node-postgres"), None, "postgres://db/app?sslmode=required", "node-postgres", p("required", "true", true, false, "false", "false")),
        c("node-compat/prefer", None, None, "postgres://db/app?sslmode=prefer&uselibpqcompat=true", "node-postgres", p("required", "false", false, false, "true", "true")),
        c("node-compat/require", None, None, "postgres://db/app?uselibpqcompat=true&sslmode=require", "node-postgres", p("required", "false", false, false, "true", "true")),
        c("node-compat/verify-ca", None, None, "postgres://db/app?uselibpqcompat=true&sslmode=require&sslrootcert=/ca.pem", "node-postgres", p("required", "true", false, false, "false", "false")),
        c("node-compat/verify-ca-noroot", None, None, "postgres://db/app?uselibpqcompat=true&sslmode=verify-ca", "node-postgres", R(NODE_CA)),
        c("node/ssl=false", Some("node-postgres"), None, "postgres://db/app?ssl=false", "node-postgres", p("required", "true", true, false, "false", "false")),
        c("node7/ssl=true", Some("node-postgres"), Some("7.18"), "postgres://db/app?ssl=true", "node-postgres", p("required", "false", false, false, "true", "true")),
        c("node/not-a-uri", Some("node-postgres"), None, "host=db sslmode=require", "node-postgres", R("pgtls: node-postgres expects a postgres:// URL; this text would be resolved as a relative URL against postgres://base")),
        // asyncpg
        c("asyncpg/default", Some("asyncpg"), None, "postgresql://u:pw@db/app", "asyncpg", p("optional", "false", false, true, "true", "true")),
        c("asyncpg/prefer", Some("asyncpg"), None, "postgresql://db/app?sslmode=allow", "asyncpg", p("optional", "false", false, true, "true", "true")),
        c("asyncpg/require", Some("asyncpg"), None, "postgresql://db/app?sslmode=require", "asyncpg", p("required", "if-root-file", false, false, "\"if-no-root-file\"", "\"if-no-root-file\"")),
        c("asyncpg/verify-full", Some("asyncpg"), None, "postgresql://db/app?sslmode=verify_full", "asyncpg", p("required", "true", true, false, "false", "false")),
        c("asyncpg/required", Some("asyncpg"), None, "postgresql://db/app?sslmode=required", "asyncpg", R(ASYNCPG)),
        c("asyncpg/not-a-uri", Some("asyncpg"), None, "host=db sslmode=require", "asyncpg", R(r#"invalid DSN: scheme is expected to be either "postgresql" or "postgres", got ''"#)),
        // sqlx
        c("sqlx/default", Some("sqlx"), None, "postgres://db/app", "sqlx", p("optional", "false", false, true, "true", "true")),
        c("sqlx/allow", Some("sqlx"), None, "postgres://db/app?sslmode=allow", "sqlx", p("never", "false", false, false, "true", "true")),
        c("sqlx/require", None, None, "postgres://db/app?ssl-mode=require&ssl-root-cert=/ca.pem", "sqlx", p("required", "false", false, false, "true", "true")),
        c("sqlx/verify-ca", Some("sqlx"), None, "postgres://db/app?sslmode=Verify-CA&sslrootcert=/ca.pem", "sqlx", p("required", "true", false, false, "true", "true")),
        c("sqlx/verify-full", Some("sqlx"), None, "postgres://db/app?sslmode=verify-full", "sqlx", p("required", "true", true, false, "false", "false")),
        c("sqlx/required", Some("sqlx"), None, "postgres://db/app?sslmode=required", "sqlx", R("error with configuration: unknown value \"required\" for `ssl_mode`")),
        c("sqlx/not-a-uri", Some("sqlx"), None, "host=db", "sqlx", R("error with configuration: relative URL without a base")),
        // tokio-postgres
        c("tokio/prefer", Some("tokio-postgres"), None, "host=db user=u", "tokio-postgres", p("optional", "false", false, true, "true", "true")),
        c("tokio/require", Some("tokio-postgres"), None, "postgresql://db/app?sslmode=require", "tokio-postgres", p("required", "false", false, false, "true", "true")),
        c("tokio/verify-full", Some("tokio-postgres"), None, "host=db sslmode=verify-full", "tokio-postgres", R("invalid connection string: invalid value for option `sslmode`")),
        c("tokio/sslrootcert", Some("tokio-postgres"), None, "postgresql://db/app?sslmode=require&sslrootcert=/ca.pem", "tokio-postgres", R("invalid connection string: unknown option `sslrootcert`")),
    ]
}

fn run(case: &Case) -> Value {
    let e = explain(
        case.input,
        &ExplainOptions {
            dialect: case.dialect.map(|d| d.parse().expect("known dialect")),
            driver_version: case.version.map(str::to_owned),
        },
    );
    serde_json::to_value(&e).expect("serialises")
}

#[test]
fn every_case_matches_its_hand_written_expectation() {
    let mut failures = Vec::new();
    for case in cases() {
        let v = run(&case);
        let mut check = |what: &str, got: &Value, want: Value| {
            if *got != want {
                failures.push(format!(
                    "{} ({:?}): {what}: got {got}, want {want}",
                    case.row, case.input
                ));
            }
        };
        check("row", &v["row"], Value::from(case.row));
        check("dialect", &v["dialect"], Value::from(case.expect_dialect));
        match &case.expect {
            Expect::Rejected(msg) => {
                check("error", &v["error"], Value::from(*msg));
                check("effective", &v["effective"], Value::Null);
                check("mitm_exposed", &v["mitm_exposed"], Value::Null);
            }
            Expect::Policy {
                tls,
                chain,
                host,
                fallback,
                mitm,
                password,
            } => {
                let json = |s: &str| -> Value {
                    serde_json::from_str(s).unwrap_or_else(|_| Value::from(s))
                };
                check("error", &v["error"], Value::Null);
                check("tls", &v["effective"]["tls"], Value::from(*tls));
                check("verify_chain", &v["effective"]["verify_chain"], json(chain));
                check(
                    "verify_hostname",
                    &v["effective"]["verify_hostname"],
                    Value::from(*host),
                );
                check(
                    "plaintext_fallback",
                    &v["effective"]["plaintext_fallback"],
                    Value::from(*fallback),
                );
                check("mitm_exposed", &v["mitm_exposed"], json(mitm));
                check(
                    "password_exposed_to_mitm",
                    &v["password_exposed_to_mitm"],
                    json(password),
                );
                if v["fix"].is_null() {
                    failures.push(format!("{}: no fix", case.row));
                }
            }
        }
        if v["sources"].as_array().is_none_or(|a| a.is_empty()) {
            failures.push(format!("{}: no source", case.row));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_row_of_the_table_has_a_case() {
    let covered: Vec<&str> = cases().iter().map(|c| c.row).collect();
    let missing: Vec<&str> = table::ROWS
        .iter()
        .map(|r| r.id)
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(missing.is_empty(), "rows without a test case: {missing:?}");
    let unknown: Vec<&str> = covered
        .iter()
        .copied()
        .filter(|id| table::row(id).is_none())
        .collect();
    assert!(unknown.is_empty(), "cases naming no row: {unknown:?}");
}

#[test]
fn every_row_names_a_source_and_versions() {
    for r in table::ROWS {
        assert!(!r.source.is_empty() && !r.versions.is_empty(), "{}", r.id);
        assert!(
            !r.source.contains("http"),
            "{}: sources are titles, not URLs",
            r.id
        );
    }
}

#[test]
fn row_ids_are_unique() {
    let mut ids: Vec<&str> = table::ROWS.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
}
