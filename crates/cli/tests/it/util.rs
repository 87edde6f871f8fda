//! Helpers shared by the CLI tests.

use std::process::{Command, Output};

/// A `Command` for the `pgtls` binary under test.
pub fn pgtls() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pgtls"))
}

/// Runs `pgtls ARGS...` and returns its output.
#[allow(dead_code)]
pub fn run(args: &[&str]) -> Output {
    pgtls().args(args).output().expect("run pgtls")
}
