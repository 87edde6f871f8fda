//! Handshake cost: the in-memory rustls floor, and full Postgres-style connects over loopback
//! (probe → coordinator, same chain and key), printed as ratios against the floor measured in
//! this same run.
//!
//! `cargo bench -p pgtls-benches --bench handshake` (add `-- --warm-up-time 1
//! --measurement-time 3` on a busy machine; a filter such as `-- ecdsa-p256` runs a subset and
//! the table lists the ratios it could not compute).

use std::time::{Duration, SystemTime};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use pgtls_benches::clock::{self, Clock};
use pgtls_benches::connect::{self, ServerThread, Target, Variant};
use pgtls_benches::fixture::{self, key_label, ClientVerify, Fixture};
use pgtls_benches::{inmem, ratios};
use pgtls_pki::KeyType;
use rustls::SupportedProtocolVersion;
use tokio::runtime::Runtime;

const GROUP: &str = "handshake";

/// Criterion measurement on the bench thread's on-CPU time (see `pgtls_benches::clock`).
struct ThreadCpu {
    /// Only lends its duration formatter.
    wall: WallTime,
}

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        clock::thread_cpu().unwrap_or_default()
    }
    fn end(&self, i: Duration) -> Duration {
        clock::thread_cpu().unwrap_or_default().saturating_sub(i)
    }
    fn add(&self, v1: &Duration, v2: &Duration) -> Duration {
        *v1 + *v2
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

type Group<'a, M> = BenchmarkGroup<'a, M>;
const TLS13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
const TLS12: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];
const P256: KeyType = KeyType::EcdsaP256;

fn floor<M: Measurement<Value = Duration>>(
    group: &mut Group<'_, M>,
    function: &str,
    fx: &Fixture,
    versions: &[&'static SupportedProtocolVersion],
    verify: ClientVerify,
) {
    let server = fixture::server_config(fx, versions);
    let client = fixture::client_config(fx, versions, verify);
    let name = fixture::server_name();
    let mut buf = Vec::with_capacity(16 * 1024);
    group.bench_function(BenchmarkId::new(function, key_label(fx.key)), |b| {
        b.iter(|| inmem::handshake(&client, &server, &name, &mut buf).expect("handshake"))
    });
}

/// In-memory TLS 1.3 resumption (labelled: PostgreSQL never resumes). Each handshake resumes
/// with a ticket from the previous one and receives a fresh ticket.
fn resumed_floor<M: Measurement<Value = Duration>>(
    group: &mut Group<'_, M>,
    function: &str,
    fx: &Fixture,
) {
    let (client, server) = fixture::resuming_configs(fx);
    let name = fixture::server_name();
    let mut buf = Vec::with_capacity(16 * 1024);
    // Prime the client's ticket cache.
    inmem::handshake(&client, &server, &name, &mut buf).expect("handshake");
    group.bench_function(BenchmarkId::new(function, key_label(fx.key)), |b| {
        b.iter(|| inmem::handshake(&client, &server, &name, &mut buf).expect("handshake"))
    });
}

/// A coordinator on the bench thread's current-thread runtime; sequential connects.
fn connect<M: Measurement<Value = Duration>>(
    group: &mut Group<'_, M>,
    rt: &Runtime,
    clock: Clock,
    function: &str,
    fx: &Fixture,
    variant: Variant,
) {
    let target = Target::new(fx, variant);
    let mut coordinator = rt.block_on(target.start());
    let settings = target.settings(coordinator.addr());
    let opts = connect::probe_options();
    // Fails loudly before measuring if the variant does not connect.
    rt.block_on(connect::connect_once(&settings, &opts));
    group.bench_function(BenchmarkId::new(function, key_label(fx.key)), |b| {
        b.iter_custom(|iters| {
            let elapsed = rt.block_on(connect::connect_many(&settings, &opts, iters, clock));
            while coordinator.try_next_transcript().is_some() {}
            elapsed
        })
    });
    rt.block_on(coordinator.shutdown());
}

/// The minimal tokio-rustls client ([`connect::minimal_connect`]) against the same server.
fn connect_minimal<M: Measurement<Value = Duration>>(
    group: &mut Group<'_, M>,
    rt: &Runtime,
    clock: Clock,
    function: &str,
    fx: &Fixture,
) {
    let target = Target::new(fx, Variant::BASE);
    let mut coordinator = rt.block_on(target.start());
    let addr = coordinator.addr();
    let config = fixture::client_config(fx, TLS13, ClientVerify::Full);
    let name = fixture::server_name();
    let mut buf = Vec::with_capacity(4096);
    rt.block_on(connect::minimal_connect(addr, &config, &name, &mut buf))
        .expect("minimal connect");
    group.bench_function(BenchmarkId::new(function, key_label(fx.key)), |b| {
        b.iter_custom(|iters| {
            let elapsed = rt.block_on(async {
                let t0 = clock.start();
                for _ in 0..iters {
                    connect::minimal_connect(addr, &config, &name, &mut buf)
                        .await
                        .expect("minimal connect");
                }
                t0.elapsed()
            });
            while coordinator.try_next_transcript().is_some() {}
            elapsed
        })
    });
    rt.block_on(coordinator.shutdown());
}

/// The same, with the coordinator on its own thread (wall clock only: the server's CPU is on
/// another thread).
fn connect_server_thread<M: Measurement<Value = Duration>>(
    group: &mut Group<'_, M>,
    rt: &Runtime,
    clock: Clock,
    function: &str,
    fx: &Fixture,
) {
    let target = Target::new(fx, Variant::BASE);
    let server = ServerThread::start(target.prepared().clone());
    let settings = target.settings(server.addr());
    let opts = connect::probe_options();
    rt.block_on(connect::connect_once(&settings, &opts));
    group.bench_function(BenchmarkId::new(function, key_label(fx.key)), |b| {
        b.iter_custom(|iters| rt.block_on(connect::connect_many(&settings, &opts, iters, clock)))
    });
}

fn bench<M: Measurement<Value = Duration>>(c: &mut Criterion<M>, clock: Clock) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(1));

    let require = Variant {
        sslmode: "require",
        ..Variant::BASE
    };
    for key in KeyType::ALL {
        let fx = Fixture::new(key, 0).expect("bench PKI");
        floor(
            &mut group,
            "inmem-tls13-verify-full",
            &fx,
            TLS13,
            ClientVerify::Full,
        );
        floor(
            &mut group,
            "inmem-tls13-require",
            &fx,
            TLS13,
            ClientVerify::SignatureOnly,
        );
        connect(
            &mut group,
            &rt,
            clock,
            "connect-tls13-verify-full",
            &fx,
            Variant::BASE,
        );
        connect_minimal(&mut group, &rt, clock, "connect-minimal-client", &fx);
        connect(
            &mut group,
            &rt,
            clock,
            "connect-tls13-require",
            &fx,
            require,
        );
    }

    let fx = Fixture::new(P256, 0).expect("bench PKI");
    floor(
        &mut group,
        "inmem-tls12-verify-full",
        &fx,
        TLS12,
        ClientVerify::Full,
    );
    resumed_floor(&mut group, "inmem-tls13-resumed", &fx);
    let tls12 = Variant {
        max_tls: Some("TLSv1.2"),
        ..Variant::BASE
    };
    connect(
        &mut group,
        &rt,
        clock,
        "connect-tls12-verify-full",
        &fx,
        tls12,
    );
    let direct = Variant {
        direct: true,
        ..Variant::BASE
    };
    connect(
        &mut group,
        &rt,
        clock,
        "connect-tls13-verify-full-direct",
        &fx,
        direct,
    );
    let scram = Variant {
        scram: true,
        ..Variant::BASE
    };
    connect(
        &mut group,
        &rt,
        clock,
        "connect-tls13-verify-full-scram",
        &fx,
        scram,
    );
    let scram_plus = Variant {
        channel_binding: true,
        ..scram
    };
    connect(
        &mut group,
        &rt,
        clock,
        "connect-tls13-verify-full-scram-plus",
        &fx,
        scram_plus,
    );
    let plaintext = Variant {
        sslmode: "disable",
        ..Variant::BASE
    };
    connect(
        &mut group,
        &rt,
        clock,
        "connect-plaintext-trust",
        &fx,
        plaintext,
    );
    if clock == Clock::Wall {
        connect_server_thread(
            &mut group,
            &rt,
            clock,
            "connect-tls13-verify-full-server-thread",
            &fx,
        );
    }

    for depth in [1usize, 2] {
        let fx = Fixture::new(P256, depth).expect("bench PKI");
        let floor_id = format!("inmem-tls13-verify-full-{depth}-intermediates");
        floor(&mut group, &floor_id, &fx, TLS13, ClientVerify::Full);
        let connect_id = format!("connect-tls13-verify-full-{depth}-intermediates");
        connect(&mut group, &rt, clock, &connect_id, &fx, Variant::BASE);
    }
    group.finish();
}

fn id(function: &str, key: KeyType) -> String {
    format!("{GROUP}/{function}/{}", key_label(key))
}

fn ratio(label: String, numerator: &str, denominator: &str, key: KeyType) -> ratios::Ratio {
    ratios::Ratio {
        label,
        numerator: id(numerator, key),
        denominator: id(denominator, key),
    }
}

fn ratio_rows() -> Vec<ratios::Ratio> {
    let mut rows = Vec::new();
    for key in KeyType::ALL {
        rows.push(ratio(
            format!("{key}: connect TLS 1.3 verify-full / in-memory TLS 1.3"),
            "connect-tls13-verify-full",
            "inmem-tls13-verify-full",
            key,
        ));
    }
    for key in KeyType::ALL {
        rows.push(ratio(
            format!("{key}: minimal tokio-rustls client / in-memory TLS 1.3"),
            "connect-minimal-client",
            "inmem-tls13-verify-full",
            key,
        ));
    }
    for key in KeyType::ALL {
        rows.push(ratio(
            format!("{key}: connect TLS 1.3 require / in-memory (signature only)"),
            "connect-tls13-require",
            "inmem-tls13-require",
            key,
        ));
    }
    let base = "inmem-tls13-verify-full";
    for (label, numerator, denominator) in [
        (
            "P-256: TLS 1.2 connect / in-memory TLS 1.2",
            "connect-tls12-verify-full",
            "inmem-tls12-verify-full",
        ),
        (
            "P-256: sslnegotiation=direct / in-memory",
            "connect-tls13-verify-full-direct",
            base,
        ),
        (
            "P-256: SCRAM-SHA-256 (4096) / in-memory",
            "connect-tls13-verify-full-scram",
            base,
        ),
        (
            "P-256: SCRAM-SHA-256-PLUS (4096) / in-memory",
            "connect-tls13-verify-full-scram-plus",
            base,
        ),
        (
            "P-256: server on its own thread / in-memory",
            "connect-tls13-verify-full-server-thread",
            base,
        ),
        (
            "P-256: plaintext trust connect / in-memory TLS",
            "connect-plaintext-trust",
            base,
        ),
        (
            "P-256: 1 intermediate, connect / in-memory",
            "connect-tls13-verify-full-1-intermediates",
            "inmem-tls13-verify-full-1-intermediates",
        ),
        (
            "P-256: 2 intermediates, connect / in-memory",
            "connect-tls13-verify-full-2-intermediates",
            "inmem-tls13-verify-full-2-intermediates",
        ),
        (
            "P-256: 2 intermediates / 0, in-memory",
            "inmem-tls13-verify-full-2-intermediates",
            base,
        ),
    ] {
        rows.push(ratio(label.to_owned(), numerator, denominator, P256));
    }
    rows
}

fn configured<M: Measurement>(c: Criterion<M>, dir: &std::path::Path) -> Criterion<M> {
    c.output_directory(dir)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args()
}

fn main() {
    let started = SystemTime::now();
    let dir = ratios::criterion_dir();
    let clock = Clock::from_env();
    println!(
        "pgtls: measuring {} (set {}=wall or cpu); load average {}",
        clock.name(),
        clock::CLOCK_ENV,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    match clock {
        Clock::ThreadCpu => {
            let mut c = configured(
                Criterion::default().with_measurement(ThreadCpu { wall: WallTime }),
                &dir,
            );
            bench(&mut c, clock);
            c.final_summary();
        }
        Clock::Wall => {
            let mut c = configured(Criterion::default(), &dir);
            bench(&mut c, clock);
            c.final_summary();
        }
    }
    ratios::print_report(&dir, started, &ratio_rows());
    println!(
        "pgtls: clock {}; load average after {}",
        clock.name(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}
