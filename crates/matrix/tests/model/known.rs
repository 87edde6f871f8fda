//! Known cases through the real wire: every disagreement found so far, minimized, and a few
//! corners the generators reach only rarely. Each runs against the probe and (when present)
//! real psql, and both must agree with the reference model. proptest's persisted seeds replay
//! a case only while the strategies stay the same; these stay.

use std::net::{IpAddr, Ipv4Addr};

use pgtls_coordinator::peers;
use pgtls_pki::{Eku, KeyType};

use crate::case::{Answer, Auth, Case, ChannelBinding, Mode, Password, SanFact, Trust};
use crate::examples::{healthy, host};
use crate::harness::{run_probe, run_psql};
use crate::reference::expect;

/// Runs `cases` through the probe and psql; every mismatch is listed in the panic.
fn agree(test: &str, cases: &[Case]) {
    let psql = peers::find_psql();
    if psql.is_none() {
        peers::skip(test, "psql");
    }
    let mut failures = Vec::new();
    for case in cases {
        let expected = expect(case);
        let probe = run_probe(case);
        if probe.outcome != expected.outcome || probe.connections != expected.connections {
            failures.push(format!(
                "probe: {:?} {:?}, model: {:?} ({}) {:?}\n  {case:?}\n  probe message: {}",
                probe.outcome,
                probe.connections,
                expected.outcome,
                expected.reason.unwrap_or("connected"),
                expected.connections,
                probe.message.as_deref().unwrap_or("-")
            ));
        }
        if let Some(psql) = &psql {
            let real = run_psql(case, psql);
            if real.outcome != expected.outcome || real.connections != expected.connections {
                failures.push(format!(
                    "psql: {:?} {:?}, model: {:?} ({}) {:?}\n  {case:?}\n  psql: {}",
                    real.outcome,
                    real.connections,
                    expected.outcome,
                    expected.reason.unwrap_or("connected"),
                    expected.connections,
                    real.message.as_deref().unwrap_or("-")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn stuffed_bytes_after_s_are_an_ordinary_tls_failure_when_the_handshake_fails_first() {
    // Found by the psql differential: the model had stuffed bytes as a hard failure in every
    // case; libpq 15.18 looks at its buffer only after a successful handshake, so prefer falls
    // back to plaintext when verification fails first.
    let mut untrusted_root = healthy().chain;
    untrusted_root.root.is_ca = false;
    let cases = [
        Case {
            answer: Answer::Stuffed,
            chain: untrusted_root,
            auth: Auth::Trust,
            channel_binding: ChannelBinding::Disable,
            ..healthy()
        },
        Case {
            answer: Answer::Stuffed,
            trust: Trust::OtherRoot,
            ..healthy()
        },
        Case {
            answer: Answer::Stuffed,
            ..healthy()
        },
        Case {
            answer: Answer::Stuffed,
            trust: Trust::NoFile,
            sslmode: Mode::Require,
            ..healthy()
        },
    ];
    agree(
        "stuffed_bytes_after_s_are_an_ordinary_tls_failure_when_the_handshake_fails_first",
        &cases,
    );
}

#[test]
fn rare_certificate_corners_agree_with_libpq() {
    let mut ed25519_root = healthy().chain;
    ed25519_root.root.key = KeyType::Ed25519;
    let mut odd_ip = healthy().chain;
    odd_ip.leaf.sans = vec![
        SanFact::RawIp(&[127, 0, 0, 1, 0]),
        SanFact::Dns("db.pgtls.test"),
    ];
    let mut nul = healthy().chain;
    nul.leaf.sans = vec![SanFact::Dns("db.pgtls.test\0.evil.test")];
    let mut ip_wildcard = healthy().chain;
    ip_wildcard.leaf.sans = vec![SanFact::Dns("*.0.0.1")];
    let mut cn_for_ip = healthy().chain;
    cn_for_ip.leaf.cn = Some("127.0.0.1");
    cn_for_ip.leaf.sans = vec![SanFact::Dns("db.pgtls.test")];
    let mut ca_leaf = healthy().chain;
    ca_leaf.leaf.is_ca = true;
    let mut client_eku = healthy().chain;
    client_eku.leaf.eku = Eku::ClientAuth;
    let mut ten = healthy().chain;
    ten.leaf.sans = vec![SanFact::Ip(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))];
    let full = |chain, host_text: &str| Case {
        chain,
        host: host(host_text),
        sslmode: Mode::VerifyFull,
        ..healthy()
    };
    let cases = [
        // SCRAM-SHA-256-PLUS over an Ed25519-signed leaf: no digest, no proof.
        Case {
            chain: ed25519_root.clone(),
            ..healthy()
        },
        Case {
            chain: ed25519_root,
            channel_binding: ChannelBinding::Disable,
            ..healthy()
        },
        full(odd_ip, "db.pgtls.test"),
        full(nul, "db.pgtls.test"),
        full(ip_wildcard, "127.0.0.1"),
        full(cn_for_ip, "127.0.0.1"),
        full(ten, "127.000.000.001"),
        full(ca_leaf, "db.pgtls.test"),
        Case {
            chain: client_eku,
            sslmode: Mode::VerifyCa,
            ..healthy()
        },
        // A wrong password in prefer: the proof goes over TLS, then again in plaintext.
        Case {
            password: Password::Wrong,
            auth: Auth::Md5,
            ..healthy()
        },
    ];
    agree("rare_certificate_corners_agree_with_libpq", &cases);
}
