//! The sslmode table, row by row, against libpq-client.md §2 (written out by hand).

use pgtls_conninfo::{Policy, SslMode, Transport, VerifyChain, POLICY_TABLE};
use pretty_assertions::assert_eq;

/// (mode, first, second, plaintext allowed, N→plaintext, TLS failure→plaintext,
///  plaintext auth failure→TLS, chain, host)
type Expected = (
    SslMode,
    Transport,
    Option<Transport>,
    bool,
    bool,
    bool,
    bool,
    VerifyChain,
    bool,
);

const EXPECTED: [Expected; 6] = [
    (
        SslMode::Disable,
        Transport::Plaintext,
        None,
        true,
        false,
        false,
        false,
        VerifyChain::Never,
        false,
    ),
    (
        SslMode::Allow,
        Transport::Plaintext,
        Some(Transport::Tls),
        true,
        true,
        false,
        true,
        VerifyChain::IfRootFile,
        false,
    ),
    (
        SslMode::Prefer,
        Transport::Tls,
        Some(Transport::Plaintext),
        true,
        true,
        true,
        false,
        VerifyChain::IfRootFile,
        false,
    ),
    (
        SslMode::Require,
        Transport::Tls,
        None,
        false,
        false,
        false,
        false,
        VerifyChain::IfRootFile,
        false,
    ),
    (
        SslMode::VerifyCa,
        Transport::Tls,
        None,
        false,
        false,
        false,
        false,
        VerifyChain::Always,
        false,
    ),
    (
        SslMode::VerifyFull,
        Transport::Tls,
        None,
        false,
        false,
        false,
        false,
        VerifyChain::Always,
        true,
    ),
];

fn summary(p: &Policy) -> Expected {
    (
        p.mode,
        p.first_transport,
        p.second_transport,
        p.plaintext_allowed,
        p.plaintext_after_refusal,
        p.plaintext_after_tls_failure,
        p.tls_after_plaintext_failure,
        p.verify_chain,
        p.verify_hostname,
    )
}

#[test]
fn each_mode_has_libpq_15s_row() {
    for (mode, expected) in SslMode::ALL.into_iter().zip(EXPECTED) {
        assert_eq!(summary(&mode.policy()), expected, "{mode}");
    }
}

#[test]
fn the_table_is_in_mode_order_and_every_row_names_its_mode() {
    let modes: Vec<SslMode> = POLICY_TABLE.iter().map(|p| p.mode).collect();
    assert_eq!(modes, SslMode::ALL.to_vec());
}

#[test]
fn tls_is_allowed_in_every_mode_but_disable() {
    let allowed: Vec<bool> = SslMode::ALL
        .iter()
        .map(|m| m.policy().tls_allowed)
        .collect();
    assert_eq!(allowed, vec![false, true, true, true, true, true]);
}

#[test]
fn libpq_17_no_longer_accepts_n_on_allows_tls_retry() {
    assert!(SslMode::Allow.policy_for(16).plaintext_after_refusal);
    assert!(!SslMode::Allow.policy_for(17).plaintext_after_refusal);
    assert!(SslMode::Prefer.policy_for(17).plaintext_after_refusal);
    assert_eq!(
        SslMode::VerifyFull.policy_for(17),
        SslMode::VerifyFull.policy()
    );
}

#[test]
fn names_round_trip() {
    let names: Vec<&str> = SslMode::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full"
        ]
    );
    for m in SslMode::ALL {
        assert_eq!(m.as_str().parse::<SslMode>().ok(), Some(m));
        assert_eq!(m.to_string(), m.as_str());
    }
    assert_eq!(
        "required".parse::<SslMode>().map_err(|e| e.to_string()),
        Err(r#"invalid sslmode value: "required""#.to_owned())
    );
}
