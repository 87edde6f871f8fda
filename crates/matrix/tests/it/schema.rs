//! The JSON report validates against testdata/schema/matrix-report.schema.json.

use std::path::PathBuf;

use crate::sample;

pub fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/schema/matrix-report.schema.json")
}

/// Validates `json` against the report schema, listing every violation.
pub fn validate(json: &serde_json::Value) -> Result<(), String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).expect("read schema"))
            .expect("schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

fn sample_json() -> serde_json::Value {
    serde_json::from_str(&pgtls_matrix::render::json(&sample::report())).unwrap()
}

#[test]
fn sample_report_json_validates_against_the_schema() {
    validate(&sample_json()).unwrap();
}

#[test]
fn schema_rejects_an_unredacted_password_and_unknown_values() {
    let mut j = sample_json();
    j["cells"][0]["conninfo"] = "host='h' password='hunter2'".into();
    assert!(validate(&j).is_err());
    let mut j = sample_json();
    j["cells"][0]["status"] = "maybe".into();
    assert!(validate(&j).is_err());
    let mut j = sample_json();
    j["cells"][0]["sslmode"] = "required".into();
    assert!(validate(&j).is_err());
    let mut j = sample_json();
    j["cells"][0]["surprise"] = true.into();
    assert!(validate(&j).is_err(), "unknown fields are schema changes");
}

#[test]
fn json_report_records_tool_and_rustls_versions_from_cargo() {
    let j = sample_json();
    assert_eq!(j["tool"]["name"], "pgtls");
    assert_eq!(j["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let libs = j["tool"]["libraries"].as_array().unwrap();
    assert_eq!(libs[0]["name"], "rustls", "rustls is listed first");
    let v = libs[0]["version"].as_str().unwrap();
    assert!(
        v.starts_with("0.23."),
        "rustls {v} (the workspace pins 0.23)"
    );
}
