//! The sslmode table: what each libpq `sslmode` means, as data.
//!
//! Code that decides (the probe) or explains (`explain`) branches on the fields of a [`Policy`]
//! row, never on the mode's name. The rows are libpq 15's behaviour (see
//! `libpq-client.md` §2); [`SslMode::policy_for`] applies the one documented change in libpq 17
//! (an `N` on `allow`'s TLS retry now fails).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::ConninfoError;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    /// Only plaintext.
    Disable,
    /// Plaintext first; TLS only if the server rejects the plaintext attempt during authentication.
    Allow,
    /// TLS first; plaintext if the server refuses TLS or TLS fails (the default).
    Prefer,
    /// TLS only; the chain is verified only if a root certificate file exists.
    Require,
    /// TLS only; the chain must verify against the root certificate file.
    VerifyCa,
    /// TLS only; the chain must verify and the server certificate must match `host`.
    VerifyFull,
}

impl SslMode {
    /// Every mode, weakest first (libpq's documented order).
    pub const ALL: [SslMode; 6] = [
        SslMode::Disable,
        SslMode::Allow,
        SslMode::Prefer,
        SslMode::Require,
        SslMode::VerifyCa,
        SslMode::VerifyFull,
    ];

    /// libpq's spelling (`verify-full`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// This mode's row of [`POLICY_TABLE`] (libpq 15 behaviour).
    pub const fn policy(self) -> Policy {
        POLICY_TABLE[self as usize]
    }

    /// This mode's row as libpq `libpq_major` behaves. The only difference among the supported
    /// majors: from libpq 17 on, `allow`'s TLS retry no longer accepts an `N` (it fails with
    /// `server does not support SSL, but SSL was required`).
    pub const fn policy_for(self, libpq_major: u32) -> Policy {
        let mut p = self.policy();
        if libpq_major >= 17 && matches!(self, SslMode::Allow) {
            p.plaintext_after_refusal = false;
        }
        p
    }

    /// True when every connection this mode makes is TLS.
    pub const fn requires_tls(self) -> bool {
        !self.policy().plaintext_allowed
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SslMode {
    type Err = ConninfoError;

    /// Exact, case-sensitive match as libpq does (`strcmp`); anything else is
    /// `invalid sslmode value: "<s>"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SslMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| ConninfoError::InvalidValue {
                keyword: "sslmode",
                value: s.to_owned(),
            })
    }
}

/// A transport libpq can use for one connection attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// StartupMessage in the clear.
    Plaintext,
    /// SSLRequest (or a direct ClientHello), then TLS.
    Tls,
}

/// When libpq verifies the server's certificate chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyChain {
    /// Never (no TLS is ever used).
    Never,
    /// Only if the root certificate file (`sslrootcert`, default `~/.postgresql/root.crt`)
    /// exists; a missing file means no verification at all.
    IfRootFile,
    /// Always; a missing root file fails the connection after the server's `S`.
    Always,
}

/// One row of the sslmode table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Policy {
    /// The mode this row describes.
    pub mode: SslMode,
    /// The transport of the first attempt.
    pub first_transport: Transport,
    /// The transport of the one retry, if the mode has one.
    pub second_transport: Option<Transport>,
    /// May a connection end up TLS?
    pub tls_allowed: bool,
    /// May a connection end up plaintext?
    pub plaintext_allowed: bool,
    /// After the server answers `N` to an SSLRequest, does libpq send a plaintext
    /// StartupMessage on the same connection (instead of failing with
    /// `server does not support SSL, but SSL was required`)?
    pub plaintext_after_refusal: bool,
    /// After a failed TLS handshake or certificate verification, or an ErrorResponse during
    /// authentication over TLS, does libpq reconnect in plaintext?
    pub plaintext_after_tls_failure: bool,
    /// After an ErrorResponse during authentication over plaintext, does libpq reconnect and try
    /// TLS?
    pub tls_after_plaintext_failure: bool,
    /// When the chain is verified.
    pub verify_chain: VerifyChain,
    /// Is the server certificate matched against `host`?
    pub verify_hostname: bool,
}

/// The sslmode table (libpq 15), indexed by `SslMode as usize`, in [`SslMode::ALL`] order.
pub const POLICY_TABLE: [Policy; 6] = [
    Policy {
        mode: SslMode::Disable,
        first_transport: Transport::Plaintext,
        second_transport: None,
        tls_allowed: false,
        plaintext_allowed: true,
        plaintext_after_refusal: false,
        plaintext_after_tls_failure: false,
        tls_after_plaintext_failure: false,
        verify_chain: VerifyChain::Never,
        verify_hostname: false,
    },
    Policy {
        mode: SslMode::Allow,
        first_transport: Transport::Plaintext,
        second_transport: Some(Transport::Tls),
        tls_allowed: true,
        plaintext_allowed: true,
        // On the TLS retry, libpq <= 16 accepts an `N` and continues in plaintext.
        plaintext_after_refusal: true,
        plaintext_after_tls_failure: false,
        tls_after_plaintext_failure: true,
        verify_chain: VerifyChain::IfRootFile,
        verify_hostname: false,
    },
    Policy {
        mode: SslMode::Prefer,
        first_transport: Transport::Tls,
        second_transport: Some(Transport::Plaintext),
        tls_allowed: true,
        plaintext_allowed: true,
        plaintext_after_refusal: true,
        plaintext_after_tls_failure: true,
        tls_after_plaintext_failure: false,
        verify_chain: VerifyChain::IfRootFile,
        verify_hostname: false,
    },
    Policy {
        mode: SslMode::Require,
        first_transport: Transport::Tls,
        second_transport: None,
        tls_allowed: true,
        plaintext_allowed: false,
        plaintext_after_refusal: false,
        plaintext_after_tls_failure: false,
        tls_after_plaintext_failure: false,
        verify_chain: VerifyChain::IfRootFile,
        verify_hostname: false,
    },
    Policy {
        mode: SslMode::VerifyCa,
        first_transport: Transport::Tls,
        second_transport: None,
        tls_allowed: true,
        plaintext_allowed: false,
        plaintext_after_refusal: false,
        plaintext_after_tls_failure: false,
        tls_after_plaintext_failure: false,
        verify_chain: VerifyChain::Always,
        verify_hostname: false,
    },
    Policy {
        mode: SslMode::VerifyFull,
        first_transport: Transport::Tls,
        second_transport: None,
        tls_allowed: true,
        plaintext_allowed: false,
        plaintext_after_refusal: false,
        plaintext_after_tls_failure: false,
        tls_after_plaintext_failure: false,
        verify_chain: VerifyChain::Always,
        verify_hostname: true,
    },
];
