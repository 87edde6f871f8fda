//! Criterion benchmarks for pgtls (see benches/README.md).
