//! The whole matrix (every catalog scenario × sslmode × variant) with the in-process probe, as
//! `pgtls matrix` runs it: preparing every scenario, one coordinator per cell, cells concurrent.

use std::time::{Duration, SystemTime};

use criterion::Criterion;
use pgtls_benches::ratios;
use pgtls_matrix::client::Client;
use pgtls_matrix::Options;

fn bench_matrix(c: &mut Criterion) {
    let mut group = c.benchmark_group("matrix");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    let opts = Options::new(Client::Probe);
    group.bench_function("probe-all-cells", |b| {
        b.iter(|| {
            let report = pgtls_matrix::run_blocking(&opts, |_| {}).expect("matrix runs");
            report.cells.len()
        })
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let dir = ratios::criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    bench_matrix(&mut c);
    c.final_summary();
    ratios::print_report(&dir, started, &[]);
}
