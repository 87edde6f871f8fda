//! Running a [`Case`] through the real wire: certificates from `pgtls-pki`, a coordinator on
//! 127.0.0.1:0, the probe (or real psql) as the client, and what reached the server read back
//! from the coordinator's transcripts.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::spec::{AuthMethod, Hba, ServerSpec, SslAnswer, TlsMaterial};
use pgtls_coordinator::transcript::{CredentialKind, Request, Transport};
use pgtls_coordinator::{peers, Prepared, Transcript};
use pgtls_pki::{hours, Cert, CertSpec, ChainOrder, Defect, OffsetDateTime, Pki, San, Serial};
use pgtls_probe::{AcceptedTransport, ProbeOptions, Verdict};

use crate::case::{
    Answer, Auth, CaFacts, Case, HbaLine, LeafFacts, Order, Password, RootLocation, SanFact, Trust,
};
use crate::reference::{Connection, Outcome, Secret, Wire};

/// The role's password on every generated server.
const PASSWORD: &str = "model-secret";
/// The password a client with [`Password::Wrong`] uses.
const WRONG_PASSWORD: &str = "not-the-password";
/// Bytes a non-PostgreSQL service answers with.
const GARBAGE: &[u8] = b"HTTP/1.1 400 Bad Request\r\n\r\n";
/// Plaintext a man in the middle stuffs after `S`.
const STUFFED: &[u8] = b"\x00injected";
/// A bound on one probe or psql run (the coordinator's own handshake deadline is 10 s).
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// Certificates are remade (with a fresh `now`) this often, so hour-sized validity offsets
/// stay on the intended side of now in long runs.
const PKI_EPOCH: Duration = Duration::from_secs(600);

/// One runtime for every case of the binary.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

// ------------------------------------------------------------------------------ certificates

/// Certificates by (issuer serial, spec): cases that share a root or intermediate reuse it.
struct CertCache {
    pki: Pki,
    born: Instant,
    certs: HashMap<(Option<Serial>, CertSpec), Cert>,
}

impl CertCache {
    fn new() -> CertCache {
        CertCache {
            pki: Pki::new(OffsetDateTime::now_utc()),
            born: Instant::now(),
            certs: HashMap::new(),
        }
    }

    fn get(&mut self, spec: CertSpec, issuer: Option<&Cert>) -> Cert {
        let key = (issuer.map(|c| c.serial().clone()), spec);
        if let Some(c) = self.certs.get(&key) {
            return c.clone();
        }
        let cert = match issuer {
            None => self.pki.self_signed(&key.1),
            Some(issuer) => self.pki.issue(&key.1, issuer),
        }
        .unwrap_or_else(|e| panic!("pgtls-pki could not make {:?}: {e}", key.1));
        self.certs.insert(key, cert.clone());
        cert
    }
}

fn ca_spec(spec: CertSpec, facts: &CaFacts) -> CertSpec {
    let spec = spec
        .key(facts.key)
        .not_before(hours(facts.validity.not_before_h))
        .not_after(hours(facts.validity.not_after_h));
    if facts.is_ca {
        spec
    } else {
        spec.defect(Defect::NotCa)
    }
}

fn leaf_spec(facts: &LeafFacts) -> CertSpec {
    let sans = facts.sans.iter().map(|s| match s {
        SanFact::Dns(d) => San::dns(*d),
        SanFact::Ip(ip) => San::ip(*ip),
        SanFact::RawIp(bytes) => San::RawIp(bytes.to_vec()),
    });
    let spec = CertSpec::new(pgtls_pki::Role::Server, "unused")
        .org("pgtls model")
        .key(facts.key)
        .not_before(hours(facts.validity.not_before_h))
        .not_after(hours(facts.validity.not_after_h))
        .eku(facts.eku)
        .sans(sans);
    let spec = match facts.cn {
        Some(cn) => spec.cn(cn),
        None => spec.no_cn(),
    };
    if facts.is_ca {
        spec.defect(Defect::LeafIsCa)
    } else {
        spec
    }
}

/// The case's certificates, made (or found in the cache).
struct Built {
    material: TlsMaterial,
    /// The root file's PEM, when there is one.
    root_file: Option<String>,
}

fn build(case: &Case) -> Built {
    static CACHE: Mutex<Option<CertCache>> = Mutex::new(None);
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().is_none_or(|c| c.born.elapsed() > PKI_EPOCH) {
        *guard = Some(CertCache::new());
    }
    let cache = guard.as_mut().expect("cache just made");

    let facts = &case.chain;
    let root = cache.get(
        ca_spec(CertSpec::root("pgtls model root"), &facts.root),
        None,
    );
    let mut intermediates: Vec<Cert> = Vec::new();
    for (i, f) in facts.intermediates.iter().enumerate() {
        let spec = ca_spec(
            CertSpec::intermediate(format!("pgtls model intermediate {}", i + 1)),
            f,
        );
        let issuer = intermediates.last().unwrap_or(&root).clone();
        intermediates.push(cache.get(spec, Some(&issuer)));
    }
    let issuer = intermediates.last().unwrap_or(&root).clone();
    let leaf = cache.get(leaf_spec(&facts.leaf), Some(&issuer));
    let other = cache.get(CertSpec::root("pgtls model other root"), None);

    let mut upwards: Vec<&Cert> = intermediates.iter().rev().collect();
    if facts.send_root {
        upwards.push(&root);
    }
    let order = match facts.order {
        Order::LeafFirst => ChainOrder::LeafFirst,
        Order::Reversed => ChainOrder::Reversed,
        Order::LeafOnly => ChainOrder::LeafOnly,
    };
    let chain = leaf.chain(&upwards, order);
    let pem = |certs: &[&Cert]| certs.iter().map(|c| c.pem()).collect::<String>();
    let root_file = match case.trust {
        Trust::Root => Some(pem(&[&root])),
        Trust::RootAndIntermediates => {
            let mut all = vec![&root];
            all.extend(intermediates.iter());
            Some(pem(&all))
        }
        Trust::IssuerOnly => Some(pem(&[&issuer])),
        Trust::OtherRoot => Some(pem(&[&other])),
        Trust::OtherRootThenRoot => Some(pem(&[&other, &root])),
        Trust::NoFile => None,
    };
    Built {
        material: TlsMaterial {
            chain: chain.ders(),
            key: chain.key_der(),
            client_cas: Vec::new(),
            channel_binding_cert: None,
        },
        root_file,
    }
}

fn server_spec(case: &Case, material: TlsMaterial) -> ServerSpec {
    let answer = match case.answer {
        Answer::S => SslAnswer::Accept,
        Answer::N => SslAnswer::Refuse,
        Answer::E => SslAnswer::Error,
        Answer::Close => SslAnswer::Close,
        Answer::Garbage => SslAnswer::Garbage(GARBAGE.to_vec()),
        Answer::Stuffed => SslAnswer::AcceptWithInjected(STUFFED.to_vec()),
    };
    let hba = match case.hba {
        HbaLine::Host => Hba::Host,
        HbaLine::HostSsl => Hba::HostSsl,
        HbaLine::HostNoSsl => Hba::HostNoSsl,
    };
    let auth = match case.auth {
        Auth::Trust => AuthMethod::Trust,
        Auth::Cleartext => AuthMethod::Password,
        Auth::Md5 => AuthMethod::Md5,
        Auth::Scram => AuthMethod::ScramSha256,
    };
    ServerSpec::new("model")
        .tls(material)
        .ssl_answer(answer)
        .hba(hba)
        .auth(auth)
        .password(PASSWORD)
}

// ------------------------------------------------------------------------------ client side

/// The client's files: an isolated HOME and, maybe, a root file.
struct ClientFiles {
    dir: tempfile::TempDir,
}

impl ClientFiles {
    fn write(case: &Case, root_file: Option<&str>) -> ClientFiles {
        let dir = tempfile::Builder::new()
            .prefix("pgtls-model-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir(dir.path().join("home")).expect("home dir");
        if let Some(pem) = root_file {
            let path = match case.root_location {
                RootLocation::Sslrootcert => dir.path().join("root.crt"),
                RootLocation::DefaultHome => {
                    let pg = dir.path().join("home/.postgresql");
                    std::fs::create_dir(&pg).expect(".postgresql dir");
                    pg.join("root.crt")
                }
            };
            std::fs::write(path, pem).expect("root file");
        }
        ClientFiles { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The connection string (with the password: never print it, print [`redact`]).
    fn conninfo(&self, case: &Case, port: u16) -> String {
        let mut s = format!(
            "host={} hostaddr=127.0.0.1 port={port} user=alice dbname=model connect_timeout=10 \
             sslmode={} channel_binding={}",
            quote(case.host.text),
            case.sslmode.as_str(),
            case.channel_binding.as_str()
        );
        let password = match case.password {
            Password::Correct => Some(PASSWORD),
            Password::Wrong => Some(WRONG_PASSWORD),
            Password::Missing => None,
        };
        if let Some(password) = password {
            write!(s, " password={password}").ok();
        }
        if case.root_location == RootLocation::Sslrootcert {
            let name = if case.trust == Trust::NoFile {
                "missing-root.crt"
            } else {
                "root.crt"
            };
            write!(
                s,
                " sslrootcert={}",
                quote_path(&self.dir.path().join(name))
            )
            .ok();
        }
        s
    }
}

fn quote(v: &str) -> String {
    if !v.is_empty() && !v.contains([' ', '\'', '\\']) {
        return v.to_owned();
    }
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn quote_path(p: &Path) -> String {
    quote(&p.to_string_lossy())
}

/// The connection string with the password hidden.
pub fn redact(conninfo: &str) -> String {
    conninfo
        .replace(PASSWORD, "********")
        .replace(WRONG_PASSWORD, "********")
}

// ------------------------------------------------------------------------------ observation

/// What a client did with a case.
#[derive(Debug)]
pub struct Observed {
    /// The client's outcome.
    pub outcome: Outcome,
    /// The connections the server saw, in order.
    pub connections: Vec<Connection>,
    /// The client's error text (probe message or psql stderr).
    pub message: Option<String>,
    /// The connection string used (password redacted).
    pub conninfo: String,
    /// What the server saw, connection by connection.
    pub transcript_summary: String,
}

fn connections_of(mut transcripts: Vec<Transcript>) -> (Vec<Connection>, String) {
    transcripts.sort_by_key(|t| t.connection);
    let mut summary = String::new();
    let mut connections = Vec::new();
    for t in &transcripts {
        let exposures: Vec<(Secret, Wire)> = t
            .credentials_exposed
            .iter()
            .map(|e| {
                let secret = match e.kind {
                    CredentialKind::Cleartext => Secret::Cleartext,
                    CredentialKind::Md5 => Secret::Md5,
                    CredentialKind::ScramProof => Secret::ScramProof,
                };
                let wire = match e.transport {
                    Transport::Tls => Wire::Tls,
                    Transport::Plaintext => Wire::Plaintext,
                };
                (secret, wire)
            })
            .collect();
        assert!(
            exposures.len() <= 1,
            "two secrets on one connection (libpq never does this): {}",
            t.to_json_line()
        );
        let _ = writeln!(
            summary,
            "  #{} requests {:?}, ssl answer {:?}, tls {}, errors sent {:?}, secrets {:?}, auth {:?} (mechanism {:?}, binding {:?}), close {:?}",
            t.connection,
            t.requests,
            t.ssl_answer,
            match &t.tls {
                None => "-".to_owned(),
                Some(tls) if tls.established => "established".to_owned(),
                Some(tls) => format!(
                    "failed (client alert {:?}, error {:?})",
                    tls.client_alert, tls.error
                ),
            },
            t.errors_sent
                .iter()
                .map(|e| format!("{} {}", e.sqlstate, e.message))
                .collect::<Vec<_>>(),
            exposures,
            t.auth.messages,
            t.auth.mechanism_chosen,
            t.auth.channel_binding,
            t.close,
        );
        connections.push(Connection {
            ssl_request: t.requests.first() == Some(&Request::SslRequest),
            exposure: exposures.first().copied(),
        });
    }
    (connections, summary)
}

/// Runs the probe against the case's server.
pub fn run_probe(case: &Case) -> Observed {
    let built = build(case);
    let files = ClientFiles::write(case, built.root_file.as_deref());
    let prepared =
        Prepared::from_spec(server_spec(case, built.material)).expect("coordinator prepares");
    runtime().block_on(async {
        let coordinator = prepared.start().await.expect("coordinator starts");
        let conninfo = files.conninfo(case, coordinator.addr().port());
        let env = Env::from_map([("HOME", files.home().to_string_lossy().into_owned())]);
        let settings = Settings::from_conninfo(&conninfo, &env)
            .unwrap_or_else(|e| panic!("{}: {e}", redact(&conninfo)));
        let opts = ProbeOptions {
            io_timeout: Duration::from_secs(10),
            ..ProbeOptions::default()
        };
        let diagnosis = tokio::time::timeout(RUN_TIMEOUT, pgtls_probe::probe(&settings, &opts))
            .await
            .unwrap_or_else(|_| panic!("probe did not finish: {}", redact(&conninfo)));
        let transcripts = coordinator.shutdown().await;
        let outcome = match (diagnosis.verdict, diagnosis.transport) {
            (Verdict::Accepted, Some(AcceptedTransport::Tls)) => Outcome::Tls,
            (Verdict::Accepted, Some(AcceptedTransport::Plaintext)) => Outcome::Plaintext,
            (Verdict::Accepted, None) => {
                panic!("probe accepted without a transport: {diagnosis:?}")
            }
            (Verdict::Rejected, _) => Outcome::Rejected,
        };
        let (connections, transcript_summary) = connections_of(transcripts);
        Observed {
            outcome,
            connections,
            message: diagnosis.message.clone(),
            conninfo: redact(&conninfo),
            transcript_summary,
        }
    })
}

/// Runs real psql (`\conninfo`, isolated HOME) against the case's server.
pub fn run_psql(case: &Case, psql: &Path) -> Observed {
    let built = build(case);
    let files = ClientFiles::write(case, built.root_file.as_deref());
    let prepared =
        Prepared::from_spec(server_spec(case, built.material)).expect("coordinator prepares");
    runtime().block_on(async {
        let coordinator = prepared.start().await.expect("coordinator starts");
        let conninfo = files.conninfo(case, coordinator.addr().port());
        let mut cmd = peers::psql_conninfo_command(psql, &conninfo, &files.home());
        let run = tokio::task::spawn_blocking(move || cmd.output());
        let output = tokio::time::timeout(RUN_TIMEOUT, run)
            .await
            .unwrap_or_else(|_| panic!("psql did not finish: {}", redact(&conninfo)))
            .expect("psql task")
            .expect("psql runs");
        let transcripts = coordinator.shutdown().await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let outcome = match (output.status.success(), stdout.contains("SSL connection")) {
            (true, true) => Outcome::Tls,
            (true, false) => Outcome::Plaintext,
            (false, _) => Outcome::Rejected,
        };
        let (connections, transcript_summary) = connections_of(transcripts);
        Observed {
            outcome,
            connections,
            message: (!stderr.trim().is_empty()).then(|| redact(stderr.trim())),
            conninfo: redact(&conninfo),
            transcript_summary,
        }
    })
}
