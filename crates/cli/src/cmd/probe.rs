//! `pgtls probe` (not written yet).

/// Arguments of `pgtls probe`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pgtls probe`.
pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("pgtls probe is not available yet")
}
