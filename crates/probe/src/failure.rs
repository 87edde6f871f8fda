//! Why one connection attempt failed, and what libpq 15 does next.

use serde::Serialize;

/// Where in the attempt a failure happened; it decides libpq's next move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FailureKind {
    /// Host name resolution failed: libpq tries the next host.
    Resolve,
    /// TCP (or Unix socket) connect failed or timed out: libpq tries the next address.
    Connect,
    /// The whole attempt ran out of `connect_timeout`: next address.
    Timeout,
    /// The answer to SSLRequest was `N` under a TLS-only mode, `E`, EOF or another byte.
    Negotiation,
    /// A local file needed for TLS could not be used (root file, client certificate or key,
    /// CRL). Happens after the `S`, like libpq 15's `initialize_SSL`.
    LocalFile,
    /// The TLS handshake failed (including chain verification).
    Handshake,
    /// verify-full's host-name check failed after the handshake.
    HostName,
    /// Bytes arrived together with the `S` (CVE-2021-23222).
    UnencryptedData,
    /// The server sent an ErrorResponse while libpq waited for authentication.
    ServerAuthError,
    /// The server sent an ErrorResponse after AuthenticationOk.
    ServerStartupError,
    /// libpq itself refused to continue authenticating (channel_binding, require_auth,
    /// no password, SCRAM errors, unsupported method).
    ClientAuth,
    /// The server broke the protocol (unexpected message, EOF).
    Protocol,
    /// The probe's fingerprint pin did not match.
    Pin,
    /// Something this probe cannot do that libpq can (e.g. TLS 1.0).
    Unsupported,
}

/// One failure, with libpq's text (no trailing newline; may span lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Where it happened.
    pub kind: FailureKind,
    /// libpq's error text.
    pub message: String,
    /// The server's SQLSTATE, for ErrorResponses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqlstate: Option<String>,
}

impl Failure {
    /// A failure without SQLSTATE.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            sqlstate: None,
        }
    }

    /// A failure caused by a server ErrorResponse.
    pub fn server(kind: FailureKind, message: impl Into<String>, sqlstate: Option<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            sqlstate,
        }
    }

    /// True when the cause is on this machine (a file, or a setting the probe cannot honour).
    pub fn is_local(&self) -> bool {
        matches!(self.kind, FailureKind::LocalFile | FailureKind::Unsupported)
    }
}

/// libpq's `server closed the connection unexpectedly` text.
pub const SERVER_CLOSED: &str = "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.";

/// What libpq 15 does after a failed attempt on one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NextMove {
    /// Open a new connection to the same address in plaintext (prefer).
    ReconnectPlaintext,
    /// Open a new connection to the same address and send SSLRequest (allow).
    ReconnectTls,
    /// Try the next address of this host, then the next host.
    NextAddress,
    /// Skip this host's remaining addresses (57P03 "cannot connect now").
    NextHost,
    /// Give up: the connection fails.
    Stop,
}

/// libpq 15's retry rules (`allow_ssl_try` / `wait_ssl_try`), expressed on the policy table:
/// `retried` says whether this address already had its one retry; `tls_in_use` whether the
/// failed attempt was over TLS (negotiated via SSLRequest or direct).
pub fn next_move(
    policy: &pgtls_conninfo::Policy,
    kind: FailureKind,
    sqlstate: Option<&str>,
    tls_attempted: bool,
    tls_in_use: bool,
    retried: bool,
) -> NextMove {
    match kind {
        FailureKind::Resolve => NextMove::NextHost,
        FailureKind::Connect | FailureKind::Timeout => NextMove::NextAddress,
        FailureKind::LocalFile | FailureKind::Handshake | FailureKind::HostName => {
            if tls_attempted && policy.plaintext_after_tls_failure && !retried {
                NextMove::ReconnectPlaintext
            } else {
                NextMove::Stop
            }
        }
        FailureKind::ServerAuthError => {
            if sqlstate == Some("57P03") {
                NextMove::NextHost
            } else if tls_in_use && policy.plaintext_after_tls_failure && !retried {
                NextMove::ReconnectPlaintext
            } else if !tls_in_use
                && !tls_attempted
                && policy.tls_after_plaintext_failure
                && !retried
            {
                NextMove::ReconnectTls
            } else {
                NextMove::Stop
            }
        }
        FailureKind::Negotiation
        | FailureKind::UnencryptedData
        | FailureKind::ServerStartupError
        | FailureKind::ClientAuth
        | FailureKind::Protocol
        | FailureKind::Pin
        | FailureKind::Unsupported => NextMove::Stop,
    }
}
