//! libpq's host-name rules, from PostgreSQL's own regression cases (src/test/ssl/t/001_ssltests.pl,
//! certificates rebuilt with the same names) and the rules of libpq-client.md §5.
//! Every expected message is written out by hand.

use pgtls_probe::verify::{check_hostname, match_hostname};

use super::certgen::{cert, Name};

fn ok(der: &[u8], host: &str) {
    assert_eq!(match_hostname(der, host), Ok(()), "host {host:?}");
}

fn fails(der: &[u8], host: &str, message: &str) {
    assert_eq!(
        match_hostname(der, host),
        Err(message.to_owned()),
        "host {host:?}"
    );
}

#[test]
fn cn_only_certificate_matches_its_cn_and_names_it_in_the_mismatch() {
    let der = cert(&[b"common-name.pg-ssltest.test"], None);
    ok(&der, "common-name.pg-ssltest.test");
    ok(&der, "COMMON-NAME.pg-ssltest.TEST");
    fails(
        &der,
        "wronghost.test",
        "server certificate for \"common-name.pg-ssltest.test\" does not match host name \"wronghost.test\"",
    );
}

#[test]
fn multiple_alt_names_match_each_and_count_the_others() {
    let der = cert(
        &[],
        Some(&[
            Name::Dns(b"dns1.alt-name.pg-ssltest.test"),
            Name::Dns(b"dns2.alt-name.pg-ssltest.test"),
            Name::Dns(b"*.wildcard.pg-ssltest.test"),
        ]),
    );
    ok(&der, "dns1.alt-name.pg-ssltest.test");
    ok(&der, "dns2.alt-name.pg-ssltest.test");
    ok(&der, "foo.wildcard.pg-ssltest.test");
    fails(
        &der,
        "wronghost.alt-name.pg-ssltest.test",
        "server certificate for \"dns1.alt-name.pg-ssltest.test\" (and 2 other names) does not match host name \"wronghost.alt-name.pg-ssltest.test\"",
    );
    fails(
        &der,
        "deep.subdomain.wildcard.pg-ssltest.test",
        "server certificate for \"dns1.alt-name.pg-ssltest.test\" (and 2 other names) does not match host name \"deep.subdomain.wildcard.pg-ssltest.test\"",
    );
}

#[test]
fn single_alt_name_mismatch_has_no_other_names_clause() {
    let der = cert(&[], Some(&[Name::Dns(b"single.alt-name.pg-ssltest.test")]));
    ok(&der, "single.alt-name.pg-ssltest.test");
    fails(
        &der,
        "wronghost.alt-name.pg-ssltest.test",
        "server certificate for \"single.alt-name.pg-ssltest.test\" does not match host name \"wronghost.alt-name.pg-ssltest.test\"",
    );
    fails(
        &der,
        "deep.subdomain.wildcard.pg-ssltest.test",
        "server certificate for \"single.alt-name.pg-ssltest.test\" does not match host name \"deep.subdomain.wildcard.pg-ssltest.test\"",
    );
}

#[test]
fn dns_alt_names_disable_the_cn_for_a_dns_host() {
    let der = cert(
        &[b"common-name.pg-ssltest.test"],
        Some(&[
            Name::Dns(b"dns1.alt-name.pg-ssltest.test"),
            Name::Dns(b"dns2.alt-name.pg-ssltest.test"),
        ]),
    );
    ok(&der, "dns1.alt-name.pg-ssltest.test");
    ok(&der, "dns2.alt-name.pg-ssltest.test");
    fails(
        &der,
        "common-name.pg-ssltest.test",
        "server certificate for \"dns1.alt-name.pg-ssltest.test\" (and 1 other name) does not match host name \"common-name.pg-ssltest.test\"",
    );
}

#[test]
fn certificate_without_names_cannot_match() {
    let der = cert(&[], None);
    fails(
        &der,
        "common-name.pg-ssltest.test",
        "could not get server's host name from server certificate",
    );
    // An empty SAN extension is no better.
    let der = cert(&[], Some(&[]));
    fails(
        &der,
        "common-name.pg-ssltest.test",
        "could not get server's host name from server certificate",
    );
}

#[test]
fn ip_written_as_dns_name_matches_textually() {
    let der = cert(&[], Some(&[Name::Dns(b"192.0.2.1")]));
    ok(&der, "192.0.2.1");
    fails(
        &der,
        "192.000.002.001",
        "server certificate for \"192.0.2.1\" does not match host name \"192.000.002.001\"",
    );
}

#[test]
fn ip_alt_names_compare_as_addresses_in_any_notation() {
    let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let der = cert(&[], Some(&[Name::Ip(&[192, 0, 2, 1]), Name::Ip(&v6)]));
    ok(&der, "192.0.2.1");
    ok(&der, "192.000.002.001");
    ok(&der, "2001:DB8::1");
    ok(&der, "2001:db8:0:0:0:0:0:1");
    ok(&der, "2001:db8::0.0.0.1");
    fails(
        &der,
        "192.0.2.2",
        "server certificate for \"192.0.2.1\" (and 1 other name) does not match host name \"192.0.2.2\"",
    );
    fails(
        &der,
        "192.0.2.1/32",
        "server certificate for \"192.0.2.1\" (and 1 other name) does not match host name \"192.0.2.1/32\"",
    );
    fails(
        &der,
        "::1",
        "server certificate for \"192.0.2.1\" (and 1 other name) does not match host name \"::1\"",
    );
    fails(
        &der,
        "2001:DB8::1/128",
        "server certificate for \"192.0.2.1\" (and 1 other name) does not match host name \"2001:DB8::1/128\"",
    );
}

#[test]
fn ip_alt_names_keep_the_cn_for_dns_hosts() {
    let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let der = cert(
        &[b"common-name.pg-ssltest.test"],
        Some(&[Name::Ip(&[192, 0, 2, 1]), Name::Ip(&v6)]),
    );
    ok(&der, "192.0.2.1");
    ok(&der, "2001:db8::1");
    ok(&der, "common-name.pg-ssltest.test");
}

#[test]
fn ip_in_cn_matches_only_the_same_text() {
    let der = cert(&[b"192.0.2.1"], None);
    ok(&der, "192.0.2.1");
    fails(
        &der,
        "192.000.002.001",
        "server certificate for \"192.0.2.1\" does not match host name \"192.000.002.001\"",
    );
}

#[test]
fn ip_cn_with_dns_alt_names_still_serves_an_ip_host() {
    let der = cert(
        &[b"192.0.2.1"],
        Some(&[
            Name::Dns(b"dns1.alt-name.pg-ssltest.test"),
            Name::Dns(b"dns2.alt-name.pg-ssltest.test"),
        ]),
    );
    ok(&der, "192.0.2.1");
    ok(&der, "dns1.alt-name.pg-ssltest.test");
    ok(&der, "dns2.alt-name.pg-ssltest.test");
}

#[test]
fn ip_cn_is_ignored_when_ip_alt_names_exist() {
    let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let der = cert(
        &[b"192.0.2.2"],
        Some(&[Name::Ip(&[192, 0, 2, 1]), Name::Ip(&v6)]),
    );
    ok(&der, "192.0.2.1");
    ok(&der, "2001:db8::1");
    fails(
        &der,
        "192.0.2.2",
        "server certificate for \"192.0.2.1\" (and 1 other name) does not match host name \"192.0.2.2\"",
    );
}

#[test]
fn wildcard_covers_exactly_one_leftmost_label() {
    let der = cert(&[], Some(&[Name::Dns(b"*.wildcard.x")]));
    ok(&der, "foo.wildcard.x");
    ok(&der, "FOO.Wildcard.X");
    fails(
        &der,
        "wildcard.x",
        "server certificate for \"*.wildcard.x\" does not match host name \"wildcard.x\"",
    );
    fails(
        &der,
        "a.b.wildcard.x",
        "server certificate for \"*.wildcard.x\" does not match host name \"a.b.wildcard.x\"",
    );
    // libpq's dot test skips the last character the `*` covers.
    ok(&der, "a..wildcard.x");
}

#[test]
fn partial_wildcards_never_match() {
    let der = cert(
        &[],
        Some(&[Name::Dns(b"f*.x.test"), Name::Dns(b"*foo.x.test")]),
    );
    fails(
        &der,
        "foo.x.test",
        "server certificate for \"f*.x.test\" (and 1 other name) does not match host name \"foo.x.test\"",
    );
    fails(
        &der,
        "afoo.x.test",
        "server certificate for \"f*.x.test\" (and 1 other name) does not match host name \"afoo.x.test\"",
    );
}

#[test]
fn wildcard_cn_works_when_there_is_no_dns_san() {
    let der = cert(&[b"*.pg-ssltest.test"], None);
    ok(&der, "db.pg-ssltest.test");
}

#[test]
fn trailing_dot_is_not_stripped() {
    let der = cert(&[], Some(&[Name::Dns(b"dns1.example")]));
    fails(
        &der,
        "dns1.example.",
        "server certificate for \"dns1.example\" does not match host name \"dns1.example.\"",
    );
    let der = cert(&[], Some(&[Name::Dns(b"dns1.example.")]));
    fails(
        &der,
        "dns1.example",
        "server certificate for \"dns1.example.\" does not match host name \"dns1.example\"",
    );
}

#[test]
fn embedded_nul_is_an_error_even_before_a_match() {
    let der = cert(
        &[],
        Some(&[Name::Dns(b"evil.test\0.good.test"), Name::Dns(b"good.test")]),
    );
    fails(
        &der,
        "good.test",
        "SSL certificate's name contains embedded null",
    );
    let der = cert(&[b"good.test\0evil"], None);
    fails(
        &der,
        "good.test",
        "SSL certificate's name contains embedded null",
    );
}

#[test]
fn first_match_wins_so_a_later_nul_name_is_never_seen() {
    let der = cert(
        &[],
        Some(&[Name::Dns(b"good.test"), Name::Dns(b"bad\0name")]),
    );
    ok(&der, "good.test");
}

#[test]
fn ip_alt_name_of_odd_length_is_an_error_for_any_host() {
    let der = cert(
        &[],
        Some(&[
            Name::Ip(&[192, 0, 2, 1, 255, 255, 255, 0]),
            Name::Dns(b"x.test"),
        ]),
    );
    fails(
        &der,
        "x.test",
        "certificate contains IP address with invalid length 8",
    );
    fails(
        &der,
        "192.0.2.1",
        "certificate contains IP address with invalid length 8",
    );
}

#[test]
fn ip_alt_names_count_for_a_dns_host_and_are_printed_as_addresses() {
    let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let der = cert(
        &[b"ignored.test"],
        Some(&[Name::Ip(&v6), Name::Dns(b"a.test")]),
    );
    fails(
        &der,
        "b.test",
        "server certificate for \"2001:db8::1\" (and 1 other name) does not match host name \"b.test\"",
    );
}

#[test]
fn other_alt_name_kinds_are_not_examined_and_keep_the_cn() {
    let der = cert(&[b"cn.test"], Some(&[Name::Email(b"dba@cn.test")]));
    ok(&der, "cn.test");
    fails(
        &der,
        "other.test",
        "server certificate for \"cn.test\" does not match host name \"other.test\"",
    );
}

#[test]
fn only_the_first_cn_counts() {
    let der = cert(&[b"first.test", b"second.test"], None);
    ok(&der, "first.test");
    fails(
        &der,
        "second.test",
        "server certificate for \"first.test\" does not match host name \"second.test\"",
    );
}

#[test]
fn inet_aton_forms_classify_the_host_as_an_ip() {
    let der = cert(&[b"cn.test"], Some(&[Name::Ip(&[127, 0, 0, 1])]));
    for host in [
        "127.0.0.1",
        "127.1",
        "0x7f.1",
        "0177.0.0.1",
        "2130706433",
        "127.0.0.1 x",
    ] {
        ok(&der, host);
        assert!(check_hostname(&der, host).host_is_ip, "{host}");
    }
    // A DNS host keeps the CN even though an IP SAN exists.
    ok(&der, "cn.test");
    assert!(!check_hostname(&der, "cn.test").host_is_ip);
}

#[test]
fn empty_host_is_refused_like_libpq() {
    let der = cert(&[b"cn.test"], None);
    fails(
        &der,
        "",
        "host name must be specified for a verified SSL connection",
    );
}

#[test]
fn garbage_certificate_has_no_names() {
    fails(
        b"not a certificate",
        "db.test",
        "could not get server's host name from server certificate",
    );
}
