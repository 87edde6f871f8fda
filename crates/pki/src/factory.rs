//! The certificate factory: specs as data, [`Pki`] to turn them into certificates and CRLs.

use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints as RcgenBasicConstraints, CertificateParams, CertificateRevocationListParams,
    DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevocationReason, RevokedCertParams, SanType, SerialNumber,
    SignatureAlgorithm,
};
use rustls_pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, PrivatePkcs8KeyDer,
};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::pem::pem_encode;
use crate::Error;

/// `n` days as a [`Duration`] (negative = in the past), for validity offsets relative to `now`.
pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// `n` hours as a [`Duration`] (negative = in the past).
pub fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

/// The key algorithm of a certificate's subject key (and so of what it signs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    /// ECDSA on P-256, signatures `ecdsa-with-SHA256` (the default: fast and universal).
    #[default]
    EcdsaP256,
    /// ECDSA on P-384, signatures `ecdsa-with-SHA384`.
    EcdsaP384,
    /// Ed25519 (no separate digest: tls-server-end-point is undefined for it).
    Ed25519,
    /// RSA 2048, signatures `sha256WithRSAEncryption`. Keys come from a small per-process pool
    /// (see [`Pki`]) because RSA key generation is slow.
    Rsa2048,
}

impl KeyType {
    /// Every key type, default first.
    pub const ALL: [KeyType; 4] = [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Ed25519,
        KeyType::Rsa2048,
    ];

    /// Human name, the same text as [`crate::CertDetails::public_key`] (`"ECDSA P-256"`, `"RSA 2048"`...).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ECDSA P-256",
            KeyType::EcdsaP384 => "ECDSA P-384",
            KeyType::Ed25519 => "Ed25519",
            KeyType::Rsa2048 => "RSA 2048",
        }
    }

    /// OpenSSL's name of the signature algorithm a key of this type makes
    /// (`"ecdsa-with-SHA256"`, `"sha256WithRSAEncryption"`, `"ED25519"`...).
    pub fn signature_algorithm_name(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ecdsa-with-SHA256",
            KeyType::EcdsaP384 => "ecdsa-with-SHA384",
            KeyType::Ed25519 => "ED25519",
            KeyType::Rsa2048 => "sha256WithRSAEncryption",
        }
    }

    fn algorithm(self) -> &'static SignatureAlgorithm {
        match self {
            KeyType::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyType::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyType::Ed25519 => &rcgen::PKCS_ED25519,
            KeyType::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a certificate is for; decides the defaults of every other knob.
///
/// | role | basicConstraints | keyUsage | EKU | validity |
/// |---|---|---|---|---|
/// | root | CA:TRUE | keyCertSign, cRLSign, digitalSignature | none | now-1d .. now+3650d |
/// | intermediate | CA:TRUE | keyCertSign, cRLSign, digitalSignature | none | now-1d .. now+1825d |
/// | server | CA:FALSE | digitalSignature (+keyEncipherment for RSA) | serverAuth | now-1d .. now+90d |
/// | client | CA:FALSE | digitalSignature (+keyEncipherment for RSA) | clientAuth | now-1d .. now+90d |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A self-signed trust anchor.
    Root,
    /// A CA signed by another CA.
    Intermediate,
    /// A TLS server (PostgreSQL coordinator) leaf.
    Server,
    /// A TLS client (libpq `sslcert`) leaf.
    Client,
}

impl Role {
    /// True for roots and intermediates.
    pub fn is_ca(self) -> bool {
        matches!(self, Role::Root | Role::Intermediate)
    }
}

/// One subjectAltName entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum San {
    /// A dNSName (wildcards such as `*.pgtls.test` and IP-looking text are written verbatim).
    Dns(String),
    /// An iPAddress (4 or 16 bytes).
    Ip(IpAddr),
    /// An iPAddress with arbitrary bytes, e.g. 3 or 5 of them (libpq: `certificate contains IP
    /// address with invalid length <n>`). When present, the whole subjectAltName extension is
    /// encoded by this crate instead of rcgen.
    RawIp(Vec<u8>),
}

impl San {
    /// A dNSName entry.
    pub fn dns(name: impl Into<String>) -> San {
        San::Dns(name.into())
    }

    /// An iPAddress entry: `San::ip([127, 0, 0, 1])`, `San::ip(Ipv6Addr::LOCALHOST)`.
    pub fn ip(addr: impl Into<IpAddr>) -> San {
        San::Ip(addr.into())
    }

    /// The SAN a verifier would need for `host`: iPAddress when `host` is an IP literal
    /// (Rust's strict parser), dNSName otherwise.
    pub fn for_host(host: &str) -> San {
        match host.parse::<IpAddr>() {
            Ok(ip) => San::Ip(ip),
            Err(_) => San::Dns(host.to_owned()),
        }
    }
}

/// The extendedKeyUsage extension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Eku {
    /// serverAuth for servers, clientAuth for clients, absent for CAs.
    #[default]
    RoleDefault,
    /// No extendedKeyUsage extension (OpenSSL then allows any purpose).
    Absent,
    /// serverAuth only.
    ServerAuth,
    /// clientAuth only (a server leaf with this fails OpenSSL's `sslserver` purpose).
    ClientAuth,
    /// serverAuth and clientAuth.
    ServerAndClientAuth,
    /// codeSigning only (a purpose no TLS peer accepts).
    CodeSigning,
}

/// One keyUsage bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyUsageBit {
    /// digitalSignature
    DigitalSignature,
    /// nonRepudiation / contentCommitment
    ContentCommitment,
    /// keyEncipherment
    KeyEncipherment,
    /// dataEncipherment
    DataEncipherment,
    /// keyAgreement
    KeyAgreement,
    /// keyCertSign
    KeyCertSign,
    /// cRLSign
    CrlSign,
    /// encipherOnly
    EncipherOnly,
    /// decipherOnly
    DecipherOnly,
}

impl KeyUsageBit {
    fn to_rcgen(self) -> KeyUsagePurpose {
        match self {
            KeyUsageBit::DigitalSignature => KeyUsagePurpose::DigitalSignature,
            KeyUsageBit::ContentCommitment => KeyUsagePurpose::ContentCommitment,
            KeyUsageBit::KeyEncipherment => KeyUsagePurpose::KeyEncipherment,
            KeyUsageBit::DataEncipherment => KeyUsagePurpose::DataEncipherment,
            KeyUsageBit::KeyAgreement => KeyUsagePurpose::KeyAgreement,
            KeyUsageBit::KeyCertSign => KeyUsagePurpose::KeyCertSign,
            KeyUsageBit::CrlSign => KeyUsagePurpose::CrlSign,
            KeyUsageBit::EncipherOnly => KeyUsagePurpose::EncipherOnly,
            KeyUsageBit::DecipherOnly => KeyUsagePurpose::DecipherOnly,
        }
    }
}

/// The keyUsage extension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    /// The role's default (see [`Role`]).
    #[default]
    RoleDefault,
    /// No keyUsage extension.
    Absent,
    /// Exactly these bits.
    Bits(Vec<KeyUsageBit>),
}

/// The basicConstraints extension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BasicConstraints {
    /// CA:TRUE for roots and intermediates, CA:FALSE for leaves.
    #[default]
    RoleDefault,
    /// No basicConstraints extension at all.
    Absent,
    /// `CA:FALSE` (on an intermediate: OpenSSL says `invalid CA certificate`).
    NotCa,
    /// `CA:TRUE` without a path length (on a leaf: webpki says `CaUsedAsEndEntity`).
    Ca,
    /// `CA:TRUE, pathlen:n`.
    CaPathLen(u8),
}

/// Named defects: each sets one or two knobs of a [`CertSpec`], so a scenario row can say what is
/// wrong with its certificate as data (`CertSpec::server(h).defect(Defect::Expired)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Defect {
    /// Valid from now-30d to now-1d.
    Expired,
    /// Valid from now+1d to now+30d.
    NotYetValid,
    /// EKU clientAuth only (a server leaf with the wrong purpose).
    ClientAuthOnly,
    /// EKU serverAuth only (a client certificate with the wrong purpose).
    ServerAuthOnly,
    /// No extendedKeyUsage extension at all.
    NoEku,
    /// basicConstraints `CA:FALSE` (for an intermediate that signs anyway).
    NotCa,
    /// basicConstraints `CA:TRUE` on a leaf.
    LeafIsCa,
    /// keyUsage without keyCertSign (for a CA that signs anyway): digitalSignature, cRLSign.
    NoKeyCertSign,
}

impl Defect {
    /// Every defect.
    pub const ALL: [Defect; 8] = [
        Defect::Expired,
        Defect::NotYetValid,
        Defect::ClientAuthOnly,
        Defect::ServerAuthOnly,
        Defect::NoEku,
        Defect::NotCa,
        Defect::LeafIsCa,
        Defect::NoKeyCertSign,
    ];
}

/// Everything about one certificate except who signs it, as data.
///
/// Validity offsets are relative to the [`Pki`]'s injected `now`. Build with the role
/// constructors and chain knobs:
///
/// ```
/// use pgtls_pki::{days, CertSpec, KeyType, San};
/// let spec = CertSpec::server("c-demo.pgtls.test")
///     .dns("*.pgtls.test")
///     .ip([127, 0, 0, 1])
///     .key(KeyType::Rsa2048)
///     .not_after(days(-1));
/// assert_eq!(spec.sans.len(), 3);
/// assert_eq!(spec.sans[0], San::dns("c-demo.pgtls.test"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CertSpec {
    /// What the certificate is for; decides defaults.
    pub role: Role,
    /// Subject commonName; `None` = no CN attribute.
    pub common_name: Option<String>,
    /// Subject organizationName (written before the CN); `None` = absent.
    pub organization: Option<String>,
    /// subjectAltName entries in order; empty = no SAN extension.
    pub sans: Vec<San>,
    /// Subject key algorithm.
    pub key: KeyType,
    /// notBefore = now + this.
    pub not_before: Duration,
    /// notAfter = now + this.
    pub not_after: Duration,
    /// extendedKeyUsage.
    pub eku: Eku,
    /// keyUsage.
    pub key_usage: KeyUsage,
    /// basicConstraints.
    pub basic_constraints: BasicConstraints,
}

impl CertSpec {
    /// A spec for `role` with CN `cn` (no SAN) and the role's defaults.
    pub fn new(role: Role, cn: impl Into<String>) -> CertSpec {
        let not_after = match role {
            Role::Root => days(3650),
            Role::Intermediate => days(1825),
            Role::Server | Role::Client => days(90),
        };
        CertSpec {
            role,
            common_name: Some(cn.into()),
            organization: None,
            sans: Vec::new(),
            key: KeyType::default(),
            not_before: days(-1),
            not_after,
            eku: Eku::RoleDefault,
            key_usage: KeyUsage::RoleDefault,
            basic_constraints: BasicConstraints::RoleDefault,
        }
    }

    /// A root CA named `cn`.
    pub fn root(cn: impl Into<String>) -> CertSpec {
        CertSpec::new(Role::Root, cn)
    }

    /// An intermediate CA named `cn`.
    pub fn intermediate(cn: impl Into<String>) -> CertSpec {
        CertSpec::new(Role::Intermediate, cn)
    }

    /// A server leaf for `host`: CN = `host` and one SAN for it (iPAddress when `host` is an IP
    /// literal, dNSName otherwise).
    pub fn server(host: impl Into<String>) -> CertSpec {
        let host = host.into();
        let san = San::for_host(&host);
        let mut spec = CertSpec::new(Role::Server, host);
        spec.sans.push(san);
        spec
    }

    /// A client certificate for database user `user`: CN = `user` (what PostgreSQL's `cert`
    /// authentication compares), no SAN.
    pub fn client(user: impl Into<String>) -> CertSpec {
        CertSpec::new(Role::Client, user)
    }

    /// Sets the subject CN.
    pub fn cn(mut self, cn: impl Into<String>) -> Self {
        self.common_name = Some(cn.into());
        self
    }

    /// Removes the subject CN.
    pub fn no_cn(mut self) -> Self {
        self.common_name = None;
        self
    }

    /// Sets the subject O (so a certificate without CN still has a non-empty subject).
    pub fn org(mut self, org: impl Into<String>) -> Self {
        self.organization = Some(org.into());
        self
    }

    /// Appends a dNSName SAN (wildcards allowed: `*.pgtls.test`).
    pub fn dns(mut self, name: impl Into<String>) -> Self {
        self.sans.push(San::Dns(name.into()));
        self
    }

    /// Appends an iPAddress SAN: `.ip([127, 0, 0, 1])`, `.ip(Ipv6Addr::LOCALHOST)`.
    pub fn ip(mut self, addr: impl Into<IpAddr>) -> Self {
        self.sans.push(San::Ip(addr.into()));
        self
    }

    /// Appends a dNSName SAN holding the text of an IP address (libpq matches it textually;
    /// RFC 6125 verifiers do not).
    pub fn ip_as_dns(mut self, addr: impl Into<IpAddr>) -> Self {
        self.sans.push(San::Dns(addr.into().to_string()));
        self
    }

    /// Replaces all SANs.
    pub fn sans(mut self, sans: impl IntoIterator<Item = San>) -> Self {
        self.sans = sans.into_iter().collect();
        self
    }

    /// Removes every SAN (no subjectAltName extension).
    pub fn no_san(mut self) -> Self {
        self.sans.clear();
        self
    }

    /// Sets the key type.
    pub fn key(mut self, key: KeyType) -> Self {
        self.key = key;
        self
    }

    /// notBefore = now + `offset`.
    pub fn not_before(mut self, offset: Duration) -> Self {
        self.not_before = offset;
        self
    }

    /// notAfter = now + `offset` (`days(-1)`: expired yesterday).
    pub fn not_after(mut self, offset: Duration) -> Self {
        self.not_after = offset;
        self
    }

    /// Sets the extendedKeyUsage.
    pub fn eku(mut self, eku: Eku) -> Self {
        self.eku = eku;
        self
    }

    /// Sets the keyUsage.
    pub fn key_usage(mut self, key_usage: KeyUsage) -> Self {
        self.key_usage = key_usage;
        self
    }

    /// Sets the basicConstraints.
    pub fn basic_constraints(mut self, bc: BasicConstraints) -> Self {
        self.basic_constraints = bc;
        self
    }

    /// Applies a named defect (see [`Defect`]).
    pub fn defect(self, defect: Defect) -> Self {
        match defect {
            Defect::Expired => self.not_before(days(-30)).not_after(days(-1)),
            Defect::NotYetValid => self.not_before(days(1)).not_after(days(30)),
            Defect::ClientAuthOnly => self.eku(Eku::ClientAuth),
            Defect::ServerAuthOnly => self.eku(Eku::ServerAuth),
            Defect::NoEku => self.eku(Eku::Absent),
            Defect::NotCa => self.basic_constraints(BasicConstraints::NotCa),
            Defect::LeafIsCa => self.basic_constraints(BasicConstraints::Ca),
            Defect::NoKeyCertSign => self.key_usage(KeyUsage::Bits(vec![
                KeyUsageBit::DigitalSignature,
                KeyUsageBit::CrlSign,
            ])),
        }
    }

    fn effective_key_usage(&self) -> Vec<KeyUsagePurpose> {
        match &self.key_usage {
            KeyUsage::Absent => Vec::new(),
            KeyUsage::Bits(bits) => bits.iter().map(|b| b.to_rcgen()).collect(),
            KeyUsage::RoleDefault if self.role.is_ca() => vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
            ],
            KeyUsage::RoleDefault if self.key == KeyType::Rsa2048 => vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            KeyUsage::RoleDefault => vec![KeyUsagePurpose::DigitalSignature],
        }
    }

    fn effective_eku(&self) -> Vec<ExtendedKeyUsagePurpose> {
        use ExtendedKeyUsagePurpose as E;
        match self.eku {
            Eku::RoleDefault => match self.role {
                Role::Root | Role::Intermediate => Vec::new(),
                Role::Server => vec![E::ServerAuth],
                Role::Client => vec![E::ClientAuth],
            },
            Eku::Absent => Vec::new(),
            Eku::ServerAuth => vec![E::ServerAuth],
            Eku::ClientAuth => vec![E::ClientAuth],
            Eku::ServerAndClientAuth => vec![E::ServerAuth, E::ClientAuth],
            Eku::CodeSigning => vec![E::CodeSigning],
        }
    }

    fn effective_is_ca(&self) -> IsCa {
        match self.basic_constraints {
            BasicConstraints::RoleDefault if self.role.is_ca() => {
                IsCa::Ca(RcgenBasicConstraints::Unconstrained)
            }
            BasicConstraints::RoleDefault => IsCa::ExplicitNoCa,
            BasicConstraints::Absent => IsCa::NoCa,
            BasicConstraints::NotCa => IsCa::ExplicitNoCa,
            BasicConstraints::Ca => IsCa::Ca(RcgenBasicConstraints::Unconstrained),
            BasicConstraints::CaPathLen(n) => IsCa::Ca(RcgenBasicConstraints::Constrained(n)),
        }
    }

    /// A short label for messages: the CN, else the first SAN, else the role.
    pub fn label(&self) -> String {
        if let Some(cn) = &self.common_name {
            return cn.clone();
        }
        match self.sans.first() {
            Some(San::Dns(d)) => d.clone(),
            Some(San::Ip(ip)) => ip.to_string(),
            Some(San::RawIp(bytes)) => format!("ip:{}", crate::hex_upper(bytes, "")),
            None => format!("{:?}", self.role).to_lowercase(),
        }
    }
}

/// A certificate serial number (positive, big-endian magnitude without leading zero bytes).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial(Vec<u8>);

impl Serial {
    /// From big-endian bytes (leading zero bytes are dropped; zero is one `0x00` byte).
    pub fn from_be_bytes(bytes: &[u8]) -> Serial {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        let mut v = bytes.get(start..).unwrap_or_default().to_vec();
        if v.is_empty() {
            v.push(0);
        }
        Serial(v)
    }

    /// Big-endian magnitude.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Uppercase hex, two digits per byte, as `openssl x509 -serial` prints it (after `serial=`).
    pub fn hex(&self) -> String {
        crate::hex_upper(&self.0, "")
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({})", self.hex())
    }
}

/// An issued certificate with its private key. Cheap to clone (shared).
#[derive(Clone)]
pub struct Cert(Arc<CertInner>);

struct CertInner {
    spec: CertSpec,
    params: CertificateParams,
    key: KeyPair,
    der: CertificateDer<'static>,
    serial: Serial,
    self_signed: bool,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

impl Cert {
    /// The DER certificate.
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.0.der
    }

    /// The DER bytes.
    pub fn der_bytes(&self) -> &[u8] {
        self.0.der.as_ref()
    }

    /// PEM `CERTIFICATE` block (LF line endings, trailing newline).
    pub fn pem(&self) -> String {
        pem_encode("CERTIFICATE", self.der_bytes())
    }

    /// The private key as PKCS#8 DER (for rustls).
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.0.key.serialize_der()))
    }

    /// The private key as a PEM `PRIVATE KEY` (PKCS#8) block, as libpq and PostgreSQL read it.
    pub fn key_pem(&self) -> String {
        pem_encode("PRIVATE KEY", self.0.key.serialized_der())
    }

    /// The serial number.
    pub fn serial(&self) -> &Serial {
        &self.0.serial
    }

    /// The spec this certificate was built from.
    pub fn spec(&self) -> &CertSpec {
        &self.0.spec
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.0.spec.role
    }

    /// The subject key type.
    pub fn key_type(&self) -> KeyType {
        self.0.spec.key
    }

    /// True when made by [`Pki::self_signed`] (roots, self-signed leaves).
    pub fn is_self_signed(&self) -> bool {
        self.0.self_signed
    }

    /// Absolute notBefore.
    pub fn not_before(&self) -> OffsetDateTime {
        self.0.not_before
    }

    /// Absolute notAfter.
    pub fn not_after(&self) -> OffsetDateTime {
        self.0.not_after
    }

    /// The facts about this certificate (subject, SANs, fingerprints...).
    pub fn details(&self) -> Result<crate::CertDetails, Error> {
        crate::CertDetails::from_der(self.der_bytes())
    }

    /// A chain with this certificate as leaf (see [`crate::Chain`]).
    pub fn chain(&self, intermediates: &[&Cert], order: crate::ChainOrder) -> crate::Chain {
        crate::Chain::new(self, intermediates, order)
    }
}

impl fmt::Debug for Cert {
    /// Never prints the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cert")
            .field("role", &self.0.spec.role)
            .field("label", &self.0.spec.label())
            .field("key", &self.0.spec.key)
            .field("serial", &self.0.serial)
            .field("self_signed", &self.0.self_signed)
            .finish_non_exhaustive()
    }
}

/// A signed CRL.
#[derive(Clone)]
pub struct Crl {
    der: CertificateRevocationListDer<'static>,
    revoked: Vec<Serial>,
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
}

impl Crl {
    /// The DER CRL (for webpki / rustls).
    pub fn der(&self) -> &CertificateRevocationListDer<'static> {
        &self.der
    }

    /// The DER bytes.
    pub fn der_bytes(&self) -> &[u8] {
        self.der.as_ref()
    }

    /// PEM `X509 CRL` block, as libpq's `sslcrl` and PostgreSQL's `ssl_crl_file` read it.
    pub fn pem(&self) -> String {
        pem_encode("X509 CRL", self.der_bytes())
    }

    /// The revoked serials.
    pub fn revoked(&self) -> &[Serial] {
        &self.revoked
    }

    /// thisUpdate (now-1h).
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// nextUpdate (now+30d).
    pub fn next_update(&self) -> OffsetDateTime {
        self.next_update
    }
}

impl fmt::Debug for Crl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crl")
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

/// How many distinct RSA keys a process ever generates (RSA keygen costs ~0.1-1 s each).
pub const RSA_POOL_SIZE: usize = 3;

static RSA_POOL: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// The `i`-th pooled RSA key (generated on first use).
fn pooled_rsa_key(i: usize) -> Result<KeyPair, Error> {
    let idx = i % RSA_POOL_SIZE;
    let mut pool = RSA_POOL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    while pool.len() <= idx {
        let key =
            KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(|source| Error::Generate {
                what: "RSA key",
                source,
            })?;
        pool.push(key.serialize_der());
    }
    let der = pool.get(idx).ok_or(Error::Internal("rsa pool index"))?;
    KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(der.as_slice()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(|source| Error::Generate {
        what: "RSA key",
        source,
    })
}

/// A fresh Ed25519 key whose PKCS#8 encoding is v1 (RFC 8410 without the public key): rcgen's
/// default is v2 (OneAsymmetricKey with the public key), which OpenSSL 3.0 cannot load, so
/// neither libpq (`sslkey`) nor PostgreSQL (`ssl_key_file`) could use it.
fn ed25519_key() -> Result<KeyPair, Error> {
    let unavailable = || Error::Generate {
        what: "Ed25519 key",
        source: rcgen::Error::KeyGenerationUnavailable,
    };
    let key = aws_lc_rs::signature::Ed25519KeyPair::generate().map_err(|_| unavailable())?;
    let v1 = key.to_pkcs8v1().map_err(|_| unavailable())?;
    KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(v1.as_ref()),
        &rcgen::PKCS_ED25519,
    )
    .map_err(|source| Error::Generate {
        what: "Ed25519 key",
        source,
    })
}

/// The factory. Holds the injected `now` and hands out distinct serial numbers.
///
/// Keys are fresh for every certificate, except RSA: a [`Pki`]'s first [`RSA_POOL_SIZE`] RSA
/// certificates get distinct keys from a per-process pool, later ones reuse them round-robin.
///
/// ```
/// use pgtls_pki::{days, CertSpec, Chain, ChainOrder, Pki};
/// let pki = Pki::new(time::OffsetDateTime::now_utc());
/// let root = pki.root("pgtls Root CA")?;
/// let inter = pki.issue(&CertSpec::intermediate("pgtls Intermediate CA"), &root)?;
/// let leaf = pki.issue(&CertSpec::server("c-demo.pgtls.test"), &inter)?;
/// let chain = Chain::new(&leaf, &[&inter], ChainOrder::LeafFirst);
/// assert_eq!(chain.ders().len(), 2);
/// let crl = pki.crl(&inter, &[leaf.serial()])?;
/// assert_eq!(crl.revoked(), &[leaf.serial().clone()]);
/// # Ok::<(), pgtls_pki::Error>(())
/// ```
pub struct Pki {
    now: OffsetDateTime,
    serial_prefix: [u8; 8],
    next_serial: AtomicU64,
    next_rsa: AtomicUsize,
}

impl fmt::Debug for Pki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pki")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Pki {
    /// A factory whose certificates are valid relative to `now` (truncated to whole seconds,
    /// as X.509 times are).
    pub fn new(now: OffsetDateTime) -> Pki {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let mut serial_prefix = [0u8; 8];
        // A random prefix keeps serials distinct across Pki instances sharing a CA name; if the
        // system RNG fails the fixed prefix still keeps serials distinct within this Pki.
        if aws_lc_rs::rand::fill(&mut serial_prefix).is_err() {
            serial_prefix = *b"pgtlspki";
        }
        // Positive and never with a leading zero byte: always 16 bytes on the wire.
        serial_prefix[0] = (serial_prefix[0] & 0x7f) | 0x10;
        Pki {
            now,
            serial_prefix,
            next_serial: AtomicU64::new(1),
            next_rsa: AtomicUsize::new(0),
        }
    }

    /// A factory for the current wall-clock time.
    pub fn now_utc() -> Pki {
        Pki::new(OffsetDateTime::now_utc())
    }

    /// The injected `now`.
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// A self-signed root CA named `cn` with the default key type.
    pub fn root(&self, cn: &str) -> Result<Cert, Error> {
        self.self_signed(&CertSpec::root(cn))
    }

    /// A self-signed certificate for any spec (roots; or a self-signed server leaf:
    /// `pki.self_signed(&CertSpec::server(host))`).
    pub fn self_signed(&self, spec: &CertSpec) -> Result<Cert, Error> {
        let key = self.generate_key(spec.key)?;
        let params = self.params(spec, false)?;
        let cert = params.self_signed(&key).map_err(|source| Error::Generate {
            what: "certificate",
            source,
        })?;
        Ok(self.finish(spec, params, key, cert.der().clone(), true))
    }

    /// A certificate for `spec` signed by `issuer` (rcgen does not check that `issuer` may sign:
    /// that is how defective chains are made).
    pub fn issue(&self, spec: &CertSpec, issuer: &Cert) -> Result<Cert, Error> {
        let key = self.generate_key(spec.key)?;
        let params = self.params(spec, true)?;
        let signer = Issuer::from_params(&issuer.0.params, &issuer.0.key);
        let cert = params
            .signed_by(&key, &signer)
            .map_err(|source| Error::Generate {
                what: "certificate",
                source,
            })?;
        Ok(self.finish(spec, params, key, cert.der().clone(), false))
    }

    /// A CRL signed by `issuer` revoking `revoked` (thisUpdate now-1h, nextUpdate now+30d,
    /// reason keyCompromise). An empty list makes a valid, empty CRL.
    pub fn crl(&self, issuer: &Cert, revoked: &[&Serial]) -> Result<Crl, Error> {
        let this_update = self.now - hours(1);
        let next_update = self.now + days(30);
        let params = CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from(self.next_serial.fetch_add(1, Ordering::Relaxed)),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|serial| RevokedCertParams {
                    serial_number: SerialNumber::from(serial.as_bytes().to_vec()),
                    revocation_time: this_update,
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        // rcgen refuses to sign a CRL with an issuer whose keyUsage lacks cRLSign; a CRL from
        // such an issuer is a defect worth expressing, so sign with the key usages cleared (they
        // are only checked, never written into the CRL).
        let mut issuer_params = issuer.0.params.clone();
        issuer_params.key_usages.clear();
        let signer = Issuer::new(issuer_params, &issuer.0.key);
        let crl = params
            .signed_by(&signer)
            .map_err(|source| Error::Generate {
                what: "CRL",
                source,
            })?;
        Ok(Crl {
            der: crl.der().clone(),
            revoked: revoked.iter().map(|s| (*s).clone()).collect(),
            this_update,
            next_update,
        })
    }

    fn generate_key(&self, key_type: KeyType) -> Result<KeyPair, Error> {
        match key_type {
            KeyType::Rsa2048 => pooled_rsa_key(self.next_rsa.fetch_add(1, Ordering::Relaxed)),
            KeyType::Ed25519 => ed25519_key(),
            other => KeyPair::generate_for(other.algorithm()).map_err(|source| Error::Generate {
                what: "key",
                source,
            }),
        }
    }

    fn next_serial(&self) -> Serial {
        let n = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let mut bytes = self.serial_prefix.to_vec();
        bytes.extend_from_slice(&n.to_be_bytes());
        Serial::from_be_bytes(&bytes)
    }

    fn params(&self, spec: &CertSpec, issued: bool) -> Result<CertificateParams, Error> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        if let Some(org) = &spec.organization {
            dn.push(DnType::OrganizationName, org.as_str());
        }
        if let Some(cn) = &spec.common_name {
            dn.push(DnType::CommonName, cn.as_str());
        }
        params.distinguished_name = dn;
        if spec.sans.iter().any(|san| matches!(san, San::RawIp(_))) {
            let mut ext = rcgen::CustomExtension::from_oid_content(
                &SUBJECT_ALT_NAME_OID,
                encode_general_names(&spec.sans)?,
            );
            // RFC 5280 4.2.1.6: critical when the subject is empty (as rcgen does).
            ext.set_criticality(params.distinguished_name.iter().next().is_none());
            params.custom_extensions.push(ext);
        } else {
            params.subject_alt_names = spec
                .sans
                .iter()
                .map(|san| match san {
                    San::Dns(name) => Ok(SanType::DnsName(ia5(name)?)),
                    San::Ip(ip) => Ok(SanType::IpAddress(*ip)),
                    San::RawIp(_) => Err(Error::Internal("raw iPAddress handled above")),
                })
                .collect::<Result<_, Error>>()?;
        }
        let out_of_range = || Error::InvalidSpec("validity offset out of range");
        params.not_before = self
            .now
            .checked_add(spec.not_before)
            .ok_or_else(out_of_range)?;
        params.not_after = self
            .now
            .checked_add(spec.not_after)
            .ok_or_else(out_of_range)?;
        params.serial_number = Some(SerialNumber::from(self.next_serial().as_bytes().to_vec()));
        params.is_ca = spec.effective_is_ca();
        params.key_usages = spec.effective_key_usage();
        params.extended_key_usages = spec.effective_eku();
        params.use_authority_key_identifier_extension = issued;
        params.key_identifier_method = KeyIdMethod::Sha256;
        Ok(params)
    }

    fn finish(
        &self,
        spec: &CertSpec,
        params: CertificateParams,
        key: KeyPair,
        der: CertificateDer<'static>,
        self_signed: bool,
    ) -> Cert {
        let serial = params
            .serial_number
            .as_ref()
            .map(|s| Serial::from_be_bytes(s.as_ref()))
            .unwrap_or_else(|| Serial::from_be_bytes(&[]));
        Cert(Arc::new(CertInner {
            spec: spec.clone(),
            not_before: params.not_before,
            not_after: params.not_after,
            params,
            key,
            der,
            serial,
            self_signed,
        }))
    }
}

/// id-ce-subjectAltName.
const SUBJECT_ALT_NAME_OID: [u64; 4] = [2, 5, 29, 17];

fn ia5(name: &str) -> Result<rcgen::string::Ia5String, Error> {
    rcgen::string::Ia5String::try_from(name).map_err(|source| Error::Generate {
        what: "dNSName (IA5 text must be ASCII)",
        source,
    })
}

/// DER `GeneralNames` for `sans` (dNSName `[2]`, iPAddress `[7]`, both IMPLICIT primitive).
fn encode_general_names(sans: &[San]) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    for san in sans {
        match san {
            San::Dns(name) => {
                ia5(name)?;
                der_tlv(0x82, name.as_bytes(), &mut body);
            }
            San::Ip(IpAddr::V4(v4)) => der_tlv(0x87, &v4.octets(), &mut body),
            San::Ip(IpAddr::V6(v6)) => der_tlv(0x87, &v6.octets(), &mut body),
            San::RawIp(bytes) => der_tlv(0x87, bytes, &mut body),
        }
    }
    let mut out = Vec::with_capacity(body.len() + 6);
    der_tlv(0x30, &body, &mut out);
    Ok(out)
}

fn der_tlv(tag: u8, value: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(value);
}
