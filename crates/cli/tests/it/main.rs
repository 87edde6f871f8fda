//! CLI integration tests: they run the real `pgtls` binary.

mod util;

mod explain;
mod fingerprint;
mod load;
mod matrix;
mod probe;
mod scenarios;
mod serve;
