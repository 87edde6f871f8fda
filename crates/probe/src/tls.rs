//! The TLS half of a libpq connection: the local files libpq 15's `initialize_SSL` reads after
//! the server's `S` (client certificate and key, with libpq's checks and messages), the rustls
//! `ClientConfig` (aws-lc-rs, protocol range, SNI, ALPN `postgresql`), and libpq's texts for
//! handshake failures.

use std::fs;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use pgtls_conninfo::{Settings, SslCertMode, TlsVersion};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{AlertDescription, ClientConfig, DigitallySignedStruct, SignatureScheme};
use serde::Serialize;

use crate::failure::{Failure, FailureKind};

/// ALPN protocol libpq 17+ offers.
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";

/// The negotiated TLS session, as evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TlsInfo {
    /// `TLSv1.3` / `TLSv1.2`.
    pub version: String,
    /// Cipher suite (IANA name).
    pub cipher_suite: String,
    /// Key-exchange group (`X25519`, `secp256r1`...), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_exchange_group: Option<String>,
    /// ALPN protocol the server selected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
    /// ALPN protocols offered.
    pub alpn_offered: Vec<String>,
    /// The SNI server_name sent, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// Whether a client certificate was configured and offered.
    pub client_certificate_sent: bool,
}

/// A client certificate chain and key loaded as libpq loads them.
pub struct ClientIdentity {
    /// The chain from `sslcert`.
    pub chain: Vec<CertificateDer<'static>>,
    /// The key from `sslkey`.
    pub key: PrivateKeyDer<'static>,
    /// The key file's path (for messages).
    pub key_path: String,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("chain_len", &self.chain.len())
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

fn local(msg: String) -> Failure {
    Failure::new(FailureKind::LocalFile, msg)
}

/// `strerror` text of an I/O error, without Rust's ` (os error N)` suffix.
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s.get(..i).unwrap_or(&s).to_owned(),
        None => s,
    }
}

fn is_not_found(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// libpq 15's client certificate and key loading (`initialize_SSL`), with its messages:
/// a missing certificate file means "no client certificate"; a present certificate needs its
/// key, which must be a regular file with no group/world access (0640 allowed when owned by
/// root), and must load and match.
pub fn load_client_identity(settings: &Settings) -> Result<Option<ClientIdentity>, Failure> {
    if settings.sslcertmode == SslCertMode::Disable {
        return Ok(None);
    }
    let Some(cert_path) = settings
        .sslcert
        .as_deref()
        .filter(|p| !p.as_os_str().is_empty())
    else {
        return Ok(None);
    };
    let cert_name = cert_path.display().to_string();
    if let Err(e) = fs::metadata(cert_path) {
        if is_not_found(&e) {
            return Ok(None);
        }
        return Err(local(format!(
            "could not open certificate file \"{cert_name}\": {}",
            strerror(&e)
        )));
    }
    let data = fs::read(cert_path).map_err(|e| {
        local(format!(
            "could not read certificate file \"{cert_name}\": {}",
            strerror(&e)
        ))
    })?;
    let chain = pem_certs(&data).map_err(|reason| {
        local(format!(
            "could not read certificate file \"{cert_name}\": {reason}"
        ))
    })?;

    let Some(key_path) = settings
        .sslkey
        .as_deref()
        .filter(|p| !p.as_os_str().is_empty())
    else {
        // libpq: with a certificate but no key file name there is nothing to load; OpenSSL then
        // fails the key check.
        return Err(local(format!(
            "certificate present, but not private key file \"{}\"",
            ""
        )));
    };
    let key = load_key(key_path)?;
    Ok(Some(ClientIdentity {
        chain,
        key,
        key_path: key_path.display().to_string(),
    }))
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, Failure> {
    let name = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(local(format!(
                "certificate present, but not private key file \"{name}\""
            )))
        }
        Err(e) => {
            return Err(local(format!(
                "could not stat private key file \"{name}\": {}",
                strerror(&e)
            )))
        }
    };
    if !meta.is_file() {
        return Err(local(format!(
            "private key file \"{name}\" is not a regular file"
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode();
        let bad = if meta.uid() == 0 {
            mode & 0o037 != 0
        } else {
            mode & 0o077 != 0
        };
        if bad {
            return Err(local(format!(
                "private key file \"{name}\" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root"
            )));
        }
    }
    let data = fs::read(path).map_err(|e| {
        local(format!(
            "could not load private key file \"{name}\": {}",
            strerror(&e)
        ))
    })?;
    pem_key(&data).map_err(|reason| {
        local(format!(
            "could not load private key file \"{name}\": {reason}"
        ))
    })
}

/// Certificates of a PEM file, with OpenSSL's reason when there are none.
pub fn pem_certs(data: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let mut out = Vec::new();
    for item in CertificateDer::pem_slice_iter(data) {
        match item {
            Ok(c) => out.push(c),
            Err(_) => return Err("bad base64 decode".into()),
        }
    }
    if out.is_empty() {
        return Err("no start line".into());
    }
    Ok(out)
}

fn pem_key(data: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    use rustls::pki_types::pem::PemObject;
    if data.windows(9).any(|w| w == b"ENCRYPTED") {
        return Err("bad decrypt".into());
    }
    PrivateKeyDer::from_pem_slice(data).map_err(|_| "unsupported".into())
}

/// The TLS versions rustls may use for libpq's `ssl_min/max_protocol_version`, or a failure for
/// ranges only TLS 1.0/1.1 satisfy (which rustls does not implement).
pub fn protocol_versions(
    min: Option<TlsVersion>,
    max: Option<TlsVersion>,
) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, Failure> {
    let lo = min.unwrap_or(TlsVersion::Tls1_0);
    let hi = max.unwrap_or(TlsVersion::Tls1_3);
    let mut v = Vec::new();
    if lo <= TlsVersion::Tls1_3 && hi >= TlsVersion::Tls1_3 {
        v.push(&rustls::version::TLS13);
    }
    if lo <= TlsVersion::Tls1_2 && hi >= TlsVersion::Tls1_2 {
        v.push(&rustls::version::TLS12);
    }
    if v.is_empty() {
        return Err(Failure::new(
            FailureKind::Unsupported,
            format!(
                "this probe cannot negotiate {}..{}: only TLSv1.2 and TLSv1.3 are implemented",
                lo.as_str(),
                hi.as_str()
            ),
        ));
    }
    Ok(v)
}

/// libpq's hint after protocol-version failures.
pub fn protocol_hint(settings: &Settings) -> String {
    format!(
        "This may indicate that the server does not support any SSL protocol version between {} and {}.",
        settings
            .ssl_min_protocol_version
            .map(TlsVersion::as_str)
            .unwrap_or("TLSv1"),
        settings
            .ssl_max_protocol_version
            .map(TlsVersion::as_str)
            .unwrap_or("TLSv1.3")
    )
}

/// What the capturing verifier saw.
#[derive(Debug, Default, Clone)]
pub struct Captured {
    /// The chain the server presented (leaf first).
    pub chain: Vec<CertificateDer<'static>>,
    /// Why the inner verifier refused it, if it did.
    pub refusal: Option<String>,
}

/// Wraps the verification module's verifier to keep the presented chain (also when the
/// handshake fails) for the diagnosis.
#[derive(Debug)]
pub struct CapturingVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    slot: Arc<Mutex<Captured>>,
}

impl CapturingVerifier {
    /// Wraps `inner`; the returned slot fills during the handshake.
    pub fn new(inner: Arc<dyn ServerCertVerifier>) -> (Arc<Self>, Arc<Mutex<Captured>>) {
        let slot = Arc::new(Mutex::new(Captured::default()));
        (
            Arc::new(Self {
                inner,
                slot: slot.clone(),
            }),
            slot,
        )
    }
}

impl ServerCertVerifier for CapturingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        if let Ok(mut slot) = self.slot.lock() {
            slot.chain = std::iter::once(end_entity.clone().into_owned())
                .chain(intermediates.iter().map(|c| c.clone().into_owned()))
                .collect();
            slot.refusal = result.as_ref().err().map(|e| e.to_string());
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Builds the rustls client configuration libpq's settings describe.
pub fn client_config(
    settings: &Settings,
    verifier: Arc<dyn ServerCertVerifier>,
    identity: Option<ClientIdentity>,
    sni: bool,
) -> Result<ClientConfig, Failure> {
    let versions = protocol_versions(
        settings.ssl_min_protocol_version,
        settings.ssl_max_protocol_version,
    )?;
    let builder = ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(&versions)
    .map_err(|e| Failure::new(FailureKind::Unsupported, format!("SSL error: {e}")))?
    .dangerous()
    .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        Some(id) => {
            let key_path = id.key_path.clone();
            builder
                .with_client_auth_cert(id.chain, id.key)
                .map_err(|e| {
                    // OpenSSL 3 checks the pair while loading the key (SSL_use_PrivateKey_file).
                    local(format!(
                        "could not load private key file \"{key_path}\": {}",
                        match e {
                            rustls::Error::InconsistentKeys(_) => "key values mismatch".to_owned(),
                            other => other.to_string(),
                        }
                    ))
                })?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
    config.enable_sni = sni;
    config.resumption = rustls::client::Resumption::disabled();
    Ok(config)
}

/// OpenSSL's reason text for a received alert.
fn alert_text(a: AlertDescription) -> String {
    let s = match a {
        AlertDescription::CloseNotify => "sslv3 alert close notify",
        AlertDescription::UnexpectedMessage => "sslv3 alert unexpected message",
        AlertDescription::BadRecordMac => "sslv3 alert bad record mac",
        AlertDescription::RecordOverflow => "tlsv1 alert record overflow",
        AlertDescription::DecompressionFailure => "sslv3 alert decompression failure",
        AlertDescription::HandshakeFailure => "sslv3 alert handshake failure",
        AlertDescription::NoCertificate => "sslv3 alert no certificate",
        AlertDescription::BadCertificate => "sslv3 alert bad certificate",
        AlertDescription::UnsupportedCertificate => "sslv3 alert unsupported certificate",
        AlertDescription::CertificateRevoked => "sslv3 alert certificate revoked",
        AlertDescription::CertificateExpired => "sslv3 alert certificate expired",
        AlertDescription::CertificateUnknown => "sslv3 alert certificate unknown",
        AlertDescription::IllegalParameter => "sslv3 alert illegal parameter",
        AlertDescription::UnknownCA => "tlsv1 alert unknown ca",
        AlertDescription::AccessDenied => "tlsv1 alert access denied",
        AlertDescription::DecodeError => "tlsv1 alert decode error",
        AlertDescription::DecryptError => "tlsv1 alert decrypt error",
        AlertDescription::ProtocolVersion => "tlsv1 alert protocol version",
        AlertDescription::InsufficientSecurity => "tlsv1 alert insufficient security",
        AlertDescription::InternalError => "tlsv1 alert internal error",
        AlertDescription::InappropriateFallback => "tlsv1 alert inappropriate fallback",
        AlertDescription::UserCanceled => "tlsv1 alert user cancelled",
        AlertDescription::NoRenegotiation => "tlsv1 alert no renegotiation",
        AlertDescription::MissingExtension => "tlsv13 alert missing extension",
        AlertDescription::UnsupportedExtension => "tlsv1 unsupported extension",
        AlertDescription::UnrecognisedName => "tlsv1 unrecognized name",
        AlertDescription::BadCertificateStatusResponse => "tlsv1 bad certificate status response",
        AlertDescription::UnknownPSKIdentity => "tlsv1 alert unknown psk identity",
        AlertDescription::CertificateRequired => "tlsv13 alert certificate required",
        AlertDescription::NoApplicationProtocol => "tlsv1 alert no application protocol",
        other => return format!("tlsv1 alert {other:?}").to_lowercase(),
    };
    s.to_owned()
}

/// libpq's text for a failed TLS handshake (`open_client_SSL`), from the I/O error
/// tokio-rustls returned. The protocol hint is added where OpenSSL's reason would trigger it.
pub fn handshake_failure(settings: &Settings, err: &io::Error) -> Failure {
    let tls = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    let (text, hint) = match tls {
        Some(e) => rustls_error_text(e),
        None => match err.kind() {
            io::ErrorKind::UnexpectedEof => ("SSL SYSCALL error: EOF detected".to_owned(), false),
            _ => (format!("SSL SYSCALL error: {}", strerror(err)), false),
        },
    };
    let message = if hint {
        format!("{text}\n{}", protocol_hint(settings))
    } else {
        text
    };
    Failure::new(FailureKind::Handshake, message)
}

/// libpq/OpenSSL text for a rustls error, and whether libpq adds the protocol-version hint.
pub fn rustls_error_text(e: &rustls::Error) -> (String, bool) {
    use rustls::Error as E;
    match e {
        E::AlertReceived(a) => (
            format!("SSL error: {}", alert_text(*a)),
            *a == AlertDescription::ProtocolVersion,
        ),
        E::InvalidCertificate(_) | E::InvalidCertRevocationList(_) => {
            ("SSL error: certificate verify failed".to_owned(), false)
        }
        E::InvalidMessage(_) => ("SSL error: wrong version number".to_owned(), true),
        E::PeerIncompatible(p) => {
            let s = format!("{p:?}");
            if s.contains("Version") || s.contains("Tls12") || s.contains("Tls13") {
                ("SSL error: unsupported protocol".to_owned(), true)
            } else {
                ("SSL error: sslv3 alert handshake failure".to_owned(), false)
            }
        }
        E::NoApplicationProtocol => (
            "SSL error: tlsv1 alert no application protocol".to_owned(),
            false,
        ),
        other => (format!("SSL error: {other}"), false),
    }
}
