//! Preparing a scenario once ([`Prepared`]) and running cheap instances of it
//! ([`Coordinator`], [`serve`]), in the layout of mini-redis's `server.rs`.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::catalog::{self, Scenario};
use crate::scram::{binding_for, Binding};
use crate::spec::{ServerSpec, TlsMaterial, TlsVersions};
use crate::transcript::{CloseReason, Transcript};
use crate::Error;

/// How many finished transcripts an instance buffers for its reader; beyond that new ones are
/// dropped (with a warning) so an unread channel never grows without bound.
pub const TRANSCRIPT_BUFFER: usize = 4096;

/// On shutdown, how long an open connection may go on to finish by itself.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

/// Everything an instance needs, shared by all instances of a [`Prepared`].
pub(crate) struct Shared {
    pub(crate) spec: ServerSpec,
    pub(crate) tls: Option<Arc<ServerConfig>>,
    /// The tls-server-end-point data SCRAM-SHA-256-PLUS binds to (over TLS).
    pub(crate) binding: Option<Binding>,
    /// The role's SCRAM salt (fixed per prepared server, as a stored verifier is).
    pub(crate) scram_salt: [u8; pgtls_scram::DEFAULT_SALT_LEN],
    /// The role's stored SCRAM verifier, derived (4096 PBKDF2 rounds) on first use and then
    /// reused by every connection, as PostgreSQL keeps it in pg_authid.
    scram_verifier: std::sync::OnceLock<pgtls_scram::ScramVerifier>,
}

impl Shared {
    /// The stored SCRAM verifier of the scenario's password.
    pub(crate) fn scram_verifier(&self) -> &pgtls_scram::ScramVerifier {
        self.scram_verifier.get_or_init(|| {
            pgtls_scram::ScramVerifier::new(
                self.spec.password.as_deref().unwrap_or_default(),
                &self.scram_salt,
                pgtls_scram::DEFAULT_ITERATIONS,
            )
        })
    }
}

enum PkiDir {
    Temp(tempfile::TempDir),
    Given(PathBuf),
}

impl PkiDir {
    fn path(&self) -> &Path {
        match self {
            PkiDir::Temp(t) => t.path(),
            PkiDir::Given(p) => p,
        }
    }
}

struct Inner {
    shared: Arc<Shared>,
    pki_dir: Option<PkiDir>,
    scenario: Option<&'static Scenario>,
}

/// A scenario or spec made ready to serve: certificates made, files written, rustls
/// configuration built. Cheap to clone and to [`start`](Prepared::start) many times (each
/// instance gets its own listener and transcripts). A temporary PKI directory lives as long as
/// the last clone.
#[derive(Clone)]
pub struct Prepared(Arc<Inner>);

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("name", &self.0.shared.spec.name)
            .field("pki_dir", &self.pki_dir())
            .finish_non_exhaustive()
    }
}

impl Prepared {
    /// Prepares a plain spec (no files are written; the spec carries its own TLS material).
    pub fn from_spec(spec: ServerSpec) -> Result<Prepared, Error> {
        Ok(Prepared(Arc::new(Inner {
            shared: Arc::new(shared(spec)?),
            pki_dir: None,
            scenario: None,
        })))
    }

    /// Prepares a catalog row: builds its PKI (valid relative to now), writes the client-side
    /// files into `pki_dir` (created if missing) or into a new temporary directory.
    pub fn scenario(
        scenario: &'static Scenario,
        pki_dir: Option<&Path>,
    ) -> Result<Prepared, Error> {
        let pki = pgtls_pki::Pki::now_utc();
        let built = scenario.pki.build(&pki)?;
        let dir = match pki_dir {
            Some(p) => {
                if p.exists() && !p.is_dir() {
                    return Err(Error::PkiDir {
                        path: p.to_path_buf(),
                        reason: "exists and is not a directory",
                    });
                }
                PkiDir::Given(p.to_path_buf())
            }
            None => PkiDir::Temp(
                tempfile::Builder::new()
                    .prefix(&format!("pgtls-{}-", scenario.name))
                    .tempdir()
                    .map_err(|source| Error::Io {
                        context: "creating a temporary PKI directory".to_owned(),
                        source,
                    })?,
            ),
        };
        built.files.write_to(dir.path())?;
        let spec = scenario.server_spec(&built);
        Ok(Prepared(Arc::new(Inner {
            shared: Arc::new(shared(spec)?),
            pki_dir: Some(dir),
            scenario: Some(scenario),
        })))
    }

    /// [`Prepared::scenario`] by name.
    pub fn scenario_named(name: &str, pki_dir: Option<&Path>) -> Result<Prepared, Error> {
        let row = catalog::find(name).ok_or_else(|| Error::UnknownScenario(name.to_owned()))?;
        Prepared::scenario(row, pki_dir)
    }

    /// The spec served.
    pub fn spec(&self) -> &ServerSpec {
        &self.0.shared.spec
    }

    /// The catalog row, when prepared from one.
    pub fn catalog_row(&self) -> Option<&'static Scenario> {
        self.0.scenario
    }

    /// The directory holding the client-side files (`root.crt`, `client.crt`, ...), when
    /// prepared from a catalog row.
    pub fn pki_dir(&self) -> Option<&Path> {
        self.0.pki_dir.as_ref().map(PkiDir::path)
    }

    /// Starts an instance on `127.0.0.1:0`.
    pub async fn start(&self) -> Result<Coordinator, Error> {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        self.start_at(addr).await
    }

    /// Starts an instance listening on `addr`.
    pub async fn start_at(&self, addr: SocketAddr) -> Result<Coordinator, Error> {
        let listener = TcpListener::bind(addr).await.map_err(|source| Error::Io {
            context: format!("listening on {addr}"),
            source,
        })?;
        self.start_on(listener)
    }

    /// Starts an instance on a bound listener (must be called inside a tokio runtime).
    pub fn start_on(&self, listener: TcpListener) -> Result<Coordinator, Error> {
        let addr = listener.local_addr().map_err(|source| Error::Io {
            context: "reading the listener's address".to_owned(),
            source,
        })?;
        let (tx, rx) = mpsc::channel(TRANSCRIPT_BUFFER);
        let (stop_tx, mut stop_rx) = watch::channel(false);
        let prepared = self.clone();
        let task = tokio::spawn(async move {
            let stop = async move {
                let _ = stop_rx.wait_for(|stop| *stop).await;
            };
            serve(listener, prepared, stop, tx).await;
        });
        Ok(Coordinator {
            addr,
            prepared: self.clone(),
            transcripts: rx,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

fn shared(spec: ServerSpec) -> Result<Shared, Error> {
    let (tls, binding) = match &spec.tls {
        Some(material) => {
            let config = server_config(material, spec.tls_versions)?;
            let cert = material
                .channel_binding_cert
                .as_ref()
                .or_else(|| material.chain.first());
            let binding = cert.map(|c| binding_for(c.as_ref()));
            (Some(Arc::new(config)), binding)
        }
        None => (None, None),
    };
    let mut scram_salt = [0u8; pgtls_scram::DEFAULT_SALT_LEN];
    if aws_lc_rs::rand::fill(&mut scram_salt).is_err() {
        tracing::warn!("system RNG failed; using a zero SCRAM salt");
    }
    Ok(Shared {
        spec,
        tls,
        binding,
        scram_salt,
        scram_verifier: std::sync::OnceLock::new(),
    })
}

/// The rustls configuration for `material`: aws-lc-rs, the chosen versions, ALPN `postgresql`
/// (a client offering other protocols only gets `no_application_protocol`, as from PostgreSQL
/// 17), client certificates requested but optional when client CAs are given.
pub fn server_config(material: &TlsMaterial, versions: TlsVersions) -> Result<ServerConfig, Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let protocol_versions: &[&rustls::SupportedProtocolVersion] = match versions {
        TlsVersions::Any => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsVersions::Tls12Only => &[&rustls::version::TLS12],
        TlsVersions::Tls13Only => &[&rustls::version::TLS13],
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(protocol_versions)?;
    let builder = if material.client_cas.is_empty() {
        builder.with_no_client_auth()
    } else {
        let mut roots = RootCertStore::empty();
        for ca in &material.client_cas {
            roots.add(ca.clone())?;
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .allow_unauthenticated()
            .build()
            .map_err(|e| Error::Tls(rustls::Error::General(e.to_string())))?;
        builder.with_client_cert_verifier(verifier)
    };
    let mut config = builder.with_single_cert(material.chain.clone(), material.key.clone_key())?;
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    // PostgreSQL disables session resumption (SSL_OP_NO_TICKET, no session cache), so a real
    // server sends no TLS 1.3 tickets and every connection pays a full handshake.
    config.send_tls13_tickets = 0;
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    Ok(config)
}

/// A running instance. Dropping it stops the server (without waiting); [`Coordinator::shutdown`]
/// stops it and waits for every connection to finish.
pub struct Coordinator {
    addr: SocketAddr,
    prepared: Prepared,
    transcripts: mpsc::Receiver<Transcript>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Coordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("addr", &self.addr)
            .field("prepared", &self.prepared)
            .finish_non_exhaustive()
    }
}

impl Coordinator {
    /// Where the instance listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client-side files' directory (catalog rows only).
    pub fn pki_dir(&self) -> Option<&Path> {
        self.prepared.pki_dir()
    }

    /// What this instance serves.
    pub fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// The next finished connection's transcript (`None` once the server has stopped and
    /// everything was read).
    pub async fn next_transcript(&mut self) -> Option<Transcript> {
        self.transcripts.recv().await
    }

    /// A finished transcript if one is waiting.
    pub fn try_next_transcript(&mut self) -> Option<Transcript> {
        self.transcripts.try_recv().ok()
    }

    /// The transcript channel itself.
    pub fn transcripts(&mut self) -> &mut mpsc::Receiver<Transcript> {
        &mut self.transcripts
    }

    /// Stops accepting, ends open connections (their transcripts say `shutdown`), waits for
    /// them, and returns every transcript not read yet, in finishing order.
    pub async fn shutdown(mut self) -> Vec<Transcript> {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::error!("coordinator task failed: {e}");
            }
        }
        let mut out = Vec::new();
        while let Ok(t) = self.transcripts.try_recv() {
            out.push(t);
        }
        out
    }
}

impl Drop for Coordinator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Serves `prepared` on `listener` until `shutdown` completes, sending each connection's
/// transcript to `transcripts` when it ends. At most `limits.max_connections` connections are
/// served at once; each is a task whose errors end only itself. On shutdown, open connections
/// are ended and awaited before this returns.
pub async fn serve(
    listener: TcpListener,
    prepared: Prepared,
    shutdown: impl Future<Output = ()>,
    transcripts: mpsc::Sender<Transcript>,
) {
    let shared = prepared.0.shared.clone();
    let limit = Arc::new(Semaphore::new(shared.spec.limits.max_connections.max(1)));
    let (notify_tx, notify_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    let counter = AtomicU64::new(0);
    tokio::pin!(shutdown);
    let mut backoff = Duration::from_millis(1);
    loop {
        let permit = tokio::select! {
            permit = limit.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = &mut shutdown => break,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => {
                backoff = Duration::from_millis(1);
                pair
            }
            Err(e) => {
                // EMFILE and friends: log, wait a little, keep serving.
                tracing::warn!(scenario = %shared.spec.name, "accept failed: {e}");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {},
                    () = &mut shutdown => break,
                }
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let id = counter.fetch_add(1, Ordering::Relaxed) + 1;
        let shared = shared.clone();
        let notify = notify_rx.clone();
        let done = done_tx.clone();
        let tx = transcripts.clone();
        tokio::spawn(async move {
            let t = handle(shared, socket, peer, id, notify).await;
            if let Err(e) = tx.try_send(t) {
                tracing::warn!("transcript dropped: {e}");
            }
            drop(permit);
            drop(done);
        });
    }
    let _ = notify_tx.send(true);
    drop(done_tx);
    let _ = done_rx.recv().await;
}

/// One connection: runs it until it ends or the server shuts down; returns its transcript.
async fn handle(
    shared: Arc<Shared>,
    socket: TcpStream,
    peer: SocketAddr,
    id: u64,
    mut shutdown: watch::Receiver<bool>,
) -> Transcript {
    let started = Instant::now();
    let _ = socket.set_nodelay(true);
    let mut t = Transcript {
        scenario: shared.spec.name.clone(),
        connection: id,
        peer: peer.to_string(),
        ..Transcript::default()
    };
    tracing::debug!(scenario = %shared.spec.name, connection = id, %peer, "connection accepted");
    let finished = {
        let run = crate::conn::run(
            shared.clone(),
            Box::new(socket),
            peer.ip().to_string(),
            &mut t,
        );
        tokio::pin!(run);
        let stopped = async {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        tokio::select! {
            () = &mut run => true,
            () = stopped => {
                // Let the connection finish what is already in flight (a Terminate or EOF in
                // the socket buffer) so its transcript ends truthfully; idle ones are cut.
                tokio::time::timeout(SHUTDOWN_GRACE, &mut run).await.is_ok()
            }
        }
    };
    if !finished {
        t.close = CloseReason::Shutdown;
    }
    t.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::debug!(scenario = %shared.spec.name, connection = id, close = ?t.close, "connection closed");
    t
}

/// Runs one connection over any byte stream (a `tokio::io::duplex` half in tests) until it
/// ends, and returns its transcript. `peer_ip` is what hba messages name (`127.0.0.1`).
pub async fn serve_connection<S>(prepared: &Prepared, stream: S, peer_ip: &str) -> Transcript
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let shared = prepared.0.shared.clone();
    let started = Instant::now();
    let mut t = Transcript {
        scenario: shared.spec.name.clone(),
        connection: 1,
        peer: peer_ip.to_owned(),
        ..Transcript::default()
    };
    crate::conn::run(shared, Box::new(stream), peer_ip.to_owned(), &mut t).await;
    t.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    t
}
