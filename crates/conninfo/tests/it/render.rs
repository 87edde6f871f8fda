//! Canonical rendering, redaction, and parse(render(x)) stability (examples, a property test and
//! the fuzz entry point on seeds).

use pgtls_conninfo::{fuzzing, parse_options, quote_value, Settings};
use pretty_assertions::assert_eq;
use proptest::prelude::*;

use crate::util::{env, ok};

#[test]
fn render_lists_options_in_libpq_order_and_quotes_only_when_needed() {
    let s = ok("sslmode=verify-full host=db port=5433 dbname='my db' password='p w'");
    assert_eq!(
        s.render(),
        r"password='p w' dbname='my db' host=db port=5433 sslmode=verify-full"
    );
}

#[test]
fn redacted_never_shows_a_password() {
    let s = ok("user=u password=hunter2 sslpassword=keypass host=h");
    assert_eq!(
        s.redacted(),
        "user=u password=******** host=h sslpassword=********"
    );
    assert_eq!(s.to_string(), s.redacted());
    assert!(!format!("{s:?}").contains("hunter2"));
    assert!(!format!("{s:?}").contains("keypass"));
    let o = parse_options("postgresql://u:hunter2@h/db").expect("parses");
    assert!(!format!("{o:?}").contains("hunter2"));
    assert_eq!(o.redacted(), "user=u password=******** dbname=db host=h");
}

#[test]
fn uri_input_renders_as_keyword_value() {
    assert_eq!(
        ok("postgresql://u@[::1]:5433,h2/db?ssl=true").render(),
        "user=u dbname=db host=::1,h2 port=5433, sslmode=require"
    );
}

#[test]
fn quoting_rules() {
    assert_eq!(quote_value("plain"), "plain");
    assert_eq!(quote_value(""), "''");
    assert_eq!(quote_value("a b"), "'a b'");
    assert_eq!(quote_value("it's"), r"'it\'s'");
    assert_eq!(quote_value(r"c:\x"), r"'c:\\x'");
    assert_eq!(quote_value("tab\there"), "'tab\there'");
    assert_eq!(quote_value("=x"), "=x");
}

#[test]
fn render_of_settings_parses_back_to_equal_settings() {
    for s in [
        "",
        "host=a,b,,c port=1,,3,4 user=u password='x y' dbname=d sslmode=verify-ca sslrootcert=/r",
        r"application_name='it\'s \\ fine' options='-c search_path=a'",
        "postgresql://u:p%20w@[::1]:5/d%2Fb?sslmode=require&sslnegotiation=direct",
        "sslrootcert=system",
        "requiressl=1 connect_timeout=1",
    ] {
        let a = ok(s);
        let b = Settings::from_conninfo(&a.render(), &env()).expect("rendered parses");
        assert_eq!(a, b, "{s:?} -> {:?}", a.render());
        assert_eq!(b.render(), a.render());
    }
}

#[test]
fn fuzz_entry_point_accepts_seeds_and_garbage() {
    for seed in [
        &b"host=a port=5432 sslmode=require"[..],
        b"postgresql://u:p@h:1,h2/db?ssl=true&application_name=%41",
        b"postgresql://[::1",
        b"host='unterminated",
        b"\xff\xfe",
        b"a=\\",
        b"password='\\'' x=",
        b"jdbc:postgresql://h/db?sslmode=require",
        b"Host=h;SSL Mode=Require;Trust Server Certificate=true",
        b"",
        b"=",
        b"postgresql://%",
        b"sslrootcert=system sslmode=verify-full",
    ] {
        fuzzing::parse(seed);
    }
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9._/-]{0,8}",
        "[ -~]{0,12}",
        "[\\\\' a]{0,6}",
        "[^\\x00]{0,6}",
    ]
}

fn keyword() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "host",
        "hostaddr",
        "port",
        "user",
        "password",
        "dbname",
        "sslmode",
        "sslrootcert",
        "application_name",
        "options",
        "sslcert",
        "connect_timeout",
        "sslsni",
        "requiressl",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha, ..ProptestConfig::default() })]

    #[test]
    fn quoted_pairs_parse_to_their_values(pairs in prop::collection::vec((keyword(), value()), 0..6)) {
        let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", quote_value(v))).collect();
        let parsed = parse_options(&text.join(" ")).expect("quoted pairs parse");
        for (k, v) in &pairs {
            if *k == "requiressl" { continue; }
            // The last occurrence wins, unless a later requiressl overwrote sslmode.
            let last = pairs.iter().rev().find(|(k2, _)| k2 == k).map(|(_, v)| v.as_str());
            if *k == "sslmode" && pairs.iter().rposition(|(k2, _)| *k2 == "requiressl") > pairs.iter().rposition(|(k2, _)| *k2 == "sslmode") {
                continue;
            }
            prop_assert_eq!(parsed.get(k), last, "{} in {:?}", k, text);
            let _ = v;
        }
    }

    #[test]
    fn any_text_that_parses_is_stable_through_render(s in "[ -~]{0,40}") {
        fuzzing::parse(s.as_bytes());
    }

    #[test]
    fn any_unicode_text_is_handled(s in "\\PC{0,30}") {
        fuzzing::parse(s.as_bytes());
    }

    #[test]
    fn foreign_looking_text_is_handled(s in "(jdbc:postgresql://|Host=|postgres://u:p@)[A-Za-z0-9 ;=&?:@/,.'\"\\[\\]%-]{0,40}") {
        fuzzing::parse(s.as_bytes());
    }

    #[test]
    fn uri_like_text_is_stable_through_render(s in "postgres(ql)?://[a-z:@/?=&%0-9,\\[\\]]{0,30}") {
        fuzzing::parse(s.as_bytes());
    }
}
