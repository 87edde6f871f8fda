//! libpq's connection option table (`PQconninfoOptions` in `fe-connect.c`) as data: keyword,
//! environment variable, compiled-in default and the libpq major that introduced it.

/// One connection option libpq knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyword {
    /// The keyword (`sslmode`).
    pub name: &'static str,
    /// The environment variable consulted when the keyword is not given (`PGSSLMODE`).
    pub envvar: Option<&'static str>,
    /// libpq's compiled-in default (for an SSL- and GSS-enabled build, as Debian ships it).
    pub default: Option<&'static str>,
    /// The libpq major version that introduced the keyword (9 for anything older than 10).
    pub since: u32,
    /// Whether the value is a secret (never printed).
    pub secret: bool,
}

const fn kw(
    name: &'static str,
    envvar: Option<&'static str>,
    default: Option<&'static str>,
    since: u32,
) -> Keyword {
    Keyword {
        name,
        envvar,
        default,
        since,
        secret: false,
    }
}

const fn secret(name: &'static str, envvar: Option<&'static str>, since: u32) -> Keyword {
    Keyword {
        name,
        envvar,
        default: None,
        since,
        secret: true,
    }
}

/// Every keyword, in libpq's table order (the order [`crate::Settings::render`] uses).
/// `requiressl` is not here: libpq translates it to `sslmode` before the lookup.
pub const KEYWORDS: &[Keyword] = &[
    kw("service", Some("PGSERVICE"), None, 9),
    kw("user", Some("PGUSER"), None, 9),
    secret("password", Some("PGPASSWORD"), 9),
    kw("passfile", Some("PGPASSFILE"), None, 10),
    kw(
        "channel_binding",
        Some("PGCHANNELBINDING"),
        Some("prefer"),
        13,
    ),
    kw("connect_timeout", Some("PGCONNECT_TIMEOUT"), None, 9),
    kw("dbname", Some("PGDATABASE"), None, 9),
    kw("host", Some("PGHOST"), None, 9),
    kw("hostaddr", Some("PGHOSTADDR"), None, 9),
    kw("port", Some("PGPORT"), Some("5432"), 9),
    kw("client_encoding", Some("PGCLIENTENCODING"), None, 9),
    kw("options", Some("PGOPTIONS"), None, 9),
    kw("application_name", Some("PGAPPNAME"), None, 9),
    kw("fallback_application_name", None, None, 9),
    kw("keepalives", None, None, 9),
    kw("keepalives_idle", None, None, 9),
    kw("keepalives_interval", None, None, 9),
    kw("keepalives_count", None, None, 9),
    kw("tcp_user_timeout", None, None, 12),
    kw("sslmode", Some("PGSSLMODE"), Some("prefer"), 9),
    kw(
        "sslnegotiation",
        Some("PGSSLNEGOTIATION"),
        Some("postgres"),
        17,
    ),
    kw("sslcompression", Some("PGSSLCOMPRESSION"), Some("0"), 9),
    kw("sslcert", Some("PGSSLCERT"), None, 9),
    kw("sslkey", Some("PGSSLKEY"), None, 9),
    kw("sslcertmode", Some("PGSSLCERTMODE"), None, 16),
    secret("sslpassword", None, 13),
    kw("sslkeylogfile", None, None, 18),
    kw("sslrootcert", Some("PGSSLROOTCERT"), None, 9),
    kw("sslcrl", Some("PGSSLCRL"), None, 9),
    kw("sslcrldir", Some("PGSSLCRLDIR"), None, 14),
    kw("sslsni", Some("PGSSLSNI"), Some("1"), 14),
    kw("requirepeer", Some("PGREQUIREPEER"), None, 9),
    kw("require_auth", Some("PGREQUIREAUTH"), None, 16),
    kw(
        "min_protocol_version",
        Some("PGMINPROTOCOLVERSION"),
        None,
        18,
    ),
    kw(
        "max_protocol_version",
        Some("PGMAXPROTOCOLVERSION"),
        None,
        18,
    ),
    kw(
        "ssl_min_protocol_version",
        Some("PGSSLMINPROTOCOLVERSION"),
        Some("TLSv1.2"),
        13,
    ),
    kw(
        "ssl_max_protocol_version",
        Some("PGSSLMAXPROTOCOLVERSION"),
        None,
        13,
    ),
    kw("gssencmode", Some("PGGSSENCMODE"), Some("prefer"), 12),
    kw("krbsrvname", Some("PGKRBSRVNAME"), Some("postgres"), 9),
    kw("gsslib", Some("PGGSSLIB"), None, 9),
    kw("gssdelegation", Some("PGGSSDELEGATION"), Some("0"), 16),
    kw("replication", None, None, 9),
    kw(
        "target_session_attrs",
        Some("PGTARGETSESSIONATTRS"),
        Some("any"),
        10,
    ),
    kw(
        "load_balance_hosts",
        Some("PGLOADBALANCEHOSTS"),
        Some("disable"),
        16,
    ),
    kw("oauth_issuer", None, None, 18),
    kw("oauth_client_id", None, None, 18),
    secret("oauth_client_secret", None, 18),
    kw("oauth_scope", None, None, 18),
    secret("scram_client_key", None, 18),
    secret("scram_server_key", None, 18),
];

/// Looks a keyword up (exact, case-sensitive, as libpq).
pub fn keyword(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

pub(crate) fn index_of(name: &str) -> Option<usize> {
    KEYWORDS.iter().position(|k| k.name == name)
}
