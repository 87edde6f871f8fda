//! Runs one kind of handshake N times and prints the time per operation; meant to run under
//! `perf stat -e task-clock,instructions:u,instructions:k` so the cost can be split by
//! instructions, which other load on a shared machine does not change.
//!
//! `cargo run --release -p pgtls-benches --example breakdown -- MODE N [KEY]`, MODE one of
//! `inmem`, `minimal`, `probe`, `probe-require`, `plaintext`; KEY one of `ecdsa-p256` (default),
//! `ecdsa-p384`, `ed25519`, `rsa2048`.
//!
//! `... --example breakdown -- paired [ROUNDS] [OPS]` instead alternates short rounds of the
//! in-memory floor, the minimal client and the probe for every key type (client and server on
//! this one thread) and prints, per key type, the median over rounds of the wall-clock time and
//! of this thread's on-CPU time (`CLOCK_THREAD_CPUTIME_ID`) per operation, and the median
//! per-round ratios. Alternating rounds keep a drifting machine load out of the ratios, and
//! on-CPU time leaves out the time spent waiting for a core that other processes hold.

use std::time::{Duration, Instant};

use pgtls_benches::connect::{self, Target, Variant};
use pgtls_benches::fixture::{self, key_label, ClientVerify, Fixture};
use pgtls_benches::inmem;
use pgtls_pki::KeyType;

/// This thread's on-CPU time so far (0 if unreadable).
fn on_cpu() -> Duration {
    pgtls_benches::clock::thread_cpu().unwrap_or_default()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Wall and on-CPU microseconds per op of `ops` runs of `f`.
fn round(ops: u32, mut f: impl FnMut()) -> (f64, f64) {
    let (w0, c0) = (Instant::now(), on_cpu());
    for _ in 0..ops {
        f();
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(ops);
    (per(w0.elapsed()), per(on_cpu().saturating_sub(c0)))
}

fn paired(rounds: u32, ops: u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let tls13 = &[&rustls::version::TLS13];
    println!(
        "{rounds} rounds x {ops} ops, load average {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!("\n| key | floor µs (wall/cpu) | minimal µs (wall/cpu) | probe µs (wall/cpu) | minimal/floor (wall/cpu) | probe/floor (wall/cpu) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for key in KeyType::ALL {
        let fx = Fixture::new(key, 0).expect("bench PKI");
        let server = fixture::server_config(&fx, tls13);
        let client = fixture::client_config(&fx, tls13, ClientVerify::Full);
        let name = fixture::server_name();
        let target = Target::new(&fx, Variant::BASE);
        let mut coordinator = rt.block_on(target.start());
        let addr = coordinator.addr();
        let settings = target.settings(addr);
        let opts = connect::probe_options();
        let mut buf = Vec::new();
        let mut m = [
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ];
        let mut ratios = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..rounds {
            let floor = round(ops, || {
                inmem::handshake(&client, &server, &name, &mut buf).expect("handshake");
            });
            let minimal = round(ops, || {
                rt.block_on(connect::minimal_connect(addr, &client, &name, &mut buf))
                    .expect("minimal connect");
            });
            let probe = round(ops, || rt.block_on(connect::connect_once(&settings, &opts)));
            while coordinator.try_next_transcript().is_some() {}
            for (i, v) in [floor.0, floor.1, minimal.0, minimal.1, probe.0, probe.1]
                .into_iter()
                .enumerate()
            {
                if let Some(slot) = m.get_mut(i) {
                    slot.push(v);
                }
            }
            for (i, v) in [
                minimal.0 / floor.0,
                minimal.1 / floor.1,
                probe.0 / floor.0,
                probe.1 / floor.1,
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(slot) = ratios.get_mut(i) {
                    slot.push(v);
                }
            }
        }
        rt.block_on(coordinator.shutdown());
        let [fw, fc, mw, mc, pw, pc] = m.map(median);
        let [rmw, rmc, rpw, rpc] = ratios.map(median);
        println!(
            "| {key} | {fw:.0} / {fc:.0} | {mw:.0} / {mc:.0} | {pw:.0} / {pc:.0} | {rmw:.2} / {rmc:.2} | {rpw:.2} / {rpc:.2} |"
        );
    }
    println!(
        "\nload average after: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("probe");
    if mode == "paired" {
        let rounds = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(15);
        let ops = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(40);
        paired(rounds, ops);
        return;
    }
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let key = match args.get(2).map(String::as_str) {
        None | Some("ecdsa-p256") => KeyType::EcdsaP256,
        Some("ecdsa-p384") => KeyType::EcdsaP384,
        Some("ed25519") => KeyType::Ed25519,
        Some("rsa2048") => KeyType::Rsa2048,
        Some(other) => panic!("unknown key type {other}"),
    };
    let fx = Fixture::new(key, 0).expect("bench PKI");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let tls13 = &[&rustls::version::TLS13];
    let t0;
    match mode {
        "inmem" => {
            let server = fixture::server_config(&fx, tls13);
            let client = fixture::client_config(&fx, tls13, ClientVerify::Full);
            let name = fixture::server_name();
            let mut buf = Vec::new();
            t0 = Instant::now();
            for _ in 0..n {
                inmem::handshake(&client, &server, &name, &mut buf).expect("handshake");
            }
        }
        "minimal" => {
            let target = Target::new(&fx, Variant::BASE);
            let coordinator = rt.block_on(target.start());
            let config = fixture::client_config(&fx, tls13, ClientVerify::Full);
            let name = fixture::server_name();
            let mut buf = Vec::new();
            t0 = Instant::now();
            rt.block_on(async {
                for _ in 0..n {
                    connect::minimal_connect(coordinator.addr(), &config, &name, &mut buf)
                        .await
                        .expect("minimal connect");
                }
            });
        }
        "probe" | "probe-require" | "plaintext" => {
            let variant = match mode {
                "probe" => Variant::BASE,
                "probe-require" => Variant {
                    sslmode: "require",
                    ..Variant::BASE
                },
                _ => Variant {
                    sslmode: "disable",
                    ..Variant::BASE
                },
            };
            let target = Target::new(&fx, variant);
            let coordinator = rt.block_on(target.start());
            let settings = target.settings(coordinator.addr());
            let opts = connect::probe_options();
            t0 = Instant::now();
            rt.block_on(connect::connect_many(
                &settings,
                &opts,
                n,
                pgtls_benches::clock::Clock::Wall,
            ));
        }
        other => panic!("unknown mode {other}"),
    }
    let per = t0.elapsed() / u32::try_from(n).unwrap_or(u32::MAX);
    println!(
        "{mode} {}: {n} in {:?} = {per:?} each",
        key_label(key),
        t0.elapsed()
    );
}
