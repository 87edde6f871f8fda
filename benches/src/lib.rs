//! `pgtls-benches`: criterion benchmarks for pgtls, reported as ratios against a floor measured
//! in the same run (machines are shared; absolute times drift, ratios much less).
//!
//! What it does: builds one server chain per key type ([`fixture`]), measures the in-memory rustls
//! handshake floor ([`inmem`]), and reads criterion's estimates back to print same-run ratios
//! ([`ratios`]), on wall or per-thread on-CPU time ([`clock`]). The benchmarks themselves are in
//! `benches/benches/*.rs`; the numbers and what they mean are in the README's benchmark section.
//!
//! What it does not do: assert anything about time (benchmarks measure; tests never time), or get
//! published.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod clock;
pub mod connect;
pub mod fixture;
pub mod inmem;
pub mod ratios;
