//! `pgtls scenarios` (not written yet).

/// Arguments of `pgtls scenarios`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pgtls scenarios`.
pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("pgtls scenarios is not available yet")
}
