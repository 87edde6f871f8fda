//! Real peers: finding `psql`, `postgres` and `openssl`, the SKIP-or-fail rule, an isolated
//! environment for running psql, and a throwaway real PostgreSQL server.
//!
//! Real libpq is the oracle of this project, so tests that drive real psql or a real server run
//! by default. When a binary is missing they print a loud `SKIP:` line and pass — unless
//! `PGTLS_REQUIRE_REAL_PEERS=1` (set by `.ci/run`), in which case they fail.
//!
//! What this module does not do: it never downloads or installs anything, and [`RealPostgres`]
//! only ever listens on 127.0.0.1.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The environment variable that turns a missing real peer into a test failure.
pub const REQUIRE_ENV: &str = "PGTLS_REQUIRE_REAL_PEERS";

/// True when `PGTLS_REQUIRE_REAL_PEERS=1`.
pub fn require_real_peers() -> bool {
    std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1")
}

/// Reports that `test` cannot run because `missing` is not installed: prints a loud `SKIP:` line
/// on stderr, or panics when [`require_real_peers`] is set.
pub fn skip(test: &str, missing: &str) {
    if require_real_peers() {
        panic!("{test}: {missing} not found, and {REQUIRE_ENV}=1 forbids skipping");
    }
    eprintln!(
        "SKIP: {test}: {missing} not found (apt-get install postgresql postgresql-client openssl; \
         {REQUIRE_ENV}=1 turns this into a failure)"
    );
}

/// Directories that may hold PostgreSQL server binaries, best first: `$PGTLS_PG_BINDIR`, then
/// Debian's `/usr/lib/postgresql/<major>/bin` (newest major first), then `pg_config --bindir`.
pub fn pg_bindirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("PGTLS_PG_BINDIR") {
        dirs.push(PathBuf::from(d));
    }
    if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
        let mut majors: Vec<(u32, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let major = e.file_name().to_str()?.parse::<u32>().ok()?;
                Some((major, e.path().join("bin")))
            })
            .collect();
        majors.sort_by_key(|(major, _)| std::cmp::Reverse(*major));
        dirs.extend(majors.into_iter().map(|(_, p)| p));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        if out.status.success() {
            let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if !dir.is_empty() {
                dirs.push(PathBuf::from(dir));
            }
        }
    }
    dirs
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Finds a PostgreSQL binary (`psql`, `postgres`, `initdb`, `pg_ctl`, `pgbench`…), preferring the
/// versioned bindir over Debian's `/usr/bin` wrappers (which rewrite PGHOST and friends).
pub fn find_pg_binary(name: &str) -> Option<PathBuf> {
    pg_bindirs()
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .or_else(|| on_path(name))
}

/// Finds `psql`.
pub fn find_psql() -> Option<PathBuf> {
    find_pg_binary("psql")
}

/// Finds `openssl`.
pub fn find_openssl() -> Option<PathBuf> {
    on_path("openssl")
}

/// The major version a PostgreSQL binary reports for `--version` (e.g. 15 for `psql (PostgreSQL) 15.18`).
pub fn binary_major_version(binary: &Path) -> Option<u32> {
    let out = Command::new(binary).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.split_whitespace().last()?;
    version.split('.').next()?.parse().ok()
}

/// `psql`, or a SKIP (see [`skip`]) and `None`.
pub fn psql_or_skip(test: &str) -> Option<PathBuf> {
    let found = find_psql();
    if found.is_none() {
        skip(test, "psql");
    }
    found
}

/// `openssl`, or a SKIP (see [`skip`]) and `None`.
pub fn openssl_or_skip(test: &str) -> Option<PathBuf> {
    let found = find_openssl();
    if found.is_none() {
        skip(test, "openssl");
    }
    found
}

/// The server binaries [`RealPostgres`] needs.
#[derive(Debug, Clone)]
pub struct PgBinaries {
    /// `initdb`.
    pub initdb: PathBuf,
    /// `pg_ctl`.
    pub pg_ctl: PathBuf,
    /// `psql`, used to create roles.
    pub psql: PathBuf,
    /// Major version of the server.
    pub major: u32,
}

impl PgBinaries {
    /// Finds the binaries of one installation (all from the same bindir).
    pub fn find() -> Option<Self> {
        for dir in pg_bindirs() {
            let (initdb, pg_ctl, psql) = (dir.join("initdb"), dir.join("pg_ctl"), dir.join("psql"));
            if initdb.is_file() && pg_ctl.is_file() && psql.is_file() {
                let major = binary_major_version(&initdb)?;
                return Some(Self {
                    initdb,
                    pg_ctl,
                    psql,
                    major,
                });
            }
        }
        None
    }

    /// The binaries, or a SKIP (see [`skip`]) and `None`.
    pub fn find_or_skip(test: &str) -> Option<Self> {
        let found = Self::find();
        if found.is_none() {
            skip(test, "PostgreSQL server binaries (initdb, pg_ctl)");
        }
        found
    }
}

/// Sets an environment on `cmd` that isolates libpq from the invoking user: HOME is `home` (so
/// `~/.postgresql/root.crt` and friends come only from there), no password or service file, no
/// inherited `PG*` variable, C locale (so messages are not translated).
pub fn isolate_libpq_env(cmd: &mut Command, home: &Path) {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("PGPASSFILE", home.join("no-such-pgpass"))
        .env("PGSERVICEFILE", home.join("no-such-service-file"))
        .env("PGSYSCONFDIR", home.join("no-such-sysconfdir"))
        .env("LC_ALL", "C")
        .env("LANG", "C");
}

/// A `psql` invocation that connects with `conninfo`, runs `\conninfo`, never prompts and never
/// reads the user's files. Outcome: exit status 0 plus `SSL connection` in stdout means TLS.
pub fn psql_conninfo_command(psql: &Path, conninfo: &str, home: &Path) -> Command {
    let mut cmd = Command::new(psql);
    isolate_libpq_env(&mut cmd, home);
    cmd.args(["-X", "-w", "-d", conninfo, "-c", "\\conninfo"])
        .stdin(Stdio::null());
    cmd
}

/// TLS material for a [`RealPostgres`], in PEM.
#[derive(Debug, Clone, Default)]
pub struct ServerTls {
    /// The server certificate chain (leaf first), written as `server.crt`.
    pub cert_chain_pem: String,
    /// The server key, written 0600 as `server.key`.
    pub key_pem: String,
    /// CAs trusted for client certificates (`ssl_ca_file`), if any.
    pub client_ca_pem: Option<String>,
}

/// How to set up a [`RealPostgres`].
#[derive(Debug, Clone, Default)]
pub struct RealPostgresConfig {
    /// `ssl=on` with this material; `None` means `ssl=off`.
    pub tls: Option<ServerTls>,
    /// pg_hba.conf lines after the built-in `local all postgres trust` line, e.g.
    /// `hostssl all all 127.0.0.1/32 scram-sha-256`.
    pub hba: Vec<String>,
    /// Login roles to create: name and password (stored as SCRAM-SHA-256).
    pub users: Vec<(String, String)>,
    /// Extra postgresql.conf lines.
    pub extra_conf: Vec<String>,
}

/// A real PostgreSQL server in a temp dir, listening on 127.0.0.1 only, stopped on drop.
///
/// Runs as the `postgres` OS user when the current user is root (PostgreSQL refuses root).
pub struct RealPostgres {
    dir: tempfile::TempDir,
    port: u16,
    pg_ctl: PathBuf,
    as_postgres: bool,
    major: u32,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn checked(what: &str, out: Output) -> io::Result<Output> {
    if out.status.success() {
        Ok(out)
    } else {
        Err(io::Error::other(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

impl RealPostgres {
    /// initdb, configure and start a server; returns once it accepts connections.
    pub fn start(bins: &PgBinaries, config: &RealPostgresConfig) -> io::Result<Self> {
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("pgtls-realpg-")
            .tempdir_in(std::env::temp_dir())?;
        let data = dir.path().join("data");
        let mut pg = Self {
            port: 0,
            pg_ctl: bins.pg_ctl.clone(),
            as_postgres,
            major: bins.major,
            dir,
        };
        if as_postgres {
            checked(
                "chown",
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(pg.dir.path())
                    .output()?,
            )?;
        }
        let out = pg
            .command(&bins.initdb)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .output()?;
        checked("initdb", out)?;

        let mut conf = String::new();
        let socket_dir = pg.dir.path();
        writeln!(conf, "listen_addresses = '127.0.0.1'").ok();
        writeln!(conf, "unix_socket_directories = '{}'", socket_dir.display()).ok();
        writeln!(conf, "fsync = off").ok();
        writeln!(conf, "max_connections = 100").ok();
        writeln!(conf, "password_encryption = 'scram-sha-256'").ok();
        if let Some(tls) = &config.tls {
            write_private(&data.join("server.crt"), &tls.cert_chain_pem)?;
            write_private(&data.join("server.key"), &tls.key_pem)?;
            writeln!(conf, "ssl = on").ok();
            writeln!(conf, "ssl_cert_file = 'server.crt'").ok();
            writeln!(conf, "ssl_key_file = 'server.key'").ok();
            if let Some(ca) = &tls.client_ca_pem {
                write_private(&data.join("client-ca.crt"), ca)?;
                writeln!(conf, "ssl_ca_file = 'client-ca.crt'").ok();
            }
        } else {
            writeln!(conf, "ssl = off").ok();
        }
        for line in &config.extra_conf {
            writeln!(conf, "{line}").ok();
        }
        let mut existing = fs::read_to_string(data.join("postgresql.conf"))?;
        existing.push_str(&conf);
        fs::write(data.join("postgresql.conf"), existing)?;

        let mut hba = String::from("local all postgres trust\n");
        for line in &config.hba {
            hba.push_str(line);
            hba.push('\n');
        }
        fs::write(data.join("pg_hba.conf"), hba)?;
        if as_postgres {
            checked(
                "chown",
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&data)
                    .output()?,
            )?;
        }

        // The port is picked by the OS and released just before the server binds it; retry if
        // something else grabbed it in between.
        let mut last_err = None;
        for _ in 0..3 {
            let port = free_port()?;
            let log = pg.dir.path().join("server.log");
            let out = pg
                .command(&bins.pg_ctl)
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "-o"])
                .arg(format!("-p {port}"))
                .arg("start")
                .output()?;
            match checked("pg_ctl start", out) {
                Ok(_) => {
                    pg.port = port;
                    last_err = None;
                    break;
                }
                Err(e) => {
                    let log_text = fs::read_to_string(&log).unwrap_or_default();
                    last_err = Some(io::Error::other(format!("{e}\nserver log:\n{log_text}")));
                }
            }
        }
        if let Some(e) = last_err {
            return Err(e);
        }

        for (user, password) in &config.users {
            let sql = format!(
                "CREATE ROLE \"{}\" LOGIN PASSWORD '{}'",
                user.replace('"', "\"\""),
                password.replace('\'', "''")
            );
            let mut cmd = Command::new(&bins.psql);
            isolate_libpq_env(&mut cmd, pg.dir.path());
            let out = cmd
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
                .arg(socket_dir)
                .args([
                    "-p",
                    &pg.port.to_string(),
                    "-U",
                    "postgres",
                    "-d",
                    "postgres",
                    "-c",
                ])
                .arg(sql)
                .stdin(Stdio::null())
                .output()?;
            checked("create role", out)?;
        }
        Ok(pg)
    }

    fn command(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Major version of the running server.
    pub fn major(&self) -> u32 {
        self.major
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A directory next to the server that tests may use (e.g. as HOME for psql).
    pub fn scratch_dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for RealPostgres {
    fn drop(&mut self) {
        if self.port == 0 {
            return;
        }
        let data = self.dir.path().join("data");
        let _ = self
            .command(&self.pg_ctl.clone())
            .arg("-D")
            .arg(data)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_postgres_starts_creates_roles_and_answers_psql() {
        let test = "peers::real_postgres_starts_creates_roles_and_answers_psql";
        let Some(bins) = PgBinaries::find_or_skip(test) else {
            return;
        };
        let pg = RealPostgres::start(
            &bins,
            &RealPostgresConfig {
                hba: vec!["host all all 127.0.0.1/32 scram-sha-256".into()],
                users: vec![("alice".into(), "s3cret".into())],
                ..Default::default()
            },
        )
        .expect("start postgres");
        let home = tempfile::tempdir().unwrap();
        let conninfo = format!(
            "host=127.0.0.1 port={} user=alice dbname=postgres password=s3cret sslmode=disable",
            pg.port()
        );
        let out = psql_conninfo_command(&bins.psql, &conninfo, home.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "psql failed: {out:?}\n{}", pg.log());
        assert!(stdout.contains("as user \"alice\""), "{stdout}");
        assert!(!stdout.contains("SSL connection"), "{stdout}");

        let wrong = conninfo.replace("s3cret", "wrong");
        let out = psql_conninfo_command(&bins.psql, &wrong, home.path())
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("FATAL:  password authentication failed for user \"alice\""),
            "{out:?}"
        );
    }
}
