//! `pgtls explain` (not written yet).

/// Arguments of `pgtls explain`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pgtls explain`.
pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("pgtls explain is not available yet")
}
