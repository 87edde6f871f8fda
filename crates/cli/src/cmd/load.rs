//! `pgtls load` (not written yet).

/// Arguments of `pgtls load`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pgtls load`.
pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("pgtls load is not available yet")
}
