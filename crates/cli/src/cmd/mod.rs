//! One module per subcommand; each owns its `Args` and `run`.

pub mod explain;
pub mod fingerprint;
pub mod load;
pub mod matrix;
pub mod probe;
pub mod scenarios;
pub mod serve;
