//! The process environment as libpq sees it: `PG*` variables, the home directory and the
//! operating-system user. Injectable so tests never depend on the machine they run on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Environment variables, home directory and OS user name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
    os_user: Option<String>,
}

impl Env {
    /// The real process environment. The home directory is `$HOME` when set and non-empty,
    /// else the passwd entry of the effective user (libpq 16+ order; libpq 15 reads only the
    /// passwd entry, which is the same on ordinary systems). The OS user is the passwd name of
    /// the effective uid, else `$USER` / `$LOGNAME`. Variables that are not UTF-8 are ignored.
    pub fn from_process() -> Env {
        let vars: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let passwd = passwd_entry();
        let home = vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(|| passwd.as_ref().map(|(_, h)| h.clone()));
        let os_user = passwd
            .map(|(u, _)| u)
            .or_else(|| vars.get("USER").cloned())
            .or_else(|| vars.get("LOGNAME").cloned())
            .filter(|u| !u.is_empty());
        Env {
            vars,
            home,
            os_user,
        }
    }

    /// An environment made of exactly these variables. `HOME` (if present and non-empty) is the
    /// home directory and `USER` (else `LOGNAME`) the OS user; override either with
    /// [`Env::with_home`] / [`Env::with_os_user`].
    pub fn from_map<I, K, V>(vars: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let home = vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let os_user = vars
            .get("USER")
            .or_else(|| vars.get("LOGNAME"))
            .filter(|u| !u.is_empty())
            .cloned();
        Env {
            vars,
            home,
            os_user,
        }
    }

    /// Replaces the home directory (`None`: libpq could not find one).
    pub fn with_home(mut self, home: Option<PathBuf>) -> Env {
        self.home = home;
        self
    }

    /// Replaces the operating-system user name.
    pub fn with_os_user(mut self, user: Option<String>) -> Env {
        self.os_user = user;
        self
    }

    /// Sets one variable.
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Env {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// A variable's value (set but empty is `Some("")`, as `getenv` sees it).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The home directory, if one is known.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// The operating-system user name, if known.
    pub fn os_user(&self) -> Option<&str> {
        self.os_user.as_deref()
    }
}

/// The passwd entry (name, home) of the effective user, read from `/proc/self/status` and
/// `/etc/passwd` (no libc calls: this crate forbids unsafe code).
fn passwd_entry() -> Option<(String, PathBuf)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .nth(1)?
        .to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            [name, _, uid, _, _, home, ..] if *uid == euid => {
                Some(((*name).to_owned(), PathBuf::from(home)))
            }
            _ => None,
        }
    })
}
