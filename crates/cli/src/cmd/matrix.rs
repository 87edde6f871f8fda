//! `pgtls matrix` (not written yet).

/// Arguments of `pgtls matrix`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pgtls matrix`.
pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("pgtls matrix is not available yet")
}
