//! Keyword/value strings, read byte for byte as libpq's `conninfo_parse`.

use pretty_assertions::assert_eq;

use crate::util::{err, opts, pairs};

#[test]
fn plain_pairs_are_read_in_any_order_and_listed_in_libpq_order() {
    assert_eq!(
        opts("sslmode=require host=db.example.com user=alice"),
        pairs(&[
            ("user", "alice"),
            ("host", "db.example.com"),
            ("sslmode", "require")
        ])
    );
}

#[test]
fn whitespace_around_the_equals_sign_is_allowed() {
    assert_eq!(
        opts("  host =  db   port\t=\n5433  "),
        pairs(&[("host", "db"), ("port", "5433")])
    );
}

#[test]
fn single_quotes_keep_spaces_and_backslash_escapes_quote_and_backslash() {
    assert_eq!(
        opts(r"password='with spaces \' and \\ backslash' dbname=x"),
        pairs(&[
            ("password", r"with spaces ' and \ backslash"),
            ("dbname", "x")
        ])
    );
}

#[test]
fn unquoted_values_take_backslash_escapes_too() {
    assert_eq!(opts(r"dbname=a\ b\\c"), pairs(&[("dbname", r"a b\c")]));
}

#[test]
fn a_quote_inside_an_unquoted_value_is_literal() {
    assert_eq!(opts("dbname=it's"), pairs(&[("dbname", "it's")]));
}

#[test]
fn a_trailing_backslash_is_dropped() {
    assert_eq!(opts("dbname=abc\\"), pairs(&[("dbname", "abc")]));
}

#[test]
fn empty_quoted_value_is_an_empty_string() {
    assert_eq!(
        opts("host='' port=1"),
        pairs(&[("host", ""), ("port", "1")])
    );
}

#[test]
fn a_closing_quote_may_be_followed_directly_by_the_next_keyword() {
    assert_eq!(
        opts("host='a'port=5"),
        pairs(&[("host", "a"), ("port", "5")])
    );
}

#[test]
fn an_empty_value_followed_by_a_space_swallows_the_next_pair() {
    // libpq skips blanks after '=', so the value is "port=5432" (psql: could not translate
    // host name "port=5432").
    assert_eq!(opts("host= port=5432"), pairs(&[("host", "port=5432")]));
}

#[test]
fn a_later_value_replaces_an_earlier_one() {
    assert_eq!(
        opts("sslmode=disable sslmode=verify-full"),
        pairs(&[("sslmode", "verify-full")])
    );
}

#[test]
fn requiressl_1_becomes_sslmode_require_and_anything_else_prefer() {
    assert_eq!(opts("requiressl=1"), pairs(&[("sslmode", "require")]));
    assert_eq!(opts("requiressl=10"), pairs(&[("sslmode", "require")]));
    assert_eq!(opts("requiressl=0"), pairs(&[("sslmode", "prefer")]));
    assert_eq!(opts("requiressl=yes"), pairs(&[("sslmode", "prefer")]));
    assert_eq!(
        opts("requiressl=1 sslmode=disable"),
        pairs(&[("sslmode", "disable")])
    );
}

#[test]
fn an_empty_string_has_no_options() {
    assert_eq!(opts(""), pairs(&[]));
    assert_eq!(opts(" \t\n "), pairs(&[]));
}

#[test]
fn text_after_a_nul_is_ignored_as_in_c() {
    assert_eq!(opts("host=a\0 port=9"), pairs(&[("host", "a")]));
}

#[test]
fn utf8_values_survive() {
    assert_eq!(
        opts("dbname='base ünïcødé'"),
        pairs(&[("dbname", "base ünïcødé")])
    );
}

#[test]
fn a_word_without_equals_is_missing_equals() {
    assert_eq!(
        err("host"),
        r#"missing "=" after "host" in connection info string"#
    );
    assert_eq!(
        err("host=a foo bar=b"),
        r#"missing "=" after "foo" in connection info string"#
    );
}

#[test]
fn an_empty_keyword_is_an_invalid_option() {
    assert_eq!(err("=x"), r#"invalid connection option """#);
}

#[test]
fn an_unterminated_quote_is_reported() {
    assert_eq!(
        err("host='db port=5432"),
        "unterminated quoted string in connection info string"
    );
    assert_eq!(
        err(r"host='ends with escaped quote\'"),
        "unterminated quoted string in connection info string"
    );
}

#[test]
fn unknown_keywords_are_invalid_connection_options() {
    assert_eq!(err("foo=bar"), r#"invalid connection option "foo""#);
    assert_eq!(err("Host=db"), r#"invalid connection option "Host""#);
    assert_eq!(err("ssl=true"), r#"invalid connection option "ssl""#);
}

#[test]
fn newer_keywords_are_accepted() {
    assert_eq!(
        opts(
            "sslnegotiation=direct sslcertmode=require require_auth=scram-sha-256 sslmode=require"
        ),
        pairs(&[
            ("sslmode", "require"),
            ("sslnegotiation", "direct"),
            ("sslcertmode", "require"),
            ("require_auth", "scram-sha-256"),
        ])
    );
}
