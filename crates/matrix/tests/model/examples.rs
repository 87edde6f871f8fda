//! Hand-written cases that pin the reference model to the reference notes
//! (`shared/reference/libpq-client.md`): each expectation is copied from the notes, not
//! computed. They run without a network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use pgtls_pki::{Eku, KeyType};

use crate::case::{
    Answer, Auth, CaFacts, Case, ChainFacts, ChannelBinding, HbaLine, Host, LeafFacts, Mode, Order,
    Password, RootLocation, SanFact, Trust, Validity, HOSTS,
};
use crate::reference::{expect, host_matches, name_matches, Connection, Outcome, Secret, Wire};

const VALID: Validity = Validity {
    not_before_h: -24,
    not_after_h: 2160,
};
const EXPIRED: Validity = Validity {
    not_before_h: -720,
    not_after_h: -24,
};

pub fn host(text: &str) -> Host {
    *HOSTS
        .iter()
        .find(|h| h.text == text)
        .unwrap_or_else(|| panic!("{text} is not in HOSTS"))
}

/// A healthy server (root → leaf for db.pgtls.test, SCRAM, `host` line) and a client that
/// trusts its root and uses the right host name, in `prefer` mode.
pub fn healthy() -> Case {
    Case {
        chain: ChainFacts {
            root: CaFacts {
                key: KeyType::EcdsaP256,
                validity: VALID,
                is_ca: true,
            },
            intermediates: Vec::new(),
            leaf: LeafFacts {
                key: KeyType::EcdsaP256,
                validity: VALID,
                cn: Some("db.pgtls.test"),
                sans: vec![SanFact::Dns("db.pgtls.test")],
                eku: Eku::RoleDefault,
                is_ca: false,
            },
            order: Order::LeafFirst,
            send_root: false,
        },
        answer: Answer::S,
        hba: HbaLine::Host,
        auth: Auth::Scram,
        host: host("db.pgtls.test"),
        trust: Trust::Root,
        root_location: RootLocation::Sslrootcert,
        password: Password::Correct,
        sslmode: Mode::Prefer,
        channel_binding: ChannelBinding::Prefer,
    }
}

fn ssl_request(exposure: Option<(Secret, Wire)>) -> Connection {
    Connection {
        ssl_request: true,
        exposure,
    }
}

fn plaintext_startup(exposure: Option<(Secret, Wire)>) -> Connection {
    Connection {
        ssl_request: false,
        exposure,
    }
}

const PROOF_TLS: Option<(Secret, Wire)> = Some((Secret::ScramProof, Wire::Tls));
const PROOF_PLAIN: Option<(Secret, Wire)> = Some((Secret::ScramProof, Wire::Plaintext));

#[test]
fn allow_with_a_hostssl_line_retries_with_ssl_after_the_plaintext_fatal() {
    // libpq_encryption trace: connect, authfail, reconnect, sslaccept, authok -> ssl.
    let case = Case {
        sslmode: Mode::Allow,
        hba: HbaLine::HostSsl,
        ..healthy()
    };
    let e = expect(&case);
    assert_eq!(e.outcome, Outcome::Tls);
    assert_eq!(
        e.connections,
        [plaintext_startup(None), ssl_request(PROOF_TLS)]
    );
}

#[test]
fn prefer_with_a_hostnossl_line_reconnects_in_plaintext_after_the_ssl_fatal() {
    // connect, sslaccept, authfail, reconnect, authok -> plain.
    let case = Case {
        hba: HbaLine::HostNoSsl,
        ..healthy()
    };
    let e = expect(&case);
    assert_eq!(e.outcome, Outcome::Plaintext);
    assert_eq!(
        e.connections,
        [ssl_request(None), plaintext_startup(PROOF_PLAIN)]
    );
}

#[test]
fn require_with_a_hostnossl_line_fails_without_retrying() {
    let case = Case {
        sslmode: Mode::Require,
        hba: HbaLine::HostNoSsl,
        ..healthy()
    };
    let e = expect(&case);
    assert_eq!(e.outcome, Outcome::Rejected);
    assert_eq!(e.connections, [ssl_request(None)]);
}

#[test]
fn n_continues_in_plaintext_on_the_same_connection_for_prefer_and_fails_for_require() {
    let prefer = Case {
        answer: Answer::N,
        ..healthy()
    };
    let e = expect(&prefer);
    assert_eq!(e.outcome, Outcome::Plaintext);
    assert_eq!(e.connections, [ssl_request(PROOF_PLAIN)]);
    for mode in [Mode::Require, Mode::VerifyCa, Mode::VerifyFull] {
        let e = expect(&Case {
            sslmode: mode,
            ..prefer.clone()
        });
        assert_eq!(e.outcome, Outcome::Rejected, "{mode:?}");
        assert!(!e.password_reaches_server());
    }
}

#[test]
fn allow_accepts_n_on_its_ssl_retry_in_libpq_15() {
    // PG15: allow → plaintext attempt, reconnect, SSLRequest, `N`, plaintext startup again.
    let case = Case {
        sslmode: Mode::Allow,
        answer: Answer::N,
        hba: HbaLine::HostSsl,
        ..healthy()
    };
    let e = expect(&case);
    assert_eq!(
        e.outcome,
        Outcome::Rejected,
        "the second plaintext startup hits hostssl too"
    );
    assert_eq!(e.connections, [plaintext_startup(None), ssl_request(None)]);
}

#[test]
fn prefer_with_a_root_file_falls_back_to_plaintext_when_verification_fails() {
    let case = Case {
        trust: Trust::OtherRoot,
        ..healthy()
    };
    let e = expect(&case);
    assert_eq!(e.outcome, Outcome::Plaintext);
    assert_eq!(
        e.connections,
        [ssl_request(None), plaintext_startup(PROOF_PLAIN)]
    );
}

#[test]
fn require_verifies_the_chain_only_when_a_root_file_exists() {
    let untrusted = Case {
        sslmode: Mode::Require,
        trust: Trust::OtherRoot,
        ..healthy()
    };
    assert_eq!(expect(&untrusted).outcome, Outcome::Rejected);
    let no_file = Case {
        trust: Trust::NoFile,
        ..untrusted.clone()
    };
    assert_eq!(expect(&no_file).outcome, Outcome::Tls);
    let expired_without_file = Case {
        chain: ChainFacts {
            leaf: LeafFacts {
                validity: EXPIRED,
                ..healthy().chain.leaf
            },
            ..healthy().chain
        },
        ..no_file
    };
    assert_eq!(expect(&expired_without_file).outcome, Outcome::Tls);
}

#[test]
fn verify_ca_without_a_root_file_fails_after_sslrequest() {
    let case = Case {
        sslmode: Mode::VerifyCa,
        trust: Trust::NoFile,
        ..healthy()
    };
    let e = expect(&case);
    assert_eq!(e.outcome, Outcome::Rejected);
    assert_eq!(e.connections, [ssl_request(None)]);
}

#[test]
fn a_root_file_holding_only_the_intermediate_fails_and_root_plus_intermediate_works() {
    let mut chain = healthy().chain;
    chain.intermediates.push(CaFacts {
        key: KeyType::EcdsaP384,
        validity: VALID,
        is_ca: true,
    });
    let base = Case {
        chain,
        sslmode: Mode::VerifyCa,
        ..healthy()
    };
    let only_intermediate = Case {
        trust: Trust::IssuerOnly,
        ..base.clone()
    };
    assert_eq!(expect(&only_intermediate).outcome, Outcome::Rejected);
    let both = Case {
        trust: Trust::RootAndIntermediates,
        ..base.clone()
    };
    assert_eq!(expect(&both).outcome, Outcome::Tls);
    let missing_intermediate = Case {
        chain: ChainFacts {
            order: Order::LeafOnly,
            ..base.chain.clone()
        },
        ..base.clone()
    };
    assert_eq!(expect(&missing_intermediate).outcome, Outcome::Rejected);
    let several_roots = Case {
        trust: Trust::OtherRootThenRoot,
        ..base
    };
    assert_eq!(expect(&several_roots).outcome, Outcome::Tls);
}

#[test]
fn e_close_garbage_and_stuffed_bytes_after_a_good_handshake_are_hard_failures_even_for_prefer() {
    for answer in [Answer::E, Answer::Close, Answer::Garbage, Answer::Stuffed] {
        let e = expect(&Case {
            answer,
            ..healthy()
        });
        assert_eq!(e.outcome, Outcome::Rejected, "{answer:?}");
        assert_eq!(e.connections, [ssl_request(None)], "{answer:?}");
    }
    // Stuffed bytes are noticed only once the handshake succeeded: a handshake refused first
    // (here an untrusted root) is an ordinary TLS failure, and prefer retries in plaintext.
    let stuffed_untrusted = expect(&Case {
        answer: Answer::Stuffed,
        trust: Trust::OtherRoot,
        ..healthy()
    });
    assert_eq!(stuffed_untrusted.outcome, Outcome::Plaintext);
    // allow never sends SSLRequest while the plaintext try works.
    let allow = expect(&Case {
        answer: Answer::E,
        sslmode: Mode::Allow,
        ..healthy()
    });
    assert_eq!(allow.outcome, Outcome::Plaintext);
}

#[test]
fn a_wrong_password_over_tls_in_prefer_is_sent_again_in_plaintext() {
    let case = Case {
        password: Password::Wrong,
        ..healthy()
    };
    let e = expect(&case);
    assert_eq!(e.outcome, Outcome::Rejected);
    assert_eq!(
        e.connections,
        [ssl_request(PROOF_TLS), plaintext_startup(PROOF_PLAIN)]
    );
}

#[test]
fn channel_binding_require_refuses_trust_cleartext_and_plaintext_scram() {
    let require = Case {
        channel_binding: ChannelBinding::Require,
        ..healthy()
    };
    assert_eq!(expect(&require).outcome, Outcome::Tls);
    for auth in [Auth::Trust, Auth::Cleartext, Auth::Md5] {
        let e = expect(&Case {
            auth,
            ..require.clone()
        });
        assert_eq!(e.outcome, Outcome::Rejected, "{auth:?}");
        assert!(!e.password_reaches_server(), "{auth:?}");
    }
    // allow starts in plaintext; SCRAM there is a client-side error, never retried.
    let allow = expect(&Case {
        sslmode: Mode::Allow,
        ..require
    });
    assert_eq!(allow.outcome, Outcome::Rejected);
    assert_eq!(allow.connections, [plaintext_startup(None)]);
}

#[test]
fn scram_plus_over_an_ed25519_signed_leaf_fails_before_the_proof() {
    let mut chain = healthy().chain;
    chain.root.key = KeyType::Ed25519;
    let case = Case { chain, ..healthy() };
    let e = expect(&case);
    assert_eq!(e.outcome, Outcome::Rejected);
    assert!(!e.password_reaches_server());
    let without_binding = Case {
        channel_binding: ChannelBinding::Disable,
        ..case
    };
    assert_eq!(expect(&without_binding).outcome, Outcome::Tls);
}

#[test]
fn wildcards_cover_exactly_one_leftmost_label_case_insensitively() {
    assert_eq!(name_matches("*.wildcard.x", "foo.wildcard.x"), Some(true));
    assert_eq!(name_matches("*.WILDCARD.x", "Foo.wildcard.X"), Some(true));
    assert_eq!(name_matches("*.wildcard.x", "wildcard.x"), Some(false));
    assert_eq!(name_matches("*.wildcard.x", "a.b.wildcard.x"), Some(false));
    assert_eq!(name_matches("f*.x", "foo.x"), Some(false));
    assert_eq!(name_matches("*foo.x", "afoo.x"), Some(false));
    assert_eq!(name_matches("dns1.example", "dns1.example."), Some(false));
    assert_eq!(name_matches("DNS1.example", "dns1.EXAMPLE"), Some(true));
}

fn leaf_with(cn: Option<&'static str>, sans: Vec<SanFact>) -> ChainFacts {
    let mut chain = healthy().chain;
    chain.leaf.cn = cn;
    chain.leaf.sans = sans;
    chain
}

#[test]
fn the_cn_is_checked_only_without_a_san_of_the_hosts_kind() {
    let dns_san = SanFact::Dns("other.pgtls.test");
    let ip_san = SanFact::Ip(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    // DNS host: a dNSName SAN hides the CN, an iPAddress SAN does not.
    assert!(!host_matches(
        &leaf_with(Some("db.pgtls.test"), vec![dns_san]),
        &host("db.pgtls.test")
    ));
    assert!(host_matches(
        &leaf_with(Some("db.pgtls.test"), vec![ip_san]),
        &host("db.pgtls.test")
    ));
    // IP host: an iPAddress SAN hides the CN, a dNSName SAN does not.
    assert!(host_matches(
        &leaf_with(Some("127.0.0.1"), vec![dns_san]),
        &host("127.0.0.1")
    ));
    assert!(!host_matches(
        &leaf_with(Some("127.0.0.1"), vec![ip_san]),
        &host("127.0.0.1")
    ));
    // The CN is compared as text.
    assert!(!host_matches(
        &leaf_with(Some("127.0.0.1"), vec![]),
        &host("127.000.000.001")
    ));
    assert!(!host_matches(
        &leaf_with(None, vec![]),
        &host("db.pgtls.test")
    ));
}

#[test]
fn a_name_with_an_embedded_nul_or_an_ip_of_odd_length_ends_the_scan_unmatched() {
    assert_eq!(
        name_matches("db.pgtls.test\0.evil.test", "db.pgtls.test"),
        None
    );
    let odd = SanFact::RawIp(&[127, 0, 0, 1, 0]);
    let good = SanFact::Dns("db.pgtls.test");
    assert!(!host_matches(
        &leaf_with(Some("db.pgtls.test"), vec![odd, good]),
        &host("db.pgtls.test")
    ));
    assert!(host_matches(
        &leaf_with(None, vec![good, odd]),
        &host("db.pgtls.test")
    ));
    let nul = SanFact::Dns("db.pgtls.test\0.evil.test");
    assert!(!host_matches(
        &leaf_with(None, vec![nul, good]),
        &host("db.pgtls.test")
    ));
}

#[test]
fn ip_sans_compare_addresses_and_dns_sans_compare_text() {
    let v4 = SanFact::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let v6 = SanFact::Ip(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)));
    assert!(host_matches(
        &leaf_with(None, vec![v4]),
        &host("127.000.000.001")
    ));
    assert!(host_matches(
        &leaf_with(None, vec![v6]),
        &host("2001:DB8:0:0:0:0:0:1")
    ));
    assert!(!host_matches(&leaf_with(None, vec![v4]), &host("::1")));
    let ip_as_dns = SanFact::Dns("127.0.0.1");
    assert!(host_matches(
        &leaf_with(None, vec![ip_as_dns]),
        &host("127.0.0.1")
    ));
    assert!(!host_matches(
        &leaf_with(None, vec![ip_as_dns]),
        &host("127.000.000.001")
    ));
    // libpq's wildcard rule is textual, so it even covers the first part of an IP.
    assert!(host_matches(
        &leaf_with(None, vec![SanFact::Dns("*.0.0.1")]),
        &host("127.0.0.1")
    ));
}
