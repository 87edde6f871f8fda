//! Entry points for fuzz targets: arbitrary server bytes against the sans-I/O negotiation and
//! authentication machine, asserting the invariant that no secret is emitted unless the policy
//! accepted the peer.

use pgtls_conninfo::{ChannelBindingMode, RequireAuth, SslMode, VerifyChain};

use crate::auth::AuthConfig;
use crate::gate::{AcceptedTransport, HostnameCheck, PinCheck, TlsFacts};
use crate::machine::{ConvConfig, Conversation, OutKind, Start, Step};
use crate::Secret;

/// An independent statement of when the peer may be trusted with secrets (not the gate's code).
fn may_receive_secrets(mode: SslMode, tls: Option<&TlsFacts>) -> bool {
    let p = mode.policy();
    match tls {
        None => p.plaintext_allowed,
        Some(t) => {
            let verify = match p.verify_chain {
                VerifyChain::Never => false,
                VerifyChain::IfRootFile => t.root_file_loaded,
                VerifyChain::Always => true,
            };
            (!verify || t.chain_verified == Some(true))
                && (!p.verify_hostname || t.hostname == HostnameCheck::Passed)
                && !t.unencrypted_data
        }
    }
}

/// Feeds `data` to a [`Conversation`]: the first bytes choose the sslmode, the start, the
/// channel_binding mode and the TLS facts; the rest are the server's bytes, cut into reads.
/// Panics if a password, hash or SCRAM message is emitted to a peer the policy did not accept.
pub fn negotiation_and_auth(data: &[u8]) {
    let mut it = data.iter().copied();
    let mut next = || it.next().unwrap_or(0);
    let mode = SslMode::ALL[usize::from(next()) % 6];
    let policy = mode.policy();
    let start = match next() % 3 {
        0 => Start::SslRequest,
        1 => Start::DirectTls,
        _ => Start::Plaintext,
    };
    let cb = match next() % 3 {
        0 => ChannelBindingMode::Disable,
        1 => ChannelBindingMode::Prefer,
        _ => ChannelBindingMode::Require,
    };
    let flags = next();
    let facts = TlsFacts {
        chain_verified: Some(flags & 1 != 0),
        root_file_loaded: flags & 2 != 0,
        hostname: if flags & 4 != 0 {
            HostnameCheck::Passed
        } else {
            HostnameCheck::Failed("mismatch".into())
        },
        unencrypted_data: false,
        pin: PinCheck::NotRequested,
    };
    let chunk = usize::from(next() % 16) + 1;
    let rest: Vec<u8> = data.get(5..).unwrap_or_default().to_vec();
    let cfg = ConvConfig {
        policy,
        pinned: false,
        startup_params: vec![("user".into(), "u".into()), ("database".into(), "d".into())],
        auth: AuthConfig {
            user: "u".into(),
            password: Some(Secret::new("pw".into())),
            channel_binding: cb,
            require_auth: RequireAuth::ANY,
            require_auth_text: String::new(),
            nonce: Some([7; 18]),
        },
    };
    let mut conv = Conversation::new(cfg, start);
    let mut pos = 0usize;
    let mut tls_facts: Option<TlsFacts> = None;
    let mut first_read = true;
    for _ in 0..10_000 {
        match conv.next_step() {
            Step::Send(out) => {
                if out.kind == OutKind::Auth || out.secret.is_some() {
                    let accepted = conv.accepted();
                    assert!(accepted.is_some(), "auth message before acceptance");
                    let tls = tls_facts.as_ref();
                    assert_eq!(
                        accepted == Some(AcceptedTransport::Tls),
                        tls.is_some(),
                        "accepted transport disagrees with what happened"
                    );
                    assert!(
                        may_receive_secrets(mode, tls),
                        "secret emitted to a peer sslmode={mode} does not accept"
                    );
                }
            }
            Step::ReadSslResponse => {
                let n = if first_read { chunk.min(2) } else { chunk };
                first_read = false;
                let end = (pos + n).min(rest.len());
                conv.ssl_response(rest.get(pos..end).unwrap_or_default());
                pos = end;
            }
            Step::StartTls => {
                tls_facts = Some(facts.clone());
                conv.tls_established(facts.clone(), Some(vec![0x30, 0x00]));
            }
            Step::Read => {
                let end = (pos + chunk).min(rest.len());
                conv.feed(rest.get(pos..end).unwrap_or_default());
                pos = end;
            }
            Step::Connected | Step::Failed(_) => return,
        }
    }
}
