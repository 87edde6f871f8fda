//! `pgtls fingerprint FILE...`: one `openssl x509 -noout -sha256 -fingerprint` line per
//! certificate (every certificate of a PEM bundle, or one DER certificate per file).

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use pgtls_pki::fingerprint::{openssl_lines, Digest};

use crate::exit;

/// Certificate files larger than this are refused (the whole Mozilla bundle is ~220 KiB).
const MAX_FILE_LEN: u64 = 64 * 1024 * 1024;

/// Arguments of `pgtls fingerprint`.
#[derive(clap::Args)]
#[command(after_help = "\
Prints exactly what `openssl x509 -in FILE -noout -sha256 -fingerprint` prints, once per \
certificate: every CERTIFICATE block of a PEM bundle, or the one certificate of a DER file.
Exit status 2 when a file is missing, unreadable or holds no certificate (the other files are \
still printed).")]
pub struct Args {
    /// Print SHA-1 fingerprints (`sha1 Fingerprint=...`) instead of SHA-256.
    #[arg(long, conflicts_with = "sha256")]
    sha1: bool,
    /// Print SHA-256 fingerprints (the default).
    #[arg(long)]
    sha256: bool,
    /// PEM (single certificate or bundle) or DER certificate files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Runs `pgtls fingerprint`.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let digest = if args.sha1 {
        Digest::Sha1
    } else {
        Digest::Sha256
    };
    let mut out = std::io::stdout().lock();
    let mut code = exit::OK;
    for path in &args.files {
        match fingerprint_file(path, digest) {
            Ok(lines) => {
                for line in lines {
                    writeln!(out, "{line}").context("writing to stdout")?;
                }
            }
            Err(err) => {
                out.flush().context("writing to stdout")?;
                eprintln!("pgtls: fingerprint: {}: {err:#}", path.display());
                code = exit::USAGE;
            }
        }
    }
    out.flush().context("writing to stdout")?;
    Ok(code)
}

fn fingerprint_file(path: &Path, digest: Digest) -> anyhow::Result<Vec<String>> {
    let file = std::fs::File::open(path)?;
    let mut data = Vec::new();
    file.take(MAX_FILE_LEN + 1).read_to_end(&mut data)?;
    if u64::try_from(data.len()).unwrap_or(u64::MAX) > MAX_FILE_LEN {
        anyhow::bail!("file larger than {MAX_FILE_LEN} bytes");
    }
    Ok(openssl_lines(&data, digest)?)
}
