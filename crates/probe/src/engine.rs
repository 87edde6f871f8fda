//! The attempt engine: hosts in order, each address, and for each the connections libpq 15
//! would open for the sslmode (one retry per address, as `allow_ssl_try` / `wait_ssl_try`).
//! The I/O lives here; every decision is in [`crate::machine`], [`crate::gate`] and
//! [`crate::failure::next_move`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use pgtls_conninfo::{HostTarget, Policy, Settings, SslNegotiation};
use pgtls_pki::details::CertDetails;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use crate::auth::AuthConfig;
use crate::diagnosis::{Attempt, Check, CheckResult, Diagnosis, PinReport, Timings};
use crate::failure::{next_move, Failure, FailureKind, NextMove};
use crate::gate::{AcceptedTransport, HostnameCheck, PinCheck, TlsFacts};
use crate::machine::{ConvConfig, Conversation, OutKind, Start, Step};
use crate::tls::{self, CapturingVerifier, TlsInfo};
use crate::trust;
use crate::{report, ProbeOptions, Secret};

/// A bidirectional byte stream the engine can talk over.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Where one connection goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A TCP address.
    Tcp(SocketAddr),
    /// A Unix-domain socket path.
    Unix(String),
}

/// libpq's `connection to server ... failed: ` prefix.
pub fn attempt_prefix(target: &HostTarget, endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Unix(path) => format!("connection to server on socket \"{path}\" failed: "),
        Endpoint::Tcp(addr) => {
            let ip = addr.ip().to_string();
            match (&target.hostaddr, &target.host) {
                (Some(ha), _) => format!(
                    "connection to server at \"{ha}\", port {} failed: ",
                    target.port
                ),
                (None, Some(h)) if *h != ip => format!(
                    "connection to server at \"{h}\" ({ip}), port {} failed: ",
                    target.port
                ),
                _ => format!(
                    "connection to server at \"{ip}\", port {} failed: ",
                    target.port
                ),
            }
        }
    }
}

/// libpq's compiled-in socket directory (Debian's).
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

async fn resolve(target: &HostTarget, deadline: Instant) -> Result<Vec<Endpoint>, Failure> {
    if target.is_unix_socket() {
        let dir = target
            .host
            .clone()
            .unwrap_or_else(|| DEFAULT_SOCKET_DIR.into());
        return Ok(vec![Endpoint::Unix(format!(
            "{dir}/.s.PGSQL.{}",
            target.port
        ))]);
    }
    let Some(name) = target.connect_target() else {
        return Err(Failure::new(FailureKind::Resolve, "no host to connect to"));
    };
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(vec![Endpoint::Tcp(SocketAddr::new(ip, target.port))]);
    }
    let lookup = tokio::net::lookup_host((name.to_owned(), target.port));
    match tokio::time::timeout_at(deadline, lookup).await {
        Ok(Ok(addrs)) => {
            let v: Vec<Endpoint> = addrs.map(Endpoint::Tcp).collect();
            if v.is_empty() {
                Err(resolve_failure(name, "Name or service not known"))
            } else {
                Ok(v)
            }
        }
        Ok(Err(e)) => {
            let text = e.to_string();
            let reason = text
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&text)
                .to_owned();
            Err(resolve_failure(name, &reason))
        }
        Err(_) => Err(Failure::new(FailureKind::Timeout, "timeout expired")),
    }
}

fn resolve_failure(name: &str, reason: &str) -> Failure {
    Failure::new(
        FailureKind::Resolve,
        format!("could not translate host name \"{name}\" to address: {reason}"),
    )
}

async fn connect(endpoint: &Endpoint, deadline: Instant) -> Result<Box<dyn Io>, Failure> {
    let res: std::io::Result<Box<dyn Io>> = match endpoint {
        Endpoint::Tcp(addr) => {
            match tokio::time::timeout_at(deadline, tokio::net::TcpStream::connect(addr)).await {
                Err(_) => return Err(Failure::new(FailureKind::Timeout, "timeout expired")),
                Ok(r) => r.map(|s| {
                    let _ = s.set_nodelay(true);
                    Box::new(s) as Box<dyn Io>
                }),
            }
        }
        #[cfg(unix)]
        Endpoint::Unix(path) => {
            match tokio::time::timeout_at(deadline, tokio::net::UnixStream::connect(path)).await {
                Err(_) => return Err(Failure::new(FailureKind::Timeout, "timeout expired")),
                Ok(r) => r.map(|s| Box::new(s) as Box<dyn Io>),
            }
        }
        #[cfg(not(unix))]
        Endpoint::Unix(_) => Err(std::io::Error::other(
            "Unix-domain sockets are not supported",
        )),
    };
    res.map_err(|e| {
        let hint = match endpoint {
            Endpoint::Unix(_) => {
                "\tIs the server running locally and accepting connections on that socket?"
            }
            Endpoint::Tcp(_) => {
                "\tIs the server running on that host and accepting TCP/IP connections?"
            }
        };
        Failure::new(
            FailureKind::Connect,
            format!("{}\n{hint}", tls::strerror(&e)),
        )
    })
}

/// Everything fixed for the whole probe.
pub(crate) struct Ctx<'a> {
    pub settings: &'a Settings,
    pub policy: Policy,
    pub opts: &'a ProbeOptions,
    pub pin: Option<Vec<u8>>,
    /// Warnings libpq prints on stderr (ignored password file...).
    pub warnings: std::sync::Mutex<Vec<String>>,
}

impl Ctx<'_> {
    /// The password for this slot: given, else the password file (libpq's `passwordFromFile`).
    fn password(&self, target: &HostTarget) -> (Option<Secret>, Option<String>) {
        let s = self.settings;
        if let Some(p) = &s.password {
            return (Some(Secret::new(p.clone())), None);
        }
        let file = s
            .value_of("passfile")
            .map(|(v, _)| std::path::PathBuf::from(v))
            .or_else(|| self.opts.default_passfile.clone());
        let Some(file) = file else {
            return (None, None);
        };
        let host = target.host.as_deref().or(target.hostaddr.as_deref());
        match crate::pgpass::lookup(&file, host, target.port, &s.dbname, &s.user) {
            Ok(Some(p)) => (Some(Secret::new(p)), Some(file.display().to_string())),
            Ok(None) => (None, None),
            Err(warning) => {
                if let Ok(mut w) = self.warnings.lock() {
                    if !w.contains(&warning) {
                        w.push(warning);
                    }
                }
                (None, None)
            }
        }
    }

    /// The conversation's configuration, and the password file the password came from.
    fn conv_config(&self, policy: Policy, target: &HostTarget) -> (ConvConfig, Option<String>) {
        let s = self.settings;
        let (password, from_file) = self.password(target);
        let mut params = vec![
            ("user".to_owned(), s.user.clone()),
            ("database".to_owned(), s.dbname.clone()),
        ];
        if let Some(app) = s
            .application_name
            .clone()
            .or_else(|| s.fallback_application_name.clone())
        {
            params.push(("application_name".to_owned(), app));
        }
        let cfg = ConvConfig {
            policy,
            pinned: self.pin.is_some(),
            startup_params: params,
            auth: AuthConfig {
                user: s.user.clone(),
                password,
                channel_binding: s.channel_binding,
                require_auth: s.require_auth,
                require_auth_text: s
                    .value_of("require_auth")
                    .map(|(v, _)| v.to_owned())
                    .unwrap_or_default(),
                nonce: self.opts.scram_nonce,
            },
        };
        (cfg, from_file)
    }

    fn tls_start(&self) -> Start {
        if self.settings.sslnegotiation == SslNegotiation::Postgres {
            Start::SslRequest
        } else {
            Start::DirectTls
        }
    }
}

/// Runs every attempt libpq would make and builds the diagnosis.
pub(crate) async fn run(ctx: Ctx<'_>) -> Diagnosis {
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut outcome: Option<AcceptedTransport> = None;
    let timeout = ctx.settings.connect_timeout.unwrap_or(ctx.opts.io_timeout);

    'hosts: for target in &ctx.settings.hosts {
        let started = Instant::now();
        let display_host = target
            .hostaddr
            .clone()
            .or_else(|| target.host.clone())
            .unwrap_or_else(|| DEFAULT_SOCKET_DIR.to_owned());
        let endpoints = match resolve(target, started + timeout).await {
            Ok(e) => e,
            Err(f) => {
                errors.push(f.message.clone());
                let mut a = empty_attempt(&display_host, None, target.port, Start::Plaintext);
                a.timings.resolve_ms = Some(ms(started));
                a.timings.total_ms = ms(started);
                a.libpq_error = Some(f.message.clone());
                a.error = Some(f);
                a.next = Some(NextMove::NextHost);
                attempts.push(a);
                continue 'hosts;
            }
        };
        let resolve_ms = ms(started);
        'addrs: for endpoint in endpoints {
            let unix = matches!(endpoint, Endpoint::Unix(_));
            // libpq never negotiates TLS over a Unix socket, whatever the sslmode.
            let mut policy = ctx.policy;
            if unix {
                policy.plaintext_allowed = true;
            }
            let deadline = Instant::now() + timeout;
            let mut retried = false;
            let mut start =
                if unix || policy.first_transport == pgtls_conninfo::Transport::Plaintext {
                    Start::Plaintext
                } else {
                    ctx.tls_start()
                };
            loop {
                let mut a = one_connection(&ctx, policy, target, &endpoint, start, deadline).await;
                if attempts.is_empty() {
                    a.timings.resolve_ms = Some(resolve_ms);
                }
                match a.error.clone() {
                    None => {
                        outcome = a.transport;
                        attempts.push(a);
                        break 'hosts;
                    }
                    Some(f) => {
                        let line = format!("{}{}", attempt_prefix(target, &endpoint), f.message);
                        errors.push(line.clone());
                        a.libpq_error = Some(line);
                        let tls_attempted = !matches!(a.start, Start::Plaintext);
                        let tls_in_use = a.transport == Some(AcceptedTransport::Tls);
                        let mv = next_move(
                            &policy,
                            f.kind,
                            f.sqlstate.as_deref(),
                            tls_attempted,
                            tls_in_use,
                            retried,
                        );
                        a.next = Some(mv);
                        attempts.push(a);
                        match mv {
                            NextMove::ReconnectPlaintext => {
                                retried = true;
                                start = Start::Plaintext;
                            }
                            NextMove::ReconnectTls => {
                                retried = true;
                                start = ctx.tls_start();
                            }
                            NextMove::NextAddress => continue 'addrs,
                            NextMove::NextHost => continue 'hosts,
                            NextMove::Stop => break 'hosts,
                        }
                    }
                }
            }
        }
    }
    report::build(&ctx, attempts, errors, outcome)
}

fn empty_attempt(host: &str, addr: Option<String>, port: u16, start: Start) -> Attempt {
    Attempt {
        host: host.to_owned(),
        addr,
        port,
        start,
        transport: None,
        conversation: Default::default(),
        tls: None,
        chain: Vec::new(),
        checks: Vec::new(),
        timings: Timings::default(),
        error: None,
        libpq_error: None,
        next: None,
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

async fn one_connection(
    ctx: &Ctx<'_>,
    policy: Policy,
    target: &HostTarget,
    endpoint: &Endpoint,
    start: Start,
    deadline: Instant,
) -> Attempt {
    let begun = Instant::now();
    let host = target
        .hostaddr
        .clone()
        .or_else(|| target.host.clone())
        .unwrap_or_else(|| DEFAULT_SOCKET_DIR.to_owned());
    let addr = match endpoint {
        Endpoint::Tcp(a) => Some(a.ip().to_string()),
        Endpoint::Unix(p) => Some(p.clone()),
    };
    let mut a = empty_attempt(&host, addr, target.port, start);
    match connect(endpoint, deadline).await {
        Err(f) => {
            a.timings.tcp_ms = Some(ms(begun));
            a.timings.total_ms = ms(begun);
            a.error = Some(f);
        }
        Ok(stream) => {
            a.timings.tcp_ms = Some(ms(begun));
            converse(ctx, policy, target, stream, start, deadline, &mut a).await;
            a.timings.total_ms = ms(begun);
        }
    }
    a
}

enum Link {
    Plain(Box<dyn Io>),
    Tls(Box<tokio_rustls::client::TlsStream<Box<dyn Io>>>),
    Gone,
}

impl Link {
    async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Link::Plain(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Link::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Link::Gone => Err(std::io::Error::other("connection closed")),
        }
    }

    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Link::Plain(s) => s.read(buf).await,
            Link::Tls(s) => s.read(buf).await,
            Link::Gone => Ok(0),
        }
    }

    fn is_tls(&self) -> bool {
        matches!(self, Link::Tls(_))
    }
}

/// Runs one connection's conversation over `stream` (any byte stream: TCP, Unix, duplex).
pub(crate) async fn converse(
    ctx: &Ctx<'_>,
    policy: Policy,
    target: &HostTarget,
    stream: Box<dyn Io>,
    start: Start,
    deadline: Instant,
    a: &mut Attempt,
) {
    let (cfg, passfile) = ctx.conv_config(policy, target);
    let mut conv = Conversation::new(cfg, start);
    let mut link = Link::Plain(stream);
    let mut buf = vec![0u8; 16 * 1024];
    let mut phase_start = Instant::now();
    let timeout = || Failure::new(FailureKind::Timeout, "timeout expired");
    let result: Result<(), Failure> = loop {
        match conv.next_step() {
            Step::Send(out) => {
                if out.kind == OutKind::Startup {
                    phase_start = Instant::now();
                }
                let what = match out.kind {
                    OutKind::SslRequest => "could not send SSL negotiation packet",
                    OutKind::Startup => "could not send startup packet",
                    OutKind::Auth | OutKind::Terminate => "could not send data to server",
                };
                match tokio::time::timeout_at(deadline, link.write_all(&out.bytes)).await {
                    Err(_) => break Err(timeout()),
                    Ok(Err(e)) if out.kind != OutKind::Terminate => {
                        break Err(Failure::new(
                            FailureKind::Protocol,
                            format!("{what}: {}", tls::strerror(&e)),
                        ))
                    }
                    Ok(_) => {}
                }
                if out.kind == OutKind::SslRequest {
                    phase_start = Instant::now();
                }
            }
            Step::ReadSslResponse => {
                match tokio::time::timeout_at(deadline, link.read(&mut buf)).await {
                    Err(_) => break Err(timeout()),
                    Ok(Err(e)) => {
                        break Err(Failure::new(
                            FailureKind::Negotiation,
                            format!("could not receive data from server: {}", tls::strerror(&e)),
                        ))
                    }
                    Ok(Ok(n)) => conv.ssl_response(buf.get(..n).unwrap_or_default()),
                }
                a.timings.ssl_negotiation_ms = Some(ms(phase_start));
            }
            Step::StartTls => {
                let t0 = Instant::now();
                let plain = std::mem::replace(&mut link, Link::Gone);
                let Link::Plain(stream) = plain else {
                    break Err(Failure::new(FailureKind::Protocol, "TLS requested twice"));
                };
                match start_tls(ctx, policy, target, stream, deadline, a).await {
                    Ok((tls_stream, facts, leaf)) => {
                        link = Link::Tls(Box::new(tls_stream));
                        conv.tls_established(facts, leaf);
                    }
                    Err(f) => conv.tls_failed(f),
                }
                a.timings.tls_ms = Some(ms(t0));
            }
            Step::Read => match tokio::time::timeout_at(deadline, link.read(&mut buf)).await {
                Err(_) => break Err(timeout()),
                Ok(Ok(n)) => conv.feed(buf.get(..n).unwrap_or_default()),
                Ok(Err(e)) => {
                    let text = if link.is_tls() {
                        if e.kind() == std::io::ErrorKind::UnexpectedEof {
                            "SSL SYSCALL error: EOF detected".to_owned()
                        } else if let Some(t) =
                            e.get_ref().and_then(|x| x.downcast_ref::<rustls::Error>())
                        {
                            tls::rustls_error_text(t).0
                        } else {
                            format!("SSL SYSCALL error: {}", tls::strerror(&e))
                        }
                    } else {
                        format!("could not receive data from server: {}", tls::strerror(&e))
                    };
                    conv.read_failed(Failure::new(FailureKind::Protocol, text));
                }
            },
            Step::Connected => break Ok(()),
            Step::Failed(f) => break Err(f),
        }
    };
    if conv.accepted().is_some() {
        a.timings.startup_auth_ms = Some(ms(phase_start));
    }
    a.transport = conv.accepted();
    a.conversation = conv.record.clone();
    if let Err(mut f) = result {
        // libpq's pgpassfileWarning.
        if let (Some(file), Some("28P01")) = (&passfile, f.sqlstate.as_deref()) {
            f.message
                .push_str(&format!("\npassword retrieved from file \"{file}\""));
        }
        a.error = Some(f);
    }
    if let Link::Tls(mut s) = link {
        let _ = tokio::time::timeout(Duration::from_millis(200), s.shutdown()).await;
    }
}

/// libpq's `initialize_SSL` + handshake + post-handshake checks.
async fn start_tls(
    ctx: &Ctx<'_>,
    policy: Policy,
    target: &HostTarget,
    stream: Box<dyn Io>,
    deadline: Instant,
    a: &mut Attempt,
) -> Result<
    (
        tokio_rustls::client::TlsStream<Box<dyn Io>>,
        TlsFacts,
        Option<Vec<u8>>,
    ),
    Failure,
> {
    let settings = ctx.settings;
    let roots = trust::load_roots(settings, &policy)?;
    let identity = tls::load_client_identity(settings)?;
    let has_identity = identity.is_some();
    let sni_name = if settings.sslsni {
        target.sni_name().map(str::to_owned)
    } else {
        None
    };
    let (inner, report_slot) = trust::verifier(&roots, target.host.clone());
    let (verifier, captured) = CapturingVerifier::new(inner);
    let config = tls::client_config(settings, verifier, identity, sni_name.is_some())?;
    let server_name = sni_name
        .as_deref()
        .and_then(|n| ServerName::try_from(n.to_owned()).ok())
        .or_else(|| {
            target
                .connect_target()
                .and_then(|h| h.parse::<IpAddr>().ok())
                .map(ServerName::from)
        })
        .unwrap_or_else(|| ServerName::try_from("pgtls.invalid").expect("static name"));
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = tokio::time::timeout_at(deadline, connector.connect(server_name, stream)).await;
    let chain_der: Vec<CertificateDer<'static>> =
        captured.lock().map(|c| c.chain.clone()).unwrap_or_default();
    let chain_report = report_slot.lock().ok().and_then(|mut r| r.take());
    a.chain = chain_der
        .iter()
        .filter_map(|c| CertDetails::from_der(c).ok())
        .collect();
    let hostname = evaluate_hostname(target, chain_der.first(), policy.verify_hostname);
    let pin = ctx
        .pin
        .as_ref()
        .map(|p| pin_check(p, &chain_der, chain_report.as_ref()));
    a.checks = report::checks(
        &policy,
        &roots,
        chain_report.as_ref(),
        &hostname,
        pin.as_ref(),
    );
    let chain_verified = chain_report.as_ref().map(|r| r.verified);
    let tls_stream = match handshake {
        Err(_) => return Err(Failure::new(FailureKind::Timeout, "timeout expired")),
        Ok(Err(e)) => return Err(tls::handshake_failure(settings, &e)),
        Ok(Ok(s)) => s,
    };
    let (_, conn) = tls_stream.get_ref();
    let info = TlsInfo {
        version: match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".into(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".into(),
            Some(v) => format!("{v:?}"),
            None => String::new(),
        },
        cipher_suite: conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default(),
        key_exchange_group: conn
            .negotiated_key_exchange_group()
            .map(|g| format!("{:?}", g.name())),
        alpn: conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        alpn_offered: vec!["postgresql".into()],
        sni: sni_name.clone(),
        client_certificate_sent: has_identity,
    };
    let direct = settings.sslnegotiation != SslNegotiation::Postgres;
    let alpn = conn.alpn_protocol().map(<[u8]>::to_vec);
    a.tls = Some(info);
    if direct {
        match alpn.as_deref() {
            None => return Err(Failure::new(
                FailureKind::Handshake,
                "direct SSL connection was established without ALPN protocol negotiation extension",
            )),
            Some(p) if p != tls::ALPN_POSTGRESQL => {
                return Err(Failure::new(
                    FailureKind::Handshake,
                    "SSL connection was established with unexpected ALPN protocol",
                ))
            }
            _ => {}
        }
    }
    let leaf = chain_der.first().map(|c| c.to_vec());
    if leaf.is_none() {
        return Err(Failure::new(
            FailureKind::Handshake,
            "certificate could not be obtained: no peer certificate",
        ));
    }
    let facts = TlsFacts {
        chain_verified,
        root_file_loaded: roots.loaded(),
        hostname: if policy.verify_hostname {
            hostname
        } else {
            HostnameCheck::NotRequired
        },
        unencrypted_data: false,
        pin: pin.unwrap_or(PinCheck::NotRequested),
    };
    Ok((tls_stream, facts, leaf))
}

/// The verify-full name check (computed always, for the diagnosis).
fn evaluate_hostname(
    target: &HostTarget,
    leaf: Option<&CertificateDer<'static>>,
    required: bool,
) -> HostnameCheck {
    let Some(host) = target.host.as_deref().filter(|h| !h.is_empty()) else {
        return HostnameCheck::Failed(
            "host name must be specified for a verified SSL connection".into(),
        );
    };
    let Some(leaf) = leaf else {
        return if required {
            HostnameCheck::Failed("certificate could not be obtained".into())
        } else {
            HostnameCheck::NotRequired
        };
    };
    match crate::verify::match_hostname(leaf, host) {
        Ok(()) => HostnameCheck::Passed,
        Err(m) => HostnameCheck::Failed(m),
    }
}

fn pin_check(
    pin: &[u8],
    chain: &[CertificateDer<'static>],
    chain_report: Option<&crate::verify::ChainReport>,
) -> PinCheck {
    let sha = |c: &[u8]| pgtls_pki::fingerprint::Digest::Sha256.digest(c);
    let expected = pgtls_pki::fingerprint::colon_hex(pin);
    // The leaf, or any CA the server presented...
    for (i, c) in chain.iter().enumerate() {
        if sha(c) == pin && (i == 0 || CertDetails::from_der(c).map(|d| d.is_ca).unwrap_or(false)) {
            return PinCheck::Matched;
        }
    }
    // ...or any CA of the chain OpenSSL built (the anchor from the root file included).
    if let Some(r) = chain_report {
        let hit = r.chain.iter().any(|c| {
            c.details.as_ref().is_some_and(|d| {
                d.sha256_fingerprint.eq_ignore_ascii_case(&expected) && (c.depth == 0 || d.is_ca)
            })
        });
        if hit {
            return PinCheck::Matched;
        }
    }
    PinCheck::Mismatched(format!(
        "server certificate chain does not contain the pinned SHA-256 fingerprint {expected}"
    ))
}

pub(crate) fn check(
    name: &str,
    result: CheckResult,
    required: bool,
    reason: impl Into<String>,
) -> Check {
    Check {
        name: name.to_owned(),
        result,
        required,
        reason: reason.into(),
    }
}

pub(crate) fn pin_report(pin: &[u8], attempts: &[Attempt]) -> PinReport {
    let expected = pgtls_pki::fingerprint::colon_hex(pin);
    let matched = attempts.iter().rev().find_map(|a| {
        a.checks
            .iter()
            .find(|c| c.name == "fingerprint")
            .map(|c| c.result == CheckResult::Pass)
    });
    let which = attempts.iter().rev().find_map(|a| {
        a.chain
            .iter()
            .position(|c| c.sha256_fingerprint.eq_ignore_ascii_case(&expected))
            .map(|i| {
                if i == 0 {
                    "leaf".to_owned()
                } else {
                    format!("chain certificate #{i}")
                }
            })
    });
    PinReport {
        expected,
        matched: matched.unwrap_or(false),
        matched_certificate: if matched == Some(true) {
            Some(which.unwrap_or_else(|| "root from sslrootcert".into()))
        } else {
            None
        },
    }
}

/// Runs the conversation for a single connection over a caller-provided stream (for tests with
/// `tokio::io::duplex` and for other transports). The attempt has no libpq prefix or retry.
pub async fn probe_stream<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    settings: &Settings,
    opts: &ProbeOptions,
    stream: S,
    start: Start,
) -> Attempt {
    let ctx = Ctx {
        settings,
        policy: settings.policy(),
        opts,
        pin: opts.pin_bytes(),
        warnings: Default::default(),
    };
    let target = settings.hosts.first().cloned().unwrap_or(HostTarget {
        host: Some("localhost".into()),
        hostaddr: None,
        port: pgtls_conninfo::DEFAULT_PORT,
    });
    let deadline = Instant::now() + settings.connect_timeout.unwrap_or(opts.io_timeout);
    let mut a = empty_attempt(
        target.host.as_deref().unwrap_or("stream"),
        None,
        target.port,
        start,
    );
    let t0 = Instant::now();
    converse(
        &ctx,
        ctx.policy,
        &target,
        Box::new(stream),
        start,
        deadline,
        &mut a,
    )
    .await;
    a.timings.total_ms = ms(t0);
    a
}
