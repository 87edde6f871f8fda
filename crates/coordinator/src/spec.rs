//! What a coordinator does, as plain data: [`ServerSpec`] and its knobs.
//!
//! Catalog rows build these values (see [`crate::catalog::Scenario::server_spec`]); property
//! tests and downstream projects can build their own. The server code branches on these fields
//! only, never on a scenario name.

use std::fmt;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::Serialize;

/// What the server answers to an SSLRequest (PostgreSQL's first negotiation step).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslAnswer {
    /// `S`, then the TLS handshake. Without TLS material this answers `N`, as PostgreSQL with
    /// `ssl=off` does.
    Accept,
    /// `N`: TLS refused; the same connection continues in plaintext.
    Refuse,
    /// `E` (the first byte of a FATAL ErrorResponse `53300 sorry, too many clients already`,
    /// as a server that fails before reading the request sends), then close.
    Error,
    /// Close the connection without answering.
    Close,
    /// These bytes (none of them a valid first answer), then close: what a non-PostgreSQL
    /// service on the port (an HTTP server, say) sends.
    Garbage(Vec<u8>),
    /// `S` and these bytes in the same write, then the TLS handshake: plaintext injected by a
    /// man in the middle before TLS starts (CVE-2021-23222).
    AcceptWithInjected(Vec<u8>),
}

impl fmt::Display for SslAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SslAnswer::Accept => f.write_str("S (TLS handshake follows)"),
            SslAnswer::Refuse => f.write_str("N (plaintext continues)"),
            SslAnswer::Error => f.write_str("E (ErrorResponse, then close)"),
            SslAnswer::Close => f.write_str("close without answering"),
            SslAnswer::Garbage(bytes) => write!(f, "garbage {:?}, then close", hex(bytes)),
            SslAnswer::AcceptWithInjected(bytes) => {
                write!(
                    f,
                    "S + {} injected plaintext bytes in one write",
                    bytes.len()
                )
            }
        }
    }
}

/// What the server does with a connection whose first byte is `0x16` (a TLS ClientHello:
/// PostgreSQL 17's direct SSL negotiation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectTls {
    /// TLS handshake at once; the client must negotiate ALPN `postgresql` (PostgreSQL 17+).
    #[default]
    Accept,
    /// Close without a word, as servers before 17 do (they read the ClientHello as an absurd
    /// startup packet length).
    Reject,
}

/// The one pg_hba.conf line that matches every connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hba {
    /// `host`: TLS or plaintext.
    #[default]
    Host,
    /// `hostssl`: TLS only; a plaintext startup gets FATAL 28000 `no pg_hba.conf entry for host
    /// "…", user "…", database "…", no encryption`.
    HostSsl,
    /// `hostnossl`: plaintext only; a TLS startup gets the same FATAL ending `SSL encryption`.
    HostNoSsl,
}

impl Hba {
    /// The pg_hba.conf keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Hba::Host => "host",
            Hba::HostSsl => "hostssl",
            Hba::HostNoSsl => "hostnossl",
        }
    }
}

/// The authentication method of the matching pg_hba.conf line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// `trust`: AuthenticationOk at once.
    Trust,
    /// `password`: AuthenticationCleartextPassword.
    Password,
    /// `md5`: AuthenticationMD5Password with a random salt.
    Md5,
    /// `scram-sha-256` (PostgreSQL's default): SCRAM-SHA-256-PLUS and SCRAM-SHA-256 over TLS,
    /// SCRAM-SHA-256 over plaintext; 4096 iterations.
    #[default]
    ScramSha256,
    /// `cert`: a client certificate whose CN equals the user name, no password.
    Cert,
}

impl AuthMethod {
    /// The pg_hba.conf keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            AuthMethod::Trust => "trust",
            AuthMethod::Password => "password",
            AuthMethod::Md5 => "md5",
            AuthMethod::ScramSha256 => "scram-sha-256",
            AuthMethod::Cert => "cert",
        }
    }

    /// True when the method asks the client for a password (or a proof derived from one).
    pub fn uses_password(self) -> bool {
        matches!(
            self,
            AuthMethod::Password | AuthMethod::Md5 | AuthMethod::ScramSha256
        )
    }
}

/// Which TLS versions the server accepts (PostgreSQL's `ssl_min/max_protocol_version`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsVersions {
    /// TLS 1.2 and 1.3.
    #[default]
    Any,
    /// TLS 1.2 only.
    Tls12Only,
    /// TLS 1.3 only.
    Tls13Only,
}

/// The server's TLS identity and client-certificate setup.
pub struct TlsMaterial {
    /// The certificates sent, in send order (the first one is the end entity).
    pub chain: Vec<CertificateDer<'static>>,
    /// The end entity's private key.
    pub key: PrivateKeyDer<'static>,
    /// CAs for client certificates (PostgreSQL's `ssl_ca_file`). Empty: no certificate is
    /// requested. Non-empty: a certificate is requested on every TLS connection but not required
    /// by the handshake (as PostgreSQL does); [`ServerSpec::require_client_cert`] and
    /// [`AuthMethod::Cert`] decide after the startup packet.
    pub client_cas: Vec<CertificateDer<'static>>,
    /// The certificate whose `tls-server-end-point` hash the SCRAM-SHA-256-PLUS exchange binds
    /// to. `None`: the presented end entity (an honest server). `Some`: another certificate —
    /// how a man in the middle that terminates TLS and relays SCRAM to the genuine server looks
    /// to the client (the genuine server binds to its own certificate, not the one the client
    /// saw).
    pub channel_binding_cert: Option<CertificateDer<'static>>,
}

impl Clone for TlsMaterial {
    fn clone(&self) -> Self {
        TlsMaterial {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
            client_cas: self.client_cas.clone(),
            channel_binding_cert: self.channel_binding_cert.clone(),
        }
    }
}

impl fmt::Debug for TlsMaterial {
    /// Never prints the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("chain_len", &self.chain.len())
            .field("client_cas", &self.client_cas.len())
            .field("relayed_binding", &self.channel_binding_cert.is_some())
            .finish_non_exhaustive()
    }
}

/// Time and size bounds of one server instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// From accept to ReadyForQuery (negotiation, TLS, startup, authentication): PostgreSQL's
    /// `authentication_timeout` plays this role. Default 10 s.
    pub handshake: Duration,
    /// Longest wait for the next message once the session is ready. Default 60 s.
    pub idle: Duration,
    /// Connections served at once; further clients wait in the listen backlog. Default 128.
    pub max_connections: usize,
    /// Largest length word accepted for a typed frontend message. Default 64 KiB.
    pub max_message_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            handshake: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            max_connections: 128,
            max_message_len: 64 * 1024,
        }
    }
}

/// Everything a coordinator instance does, as data.
///
/// ```
/// use pgtls_coordinator::spec::{AuthMethod, Hba, ServerSpec, SslAnswer};
/// // A plaintext-only server that asks for a cleartext password.
/// let spec = ServerSpec::new("plain-cleartext")
///     .ssl_answer(SslAnswer::Refuse)
///     .auth(AuthMethod::Password)
///     .password("secret");
/// assert_eq!(spec.hba, Hba::Host);
/// assert!(spec.tls.is_none());
/// ```
#[derive(Clone, Debug)]
pub struct ServerSpec {
    /// A label for logs and transcripts (the scenario name for catalog rows).
    pub name: String,
    /// Certificate, key and client CAs; `None` = no TLS (an SSLRequest gets `N`).
    pub tls: Option<TlsMaterial>,
    /// The answer to SSLRequest.
    pub ssl_answer: SslAnswer,
    /// What a direct-TLS ClientHello gets.
    pub direct_tls: DirectTls,
    /// TLS versions accepted.
    pub tls_versions: TlsVersions,
    /// The pg_hba.conf connection type.
    pub hba: Hba,
    /// `clientcert=verify-ca` on the hba line: a TLS connection without a verified client
    /// certificate gets FATAL 28000 `connection requires a valid client certificate`.
    pub require_client_cert: bool,
    /// The authentication method.
    pub auth: AuthMethod,
    /// The role's password (any user name is accepted). `None` with a password method makes
    /// every attempt fail with 28P01.
    pub password: Option<String>,
    /// The server is an attacker (a man in the middle): credentials it receives are flagged
    /// `to_attacker` in transcripts.
    pub attacker: bool,
    /// `server_version` reported in ParameterStatus.
    pub server_version: String,
    /// Timeouts and bounds.
    pub limits: Limits,
}

impl ServerSpec {
    /// A plaintext-capable server with no TLS, `host` hba, `trust`, PostgreSQL 15.
    pub fn new(name: impl Into<String>) -> ServerSpec {
        ServerSpec {
            name: name.into(),
            tls: None,
            ssl_answer: SslAnswer::Accept,
            direct_tls: DirectTls::Accept,
            tls_versions: TlsVersions::Any,
            hba: Hba::Host,
            require_client_cert: false,
            auth: AuthMethod::Trust,
            password: None,
            attacker: false,
            server_version: DEFAULT_SERVER_VERSION.to_owned(),
            limits: Limits::default(),
        }
    }

    /// Sets the TLS material.
    pub fn tls(mut self, tls: TlsMaterial) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Sets the SSLRequest answer.
    pub fn ssl_answer(mut self, answer: SslAnswer) -> Self {
        self.ssl_answer = answer;
        self
    }

    /// Sets the direct-TLS behaviour.
    pub fn direct_tls(mut self, direct: DirectTls) -> Self {
        self.direct_tls = direct;
        self
    }

    /// Sets the accepted TLS versions.
    pub fn tls_versions(mut self, versions: TlsVersions) -> Self {
        self.tls_versions = versions;
        self
    }

    /// Sets the hba connection type.
    pub fn hba(mut self, hba: Hba) -> Self {
        self.hba = hba;
        self
    }

    /// Requires a verified client certificate (`clientcert=verify-ca`).
    pub fn require_client_cert(mut self, yes: bool) -> Self {
        self.require_client_cert = yes;
        self
    }

    /// Sets the authentication method.
    pub fn auth(mut self, auth: AuthMethod) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the role's password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Marks the server as a man in the middle.
    pub fn attacker(mut self, yes: bool) -> Self {
        self.attacker = yes;
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// One line saying what the server does (for listings and logs).
    pub fn describe(&self) -> String {
        let tls = match &self.tls {
            None => "no TLS".to_owned(),
            Some(t) => format!(
                "TLS ({} cert(s){}{})",
                t.chain.len(),
                match self.tls_versions {
                    TlsVersions::Any => "",
                    TlsVersions::Tls12Only => ", TLS 1.2 only",
                    TlsVersions::Tls13Only => ", TLS 1.3 only",
                },
                if t.channel_binding_cert.is_some() {
                    ", SCRAM relayed to the genuine server"
                } else {
                    ""
                }
            ),
        };
        format!(
            "{}; SSLRequest -> {}; {} {}{}{}",
            tls,
            self.ssl_answer,
            self.hba.keyword(),
            self.auth.keyword(),
            if self.require_client_cert {
                " clientcert=verify-ca"
            } else {
                ""
            },
            if self.attacker {
                "; man in the middle"
            } else {
                ""
            }
        )
    }
}

/// The `server_version` a coordinator reports unless told otherwise (the psql under test is 15).
pub const DEFAULT_SERVER_VERSION: &str = "15.18";

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}
