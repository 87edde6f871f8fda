//! PKI generation cost: the bench chains per key type and depth, and every catalog scenario's
//! recipe (what preparing a scenario costs before its first connection).

use std::time::{Duration, SystemTime};

use criterion::{BenchmarkId, Criterion};
use pgtls_benches::fixture::{key_label, Fixture};
use pgtls_benches::ratios;
use pgtls_pki::{KeyType, Pki};

fn bench_chains(c: &mut Criterion) {
    let mut group = c.benchmark_group("pki-chain");
    for key in KeyType::ALL {
        for depth in [0usize, 2] {
            let id = BenchmarkId::new(format!("{}-intermediates", depth), key_label(key));
            group.bench_function(id, |b| {
                b.iter(|| Fixture::new(key, depth).expect("bench PKI"))
            });
        }
    }
    group.finish();
}

/// Every catalog row's recipe, built as `Prepared::scenario` builds it (keys, certificates,
/// CRLs, client certificates; RSA keys come from pgtls-pki's per-process pool, warm after the
/// first iteration).
fn bench_recipes(c: &mut Criterion) {
    let mut group = c.benchmark_group("pki-recipe");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for row in pgtls_coordinator::catalog::all() {
        group.bench_function(row.name, |b| {
            b.iter(|| row.pki.build(&Pki::now_utc()).expect("recipe builds"))
        });
    }
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let dir = ratios::criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_chains(&mut c);
    bench_recipes(&mut c);
    c.final_summary();
    ratios::print_report(&dir, started, &[]);
}
