//! One connection, from accept to close: negotiation, TLS, startup, hba, authentication and a
//! tiny session. Every outcome is recorded in the connection's [`Transcript`]; errors end the
//! connection and never leave this module.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pgtls_wire::{
    Authentication, BackendMessage, DecodeError, ErrorFields, FieldDescription, FrontendMessage,
    Limits as WireLimits, PasswordContext, ProtocolVersion, StartupPacket,
};
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::time::{timeout_at, Instant};

use crate::server::Shared;
use crate::spec::{AuthMethod, DirectTls, Hba, SslAnswer};
use crate::transcript::{
    Bytes, ClientCertificate, CloseReason, CredentialExposure, CredentialKind, Request, SentError,
    TlsOutcome, Transcript, Transport,
};

/// Any byte stream a connection can run over (a `TcpStream`, a TLS stream, a duplex pipe).
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The first byte of a TLS handshake record: a direct-TLS ClientHello.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;
/// What PostgreSQL 15 says about protocol versions.
const SUPPORTED_PROTOCOLS: &str = "server supports 3.0 to 3.0";
/// At most this many queries are kept in a transcript, each cut to [`MAX_QUERY_CHARS`].
const MAX_QUERIES: usize = 20;
const MAX_QUERY_CHARS: usize = 200;
/// Bytes kept of data pipelined after an SSLRequest.
const PIPELINED_HEAD: usize = 16;

/// Why a connection stops (internal; becomes the transcript's [`CloseReason`]).
struct Stop(CloseReason);

type Step<T> = Result<T, Stop>;

/// Runs one connection to its end, filling `t`.
pub(crate) async fn run(shared: Arc<Shared>, io: Box<dyn Io>, peer_ip: String, t: &mut Transcript) {
    let deadline = Instant::now() + shared.spec.limits.handshake;
    let mut conn = Conn {
        wire_limits: WireLimits::new(shared.spec.limits.max_message_len),
        shared,
        t,
        io: Some(io),
        buf: Vec::new(),
        deadline,
        in_tls: false,
        client_cert: None,
        peer_ip,
        user: String::new(),
        database: String::new(),
    };
    let reason = match conn.serve().await {
        Ok(()) => CloseReason::Terminated,
        Err(Stop(reason)) => reason,
    };
    if let Some(io) = conn.io.as_mut() {
        let _ = io.shutdown().await;
    }
    conn.t.close = reason;
}

struct Conn<'a> {
    shared: Arc<Shared>,
    t: &'a mut Transcript,
    io: Option<Box<dyn Io>>,
    /// Bytes read but not consumed yet.
    buf: Vec<u8>,
    /// The handshake deadline (accept + `limits.handshake`), then per-message idle deadlines.
    deadline: Instant,
    in_tls: bool,
    client_cert: Option<CertificateDer<'static>>,
    peer_ip: String,
    wire_limits: WireLimits,
    user: String,
    database: String,
}

impl Conn<'_> {
    async fn serve(&mut self) -> Step<()> {
        let params = self.negotiate().await?;
        self.startup(params).await?;
        self.hba().await?;
        self.authenticate().await?;
        self.ready().await?;
        self.session().await
    }

    // ------------------------------------------------------------------ I/O helpers

    fn io(&mut self) -> Step<&mut Box<dyn Io>> {
        self.io.as_mut().ok_or(Stop(CloseReason::Io {
            error: "connection already handed to TLS".to_owned(),
        }))
    }

    /// Reads more bytes into `buf` (bounded chunk), before the deadline.
    async fn fill(&mut self, during: &str) -> Step<()> {
        let deadline = self.deadline;
        let mut chunk = [0u8; 4096];
        let read = {
            let io = self.io()?;
            timeout_at(deadline, io.read(&mut chunk)).await
        };
        match read {
            Err(_) => Err(Stop(CloseReason::Timeout {
                during: during.to_owned(),
            })),
            Ok(Err(e)) => Err(Stop(io_reason(&e))),
            Ok(Ok(0)) => Err(Stop(CloseReason::ClientClosed {
                during: during.to_owned(),
            })),
            Ok(Ok(n)) => {
                self.buf
                    .extend_from_slice(chunk.get(..n).unwrap_or_default());
                Ok(())
            }
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> Step<()> {
        let deadline = self.deadline;
        let io = self.io()?;
        let result = timeout_at(deadline, async {
            io.write_all(bytes).await?;
            io.flush().await
        })
        .await;
        match result {
            Err(_) => Err(Stop(CloseReason::Timeout {
                during: "write".to_owned(),
            })),
            Ok(Err(e)) => Err(Stop(io_reason(&e))),
            Ok(Ok(())) => Ok(()),
        }
    }

    async fn send(&mut self, messages: &[BackendMessage]) -> Step<()> {
        let mut out = Vec::new();
        for m in messages {
            m.encode(&mut out);
        }
        self.write(&out).await
    }

    /// Sends a FATAL and returns the stop reason.
    async fn fatal(&mut self, fields: ErrorFields) -> Stop {
        let sqlstate = fields.sqlstate().unwrap_or_default().to_owned();
        self.record_error(&fields);
        tracing::debug!(
            scenario = %self.shared.spec.name,
            connection = self.t.connection,
            "FATAL {sqlstate} {}",
            fields.message().unwrap_or_default()
        );
        if let Err(stop) = self.send(&[BackendMessage::ErrorResponse(fields)]).await {
            return stop;
        }
        Stop(CloseReason::Fatal { sqlstate })
    }

    fn record_error(&mut self, fields: &ErrorFields) {
        self.t.errors_sent.push(SentError {
            severity: fields.severity().unwrap_or_default().to_owned(),
            sqlstate: fields.sqlstate().unwrap_or_default().to_owned(),
            message: fields.message().unwrap_or_default().to_owned(),
        });
    }

    /// Records the first `n` buffered bytes as pre-TLS traffic. Only negotiation packets are
    /// recorded (never what follows the StartupMessage, where passwords travel).
    fn record_pre_tls(&mut self, n: usize) {
        if !self.in_tls {
            let bytes = self.buf.get(..n.min(self.buf.len())).unwrap_or_default();
            self.t.pre_tls_bytes.push(bytes);
        }
    }

    /// Reads one typed frontend message.
    async fn read_message(&mut self, ctx: PasswordContext, during: &str) -> Step<FrontendMessage> {
        loop {
            match FrontendMessage::decode(&self.buf, self.wire_limits, ctx) {
                Ok(Some((msg, n))) => {
                    self.buf.drain(..n.min(self.buf.len()));
                    return Ok(msg);
                }
                Ok(None) => self.fill(during).await?,
                Err(e) => {
                    let stop = self
                        .fatal(ErrorFields::fatal(
                            "08P01",
                            format!("invalid message from client: {}", decode_text(&e)),
                        ))
                        .await;
                    return Err(match stop.0 {
                        CloseReason::Fatal { .. } => Stop(CloseReason::ProtocolViolation {
                            detail: decode_text(&e),
                        }),
                        other => Stop(other),
                    });
                }
            }
        }
    }

    // ------------------------------------------------------------------ negotiation

    /// Handles negotiation packets until a StartupMessage arrives; returns its parameters.
    async fn negotiate(&mut self) -> Step<(ProtocolVersion, Vec<(String, String)>)> {
        let mut ssl_answered = false;
        let mut gss_answered = false;
        // Direct TLS: PostgreSQL peeks at the first byte.
        self.fill("negotiation").await?;
        if self.buf.first() == Some(&TLS_HANDSHAKE_RECORD) {
            self.t.requests.push(Request::DirectTls);
            if self.shared.tls.is_none() || self.shared.spec.direct_tls == DirectTls::Reject {
                tracing::debug!(
                    connection = self.t.connection,
                    "direct SSL connection rejected"
                );
                return Err(Stop(CloseReason::ScenarioClose));
            }
            self.start_tls(true).await?;
            // PostgreSQL requires ALPN on direct TLS (COMMERROR, nothing sent, close).
            let alpn_ok = self
                .t
                .tls
                .as_ref()
                .and_then(|t| t.alpn.as_deref())
                .is_some_and(|a| a == "postgresql");
            if !alpn_ok {
                return Err(Stop(CloseReason::ProtocolViolation {
                    detail: "received direct SSL connection request without ALPN protocol negotiation extension".to_owned(),
                }));
            }
            ssl_answered = true;
        }
        loop {
            let decoded = StartupPacket::decode(&self.buf);
            let (packet, n) = match decoded {
                Ok(Some(p)) => p,
                Ok(None) => {
                    self.fill("startup packet").await?;
                    continue;
                }
                Err(e @ DecodeError::InvalidLength { .. }) => {
                    self.record_pre_tls(self.buf.len());
                    // PostgreSQL logs `invalid length of startup packet` and closes silently.
                    return Err(Stop(CloseReason::ProtocolViolation {
                        detail: format!("invalid length of startup packet ({})", decode_text(&e)),
                    }));
                }
                Err(e) if e.message() != "StartupMessage" => {
                    // A malformed negotiation packet: PostgreSQL logs and closes silently.
                    self.record_pre_tls(self.buf.len());
                    return Err(Stop(CloseReason::ProtocolViolation {
                        detail: decode_text(&e),
                    }));
                }
                Err(e) => {
                    self.record_pre_tls(self.buf.len());
                    let stop = self
                        .fatal(ErrorFields::fatal(
                            "08P01",
                            "invalid startup packet layout: expected terminator as last byte",
                        ))
                        .await;
                    return Err(match stop.0 {
                        CloseReason::Fatal { .. } => Stop(CloseReason::ProtocolViolation {
                            detail: decode_text(&e),
                        }),
                        other => Stop(other),
                    });
                }
            };
            self.record_pre_tls(n);
            self.buf.drain(..n.min(self.buf.len()));
            match packet {
                StartupPacket::SslRequest => {
                    self.t.requests.push(Request::SslRequest);
                    if ssl_answered {
                        if self.in_tls && self.t.tls.as_ref().is_some_and(|t| t.direct) {
                            // An SSLRequest inside direct TLS gets `N`.
                            self.t.ssl_answer = Some("N".to_owned());
                            self.write(b"N").await?;
                            continue;
                        }
                        return Err(self
                            .fatal(ErrorFields::fatal(
                                "0A000",
                                format!("unsupported frontend protocol 1234.5679: {SUPPORTED_PROTOCOLS}"),
                            ))
                            .await);
                    }
                    ssl_answered = true;
                    self.answer_ssl_request().await?;
                }
                StartupPacket::GssEncRequest => {
                    self.t.requests.push(Request::GssEncRequest);
                    if self.in_tls || gss_answered {
                        return Err(self
                            .fatal(ErrorFields::fatal(
                                "0A000",
                                format!("unsupported frontend protocol 1234.5680: {SUPPORTED_PROTOCOLS}"),
                            ))
                            .await);
                    }
                    gss_answered = true;
                    self.t.gssenc_answer = Some("N".to_owned());
                    self.write(b"N").await?;
                }
                StartupPacket::CancelRequest { pid, .. } => {
                    self.t.requests.push(Request::CancelRequest { pid });
                    return Err(Stop(CloseReason::Cancel));
                }
                StartupPacket::Startup { version, params } => {
                    self.t.requests.push(Request::Startup);
                    return Ok((version, params));
                }
                StartupPacket::Unknown { code, .. } => {
                    self.t.requests.push(Request::Unknown { code });
                    let v = ProtocolVersion(code);
                    return Err(self
                        .fatal(ErrorFields::fatal(
                            "0A000",
                            format!("unsupported frontend protocol {v}: {SUPPORTED_PROTOCOLS}"),
                        ))
                        .await);
                }
            }
        }
    }

    async fn answer_ssl_request(&mut self) -> Step<()> {
        // Bytes already here arrived before our answer: pipelined (CVE-2021-23214 evidence).
        let pipelined = std::mem::take(&mut self.buf);
        if !pipelined.is_empty() {
            // Only the head: enough to tell what it was, never a whole (secret-bearing) message.
            self.t.pipelined_after_ssl_request = Bytes::head(&pipelined, PIPELINED_HEAD);
        }
        let has_tls = self.shared.tls.is_some();
        match self.shared.spec.ssl_answer.clone() {
            SslAnswer::Accept if has_tls => {
                self.t.ssl_answer = Some("S".to_owned());
                self.write(b"S").await?;
                self.after_accept(pipelined).await
            }
            SslAnswer::Accept | SslAnswer::Refuse => {
                self.t.ssl_answer = Some("N".to_owned());
                self.write(b"N").await?;
                // Plaintext continues on this connection, with whatever was pipelined.
                self.buf = pipelined;
                Ok(())
            }
            SslAnswer::Error => {
                self.t.ssl_answer = Some("E".to_owned());
                let fields = ErrorFields::fatal("53300", "sorry, too many clients already");
                self.record_error(&fields);
                self.send(&[BackendMessage::ErrorResponse(fields)]).await?;
                Err(Stop(CloseReason::ScenarioClose))
            }
            SslAnswer::Close => {
                self.t.ssl_answer = Some("close".to_owned());
                Err(Stop(CloseReason::ScenarioClose))
            }
            SslAnswer::Garbage(bytes) => {
                self.t.ssl_answer = Some(format!(
                    "garbage ({} bytes, first {:?})",
                    bytes.len(),
                    bytes.first().map(|b| char::from(*b)).unwrap_or(' ')
                ));
                self.write(&bytes).await?;
                Err(Stop(CloseReason::ScenarioClose))
            }
            SslAnswer::AcceptWithInjected(bytes) => {
                self.t.ssl_answer = Some(format!("S+{} injected bytes", bytes.len()));
                let mut out = vec![b'S'];
                out.extend_from_slice(&bytes);
                self.write(&out).await?;
                if !has_tls {
                    return Err(Stop(CloseReason::ScenarioClose));
                }
                self.after_accept(pipelined).await
            }
        }
    }

    async fn after_accept(&mut self, pipelined: Vec<u8>) -> Step<()> {
        self.start_tls(false).await?;
        if !pipelined.is_empty() {
            return Err(self
                .fatal(
                    ErrorFields::fatal("08P01", "received unencrypted data after SSL request")
                        .with_detail(
                            "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.",
                        ),
                )
                .await);
        }
        Ok(())
    }

    /// The TLS handshake. For direct TLS the bytes already read are the start of the
    /// ClientHello and are replayed into the handshake; after SSLRequest they are not.
    async fn start_tls(&mut self, direct: bool) -> Step<()> {
        let Some(config) = self.shared.tls.clone() else {
            return Err(Stop(CloseReason::ScenarioClose));
        };
        let raw = self.io.take().ok_or(Stop(CloseReason::Io {
            error: "no transport".to_owned(),
        }))?;
        let prefix = if direct {
            std::mem::take(&mut self.buf)
        } else {
            Vec::new()
        };
        let stream = Rewind::new(prefix, raw);
        let mut outcome = TlsOutcome {
            direct,
            ..TlsOutcome::default()
        };
        let deadline = self.deadline;
        let acceptor =
            tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
        let start = match timeout_at(deadline, acceptor).await {
            Err(_) => {
                outcome.error = Some("timed out waiting for the ClientHello".to_owned());
                self.t.tls = Some(outcome);
                return Err(Stop(CloseReason::Timeout {
                    during: "TLS handshake".to_owned(),
                }));
            }
            Ok(Err(e)) => {
                describe_tls_error(&e, &mut outcome);
                self.t.tls = Some(outcome);
                return Err(Stop(CloseReason::TlsFailed));
            }
            Ok(Ok(start)) => start,
        };
        {
            let hello = start.client_hello();
            outcome.sni = hello.server_name().map(str::to_owned);
        }
        let handshake = start.into_stream(config);
        let tls = match timeout_at(deadline, handshake).await {
            Err(_) => {
                outcome.error = Some("timed out in the TLS handshake".to_owned());
                self.t.tls = Some(outcome);
                return Err(Stop(CloseReason::Timeout {
                    during: "TLS handshake".to_owned(),
                }));
            }
            Ok(Err(e)) => {
                describe_tls_error(&e, &mut outcome);
                self.t.tls = Some(outcome);
                return Err(Stop(CloseReason::TlsFailed));
            }
            Ok(Ok(tls)) => tls,
        };
        {
            let (_, conn) = tls.get_ref();
            outcome.established = true;
            outcome.version = conn.protocol_version().map(|v| match v {
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
                other => format!("{other:?}"),
            });
            outcome.cipher_suite = conn
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()));
            outcome.alpn = conn
                .alpn_protocol()
                .map(|a| String::from_utf8_lossy(a).into_owned());
            if let Some(sni) = conn.server_name() {
                outcome.sni = Some(sni.to_owned());
            }
            if let Some(cert) = conn.peer_certificates().and_then(|c| c.first()) {
                let details = pgtls_pki::CertDetails::from_der(cert.as_ref()).ok();
                outcome.client_certificate = Some(ClientCertificate {
                    common_name: details
                        .as_ref()
                        .and_then(|d| d.subject_cns.first().cloned()),
                    sha256: details
                        .map(|d| d.sha256_fingerprint)
                        .unwrap_or_else(|| "unparsable".to_owned()),
                });
                self.client_cert = Some(cert.clone().into_owned());
            }
        }
        self.t.tls = Some(outcome);
        self.io = Some(Box::new(tls));
        self.in_tls = true;
        Ok(())
    }

    // ------------------------------------------------------------------ startup and hba

    async fn startup(
        &mut self,
        (version, params): (ProtocolVersion, Vec<(String, String)>),
    ) -> Step<()> {
        self.t.protocol = Some(version.to_string());
        self.t.startup_params = params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let user = get("user").unwrap_or_default();
        if user.is_empty() {
            return Err(self
                .fatal(ErrorFields::fatal(
                    "28000",
                    "no PostgreSQL user name specified in startup packet",
                ))
                .await);
        }
        let replication = get("replication").unwrap_or_default();
        if !replication.is_empty() && !["false", "off", "no", "0"].contains(&replication.as_str()) {
            return Err(self
                .fatal(ErrorFields::fatal(
                    "0A000",
                    "the pgtls coordinator does not support replication connections",
                ))
                .await);
        }
        self.database = get("database")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| user.clone());
        self.user = user;
        let unknown_options: Vec<String> = params
            .iter()
            .filter(|(k, _)| k.starts_with("_pq_."))
            .map(|(k, _)| k.clone())
            .collect();
        if version.minor() > 0 || !unknown_options.is_empty() {
            self.send(&[BackendMessage::NegotiateProtocolVersion {
                newest_minor: 0,
                options: unknown_options,
            }])
            .await?;
        }
        Ok(())
    }

    async fn hba(&mut self) -> Step<()> {
        let encryption = match (self.shared.spec.hba, self.in_tls) {
            (Hba::HostSsl, false) => Some("no encryption"),
            (Hba::HostNoSsl, true) => Some("SSL encryption"),
            _ => None,
        };
        if let Some(enc) = encryption {
            let msg = format!(
                "no pg_hba.conf entry for host \"{}\", user \"{}\", database \"{}\", {enc}",
                self.peer_ip, self.user, self.database
            );
            return Err(self.fatal(ErrorFields::fatal("28000", msg)).await);
        }
        let needs_cert =
            self.shared.spec.require_client_cert || self.shared.spec.auth == AuthMethod::Cert;
        if needs_cert && self.client_cert.is_none() {
            return Err(self
                .fatal(ErrorFields::fatal(
                    "28000",
                    "connection requires a valid client certificate",
                ))
                .await);
        }
        Ok(())
    }

    // ------------------------------------------------------------------ authentication

    fn transport(&self) -> Transport {
        if self.in_tls {
            Transport::Tls
        } else {
            Transport::Plaintext
        }
    }

    fn expose(&mut self, kind: CredentialKind, matches_password: Option<bool>) {
        let exposure = CredentialExposure {
            kind,
            transport: self.transport(),
            to_attacker: self.shared.spec.attacker,
            matches_password,
        };
        self.t.credentials_exposed.push(exposure);
    }

    async fn password_failed(&mut self) -> Stop {
        let msg = format!("password authentication failed for user \"{}\"", self.user);
        self.fatal(ErrorFields::fatal("28P01", msg)).await
    }

    async fn authenticate(&mut self) -> Step<()> {
        let method = self.shared.spec.auth;
        self.t.auth.method = Some(method.keyword().to_owned());
        match method {
            AuthMethod::Trust => Ok(()),
            AuthMethod::Cert => {
                let cn = self
                    .client_cert
                    .as_ref()
                    .and_then(|c| pgtls_pki::CertDetails::from_der(c.as_ref()).ok())
                    .and_then(|d| d.subject_cns.first().cloned());
                if cn.as_deref() == Some(self.user.as_str()) {
                    Ok(())
                } else {
                    let msg = format!(
                        "certificate authentication failed for user \"{}\"",
                        self.user
                    );
                    Err(self.fatal(ErrorFields::fatal("28000", msg)).await)
                }
            }
            AuthMethod::Password => {
                self.t
                    .auth
                    .messages
                    .push("AuthenticationCleartextPassword".to_owned());
                self.send(&[BackendMessage::Authentication(
                    Authentication::CleartextPassword,
                )])
                .await?;
                let given = self.read_password().await?;
                let expected = self.shared.spec.password.clone();
                let ok = expected.as_deref().map(str::as_bytes) == Some(given.as_slice());
                self.expose(CredentialKind::Cleartext, Some(ok));
                if ok {
                    Ok(())
                } else {
                    Err(self.password_failed().await)
                }
            }
            AuthMethod::Md5 => {
                let salt = random_array::<4>();
                self.t
                    .auth
                    .messages
                    .push("AuthenticationMD5Password".to_owned());
                self.send(&[BackendMessage::Authentication(
                    Authentication::Md5Password { salt },
                )])
                .await?;
                let given = self.read_password().await?;
                let ok = self
                    .shared
                    .spec
                    .password
                    .as_deref()
                    .map(|p| md5_password(p, &self.user, &salt))
                    .is_some_and(|expected| expected.as_bytes() == given.as_slice());
                self.expose(CredentialKind::Md5, Some(ok));
                if ok {
                    Ok(())
                } else {
                    Err(self.password_failed().await)
                }
            }
            AuthMethod::ScramSha256 => self.scram().await,
        }
    }

    async fn read_password(&mut self) -> Step<Vec<u8>> {
        match self
            .read_message(PasswordContext::Password, "authentication")
            .await?
        {
            FrontendMessage::Password(p) => {
                self.t.auth.messages.push("PasswordMessage".to_owned());
                Ok(p)
            }
            other => {
                let msg = format!(
                    "expected password response, got message type {}",
                    other.tag()
                );
                Err(self.fatal(ErrorFields::fatal("08P01", msg)).await)
            }
        }
    }

    async fn scram(&mut self) -> Step<()> {
        let mut mechanisms = Vec::new();
        if self.in_tls {
            mechanisms.push(pgtls_scram::SCRAM_SHA_256_PLUS.to_owned());
        }
        mechanisms.push(pgtls_scram::SCRAM_SHA_256.to_owned());
        self.t.auth.mechanisms_offered = mechanisms.clone();
        self.t.auth.messages.push("AuthenticationSASL".to_owned());
        self.send(&[BackendMessage::Authentication(Authentication::Sasl {
            mechanisms,
        })])
        .await?;

        let (mechanism, data) = match self
            .read_message(PasswordContext::SaslInitial, "authentication")
            .await?
        {
            FrontendMessage::SaslInitialResponse { mechanism, data } => (mechanism, data),
            other => {
                let msg = format!("expected SASL response, got message type {}", other.tag());
                return Err(self.fatal(ErrorFields::fatal("08P01", msg)).await);
            }
        };
        self.t.auth.messages.push("SASLInitialResponse".to_owned());
        self.t.auth.mechanism_chosen = Some(mechanism.clone());
        let data = data.unwrap_or_default();
        self.t.auth.channel_binding = match data.first() {
            Some(b'n') => Some("n".to_owned()),
            Some(b'y') => Some("y".to_owned()),
            Some(b'p') => Some(pgtls_scram::TLS_SERVER_END_POINT.to_owned()),
            _ => None,
        };

        let binding = if self.in_tls {
            self.shared.binding.clone()
        } else {
            None
        };
        let verifier = self.shared.scram_verifier().clone();
        let mut server = crate::scram::Server::new(verifier, &self.user, binding);
        let server_first = match server.client_first(&mechanism, &data) {
            Ok(s) => s,
            Err(e) => return Err(self.fatal(e).await),
        };
        self.t
            .auth
            .messages
            .push("AuthenticationSASLContinue".to_owned());
        self.send(&[BackendMessage::Authentication(
            Authentication::SaslContinue(server_first.into_bytes()),
        )])
        .await?;

        let client_final = match self
            .read_message(PasswordContext::SaslResponse, "authentication")
            .await?
        {
            FrontendMessage::SaslResponse(d) => d,
            other => {
                let msg = format!("expected SASL response, got message type {}", other.tag());
                return Err(self.fatal(ErrorFields::fatal("08P01", msg)).await);
            }
        };
        self.t.auth.messages.push("SASLResponse".to_owned());
        let result = server.client_final(&client_final);
        if let Some(matches) = result.proof_present {
            self.expose(CredentialKind::ScramProof, matches);
        }
        match result.outcome {
            Ok(server_final) => {
                self.t
                    .auth
                    .messages
                    .push("AuthenticationSASLFinal".to_owned());
                self.send(&[BackendMessage::Authentication(Authentication::SaslFinal(
                    server_final.into_bytes(),
                ))])
                .await?;
                Ok(())
            }
            Err(e) => Err(self.fatal(e).await),
        }
    }

    // ------------------------------------------------------------------ session

    async fn ready(&mut self) -> Step<()> {
        self.t.auth.ok = true;
        self.t.auth.messages.push("AuthenticationOk".to_owned());
        let app = self
            .t
            .startup_params
            .iter()
            .find(|(k, _)| k == "application_name")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let ps = |name: &str, value: &str| BackendMessage::ParameterStatus {
            name: name.to_owned(),
            value: value.to_owned(),
        };
        let user = self.user.clone();
        let messages = vec![
            BackendMessage::Authentication(Authentication::Ok),
            ps("application_name", &app),
            ps("client_encoding", "UTF8"),
            ps("DateStyle", "ISO, MDY"),
            ps("default_transaction_read_only", "off"),
            ps("in_hot_standby", "off"),
            ps("integer_datetimes", "on"),
            ps("IntervalStyle", "postgres"),
            ps("is_superuser", "off"),
            ps("server_encoding", "UTF8"),
            ps("server_version", &self.shared.spec.server_version),
            ps("session_authorization", &user),
            ps("standard_conforming_strings", "on"),
            ps("TimeZone", "UTC"),
            BackendMessage::BackendKeyData {
                pid: 10_000u32
                    .saturating_add(u32::try_from(self.t.connection % 50_000).unwrap_or(0)),
                key: random_array::<4>().to_vec(),
            },
            BackendMessage::ReadyForQuery(b'I'),
        ];
        self.send(&messages).await?;
        self.t.ready = true;
        Ok(())
    }

    async fn session(&mut self) -> Step<()> {
        let mut skipping_to_sync = false;
        loop {
            self.deadline = Instant::now() + self.shared.spec.limits.idle;
            let msg = match self
                .read_message(PasswordContext::Password, "session")
                .await
            {
                Ok(m) => m,
                Err(stop) => return Err(stop),
            };
            match msg {
                FrontendMessage::Terminate => return Ok(()),
                FrontendMessage::Query(q) => {
                    if self.t.queries.len() < MAX_QUERIES {
                        self.t
                            .queries
                            .push(q.chars().take(MAX_QUERY_CHARS).collect());
                    }
                    let answer = self.answer_query(&q);
                    self.send(&answer).await?;
                }
                FrontendMessage::Unknown { tag: b'S', .. } => {
                    skipping_to_sync = false;
                    self.send(&[BackendMessage::ReadyForQuery(b'I')]).await?;
                }
                FrontendMessage::Unknown { tag: b'H', .. } => {}
                FrontendMessage::Unknown {
                    tag: tag @ (b'P' | b'B' | b'E' | b'D' | b'C'),
                    ..
                } => {
                    if !skipping_to_sync {
                        skipping_to_sync = true;
                        let fields = ErrorFields::error(
                            "0A000",
                            format!(
                                "the pgtls coordinator supports only the simple query protocol (got message type {})",
                                char::from(tag)
                            ),
                        );
                        self.record_error(&fields);
                        self.send(&[BackendMessage::ErrorResponse(fields)]).await?;
                    }
                }
                other => {
                    let msg = format!("invalid frontend message type {}", other.tag());
                    return Err(self.fatal(ErrorFields::fatal("08P01", msg)).await);
                }
            }
        }
    }

    fn answer_query(&mut self, query: &str) -> Vec<BackendMessage> {
        let q = query
            .trim()
            .trim_end_matches(';')
            .trim()
            .to_ascii_lowercase();
        if q.is_empty() {
            return vec![
                BackendMessage::EmptyQueryResponse,
                BackendMessage::ReadyForQuery(b'I'),
            ];
        }
        let (name, type_oid, type_size, value) = if q == "select 1" {
            ("?column?", 23, 4, "1".to_owned())
        } else if q == "select version()" {
            (
                "version",
                25,
                -1,
                format!(
                    "PostgreSQL {} (pgtls coordinator, scenario {})",
                    self.shared.spec.server_version, self.shared.spec.name
                ),
            )
        } else {
            (
                "pgtls",
                25,
                -1,
                format!("scenario {}", self.shared.spec.name),
            )
        };
        vec![
            BackendMessage::RowDescription(vec![FieldDescription {
                name: name.to_owned(),
                table_oid: 0,
                column_id: 0,
                type_oid,
                type_size,
                type_modifier: -1,
                format: 0,
            }]),
            BackendMessage::DataRow(vec![Some(value.into_bytes())]),
            BackendMessage::CommandComplete("SELECT 1".to_owned()),
            BackendMessage::ReadyForQuery(b'I'),
        ]
    }
}

fn io_reason(e: &io::Error) -> CloseReason {
    match e.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionAborted => CloseReason::ClientClosed {
            during: format!("I/O ({e})"),
        },
        _ => CloseReason::Io {
            error: e.to_string(),
        },
    }
}

fn decode_text(e: &DecodeError) -> String {
    e.to_string()
}

/// Fills in what a failed handshake tells: the client's alert, or rustls's error.
fn describe_tls_error(e: &io::Error, outcome: &mut TlsOutcome) {
    let rustls_error = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::AlertReceived(alert)) => {
            outcome.client_alert = Some(format!("{alert:?}"));
            outcome.error = Some(format!(
                "the client aborted the handshake with alert {alert:?}"
            ));
        }
        Some(other) => outcome.error = Some(other.to_string()),
        None => outcome.error = Some(e.to_string()),
    }
}

/// `md5` + hex(md5(hex(md5(password + user)) + salt)), as PostgreSQL computes it.
fn md5_password(password: &str, user: &str, salt: &[u8; 4]) -> String {
    use md5::{Digest, Md5};
    let inner = hex_lower(
        &Md5::new()
            .chain_update(password)
            .chain_update(user)
            .finalize(),
    );
    let outer = Md5::new()
        .chain_update(inner.as_bytes())
        .chain_update(salt)
        .finalize();
    format!("md5{}", hex_lower(&outer))
}

fn hex_lower(bytes: &[u8]) -> String {
    crate::spec::hex(bytes)
}

/// Random bytes from the system RNG (all-zero if it fails, which only weakens a test server).
pub(crate) fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if aws_lc_rs::rand::fill(&mut out).is_err() {
        tracing::warn!("system RNG failed; using zero bytes");
    }
    out
}

/// A stream that yields `prefix` before reading from `inner` (bytes read before we knew the
/// connection was direct TLS).
struct Rewind {
    prefix: Vec<u8>,
    pos: usize,
    inner: Box<dyn Io>,
}

impl Rewind {
    fn new(prefix: Vec<u8>, inner: Box<dyn Io>) -> Rewind {
        Rewind {
            prefix,
            pos: 0,
            inner,
        }
    }
}

impl AsyncRead for Rewind {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = this.prefix.get(this.pos..).filter(|r| !r.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(rest.get(..n).unwrap_or_default());
            this.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewind {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_password_matches_postgres_formula() {
        // Computed independently with Python's hashlib:
        // "md5" + md5(md5(b"passwordmd5_user").hexdigest() + b"\x01\x02\x03\x04").hexdigest()
        assert_eq!(
            md5_password("password", "md5_user", &[1, 2, 3, 4]),
            "md580a32c6f038b79de232354a2ee7060eb"
        );
    }
}
