//! One connection's conversation as libpq 15 has it, without I/O: the SSLRequest answer, the
//! hand-over to TLS, the StartupMessage and authentication up to ReadyForQuery.
//!
//! The engine (or a test, or the fuzzer) asks [`Conversation::next_step`] what to do and feeds
//! back what the server said. Secrets can only come out of the [`Authenticator`], which only
//! exists after [`accept_peer`] said yes.

use std::collections::VecDeque;

use pgtls_conninfo::Policy;
use pgtls_wire::{BackendMessage, FrontendMessage, Limits, StartupPacket};
use serde::Serialize;

use crate::auth::{AuthConfig, AuthRecord, AuthReply, Authenticator, SecretSent};
use crate::failure::{Failure, FailureKind, SERVER_CLOSED};
use crate::gate::{accept_peer, AcceptedTransport, PeerFacts, TlsFacts};

/// libpq accepts ErrorResponses up to this length before authentication (longer ones are read
/// as a protocol-2 error string).
const MAX_ERROR_LEN: u32 = 30_000;
/// libpq's bound on AuthenticationRequest / NegotiateProtocolVersion lengths.
const MAX_AUTH_LEN: u32 = 2_000;
/// Bytes of the SSLRequest answer kept as evidence.
const MAX_EVIDENCE: usize = 64;
/// Bound on buffered server bytes before ReadyForQuery.
const MAX_BUFFER: usize = 1 << 20;

/// How the connection starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Start {
    /// SSLRequest, then TLS on `S` (libpq's `sslnegotiation=postgres`).
    SslRequest,
    /// ClientHello immediately (`sslnegotiation=direct`).
    DirectTls,
    /// StartupMessage in the clear.
    Plaintext,
}

/// Everything the conversation needs.
#[derive(Debug, Clone)]
pub struct ConvConfig {
    /// The sslmode row.
    pub policy: Policy,
    /// Is a fingerprint pinned?
    pub pinned: bool,
    /// StartupMessage parameters in libpq order.
    pub startup_params: Vec<(String, String)>,
    /// Authentication settings.
    pub auth: AuthConfig,
}

/// What a message to the server is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutKind {
    /// SSLRequest.
    SslRequest,
    /// StartupMessage.
    Startup,
    /// PasswordMessage / SASLInitialResponse / SASLResponse.
    Auth,
    /// Terminate.
    Terminate,
}

/// Bytes to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Which message.
    pub kind: OutKind,
    /// The secret it carries, if any.
    pub secret: Option<SecretSent>,
    /// Wire bytes.
    pub bytes: Vec<u8>,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Write these bytes.
    Send(Outgoing),
    /// Do ONE read (as libpq's one `recv`) and pass it to [`Conversation::ssl_response`].
    ReadSslResponse,
    /// Set up TLS and handshake, then call [`Conversation::tls_established`] or
    /// [`Conversation::tls_failed`].
    StartTls,
    /// Read more and pass it to [`Conversation::feed`] (or [`Conversation::read_failed`]).
    Read,
    /// ReadyForQuery received: libpq is connected.
    Connected,
    /// The attempt failed.
    Failed(Failure),
}

/// The SSLRequest exchange, as evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NegotiationRecord {
    /// Bytes sent (hex).
    pub sent: String,
    /// Bytes of the first read after it (hex, at most 64).
    pub received: String,
    /// How libpq read the answer: `S`, `N`, `E`, `EOF` or the byte.
    pub answer: String,
    /// Bytes that arrived in the same read after the answer.
    pub extra_bytes: usize,
}

impl std::fmt::Display for NegotiationRecord {
    /// `0000000804d2162f -> answer S (bytes 53)`: what the human report and the HTML page show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let received = if self.received.is_empty() {
            "none"
        } else {
            &self.received
        };
        write!(
            f,
            "{} -> answer {} (bytes {received}",
            self.sent, self.answer
        )?;
        if self.extra_bytes > 0 {
            write!(f, ", {} unexpected extra bytes", self.extra_bytes)?;
        }
        f.write_str(")")
    }
}

/// The conversation as evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConvRecord {
    /// SSLRequest exchange, if one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negotiation: Option<NegotiationRecord>,
    /// Transport the StartupMessage went over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_over: Option<AcceptedTransport>,
    /// StartupMessage parameters sent.
    pub startup_params: Vec<(String, String)>,
    /// Authentication exchange.
    pub auth: AuthRecord,
    /// ParameterStatus values received after authentication.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<(String, String)>,
    /// The server's ErrorResponse text, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_error: Option<String>,
}

#[derive(Debug)]
enum State {
    Init(Start),
    AwaitSslResponse,
    AwaitTls,
    AwaitAuth,
    AwaitReady,
    Done,
}

/// One connection's negotiation and authentication.
#[derive(Debug)]
pub struct Conversation {
    cfg: ConvConfig,
    state: State,
    inbuf: Vec<u8>,
    pending: VecDeque<Step>,
    auth: Option<Authenticator>,
    extra_after_s: usize,
    tls_attempted: bool,
    tls_in_use: bool,
    /// Evidence for the diagnosis.
    pub record: ConvRecord,
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl Conversation {
    /// A conversation that starts as `start` says.
    pub fn new(cfg: ConvConfig, start: Start) -> Self {
        Self {
            cfg,
            state: State::Init(start),
            inbuf: Vec::new(),
            pending: VecDeque::new(),
            auth: None,
            extra_after_s: 0,
            tls_attempted: !matches!(start, Start::Plaintext),
            tls_in_use: false,
            record: ConvRecord::default(),
        }
    }

    /// Whether this connection tried TLS (SSLRequest or direct).
    pub fn tls_attempted(&self) -> bool {
        self.tls_attempted
    }

    /// Whether TLS is established on this connection.
    pub fn tls_in_use(&self) -> bool {
        self.tls_in_use
    }

    /// The transport the peer was accepted on, once it was.
    pub fn accepted(&self) -> Option<AcceptedTransport> {
        self.record.startup_over
    }

    /// What to do next.
    pub fn next_step(&mut self) -> Step {
        if let State::Init(start) = self.state {
            match start {
                Start::SslRequest => {
                    let bytes = StartupPacket::SslRequest.to_bytes();
                    self.record.negotiation = Some(NegotiationRecord {
                        sent: hex(&bytes),
                        ..Default::default()
                    });
                    self.state = State::AwaitSslResponse;
                    return Step::Send(Outgoing {
                        kind: OutKind::SslRequest,
                        secret: None,
                        bytes,
                    });
                }
                Start::DirectTls => self.state = State::AwaitTls,
                Start::Plaintext => {
                    self.state = State::Done;
                    self.proceed(PeerFacts::Plaintext, None);
                }
            }
        }
        if let Some(step) = self.pending.pop_front() {
            return step;
        }
        match &self.state {
            State::Init(_) | State::AwaitSslResponse => Step::ReadSslResponse,
            State::AwaitTls => Step::StartTls,
            State::AwaitAuth | State::AwaitReady => Step::Read,
            // Done with nothing pending means a bug in a caller loop: fail safe.
            State::Done => Step::Failed(Failure::new(
                FailureKind::Protocol,
                "connection attempt already finished",
            )),
        }
    }

    fn finish(&mut self, result: Result<(), Failure>) {
        self.state = State::Done;
        if let Some(a) = &self.auth {
            self.record.auth = a.record.clone();
        }
        match result {
            Ok(()) => {
                let bytes = FrontendMessage::Terminate.to_bytes();
                self.pending.push_back(Step::Send(Outgoing {
                    kind: OutKind::Terminate,
                    secret: None,
                    bytes,
                }));
                self.pending.push_back(Step::Connected);
            }
            Err(f) => self.pending.push_back(Step::Failed(f)),
        }
    }

    /// The bytes of the one read after SSLRequest (empty = EOF).
    pub fn ssl_response(&mut self, read: &[u8]) {
        if !matches!(self.state, State::AwaitSslResponse) {
            return;
        }
        let rec = self.record.negotiation.get_or_insert_with(Default::default);
        rec.received = hex(read.get(..MAX_EVIDENCE).unwrap_or(read));
        let Some((&first, rest)) = read.split_first() else {
            rec.answer = "EOF".into();
            return self.finish(Err(Failure::new(FailureKind::Negotiation, SERVER_CLOSED)));
        };
        rec.answer = char::from(first).to_string();
        rec.extra_bytes = rest.len();
        match first {
            b'S' => {
                self.extra_after_s = rest.len();
                self.state = State::AwaitTls;
            }
            b'N' => {
                if self.cfg.policy.plaintext_after_refusal {
                    // libpq keeps whatever followed in its input buffer.
                    self.inbuf.extend_from_slice(rest);
                    self.state = State::Done;
                    self.proceed(PeerFacts::Plaintext, None);
                } else {
                    self.finish(Err(Failure::new(
                        FailureKind::Negotiation,
                        "server does not support SSL, but SSL was required",
                    )));
                }
            }
            b'E' => self.finish(Err(Failure::new(
                FailureKind::Negotiation,
                "server sent an error response during SSL exchange",
            ))),
            c => self.finish(Err(Failure::new(
                FailureKind::Negotiation,
                format!(
                    "received invalid response to SSL negotiation: {}",
                    char::from(c)
                ),
            ))),
        }
    }

    /// The TLS handshake completed; `facts` are the engine's findings (the machine adds the
    /// bytes-after-`S` rule itself). `leaf` is the server certificate's DER.
    pub fn tls_established(&mut self, mut facts: TlsFacts, leaf: Option<Vec<u8>>) {
        if !matches!(self.state, State::AwaitTls) {
            return;
        }
        facts.unencrypted_data |= self.extra_after_s > 0;
        self.tls_in_use = true;
        self.state = State::Done;
        self.proceed(PeerFacts::Tls(facts), leaf);
    }

    /// TLS setup or the handshake failed.
    pub fn tls_failed(&mut self, failure: Failure) {
        if matches!(self.state, State::AwaitTls) {
            self.finish(Err(failure));
        }
    }

    /// The gate, then the StartupMessage.
    fn proceed(&mut self, facts: PeerFacts, leaf: Option<Vec<u8>>) {
        match accept_peer(&self.cfg.policy, self.cfg.pinned, &facts) {
            Err(f) => self.finish(Err(f)),
            Ok(accepted) => {
                self.record.startup_over = Some(accepted.transport());
                self.auth = Some(Authenticator::new(accepted, self.cfg.auth.clone(), leaf));
                let params = self.cfg.startup_params.clone();
                self.record.startup_params = params.clone();
                let bytes = StartupPacket::startup(params).to_bytes();
                self.state = State::AwaitAuth;
                self.pending.push_back(Step::Send(Outgoing {
                    kind: OutKind::Startup,
                    secret: None,
                    bytes,
                }));
                // Bytes that followed an `N` are the server's first answer.
                self.process();
            }
        }
    }

    /// Server bytes (decrypted when TLS is in use). An empty slice is a clean EOF.
    pub fn feed(&mut self, bytes: &[u8]) {
        if !matches!(self.state, State::AwaitAuth | State::AwaitReady) {
            return;
        }
        if bytes.is_empty() {
            let msg = if self.tls_in_use {
                "SSL connection has been closed unexpectedly"
            } else {
                SERVER_CLOSED
            };
            return self.finish(Err(Failure::new(FailureKind::Protocol, msg)));
        }
        if self.inbuf.len() + bytes.len() > MAX_BUFFER {
            return self.finish(Err(Failure::new(
                FailureKind::Protocol,
                "server sent more data than expected during startup",
            )));
        }
        self.inbuf.extend_from_slice(bytes);
        self.process();
    }

    /// Reading failed (`failure` carries libpq's text for the I/O error).
    pub fn read_failed(&mut self, failure: Failure) {
        if !matches!(self.state, State::Done) {
            self.finish(Err(failure));
        }
    }

    fn process(&mut self) {
        loop {
            match self.state {
                State::AwaitAuth => match self.one_auth_message() {
                    Ok(true) => continue,
                    Ok(false) => return,
                    Err(f) => return self.finish(Err(f)),
                },
                State::AwaitReady => match self.one_ready_message() {
                    Ok(true) => continue,
                    Ok(false) => return,
                    Err(f) => return self.finish(Err(f)),
                },
                _ => return,
            }
        }
    }

    fn header(&self) -> Option<(u8, u32)> {
        let tag = *self.inbuf.first()?;
        let len = self.inbuf.get(1..5)?;
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        Some((tag, len))
    }

    fn take_message(&mut self, len: u32) -> Result<Option<BackendMessage>, Failure> {
        let total = len as usize + 1;
        if self.inbuf.len() < total {
            return Ok(None);
        }
        let decoded = BackendMessage::decode(&self.inbuf[..total], Limits::new(MAX_BUFFER));
        self.inbuf.drain(..total);
        match decoded {
            Ok(Some((msg, _))) => Ok(Some(msg)),
            Ok(None) => Err(Failure::new(
                FailureKind::Protocol,
                "incomplete message from server",
            )),
            Err(e) => Err(Failure::new(
                FailureKind::Protocol,
                format!("fe_sendauth: invalid authentication request from server: {e}"),
            )),
        }
    }

    /// One message while waiting for authentication. `Ok(false)` = need more bytes.
    fn one_auth_message(&mut self) -> Result<bool, Failure> {
        let Some((tag, len)) = self.header() else {
            // libpq checks the type byte as soon as it has it.
            if let Some(&tag) = self.inbuf.first() {
                if !matches!(tag, b'R' | b'v' | b'E') {
                    return Err(unexpected_first(tag));
                }
            }
            return Ok(false);
        };
        if !matches!(tag, b'R' | b'v' | b'E') {
            return Err(unexpected_first(tag));
        }
        if matches!(tag, b'R' | b'v') && !(8..=MAX_AUTH_LEN).contains(&len) {
            return Err(unexpected_first(tag));
        }
        if tag == b'E' && !(8..=MAX_ERROR_LEN).contains(&len) {
            // A protocol-2 error string: NUL-terminated text after the `E`.
            let rest = self.inbuf.get(1..).unwrap_or_default();
            return match rest.iter().position(|&b| b == 0) {
                Some(n) => {
                    let text = String::from_utf8_lossy(rest.get(..n).unwrap_or_default())
                        .trim_end_matches('\n')
                        .to_owned();
                    self.record.server_error = Some(text.clone());
                    Err(Failure::new(FailureKind::Protocol, text))
                }
                None if rest.len() > MAX_ERROR_LEN as usize => Err(Failure::new(
                    FailureKind::Protocol,
                    "server sent an overlong error message",
                )),
                None => Ok(false),
            };
        }
        let Some(msg) = self.take_message(len)? else {
            return Ok(false);
        };
        match msg {
            BackendMessage::ErrorResponse(fields) => {
                let text = fields.libpq_text(true).trim_end_matches('\n').to_owned();
                self.record.server_error = Some(text.clone());
                Err(Failure::server(
                    FailureKind::ServerAuthError,
                    text,
                    fields.sqlstate().map(str::to_owned),
                ))
            }
            BackendMessage::NegotiateProtocolVersion {
                newest_minor,
                options,
            } => {
                let _ = newest_minor;
                let mut text = String::new();
                if !options.is_empty() {
                    let s = if options.len() == 1 { "" } else { "s" };
                    text = format!(
                        "protocol extension{s} not supported by server: {}",
                        options.join(", ")
                    );
                }
                if text.is_empty() {
                    text.push_str("invalid NegotiateProtocolVersion message");
                }
                Err(Failure::new(FailureKind::Protocol, text))
            }
            BackendMessage::Authentication(req) => {
                let Some(auth) = self.auth.as_mut() else {
                    return Err(Failure::new(
                        FailureKind::Protocol,
                        "authentication before startup",
                    ));
                };
                let reply = auth.on_request(&req);
                self.record.auth = auth.record.clone();
                match reply? {
                    AuthReply::Send(msg, secret) => {
                        self.pending.push_back(Step::Send(Outgoing {
                            kind: OutKind::Auth,
                            secret,
                            bytes: msg.to_bytes(),
                        }));
                    }
                    AuthReply::Wait => {}
                    AuthReply::Done => self.state = State::AwaitReady,
                }
                Ok(true)
            }
            other => Err(unexpected_first(other.tag())),
        }
    }

    /// One message after AuthenticationOk. `Ok(false)` = need more bytes.
    fn one_ready_message(&mut self) -> Result<bool, Failure> {
        let Some((_, len)) = self.header() else {
            return Ok(false);
        };
        if len < 4 {
            return Err(Failure::new(
                FailureKind::Protocol,
                "unexpected message from server during startup",
            ));
        }
        let Some(msg) = self.take_message(len)? else {
            return Ok(false);
        };
        match msg {
            BackendMessage::ParameterStatus { name, value } => {
                self.record.parameters.push((name, value));
                Ok(true)
            }
            BackendMessage::BackendKeyData { .. } | BackendMessage::NoticeResponse(_) => Ok(true),
            BackendMessage::ReadyForQuery(_) => {
                self.finish(Ok(()));
                Ok(false)
            }
            BackendMessage::ErrorResponse(fields) => {
                let text = fields.libpq_text(true).trim_end_matches('\n').to_owned();
                self.record.server_error = Some(text.clone());
                Err(Failure::server(
                    FailureKind::ServerStartupError,
                    text,
                    fields.sqlstate().map(str::to_owned),
                ))
            }
            _ => Err(Failure::new(
                FailureKind::Protocol,
                "unexpected message from server during startup",
            )),
        }
    }
}

fn unexpected_first(tag: u8) -> Failure {
    Failure::new(
        FailureKind::Protocol,
        format!(
            "expected authentication request from server, but received {}",
            char::from(tag)
        ),
    )
}
