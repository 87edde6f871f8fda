//! `pgtls fingerprint` (not written yet).

/// Arguments of `pgtls fingerprint`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pgtls fingerprint`.
pub fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("pgtls fingerprint is not available yet")
}
