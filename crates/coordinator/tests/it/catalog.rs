//! The catalog as data: names, shape of the JSON listing, files behind every client context.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;

use pgtls_coordinator::catalog::{self, Category, Expectations, Outcome, SslMode, FILE_PARAMS};
use pgtls_coordinator::spec::AuthMethod;
use pgtls_coordinator::Prepared;

/// Every name issue 3 asks for.
const REQUIRED: &[&str] = &[
    "valid",
    "valid-with-intermediate",
    "valid-ed25519",
    "valid-rsa",
    "valid-p384",
    "reversed-chain",
    "tls12-only",
    "tls13-only",
    "wrong-hostname",
    "cn-only",
    "san-overrides-cn",
    "wildcard-match",
    "wildcard-two-labels",
    "wildcard-bare-domain",
    "ip-san",
    "ip-in-dnsname",
    "no-names",
    "missing-intermediate",
    "intermediate-not-ca",
    "untrusted-root",
    "self-signed-leaf",
    "intermediate-only-trusted",
    "client-eku-only",
    "leaf-is-ca",
    "expired-leaf",
    "not-yet-valid-leaf",
    "expired-intermediate",
    "revoked-leaf",
    "ssl-refused",
    "ssl-refused-plaintext-rejected",
    "ssl-error-response",
    "ssl-close",
    "ssl-garbage-response",
    "hostssl-only",
    "hostnossl-only",
    "direct-tls",
    "client-cert-required",
    "mitm-self-signed",
    "mitm-other-ca",
    "mitm-same-ca-other-name",
    "mitm-strip-ssl",
    "mitm-buffer-stuffing",
    "mitm-channel-binding",
];

#[test]
fn catalog_has_every_scenario_the_issue_names_and_at_least_35_rows() {
    let names: BTreeSet<&str> = catalog::names().into_iter().collect();
    for required in REQUIRED {
        assert!(names.contains(required), "missing scenario {required}");
    }
    assert!(catalog::all().len() >= 35, "{} rows", catalog::all().len());
}

#[test]
fn scenario_and_variant_names_are_unique_kebab_case() {
    let kebab = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    let mut seen = BTreeSet::new();
    for row in catalog::all() {
        assert!(kebab(row.name), "{}", row.name);
        assert!(seen.insert(row.name), "duplicate {}", row.name);
        let mut variants = BTreeSet::new();
        for v in &row.variants {
            assert!(kebab(v.name), "{}/{}", row.name, v.name);
            assert!(variants.insert(v.name), "duplicate {}/{}", row.name, v.name);
        }
        assert!(
            !row.summary.is_empty() && !row.why.is_empty(),
            "{}",
            row.name
        );
    }
}

#[test]
fn find_returns_the_row_and_none_for_unknown_names() {
    assert_eq!(catalog::find("valid").map(|s| s.name), Some("valid"));
    assert!(catalog::find("no-such-scenario").is_none());
    let err = Prepared::scenario_named("no-such-scenario", None).unwrap_err();
    assert!(err.to_string().contains("unknown scenario"), "{err}");
}

#[test]
fn expectation_shorthand_round_trips_and_rejects_malformed_text() {
    for row in catalog::all() {
        for case in row.cases() {
            let text = case.expect.shorthand();
            let back: Expectations = text.parse().unwrap();
            assert_eq!(&back, case.expect, "{}", case.label());
        }
    }
    for bad in [
        "",
        "T+ T+",
        "T+ T+ T+ T+ T+ X+",
        "T+ T+ T+ T+ T+ T",
        "T+ T+ T+ T+ T+ T+ T+",
        "T+ T+ T+ T+ T+ T+x",
    ] {
        assert!(bad.parse::<Expectations>().is_err(), "{bad:?}");
    }
    assert_eq!("verify-ca".parse::<SslMode>().unwrap(), SslMode::VerifyCa);
    assert_eq!(
        "required".parse::<SslMode>().unwrap_err().to_string(),
        "invalid sslmode value: \"required\""
    );
}

#[test]
fn password_appears_only_in_contexts_of_password_scenarios() {
    for row in catalog::all() {
        let uses = row.server.auth.uses_password();
        if row.name == "no-password-given" {
            assert!(row.client.password.is_none());
            continue;
        }
        assert_eq!(row.client.password.is_some(), uses, "{}", row.name);
        if !uses {
            for case in row.cases() {
                assert!(
                    case.expect.iter().all(|(_, e)| !e.password_reaches_server),
                    "{}: no password to reach anything",
                    case.label()
                );
            }
        }
    }
}

#[test]
fn mitm_rows_are_attackers_with_no_rootcert_and_channel_binding_variants() {
    for row in catalog::all()
        .iter()
        .filter(|r| r.category == Category::Mitm)
    {
        assert!(row.server.attacker, "{}", row.name);
        assert!(row.variant("no-rootcert").is_some(), "{}", row.name);
        assert!(
            row.variant("channel-binding-require").is_some(),
            "{}",
            row.name
        );
        // The client trusts the real root in the row's own context.
        assert_eq!(
            row.client.sslrootcert.as_deref(),
            Some("root.crt"),
            "{}",
            row.name
        );
    }
    for row in catalog::all()
        .iter()
        .filter(|r| r.category == Category::Chain)
    {
        if row.expect.get(SslMode::Require).outcome == Outcome::Rejected {
            assert!(row.variant("no-rootcert").is_some(), "{}", row.name);
        }
    }
    let cert_row = catalog::find("client-cert-required").unwrap();
    assert!(cert_row.client.param("sslcert").is_some());
    assert!(cert_row.variant("without-client-cert").is_some());
}

#[test]
fn no_rootcert_variants_name_no_root_file() {
    for row in catalog::all() {
        if let Some(v) = row.variant("no-rootcert") {
            assert_eq!(v.client.sslrootcert, None, "{}", row.name);
            for mode in [SslMode::VerifyCa, SslMode::VerifyFull] {
                assert_eq!(
                    v.expect.get(mode).outcome,
                    Outcome::Rejected,
                    "{}/{mode}",
                    row.name
                );
            }
        }
    }
}

#[test]
fn json_listing_has_the_stable_shape() {
    let rows: Vec<serde_json::Value> = catalog::all()
        .iter()
        .map(|s| serde_json::to_value(s.listing()).unwrap())
        .collect();
    for v in &rows {
        let name = v["name"].as_str().unwrap();
        assert!(v["summary"].is_string(), "{name}");
        assert!(v["why"].is_string(), "{name}");
        assert!(
            v["libpq"].as_str().unwrap().parse::<u32>().is_ok(),
            "{name}"
        );
        let client = &v["client"];
        for key in ["host", "user", "dbname"] {
            assert!(client[key].is_string(), "{name}.client.{key}");
        }
        for key in ["hostaddr", "password", "sslrootcert"] {
            assert!(
                client[key].is_string() || client[key].is_null(),
                "{name}.client.{key}"
            );
        }
        assert!(client["params"].is_object(), "{name}");
        for obj in std::iter::once(v).chain(v["variants"].as_array().unwrap()) {
            let expect = obj["expect"].as_object().unwrap();
            let pw = obj["password_reaches_server"].as_object().unwrap();
            let keys: BTreeSet<&str> = expect.keys().map(String::as_str).collect();
            let modes: BTreeSet<&str> = SslMode::ALL.iter().map(|m| m.as_str()).collect();
            assert_eq!(keys, modes, "{name}");
            for value in expect.values() {
                assert!(
                    ["tls", "plaintext", "rejected"].contains(&value.as_str().unwrap()),
                    "{name}: {value}"
                );
            }
            assert!(pw.values().all(serde_json::Value::is_boolean), "{name}");
        }
    }
    // Keys come in sslmode order in the text.
    let text = serde_json::to_string(&catalog::find("valid").unwrap().listing()).unwrap();
    let expect = &text[text.find("\"expect\"").unwrap()..];
    let positions: Vec<usize> = SslMode::ALL
        .iter()
        .map(|m| expect.find(&format!("\"{}\"", m.as_str())).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{expect}");
    let valid = rows.iter().find(|v| v["name"] == "valid").unwrap();
    assert_eq!(valid["client"]["host"], "c-demo.pgtls.test");
    assert_eq!(valid["client"]["hostaddr"], "127.0.0.1");
    assert_eq!(valid["client"]["sslrootcert"], "root.crt");
    assert_eq!(valid["libpq"], "15");
    assert_eq!(valid["expect"]["verify-full"], "tls");
    assert_eq!(valid["expect"]["disable"], "plaintext");
}

#[test]
fn every_row_builds_its_pki_and_writes_the_files_its_contexts_name() {
    for row in catalog::all() {
        let prepared =
            Prepared::scenario(row, None).unwrap_or_else(|e| panic!("{}: {e}", row.name));
        let dir = prepared.pki_dir().unwrap();
        for case in row.cases() {
            let mut files: Vec<&str> = case.client.sslrootcert.iter().map(String::as_str).collect();
            for (k, v) in &case.client.params {
                if FILE_PARAMS.contains(&k.as_str()) {
                    files.push(v);
                }
            }
            for f in files {
                assert!(dir.join(f).is_file(), "{}: {f} missing", case.label());
            }
        }
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if name.ends_with(".key") {
                let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}: {name} mode {mode:o}", row.name);
            }
        }
        let spec = prepared.spec();
        assert_eq!(spec.name, row.name);
        assert_eq!(spec.auth, row.server.auth);
        assert_eq!(spec.tls.is_some(), row.pki.tls, "{}", row.name);
        if row.server.auth == AuthMethod::Cert || row.server.require_client_cert {
            assert!(
                !spec.tls.as_ref().unwrap().client_cas.is_empty(),
                "{}",
                row.name
            );
        }
    }
}

#[test]
fn prepared_scenario_writes_into_a_given_directory() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nested/pki");
    let prepared = Prepared::scenario_named("client-cert-required", Some(&target)).unwrap();
    assert_eq!(prepared.pki_dir(), Some(target.as_path()));
    for f in [
        "root.crt",
        "client.crt",
        "client.key",
        "server.crt",
        "untrusted-client.key",
    ] {
        assert!(target.join(f).is_file(), "{f}");
    }
    drop(prepared);
    assert!(
        target.join("root.crt").is_file(),
        "a given directory is kept"
    );
}

#[test]
fn conninfo_quotes_values_and_redacts_the_password() {
    let row = catalog::find("revoked-leaf").unwrap();
    let dir = std::path::Path::new("/tmp/pki dir");
    let addr = "127.0.0.1:5433".parse().unwrap();
    let s = row.client.conninfo(dir, addr, SslMode::VerifyFull);
    assert_eq!(
        s,
        "host=c-demo.pgtls.test hostaddr=127.0.0.1 port=5433 user=citus dbname=citus \
         password=pgtls-demo-password sslmode=verify-full sslrootcert='/tmp/pki dir/root.crt' \
         sslcrl='/tmp/pki dir/root.crl'"
    );
    let r = row.client.conninfo_redacted(dir, addr, SslMode::VerifyFull);
    assert!(r.contains("password=********"), "{r}");
    assert!(!r.contains(catalog::PASSWORD), "{r}");
    assert_eq!(catalog::quote_conninfo_value("it's"), "'it\\'s'");
    assert_eq!(catalog::quote_conninfo_value(""), "''");
}
