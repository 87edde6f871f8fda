//! The scenario catalog, as data: one [`Scenario`] row per situation a PostgreSQL client can
//! meet, with the outcome libpq reaches in each sslmode.
//!
//! The expectations are written by hand from libpq's rules (see the crate docs); nothing in
//! this crate computes them. Tests check them against real `psql`.
//!
//! ```
//! use pgtls_coordinator::catalog::{self, Outcome, SslMode};
//! let row = catalog::find("wrong-hostname").expect("in the catalog");
//! assert_eq!(row.expect.get(SslMode::VerifyCa).outcome, Outcome::Tls);
//! assert_eq!(row.expect.get(SslMode::VerifyFull).outcome, Outcome::Rejected);
//! assert!(catalog::all().len() >= 35);
//! ```

mod rows;

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::recipe::{BuiltPki, PkiRecipe};
use crate::spec::{AuthMethod, DirectTls, Hba, ServerSpec, SslAnswer, TlsMaterial, TlsVersions};

/// The host name client contexts use (resolved through `hostaddr=127.0.0.1`).
pub const HOST: &str = "c-demo.pgtls.test";
/// The address every client context connects to.
pub const HOSTADDR: &str = "127.0.0.1";
/// The database user and database name of every client context.
pub const USER: &str = "citus";
/// The password of password-authentication scenarios (a throwaway test value).
pub const PASSWORD: &str = "pgtls-demo-password";
/// What the server expects in [`RolePassword::Other`] scenarios.
pub const OTHER_PASSWORD: &str = "pgtls-other-password";

/// libpq's sslmode values, weakest first: the same type the probe and `pgtls explain` use.
pub use pgtls_conninfo::SslMode;

/// How a connection attempt ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Connected, over TLS.
    Tls,
    /// Connected, without encryption.
    Plaintext,
    /// No session.
    Rejected,
}

impl Outcome {
    /// `tls`, `plaintext` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Tls => "tls",
            Outcome::Plaintext => "plaintext",
            Outcome::Rejected => "rejected",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The expectation for one sslmode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Expected {
    /// How the attempt ends.
    pub outcome: Outcome,
    /// Whether the client sends something derived from its password to the server during the
    /// attempt (a cleartext password, an MD5 hash or a SCRAM client proof) — in any of its
    /// connections, even one that is then rejected.
    pub password_reaches_server: bool,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}",
            self.outcome,
            if self.password_reaches_server {
                " (password sent)"
            } else {
                ""
            }
        )
    }
}

/// One [`Expected`] per sslmode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Expectations([Expected; 6]);

impl Expectations {
    /// From six values, `disable` first.
    pub fn new(each: [Expected; 6]) -> Expectations {
        Expectations(each)
    }

    /// The expectation for `mode`.
    pub fn get(&self, mode: SslMode) -> Expected {
        self.0[mode as usize]
    }

    /// `(mode, expected)` in mode order.
    pub fn iter(&self) -> impl Iterator<Item = (SslMode, Expected)> + '_ {
        SslMode::ALL.into_iter().map(|m| (m, self.get(m)))
    }

    /// Parses the catalog's shorthand: six space-separated tokens in sslmode order, each
    /// `T`/`P`/`R` (tls/plaintext/rejected) followed by `+` (password reaches the server) or `-`.
    ///
    /// ```
    /// use pgtls_coordinator::catalog::{Expectations, Outcome, SslMode};
    /// let e: Expectations = "P+ P+ T+ T+ T+ R-".parse()?;
    /// assert_eq!(e.get(SslMode::VerifyFull).outcome, Outcome::Rejected);
    /// assert!(e.get(SslMode::Disable).password_reaches_server);
    /// # Ok::<(), pgtls_coordinator::Error>(())
    /// ```
    pub fn parse_shorthand(s: &str) -> Result<Expectations, crate::Error> {
        let bad = || crate::Error::InvalidExpectation(s.to_owned());
        let tokens: Vec<&str> = s.split_whitespace().collect();
        if tokens.len() != 6 {
            return Err(bad());
        }
        let mut out = [Expected {
            outcome: Outcome::Rejected,
            password_reaches_server: false,
        }; 6];
        for (slot, token) in out.iter_mut().zip(tokens) {
            let mut chars = token.chars();
            let outcome = match chars.next() {
                Some('T') => Outcome::Tls,
                Some('P') => Outcome::Plaintext,
                Some('R') => Outcome::Rejected,
                _ => return Err(bad()),
            };
            let password_reaches_server = match chars.next() {
                Some('+') => true,
                Some('-') => false,
                _ => return Err(bad()),
            };
            if chars.next().is_some() {
                return Err(bad());
            }
            *slot = Expected {
                outcome,
                password_reaches_server,
            };
        }
        Ok(Expectations(out))
    }

    /// The shorthand form (inverse of [`Expectations::parse_shorthand`]).
    pub fn shorthand(&self) -> String {
        self.0
            .iter()
            .map(|e| {
                format!(
                    "{}{}",
                    match e.outcome {
                        Outcome::Tls => 'T',
                        Outcome::Plaintext => 'P',
                        Outcome::Rejected => 'R',
                    },
                    if e.password_reaches_server { '+' } else { '-' }
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn outcomes(&self) -> ModeMap<'_, Outcome> {
        ModeMap(self, |e| e.outcome)
    }

    fn passwords(&self) -> ModeMap<'_, bool> {
        ModeMap(self, |e| e.password_reaches_server)
    }
}

impl FromStr for Expectations {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expectations::parse_shorthand(s)
    }
}

/// Serializes one field of each mode's expectation as a JSON object keyed by sslmode.
struct ModeMap<'a, T>(&'a Expectations, fn(&Expected) -> T);

impl<T: Serialize> Serialize for ModeMap<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(6))?;
        for (mode, e) in self.0.iter() {
            map.serialize_entry(mode.as_str(), &(self.1)(&e))?;
        }
        map.end()
    }
}

/// Conninfo keywords whose values are file names inside the PKI directory.
pub const FILE_PARAMS: [&str; 5] = ["sslrootcert", "sslcert", "sslkey", "sslcrl", "sslcrldir"];

/// How a test client should connect: the libpq settings of a scenario, minus `port` and
/// `sslmode`. File names are relative to the PKI directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientContext {
    /// `host`: what verify-full compares and what SNI carries.
    pub host: String,
    /// `hostaddr`: where the client really connects (`None`: `host` is itself an address).
    pub hostaddr: Option<String>,
    /// `user`.
    pub user: String,
    /// `dbname`.
    pub dbname: String,
    /// `password` (`None` for scenarios without password authentication).
    pub password: Option<String>,
    /// `sslrootcert`, a file in the PKI directory; `None`: the client names no root file (libpq
    /// then looks for `~/.postgresql/root.crt`, which an isolated `HOME` does not have).
    pub sslrootcert: Option<String>,
    /// Further conninfo keywords in order (`sslcert`, `sslkey`, `sslcrl`, `channel_binding`,
    /// `ssl_min_protocol_version`, `sslnegotiation`...). Values of [`FILE_PARAMS`] are file names
    /// in the PKI directory.
    #[serde(serialize_with = "ser_params")]
    pub params: Vec<(String, String)>,
}

fn ser_params<S: Serializer>(params: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(params.len()))?;
    for (k, v) in params {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl ClientContext {
    /// `host=c-demo.pgtls.test hostaddr=127.0.0.1 user=citus dbname=citus password=…
    /// sslrootcert=root.crt`.
    pub fn standard() -> ClientContext {
        ClientContext {
            host: HOST.to_owned(),
            hostaddr: Some(HOSTADDR.to_owned()),
            user: USER.to_owned(),
            dbname: USER.to_owned(),
            password: Some(PASSWORD.to_owned()),
            sslrootcert: Some(crate::recipe::names::ROOT_CRT.to_owned()),
            params: Vec::new(),
        }
    }

    /// The value of a keyword in `params`.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Applies one change.
    pub fn apply(&mut self, change: &ClientChange) {
        match change {
            ClientChange::NoRootCert => self.sslrootcert = None,
            ClientChange::NoPassword => self.password = None,
            ClientChange::Host(h) => self.host = (*h).to_owned(),
            ClientChange::Hostaddr(a) => self.hostaddr = a.map(str::to_owned),
            ClientChange::Set(k, v) => {
                self.params.retain(|(key, _)| key != k);
                self.params.push(((*k).to_owned(), (*v).to_owned()));
            }
            ClientChange::Remove(k) => self.params.retain(|(key, _)| key != k),
        }
    }

    /// The libpq keyword/value pairs for a server at `addr` with files in `pki_dir`, in this
    /// order: host, hostaddr, port, user, dbname, password, sslmode, sslrootcert, params.
    pub fn conninfo_pairs(
        &self,
        pki_dir: &Path,
        addr: SocketAddr,
        mode: SslMode,
    ) -> Vec<(String, String)> {
        let file = |name: &str| pki_dir.join(name).to_string_lossy().into_owned();
        let mut out = vec![("host".to_owned(), self.host.clone())];
        if let Some(a) = &self.hostaddr {
            out.push(("hostaddr".to_owned(), a.clone()));
        }
        out.push(("port".to_owned(), addr.port().to_string()));
        out.push(("user".to_owned(), self.user.clone()));
        out.push(("dbname".to_owned(), self.dbname.clone()));
        if let Some(p) = &self.password {
            out.push(("password".to_owned(), p.clone()));
        }
        out.push(("sslmode".to_owned(), mode.as_str().to_owned()));
        if let Some(r) = &self.sslrootcert {
            out.push(("sslrootcert".to_owned(), file(r)));
        }
        for (k, v) in &self.params {
            let v = if FILE_PARAMS.contains(&k.as_str()) {
                file(v)
            } else {
                v.clone()
            };
            out.push((k.clone(), v));
        }
        out
    }

    /// A libpq keyword/value connection string (see [`ClientContext::conninfo_pairs`]).
    pub fn conninfo(&self, pki_dir: &Path, addr: SocketAddr, mode: SslMode) -> String {
        render(&self.conninfo_pairs(pki_dir, addr, mode), false)
    }

    /// The same string with the password shown as `********` (for printing).
    pub fn conninfo_redacted(&self, pki_dir: &Path, addr: SocketAddr, mode: SslMode) -> String {
        render(&self.conninfo_pairs(pki_dir, addr, mode), true)
    }
}

/// Quotes a conninfo value as libpq reads it (single quotes; `\` and `'` escaped).
pub fn quote_conninfo_value(v: &str) -> String {
    if !v.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c == '\'' || c == '\\')
    {
        return v.to_owned();
    }
    let mut out = String::with_capacity(v.len() + 2);
    out.push('\'');
    for c in v.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn render(pairs: &[(String, String)], redact: bool) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            if redact && k == "password" {
                format!("{k}=********")
            } else {
                format!("{k}={}", quote_conninfo_value(v))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One change to a client context (variants are the row's context plus changes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientChange {
    /// No `sslrootcert` (the client has no root file).
    NoRootCert,
    /// No `password`.
    NoPassword,
    /// Another `host`.
    Host(&'static str),
    /// Another `hostaddr` (`None`: connect to `host` itself).
    Hostaddr(Option<&'static str>),
    /// Sets a keyword.
    Set(&'static str, &'static str),
    /// Removes a keyword.
    Remove(&'static str),
}

/// Another client context for the same server, with its own expectations.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Kebab-case name (`no-rootcert`, `channel-binding-require`, ...).
    pub name: &'static str,
    /// What differs from the row's context.
    pub summary: &'static str,
    /// The changes applied to the row's context.
    pub changes: Vec<ClientChange>,
    /// The resolved context (row context + changes).
    pub client: ClientContext,
    /// Minimum libpq major version that can express this context.
    pub libpq: u32,
    /// Expected outcome per sslmode, by hand.
    pub expect: Expectations,
}

/// Scenario families (for listings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// A correct setup.
    Healthy,
    /// Host name checks.
    Names,
    /// Chain building and purposes.
    Chain,
    /// Validity periods.
    Time,
    /// CRLs.
    Revocation,
    /// SSLRequest answers and hba connection types.
    Negotiation,
    /// Client certificates.
    ClientCert,
    /// Authentication methods and channel binding.
    Auth,
    /// A man in the middle stands where the server should be.
    Mitm,
}

/// Which password the server's role has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RolePassword {
    /// [`PASSWORD`], the one the client context sends.
    Scenario,
    /// [`OTHER_PASSWORD`]: every attempt fails with 28P01.
    Other,
}

/// The server side of a row, as data (the TLS material comes from the row's [`PkiRecipe`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Behaviour {
    /// The answer to SSLRequest.
    pub ssl_answer: SslAnswer,
    /// What a direct-TLS ClientHello gets.
    pub direct_tls: DirectTls,
    /// TLS versions accepted.
    pub tls_versions: TlsVersions,
    /// The hba connection type.
    pub hba: Hba,
    /// `clientcert=verify-ca`.
    pub require_client_cert: bool,
    /// The authentication method.
    pub auth: AuthMethod,
    /// The role's password.
    pub password: RolePassword,
    /// A man in the middle.
    pub attacker: bool,
    /// SCRAM-SHA-256-PLUS binds to the genuine server certificate (relay emulation).
    pub relay_channel_binding: bool,
}

impl Behaviour {
    /// An honest PostgreSQL 15: TLS on, `host … scram-sha-256`.
    pub fn honest() -> Behaviour {
        Behaviour {
            ssl_answer: SslAnswer::Accept,
            direct_tls: DirectTls::Accept,
            tls_versions: TlsVersions::Any,
            hba: Hba::Host,
            require_client_cert: false,
            auth: AuthMethod::ScramSha256,
            password: RolePassword::Scenario,
            attacker: false,
            relay_channel_binding: false,
        }
    }

    /// A man in the middle that takes TLS or plaintext and asks for a cleartext password.
    pub fn attacker() -> Behaviour {
        Behaviour {
            auth: AuthMethod::Password,
            attacker: true,
            ..Behaviour::honest()
        }
    }
}

/// One row of the catalog.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Kebab-case name.
    pub name: &'static str,
    /// Family.
    pub category: Category,
    /// One line.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// The certificates.
    pub pki: PkiRecipe,
    /// The server.
    pub server: Behaviour,
    /// The client context tests use.
    pub client: ClientContext,
    /// Minimum libpq major version that can express the client context.
    pub libpq: u32,
    /// Expected outcome per sslmode, by hand from libpq's rules.
    pub expect: Expectations,
    /// Further client contexts.
    pub variants: Vec<Variant>,
}

/// A client context of a row: the row's own (`variant == None`) or one of its variants.
#[derive(Clone, Copy, Debug)]
pub struct Case<'a> {
    /// The row.
    pub scenario: &'a Scenario,
    /// The variant name, `None` for the row's own context.
    pub variant: Option<&'static str>,
    /// The context.
    pub client: &'a ClientContext,
    /// Minimum libpq major version.
    pub libpq: u32,
    /// Expectations.
    pub expect: &'a Expectations,
}

impl Case<'_> {
    /// `scenario` or `scenario/variant`.
    pub fn label(&self) -> String {
        match self.variant {
            Some(v) => format!("{}/{v}", self.scenario.name),
            None => self.scenario.name.to_owned(),
        }
    }
}

impl Scenario {
    /// The row's context, then each variant.
    pub fn cases(&self) -> Vec<Case<'_>> {
        let mut out = vec![Case {
            scenario: self,
            variant: None,
            client: &self.client,
            libpq: self.libpq,
            expect: &self.expect,
        }];
        out.extend(self.variants.iter().map(|v| Case {
            scenario: self,
            variant: Some(v.name),
            client: &v.client,
            libpq: v.libpq,
            expect: &v.expect,
        }));
        out
    }

    /// The variant called `name`.
    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// The server spec for this row, given its built PKI.
    pub fn server_spec(&self, pki: &BuiltPki) -> ServerSpec {
        let b = &self.server;
        let tls = pki.chain.as_ref().map(|chain| TlsMaterial {
            chain: chain.ders(),
            key: chain.key_der(),
            client_cas: pki.client_cas.clone(),
            channel_binding_cert: if b.relay_channel_binding {
                pki.genuine.clone()
            } else {
                None
            },
        });
        let mut spec = ServerSpec::new(self.name)
            .ssl_answer(b.ssl_answer.clone())
            .direct_tls(b.direct_tls)
            .tls_versions(b.tls_versions)
            .hba(b.hba)
            .require_client_cert(b.require_client_cert)
            .auth(b.auth)
            .attacker(b.attacker);
        spec.tls = tls;
        spec.password = Some(match b.password {
            RolePassword::Scenario => PASSWORD.to_owned(),
            RolePassword::Other => OTHER_PASSWORD.to_owned(),
        });
        spec
    }

    /// One line saying what the server does.
    pub fn describe_server(&self) -> String {
        let b = &self.server;
        let answer = match (&b.ssl_answer, self.pki.tls) {
            (SslAnswer::Accept, false) => "N (no TLS configured)".to_owned(),
            (a, _) => a.to_string(),
        };
        let mut s = format!(
            "SSLRequest -> {answer}; {} {}",
            b.hba.keyword(),
            b.auth.keyword()
        );
        if b.require_client_cert {
            s.push_str(" clientcert=verify-ca");
        }
        match b.tls_versions {
            TlsVersions::Any => {}
            TlsVersions::Tls12Only => s.push_str("; TLS 1.2 only"),
            TlsVersions::Tls13Only => s.push_str("; TLS 1.3 only"),
        }
        if b.direct_tls == DirectTls::Reject {
            s.push_str("; direct TLS not supported");
        }
        if b.password == RolePassword::Other {
            s.push_str("; the role's password differs from the client's");
        }
        if b.attacker {
            s.push_str("; man in the middle");
        }
        if b.relay_channel_binding {
            s.push_str(
                "; SCRAM relayed to the genuine server (channel binding = genuine certificate)",
            );
        }
        s
    }

    /// The JSON listing element (`pgtls scenarios --json`).
    pub fn listing(&self) -> Listing<'_> {
        Listing(self)
    }
}

/// The stable JSON form of a row: `name`, `category`, `summary`, `why`, `libpq` (string),
/// `client`, `expect` (sslmode → tls|plaintext|rejected), `password_reaches_server` (sslmode →
/// bool), `server`, `pki`, `variants` (each with `name`, `summary`, `libpq`, `client`, `expect`,
/// `password_reaches_server`).
pub struct Listing<'a>(&'a Scenario);

impl Serialize for Listing<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let s = self.0;
        let mut map = serializer.serialize_map(Some(11))?;
        map.serialize_entry("name", s.name)?;
        map.serialize_entry("category", &s.category)?;
        map.serialize_entry("summary", s.summary)?;
        map.serialize_entry("why", s.why)?;
        map.serialize_entry("libpq", &s.libpq.to_string())?;
        map.serialize_entry("client", &s.client)?;
        map.serialize_entry("expect", &s.expect.outcomes())?;
        map.serialize_entry("password_reaches_server", &s.expect.passwords())?;
        map.serialize_entry("server", &s.describe_server())?;
        map.serialize_entry("pki", &s.pki.describe())?;
        let variants: Vec<VariantListing<'_>> = s.variants.iter().map(VariantListing).collect();
        map.serialize_entry("variants", &variants)?;
        map.end()
    }
}

struct VariantListing<'a>(&'a Variant);

impl Serialize for VariantListing<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("name", v.name)?;
        map.serialize_entry("summary", v.summary)?;
        map.serialize_entry("libpq", &v.libpq.to_string())?;
        map.serialize_entry("client", &v.client)?;
        map.serialize_entry("expect", &v.expect.outcomes())?;
        map.serialize_entry("password_reaches_server", &v.expect.passwords())?;
        map.end()
    }
}

/// Every row, in catalog order.
pub fn all() -> &'static [Scenario] {
    static ALL: OnceLock<Vec<Scenario>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut rows = rows::rows();
        for row in &mut rows {
            for v in &mut row.variants {
                let mut client = row.client.clone();
                for change in &v.changes {
                    client.apply(change);
                }
                v.client = client;
            }
        }
        rows
    })
}

/// The row called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
    all().iter().find(|s| s.name == name)
}

/// Every row's name, in catalog order.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|s| s.name).collect()
}
