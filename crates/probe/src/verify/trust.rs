//! The trust store: what libpq hands OpenSSL as `sslrootcert`, `sslcrl` and `sslcrldir`.
//!
//! Loading follows OpenSSL 3.0's `X509_STORE_load_locations`:
//! - a PEM file contributes every certificate *and* every CRL in it (`X509_load_cert_crl_file`);
//!   a file with neither fails with `no certificate or crl found`;
//! - a directory is only remembered: certificates and CRLs are looked up lazily by the hash of
//!   the name sought (`<hash>.0`, `<hash>.1`, … and `<hash>.r0`, …), exactly like `c_rehash`
//!   directories, so a directory that does not exist is accepted and simply finds nothing;
//! - CRL checking (CRL_CHECK | CRL_CHECK_ALL) is switched on only when loading `sslcrl`/`sslcrldir`
//!   succeeded; when `sslcrl` is given and fails, `sslcrldir` is not even added (OpenSSL returns
//!   early), and libpq silently goes on without CRLs.

use std::fs;
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::CertificateDer;
use serde::Serialize;

use super::cert::Cert;
use super::crl::Crl;
use super::{name, VerifyError};

/// Where the root certificates come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
pub enum TrustSource {
    /// No root file (libpq: the file does not exist): an empty store.
    None,
    /// `sslrootcert=<file>` (or the default `~/.postgresql/root.crt`).
    File(PathBuf),
    /// `sslrootcert=system` (PG16+): OpenSSL's default verify paths.
    System,
}

/// Where a certificate in a chain came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertSource {
    /// Sent by the server.
    Server,
    /// The `sslrootcert` file.
    RootFile,
    /// The `sslcrl` file (OpenSSL also trusts certificates found there).
    CrlFile,
    /// A hashed directory (`sslcrldir`, `SSL_CERT_DIR`).
    HashedDir,
    /// The system bundle file (`SSL_CERT_FILE` or OpenSSL's default `cert.pem`).
    SystemFile,
}

/// OpenSSL's default verify paths, as `X509_STORE_set_default_paths` resolves them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemPaths {
    /// The bundle file (`SSL_CERT_FILE`, else OpenSSL's `cert.pem`).
    pub file: Option<PathBuf>,
    /// Hashed directories (`SSL_CERT_DIR`, colon-separated, else OpenSSL's `certs`).
    pub dirs: Vec<PathBuf>,
}

impl SystemPaths {
    /// From the process environment (`SSL_CERT_FILE`, `SSL_CERT_DIR`) and Debian's OpenSSL
    /// defaults (`/usr/lib/ssl/cert.pem`, falling back to `/etc/ssl/certs/ca-certificates.crt`;
    /// `/usr/lib/ssl/certs`).
    pub fn from_env() -> Self {
        Self::from_vars(
            std::env::var_os("SSL_CERT_FILE").map(PathBuf::from),
            std::env::var_os("SSL_CERT_DIR").map(|v| v.to_string_lossy().into_owned()),
        )
    }

    /// From explicit `SSL_CERT_FILE` / `SSL_CERT_DIR` values.
    pub fn from_vars(cert_file: Option<PathBuf>, cert_dir: Option<String>) -> Self {
        let file = cert_file.or_else(|| {
            [
                "/usr/lib/ssl/cert.pem",
                "/etc/ssl/certs/ca-certificates.crt",
            ]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
        });
        let dirs = match cert_dir {
            Some(d) => d
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect(),
            None => vec![PathBuf::from("/usr/lib/ssl/certs")],
        };
        Self { file, dirs }
    }
}

/// What happened to `sslcrl` / `sslcrldir`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrlStatus {
    /// CRL_CHECK | CRL_CHECK_ALL in force.
    pub enabled: bool,
    /// Human text: what was loaded or why nothing was.
    pub note: String,
}

/// Root certificates, CRLs and lookup directories, as OpenSSL's `X509_STORE` holds them for libpq.
#[derive(Debug, Clone)]
pub struct TrustStore {
    source: TrustSource,
    certs: Vec<(Cert, CertSource)>,
    crls: Vec<Crl>,
    dirs: Vec<PathBuf>,
    crl: CrlStatus,
}

/// Certificates and CRLs of one PEM file.
struct PemContents {
    certs: Vec<Cert>,
    crls: Vec<Crl>,
}

fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text.get(..i).unwrap_or(&text).to_owned(),
        None => text,
    }
}

/// The first DER element of a PEM body (OpenSSL ignores bytes after it), or the reason OpenSSL's
/// ASN.1 decoder gives (checked against libpq 15: `wrong tag`, `too long`).
fn first_der(der: &[u8]) -> Result<&[u8], String> {
    if der.first() != Some(&super::der::SEQUENCE) {
        return Err("wrong tag".into());
    }
    super::der::Reader::new(der)
        .next()
        .map(|tlv| tlv.full)
        .ok_or_else(|| "too long".into())
}

/// `X509_load_cert_crl_file` on PEM bytes: `Err(reason)` in OpenSSL's words where we know them.
fn parse_pem(bytes: &[u8]) -> Result<PemContents, String> {
    let mut out = PemContents {
        certs: Vec::new(),
        crls: Vec::new(),
    };
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
        let (kind, der) = item.map_err(|e| match e {
            rustls_pki_types::pem::Error::Base64Decode(_) => "bad base64 decode".to_owned(),
            other => format!("{other:?}"),
        })?;
        match kind {
            SectionKind::Certificate => out.certs.push(
                first_der(&der).and_then(|d| Cert::parse(d).map_err(|_| "wrong tag".to_owned()))?,
            ),
            SectionKind::Crl => out.crls.push(
                first_der(&der).and_then(|d| Crl::parse(d).map_err(|_| "wrong tag".to_owned()))?,
            ),
            _ => {}
        }
    }
    if out.certs.is_empty() && out.crls.is_empty() {
        return Err("no certificate or crl found".into());
    }
    Ok(out)
}

impl TrustStore {
    /// An empty store (no root file): every chain ends untrusted.
    pub fn empty() -> Self {
        Self {
            source: TrustSource::None,
            certs: Vec::new(),
            crls: Vec::new(),
            dirs: Vec::new(),
            crl: CrlStatus {
                enabled: false,
                note: "no CRL loaded".into(),
            },
        }
    }

    /// Loads a trust source. A missing root file is [`VerifyError::RootFileMissing`] (the caller
    /// decides what libpq says: for verify-ca/verify-full the "does not exist" error, otherwise no
    /// verification at all); an unreadable or certificate-less file is
    /// [`VerifyError::RootFile`] with OpenSSL's reason.
    pub fn load(source: &TrustSource) -> Result<Self, VerifyError> {
        match source {
            TrustSource::None => Ok(Self::empty()),
            TrustSource::File(path) => Self::load_root_file(path),
            TrustSource::System => Ok(Self::load_system(&SystemPaths::from_env())),
        }
    }

    /// `SSL_CTX_load_verify_locations(ctx, path, NULL)` as libpq calls it.
    pub fn load_root_file(path: &Path) -> Result<Self, VerifyError> {
        if fs::metadata(path).is_err() {
            return Err(VerifyError::RootFileMissing {
                path: path.to_owned(),
            });
        }
        let err = |reason: String| VerifyError::RootFile {
            path: path.to_owned(),
            reason,
        };
        let bytes = fs::read(path).map_err(|e| err(io_reason(&e)))?;
        let contents = parse_pem(&bytes).map_err(err)?;
        let mut store = Self::empty();
        store.source = TrustSource::File(path.to_owned());
        store.certs = contents
            .certs
            .into_iter()
            .map(|c| (c, CertSource::RootFile))
            .collect();
        store.crls = contents.crls;
        Ok(store)
    }

    /// A store holding `certs` as if they were the root file (for tests and in-memory use).
    pub fn from_certificates(certs: &[CertificateDer<'_>]) -> Result<Self, VerifyError> {
        let mut store = Self::empty();
        store.source = TrustSource::File(PathBuf::from("(memory)"));
        for c in certs {
            let cert = Cert::parse(c.as_ref()).map_err(|reason| VerifyError::RootFile {
                path: PathBuf::from("(memory)"),
                reason,
            })?;
            store.certs.push((cert, CertSource::RootFile));
        }
        Ok(store)
    }

    /// OpenSSL's default verify paths (`sslrootcert=system`). Missing pieces are ignored, as
    /// `X509_STORE_set_default_paths` does.
    pub fn load_system(paths: &SystemPaths) -> Self {
        let mut store = Self::empty();
        store.source = TrustSource::System;
        if let Some(file) = &paths.file {
            if let Ok(bytes) = fs::read(file) {
                // A bundle may hold certificates OpenSSL cannot use; skip those one by one.
                for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(&bytes).flatten() {
                    match item {
                        (SectionKind::Certificate, der) => {
                            if let Ok(c) = Cert::parse(&der) {
                                store.certs.push((c, CertSource::SystemFile));
                            }
                        }
                        (SectionKind::Crl, der) => {
                            if let Ok(c) = Crl::parse(&der) {
                                store.crls.push(c);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        store.dirs = paths.dirs.clone();
        store
    }

    /// libpq's CRL step: `X509_STORE_load_locations(store, sslcrl, sslcrldir)` and, when it
    /// succeeds, CRL_CHECK | CRL_CHECK_ALL. The caller passes libpq's default
    /// `~/.postgresql/root.crl` as `file` when neither setting is given. Failures are silent, as
    /// in libpq; [`TrustStore::crl_status`] says what happened.
    pub fn load_crls(&mut self, file: Option<&Path>, dir: Option<&Path>) -> &CrlStatus {
        let file = file.filter(|p| !p.as_os_str().is_empty());
        let dir = dir.filter(|p| !p.as_os_str().is_empty());
        if file.is_none() && dir.is_none() {
            self.crl = CrlStatus {
                enabled: false,
                note: "no sslcrl or sslcrldir: revocation is not checked".into(),
            };
            return &self.crl;
        }
        let mut notes = Vec::new();
        if let Some(f) = file {
            let loaded = fs::read(f)
                .map_err(|e| io_reason(&e))
                .and_then(|b| parse_pem(&b));
            match loaded {
                Ok(contents) => {
                    notes.push(format!(
                        "sslcrl \"{}\": {} CRL(s), {} certificate(s)",
                        f.display(),
                        contents.crls.len(),
                        contents.certs.len()
                    ));
                    self.crls.extend(contents.crls);
                    self.certs
                        .extend(contents.certs.into_iter().map(|c| (c, CertSource::CrlFile)));
                }
                Err(reason) => {
                    self.crl = CrlStatus {
                        enabled: false,
                        note: format!(
                            "sslcrl \"{}\" not loaded ({reason}): libpq silently checks no revocation",
                            f.display()
                        ),
                    };
                    return &self.crl;
                }
            }
        }
        if let Some(d) = dir {
            notes.push(format!(
                "sslcrldir \"{}\" (hashed <hash>.r<n> lookup{})",
                d.display(),
                if d.is_dir() {
                    ""
                } else {
                    "; directory does not exist, so every CRL lookup fails"
                }
            ));
            self.dirs.push(d.to_owned());
        }
        self.crl = CrlStatus {
            enabled: true,
            note: notes.join("; "),
        };
        &self.crl
    }

    /// Where the roots came from.
    pub fn source(&self) -> &TrustSource {
        &self.source
    }

    /// CRL checking state.
    pub fn crl_status(&self) -> &CrlStatus {
        &self.crl
    }

    /// The certificates loaded from files (not those a hashed directory may yield later).
    pub fn certificates(&self) -> Vec<CertificateDer<'static>> {
        self.certs.iter().map(|(c, _)| c.der.clone()).collect()
    }

    /// Certificates with subject `name_der` (files first, then hashed directories).
    pub(crate) fn lookup_certs(&self, name_der: &[u8]) -> Vec<(Cert, CertSource)> {
        let mut out: Vec<(Cert, CertSource)> = self
            .certs
            .iter()
            .filter(|(c, _)| name::names_equal(&c.subject_der, name_der))
            .cloned()
            .collect();
        for bytes in self.dir_files(name_der, "") {
            if let Ok(contents) = parse_pem(&bytes) {
                for c in contents.certs {
                    if name::names_equal(&c.subject_der, name_der)
                        && !out.iter().any(|(o, _)| o.der == c.der)
                    {
                        out.push((c, CertSource::HashedDir));
                    }
                }
            }
        }
        out
    }

    /// CRLs issued under `name_der` (loaded files, then hashed directories).
    pub(crate) fn lookup_crls(&self, name_der: &[u8]) -> Vec<Crl> {
        let mut out: Vec<Crl> = self
            .crls
            .iter()
            .filter(|c| name::names_equal(&c.issuer_der, name_der))
            .cloned()
            .collect();
        for bytes in self.dir_files(name_der, "r") {
            if let Ok(contents) = parse_pem(&bytes) {
                out.extend(
                    contents
                        .crls
                        .into_iter()
                        .filter(|c| name::names_equal(&c.issuer_der, name_der)),
                );
            }
        }
        out
    }

    /// All CRLs known without a name lookup (for webpki).
    pub(crate) fn loaded_crls(&self) -> &[Crl] {
        &self.crls
    }

    /// `by_dir` lookup: `<dir>/<hash>.<prefix><n>` for n = 0, 1, … until one is missing.
    fn dir_files(&self, name_der: &[u8], prefix: &str) -> Vec<Vec<u8>> {
        let Some(hash) = name::name_hash(name_der) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for dir in &self.dirs {
            for n in 0..1000u32 {
                let path = dir.join(format!("{hash:08x}.{prefix}{n}"));
                match fs::read(&path) {
                    Ok(b) => out.push(b),
                    Err(_) => break,
                }
            }
        }
        out
    }
}
