//! Dialect detection, per-dialect parsing, and the choice of the table row that applies.

use super::table::{self, Row, RowPolicy};
use super::{ChainCheck, Dialect, Effective, ExplainOptions, Explanation, Exposure, Tls};
use crate::parse::is_c_space;
use crate::{
    parse_options, redact_uri, uri_prefix_len, ConninfoError, ConninfoOptions, Env, Settings,
    SslMode, Transport,
};

const MASK: &str = "********";

/// The hint given whenever a client rejects `sslmode=required`.
pub const REQUIRED_HINT: &str = "\"required\" is not an sslmode in libpq, psql, psycopg, pgjdbc, Npgsql, asyncpg, sqlx or tokio-postgres (they all reject it; libpq's spelling is \"require\", Npgsql's is \"Require\"). Only node-postgres accepts it, and reads any unknown sslmode as full verification. The word comes from MySQL's ssl-mode=REQUIRED. Use sslmode=verify-full (or at least sslmode=require).";

// ------------------------------------------------------------------------------------------
// Detection

fn npgsql_key(k: &str) -> Option<&'static str> {
    let norm: String = k.trim().to_ascii_uppercase();
    Some(match norm.as_str() {
        "HOST" | "SERVER" => "host",
        "PORT" => "port",
        "DATABASE" | "DB" => "database",
        "USERNAME" | "USER NAME" | "USERID" | "USER ID" | "UID" => "username",
        "PASSWORD" | "PSW" | "PWD" => "password",
        "SSL MODE" | "SSLMODE" => "sslmode",
        "TRUST SERVER CERTIFICATE" | "TRUSTSERVERCERTIFICATE" => "tsc",
        "ROOT CERTIFICATE" | "ROOTCERTIFICATE" => "rootcert",
        "SSL CERTIFICATE" | "SSLCERTIFICATE" => "sslcert",
        "SSL KEY" | "SSLKEY" => "sslkey",
        "SSL PASSWORD" | "SSLPASSWORD" => "sslpassword",
        "APPLICATION NAME" | "APPLICATIONNAME" => "application_name",
        "TIMEOUT" => "timeout",
        "CHANNEL BINDING" | "CHANNELBINDING" => "channel_binding",
        "CHECK CERTIFICATE REVOCATION" | "CHECKCERTIFICATEREVOCATION" => "crl",
        _ => return None,
    })
}

/// Guesses the dialect of a connection string: `jdbc:postgresql:` is pgjdbc; a
/// `postgres(ql)://` URI is libpq's unless it uses a parameter only node-postgres
/// (`sslmode=no-verify`, `uselibpqcompat`, `ssl=1`/`ssl=0`) or sqlx (`ssl-mode`,
/// `ssl-root-cert`, `statement-cache-capacity`) understands; `Key=Value;` strings and
/// ADO.NET key names (`Server=`, `User Id=`, `SSL Mode=`) are Npgsql; anything else is libpq
/// keyword/value. psycopg, asyncpg and tokio-postgres are never guessed (they read the same
/// URIs as libpq): use `--dialect`.
pub fn detect(input: &str) -> Dialect {
    let t = input.trim_start();
    if t.starts_with("jdbc:postgresql:") {
        return Dialect::Pgjdbc;
    }
    if uri_prefix_len(t) > 0 {
        let pairs = query_pairs(query_of(t), true);
        let has = |k: &str| pairs.iter().any(|(key, _)| key == k);
        let val = |k: &str| last_value(&pairs, k);
        if val("sslmode") == Some("no-verify")
            || has("uselibpqcompat")
            || matches!(val("ssl"), Some("1") | Some("0") | Some("no-verify"))
        {
            return Dialect::NodePostgres;
        }
        if has("ssl-mode") || has("ssl-root-cert") || has("statement-cache-capacity") {
            return Dialect::Sqlx;
        }
        return Dialect::LibpqUri;
    }
    // ADO.NET: a ';' between pairs, or a key only ADO.NET spells that way.
    let segments: Vec<&str> = t.split(';').collect();
    let first_key = segments
        .first()
        .and_then(|s| s.split_once('='))
        .map(|(k, _)| k.trim());
    let semicolon_pairs = segments.len() > 1
        && segments.iter().skip(1).any(|s| {
            s.split_once('=')
                .is_some_and(|(k, _)| npgsql_key(k).is_some())
        });
    let adonet_key = first_key.is_some_and(|k| {
        npgsql_key(k).is_some() && crate::options::keyword(k).is_none() && !k.contains(' ')
            || (k.contains(' ') && npgsql_key(k).is_some())
    });
    if semicolon_pairs || adonet_key {
        return Dialect::Npgsql;
    }
    Dialect::Libpq
}

// ------------------------------------------------------------------------------------------
// Generic URI helpers (for the dialects that are not libpq).

fn query_of(uri: &str) -> &str {
    let no_frag = uri.split('#').next().unwrap_or("");
    no_frag.split_once('?').map_or("", |(_, q)| q)
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = |j: usize| {
                b.get(j).and_then(|h| match h {
                    b'0'..=b'9' => Some(h - b'0'),
                    b'a'..=b'f' => Some(h - b'a' + 10),
                    b'A'..=b'F' => Some(h - b'A' + 10),
                    _ => None,
                })
            };
            if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                out.push((h << 4) | l);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `key=value` pairs of a query string, decoded; a pair without `=` has an empty value.
/// The last value given for `key` (drivers let a later parameter override an earlier one).
fn last_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn query_pairs(query: &str, plus_is_space: bool) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (
                percent_decode(k, plus_is_space),
                percent_decode(v, plus_is_space),
            ),
            None => (percent_decode(p, plus_is_space), String::new()),
        })
        .collect()
}

fn is_secret_param(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k == "password" || k == "sslpassword" || k.ends_with("secret")
}

/// Redacts the userinfo password and secret query parameters of any URI-like string.
pub(crate) fn redact_any_uri(s: &str) -> String {
    let (head, query) = match s.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (s, None),
    };
    let head = match head.find("://") {
        Some(i) => {
            let (scheme, rest) = head.split_at(i + 3);
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let authority = rest.get(..authority_end).unwrap_or("");
            match authority.rfind('@') {
                Some(at) => {
                    let userinfo = authority.get(..at).unwrap_or("");
                    match userinfo.find(':') {
                        Some(c) => format!(
                            "{scheme}{}:{MASK}{}",
                            userinfo.get(..c).unwrap_or(""),
                            rest.get(at..).unwrap_or("")
                        ),
                        None => head.to_owned(),
                    }
                }
                None => head.to_owned(),
            }
        }
        None => head.to_owned(),
    };
    match query {
        None => head,
        Some(q) => {
            let parts: Vec<String> = q
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if is_secret_param(&percent_decode(k, true)) => {
                        format!("{k}={MASK}")
                    }
                    _ => p.to_owned(),
                })
                .collect();
            format!("{head}?{}", parts.join("&"))
        }
    }
}

/// Rewrites a URI's query: drops parameters whose decoded name is in `remove` (exact match,
/// or case-insensitive when `ci`), then appends `add`. Text outside the query is kept.
fn rewrite_query(uri: &str, remove: &[&str], ci: bool, add: &[(&str, &str)]) -> String {
    let (head, query) = match uri.split_once('?') {
        Some((h, q)) => (h, q),
        None => (uri, ""),
    };
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let k = percent_decode(p.split_once('=').map_or(*p, |(k, _)| k), true);
            !remove.iter().any(|r| {
                if ci {
                    r.eq_ignore_ascii_case(&k)
                } else {
                    *r == k
                }
            })
        })
        .map(str::to_owned)
        .collect();
    for (k, v) in add {
        parts.push(format!("{k}={v}"));
    }
    if parts.is_empty() {
        head.to_owned()
    } else {
        format!("{head}?{}", parts.join("&"))
    }
}

// ------------------------------------------------------------------------------------------
// Versions

fn version_parts(v: &str) -> Vec<u32> {
    v.trim()
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split(|c: char| !c.is_ascii_digit())
        .take_while(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn version_lt(v: &[u32], other: &[u32]) -> bool {
    for i in 0..other.len().max(v.len()) {
        let a = v.get(i).copied().unwrap_or(0);
        let b = other.get(i).copied().unwrap_or(0);
        if a != b {
            return a < b;
        }
    }
    false
}

// ------------------------------------------------------------------------------------------
// The analysis every dialect produces

struct Analysis {
    row: &'static Row,
    /// The row's policy, possibly adjusted (e.g. a different CA store); `None` for errors.
    policy: Option<RowPolicy>,
    mode: Option<String>,
    error: Option<String>,
    hint: Option<String>,
    fix: Option<String>,
    libpq: Option<String>,
    notes: Vec<String>,
    /// Set when a setting keeps the password away from a MITM (the reason).
    password_guard: Option<String>,
    /// Set when a setting makes the connection fail against a MITM whatever the TLS policy.
    mitm_guard: Option<String>,
    input: String,
}

fn row(id: &str) -> &'static Row {
    match table::row(id) {
        Some(r) => r,
        // Every id used below is in the table; the test suite checks each one.
        None => &table::ROWS[0],
    }
}

impl Analysis {
    fn new(id: &str, input: String) -> Analysis {
        let r = row(id);
        Analysis {
            row: r,
            policy: r.policy,
            mode: None,
            error: None,
            hint: None,
            fix: None,
            libpq: None,
            notes: Vec::new(),
            password_guard: None,
            mitm_guard: None,
            input,
        }
    }

    fn rejected(id: &str, input: String, error: String, hint: Option<String>) -> Analysis {
        let mut a = Analysis::new(id, input);
        a.policy = None;
        a.error = Some(error);
        a.hint = hint;
        a
    }

    fn note(mut self, n: impl Into<String>) -> Analysis {
        self.notes.push(n.into());
        self
    }
}

fn required_hint(value: &str) -> Option<String> {
    value
        .eq_ignore_ascii_case("required")
        .then(|| REQUIRED_HINT.to_owned())
}

// ------------------------------------------------------------------------------------------
// libpq (keyword/value, URI) and psycopg

fn explain_env() -> Env {
    Env::from_map([("HOME", "~"), ("USER", "user")])
}

/// A keyword/value or URI string shown without secrets even when it does not parse.
fn redact_libpq_input(input: &str, opts: Option<&ConninfoOptions>) -> String {
    if uri_prefix_len(input) > 0 {
        return redact_any_uri(&redact_uri(input));
    }
    match opts {
        Some(o) => o.redacted(),
        None => {
            if input.to_ascii_lowercase().contains("password") {
                "(not shown: the string does not parse and may contain a password)".to_owned()
            } else {
                input.to_owned()
            }
        }
    }
}

fn uri_has_param(input: &str, key: &str) -> Option<String> {
    query_pairs(query_of(input), false)
        .into_iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn kv_has_keyword(input: &str, key: &str) -> bool {
    // Tokens at the start of the string or after whitespace, followed by optional spaces and '='.
    let b = input.as_bytes();
    let mut i = 0;
    while let Some(pos) = input.get(i..).and_then(|s| s.find(key)) {
        let start = i + pos;
        let before_ok = start == 0 || b.get(start - 1).is_some_and(|c| is_c_space(*c));
        let after = input.get(start + key.len()..).unwrap_or("");
        let after_ok = after
            .trim_start_matches(|c: char| c.is_ascii() && is_c_space(c as u8))
            .starts_with('=');
        if before_ok && after_ok {
            return true;
        }
        i = start + key.len();
    }
    false
}

fn analyze_libpq(input: &str, dialect: Dialect, version: &[u32]) -> Analysis {
    let major = version.first().copied().unwrap_or(18);
    let is_uri = uri_prefix_len(input) > 0;
    let opts = match parse_options(input) {
        Ok(o) => o,
        Err(e) => {
            let shown = redact_libpq_input(input, None);
            let (id, hint) = match &e {
                ConninfoError::InvalidUriQueryParameter { keyword } if keyword == "ssl" => (
                    "libpq-uri/ssl=false",
                    Some("libpq translates only ssl=true (to sslmode=require); write sslmode=disable or sslmode=verify-full instead".to_owned()),
                ),
                _ => ("libpq/syntax", None),
            };
            return Analysis::rejected(id, shown, e.to_string(), hint);
        }
    };
    let shown = redact_libpq_input(input, Some(&opts));

    // Keywords this libpq does not know yet.
    for (k, _) in opts.iter() {
        if let Some(kw) = crate::options::keyword(k) {
            if kw.since > major {
                let err = if is_uri {
                    ConninfoError::InvalidUriQueryParameter {
                        keyword: k.to_owned(),
                    }
                } else {
                    ConninfoError::InvalidOption {
                        keyword: k.to_owned(),
                    }
                };
                let hint = format!("{k} needs libpq {} or later", kw.since);
                return Analysis::rejected(
                    "libpq/unknown-keyword",
                    shown,
                    err.to_string(),
                    Some(hint),
                );
            }
        }
    }

    // Before libpq 16, "system" is an ordinary file name.
    let mut opts_for_validation = opts.clone();
    let old_system = major < 16 && opts.get("sslrootcert") == Some("system");
    if old_system {
        let _ = opts_for_validation.set("sslrootcert", "./system");
    }
    let settings = match Settings::from_options(opts_for_validation, &explain_env()) {
        Ok(s) => s,
        Err(e) => {
            let (id, hint) = match &e {
                ConninfoError::InvalidValue { keyword: "sslmode", value } => (
                    "libpq/required",
                    Some(required_hint(value).unwrap_or_else(|| {
                        "valid values: disable, allow, prefer, require, verify-ca, verify-full"
                            .to_owned()
                    })),
                ),
                ConninfoError::WeakSslModeWithSystemRoot { .. } => (
                    "libpq/system-weak",
                    Some("drop sslmode (sslrootcert=system then defaults to verify-full) or write sslmode=verify-full".to_owned()),
                ),
                ConninfoError::WeakSslModeWithDirect { .. } => (
                    "libpq/direct-weak",
                    Some("direct TLS negotiation needs sslmode=require or stronger".to_owned()),
                ),
                _ => ("libpq/syntax", None),
            };
            return Analysis::rejected(id, shown, e.to_string(), hint);
        }
    };

    let mode = settings.sslmode;
    let explicit_mode = opts.contains("sslmode");
    let from_requiressl =
        !is_uri && kv_has_keyword(input, "requiressl") && !kv_has_keyword(input, "sslmode");
    let from_requiressl_uri = is_uri
        && uri_has_param(input, "requiressl").is_some()
        && uri_has_param(input, "sslmode").is_none();
    let from_ssl_true = is_uri
        && uri_has_param(input, "ssl").as_deref() == Some("true")
        && uri_has_param(input, "sslmode").is_none()
        && uri_has_param(input, "requiressl").is_none();
    let id = if old_system && !explicit_mode {
        "libpq15/system"
    } else if settings.sslrootcert == crate::RootCert::System && !settings.sslmode_explicit {
        "libpq/system"
    } else if from_ssl_true {
        "libpq-uri/ssl=true"
    } else if (from_requiressl || from_requiressl_uri) && mode == SslMode::Require {
        "libpq/requiressl=1"
    } else if !explicit_mode {
        "libpq/default"
    } else {
        match mode {
            SslMode::Disable => "libpq/disable",
            SslMode::Allow => "libpq/allow",
            SslMode::Prefer => "libpq/prefer",
            SslMode::Require => "libpq/require",
            SslMode::VerifyCa => "libpq/verify-ca",
            SslMode::VerifyFull => "libpq/verify-full",
        }
    };
    let mut a = Analysis::new(id, shown);
    a.mode = Some(mode.as_str().to_owned());
    if old_system {
        a.notes.push(format!("libpq {major} treats sslrootcert=system as a file named \"system\" (libpq 16 introduced the OS store)"));
    }
    if matches!(mode, SslMode::Allow) && major >= 17 {
        a.notes.push(
            "libpq 17+: an N on allow's TLS retry now fails instead of continuing in plaintext"
                .to_owned(),
        );
    }
    if let crate::RootCert::File(f) = &settings.sslrootcert {
        if let Some(p) = a.policy.as_mut() {
            if p.verify_chain != ChainCheck::No {
                p.ca_store = if opts.contains("sslrootcert") {
                    "the sslrootcert file"
                } else {
                    "~/.postgresql/root.crt"
                };
            }
        }
        if settings.sslmode >= SslMode::VerifyCa && !opts.contains("sslrootcert") {
            a.notes.push(format!(
                "verification needs {} to exist and hold the server's root CA",
                f.display()
            ));
        }
    }
    if a.policy
        .is_some_and(|p| p.verify_chain == ChainCheck::IfRootFile)
    {
        a.notes.push("whether the chain is verified depends on whether the root file exists on the client: libpq verifies in every TLS mode when it does".to_owned());
    }
    // Authentication settings that keep the password (or the whole session) from a MITM.
    if settings.channel_binding == crate::ChannelBindingMode::Require {
        a.mitm_guard = Some("channel_binding=require: libpq fails unless the server proves it knows the password over this very TLS connection (SCRAM-SHA-256-PLUS), which a MITM cannot relay".to_owned());
        a.password_guard = Some("channel_binding=require refuses cleartext and MD5 password requests (a fake server still receives a SCRAM proof it can try to brute-force offline)".to_owned());
    } else if settings.require_auth != crate::RequireAuth::ANY
        && !settings.require_auth.allows_code(3)
        && !settings.require_auth.allows_code(5)
    {
        a.password_guard =
            Some("require_auth forbids cleartext and MD5 password requests".to_owned());
    }
    a.libpq = Some(opts.render());

    // Fix: verify-full, same root setting.
    if mode == SslMode::VerifyFull && !old_system {
        a.fix = Some(a.input.clone());
        a.notes.push("already verify-full".to_owned());
    } else if is_uri {
        let mut remove = vec!["sslmode", "ssl", "requiressl"];
        if old_system {
            remove.push("sslrootcert");
        }
        a.fix = Some(redact_any_uri(&redact_uri(&rewrite_query(
            input,
            &remove,
            false,
            &[("sslmode", "verify-full")],
        ))));
    } else {
        let mut f = opts.clone();
        let _ = f.set("sslmode", "verify-full");
        if old_system {
            f.remove("sslrootcert");
        }
        a.fix = Some(f.redacted());
    }
    if !opts.contains("sslrootcert") || old_system {
        a.notes.push("the fix verifies against ~/.postgresql/root.crt: put the server's root CA there, or add sslrootcert=<file>, or sslrootcert=system (libpq 16+) when the server's certificate comes from a public CA".to_owned());
    }
    if dialect == Dialect::Psycopg {
        a.notes.push("psycopg hands the string to libpq unchanged: the libpq version (psycopg.pq.version(); binary wheels bundle their own) decides, not psycopg's".to_owned());
    }
    a
}

// ------------------------------------------------------------------------------------------
// pgjdbc

struct JdbcUrl {
    hosts: Vec<(String, Option<String>)>,
    database: Option<String>,
    props: Vec<(String, String)>,
}

fn parse_jdbc(input: &str) -> Result<JdbcUrl, String> {
    let rest = input
        .trim()
        .strip_prefix("jdbc:postgresql:")
        .ok_or_else(|| "not a jdbc:postgresql: URL".to_owned())?;
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, q),
        None => (rest, ""),
    };
    let mut hosts = Vec::new();
    let database;
    if let Some(net) = main.strip_prefix("//") {
        let (authority, db) = match net.split_once('/') {
            Some((a, d)) => (a, Some(d)),
            None => (net, None),
        };
        for h in authority.split(',') {
            if h.is_empty() {
                continue;
            }
            let (host, port) = if let Some(v6) = h.strip_prefix('[') {
                match v6.split_once(']') {
                    Some((a, p)) => (a.to_owned(), p.strip_prefix(':').map(str::to_owned)),
                    None => return Err(format!("Invalid IPv6 address in the URL: {h}")),
                }
            } else {
                match h.rsplit_once(':') {
                    Some((a, p)) => (a.to_owned(), Some(p.to_owned())),
                    None => (h.to_owned(), None),
                }
            };
            hosts.push((percent_decode(&host, true), port));
        }
        database = db.map(|d| percent_decode(d, true));
    } else {
        database = Some(percent_decode(main, true));
    }
    if hosts.is_empty() {
        hosts.push(("localhost".to_owned(), None));
    }
    Ok(JdbcUrl {
        hosts,
        database: database.filter(|d| !d.is_empty()),
        props: query_pairs(query, true),
    })
}

fn analyze_pgjdbc(input: &str, version: &[u32]) -> Analysis {
    let shown = redact_any_uri(input);
    let url = match parse_jdbc(input) {
        Ok(u) => u,
        Err(e) => {
            return Analysis::rejected("libpq/syntax", shown, e, None)
                .note("pgjdbc could not parse the URL")
        }
    };
    let prop = |k: &str| {
        url.props
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let old = version_lt(version, &[42, 2, 5]);
    if old {
        let id = if prop("ssl").is_some_and(|v| v.is_empty() || v.eq_ignore_ascii_case("true")) {
            "pgjdbc-old/ssl=true"
        } else {
            "pgjdbc-old/default"
        };
        let mut a = Analysis::new(id, shown)
            .note("pgtls models pgjdbc before 42.2.5 only for ssl=true / no ssl");
        a.fix = Some(redact_any_uri(&rewrite_query(
            input,
            &["ssl", "sslmode", "sslfactory"],
            false,
            &[("sslmode", "verify-full")],
        )));
        a.notes.push(
            "sslmode=verify-full needs pgjdbc 42.2.5 or later: upgrade the driver".to_owned(),
        );
        return a;
    }
    // SslMode.of
    let mode = match prop("sslmode") {
        Some(m) => match SslMode::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(m))
        {
            Some(s) => Some(s),
            None => {
                return Analysis::rejected(
                    "pgjdbc/required",
                    shown,
                    format!("Invalid sslmode value: {m}"),
                    Some(required_hint(m).unwrap_or_else(|| {
                        "valid values: disable, allow, prefer, require, verify-ca, verify-full"
                            .to_owned()
                    })),
                )
            }
        },
        None => None,
    };
    let ssl = prop("ssl");
    let ssl_on = ssl.is_some_and(|v| v.is_empty() || v.eq_ignore_ascii_case("true"));
    let effective_mode = mode.unwrap_or(if ssl_on {
        SslMode::VerifyFull
    } else {
        SslMode::Prefer
    });
    let factory = prop("sslfactory").unwrap_or("org.postgresql.ssl.LibPQFactory");
    let factory_short = factory.rsplit('.').next().unwrap_or(factory);
    let mut id = match (mode, ssl) {
        (None, None) => "pgjdbc/default",
        (None, Some(_)) if ssl_on => "pgjdbc/ssl=true",
        (None, Some(_)) => "pgjdbc/ssl=false",
        (Some(SslMode::Disable), _) => "pgjdbc/disable",
        (Some(SslMode::Allow), _) => "pgjdbc/allow",
        (Some(SslMode::Prefer), _) => "pgjdbc/prefer",
        (Some(SslMode::Require), _) => "pgjdbc/require",
        (Some(SslMode::VerifyCa), _) => "pgjdbc/verify-ca",
        (Some(SslMode::VerifyFull), _) => "pgjdbc/verify-full",
    };
    let tls_required = effective_mode >= SslMode::Require;
    let mut notes = Vec::new();
    match factory_short {
        "LibPQFactory" => {}
        "NonValidatingFactory" if tls_required => {
            id = if effective_mode == SslMode::VerifyFull {
                "pgjdbc/nonvalidating"
            } else {
                "pgjdbc/nonvalidating-require"
            };
        }
        "DefaultJavaSSLFactory" if tls_required => {
            id = if effective_mode == SslMode::VerifyFull {
                "pgjdbc/defaultjava"
            } else {
                "pgjdbc/defaultjava-ca"
            };
        }
        "NonValidatingFactory" | "DefaultJavaSSLFactory" => {
            notes.push(format!("sslfactory={factory_short} changes nothing here: with sslmode {effective_mode} a MITM can answer N"));
        }
        _ if tls_required => {
            id = "pgjdbc/custom-factory";
            if effective_mode == SslMode::VerifyFull {
                notes.push(
                    "verify-full still checks the host name with PGjdbcHostnameVerifier".to_owned(),
                );
            }
        }
        _ => {}
    }
    let mut a = Analysis::new(id, shown);
    a.notes.extend(notes);
    a.mode = Some(effective_mode.as_str().to_owned());
    if mode.is_none() && ssl_on {
        a.notes.push("pgjdbc reads ssl=true as sslmode=verify-full; libpq would read the same URL's ssl=true as sslmode=require".to_owned());
    }
    if a.policy.is_some_and(|p| p.verify_chain == ChainCheck::Yes)
        && factory_short == "LibPQFactory"
        && prop("sslrootcert").is_none()
    {
        a.notes.push("verification needs ~/.postgresql/root.crt (pgjdbc: \"Could not open SSL root certificate file\" otherwise)".to_owned());
    }
    if prop("channelBinding").is_some_and(|v| v.eq_ignore_ascii_case("require")) {
        a.password_guard =
            Some("channelBinding=require refuses non-SCRAM-PLUS authentication".to_owned());
        a.mitm_guard = Some(
            "channelBinding=require: authentication must be bound to this TLS connection"
                .to_owned(),
        );
    }
    // Fix.
    let mut remove = vec!["ssl", "sslmode"];
    if factory_short != "LibPQFactory" {
        remove.push("sslfactory");
    }
    a.fix = Some(redact_any_uri(&rewrite_query(
        input,
        &remove,
        false,
        &[("sslmode", "verify-full")],
    )));
    if prop("sslrootcert").is_none() {
        a.notes.push("the fix verifies against ~/.postgresql/root.crt (pgjdbc's default): put the server's root CA there or add sslrootcert=<file>".to_owned());
    }
    // libpq equivalent.
    let mut o = ConninfoOptions::new();
    let hosts: Vec<&str> = url.hosts.iter().map(|h| h.0.as_str()).collect();
    let _ = o.set("host", &hosts.join(","));
    if url.hosts.iter().any(|h| h.1.is_some()) {
        let ports: Vec<&str> = url
            .hosts
            .iter()
            .map(|h| h.1.as_deref().unwrap_or(""))
            .collect();
        let _ = o.set("port", &ports.join(","));
    }
    if let Some(d) = &url.database {
        let _ = o.set("dbname", d);
    }
    for (jk, lk) in [
        ("user", "user"),
        ("password", "password"),
        ("sslrootcert", "sslrootcert"),
        ("sslcert", "sslcert"),
        ("sslkey", "sslkey"),
        ("sslpassword", "sslpassword"),
        ("ApplicationName", "application_name"),
        ("connectTimeout", "connect_timeout"),
    ] {
        if let Some(v) = prop(jk) {
            let _ = o.set(lk, v);
        }
    }
    if let Some(cb) = prop("channelBinding") {
        let _ = o.set("channel_binding", &cb.to_ascii_lowercase());
    }
    let libpq_mode = libpq_mode_for(a.policy, effective_mode);
    let _ = o.set("sslmode", libpq_mode.as_str());
    if matches!(id, "pgjdbc/defaultjava") {
        let _ = o.set("sslrootcert", "system");
        a.notes.push(
            "libpq equivalent uses sslrootcert=system (libpq 16+) for the JVM trust store"
                .to_owned(),
        );
    }
    note_unexpressible(&mut a, libpq_mode);
    a.libpq = Some(o.render());
    a.hint = None;
    a
}

/// The libpq sslmode closest to a foreign policy.
fn libpq_mode_for(policy: Option<RowPolicy>, fallback: SslMode) -> SslMode {
    match policy {
        None => fallback,
        Some(p) => match (p.tls, p.first_transport, p.verify_chain, p.verify_hostname) {
            (Tls::Never, _, _, _) => SslMode::Disable,
            (Tls::Optional, Transport::Plaintext, _, _) => SslMode::Allow,
            (Tls::Optional, _, _, _) => SslMode::Prefer,
            (Tls::Required, _, ChainCheck::Yes, true) => SslMode::VerifyFull,
            (Tls::Required, _, ChainCheck::Yes, false) => SslMode::VerifyCa,
            (Tls::Required, _, _, _) => SslMode::Require,
        },
    }
}

fn note_unexpressible(a: &mut Analysis, libpq_mode: SslMode) {
    if let Some(p) = a.policy {
        if matches!(
            libpq_mode,
            SslMode::Require | SslMode::Prefer | SslMode::Allow
        ) && p.verify_chain == ChainCheck::No
        {
            a.notes.push(format!("the libpq equivalent sslmode={libpq_mode} would verify the chain if ~/.postgresql/root.crt exists; this client never does"));
        }
        if p.verify_hostname && p.verify_chain == ChainCheck::No {
            a.notes.push("libpq cannot express \"check the name but not the chain\"; the equivalent is the closest weaker mode".to_owned());
        }
    }
}

// ------------------------------------------------------------------------------------------
// Npgsql

/// Splits an ADO.NET connection string into (key, value) pairs: `;`-separated, values may be
/// quoted with `"` or `'` (a doubled quote inside is a literal quote), keys trimmed.
fn adonet_pairs(input: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\n', '\r', ';']);
        if rest.is_empty() {
            break;
        }
        let Some(eq) = rest.find('=') else {
            return Err(format!(
                "Format of the initialization string does not conform to specification starting at index {}.",
                input.len() - rest.len()
            ));
        };
        let key = rest.get(..eq).unwrap_or("").trim().to_owned();
        rest = rest
            .get(eq + 1..)
            .unwrap_or("")
            .trim_start_matches([' ', '\t']);
        let value;
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let body = rest.get(1..).unwrap_or("");
            let mut v = String::new();
            let mut chars = body.char_indices().peekable();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == q {
                    if chars.peek().is_some_and(|(_, n)| *n == q) {
                        v.push(q);
                        chars.next();
                        continue;
                    }
                    end = Some(i + 1);
                    break;
                }
                v.push(c);
            }
            let Some(end) = end else {
                return Err("Format of the initialization string does not conform to specification (unterminated quote).".to_owned());
            };
            value = v;
            rest = body.get(end..).unwrap_or("");
        } else {
            let end = rest.find(';').unwrap_or(rest.len());
            value = rest.get(..end).unwrap_or("").trim().to_owned();
            rest = rest.get(end..).unwrap_or("");
        }
        out.push((key, value));
    }
    Ok(out)
}

fn redact_adonet(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let canon = npgsql_key(k);
            let v = if matches!(canon, Some("password") | Some("sslpassword")) {
                MASK.to_owned()
            } else if v.contains(';') || v.contains('"') || v.starts_with(' ') || v.ends_with(' ') {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.clone()
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn analyze_npgsql(input: &str, version: &[u32]) -> Analysis {
    let pairs = match adonet_pairs(input) {
        Ok(p) => p,
        Err(e) => {
            let shown = if input.to_ascii_lowercase().contains("password")
                || input.to_ascii_lowercase().contains("pwd")
            {
                "(not shown: the string does not parse and may contain a password)".to_owned()
            } else {
                input.to_owned()
            };
            return Analysis::rejected("npgsql/invalid", shown, e, None);
        }
    };
    let shown = redact_adonet(&pairs);
    let get = |canon: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| npgsql_key(k) == Some(canon))
            .map(|(_, v)| v.as_str())
    };
    let major = version.first().copied().unwrap_or(8);
    let unknown: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| npgsql_key(k).is_none())
        .map(|(k, _)| k.as_str())
        .collect();
    // SslMode via Enum.Parse(ignoreCase): names or their numbers.
    const NAMES: [(&str, u8); 6] = [
        ("disable", 0),
        ("allow", 1),
        ("prefer", 2),
        ("require", 3),
        ("verifyca", 4),
        ("verifyfull", 5),
    ];
    let mode_raw = get("sslmode");
    let mode = match mode_raw {
        None => None,
        Some(v) => {
            let t = v.trim();
            let found = NAMES
                .iter()
                .find(|(n, i)| n.eq_ignore_ascii_case(t) || t == i.to_string())
                .map(|(_, i)| *i)
                .filter(|i| major >= 6 || *i <= 3);
            match found {
                Some(i) => Some(i),
                None => {
                    let (id, hint) = if major < 6
                        && (t.eq_ignore_ascii_case("verifyca")
                            || t.eq_ignore_ascii_case("verifyfull"))
                    {
                        ("npgsql5/verify", Some("VerifyCA and VerifyFull exist from Npgsql 6.0; before that, SSL Mode=Require (without Trust Server Certificate) validates chain and name".to_owned()))
                    } else if t.contains('-') {
                        (
                            "npgsql8/libpq-spelling",
                            Some(format!(
                                "Npgsql spells it without the hyphen: SSL Mode={}",
                                if t.to_ascii_lowercase().contains("full") {
                                    "VerifyFull"
                                } else {
                                    "VerifyCA"
                                }
                            )),
                        )
                    } else {
                        ("npgsql/invalid", Some(required_hint(t).unwrap_or_else(|| "valid values: Disable, Allow, Prefer, Require, VerifyCA, VerifyFull".to_owned())))
                    };
                    return Analysis::rejected(
                        id,
                        shown,
                        format!("Requested value '{t}' was not found."),
                        hint,
                    );
                }
            }
        }
    };
    let tsc = match get("tsc") {
        None => false,
        Some(v) if v.trim().eq_ignore_ascii_case("true") => true,
        Some(v) if v.trim().eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Analysis::rejected(
                "npgsql/invalid",
                shown,
                format!("String '{v}' was not recognized as a valid Boolean."),
                None,
            )
        }
    };
    let root = get("rootcert");
    let id = if major < 6 {
        match (mode, tsc) {
            (None, _) => "npgsql5/default",
            (Some(0), _) => "npgsql8/disable",
            (Some(1), _) => "npgsql8/allow",
            (Some(2), false) => "npgsql5/prefer",
            (Some(2), true) => "npgsql5/prefer-tsc",
            (Some(_), false) => "npgsql5/require",
            (Some(_), true) => "npgsql5/require-tsc",
        }
    } else {
        match mode {
            None => "npgsql8/default",
            Some(0) => "npgsql8/disable",
            Some(1) => "npgsql8/allow",
            Some(2) => "npgsql8/prefer",
            Some(3) if major < 8 && !tsc => {
                return Analysis::rejected(
                    "npgsql6/require",
                    shown,
                    "To validate server certificates, please use VerifyFull or VerifyCA instead of Require. To disable validation, explicitly set 'Trust Server Certificate' to true. See https://www.npgsql.org/doc/release-notes/6.0.html for more details.".to_owned(),
                    Some("Npgsql 6.0 and 7.x throw this when the connection opens: write SSL Mode=VerifyFull to validate".to_owned()),
                )
            }
            Some(3) if major < 8 => "npgsql6/require-tsc",
            Some(3) => "npgsql8/require",
            Some(4) if root.is_some() => "npgsql8/verify-ca",
            Some(4) => "npgsql8/verify-ca-system",
            _ => "npgsql8/verify-full",
        }
    };
    let mut a = Analysis::new(id, shown);
    let mode_name = [
        "Disable",
        "Allow",
        "Prefer",
        "Require",
        "VerifyCA",
        "VerifyFull",
    ];
    a.mode = mode
        .and_then(|i| mode_name.get(usize::from(i)))
        .map(|s| (*s).to_owned());
    if let (Some(r), Some(p)) = (root, a.policy.as_mut()) {
        if p.verify_chain == ChainCheck::Yes {
            p.ca_store = "the Root Certificate file";
            let _ = r;
        }
    }
    if major >= 8 && get("tsc").is_some() {
        a.notes
            .push("Trust Server Certificate has no effect since Npgsql 8.0".to_owned());
    }
    if !unknown.is_empty() {
        a.notes.push(format!(
            "keys pgtls does not model (ignored here): {}",
            unknown.join(", ")
        ));
    }
    if get("channel_binding").is_some_and(|v| v.trim().eq_ignore_ascii_case("require")) {
        a.password_guard =
            Some("Channel Binding=Require refuses non-SCRAM-PLUS authentication".to_owned());
        a.mitm_guard = Some(
            "Channel Binding=Require: authentication must be bound to this TLS connection"
                .to_owned(),
        );
    }
    // Fix.
    let fix_mode = if major < 6 { "Require" } else { "VerifyFull" };
    let mut fixed: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(npgsql_key(k), Some("sslmode") | Some("tsc")))
        .cloned()
        .collect();
    fixed.push(("SSL Mode".to_owned(), fix_mode.to_owned()));
    a.fix = Some(redact_adonet(&fixed));
    if root.is_none() {
        a.notes.push("the fix validates against the system store (or PGSSLROOTCERT / ~/.postgresql/root.crt); add Root Certificate=<file> for a private CA".to_owned());
    }
    // libpq equivalent.
    let mut o = ConninfoOptions::new();
    for (canon, lk) in [
        ("host", "host"),
        ("port", "port"),
        ("database", "dbname"),
        ("username", "user"),
        ("password", "password"),
        ("rootcert", "sslrootcert"),
        ("sslcert", "sslcert"),
        ("sslkey", "sslkey"),
        ("sslpassword", "sslpassword"),
        ("application_name", "application_name"),
        ("timeout", "connect_timeout"),
    ] {
        if let Some(v) = get(canon) {
            let _ = o.set(lk, v);
        }
    }
    if let Some(cb) = get("channel_binding") {
        let _ = o.set("channel_binding", &cb.trim().to_ascii_lowercase());
    }
    let libpq_mode = libpq_mode_for(a.policy, SslMode::Prefer);
    let _ = o.set("sslmode", libpq_mode.as_str());
    if libpq_mode >= SslMode::VerifyCa && root.is_none() {
        if libpq_mode == SslMode::VerifyFull {
            let _ = o.set("sslrootcert", "system");
            a.notes.push("libpq equivalent uses sslrootcert=system (libpq 16+) for Npgsql's system-store default".to_owned());
        } else {
            a.notes.push("libpq has no verify-ca against the system store (sslrootcert=system requires verify-full)".to_owned());
        }
    }
    note_unexpressible(&mut a, libpq_mode);
    a.libpq = Some(o.render());
    a
}

// ------------------------------------------------------------------------------------------
// node-postgres

fn analyze_node(input: &str, version: &[u32]) -> Analysis {
    if input.starts_with('/') {
        // pg-connection-string's "socket directory [database]" form: never TLS.
        let mut a = Analysis::new("node/default", input.to_owned())
            .note("Unix-socket form: node-postgres never uses TLS on a socket");
        a.fix = Some(input.to_owned());
        return a;
    }
    if uri_prefix_len(input) == 0 {
        return not_a_uri(
            "node/not-a-uri",
            input,
            "pgtls: node-postgres expects a postgres:// URL; this text would be resolved as a relative URL against postgres://base".to_owned(),
        );
    }
    let shown = redact_any_uri(input);
    let pairs = query_pairs(query_of(input), true);
    let get = |k: &str| last_value(&pairs, k);
    let non_empty = |k: &str| get(k).is_some_and(|v| !v.is_empty());
    let v7 = version.first().is_some_and(|m| *m < 8);
    if v7 {
        let id = if matches!(get("ssl"), Some("true") | Some("1")) {
            "node7/ssl=true"
        } else {
            "node/default"
        };
        let mut a = Analysis::new(id, shown)
            .note("pgtls models pg 7 only for ssl=true; sslmode handling arrived with pg-connection-string 2.4 (pg 8)");
        a.fix = Some(redact_any_uri(&rewrite_query(
            input,
            &["ssl", "sslmode"],
            false,
            &[("sslmode", "verify-full")],
        )));
        a.notes
            .push("the fix needs pg 8: upgrade node-postgres".to_owned());
        return a;
    }
    let compat_version = !version_lt(version, &[8, 16]);
    let compat = get("uselibpqcompat") == Some("true") && compat_version;
    if get("uselibpqcompat").is_some() && !compat_version {
        // Ignored by older pg-connection-string.
    }
    let sslmode = get("sslmode").filter(|v| !v.is_empty());
    // pg-connection-string: ssl param, then any ssl file or sslmode turns ssl into an object.
    #[derive(PartialEq)]
    enum Ssl {
        Off,
        True,
        Str,
        Obj,
    }
    let mut ssl = match get("ssl") {
        None => Ssl::Off,
        Some("true") | Some("1") => Ssl::True,
        Some("0") => Ssl::Off,
        Some(_) => Ssl::Str,
    };
    if non_empty("sslcert") || non_empty("sslkey") || non_empty("sslrootcert") || sslmode.is_some()
    {
        ssl = Ssl::Obj;
    }
    let has_root = non_empty("sslrootcert");
    let id = if ssl == Ssl::Obj {
        match (compat, sslmode) {
            (_, Some("disable")) => "node/disable",
            (_, Some("no-verify")) => "node/no-verify",
            (true, Some("prefer")) => "node-compat/prefer",
            (true, Some("require")) if has_root => "node-compat/verify-ca",
            (true, Some("require")) => "node-compat/require",
            (true, Some("verify-ca")) if has_root => "node-compat/verify-ca",
            (true, Some("verify-ca")) => {
                return Analysis::rejected(
                    "node-compat/verify-ca-noroot",
                    shown,
                    "SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA with sslrootcert. If a public CA is used, verify-ca allows connections to a server that somebody else may have registered with the CA, making you vulnerable to Man-in-the-Middle attacks. Either specify a custom CA certificate with sslrootcert parameter or use sslmode=verify-full for proper security.".to_owned(),
                    None,
                )
            }
            (_, Some("prefer" | "require" | "verify-ca" | "verify-full")) => "node/require",
            (_, Some(_)) => "node/required",
            (_, None) if get("ssl") == Some("no-verify") => "node/no-verify",
            (_, None) => "node/require",
        }
    } else {
        match (ssl, get("ssl")) {
            (Ssl::True, _) => "node/ssl=true",
            (Ssl::Str, Some("no-verify")) => "node/no-verify",
            (Ssl::Str, _) => "node/ssl=false",
            (_, Some("0")) => "node/disable",
            _ => "node/default",
        }
    };
    let mut a = Analysis::new(id, shown);
    a.mode = sslmode
        .map(str::to_owned)
        .or_else(|| get("ssl").map(|v| format!("ssl={v}")));
    if has_root {
        if let Some(p) = a.policy.as_mut() {
            if p.verify_chain == ChainCheck::Yes {
                p.ca_store = "the sslrootcert file (replaces Node's CA list)";
            }
        }
    }
    if id == "node/required" {
        a.notes.push(format!("sslmode={} is not a value node-postgres knows; it still turns TLS on with full verification (libpq, pgjdbc and the others reject it)", sslmode.unwrap_or("")));
    }
    if id == "node/require"
        && !compat
        && matches!(sslmode, Some("prefer" | "require" | "verify-ca"))
    {
        a.notes.push("node-postgres 8 treats prefer/require/verify-ca as verify-full (newer releases print a deprecation warning and announce libpq semantics for pg 9 / pg-connection-string 3)".to_owned());
    }
    if get("uselibpqcompat").is_some() && !compat_version {
        a.notes
            .push("uselibpqcompat is ignored by this pg version".to_owned());
    }
    a.fix = Some(redact_any_uri(&rewrite_query(
        input,
        &["ssl", "sslmode", "uselibpqcompat"],
        false,
        &[("sslmode", "verify-full")],
    )));
    if !has_root {
        a.notes.push("the fix verifies against Node's CA list: add sslrootcert=<file> for a private CA (it replaces the list)".to_owned());
    }
    // libpq equivalent (the URI minus node-only parameters).
    let libpq_mode = libpq_mode_for(a.policy, SslMode::Disable);
    let mut eq = rewrite_query(
        input,
        &["ssl", "sslmode", "uselibpqcompat"],
        false,
        &[("sslmode", libpq_mode.as_str())],
    );
    if libpq_mode == SslMode::VerifyFull && !has_root {
        eq = rewrite_query(&eq, &[], false, &[("sslrootcert", "system")]);
        a.notes.push(
            "libpq equivalent uses sslrootcert=system (libpq 16+) for Node's public CA list"
                .to_owned(),
        );
    }
    note_unexpressible(&mut a, libpq_mode);
    a.libpq = Some(eq);
    a
}

// ------------------------------------------------------------------------------------------
// asyncpg, sqlx, tokio-postgres: URIs read by their own parsers.

fn not_a_uri(id: &str, input: &str, message: String) -> Analysis {
    Analysis::rejected(
        id,
        redact_libpq_input(input, parse_options(input).ok().as_ref()),
        message,
        Some("write the string as postgresql://user@host:port/dbname?sslmode=...".to_owned()),
    )
}

fn analyze_asyncpg(input: &str) -> Analysis {
    if uri_prefix_len(input) == 0 {
        let scheme = input.split_once("://").map_or("", |(s, _)| s);
        return not_a_uri(
            "asyncpg/not-a-uri",
            input,
            format!("invalid DSN: scheme is expected to be either \"postgresql\" or \"postgres\", got '{scheme}'"),
        );
    }
    let shown = redact_any_uri(input);
    let pairs = query_pairs(query_of(input), true);
    let get = |k: &str| last_value(&pairs, k);
    let mode = get("sslmode");
    let id = match mode {
        None => "asyncpg/default",
        Some(m) => match m.replace('-', "_").as_str() {
            "disable" => "libpq/disable",
            "allow" | "prefer" => "asyncpg/prefer",
            "require" => "asyncpg/require",
            "verify_ca" => "libpq/verify-ca",
            "verify_full" => "asyncpg/verify-full",
            _ => {
                return Analysis::rejected(
                    "asyncpg/required",
                    shown,
                    "`sslmode` parameter must be one of: disable, allow, prefer, require, verify-ca, verify-full".to_owned(),
                    required_hint(m),
                )
            }
        },
    };
    let mut a = Analysis::new(id, shown);
    a.mode = Some(mode.unwrap_or("prefer").to_owned());
    if matches!(id, "libpq/disable" | "libpq/verify-ca") {
        a.notes
            .push("asyncpg behaves as libpq for this mode".to_owned());
    }
    if get("sslrootcert").is_some() {
        if let Some(p) = a.policy.as_mut() {
            if p.verify_chain == ChainCheck::IfRootFile {
                p.verify_chain = ChainCheck::Yes;
                p.mitm_exposed = Exposure::No;
                p.ca_store = "the sslrootcert file";
                a.notes.push(
                    "an explicit sslrootcert turns verification on (CERT_REQUIRED) and must exist"
                        .to_owned(),
                );
            }
        }
    }
    a.fix = Some(redact_any_uri(&rewrite_query(
        input,
        &["sslmode"],
        false,
        &[("sslmode", "verify-full")],
    )));
    a.libpq = Some(rewrite_query(
        input,
        &["sslmode"],
        false,
        &[(
            "sslmode",
            libpq_mode_for(a.policy, SslMode::Prefer).as_str(),
        )],
    ));
    let lm = libpq_mode_for(a.policy, SslMode::Prefer);
    note_unexpressible(&mut a, lm);
    a
}

fn analyze_sqlx(input: &str) -> Analysis {
    if uri_prefix_len(input) == 0 {
        return not_a_uri(
            "sqlx/not-a-uri",
            input,
            "error with configuration: relative URL without a base".to_owned(),
        );
    }
    let shown = redact_any_uri(input);
    let pairs = query_pairs(query_of(input), true);
    let get = |k: &str| last_value(&pairs, k);
    let mode = get("sslmode").or_else(|| get("ssl-mode"));
    let id = match mode.map(str::to_ascii_lowercase).as_deref() {
        None => "sqlx/default",
        Some("disable") => "libpq/disable",
        Some("allow") => "sqlx/allow",
        Some("prefer") => "sqlx/default",
        Some("require") => "sqlx/require",
        Some("verify-ca") => "sqlx/verify-ca",
        Some("verify-full") => "sqlx/verify-full",
        Some(_) => {
            let m = mode.unwrap_or("");
            return Analysis::rejected(
                "sqlx/required",
                shown,
                format!("error with configuration: unknown value {m:?} for `ssl_mode`"),
                required_hint(m),
            );
        }
    };
    let mut a = Analysis::new(id, shown);
    a.mode = Some(mode.unwrap_or("prefer").to_ascii_lowercase());
    if id == "libpq/disable" {
        a.notes
            .push("sqlx behaves as libpq for this mode".to_owned());
    }
    a.fix = Some(redact_any_uri(&rewrite_query(
        input,
        &["sslmode", "ssl-mode"],
        false,
        &[("sslmode", "verify-full")],
    )));
    let lm = libpq_mode_for(a.policy, SslMode::Prefer);
    let mut eq = rewrite_query(
        input,
        &["sslmode", "ssl-mode", "statement-cache-capacity"],
        false,
        &[("sslmode", lm.as_str())],
    );
    if lm == SslMode::VerifyFull
        && get("sslrootcert")
            .or_else(|| get("ssl-root-cert"))
            .is_none()
    {
        eq = rewrite_query(&eq, &[], false, &[("sslrootcert", "system")]);
    }
    a.libpq = Some(eq);
    note_unexpressible(&mut a, lm);
    a
}

const TOKIO_KEYS: &[&str] = &[
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "sslmode",
    "sslnegotiation",
    "host",
    "hostaddr",
    "port",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
];

fn analyze_tokio(input: &str) -> Analysis {
    let is_uri = uri_prefix_len(input) > 0;
    // Keyword/value strings are tokenised as libpq does; URIs by their query.
    let (pairs, shown): (Vec<(String, String)>, String) = if is_uri {
        (query_pairs(query_of(input), false), redact_any_uri(input))
    } else {
        match parse_options(input) {
            Ok(o) => (
                o.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                o.redacted(),
            ),
            Err(e) => {
                return Analysis::rejected(
                    "libpq/syntax",
                    redact_libpq_input(input, None),
                    format!("invalid connection string: {e}"),
                    None,
                )
            }
        }
    };
    if let Some((k, _)) = pairs
        .iter()
        .find(|(k, _)| !TOKIO_KEYS.contains(&k.as_str()))
    {
        return Analysis::rejected(
            "tokio/sslrootcert",
            shown,
            format!("invalid connection string: unknown option `{k}`"),
            Some("tokio-postgres takes roots and client certificates from the TlsConnect you build, not from the string".to_owned()),
        );
    }
    let get = |k: &str| last_value(&pairs, k);
    let mode = get("sslmode");
    let id = match mode {
        None | Some("prefer") => "tokio/prefer",
        Some("disable") => "libpq/disable",
        Some("require") => "tokio/require",
        Some(m) => {
            return Analysis::rejected(
                "tokio/verify-full",
                shown,
                "invalid connection string: invalid value for option `sslmode`".to_owned(),
                Some(required_hint(m).unwrap_or_else(|| "tokio-postgres knows disable, prefer and require; verification is configured on the TLS connector (postgres-openssl / postgres-native-tls verify chain and name by default)".to_owned())),
            )
        }
    };
    let mut a = Analysis::new(id, shown);
    a.mode = Some(mode.unwrap_or("prefer").to_owned());
    if id != "libpq/disable" {
        a.notes
            .push("with NoTls, prefer connects in plaintext and require always fails".to_owned());
        a.notes.push("a verifying connector (postgres-openssl MakeTlsConnector, postgres-native-tls MakeTlsConnector, tokio-postgres-rustls with real roots) verifies chain and name: then require is not exposed".to_owned());
    } else {
        a.notes
            .push("tokio-postgres behaves as libpq for this mode".to_owned());
    }
    a.fix = Some(if is_uri {
        redact_any_uri(&rewrite_query(
            input,
            &["sslmode"],
            false,
            &[("sslmode", "require")],
        ))
    } else {
        let mut o = parse_options(input).unwrap_or_default();
        let _ = o.set("sslmode", "require");
        o.redacted()
    });
    a.notes.push("the string cannot ask for verification in tokio-postgres: the fix is sslmode=require plus a verifying TLS connector".to_owned());
    let lm = libpq_mode_for(a.policy, SslMode::Prefer);
    a.libpq = Some(if is_uri {
        rewrite_query(input, &["sslmode"], false, &[("sslmode", lm.as_str())])
    } else {
        let mut o = parse_options(input).unwrap_or_default();
        let _ = o.set("sslmode", lm.as_str());
        o.render()
    });
    note_unexpressible(&mut a, lm);
    a
}

// ------------------------------------------------------------------------------------------
// Assembly

fn driver_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Libpq | Dialect::LibpqUri => "libpq",
        Dialect::Psycopg => "psycopg (libpq)",
        Dialect::Pgjdbc => "pgjdbc",
        Dialect::Npgsql => "Npgsql",
        Dialect::NodePostgres => "node-postgres (pg)",
        Dialect::Asyncpg => "asyncpg",
        Dialect::Sqlx => "sqlx",
        Dialect::TokioPostgres => "tokio-postgres",
    }
}

fn default_version(d: Dialect) -> &'static str {
    match d {
        Dialect::Libpq | Dialect::LibpqUri | Dialect::Psycopg => "18",
        Dialect::Pgjdbc => "42.7",
        Dialect::Npgsql => "8.0",
        Dialect::NodePostgres => "8.16",
        Dialect::Asyncpg => "0.30",
        Dialect::Sqlx => "0.8",
        Dialect::TokioPostgres => "0.7",
    }
}

fn analyze(input: &str, dialect: Dialect, version: &[u32]) -> Analysis {
    match dialect {
        Dialect::Libpq | Dialect::LibpqUri | Dialect::Psycopg => {
            analyze_libpq(input, dialect, version)
        }
        Dialect::Pgjdbc => analyze_pgjdbc(input, version),
        Dialect::Npgsql => analyze_npgsql(input, version),
        Dialect::NodePostgres => analyze_node(input, version),
        Dialect::Asyncpg => analyze_asyncpg(input),
        Dialect::Sqlx => analyze_sqlx(input),
        Dialect::TokioPostgres => analyze_tokio(input),
    }
}

/// Every secret value the string carries, as written and as decoded, in any dialect's reading.
fn secrets_in(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(o) = parse_options(input) {
        for k in ["password", "sslpassword"] {
            if let Some(v) = o.get(k) {
                out.push(v.to_owned());
            }
        }
    }
    for (k, v) in query_pairs(query_of(input), true)
        .into_iter()
        .chain(query_pairs(query_of(input), false))
    {
        if is_secret_param(&k) {
            out.push(v);
        }
    }
    if let Some(i) = input.find("://") {
        let rest = input.get(i + 3..).unwrap_or("");
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if let Some((_, pw)) = userinfo.split_once(':') {
                out.push(pw.to_owned());
                out.push(percent_decode(pw, false));
            }
        }
    }
    if let Ok(pairs) = adonet_pairs(input) {
        for (k, v) in pairs {
            if matches!(npgsql_key(&k), Some("password") | Some("sslpassword")) {
                out.push(v);
            }
        }
    }
    out.retain(|s| !s.is_empty() && s != MASK);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

fn scrub(text: &mut String, secrets: &[String]) {
    for s in secrets {
        if text.contains(s.as_str()) {
            *text = text.replace(s.as_str(), MASK);
        }
    }
}

pub(super) fn explain(input: &str, opts: &ExplainOptions) -> Explanation {
    let mut e = explain_unscrubbed(input, opts);
    // Safety net: whatever a reader above missed, no secret leaves this function.
    let secrets = secrets_in(input.trim());
    if !secrets.is_empty() {
        scrub(&mut e.input, &secrets);
        for t in [
            &mut e.error,
            &mut e.hint,
            &mut e.fix,
            &mut e.libpq_equivalent,
            &mut e.mode,
        ]
        .into_iter()
        .flatten()
        {
            scrub(t, &secrets);
        }
        for n in e.notes.iter_mut() {
            scrub(n, &secrets);
        }
    }
    e
}

fn explain_unscrubbed(input: &str, opts: &ExplainOptions) -> Explanation {
    let input = input.trim();
    let detected = opts.dialect.is_none();
    let dialect = opts.dialect.unwrap_or_else(|| detect(input));
    let version_text = opts
        .driver_version
        .clone()
        .unwrap_or_else(|| default_version(dialect).to_owned());
    let version = version_parts(&version_text);
    let a = analyze(input, dialect, &version);
    let effective = a.policy.map(|p| Effective {
        tls: p.tls,
        verify_chain: p.verify_chain,
        verify_hostname: p.verify_hostname,
        plaintext_fallback: p.plaintext_fallback,
        first_transport: p.first_transport,
        ca_store: p.ca_store.to_owned(),
    });
    let mut notes = Vec::new();
    if !a.row.note.is_empty() {
        notes.push(a.row.note.to_owned());
    }
    notes.extend(a.notes.iter().cloned());
    let mitm = a.policy.map(|p| {
        if a.mitm_guard.is_some() {
            Exposure::No
        } else {
            p.mitm_exposed
        }
    });
    let password = mitm.map(|m| {
        if a.password_guard.is_some() {
            Exposure::No
        } else {
            m
        }
    });
    if let Some(g) = &a.mitm_guard {
        notes.push(g.clone());
    }
    if let Some(g) = &a.password_guard {
        if a.mitm_guard.as_ref() != Some(g) {
            notes.push(g.clone());
        }
    }
    if password.is_some_and(|p| p != Exposure::No) {
        notes.push("a MITM that is accepted can ask for a cleartext password (AuthenticationCleartextPassword) and the client sends it".to_owned());
    }
    if dialect != Dialect::Libpq && dialect != Dialect::LibpqUri && dialect != Dialect::Psycopg {
        notes.push("PG* environment variables are not considered".to_owned());
    } else {
        notes.push("read with an empty environment: PGSSLMODE, PGSSLROOTCERT etc. on the client can change this".to_owned());
    }
    let mut sources = vec![format!(
        "{} ({}): {}",
        a.row.id, a.row.versions, a.row.source
    )];
    sources.dedup();
    Explanation {
        dialect,
        dialect_detected: detected,
        error: a.error,
        hint: a.hint,
        effective,
        mitm_exposed: mitm,
        password_exposed_to_mitm: password,
        fix: a.fix,
        driver: driver_name(dialect),
        driver_version_assumed: version_text,
        input: a.input,
        libpq_equivalent: a.libpq.as_deref().map(redact_equivalent),
        mode: a.mode,
        row: a.row.id,
        notes,
        sources,
    }
}

pub(super) fn to_libpq_settings(
    input: &str,
    dialect: Option<Dialect>,
    env: &Env,
) -> Result<Settings, ConninfoError> {
    let input = input.trim();
    let dialect = dialect.unwrap_or_else(|| detect(input));
    match dialect {
        Dialect::Libpq | Dialect::LibpqUri | Dialect::Psycopg => {
            Settings::from_conninfo(input, env)
        }
        other => {
            let version = version_parts(default_version(other));
            let a = analyze(input, other, &version);
            if let Some(e) = a.error {
                return Err(ConninfoError::Foreign {
                    dialect: other.as_str(),
                    message: e,
                });
            }
            let raw = a.libpq.unwrap_or_default();
            let opts = parse_options(&raw)?;
            Settings::from_options(opts, env)
        }
    }
}

/// The libpq equivalent as shown: secrets masked.
fn redact_equivalent(raw: &str) -> String {
    if uri_prefix_len(raw) > 0 {
        redact_any_uri(&redact_uri(raw))
    } else {
        parse_options(raw).map_or_else(|_| MASK.to_owned(), |o| o.redacted())
    }
}
