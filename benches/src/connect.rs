//! Full Postgres-style connects over loopback: `pgtls-probe` → `pgtls-coordinator`, serving the
//! same chain and key as the in-memory floor ([`crate::fixture::Fixture`]).

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use pgtls_conninfo::{Env, Settings};
use pgtls_coordinator::spec::{AuthMethod, TlsMaterial};
use pgtls_coordinator::{Coordinator, Prepared, ServerSpec};
use pgtls_probe::{probe, ProbeOptions, Verdict};

use crate::fixture::{Fixture, HOST};

/// The password of SCRAM variants (a bench secret; never printed).
const PASSWORD: &str = "bench-secret";

/// What one connect variant does (client and server side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    /// `sslmode` (`verify-full`, `require`, `disable`).
    pub sslmode: &'static str,
    /// Highest TLS version the client offers (`TLSv1.2` forces TLS 1.2).
    pub max_tls: Option<&'static str>,
    /// `sslnegotiation=direct` (TLS at once, ALPN `postgresql`) instead of SSLRequest.
    pub direct: bool,
    /// Server authentication: trust, or SCRAM-SHA-256 (4096 iterations).
    pub scram: bool,
    /// `channel_binding=require` (SCRAM-SHA-256-PLUS) instead of `disable`, with `scram`.
    pub channel_binding: bool,
}

impl Variant {
    /// TLS 1.3, verify-full, SSLRequest, trust: the headline connect.
    pub const BASE: Variant = Variant {
        sslmode: "verify-full",
        max_tls: None,
        direct: false,
        scram: false,
        channel_binding: false,
    };
}

/// A coordinator spec for `fixture` and `variant`, with the client's root file and settings.
pub struct Target {
    prepared: Prepared,
    dir: tempfile::TempDir,
    variant: Variant,
}

impl Target {
    /// Prepares the server (rustls config built once) and writes `root.crt` (0600 not needed:
    /// no key) into a temporary directory.
    pub fn new(fixture: &Fixture, variant: Variant) -> Target {
        let mut spec = ServerSpec::new("bench").tls(TlsMaterial {
            chain: fixture.cert_chain(),
            key: fixture.key_der(),
            client_cas: Vec::new(),
            channel_binding_cert: None,
        });
        spec = if variant.scram {
            spec.auth(AuthMethod::ScramSha256).password(PASSWORD)
        } else {
            spec.auth(AuthMethod::Trust)
        };
        let prepared = Prepared::from_spec(spec).expect("bench server spec");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("root.crt"), fixture.root.pem()).expect("write root.crt");
        Target {
            prepared,
            dir,
            variant,
        }
    }

    /// The prepared server.
    pub fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// Starts an instance on `127.0.0.1:0` on the current runtime (works on a current-thread
    /// runtime: the server is then driven by the same thread as the client).
    pub async fn start(&self) -> Coordinator {
        self.prepared.start().await.expect("start coordinator")
    }

    /// Resolved libpq settings for a server at `addr` (HOME is the temp dir, no `PG*` variable).
    pub fn settings(&self, addr: SocketAddr) -> Settings {
        conninfo_settings(&self.conninfo(addr), self.dir.path())
    }

    /// The connection string (contains the bench password for SCRAM variants: don't print it).
    pub fn conninfo(&self, addr: SocketAddr) -> String {
        let v = self.variant;
        let mut s = format!(
            "host={HOST} hostaddr={} port={} user=bench dbname=bench sslmode={} sslrootcert={}",
            addr.ip(),
            addr.port(),
            v.sslmode,
            self.dir.path().join("root.crt").display()
        );
        if let Some(max) = v.max_tls {
            s.push_str(&format!(" ssl_max_protocol_version={max}"));
        }
        if v.direct {
            s.push_str(" sslnegotiation=direct");
        }
        if v.scram {
            s.push_str(&format!(" password={PASSWORD}"));
            s.push_str(if v.channel_binding {
                " channel_binding=require"
            } else {
                " channel_binding=disable"
            });
        }
        s
    }
}

/// Settings from a libpq string with an isolated environment (HOME = `home`, nothing else).
pub fn conninfo_settings(conninfo: &str, home: &Path) -> Settings {
    let env = Env::from_map(std::iter::empty::<(String, String)>())
        .with_home(Some(home.to_path_buf()))
        .with_os_user(Some("bench".into()));
    Settings::from_conninfo(conninfo, &env).expect("bench conninfo is valid")
}

/// Probe options for benches: short I/O bound, nothing else.
pub fn probe_options() -> ProbeOptions {
    ProbeOptions {
        io_timeout: Duration::from_secs(10),
        ..ProbeOptions::default()
    }
}

/// One full connect; panics (with libpq's message) if the probe would not connect, because a
/// benchmark of a failing connection measures the wrong thing.
pub async fn connect_once(settings: &Settings, opts: &ProbeOptions) {
    let d = probe(settings, opts).await;
    if d.verdict != Verdict::Accepted {
        panic!(
            "bench connection rejected: {}",
            d.message.as_deref().unwrap_or("(no message)")
        );
    }
}

/// `iters` sequential connects; the time they took on `clock` (for criterion's `iter_custom`).
pub async fn connect_many(
    settings: &Settings,
    opts: &ProbeOptions,
    iters: u64,
    clock: crate::clock::Clock,
) -> Duration {
    let t0 = clock.start();
    for _ in 0..iters {
        connect_once(settings, opts).await;
    }
    t0.elapsed()
}

/// A coordinator on its own thread with its own current-thread runtime (the client then pays
/// cross-thread wake-ups, as with a server in another process).
pub struct ServerThread {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    /// Starts `prepared` on a new thread.
    pub fn start(prepared: Prepared) -> ServerThread {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let mut coordinator = prepared.start().await.expect("start coordinator");
                let _ = addr_tx.send(coordinator.addr());
                let drain = async { while coordinator.next_transcript().await.is_some() {} };
                tokio::select! {
                    _ = stop_rx => {}
                    () = drain => {}
                }
                coordinator.shutdown().await;
            });
        });
        let addr = addr_rx.recv().expect("server thread started");
        ServerThread {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The least a client can do for the same connection, with a prebuilt rustls config: TCP,
/// SSLRequest, `S`, TLS, StartupMessage, read to ReadyForQuery, Terminate, close_notify. No
/// libpq rules, no diagnosis, no file reads: the socket + protocol floor the probe is compared
/// with. Errors are strings (a bench panics on them).
pub async fn minimal_connect(
    addr: SocketAddr,
    config: &std::sync::Arc<rustls::ClientConfig>,
    name: &rustls::pki_types::ServerName<'static>,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    use pgtls_wire::{BackendMessage, FrontendMessage, Limits, StartupPacket};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let e = |what: &str| {
        let what = what.to_owned();
        move |err: std::io::Error| format!("{what}: {err}")
    };
    let mut tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(e("connect"))?;
    tcp.set_nodelay(true).map_err(e("nodelay"))?;
    tcp.write_all(&StartupPacket::SslRequest.to_bytes())
        .await
        .map_err(e("sslrequest"))?;
    let answer = tcp.read_u8().await.map_err(e("ssl answer"))?;
    if answer != b'S' {
        return Err(format!("server answered {answer:#04x} to SSLRequest"));
    }
    let connector = tokio_rustls::TlsConnector::from(config.clone());
    let mut tls = connector
        .connect(name.clone(), tcp)
        .await
        .map_err(e("tls"))?;
    let startup = StartupPacket::startup([("user", "bench"), ("database", "bench")]).to_bytes();
    tls.write_all(&startup).await.map_err(e("startup"))?;
    tls.flush().await.map_err(e("startup"))?;
    buf.clear();
    let mut chunk = [0u8; 4096];
    'read: loop {
        let n = tls.read(&mut chunk).await.map_err(e("read"))?;
        if n == 0 {
            return Err("server closed before ReadyForQuery".into());
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let mut off = 0;
        while let Some((msg, used)) =
            BackendMessage::decode(buf.get(off..).unwrap_or_default(), Limits::default())
                .map_err(|err| format!("decode: {err}"))?
        {
            off += used;
            match msg {
                BackendMessage::ReadyForQuery(_) => break 'read,
                BackendMessage::ErrorResponse(f) => return Err(f.to_string()),
                _ => {}
            }
        }
        buf.drain(..off);
    }
    tls.write_all(&FrontendMessage::Terminate.to_bytes())
        .await
        .map_err(e("terminate"))?;
    tls.shutdown().await.map_err(e("shutdown"))?;
    Ok(())
}
