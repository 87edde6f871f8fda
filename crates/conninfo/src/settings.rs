//! Resolved settings: the connection string, the environment and libpq's defaults combined and
//! validated as libpq's `conninfo_add_defaults` + `pqConnectOptions2` do (PG17 order of checks).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

use crate::options::{self, KEYWORDS};
use crate::parse::{self, ConninfoOptions};
use crate::{ConninfoError, Env, SslMode};

/// The libpq major every setting this crate models works with; [`Settings::min_libpq`] never
/// returns less.
pub const BASELINE_LIBPQ: u32 = 10;

/// libpq's default port.
pub const DEFAULT_PORT: u16 = 5432;

/// Where a resolved value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "name")]
pub enum Source {
    /// Written in the connection string (or translated from another dialect).
    Conninfo,
    /// An environment variable (its name).
    Env(&'static str),
    /// libpq's compiled-in default.
    Default,
}

/// One host slot, as libpq's `pg_conn_host`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostTarget {
    /// The `host` entry (a name, an IP literal, or a Unix-socket directory); `None` when empty.
    /// This is the name verify-full checks and SNI sends.
    pub host: Option<String>,
    /// The `hostaddr` entry (numeric address to connect to, skipping DNS); `None` when empty.
    pub hostaddr: Option<String>,
    /// The port (`5432` when not given or empty).
    pub port: u16,
}

impl HostTarget {
    /// True when libpq would use a Unix-domain socket for this slot: no hostaddr, and host is
    /// empty (libpq's compiled-in socket directory) or starts with `/` or `@`.
    pub fn is_unix_socket(&self) -> bool {
        if self.hostaddr.is_some() {
            return false;
        }
        match &self.host {
            None => true,
            Some(h) => h.starts_with('/') || h.starts_with('@'),
        }
    }

    /// What to connect to: the hostaddr if given, else the host.
    pub fn connect_target(&self) -> Option<&str> {
        self.hostaddr.as_deref().or(self.host.as_deref())
    }

    /// The server_name libpq puts in SNI when `sslsni=1`: the host, unless it is empty or an IP
    /// literal (only digits and dots, or contains `:`). Never the hostaddr.
    pub fn sni_name(&self) -> Option<&str> {
        let h = self.host.as_deref()?;
        if h.is_empty() || h.bytes().all(|b| b.is_ascii_digit() || b == b'.') || h.contains(':') {
            None
        } else {
            Some(h)
        }
    }
}

/// The root certificate source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "path")]
pub enum RootCert {
    /// A file (given, or the default `~/.postgresql/root.crt`). Whether it exists is decided
    /// at connection time.
    File(PathBuf),
    /// `sslrootcert=system` (libpq 16+): the OS trust store.
    System,
    /// No sslrootcert and no home directory: libpq fails verify-ca/verify-full with
    /// `could not get home directory to locate root certificate file`, and never verifies in
    /// weaker modes.
    NoHomeDirectory,
}

macro_rules! value_enum {
    ($(#[$m:meta])* $name:ident, $kw:literal, { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $v),+
        }
        impl $name {
            /// libpq's spelling.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }
        impl FromStr for $name {
            type Err = ConninfoError;
            /// Exact match as libpq (`strcmp`), else `invalid <keyword> value: "<s>"`.
            fn from_str(s: &str) -> Result<Self, ConninfoError> {
                match s {
                    $($s => Ok($name::$v),)+
                    _ => Err(ConninfoError::InvalidValue { keyword: $kw, value: s.to_owned() }),
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

value_enum!(
    /// `sslnegotiation` (libpq 17+).
    SslNegotiation, "sslnegotiation", {
        /// SSLRequest first (the only behaviour before libpq 17).
        Postgres = "postgres",
        /// TLS ClientHello immediately, ALPN `postgresql` required.
        Direct = "direct",
    }
);

value_enum!(
    /// `channel_binding` (libpq 13+).
    ChannelBindingMode, "channel_binding", {
        /// Never use SCRAM-SHA-256-PLUS.
        Disable = "disable",
        /// Use it when the server offers it over TLS (default).
        Prefer = "prefer",
        /// Fail unless the authentication was channel-bound.
        Require = "require",
    }
);

value_enum!(
    /// `gssencmode` (libpq 12+).
    GssEncMode, "gssencmode", {
        /// Never GSSAPI encryption.
        Disable = "disable",
        /// Try GSSAPI encryption first when a credential cache exists (default).
        Prefer = "prefer",
        /// Only GSSAPI encryption.
        Require = "require",
    }
);

value_enum!(
    /// `sslcertmode` (libpq 16+).
    SslCertMode, "sslcertmode", {
        /// Never send a client certificate.
        Disable = "disable",
        /// Send one if configured and requested (default).
        Allow = "allow",
        /// Fail unless the server requested and accepted a client certificate.
        Require = "require",
    }
);

value_enum!(
    /// `target_session_attrs`.
    TargetSessionAttrs, "target_session_attrs", {
        /// Any server (default).
        Any = "any",
        /// A server accepting writes.
        ReadWrite = "read-write",
        /// A read-only server (libpq 14+).
        ReadOnly = "read-only",
        /// A primary (libpq 14+).
        Primary = "primary",
        /// A standby (libpq 14+).
        Standby = "standby",
        /// A standby if any, else anything (libpq 14+).
        PreferStandby = "prefer-standby",
    }
);

value_enum!(
    /// `load_balance_hosts` (libpq 16+).
    LoadBalanceHosts, "load_balance_hosts", {
        /// Hosts in order (default).
        Disable = "disable",
        /// Hosts in random order.
        Random = "random",
    }
);

/// A TLS protocol version as libpq spells it (case-insensitive on input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TlsVersion {
    /// `TLSv1`
    #[serde(rename = "TLSv1")]
    Tls1_0,
    /// `TLSv1.1`
    #[serde(rename = "TLSv1.1")]
    Tls1_1,
    /// `TLSv1.2`
    #[serde(rename = "TLSv1.2")]
    Tls1_2,
    /// `TLSv1.3`
    #[serde(rename = "TLSv1.3")]
    Tls1_3,
}

impl TlsVersion {
    /// libpq's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Tls1_0 => "TLSv1",
            TlsVersion::Tls1_1 => "TLSv1.1",
            TlsVersion::Tls1_2 => "TLSv1.2",
            TlsVersion::Tls1_3 => "TLSv1.3",
        }
    }

    fn parse(s: &str) -> Option<TlsVersion> {
        [
            TlsVersion::Tls1_0,
            TlsVersion::Tls1_1,
            TlsVersion::Tls1_2,
            TlsVersion::Tls1_3,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `require_auth` (libpq 16+), kept as libpq keeps it: whether the server must authenticate
/// the client at all, and a bitmask of allowed authentication request codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RequireAuth {
    /// False when `none` is allowed (the server may send AuthenticationOk without a challenge).
    pub auth_required: bool,
    /// Bit `1 << code` set for each allowed AuthenticationRequest code (3 password, 5 MD5,
    /// 7/8 GSS, 9 SSPI, 10/11/12 SASL).
    pub allowed: u32,
}

impl RequireAuth {
    /// No `require_auth`: everything allowed, `none` allowed.
    pub const ANY: RequireAuth = RequireAuth {
        auth_required: false,
        allowed: u32::MAX,
    };
    /// AuthenticationCleartextPassword.
    pub const PASSWORD: u32 = 1 << 3;
    /// AuthenticationMD5Password.
    pub const MD5: u32 = 1 << 5;
    /// GSSAPI (request and continue).
    pub const GSS: u32 = (1 << 7) | (1 << 8);
    /// SSPI (request and GSS continue).
    pub const SSPI: u32 = (1 << 9) | (1 << 8);
    /// SASL / SCRAM-SHA-256 (request, continue, final).
    pub const SCRAM: u32 = (1 << 10) | (1 << 11) | (1 << 12);

    /// Whether an AuthenticationRequest with this code is allowed.
    pub fn allows_code(&self, code: u32) -> bool {
        code < 32 && self.allowed & (1 << code) != 0
    }

    /// Parses libpq's comma list (`scram-sha-256,!password` forms) with libpq's errors.
    pub fn parse(s: &str) -> Result<RequireAuth, ConninfoError> {
        if s.is_empty() {
            return Ok(RequireAuth::ANY);
        }
        let mut ra = RequireAuth {
            auth_required: true,
            allowed: 0,
        };
        let mut negated = false;
        for (idx, part) in s.split(',').enumerate() {
            let mut method = part;
            if let Some(rest) = part.strip_prefix('!') {
                if idx == 0 {
                    ra.auth_required = false;
                    ra.allowed = u32::MAX;
                } else if !negated {
                    return Err(ConninfoError::RequireAuthNegativeMixed {
                        method: part.to_owned(),
                    });
                }
                negated = true;
                method = rest;
            } else if negated {
                return Err(ConninfoError::RequireAuthPositiveMixed {
                    method: part.to_owned(),
                });
            }
            let dup = || ConninfoError::RequireAuthDuplicate {
                method: part.to_owned(),
            };
            let bits = match method {
                "password" => RequireAuth::PASSWORD,
                "md5" => RequireAuth::MD5,
                "gss" => RequireAuth::GSS,
                "sspi" => RequireAuth::SSPI,
                "scram-sha-256" => RequireAuth::SCRAM,
                "none" => {
                    if negated {
                        if ra.auth_required {
                            return Err(dup());
                        }
                        ra.auth_required = true;
                    } else {
                        if !ra.auth_required {
                            return Err(dup());
                        }
                        ra.auth_required = false;
                    }
                    continue;
                }
                _ => {
                    return Err(ConninfoError::InvalidValue {
                        keyword: "require_auth",
                        value: method.to_owned(),
                    })
                }
            };
            if negated {
                if ra.allowed & bits == 0 {
                    return Err(dup());
                }
                ra.allowed &= !bits;
            } else {
                if ra.allowed & bits == bits {
                    return Err(dup());
                }
                ra.allowed |= bits;
            }
        }
        Ok(ra)
    }
}

/// A setting that needs a libpq newer than the baseline, and the major that introduced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feature {
    /// What is used (`keyword sslnegotiation`, `sslrootcert=system`, ...).
    pub what: String,
    /// The libpq major that introduced it.
    pub since: u32,
}

/// What libpq would use for a connection: the connection string, the environment and the
/// defaults, validated. Build it with [`Settings::from_conninfo`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Host slots, tried in order.
    pub hosts: Vec<HostTarget>,
    /// User name (given, `PGUSER`, or the OS user).
    pub user: String,
    /// Password (given or `PGPASSWORD`); never printed by this crate. `~/.pgpass` is not read.
    pub password: Option<String>,
    /// Database (defaults to the user name).
    pub dbname: String,
    /// `application_name` (or `PGAPPNAME`).
    pub application_name: Option<String>,
    /// `fallback_application_name`.
    pub fallback_application_name: Option<String>,
    /// The sslmode in effect.
    pub sslmode: SslMode,
    /// False only when sslmode is libpq's compiled-in default (not given, no `PGSSLMODE`, no
    /// `PGREQUIRESSL=1`); the `sslrootcert=system` default upgrade still counts as not explicit.
    pub sslmode_explicit: bool,
    /// Root certificates to verify the server against.
    pub sslrootcert: RootCert,
    /// Client certificate file (given, else `~/.postgresql/postgresql.crt`; `None` without a
    /// home directory). Whether it exists is decided at connection time.
    pub sslcert: Option<PathBuf>,
    /// Client key file (given, else `~/.postgresql/postgresql.key`).
    pub sslkey: Option<PathBuf>,
    /// Passphrase for the client key; never printed.
    pub sslpassword: Option<String>,
    /// CRL file (given, else `~/.postgresql/root.crl` when `sslcrldir` is not given either).
    /// Missing CRL files are silently ignored by libpq.
    pub sslcrl: Option<PathBuf>,
    /// CRL directory.
    pub sslcrldir: Option<PathBuf>,
    /// Send SNI (libpq: value starts with `1`).
    pub sslsni: bool,
    /// `sslnegotiation`.
    pub sslnegotiation: SslNegotiation,
    /// `ssl_min_protocol_version` (`None` when set to empty: OpenSSL's default).
    pub ssl_min_protocol_version: Option<TlsVersion>,
    /// `ssl_max_protocol_version`.
    pub ssl_max_protocol_version: Option<TlsVersion>,
    /// `channel_binding`.
    pub channel_binding: ChannelBindingMode,
    /// `require_auth`.
    pub require_auth: RequireAuth,
    /// `connect_timeout` (libpq 15: values 1 become 2 seconds; 0 or negative mean none).
    pub connect_timeout: Option<Duration>,
    /// `gssencmode`.
    pub gssencmode: GssEncMode,
    /// `sslcertmode`.
    pub sslcertmode: SslCertMode,
    /// `target_session_attrs`.
    pub target_session_attrs: TargetSessionAttrs,
    /// `load_balance_hosts`.
    pub load_balance_hosts: LoadBalanceHosts,
    /// The options as written (after libpq's translations); what [`render`](Self::render) shows.
    explicit: ConninfoOptions,
    /// Every resolved raw value with its source, indexed like [`KEYWORDS`].
    resolved: Vec<Option<(String, Source)>>,
    features: Vec<Feature>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("hosts", &self.hosts)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field("dbname", &self.dbname)
            .field("application_name", &self.application_name)
            .field("sslmode", &self.sslmode)
            .field("sslmode_explicit", &self.sslmode_explicit)
            .field("sslrootcert", &self.sslrootcert)
            .field("sslcert", &self.sslcert)
            .field("sslkey", &self.sslkey)
            .field(
                "sslpassword",
                &self.sslpassword.as_ref().map(|_| "********"),
            )
            .field("sslcrl", &self.sslcrl)
            .field("sslcrldir", &self.sslcrldir)
            .field("sslsni", &self.sslsni)
            .field("sslnegotiation", &self.sslnegotiation)
            .field("ssl_min_protocol_version", &self.ssl_min_protocol_version)
            .field("ssl_max_protocol_version", &self.ssl_max_protocol_version)
            .field("channel_binding", &self.channel_binding)
            .field("require_auth", &self.require_auth)
            .field("connect_timeout", &self.connect_timeout)
            .field("gssencmode", &self.gssencmode)
            .field("sslcertmode", &self.sslcertmode)
            .field("explicit", &self.explicit)
            .finish_non_exhaustive()
    }
}

/// `pqParseIntParam`: strtol base 10 with leading and trailing C whitespace, int range.
pub(crate) fn parse_c_int(s: &str) -> Option<i32> {
    let t = s.trim_start_matches(|c: char| c.is_ascii() && parse::is_c_space(c as u8));
    let t = t.trim_end_matches(|c: char| c.is_ascii() && parse::is_c_space(c as u8));
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..)?),
        Some(b'+') => (false, t.get(1..)?),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        if v > i64::from(i32::MAX) + 1 {
            return None;
        }
    }
    let v = if neg { -v } else { v };
    i32::try_from(v).ok()
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

impl Settings {
    /// Parses a libpq connection string (keyword/value or URI) and resolves it against `env`
    /// and libpq's defaults, failing with libpq's message exactly where libpq fails before any
    /// network I/O.
    pub fn from_conninfo(conninfo: &str, env: &Env) -> Result<Settings, ConninfoError> {
        let opts = parse::parse_options(conninfo)?;
        Settings::from_options(opts, env)
    }

    /// Resolves already-parsed options (e.g. translated from another dialect).
    pub fn from_options(explicit: ConninfoOptions, env: &Env) -> Result<Settings, ConninfoError> {
        // conninfo_add_defaults.
        let mut resolved: Vec<Option<(String, Source)>> = vec![None; KEYWORDS.len()];
        let mut sslmode_default_used = false;
        for (i, kw) in KEYWORDS.iter().enumerate() {
            let v = if let Some(v) = explicit.get(kw.name) {
                Some((v.to_owned(), Source::Conninfo))
            } else if let Some((name, v)) = kw.envvar.and_then(|e| env.var(e).map(|v| (e, v))) {
                Some((v.to_owned(), Source::Env(name)))
            } else if kw.name == "sslmode"
                && env.var("PGREQUIRESSL").is_some_and(|v| v.starts_with('1'))
            {
                Some(("require".to_owned(), Source::Env("PGREQUIRESSL")))
            } else if let Some(d) = kw.default {
                if kw.name == "sslmode" {
                    sslmode_default_used = true;
                }
                Some((d.to_owned(), Source::Default))
            } else {
                None
            };
            if let Some(slot) = resolved.get_mut(i) {
                *slot = v;
            }
        }
        let get = |k: &str| -> Option<&str> {
            options::index_of(k)
                .and_then(|i| resolved.get(i))
                .and_then(|v| v.as_ref())
                .map(|(v, _)| v.as_str())
        };
        // sslrootcert=system strengthens a defaulted sslmode to verify-full (libpq 16+).
        let system_root = get("sslrootcert") == Some("system");
        let sslmode_raw = if sslmode_default_used && system_root {
            "verify-full".to_owned()
        } else {
            get("sslmode").unwrap_or("prefer").to_owned()
        };

        if let Some(service) = get("service") {
            return Err(ConninfoError::ServiceUnsupported {
                service: service.to_owned(),
            });
        }

        // pqConnectOptions2: host slots.
        let hostaddr_raw = non_empty(get("hostaddr"));
        let host_raw = non_empty(get("host"));
        let split = |s: &str| -> Vec<Option<String>> {
            s.split(',')
                .map(|e| (!e.is_empty()).then(|| e.to_owned()))
                .collect()
        };
        let mut slots: Vec<(Option<String>, Option<String>)> = match (hostaddr_raw, host_raw) {
            (Some(a), _) => split(a).into_iter().map(|a| (None, a)).collect(),
            (None, Some(h)) => split(h).into_iter().map(|h| (h, None)).collect(),
            (None, None) => vec![(None, None)],
        };
        if let (Some(_), Some(h)) = (hostaddr_raw, host_raw) {
            let hs = split(h);
            if hs.len() != slots.len() {
                return Err(ConninfoError::HostCountMismatch {
                    hosts: hs.len(),
                    hostaddrs: slots.len(),
                });
            }
            for (slot, h) in slots.iter_mut().zip(hs) {
                slot.0 = h;
            }
        }
        let ports_raw: Vec<Option<String>> = match non_empty(get("port")) {
            None => vec![None; slots.len()],
            Some(p) => {
                let ps = split(p);
                if ps.len() == 1 {
                    vec![ps.into_iter().next().flatten(); slots.len()]
                } else if ps.len() != slots.len() {
                    return Err(ConninfoError::PortCountMismatch {
                        ports: ps.len(),
                        hosts: slots.len(),
                    });
                } else {
                    ps
                }
            }
        };

        // User and database.
        let user = match non_empty(get("user")) {
            Some(u) => u.to_owned(),
            None => env.os_user().ok_or(ConninfoError::NoUser)?.to_owned(),
        };
        let dbname = non_empty(get("dbname")).unwrap_or(&user).to_owned();

        let channel_binding: ChannelBindingMode =
            get("channel_binding").unwrap_or("prefer").parse()?;
        let require_auth = match non_empty(get("require_auth")) {
            Some(s) => RequireAuth::parse(s)?,
            None => RequireAuth::ANY,
        };
        let sslmode: SslMode = sslmode_raw.parse()?;
        let sslnegotiation: SslNegotiation = get("sslnegotiation").unwrap_or("postgres").parse()?;
        if sslnegotiation == SslNegotiation::Direct && !sslmode.requires_tls() {
            return Err(ConninfoError::WeakSslModeWithDirect {
                mode: sslmode.as_str().to_owned(),
            });
        }
        if system_root && sslmode != SslMode::VerifyFull {
            return Err(ConninfoError::WeakSslModeWithSystemRoot {
                mode: sslmode.as_str().to_owned(),
            });
        }
        let protocol = |k: &'static str| -> Result<Option<TlsVersion>, ConninfoError> {
            match non_empty(get(k)) {
                None => Ok(None),
                Some(v) => TlsVersion::parse(v).map(Some).ok_or_else(|| {
                    ConninfoError::InvalidProtocolVersion {
                        keyword: k,
                        value: v.to_owned(),
                    }
                }),
            }
        };
        let ssl_min_protocol_version = protocol("ssl_min_protocol_version")?;
        let ssl_max_protocol_version = protocol("ssl_max_protocol_version")?;
        if let (Some(min), Some(max)) = (ssl_min_protocol_version, ssl_max_protocol_version) {
            if min > max {
                return Err(ConninfoError::InvalidProtocolRange);
            }
        }
        let sslcertmode: SslCertMode = get("sslcertmode").unwrap_or("allow").parse()?;
        let gssencmode: GssEncMode = get("gssencmode").unwrap_or("prefer").parse()?;
        let target_session_attrs: TargetSessionAttrs =
            get("target_session_attrs").unwrap_or("any").parse()?;
        let load_balance_hosts: LoadBalanceHosts =
            get("load_balance_hosts").unwrap_or("disable").parse()?;

        // Connection-time integer checks (libpq does these before opening a socket).
        let mut hosts = Vec::with_capacity(slots.len());
        for ((host, hostaddr), port) in slots.into_iter().zip(ports_raw) {
            let port = match port {
                None => DEFAULT_PORT,
                Some(p) => {
                    let n = parse_c_int(&p).ok_or_else(|| ConninfoError::InvalidInteger {
                        keyword: "port",
                        value: p.clone(),
                    })?;
                    u16::try_from(n)
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or(ConninfoError::InvalidPort { value: p })?
                }
            };
            hosts.push(HostTarget {
                host,
                hostaddr,
                port,
            });
        }
        let connect_timeout = match get("connect_timeout") {
            None => None,
            Some(t) => {
                let n = parse_c_int(t).ok_or_else(|| ConninfoError::InvalidInteger {
                    keyword: "connect_timeout",
                    value: t.to_owned(),
                })?;
                match n {
                    n if n <= 0 => None,
                    1 => Some(Duration::from_secs(2)),
                    n => Some(Duration::from_secs(u64::from(n.unsigned_abs()))),
                }
            }
        };

        // Files (fe-secure-openssl.c initialize_SSL).
        let home_file = |name: &str| env.home().map(|h| h.join(".postgresql").join(name));
        let sslrootcert = if system_root {
            RootCert::System
        } else if let Some(f) = non_empty(get("sslrootcert")) {
            RootCert::File(PathBuf::from(f))
        } else {
            home_file("root.crt").map_or(RootCert::NoHomeDirectory, RootCert::File)
        };
        let sslcert = non_empty(get("sslcert"))
            .map(PathBuf::from)
            .or_else(|| home_file("postgresql.crt"));
        let sslkey = non_empty(get("sslkey"))
            .map(PathBuf::from)
            .or_else(|| home_file("postgresql.key"));
        let sslcrldir = non_empty(get("sslcrldir")).map(PathBuf::from);
        let sslcrl = non_empty(get("sslcrl")).map(PathBuf::from).or_else(|| {
            if sslcrldir.is_none() {
                home_file("root.crl")
            } else {
                None
            }
        });
        let sslsni = get("sslsni").is_some_and(|v| v.starts_with('1'));

        // Features beyond the baseline.
        let mut features = Vec::new();
        for (k, _) in explicit.iter() {
            if let Some(kw) = options::keyword(k) {
                if kw.since > BASELINE_LIBPQ {
                    features.push(Feature {
                        what: format!("keyword {k}"),
                        since: kw.since,
                    });
                }
            }
        }
        if system_root {
            features.push(Feature {
                what: "sslrootcert=system".into(),
                since: 16,
            });
        }
        if sslnegotiation == SslNegotiation::Direct {
            features.push(Feature {
                what: "sslnegotiation=direct".into(),
                since: 17,
            });
        }
        if sslcertmode != SslCertMode::Allow {
            features.push(Feature {
                what: format!("sslcertmode={sslcertmode}"),
                since: 16,
            });
        }
        if require_auth != RequireAuth::ANY {
            features.push(Feature {
                what: "require_auth".into(),
                since: 16,
            });
        }
        if !matches!(
            target_session_attrs,
            TargetSessionAttrs::Any | TargetSessionAttrs::ReadWrite
        ) {
            features.push(Feature {
                what: format!("target_session_attrs={target_session_attrs}"),
                since: 14,
            });
        }
        if load_balance_hosts != LoadBalanceHosts::Disable {
            features.push(Feature {
                what: "load_balance_hosts=random".into(),
                since: 16,
            });
        }

        Ok(Settings {
            hosts,
            user,
            password: non_empty(get("password")).map(str::to_owned),
            dbname,
            application_name: non_empty(get("application_name")).map(str::to_owned),
            fallback_application_name: non_empty(get("fallback_application_name"))
                .map(str::to_owned),
            sslmode,
            sslmode_explicit: !sslmode_default_used,
            sslrootcert,
            sslcert,
            sslkey,
            sslpassword: non_empty(get("sslpassword")).map(str::to_owned),
            sslcrl,
            sslcrldir,
            sslsni,
            sslnegotiation,
            ssl_min_protocol_version,
            ssl_max_protocol_version,
            channel_binding,
            require_auth,
            connect_timeout,
            gssencmode,
            sslcertmode,
            target_session_attrs,
            load_balance_hosts,
            explicit,
            resolved,
            features,
        })
    }

    /// The sslmode table row in effect (libpq 15 behaviour).
    pub fn policy(&self) -> crate::Policy {
        self.sslmode.policy()
    }

    /// The options as written (after libpq's `requiressl` / `ssl=true` translations).
    pub fn explicit(&self) -> &ConninfoOptions {
        &self.explicit
    }

    /// The raw value libpq resolved for `keyword` and where it came from (conninfo, an
    /// environment variable, or the compiled-in default). Secrets are returned too: callers
    /// must not print them.
    pub fn value_of(&self, keyword: &str) -> Option<(&str, Source)> {
        let i = options::index_of(keyword)?;
        self.resolved
            .get(i)?
            .as_ref()
            .map(|(v, s)| (v.as_str(), *s))
    }

    /// Settings beyond the baseline libpq that are in use, each with the major that
    /// introduced it.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// The oldest libpq major that can express these settings with the same meaning (at least
    /// [`BASELINE_LIBPQ`]). Tests against psql 15 skip cases where this is above 15.
    pub fn min_libpq(&self) -> u32 {
        self.features
            .iter()
            .map(|f| f.since)
            .max()
            .unwrap_or(BASELINE_LIBPQ)
            .max(BASELINE_LIBPQ)
    }

    /// Canonical keyword/value string of the options as written: every value quoted, keywords
    /// in libpq's order. `Settings::from_conninfo(&s.render(), env) == s` for the same `env`.
    /// Contains the password if one was written: use [`redacted`](Self::redacted) for display.
    pub fn render(&self) -> String {
        self.explicit.render()
    }

    /// [`render`](Self::render) with secrets shown as `********` (`password=********`).
    pub fn redacted(&self) -> String {
        self.explicit.redacted()
    }

    /// Whether a password is known before connecting (written or `PGPASSWORD`).
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }
}

impl fmt::Display for Settings {
    /// The redacted rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}
