//! One server chain and key, shared by the in-memory floor and the loopback connects, so a ratio
//! compares like with like.

use std::sync::Arc;

use pgtls_pki::{CertSpec, Chain, ChainOrder, KeyType, Pki};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};

/// The host name every bench server certificate is issued for (plus the IP SAN `127.0.0.1`).
pub const HOST: &str = "localhost";

/// Short, path-safe label of a key type (`ecdsa-p256`...), used in benchmark ids.
pub fn key_label(key: KeyType) -> &'static str {
    match key {
        KeyType::EcdsaP256 => "ecdsa-p256",
        KeyType::EcdsaP384 => "ecdsa-p384",
        KeyType::Ed25519 => "ed25519",
        KeyType::Rsa2048 => "rsa2048",
    }
}

/// A root, `intermediates` CAs below it and a server leaf for [`HOST`] and `127.0.0.1`, every
/// certificate with the same key type.
pub struct Fixture {
    /// Key type of every certificate in the chain.
    pub key: KeyType,
    /// The trust anchor (not sent by the server).
    pub root: pgtls_pki::Cert,
    /// Leaf first, then the intermediates upwards.
    pub chain: Chain,
}

impl Fixture {
    /// Builds the PKI (RSA keys come from pgtls-pki's per-process pool).
    pub fn new(key: KeyType, intermediates: usize) -> Result<Fixture, pgtls_pki::Error> {
        let pki = Pki::now_utc();
        let root = pki.self_signed(&CertSpec::root("pgtls bench Root CA").key(key))?;
        let mut cas = Vec::with_capacity(intermediates);
        for i in 0..intermediates {
            let issuer = cas.last().unwrap_or(&root);
            let ca = pki.issue(
                &CertSpec::intermediate(format!("pgtls bench Intermediate CA {}", i + 1)).key(key),
                issuer,
            )?;
            cas.push(ca);
        }
        let issuer = cas.last().unwrap_or(&root);
        let leaf = pki.issue(&CertSpec::server(HOST).ip([127, 0, 0, 1]).key(key), issuer)?;
        // Intermediates are sent leaf-issuer first.
        let upwards: Vec<&pgtls_pki::Cert> = cas.iter().rev().collect();
        let chain = leaf.chain(&upwards, ChainOrder::LeafFirst);
        Ok(Fixture { key, root, chain })
    }

    /// The chain the server sends.
    pub fn cert_chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.ders()
    }

    /// The leaf's key.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        self.chain.key_der()
    }

    /// The root as the only trust anchor.
    pub fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots
            .add(self.root.der().clone())
            .expect("a freshly generated root parses");
        roots
    }
}

/// The aws-lc-rs provider, explicitly (the workspace never relies on a process default).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A server config the way PostgreSQL runs OpenSSL: no session tickets, no session cache (so
/// every handshake is full), no client certificates.
pub fn server_config(
    fixture: &Fixture,
    versions: &[&'static SupportedProtocolVersion],
) -> Arc<ServerConfig> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("aws-lc-rs supports TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(fixture.cert_chain(), fixture.key_der())
        .expect("the fixture key matches its certificate");
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Arc::new(config)
}

/// How the in-memory client checks the server (mirrors `sslmode=verify-full` vs `require`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientVerify {
    /// Chain to the fixture's root and host name, with rustls's webpki verifier.
    Full,
    /// Any certificate; only the handshake signature is checked (what `sslmode=require` costs).
    SignatureOnly,
}

/// A client config with resumption disabled.
pub fn client_config(
    fixture: &Fixture,
    versions: &[&'static SupportedProtocolVersion],
    verify: ClientVerify,
) -> Arc<ClientConfig> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("aws-lc-rs supports TLS 1.2 and 1.3");
    let mut config = match verify {
        ClientVerify::Full => builder
            .with_root_certificates(fixture.roots())
            .with_no_client_auth(),
        ClientVerify::SignatureOnly => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(SignatureOnly(provider())))
            .with_no_client_auth(),
    };
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

/// A client and server pair that *does* resume (stateful TLS 1.3 tickets, one per handshake,
/// client cache of 256 sessions): the labelled `resumed` variant. PostgreSQL never resumes, so
/// this is what resumption would save, not what a PostgreSQL connection costs.
pub fn resuming_configs(fixture: &Fixture) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let versions: &[&'static SupportedProtocolVersion] = &[&rustls::version::TLS13];
    let mut server = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("aws-lc-rs supports TLS 1.3")
        .with_no_client_auth()
        .with_single_cert(fixture.cert_chain(), fixture.key_der())
        .expect("the fixture key matches its certificate");
    server.session_storage = rustls::server::ServerSessionMemoryCache::new(1024);
    server.send_tls13_tickets = 1;
    let mut client = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("aws-lc-rs supports TLS 1.3")
        .with_root_certificates(fixture.roots())
        .with_no_client_auth();
    client.resumption = rustls::client::Resumption::in_memory_sessions(256);
    (Arc::new(client), Arc::new(server))
}

/// The server name the client asks for.
pub fn server_name() -> ServerName<'static> {
    ServerName::try_from(HOST).expect("a valid DNS name")
}

/// Accepts any certificate but still verifies the handshake signature with the presented key,
/// as libpq does under `sslmode=require` (OpenSSL's `SSL_VERIFY_NONE` still checks signatures).
#[derive(Debug)]
struct SignatureOnly(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for SignatureOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
