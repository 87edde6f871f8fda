//! What one connection did, as data (one [`Transcript`] per connection).
//!
//! Password values are never stored: a credential is recorded by kind, transport, whether it
//! went to an attacker, and whether it matched the role's password.

use serde::Serialize;

use crate::spec::hex;

/// At most this many bytes of pre-TLS traffic are kept (hex); the total is always counted.
pub const MAX_RECORDED_BYTES: usize = 512;

/// Bytes as hex, bounded to [`MAX_RECORDED_BYTES`], with the true total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bytes {
    /// Hex of the first bytes.
    pub hex: String,
    /// Total number of bytes seen.
    pub len: usize,
    /// True when `hex` holds fewer than `len` bytes.
    pub truncated: bool,
}

impl Bytes {
    /// Records `data` (bounded).
    pub fn new(data: &[u8]) -> Bytes {
        let mut b = Bytes::default();
        b.push(data);
        b
    }

    /// Records at most the first `limit` bytes of `data` (and its full length).
    pub fn head(data: &[u8], limit: usize) -> Bytes {
        let kept = data.get(..limit.min(data.len())).unwrap_or_default();
        Bytes {
            hex: hex(kept),
            len: data.len(),
            truncated: kept.len() < data.len(),
        }
    }

    /// Appends more bytes (bounded).
    pub fn push(&mut self, data: &[u8]) {
        let room = MAX_RECORDED_BYTES.saturating_sub(self.len.min(MAX_RECORDED_BYTES));
        let kept = data.get(..room.min(data.len())).unwrap_or_default();
        self.hex.push_str(&hex(kept));
        self.len = self.len.saturating_add(data.len());
        self.truncated = self.len > MAX_RECORDED_BYTES;
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A negotiation packet the client sent before (or instead of) its StartupMessage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Request {
    /// SSLRequest.
    SslRequest,
    /// GSSENCRequest.
    GssEncRequest,
    /// CancelRequest (the key is not recorded).
    CancelRequest {
        /// The process id named.
        pid: u32,
    },
    /// StartupMessage.
    Startup,
    /// A packet with an unknown code.
    Unknown {
        /// The code.
        code: u32,
    },
    /// A TLS ClientHello as the first bytes (direct TLS).
    DirectTls,
}

/// How TLS went on this connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TlsOutcome {
    /// Reached through a direct ClientHello rather than SSLRequest.
    pub direct: bool,
    /// The handshake completed.
    pub established: bool,
    /// `TLSv1.2` / `TLSv1.3`.
    pub version: Option<String>,
    /// The negotiated cipher suite (rustls name).
    pub cipher_suite: Option<String>,
    /// The ALPN protocol selected.
    pub alpn: Option<String>,
    /// The SNI host name the client sent.
    pub sni: Option<String>,
    /// The client certificate, when one was presented and verified.
    pub client_certificate: Option<ClientCertificate>,
    /// The TLS alert the client sent when it aborted the handshake (e.g. `BadCertificate`,
    /// `UnknownCA`: how a client says it refused our certificate).
    pub client_alert: Option<String>,
    /// The handshake error, when it failed.
    pub error: Option<String>,
}

/// A client certificate seen in the handshake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientCertificate {
    /// Subject CN, when present.
    pub common_name: Option<String>,
    /// SHA-256 fingerprint of the DER (uppercase hex, colon-separated).
    pub sha256: String,
}

/// The kind of secret a client handed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// The password itself (PasswordMessage after AuthenticationCleartextPassword).
    Cleartext,
    /// `md5` + md5(md5(password + user) + salt): a password equivalent for replay to this
    /// server, and a dictionary-attack target.
    Md5,
    /// A SCRAM client proof: useless for replay, but a dictionary-attack target.
    ScramProof,
}

/// One secret the client sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CredentialExposure {
    /// What it was.
    pub kind: CredentialKind,
    /// `tls` or `plaintext`: how it travelled.
    pub transport: Transport,
    /// The server is a man in the middle: the secret went to an attacker.
    pub to_attacker: bool,
    /// It matched the role's password (the value itself is never recorded); `None` when it
    /// could not be checked (a malformed SCRAM proof).
    pub matches_password: Option<bool>,
}

/// Encrypted or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// Inside TLS.
    Tls,
    /// In the clear.
    Plaintext,
}

/// The authentication exchange.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuthExchange {
    /// The method the server used (`scram-sha-256`, `password`, ...).
    pub method: Option<String>,
    /// SASL mechanisms offered, in order.
    pub mechanisms_offered: Vec<String>,
    /// The SASL mechanism the client chose.
    pub mechanism_chosen: Option<String>,
    /// The channel binding the client asked for in its gs2 header: `n` (none, not supported),
    /// `y` (supported, but thinks the server does not), `tls-server-end-point`.
    pub channel_binding: Option<String>,
    /// The messages in order, by name (`AuthenticationSASL`, `SASLInitialResponse`, ...).
    pub messages: Vec<String>,
    /// Authentication succeeded.
    pub ok: bool,
}

/// An error the server sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SentError {
    /// `FATAL`, `ERROR`.
    pub severity: String,
    /// SQLSTATE.
    pub sqlstate: String,
    /// Message.
    pub message: String,
}

/// Why the connection ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloseReason {
    /// Still open (never in a finished transcript).
    #[default]
    Open,
    /// The client sent Terminate.
    Terminated,
    /// The client closed the connection (EOF) at this point.
    ClientClosed {
        /// Where we were.
        during: String,
    },
    /// We sent a FATAL and closed.
    Fatal {
        /// SQLSTATE.
        sqlstate: String,
    },
    /// The scenario closes here (SSLRequest answered with close/E/garbage).
    ScenarioClose,
    /// The TLS handshake failed.
    TlsFailed,
    /// A read timed out.
    Timeout {
        /// Where we were.
        during: String,
    },
    /// The client sent bytes that are not a valid message.
    ProtocolViolation {
        /// The decoder's explanation.
        detail: String,
    },
    /// A CancelRequest (answered by closing, as PostgreSQL does).
    Cancel,
    /// An I/O error.
    Io {
        /// The error.
        error: String,
    },
    /// The server shut down.
    Shutdown,
}

/// Everything one connection did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Transcript {
    /// The server spec's name (the scenario).
    pub scenario: String,
    /// Sequence number of the connection on this server instance (from 1).
    pub connection: u64,
    /// The client's address.
    pub peer: String,
    /// Milliseconds from accept to close.
    pub duration_ms: u64,
    /// Negotiation packets in order.
    pub requests: Vec<Request>,
    /// The plaintext negotiation packets received (SSLRequest, GSSENCRequest, a plaintext
    /// StartupMessage, or the malformed bytes that ended the connection), bounded. Nothing after
    /// the StartupMessage is recorded: that is where passwords travel.
    pub pre_tls_bytes: Bytes,
    /// Bytes that arrived after the SSLRequest, before our answer (pipelined; CVE-2021-23214
    /// evidence when non-empty): the total length and the first 16 bytes.
    pub pipelined_after_ssl_request: Bytes,
    /// The answer we sent to SSLRequest (`S`, `N`, `E`, `close`, `garbage`, `S+injected`).
    pub ssl_answer: Option<String>,
    /// The answer we sent to GSSENCRequest.
    pub gssenc_answer: Option<String>,
    /// TLS, when attempted.
    pub tls: Option<TlsOutcome>,
    /// The StartupMessage's protocol version (`3.0`).
    pub protocol: Option<String>,
    /// The StartupMessage's parameters, in order.
    pub startup_params: Vec<(String, String)>,
    /// Authentication.
    pub auth: AuthExchange,
    /// Secrets the client sent.
    pub credentials_exposed: Vec<CredentialExposure>,
    /// The session reached ReadyForQuery.
    pub ready: bool,
    /// Queries received (first 200 characters each, at most 20).
    pub queries: Vec<String>,
    /// Errors and FATALs sent.
    pub errors_sent: Vec<SentError>,
    /// Why the connection ended.
    pub close: CloseReason,
}

impl Transcript {
    /// The transport the session (or its last attempt) used.
    pub fn transport(&self) -> Transport {
        match &self.tls {
            Some(t) if t.established => Transport::Tls,
            _ => Transport::Plaintext,
        }
    }

    /// True when a password-derived secret reached the server on this connection.
    pub fn password_exposed(&self) -> bool {
        !self.credentials_exposed.is_empty()
    }

    /// One JSON line.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
