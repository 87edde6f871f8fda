//! One generated situation, as data, and the strategies that generate it.
//!
//! Everything here is a fact a person can read in a failure report: which certificates exist
//! and what is in them, what the client trusts and types, what the server answers. Nothing here
//! decides an outcome (that is [`crate::reference`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use pgtls_pki::{Eku, KeyType};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;

/// A certificate's validity, in hours relative to the PKI's `now` (negative = in the past).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Validity {
    /// notBefore = now + this many hours.
    pub not_before_h: i64,
    /// notAfter = now + this many hours.
    pub not_after_h: i64,
}

impl fmt::Debug for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "now{:+}h..now{:+}h", self.not_before_h, self.not_after_h)
    }
}

/// A CA certificate of the chain (the root, or an intermediate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CaFacts {
    /// Its key (and so the algorithm of the signatures it makes).
    pub key: KeyType,
    /// Its validity.
    pub validity: Validity,
    /// basicConstraints CA:TRUE (false: `CA:FALSE` on a certificate that signs anyway).
    pub is_ca: bool,
}

/// A subjectAltName entry of the leaf.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum SanFact {
    /// dNSName, written verbatim (wildcards and IP-looking text included).
    Dns(&'static str),
    /// iPAddress.
    Ip(IpAddr),
    /// iPAddress with a length that is neither 4 nor 16.
    RawIp(&'static [u8]),
}

impl fmt::Debug for SanFact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SanFact::Dns(d) => write!(f, "DNS:{d}"),
            SanFact::Ip(ip) => write!(f, "IP:{ip}"),
            SanFact::RawIp(bytes) => write!(f, "IP:{bytes:?}"),
        }
    }
}

/// The server leaf.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LeafFacts {
    /// Its key (what the TLS handshake signs with).
    pub key: KeyType,
    /// Its validity.
    pub validity: Validity,
    /// Subject CN (`None`: the subject has only `O=pgtls model`).
    pub cn: Option<&'static str>,
    /// subjectAltName entries in order (empty: no extension).
    pub sans: Vec<SanFact>,
    /// extendedKeyUsage.
    pub eku: Eku,
    /// basicConstraints CA:TRUE on the leaf.
    pub is_ca: bool,
}

/// The order the server sends its chain in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    /// Leaf, then intermediates from the leaf's issuer upwards.
    LeafFirst,
    /// Leaf, then intermediates root-most first.
    Reversed,
    /// The leaf alone (intermediates missing).
    LeafOnly,
}

/// The server's certificate chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChainFacts {
    /// The root CA that signed the first intermediate (or the leaf).
    pub root: CaFacts,
    /// Intermediates, root-most first; the last one signs the leaf.
    pub intermediates: Vec<CaFacts>,
    /// The leaf.
    pub leaf: LeafFacts,
    /// Send order.
    pub order: Order,
    /// The root is sent too, after the intermediates (ignored with [`Order::LeafOnly`]).
    pub send_root: bool,
}

impl ChainFacts {
    /// The key type of the certificate that signed the leaf (decides the leaf's signature
    /// algorithm, hence its tls-server-end-point hash).
    pub fn leaf_issuer_key(&self) -> KeyType {
        self.intermediates.last().unwrap_or(&self.root).key
    }
}

/// The `host` the client connects with (it always reaches 127.0.0.1 through `hostaddr`),
/// with what the C library makes of the text, written by hand.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Host {
    /// The text in `host=`.
    pub text: &'static str,
    /// What `inet_aton` returns (it accepts octal/zero-padded parts).
    pub inet_aton: Option<[u8; 4]>,
    /// What `inet_pton(AF_INET6, ...)` returns.
    pub inet_pton6: Option<[u8; 16]>,
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

const LOOPBACK_V6: [u8; 16] = Ipv6Addr::LOCALHOST.octets();
const DOC_V6: [u8; 16] = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).octets();

const fn dns(text: &'static str) -> Host {
    Host {
        text,
        inet_aton: None,
        inet_pton6: None,
    }
}

/// Hosts the client may use. The SAN and CN pools below are written so that most of them
/// match some of these.
pub const HOSTS: &[Host] = &[
    dns("db.pgtls.test"),
    dns("DB.Pgtls.Test"),
    dns("other.pgtls.test"),
    dns("a.db.pgtls.test"),
    dns("db.pgtls.test."),
    Host {
        text: "127.0.0.1",
        inet_aton: Some([127, 0, 0, 1]),
        inet_pton6: None,
    },
    Host {
        text: "127.000.000.001",
        inet_aton: Some([127, 0, 0, 1]),
        inet_pton6: None,
    },
    Host {
        text: "::1",
        inet_aton: None,
        inet_pton6: Some(LOOPBACK_V6),
    },
    Host {
        text: "2001:db8::1",
        inet_aton: None,
        inet_pton6: Some(DOC_V6),
    },
    Host {
        text: "2001:DB8:0:0:0:0:0:1",
        inet_aton: None,
        inet_pton6: Some(DOC_V6),
    },
];

/// How often the strategies pick each host: the names most SANs and CNs are written for
/// come up most.
fn host_weight(text: &str) -> u32 {
    match text {
        "db.pgtls.test" => 5,
        "127.0.0.1" => 2,
        _ => 1,
    }
}

/// dNSName SANs (weight, name): exact names, case variants, wildcards (valid and not), IP
/// text, an embedded NUL.
const DNS_SANS: &[(u32, &str)] = &[
    (6, "db.pgtls.test"),
    (1, "DB.PGTLS.TEST"),
    (4, "*.pgtls.test"),
    (1, "*.db.pgtls.test"),
    (2, "other.pgtls.test"),
    (1, "f*.pgtls.test"),
    (1, "127.0.0.1"),
    (1, "::1"),
    (1, "*.0.0.1"),
    (1, "db.pgtls.test\0.evil.test"),
];

const IP_SANS: &[(u32, IpAddr)] = &[
    (3, IpAddr::V4(Ipv4Addr::LOCALHOST)),
    (1, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))),
    (1, IpAddr::V6(Ipv6Addr::LOCALHOST)),
    (
        1,
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    ),
];

/// iPAddress SANs of an impossible length.
const RAW_IP_SANS: &[(u32, &[u8])] = &[(1, &[127, 0, 0, 1, 0]), (1, &[127, 0, 0])];

const CNS: &[(u32, &str)] = &[
    (4, "db.pgtls.test"),
    (1, "*.pgtls.test"),
    (1, "other.pgtls.test"),
    (1, "127.0.0.1"),
    (1, "::1"),
];

/// What the client's root file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Trust {
    /// The chain's root.
    Root,
    /// The root and every intermediate.
    RootAndIntermediates,
    /// Only the leaf's issuer (an intermediate; the root itself when there is none).
    IssuerOnly,
    /// An unrelated root.
    OtherRoot,
    /// An unrelated root, then the chain's root.
    OtherRootThenRoot,
    /// There is no root file.
    NoFile,
}

/// Where the root file is (or would be).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RootLocation {
    /// `sslrootcert=<dir>/root.crt`.
    Sslrootcert,
    /// No `sslrootcert`: libpq's default `~/.postgresql/root.crt` under the isolated HOME.
    DefaultHome,
}

/// The server's answer to SSLRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// `S`, then TLS.
    S,
    /// `N`, then plaintext on the same connection.
    N,
    /// `E` (an ErrorResponse), then close.
    E,
    /// Close without answering.
    Close,
    /// `HTTP/1.1 400 ...`, then close.
    Garbage,
    /// `S` and 8 bytes of plaintext in the same write, then TLS.
    Stuffed,
}

/// The pg_hba.conf line that matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HbaLine {
    /// `host`.
    Host,
    /// `hostssl`.
    HostSsl,
    /// `hostnossl`.
    HostNoSsl,
}

/// The authentication method of the hba line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Auth {
    /// `trust`.
    Trust,
    /// `password` (cleartext).
    Cleartext,
    /// `md5`.
    Md5,
    /// `scram-sha-256` (PLUS offered over TLS).
    Scram,
}

/// The password the client has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Password {
    /// The role's password.
    Correct,
    /// Another password.
    Wrong,
    /// No password at all.
    Missing,
}

/// libpq's sslmode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `disable`
    Disable,
    /// `allow`
    Allow,
    /// `prefer`
    Prefer,
    /// `require`
    Require,
    /// `verify-ca`
    VerifyCa,
    /// `verify-full`
    VerifyFull,
}

impl Mode {
    /// The conninfo value.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Disable => "disable",
            Mode::Allow => "allow",
            Mode::Prefer => "prefer",
            Mode::Require => "require",
            Mode::VerifyCa => "verify-ca",
            Mode::VerifyFull => "verify-full",
        }
    }
}

/// libpq's channel_binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelBinding {
    /// `disable`
    Disable,
    /// `prefer`
    Prefer,
    /// `require`
    Require,
}

impl ChannelBinding {
    /// The conninfo value.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelBinding::Disable => "disable",
            ChannelBinding::Prefer => "prefer",
            ChannelBinding::Require => "require",
        }
    }
}

/// One situation: the server side, the client side.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Case {
    /// The certificates the server presents.
    pub chain: ChainFacts,
    /// What the server answers to SSLRequest.
    pub answer: Answer,
    /// The hba line.
    pub hba: HbaLine,
    /// The authentication method.
    pub auth: Auth,
    /// The `host` the client uses.
    pub host: Host,
    /// What the client's root file holds.
    pub trust: Trust,
    /// Where the root file is.
    pub root_location: RootLocation,
    /// The client's password.
    pub password: Password,
    /// sslmode.
    pub sslmode: Mode,
    /// channel_binding.
    pub channel_binding: ChannelBinding,
}

// ---------------------------------------------------------------------------------- strategies

/// Which situations to favour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bias {
    /// Every knob spread out, healthy values most often (so that successes, fallbacks and
    /// failures all come up).
    Spread,
    /// Situations where a password may leak: password methods, untrusted or downgrading
    /// servers, wrong passwords, hba rules that force retries.
    Credentials,
}

/// Picks one of `items` with the given weights (shrinking towards the first).
fn weighted<T: Clone + fmt::Debug + 'static>(items: &[(u32, T)]) -> BoxedStrategy<T> {
    Union::new_weighted(items.iter().map(|(w, t)| (*w, Just(t.clone()))).collect()).boxed()
}

/// Key types; RSA is rare (its keys come from a small pool but signing is still slower).
pub fn key_type() -> impl Strategy<Value = KeyType> {
    weighted(&[
        (6, KeyType::EcdsaP256),
        (2, KeyType::EcdsaP384),
        (2, KeyType::Ed25519),
        (1, KeyType::Rsa2048),
    ])
}

/// Validity around now: mostly current, sometimes expired or not yet valid. Offsets are at
/// least an hour away from now (the PKI's `now` is refreshed every few minutes).
pub fn validity(valid_weight: u32) -> impl Strategy<Value = Validity> {
    let valid = (
        select(&[-720i64, -24, -1][..]),
        select(&[1i64, 24, 2160][..]),
    );
    let expired = (select(&[-720i64, -48][..]), select(&[-24i64, -1][..]));
    let not_yet = (select(&[1i64, 24][..]), select(&[48i64, 720][..]));
    prop_oneof![
        valid_weight => valid,
        1 => expired,
        1 => not_yet,
    ]
    .prop_map(|(not_before_h, not_after_h)| Validity {
        not_before_h,
        not_after_h,
    })
}

fn san() -> impl Strategy<Value = SanFact> {
    prop_oneof![
        30 => weighted(DNS_SANS).prop_map(SanFact::Dns),
        20 => weighted(IP_SANS).prop_map(SanFact::Ip),
        2 => weighted(RAW_IP_SANS).prop_map(SanFact::RawIp),
    ]
}

fn eku() -> impl Strategy<Value = Eku> {
    weighted(&[
        (24, Eku::RoleDefault),
        (1, Eku::Absent),
        (1, Eku::ClientAuth),
        (1, Eku::ServerAndClientAuth),
        (1, Eku::CodeSigning),
    ])
}

fn leaf() -> impl Strategy<Value = LeafFacts> {
    (
        key_type(),
        validity(24),
        prop::option::weighted(0.75, weighted(CNS)),
        prop::collection::vec(san(), 0..=3),
        eku(),
        prop::bool::weighted(0.04),
    )
        .prop_map(|(key, validity, cn, sans, eku, is_ca)| LeafFacts {
            key,
            validity,
            cn,
            sans,
            eku,
            is_ca,
        })
}

fn ca(not_ca_probability: f64) -> impl Strategy<Value = CaFacts> {
    (
        key_type(),
        validity(40),
        prop::bool::weighted(1.0 - not_ca_probability),
    )
        .prop_map(|(key, validity, is_ca)| CaFacts {
            key,
            validity,
            is_ca,
        })
}

/// A chain: a root, 0–2 intermediates, a leaf, a send order.
pub fn chain() -> impl Strategy<Value = ChainFacts> {
    (
        ca(0.02),
        prop::collection::vec(ca(0.03), 0..=2),
        leaf(),
        weighted(&[
            (8, Order::LeafFirst),
            (3, Order::Reversed),
            (1, Order::LeafOnly),
        ]),
        prop::bool::weighted(0.25),
    )
        .prop_map(|(root, intermediates, leaf, order, send_root)| ChainFacts {
            root,
            intermediates,
            leaf,
            order,
            send_root,
        })
}

fn trust(bias: Bias) -> impl Strategy<Value = Trust> {
    let (right, other) = match bias {
        Bias::Spread => (10, 2),
        Bias::Credentials => (6, 4),
    };
    weighted(&[
        (right, Trust::Root),
        (3, Trust::RootAndIntermediates),
        (1, Trust::IssuerOnly),
        (other, Trust::OtherRoot),
        (1, Trust::OtherRootThenRoot),
        (6, Trust::NoFile),
    ])
}

fn answer(bias: Bias) -> impl Strategy<Value = Answer> {
    let n = match bias {
        Bias::Spread => 4,
        Bias::Credentials => 6,
    };
    weighted(&[
        (20, Answer::S),
        (n, Answer::N),
        (1, Answer::E),
        (1, Answer::Close),
        (1, Answer::Garbage),
        (2, Answer::Stuffed),
    ])
}

fn hba() -> impl Strategy<Value = HbaLine> {
    weighted(&[
        (6, HbaLine::Host),
        (2, HbaLine::HostSsl),
        (2, HbaLine::HostNoSsl),
    ])
}

fn auth(bias: Bias) -> impl Strategy<Value = Auth> {
    let trust = match bias {
        Bias::Spread => 2,
        Bias::Credentials => 1,
    };
    weighted(&[
        (trust, Auth::Trust),
        (2, Auth::Cleartext),
        (2, Auth::Md5),
        (3, Auth::Scram),
    ])
}

fn password(bias: Bias) -> impl Strategy<Value = Password> {
    let wrong = match bias {
        Bias::Spread => 2,
        Bias::Credentials => 4,
    };
    weighted(&[
        (10, Password::Correct),
        (wrong, Password::Wrong),
        (1, Password::Missing),
    ])
}

fn host() -> impl Strategy<Value = Host> {
    let items: Vec<(u32, Host)> = HOSTS.iter().map(|h| (host_weight(h.text), *h)).collect();
    weighted(&items)
}

/// Every sslmode equally often.
pub fn sslmode() -> impl Strategy<Value = Mode> {
    select(
        &[
            Mode::Disable,
            Mode::Allow,
            Mode::Prefer,
            Mode::Require,
            Mode::VerifyCa,
            Mode::VerifyFull,
        ][..],
    )
}

fn channel_binding() -> impl Strategy<Value = ChannelBinding> {
    weighted(&[
        (1, ChannelBinding::Disable),
        (3, ChannelBinding::Prefer),
        (1, ChannelBinding::Require),
    ])
}

/// A whole case.
pub fn case(bias: Bias) -> impl Strategy<Value = Case> {
    (
        chain(),
        answer(bias),
        hba(),
        auth(bias),
        host(),
        trust(bias),
        prop_oneof![
            Just(RootLocation::Sslrootcert),
            Just(RootLocation::DefaultHome)
        ],
        password(bias),
        sslmode(),
        channel_binding(),
    )
        .prop_map(
            |(
                chain,
                answer,
                hba,
                auth,
                host,
                trust,
                root_location,
                password,
                sslmode,
                channel_binding,
            )| Case {
                chain,
                answer,
                hba,
                auth,
                host,
                trust,
                root_location,
                password,
                sslmode,
                channel_binding,
            },
        )
}
