//! URIs, read as libpq's `conninfo_uri_parse_options` / `_params` / `_decode`.

use pretty_assertions::assert_eq;

use crate::util::{err, ok, opts, pairs};

#[test]
fn both_prefixes_are_uris_and_case_matters() {
    assert_eq!(opts("postgresql://db"), pairs(&[("host", "db")]));
    assert_eq!(opts("postgres://db"), pairs(&[("host", "db")]));
    assert_eq!(
        err("POSTGRESQL://db"),
        r#"missing "=" after "POSTGRESQL://db" in connection info string"#
    );
}

#[test]
fn user_password_host_port_dbname_and_params() {
    assert_eq!(
        opts("postgresql://alice:s3cret@db.example.com:5433/app?sslmode=verify-full&application_name=x"),
        pairs(&[
            ("user", "alice"),
            ("password", "s3cret"),
            ("dbname", "app"),
            ("host", "db.example.com"),
            ("port", "5433"),
            ("application_name", "x"),
            ("sslmode", "verify-full"),
        ])
    );
}

#[test]
fn empty_parts_are_not_set() {
    assert_eq!(opts("postgresql://"), pairs(&[]));
    assert_eq!(opts("postgresql:///"), pairs(&[]));
    assert_eq!(opts("postgresql://@/"), pairs(&[]));
    assert_eq!(opts("postgresql://:@h/"), pairs(&[("host", "h")]));
    assert_eq!(opts("postgresql:///db"), pairs(&[("dbname", "db")]));
}

#[test]
fn several_hosts_keep_their_ports_in_step() {
    assert_eq!(
        opts("postgresql://h1:5432,h2,h3:5434/db"),
        pairs(&[
            ("dbname", "db"),
            ("host", "h1,h2,h3"),
            ("port", "5432,,5434")
        ])
    );
    let s = ok("postgresql://h1:5433,h2/db");
    let hosts: Vec<(Option<&str>, u16)> = s
        .hosts
        .iter()
        .map(|h| (h.host.as_deref(), h.port))
        .collect();
    assert_eq!(hosts, vec![(Some("h1"), 5433), (Some("h2"), 5432)]);
}

#[test]
fn ipv6_literals_lose_their_brackets() {
    assert_eq!(
        opts("postgresql://[::1]:5433,[2001:db8::2]/db"),
        pairs(&[
            ("dbname", "db"),
            ("host", "::1,2001:db8::2"),
            ("port", "5433,")
        ])
    );
    assert_eq!(
        opts("postgresql://[fe80::1%25eth0]"),
        pairs(&[("host", "fe80::1%eth0")])
    );
}

#[test]
fn percent_decoding_applies_to_every_part_and_plus_stays_plus() {
    assert_eq!(
        opts("postgresql://us%40er:p%40ss%3Aword@%2Fvar%2Frun%2Fpostgresql/my%20db?application_name=a+b%26c"),
        pairs(&[
            ("user", "us@er"),
            ("password", "p@ss:word"),
            ("dbname", "my db"),
            ("host", "/var/run/postgresql"),
            ("application_name", "a+b&c"),
        ])
    );
}

#[test]
fn an_encoded_comma_in_the_host_splits_hosts() {
    assert_eq!(opts("postgresql://a%2Cb"), pairs(&[("host", "a,b")]));
}

#[test]
fn query_parameters_override_the_authority() {
    assert_eq!(
        opts("postgresql://h/db?host=other&dbname=d2&port=7"),
        pairs(&[("dbname", "d2"), ("host", "other"), ("port", "7")])
    );
}

#[test]
fn an_at_sign_in_the_query_is_read_as_credentials_like_libpq() {
    // libpq looks for '@' before the first '/', not before '?'.
    assert_eq!(
        opts("postgresql://h?user=a@b"),
        pairs(&[("user", "h?user=a"), ("host", "b")])
    );
}

#[test]
fn ssl_true_becomes_sslmode_require() {
    assert_eq!(
        opts("postgresql://h?ssl=true"),
        pairs(&[("host", "h"), ("sslmode", "require")])
    );
    assert_eq!(
        ok("postgresql://h?ssl=true").sslmode,
        pgtls_conninfo::SslMode::Require
    );
}

#[test]
fn ssl_anything_else_is_an_invalid_uri_query_parameter() {
    assert_eq!(
        err("postgresql://h?ssl=false"),
        r#"invalid URI query parameter: "ssl""#
    );
    assert_eq!(
        err("postgresql://h?ssl=1"),
        r#"invalid URI query parameter: "ssl""#
    );
    assert_eq!(
        err("postgresql://h?ssl=TRUE"),
        r#"invalid URI query parameter: "ssl""#
    );
}

#[test]
fn requiressl_in_a_uri_is_translated_too() {
    assert_eq!(
        opts("postgresql://h?requiressl=1"),
        pairs(&[("host", "h"), ("sslmode", "require")])
    );
}

#[test]
fn unknown_parameters_are_rejected_with_their_decoded_name() {
    assert_eq!(
        err("postgresql://h?x=1"),
        r#"invalid URI query parameter: "x""#
    );
    assert_eq!(
        err("postgresql://h?sslfactory%3D=1"),
        r#"invalid URI query parameter: "sslfactory=""#
    );
}

#[test]
fn query_syntax_errors() {
    assert_eq!(
        err("postgresql://h?a=b=c"),
        r#"extra key/value separator "=" in URI query parameter: "a""#
    );
    assert_eq!(
        err("postgresql://h?abc"),
        r#"missing key/value separator "=" in URI query parameter: "abc""#
    );
    assert_eq!(
        opts("postgresql://h?sslmode=require&"),
        pairs(&[("host", "h"), ("sslmode", "require")])
    );
    assert_eq!(
        err("postgresql://h?&sslmode=require"),
        r#"missing key/value separator "=" in URI query parameter: """#
    );
}

#[test]
fn bad_percent_encoding_names_the_token() {
    assert_eq!(
        err("postgresql://h/d%zzb"),
        r#"invalid percent-encoded token: "d%zzb""#
    );
    assert_eq!(
        err("postgresql://h/db%4"),
        r#"invalid percent-encoded token: "db%4""#
    );
    assert_eq!(
        err("postgresql://h?a=%00"),
        r#"forbidden value %00 in percent-encoded value: "%00""#
    );
}

#[test]
fn a_bad_password_token_is_not_echoed() {
    // libpq prints the token; pgtls never prints a password.
    assert_eq!(
        err("postgresql://u:se%zzcret@h"),
        r#"invalid percent-encoded token: "********""#
    );
    assert_eq!(
        err("postgresql://h?password=a%0"),
        r#"invalid percent-encoded token: "********""#
    );
}

#[test]
fn ipv6_syntax_errors_quote_the_uri_without_its_password() {
    assert_eq!(
        err("postgresql://[::1"),
        r#"end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://[::1""#
    );
    assert_eq!(
        err("postgresql://[]/db"),
        r#"IPv6 host address may not be empty in URI: "postgresql://[]/db""#
    );
    assert_eq!(
        err("postgresql://[::1]x/db"),
        r#"unexpected character "x" at position 19 in URI (expected ":" or "/"): "postgresql://[::1]x/db""#
    );
    assert_eq!(
        err("postgresql://u:pw@[::1"),
        r#"end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://u:********@[::1""#
    );
}

#[test]
fn percent_encoded_bytes_that_are_not_utf8_are_replaced() {
    assert_eq!(
        opts("postgresql://h/%ff"),
        pairs(&[("dbname", "\u{fffd}"), ("host", "h")])
    );
}
