//! Helpers shared by the tests.

use pgtls_conninfo::{ConninfoOptions, Env, Settings};

/// A fixed environment: HOME=/home/alice, OS user alice, no PG* variables.
pub fn env() -> Env {
    Env::from_map([("HOME", "/home/alice"), ("USER", "alice")])
}

/// `env()` plus variables.
pub fn env_with(vars: &[(&str, &str)]) -> Env {
    let mut e = env();
    for (k, v) in vars {
        e = e.with_var(*k, *v);
    }
    e
}

/// Settings for `s` in `env()`, or libpq's message.
pub fn settings(s: &str) -> Result<Settings, String> {
    Settings::from_conninfo(s, &env()).map_err(|e| e.to_string())
}

/// Settings that must parse.
pub fn ok(s: &str) -> Settings {
    match settings(s) {
        Ok(v) => v,
        Err(e) => panic!("{s:?} should parse, got: {e}"),
    }
}

/// The message libpq gives for `s`.
pub fn err(s: &str) -> String {
    match settings(s) {
        Ok(v) => panic!("{s:?} should fail, got {v:?}"),
        Err(e) => e,
    }
}

/// The parsed options as (keyword, value) pairs.
pub fn opts(s: &str) -> Vec<(String, String)> {
    let o: ConninfoOptions = match pgtls_conninfo::parse_options(s) {
        Ok(o) => o,
        Err(e) => panic!("{s:?} should parse, got: {e}"),
    };
    o.iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Pairs from string literals.
pub fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
