//! The reference model: what libpq 15 does with a [`Case`], written from
//! `shared/reference/libpq-client.md` (§2 sslmode table and PG ≤16 retry flags, §3 SSLRequest
//! answers, §4 chain verification, §5 host names, §6 channel binding) and nothing else.
//!
//! It never calls the probe. It is deliberately small: one function per rule, in the order
//! libpq applies them.

use pgtls_pki::{Eku, KeyType};

use crate::case::{
    Answer, Auth, Case, ChainFacts, ChannelBinding, HbaLine, Host, Mode, Order, Password, SanFact,
    Trust, Validity,
};

/// Encrypted or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wire {
    /// Inside TLS.
    Tls,
    /// In the clear.
    Plaintext,
}

/// How a connection attempt ended up, overall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Connected over TLS.
    Tls,
    /// Connected in plaintext.
    Plaintext,
    /// No connection.
    Rejected,
}

/// A secret the client handed to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Secret {
    /// The password in a PasswordMessage (`password` method).
    Cleartext,
    /// The MD5 hash (`md5` method).
    Md5,
    /// A SCRAM client proof.
    ScramProof,
}

/// One TCP connection libpq makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Connection {
    /// It starts with SSLRequest (else with a plaintext StartupMessage).
    pub ssl_request: bool,
    /// The secret sent on it, and over what.
    pub exposure: Option<(Secret, Wire)>,
}

/// The model's answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expected {
    /// The outcome.
    pub outcome: Outcome,
    /// Every connection, in order.
    pub connections: Vec<Connection>,
    /// Why libpq gave up (the gist of its last error), when it did.
    pub reason: Option<&'static str>,
}

impl Expected {
    /// True when any secret reached the server.
    pub fn password_reaches_server(&self) -> bool {
        self.connections.iter().any(|c| c.exposure.is_some())
    }
}

/// What negotiation on a connection that sent SSLRequest led to.
enum Negotiated {
    /// TLS is up and the server passed every check the settings ask for.
    Tls,
    /// `N`: the StartupMessage follows in plaintext on this connection.
    Plaintext,
    /// TLS came up but failed (handshake, chain or host name, missing root file):
    /// `prefer` retries without SSL on a new connection.
    TlsFailed(&'static str),
    /// `E`, EOF, garbage, bytes stuffed after `S`, or `N` when SSL is required: no retry.
    Fatal(&'static str),
}

/// How startup and authentication on one connection ended.
enum AuthEnd {
    /// AuthenticationOk accepted.
    Ok,
    /// The server sent an ErrorResponse (hba FATAL, wrong password): libpq's retry flags decide.
    ServerError(&'static str),
    /// libpq itself gave up (no password, channel binding rules, no digest for the binding):
    /// never retried.
    ClientError(&'static str),
}

/// libpq 15's decision for `case`.
pub fn expect(case: &Case) -> Expected {
    let mode = case.sslmode;
    // PG ≤16 drive the retries with two flags (fe-connect.c `allow_ssl_try`, `wait_ssl_try`).
    let mut allow_ssl_try = mode != Mode::Disable;
    let mut wait_ssl_try = mode == Mode::Allow;
    let mut connections = Vec::new();
    loop {
        let ssl_request = allow_ssl_try && !wait_ssl_try;
        let wire = if ssl_request {
            match negotiate(case) {
                Negotiated::Tls => Wire::Tls,
                Negotiated::Plaintext => Wire::Plaintext,
                Negotiated::TlsFailed(_) if mode == Mode::Prefer => {
                    connections.push(Connection {
                        ssl_request,
                        exposure: None,
                    });
                    allow_ssl_try = false;
                    continue;
                }
                Negotiated::TlsFailed(why) | Negotiated::Fatal(why) => {
                    connections.push(Connection {
                        ssl_request,
                        exposure: None,
                    });
                    return rejected(connections, why);
                }
            }
        } else {
            Wire::Plaintext
        };
        let (result, exposure) = startup_and_authenticate(case, wire);
        connections.push(Connection {
            ssl_request,
            exposure,
        });
        match result {
            AuthEnd::Ok => {
                let outcome = match wire {
                    Wire::Tls => Outcome::Tls,
                    Wire::Plaintext => Outcome::Plaintext,
                };
                return Expected {
                    outcome,
                    connections,
                    reason: None,
                };
            }
            AuthEnd::ClientError(why) => return rejected(connections, why),
            AuthEnd::ServerError(why) => {
                // allow: the plaintext try failed on the server's word; try once with SSL.
                if mode == Mode::Allow && wire == Wire::Plaintext && allow_ssl_try && wait_ssl_try {
                    wait_ssl_try = false;
                    continue;
                }
                // prefer: the SSL try failed on the server's word; try once without.
                if mode == Mode::Prefer && wire == Wire::Tls && allow_ssl_try && !wait_ssl_try {
                    allow_ssl_try = false;
                    continue;
                }
                return rejected(connections, why);
            }
        }
    }
}

fn rejected(connections: Vec<Connection>, why: &'static str) -> Expected {
    Expected {
        outcome: Outcome::Rejected,
        connections,
        reason: Some(why),
    }
}

/// The SSLRequest answer, then TLS (§3, §2 table).
fn negotiate(case: &Case) -> Negotiated {
    let ssl_required = matches!(
        case.sslmode,
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull
    );
    let tls = tls_failure(case);
    match case.answer {
        Answer::N if ssl_required => {
            Negotiated::Fatal("server does not support SSL, but SSL was required")
        }
        Answer::N => Negotiated::Plaintext,
        // Hard failures in every mode.
        Answer::E => Negotiated::Fatal("server sent an error response during SSL exchange"),
        Answer::Close => Negotiated::Fatal("server closed the connection unexpectedly"),
        Answer::Garbage => Negotiated::Fatal("received invalid response to SSL negotiation"),
        Answer::S => match tls {
            None => Negotiated::Tls,
            Some(why) => Negotiated::TlsFailed(why),
        },
        // Bytes stuffed after `S` stay in libpq's plaintext buffer while OpenSSL reads the
        // socket; libpq looks at the buffer once the handshake (verification included)
        // succeeded, and then it is a hard failure. A handshake that fails first is an
        // ordinary TLS failure.
        Answer::Stuffed => match tls {
            None => Negotiated::Fatal("received unencrypted data after SSL response"),
            Some(why) => Negotiated::TlsFailed(why),
        },
    }
}

/// Whether libpq keeps the TLS session (§4, §5).
pub fn tls_accepted(case: &Case) -> bool {
    tls_failure(case).is_none()
}

/// Why libpq drops the TLS session, if it does (§4, §5).
fn tls_failure(case: &Case) -> Option<&'static str> {
    let root_file = case.trust != Trust::NoFile;
    let verify_ca_or_full = matches!(case.sslmode, Mode::VerifyCa | Mode::VerifyFull);
    if verify_ca_or_full && !root_file {
        return Some("root certificate file does not exist");
    }
    // A root file present means verification in every mode that uses SSL.
    if root_file && !chain_verifies(case) {
        return Some("certificate verify failed");
    }
    if case.sslmode == Mode::VerifyFull && !host_matches(&case.chain, &case.host) {
        return Some("server certificate does not match host name");
    }
    None
}

/// Startup and authentication on one connection over `wire` (§2 hba retries, §6).
fn startup_and_authenticate(case: &Case, wire: Wire) -> (AuthEnd, Option<(Secret, Wire)>) {
    // The server checks the hba line after the StartupMessage: FATAL 28000.
    let hba_refuses = matches!(
        (case.hba, wire),
        (HbaLine::HostSsl, Wire::Plaintext) | (HbaLine::HostNoSsl, Wire::Tls)
    );
    if hba_refuses {
        return (AuthEnd::ServerError("no pg_hba.conf entry"), None);
    }
    let cb_required = case.channel_binding == ChannelBinding::Require;
    let has_password = case.password != Password::Missing;
    let verdict = |secret: Secret| {
        let result = if case.password == Password::Correct {
            AuthEnd::Ok
        } else {
            AuthEnd::ServerError("password authentication failed")
        };
        (result, Some((secret, wire)))
    };
    const NO_PASSWORD: &str = "fe_sendauth: no password supplied";
    match case.auth {
        Auth::Trust if cb_required => (
            AuthEnd::ClientError(
                "channel binding required, but server authenticated client without channel binding",
            ),
            None,
        ),
        Auth::Trust => (AuthEnd::Ok, None),
        Auth::Cleartext | Auth::Md5 if cb_required => (
            AuthEnd::ClientError(
                "channel binding required but not supported by server's authentication request",
            ),
            None,
        ),
        Auth::Cleartext | Auth::Md5 if !has_password => (AuthEnd::ClientError(NO_PASSWORD), None),
        Auth::Cleartext => verdict(Secret::Cleartext),
        Auth::Md5 => verdict(Secret::Md5),
        Auth::Scram => {
            if cb_required && wire == Wire::Plaintext {
                return (
                    AuthEnd::ClientError("channel binding required, but SSL not in use"),
                    None,
                );
            }
            if !has_password {
                return (AuthEnd::ClientError(NO_PASSWORD), None);
            }
            // A server offers SCRAM-SHA-256-PLUS over TLS only; libpq takes it unless
            // channel_binding=disable. Its binding data is the leaf hashed with the digest of
            // the leaf's signature, and an Ed25519 signature has none: libpq gives up before
            // sending the proof.
            let plus = wire == Wire::Tls && case.channel_binding != ChannelBinding::Disable;
            if plus && case.chain.leaf_issuer_key() == KeyType::Ed25519 {
                return (
                    AuthEnd::ClientError("could not find digest for NID (Ed25519 signature)"),
                    None,
                );
            }
            verdict(Secret::ScramProof)
        }
    }
}

// ------------------------------------------------------------------------ chain verification

/// A certificate of the case, for trust-file membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ca {
    Root,
    Intermediate(usize),
    Other,
}

/// What the root file holds (a file is assumed to exist).
fn trust_file(case: &Case) -> Vec<Ca> {
    let n = case.chain.intermediates.len();
    let issuer = if n == 0 {
        Ca::Root
    } else {
        Ca::Intermediate(n - 1)
    };
    match case.trust {
        Trust::Root => vec![Ca::Root],
        Trust::RootAndIntermediates => {
            let mut v = vec![Ca::Root];
            v.extend((0..n).map(Ca::Intermediate));
            v
        }
        Trust::IssuerOnly => vec![issuer],
        Trust::OtherRoot => vec![Ca::Other],
        Trust::OtherRootThenRoot => vec![Ca::Other, Ca::Root],
        Trust::NoFile => Vec::new(),
    }
}

fn valid_now(v: Validity) -> bool {
    v.not_before_h <= 0 && 0 <= v.not_after_h
}

/// OpenSSL's verification as libpq configures it (no partial chains, purpose `sslserver`):
/// the path leaf → intermediates → root must be complete from what the server sent plus the
/// root file, end at a self-signed root from the root file, and every certificate on it must
/// be current (the root too), every CA above the leaf a CA, the leaf fit for serverAuth.
/// A root the server sends is not trusted because it was sent.
pub fn chain_verifies(case: &Case) -> bool {
    let chain = &case.chain;
    let file = trust_file(case);
    if !file.contains(&Ca::Root) {
        return false;
    }
    let intermediates_sent = chain.order != Order::LeafOnly;
    let every_intermediate_found = (0..chain.intermediates.len())
        .all(|i| intermediates_sent || file.contains(&Ca::Intermediate(i)));
    if !every_intermediate_found {
        return false;
    }
    let all_current = valid_now(chain.root.validity)
        && chain.intermediates.iter().all(|c| valid_now(c.validity))
        && valid_now(chain.leaf.validity);
    // The root is checked too (`invalid CA certificate` for a CA:FALSE trust anchor).
    let all_cas = chain.root.is_ca && chain.intermediates.iter().all(|c| c.is_ca);
    // A CA:TRUE leaf is fine for OpenSSL without X509_V_FLAG_X509_STRICT.
    let server_purpose = match chain.leaf.eku {
        Eku::RoleDefault | Eku::Absent | Eku::ServerAuth | Eku::ServerAndClientAuth => true,
        Eku::ClientAuth | Eku::CodeSigning => false,
    };
    all_current && all_cas && server_purpose
}

// ------------------------------------------------------------------------- host name (§5)

/// libpq's host-name check for verify-full.
pub fn host_matches(chain: &ChainFacts, host: &Host) -> bool {
    host_check(chain, host) == Some(true)
}

/// The SAN scan and CN fallback; `None` when a name examined is an error (embedded NUL, IP of
/// a bad length), which ends the scan.
fn host_check(chain: &ChainFacts, host: &Host) -> Option<bool> {
    let host_is_ip = host.inet_aton.is_some() || host.inet_pton6.is_some();
    let mut check_cn = true;
    for san in &chain.leaf.sans {
        let same_kind = match san {
            SanFact::Dns(_) => !host_is_ip,
            SanFact::Ip(_) | SanFact::RawIp(_) => host_is_ip,
        };
        if same_kind {
            check_cn = false;
        }
        let matched = match san {
            // dNSName entries are compared as text even when the host is an IP.
            SanFact::Dns(name) => name_matches(name, host.text)?,
            SanFact::Ip(std::net::IpAddr::V4(v4)) => host.inet_aton == Some(v4.octets()),
            SanFact::Ip(std::net::IpAddr::V6(v6)) => host.inet_pton6 == Some(v6.octets()),
            // `certificate contains IP address with invalid length <n>`.
            SanFact::RawIp(_) => return None,
        };
        if matched {
            return Some(true);
        }
    }
    match chain.leaf.cn {
        Some(cn) if check_cn => name_matches(cn, host.text),
        _ => Some(false),
    }
}

/// Case-insensitive equality, or a `*.suffix` pattern whose `*` covers one or more characters
/// of exactly one label; `None` for a name with an embedded NUL (`SSL certificate's name
/// contains embedded null`).
pub fn name_matches(pattern: &str, host: &str) -> Option<bool> {
    if pattern.contains('\0') {
        return None;
    }
    Some(wildcard_or_equal(pattern, host))
}

fn wildcard_or_equal(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(suffix) = pattern.strip_prefix('*') else {
        return false;
    };
    if !suffix.starts_with('.') || pattern.len() < 3 || host.len() < pattern.len() {
        return false;
    }
    let Some((label, tail)) = host
        .is_char_boundary(host.len() - suffix.len())
        .then(|| host.split_at(host.len() - suffix.len()))
    else {
        return false;
    };
    tail.eq_ignore_ascii_case(suffix) && !label.is_empty() && !label.contains('.')
}
