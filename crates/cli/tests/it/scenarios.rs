//! `pgtls scenarios` tests: the table, one scenario in detail, the stable JSON, unknown names.

use crate::util::run;

#[test]
fn json_lists_every_scenario_with_the_stable_fields() {
    let out = run(&["scenarios", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert!(rows.len() >= 35, "{} rows", rows.len());
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    for name in [
        "valid",
        "hostssl-only",
        "mitm-strip-ssl",
        "mitm-channel-binding",
        "direct-tls",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    for row in &rows {
        assert!(row["summary"].is_string());
        assert!(row["libpq"].as_str().unwrap().parse::<u32>().is_ok());
        let client = &row["client"];
        assert!(
            client["host"].is_string()
                && client["user"].is_string()
                && client["dbname"].is_string()
        );
        assert!(client["hostaddr"].is_string() || client["hostaddr"].is_null());
        assert!(client["password"].is_string() || client["password"].is_null());
        assert!(client["sslrootcert"].is_string() || client["sslrootcert"].is_null());
        assert!(client["params"].is_object());
        for mode in [
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ] {
            let v = row["expect"][mode].as_str().unwrap();
            assert!(["tls", "plaintext", "rejected"].contains(&v), "{v}");
            assert!(row["password_reaches_server"][mode].is_boolean());
        }
        assert!(row["variants"].is_array());
    }
    let direct = rows.iter().find(|r| r["name"] == "direct-tls").unwrap();
    assert_eq!(direct["libpq"], "17");
    assert_eq!(direct["client"]["params"]["sslnegotiation"], "direct");
}

#[test]
fn the_table_has_a_line_per_scenario_and_variant() {
    let out = run(&["scenarios"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("NAME") && first.contains("verify-full"),
        "{first}"
    );
    let valid = text.lines().find(|l| l.starts_with("valid ")).unwrap();
    assert!(
        valid.contains("plaintext+") && valid.contains("tls+"),
        "{valid}"
    );
    assert!(text.lines().any(|l| l.starts_with("  no-rootcert ")));
    assert!(
        !text.contains("pgtls-demo-password"),
        "the table never shows the password"
    );
}

#[test]
fn one_scenario_in_detail_redacts_the_password() {
    let out = run(&["scenarios", "mitm-channel-binding"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("why:"), "{text}");
    assert!(text.contains("channel-binding-require"), "{text}");
    assert!(text.contains("password=********"), "{text}");
    assert!(!text.contains("pgtls-demo-password"), "{text}");
    let json = run(&["scenarios", "--json", "valid"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn an_unknown_scenario_is_a_usage_error() {
    let out = run(&["scenarios", "no-such-thing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scenario"));
}
