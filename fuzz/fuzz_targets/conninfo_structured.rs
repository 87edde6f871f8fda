//! Connection strings built from libpq's keywords and meaningful values, rendered in one of
//! four forms (keyword/value, URI, pgjdbc URL, Npgsql), then handed to the same entry point as
//! `conninfo_parse`. Raw bytes rarely spell `sslrootcert=system sslmode=verify-full`; this
//! target reaches the resolution and validation rules (and `explain`) from the first run.
//!
//! A crash here is reproduced as text: `cargo fuzz fmt -s none conninfo_structured <file>`
//! prints the string; save it under `corpus/conninfo_parse/` as the regression.
#![no_main]

use std::fmt;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

/// libpq 18's keywords plus URI-only spellings and dialect aliases.
const KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslnegotiation",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "sslcertmode",
    "sslpassword",
    "sslcompression",
    "requiressl",
    "ssl",
    "channel_binding",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "min_protocol_version",
    "max_protocol_version",
    "gssencmode",
    "connect_timeout",
    "application_name",
    "fallback_application_name",
    "options",
    "client_encoding",
    "target_session_attrs",
    "load_balance_hosts",
    "service",
    "passfile",
    "keepalives",
    "krbsrvname",
    "replication",
    "requirepeer",
    "sslkeylogfile",
    "oauth_issuer",
    "scram_client_key",
    "bogus_keyword",
];

/// Values that mean something to at least one keyword.
const VALUES: &[&str] = &[
    "",
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
    "required",
    "postgres",
    "direct",
    "system",
    "/tmp/root.crt",
    "~/.postgresql/root.crt",
    "0",
    "1",
    "true",
    "false",
    "on",
    "yes",
    "5432",
    "65536",
    "-1",
    "2147483648",
    "TLSv1.2",
    "TLSv1.3",
    "TLSv1",
    "scram-sha-256",
    "!password",
    "md5,password",
    "none",
    "any",
    "read-write",
    "random",
    "localhost",
    "127.0.0.1",
    "::1",
    "[::1]",
    "/var/run/postgresql",
    "a,b,c",
    "h1,h2",
    ",",
    "%",
    "%zz",
    "%00",
    "'",
    "\\",
    " ",
    "=",
    "\u{e9}t\u{e9}",
];

#[derive(Arbitrary)]
enum Value {
    Known(u8),
    Text(String),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Known(i) => VALUES[usize::from(*i) % VALUES.len()].to_owned(),
            Value::Text(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary)]
enum Quoting {
    /// `k=v` as is (may be invalid on purpose).
    Bare,
    /// `k='v'` with `\` and `'` escaped.
    Quoted,
    /// `k = 'v'` with spaces around `=`.
    Spaced,
}

#[derive(Arbitrary)]
enum Form {
    KeywordValue,
    Uri { scheme_short: bool, percent: bool },
    Jdbc,
    Npgsql,
}

#[derive(Arbitrary)]
struct Input {
    form: Form,
    user: Option<Value>,
    password: Option<Value>,
    hosts: Vec<(Value, Option<u16>)>,
    dbname: Option<Value>,
    pairs: Vec<(u8, Value, Quoting)>,
}

fn keyword(i: u8) -> &'static str {
    KEYWORDS[usize::from(i) % KEYWORDS.len()]
}

fn quote(v: &str) -> String {
    let mut out = String::from("'");
    for c in v.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn percent(v: &str, on: bool) -> String {
    if !on {
        return v.to_owned();
    }
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Input {
    fn render(&self) -> String {
        match &self.form {
            Form::KeywordValue => {
                let mut parts = Vec::new();
                let fixed = [
                    ("user", &self.user),
                    ("password", &self.password),
                    ("dbname", &self.dbname),
                ];
                for (k, v) in fixed {
                    if let Some(v) = v {
                        parts.push(format!("{k}={}", quote(&v.text())));
                    }
                }
                if !self.hosts.is_empty() {
                    let hosts: Vec<String> = self.hosts.iter().map(|(h, _)| h.text()).collect();
                    parts.push(format!("host={}", quote(&hosts.join(","))));
                    let ports: Vec<String> = self
                        .hosts
                        .iter()
                        .map(|(_, p)| p.map(|p| p.to_string()).unwrap_or_default())
                        .collect();
                    parts.push(format!("port={}", quote(&ports.join(","))));
                }
                for (k, v, q) in &self.pairs {
                    let (k, v) = (keyword(*k), v.text());
                    parts.push(match q {
                        Quoting::Bare => format!("{k}={v}"),
                        Quoting::Quoted => format!("{k}={}", quote(&v)),
                        Quoting::Spaced => format!("{k} = {}", quote(&v)),
                    });
                }
                parts.join(" ")
            }
            Form::Uri {
                scheme_short,
                percent: pct,
            } => {
                let mut s = String::from(if *scheme_short {
                    "postgres://"
                } else {
                    "postgresql://"
                });
                if let Some(u) = &self.user {
                    s.push_str(&percent(&u.text(), *pct));
                    if let Some(p) = &self.password {
                        s.push(':');
                        s.push_str(&percent(&p.text(), *pct));
                    }
                    s.push('@');
                }
                let hosts: Vec<String> = self
                    .hosts
                    .iter()
                    .map(|(h, p)| {
                        let h = h.text();
                        let h = if h.contains(':') && !h.starts_with('[') {
                            format!("[{h}]")
                        } else {
                            percent(&h, *pct)
                        };
                        match p {
                            Some(p) => format!("{h}:{p}"),
                            None => h,
                        }
                    })
                    .collect();
                s.push_str(&hosts.join(","));
                if let Some(d) = &self.dbname {
                    s.push('/');
                    s.push_str(&percent(&d.text(), *pct));
                }
                for (i, (k, v, _)) in self.pairs.iter().enumerate() {
                    s.push(if i == 0 { '?' } else { '&' });
                    s.push_str(keyword(*k));
                    s.push('=');
                    s.push_str(&percent(&v.text(), *pct));
                }
                s
            }
            Form::Jdbc => {
                let mut s = String::from("jdbc:postgresql://");
                let hosts: Vec<String> = self
                    .hosts
                    .iter()
                    .map(|(h, p)| match p {
                        Some(p) => format!("{}:{p}", h.text()),
                        None => h.text(),
                    })
                    .collect();
                s.push_str(&hosts.join(","));
                s.push('/');
                if let Some(d) = &self.dbname {
                    s.push_str(&d.text());
                }
                for (i, (k, v, _)) in self.pairs.iter().enumerate() {
                    s.push(if i == 0 { '?' } else { '&' });
                    let k = match keyword(*k) {
                        "sslrootcert" if i % 2 == 0 => "sslfactory",
                        "require_auth" => "loggerLevel",
                        other => other,
                    };
                    s.push_str(k);
                    s.push('=');
                    s.push_str(&v.text());
                }
                s
            }
            Form::Npgsql => {
                let mut parts = Vec::new();
                for (h, p) in &self.hosts {
                    parts.push(format!("Host={}", h.text()));
                    if let Some(p) = p {
                        parts.push(format!("Port={p}"));
                    }
                }
                if let Some(u) = &self.user {
                    parts.push(format!("Username={}", u.text()));
                }
                if let Some(p) = &self.password {
                    parts.push(format!("Password={}", p.text()));
                }
                for (k, v, _) in &self.pairs {
                    let k = match keyword(*k) {
                        "sslmode" => "SSL Mode",
                        "sslrootcert" => "Root Certificate",
                        "channel_binding" => "Channel Binding",
                        "ssl" => "Trust Server Certificate",
                        other => other,
                    };
                    parts.push(format!("{k}={}", v.text()));
                }
                parts.join(";")
            }
        }
    }
}

/// `cargo fuzz fmt` shows the string the target parsed.
impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.render())
    }
}

fuzz_target!(|input: Input| {
    pgtls_conninfo::fuzzing::parse(input.render().as_bytes());
});
