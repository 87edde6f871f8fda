//! `pgtls serve` (not written yet).

/// Arguments of `pgtls serve`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pgtls serve`.
pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("pgtls serve is not available yet")
}
