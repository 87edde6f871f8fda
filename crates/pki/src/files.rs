//! Laying out PKI files on disk, for a client (libpq `sslrootcert`/`sslcert`/`sslkey`/`sslcrl`)
//! or a server (PostgreSQL `ssl_cert_file`/`ssl_key_file`/`ssl_ca_file`/`ssl_crl_file`).

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::{Cert, Chain, Crl, Error};

/// libpq's default root file name (`~/.postgresql/root.crt`).
pub const ROOT_CRT: &str = "root.crt";
/// libpq's default CRL file name (`~/.postgresql/root.crl`).
pub const ROOT_CRL: &str = "root.crl";
/// libpq's default client certificate file name (`~/.postgresql/postgresql.crt` is the real
/// default; scenarios pass `sslcert=client.crt` explicitly).
pub const CLIENT_CRT: &str = "client.crt";
/// The client key file name (mode 0600).
pub const CLIENT_KEY: &str = "client.key";
/// PostgreSQL's default `ssl_cert_file`.
pub const SERVER_CRT: &str = "server.crt";
/// PostgreSQL's default `ssl_key_file` (mode 0600).
pub const SERVER_KEY: &str = "server.key";
/// The CA file a server uses to verify client certificates (`ssl_ca_file`).
pub const CA_CRT: &str = "ca.crt";

/// One file to write.
#[derive(Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative path inside the target directory (`root.crt`, `extra/other.crt`).
    pub name: String,
    /// File contents.
    pub contents: Vec<u8>,
    /// Private key material: written with mode 0600.
    pub secret: bool,
}

impl fmt::Debug for FileEntry {
    /// Never prints contents (a key may be among them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileEntry")
            .field("name", &self.name)
            .field("len", &self.contents.len())
            .field("secret", &self.secret)
            .finish()
    }
}

/// A set of files to lay out in a directory. Builder style; a later entry with the same name
/// replaces an earlier one.
///
/// ```
/// use pgtls_pki::{files, CertSpec, ChainOrder, Files, Pki};
/// let pki = Pki::now_utc();
/// let root = pki.root("Root CA")?;
/// let leaf = pki.issue(&CertSpec::server("c-demo.pgtls.test"), &root)?;
/// let alice = pki.issue(&CertSpec::client("alice"), &root)?;
/// let crl = pki.crl(&root, &[])?;
/// let dir = std::env::temp_dir().join(format!("pgtls-pki-doc-{}", std::process::id()));
/// let written = Files::new()
///     .root_crt(&[&root])
///     .client(&alice, &[])
///     .root_crl(&[&crl])
///     .server(&leaf.chain(&[], ChainOrder::LeafFirst))
///     .write_to(&dir)?;
/// assert!(written.contains(&dir.join(files::CLIENT_KEY)));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), pgtls_pki::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Files {
    entries: Vec<FileEntry>,
}

impl Files {
    /// No files.
    pub fn new() -> Files {
        Files::default()
    }

    /// `root.crt` holding `cas` (PEM, in the given order).
    pub fn root_crt(self, cas: &[&Cert]) -> Files {
        self.certs(ROOT_CRT, cas)
    }

    /// `root.crl` holding `crls` (PEM; OpenSSL loads every CRL in the file).
    pub fn root_crl(self, crls: &[&Crl]) -> Files {
        self.crls(ROOT_CRL, crls)
    }

    /// `client.crt` (the certificate, then `intermediates`) and `client.key` (0600).
    pub fn client(self, cert: &Cert, intermediates: &[&Cert]) -> Files {
        let mut all = vec![cert];
        all.extend_from_slice(intermediates);
        self.certs(CLIENT_CRT, &all).key(CLIENT_KEY, cert)
    }

    /// `server.crt` (the chain in its order) and `server.key` (the leaf key, 0600).
    pub fn server(self, chain: &Chain) -> Files {
        self.chain(SERVER_CRT, chain).key(SERVER_KEY, chain.leaf())
    }

    /// `ca.crt` holding `cas`: the server's `ssl_ca_file` for client certificates.
    pub fn server_ca(self, cas: &[&Cert]) -> Files {
        self.certs(CA_CRT, cas)
    }

    /// A PEM bundle of `certs` under `name` (extra trust files: `intermediate-only.crt`...).
    pub fn certs(self, name: &str, certs: &[&Cert]) -> Files {
        let pem: String = certs.iter().map(|c| c.pem()).collect();
        self.file(name, pem, false)
    }

    /// A chain in send order under `name`.
    pub fn chain(self, name: &str, chain: &Chain) -> Files {
        self.file(name, chain.pem(), false)
    }

    /// `cert`'s private key (PKCS#8 PEM) under `name`, mode 0600.
    pub fn key(self, name: &str, cert: &Cert) -> Files {
        self.file(name, cert.key_pem(), true)
    }

    /// A PEM bundle of CRLs under `name`.
    pub fn crls(self, name: &str, crls: &[&Crl]) -> Files {
        let pem: String = crls.iter().map(|c| c.pem()).collect();
        self.file(name, pem, false)
    }

    /// Arbitrary contents under `name` (e.g. a garbage `root.crt`); `secret` = mode 0600.
    pub fn file(mut self, name: &str, contents: impl Into<Vec<u8>>, secret: bool) -> Files {
        self.entries.retain(|e| e.name != name);
        self.entries.push(FileEntry {
            name: name.to_owned(),
            contents: contents.into(),
            secret,
        });
        self
    }

    /// The entries, in insertion order.
    pub fn entries(&self) -> &[FileEntry] {
        &self.entries
    }

    /// The entry called `name`.
    pub fn get(&self, name: &str) -> Option<&FileEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Writes every file under `dir` (created if missing), replacing existing files; secrets get
    /// mode 0600 (re-applied if the file existed), others 0644. Returns the paths written.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        for entry in &self.entries {
            check_name(&entry.name)?;
        }
        fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut written = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            let path = dir.join(&entry.name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            write_file(&path, &entry.contents, entry.secret).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            written.push(path);
        }
        Ok(written)
    }
}

/// Names are relative paths without `..`, root or prefix components.
fn check_name(name: &str) -> Result<(), Error> {
    let path = Path::new(name);
    let ok = !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidFileName {
            name: name.to_owned(),
        })
    }
}

#[cfg(unix)]
fn write_file(path: &Path, contents: &[u8], secret: bool) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let mode = if secret { 0o600 } else { 0o644 };
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)?;
    // The mode above applies only to new files (and is masked by the umask).
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    // No fsync: these are throwaway scenario files, and syncing every one made preparing the
    // matrix's PKI directories (and removing them) the largest non-CPU cost of a run.
    file.write_all(contents)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_file(path: &Path, contents: &[u8], _secret: bool) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(contents)?;
    Ok(())
}
