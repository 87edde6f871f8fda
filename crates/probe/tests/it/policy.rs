//! libpq 15's retry rules and the gate, iterated over the sslmode table. Expectations are
//! written out by hand from libpq-client.md §2 and the observed PG15.18 traces.

use pgtls_conninfo::SslMode;
use pgtls_probe::failure::next_move;
use pgtls_probe::gate::{accept_peer, HostnameCheck, PeerFacts, PinCheck, TlsFacts};
use pgtls_probe::{FailureKind, NextMove};

use NextMove::*;

#[test]
fn failed_tls_handshake_falls_back_to_plaintext_only_for_prefer() {
    let expected = [
        (SslMode::Disable, Stop),
        (SslMode::Allow, Stop),
        (SslMode::Prefer, ReconnectPlaintext),
        (SslMode::Require, Stop),
        (SslMode::VerifyCa, Stop),
        (SslMode::VerifyFull, Stop),
    ];
    for (mode, want) in expected {
        let got = next_move(
            &mode.policy(),
            FailureKind::Handshake,
            None,
            true,
            false,
            false,
        );
        assert_eq!(got, want, "{mode}");
    }
}

#[test]
fn auth_error_over_tls_reconnects_in_plaintext_only_for_prefer() {
    for mode in SslMode::ALL {
        let got = next_move(
            &mode.policy(),
            FailureKind::ServerAuthError,
            Some("28000"),
            true,
            true,
            false,
        );
        let want = if mode == SslMode::Prefer {
            ReconnectPlaintext
        } else {
            Stop
        };
        assert_eq!(got, want, "{mode}");
    }
}

#[test]
fn auth_error_over_plaintext_retries_with_tls_only_for_allow_and_only_once() {
    for mode in SslMode::ALL {
        let got = next_move(
            &mode.policy(),
            FailureKind::ServerAuthError,
            Some("28000"),
            false,
            false,
            false,
        );
        let want = if mode == SslMode::Allow {
            ReconnectTls
        } else {
            Stop
        };
        assert_eq!(got, want, "{mode}");
    }
    // allow's TLS retry answered N, continued in plaintext and failed again: stop.
    let got = next_move(
        &SslMode::Allow.policy(),
        FailureKind::ServerAuthError,
        Some("28000"),
        true,
        false,
        true,
    );
    assert_eq!(got, Stop);
    // prefer: the plaintext reconnection fails too: stop.
    let got = next_move(
        &SslMode::Prefer.policy(),
        FailureKind::ServerAuthError,
        Some("28000"),
        false,
        false,
        true,
    );
    assert_eq!(got, Stop);
}

#[test]
fn cannot_connect_now_skips_to_the_next_host_and_connect_errors_to_the_next_address() {
    for mode in SslMode::ALL {
        let p = mode.policy();
        assert_eq!(
            next_move(
                &p,
                FailureKind::ServerAuthError,
                Some("57P03"),
                true,
                true,
                false
            ),
            NextHost
        );
        assert_eq!(
            next_move(&p, FailureKind::Connect, None, false, false, false),
            NextAddress
        );
        assert_eq!(
            next_move(&p, FailureKind::Timeout, None, true, true, false),
            NextAddress
        );
        // Observed with psql 15.18: E, EOF and junk after SSLRequest end everything.
        assert_eq!(
            next_move(&p, FailureKind::Negotiation, None, true, false, false),
            Stop
        );
        assert_eq!(
            next_move(&p, FailureKind::UnencryptedData, None, true, true, false),
            Stop
        );
    }
}

fn tls(chain_verified: bool, root: bool, hostname: HostnameCheck) -> PeerFacts {
    PeerFacts::Tls(TlsFacts {
        chain_verified: Some(chain_verified),
        root_file_loaded: root,
        hostname,
        unencrypted_data: false,
        pin: PinCheck::NotRequested,
    })
}

#[test]
fn the_gate_accepts_plaintext_only_where_the_mode_allows_it() {
    for (mode, ok) in [
        (SslMode::Disable, true),
        (SslMode::Allow, true),
        (SslMode::Prefer, true),
        (SslMode::Require, false),
        (SslMode::VerifyCa, false),
        (SslMode::VerifyFull, false),
    ] {
        assert_eq!(
            accept_peer(&mode.policy(), false, &PeerFacts::Plaintext).is_ok(),
            ok,
            "{mode}"
        );
    }
}

#[test]
fn the_gate_requires_a_verified_chain_when_a_root_file_exists_or_the_mode_demands_it() {
    let unverified = tls(false, true, HostnameCheck::NotRequired);
    for mode in [
        SslMode::Allow,
        SslMode::Prefer,
        SslMode::Require,
        SslMode::VerifyCa,
    ] {
        assert!(
            accept_peer(&mode.policy(), false, &unverified).is_err(),
            "{mode}"
        );
    }
    let no_root = tls(false, false, HostnameCheck::NotRequired);
    for (mode, ok) in [
        (SslMode::Allow, true),
        (SslMode::Prefer, true),
        (SslMode::Require, true),
        (SslMode::VerifyCa, false),
    ] {
        assert_eq!(
            accept_peer(&mode.policy(), false, &no_root).is_ok(),
            ok,
            "{mode}"
        );
    }
}

#[test]
fn the_gate_checks_the_name_only_for_verify_full_and_never_accepts_pipelined_bytes() {
    let bad_name = tls(
        true,
        true,
        HostnameCheck::Failed("server certificate for \"a\" does not match host name \"b\"".into()),
    );
    assert!(accept_peer(&SslMode::VerifyCa.policy(), false, &bad_name).is_ok());
    let e = accept_peer(&SslMode::VerifyFull.policy(), false, &bad_name).unwrap_err();
    assert_eq!(
        e.message,
        "server certificate for \"a\" does not match host name \"b\""
    );
    let good = tls(true, true, HostnameCheck::Passed);
    assert!(accept_peer(&SslMode::VerifyFull.policy(), false, &good).is_ok());
    let PeerFacts::Tls(mut t) = good else {
        unreachable!()
    };
    t.unencrypted_data = true;
    for mode in [SslMode::Prefer, SslMode::Require, SslMode::VerifyFull] {
        let e = accept_peer(&mode.policy(), false, &PeerFacts::Tls(t.clone())).unwrap_err();
        assert_eq!(e.message, "received unencrypted data after SSL response");
    }
}

#[test]
fn a_pin_is_never_satisfied_by_plaintext_or_a_mismatch() {
    assert!(accept_peer(&SslMode::Prefer.policy(), true, &PeerFacts::Plaintext).is_err());
    let mut t = TlsFacts {
        chain_verified: Some(false),
        root_file_loaded: false,
        hostname: HostnameCheck::NotRequired,
        unencrypted_data: false,
        pin: PinCheck::Mismatched("nope".into()),
    };
    assert!(accept_peer(&SslMode::Require.policy(), true, &PeerFacts::Tls(t.clone())).is_err());
    t.pin = PinCheck::Matched;
    assert!(accept_peer(&SslMode::Require.policy(), true, &PeerFacts::Tls(t)).is_ok());
}
