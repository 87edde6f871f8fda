//! `~/.pgpass` lookup as libpq 15's `passwordFromFile`: used only when no password was given.

use std::path::Path;

/// libpq's `DefaultHost`.
const DEFAULT_HOST: &str = "localhost";

/// The password the file holds for this connection slot, if any. A file with group or world
/// access is ignored, as libpq does (libpq also prints a warning; the probe notes it in the
/// diagnosis via the returned `Err`).
pub fn lookup(
    file: &Path,
    host: Option<&str>,
    port: u16,
    dbname: &str,
    user: &str,
) -> Result<Option<String>, String> {
    let Ok(meta) = std::fs::metadata(file) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Ok(None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "WARNING: password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                file.display()
            ));
        }
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return Ok(None);
    };
    let host = match host {
        None | Some("") => DEFAULT_HOST,
        Some(h) if h == crate::engine::DEFAULT_SOCKET_DIR => DEFAULT_HOST,
        Some(h) => h,
    };
    let port = port.to_string();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let fields = split_fields(line);
        let [h, p, d, u, pw] = fields.as_slice() else {
            continue;
        };
        let ok = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if ok(h, host) && ok(p, &port) && ok(d, dbname) && ok(u, user) {
            return Ok(Some(pw.clone()));
        }
    }
    Ok(None)
}

/// Splits on unescaped `:` into five fields, removing `\` escapes.
fn split_fields(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' if out.len() < 4 => out.push(std::mem::take(&mut cur)),
            // libpq's de-escaping stops the password at the first unescaped colon.
            ':' => break,
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::split_fields;

    #[test]
    fn fields_split_on_unescaped_colons_and_the_password_keeps_its_own() {
        assert_eq!(
            split_fields(r"db\:1:5432:*:u:pa\:ss\\:ignored"),
            vec!["db:1", "5432", "*", "u", r"pa:ss\"]
        );
    }
}
