//! The one place that decides whether the peer may receive secrets.
//!
//! A [`PeerAccepted`] can only be made by [`accept_peer`], and the authenticator
//! ([`crate::auth::Authenticator`]) cannot be built without one. So no password, MD5 hash,
//! SCRAM message or client-final proof can be produced before the sslmode policy (and the
//! optional fingerprint pin) accepted the peer — the type system says so, not a comment.

use pgtls_conninfo::{Policy, VerifyChain};
use serde::Serialize;

use crate::failure::{Failure, FailureKind};

/// What the engine learned about the peer before sending the StartupMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerFacts {
    /// The connection is unencrypted (`N` to SSLRequest, or a plaintext-first attempt).
    Plaintext,
    /// A TLS handshake completed.
    Tls(TlsFacts),
}

/// Facts about a completed TLS handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFacts {
    /// Did the chain verify against the root file? (`None`: not evaluated.)
    pub chain_verified: Option<bool>,
    /// Was a root file loaded, so that libpq would have verified the chain?
    pub root_file_loaded: bool,
    /// Result of the post-handshake host-name check libpq runs for verify-full
    /// (`Ok` when not required).
    pub hostname: HostnameCheck,
    /// Bytes arrived together with the `S` (CVE-2021-23222).
    pub unencrypted_data: bool,
    /// Result of `--expect-fingerprint`, when one was given.
    pub pin: PinCheck,
}

/// The verify-full host-name check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostnameCheck {
    /// sslmode does not require it.
    NotRequired,
    /// Required and matched.
    Passed,
    /// Required and failed, with libpq's message.
    Failed(String),
}

/// The fingerprint pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinCheck {
    /// No pin was given.
    NotRequested,
    /// The pinned fingerprint is the leaf or a CA of the chain.
    Matched,
    /// The pinned fingerprint is nowhere in the chain.
    Mismatched(String),
}

/// Proof that the policy accepted the peer. Only [`accept_peer`] makes one; it is not `Clone`.
#[derive(Debug)]
pub struct PeerAccepted {
    transport: AcceptedTransport,
}

/// The transport a [`PeerAccepted`] was given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceptedTransport {
    /// Unencrypted.
    Plaintext,
    /// TLS.
    Tls,
}

impl PeerAccepted {
    /// The transport the peer was accepted on.
    pub fn transport(&self) -> AcceptedTransport {
        self.transport
    }
}

/// libpq's checks between the end of negotiation and the StartupMessage, in libpq's order,
/// plus the probe's own fingerprint pin (checked last, and also for plaintext: a pin can only be
/// satisfied by TLS).
pub fn accept_peer(
    policy: &Policy,
    pinned: bool,
    facts: &PeerFacts,
) -> Result<PeerAccepted, Failure> {
    match facts {
        PeerFacts::Plaintext => {
            if !policy.plaintext_allowed {
                return Err(Failure::new(
                    FailureKind::Negotiation,
                    "server does not support SSL, but SSL was required",
                ));
            }
            if pinned {
                return Err(Failure::new(
                    FailureKind::Pin,
                    "the connection is not encrypted, so the pinned certificate fingerprint cannot match",
                ));
            }
            Ok(PeerAccepted {
                transport: AcceptedTransport::Plaintext,
            })
        }
        PeerFacts::Tls(t) => {
            if !policy.tls_allowed {
                return Err(Failure::new(
                    FailureKind::Protocol,
                    "TLS is not allowed by sslmode=disable",
                ));
            }
            let must_verify = match policy.verify_chain {
                VerifyChain::Never => false,
                VerifyChain::IfRootFile => t.root_file_loaded,
                VerifyChain::Always => true,
            };
            if must_verify && t.chain_verified != Some(true) {
                // The handshake should already have failed; never trust that alone.
                return Err(Failure::new(
                    FailureKind::Handshake,
                    "SSL error: certificate verify failed",
                ));
            }
            if policy.verify_hostname {
                match &t.hostname {
                    HostnameCheck::Passed => {}
                    HostnameCheck::Failed(m) => {
                        return Err(Failure::new(FailureKind::HostName, m.clone()))
                    }
                    HostnameCheck::NotRequired => {
                        return Err(Failure::new(
                            FailureKind::HostName,
                            "host name must be specified for a verified SSL connection",
                        ))
                    }
                }
            }
            if t.unencrypted_data {
                return Err(Failure::new(
                    FailureKind::UnencryptedData,
                    "received unencrypted data after SSL response",
                ));
            }
            match (&t.pin, pinned) {
                (PinCheck::Mismatched(m), _) => {
                    return Err(Failure::new(FailureKind::Pin, m.clone()))
                }
                (PinCheck::NotRequested, true) => {
                    return Err(Failure::new(
                        FailureKind::Pin,
                        "the pinned certificate fingerprint was not checked",
                    ))
                }
                _ => {}
            }
            Ok(PeerAccepted {
                transport: AcceptedTransport::Tls,
            })
        }
    }
}
