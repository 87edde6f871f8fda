//! A raw tokio client built on pgtls-wire, for driving the coordinator without libpq.
//!
//! It does what a test tells it (plaintext or SSLRequest, TLS with any certificate accepted,
//! a chosen SCRAM channel binding), and reports what the server answered. It makes no policy
//! decisions: those belong to libpq (checked with real psql) and the probe.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pgtls_scram::{ChannelBinding, ScramClient};
use pgtls_wire::{
    Authentication, BackendMessage, ErrorFields, FrontendMessage, Limits, StartupPacket,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Every read in these tests gives up after this long.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

pub async fn connect(addr: SocketAddr) -> TcpStream {
    timeout(IO_TIMEOUT, TcpStream::connect(addr))
        .await
        .expect("connect timed out")
        .expect("connect")
}

/// Reads until EOF (bounded by the timeout); returns what came.
pub async fn read_to_eof(s: &mut (impl AsyncRead + Unpin)) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = timeout(IO_TIMEOUT, s.read_to_end(&mut out)).await;
    out
}

/// Sends SSLRequest and reads the one-byte answer (`None` on EOF).
pub async fn ssl_request(s: &mut TcpStream) -> Option<u8> {
    s.write_all(&SSL_REQUEST).await.expect("write SSLRequest");
    let mut b = [0u8; 1];
    match timeout(IO_TIMEOUT, s.read(&mut b))
        .await
        .expect("SSL answer timed out")
    {
        Ok(1) => Some(b[0]),
        _ => None,
    }
}

/// What the server presented in a TLS handshake.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub chain: Vec<CertificateDer<'static>>,
}

#[derive(Debug)]
struct AcceptAnything {
    seen: Arc<Mutex<Seen>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut seen = self.seen.lock().unwrap();
        seen.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// TLS options of the raw client.
#[derive(Default)]
pub struct TlsOptions {
    pub sni: Option<String>,
    pub alpn: Vec<Vec<u8>>,
    pub client_cert: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
}

pub fn load_client_cert(
    dir: &Path,
    crt: &str,
    key: &str,
) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    use rustls::pki_types::pem::PemObject;
    let certs = CertificateDer::pem_file_iter(dir.join(crt))
        .expect("client cert file")
        .map(|c| c.expect("client cert"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join(key)).expect("client key");
    (certs, key)
}

/// A TLS handshake accepting any server certificate; returns the stream and what was seen.
pub async fn tls<S: Stream + 'static>(
    stream: S,
    opts: TlsOptions,
) -> Result<(Box<dyn Stream>, Seen), io::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnything {
            seen: seen.clone(),
            provider,
        }));
    let mut config = match opts.client_cert {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .expect("client cert"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = opts.alpn;
    config.enable_sni = opts.sni.is_some();
    let name = ServerName::try_from(opts.sni.unwrap_or_else(|| "127.0.0.1".to_owned()))
        .expect("server name");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tls = timeout(IO_TIMEOUT, connector.connect(name, stream))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))??;
    let seen = seen.lock().unwrap().clone();
    Ok((Box::new(tls), seen))
}

/// How a session attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// ReadyForQuery; `select 1` answered.
    Ready,
    /// A FATAL: (sqlstate, message).
    Fatal(String, String),
    /// The connection closed.
    Closed,
    /// The client gave up (e.g. it could not compute a channel binding).
    ClientError(String),
}

pub struct Conn {
    pub io: Box<dyn Stream>,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new(io: Box<dyn Stream>) -> Conn {
        Conn {
            io,
            buf: Vec::new(),
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.io.write_all(bytes).await.expect("write");
        self.io.flush().await.expect("flush");
    }

    /// The next backend message, `None` on EOF/error.
    pub async fn recv(&mut self) -> Option<BackendMessage> {
        loop {
            match BackendMessage::decode(&self.buf, Limits::default()) {
                Ok(Some((m, n))) => {
                    self.buf.drain(..n);
                    return Some(m);
                }
                Ok(None) => {}
                Err(e) => panic!("server sent a malformed message: {e}"),
            }
            let mut chunk = [0u8; 4096];
            match timeout(IO_TIMEOUT, self.io.read(&mut chunk)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return None,
                Ok(Ok(n)) => self.buf.extend_from_slice(&chunk[..n]),
                Err(_) => panic!("server did not answer within {IO_TIMEOUT:?}"),
            }
        }
    }

    /// Sends a StartupMessage and runs authentication with `password`. `cb_cert` is the server
    /// certificate to bind to when the server offers SCRAM-SHA-256-PLUS (None: plaintext, or
    /// the client declines binding).
    pub async fn login(
        &mut self,
        user: &str,
        dbname: &str,
        password: Option<&str>,
        cb_cert: Option<&CertificateDer<'_>>,
    ) -> Ending {
        let startup = StartupPacket::startup([
            ("user", user),
            ("database", dbname),
            ("application_name", "pgtls-it"),
        ]);
        self.send(&startup.to_bytes()).await;
        let mut scram: Option<ScramClient> = None;
        loop {
            let Some(msg) = self.recv().await else {
                return Ending::Closed;
            };
            match msg {
                BackendMessage::ErrorResponse(f) => return fatal(&f),
                BackendMessage::Authentication(Authentication::Ok) => {}
                BackendMessage::Authentication(Authentication::CleartextPassword) => {
                    let p = password.unwrap_or_default().as_bytes().to_vec();
                    self.send(&FrontendMessage::Password(p).to_bytes()).await;
                }
                BackendMessage::Authentication(Authentication::Md5Password { salt }) => {
                    let p = md5_answer(password.unwrap_or_default(), user, &salt);
                    self.send(&FrontendMessage::Password(p.into_bytes()).to_bytes())
                        .await;
                }
                BackendMessage::Authentication(Authentication::Sasl { mechanisms }) => {
                    let plus = mechanisms.iter().any(|m| m == "SCRAM-SHA-256-PLUS");
                    let binding = match (plus, cb_cert) {
                        (true, Some(cert)) => {
                            match pgtls_scram::tls_server_end_point(cert.as_ref()) {
                                Ok(hash) => ChannelBinding::TlsServerEndPoint(hash),
                                Err(_) => ChannelBinding::NotSupported,
                            }
                        }
                        _ => ChannelBinding::NotSupported,
                    };
                    let client = ScramClient::new(password.unwrap_or_default(), [7u8; 18], binding);
                    let first = client.client_first();
                    self.send(
                        &FrontendMessage::SaslInitialResponse {
                            mechanism: client.mechanism().to_owned(),
                            data: Some(first.into_bytes()),
                        }
                        .to_bytes(),
                    )
                    .await;
                    scram = Some(client);
                }
                BackendMessage::Authentication(Authentication::SaslContinue(data)) => {
                    let Some(client) = scram.as_mut() else {
                        return Ending::ClientError("SASLContinue without SASL".into());
                    };
                    match client.handle_server_first_bytes(&data) {
                        Ok(fin) => {
                            self.send(&FrontendMessage::SaslResponse(fin.into_bytes()).to_bytes())
                                .await
                        }
                        Err(e) => return Ending::ClientError(e.to_string()),
                    }
                }
                BackendMessage::Authentication(Authentication::SaslFinal(data)) => {
                    let Some(client) = scram.as_ref() else {
                        return Ending::ClientError("SASLFinal without SASL".into());
                    };
                    if let Err(e) = client.verify_server_final_bytes(&data) {
                        return Ending::ClientError(e.to_string());
                    }
                }
                BackendMessage::ReadyForQuery(_) => {
                    // A query and a clean Terminate.
                    self.send(&FrontendMessage::Query("select 1".into()).to_bytes())
                        .await;
                    let mut rows = 0;
                    loop {
                        match self.recv().await {
                            Some(BackendMessage::DataRow(r)) => {
                                assert_eq!(r, vec![Some(b"1".to_vec())]);
                                rows += 1;
                            }
                            Some(BackendMessage::ReadyForQuery(_)) => break,
                            Some(_) => {}
                            None => return Ending::Closed,
                        }
                    }
                    assert_eq!(rows, 1, "select 1 returns one row");
                    self.send(&FrontendMessage::Terminate.to_bytes()).await;
                    return Ending::Ready;
                }
                _ => {}
            }
        }
    }
}

fn fatal(f: &ErrorFields) -> Ending {
    Ending::Fatal(
        f.sqlstate().unwrap_or_default().to_owned(),
        f.message().unwrap_or_default().to_owned(),
    )
}

/// PostgreSQL's MD5 answer (`md5` + md5(hex(md5(password + user)) + salt)), written here
/// from the protocol documentation rather than taken from the server.
pub fn md5_answer(password: &str, user: &str, salt: &[u8; 4]) -> String {
    use md5::{Digest, Md5};
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let inner = hex(&Md5::digest(format!("{password}{user}").as_bytes()));
    let mut outer = inner.into_bytes();
    outer.extend_from_slice(salt);
    format!("md5{}", hex(&Md5::digest(&outer)))
}
