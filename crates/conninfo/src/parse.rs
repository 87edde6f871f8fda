//! libpq's two connection-string syntaxes, parsed byte for byte as `fe-connect.c` does
//! (`conninfo_parse`, `conninfo_uri_parse_options`, `conninfo_uri_parse_params`,
//! `conninfo_uri_decode`, `conninfo_storeval`). No defaults, no environment, no validation of
//! values: that is [`crate::Settings`]'s job.

use std::fmt;

use crate::options::{self, KEYWORDS};
use crate::ConninfoError;

/// The options written in a connection string, one value per keyword (a later occurrence
/// replaces an earlier one, as in libpq), after libpq's translations (`requiressl=1` →
/// `sslmode=require`, URI `ssl=true` → `sslmode=require`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConninfoOptions {
    /// Indexed like [`KEYWORDS`].
    vals: Vec<Option<String>>,
}

impl fmt::Debug for ConninfoOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.iter() {
            if options::keyword(k).is_some_and(|k| k.secret) {
                m.entry(&k, &"********");
            } else {
                m.entry(&k, &v);
            }
        }
        m.finish()
    }
}

impl ConninfoOptions {
    /// No options.
    pub fn new() -> Self {
        ConninfoOptions {
            vals: vec![None; KEYWORDS.len()],
        }
    }

    /// The value given for `keyword`, if any.
    pub fn get(&self, keyword: &str) -> Option<&str> {
        let i = options::index_of(keyword)?;
        self.vals.get(i)?.as_deref()
    }

    /// Whether `keyword` was given.
    pub fn contains(&self, keyword: &str) -> bool {
        self.get(keyword).is_some()
    }

    /// Stores a value as libpq's `conninfo_storeval` does (with the `requiressl` translation).
    /// Unknown keywords are `invalid connection option "<k>"`.
    pub fn set(&mut self, keyword: &str, value: &str) -> Result<(), ConninfoError> {
        let (keyword, value) = translate_requiressl(keyword, value);
        let i = options::index_of(keyword).ok_or_else(|| ConninfoError::InvalidOption {
            keyword: keyword.to_owned(),
        })?;
        if self.vals.len() != KEYWORDS.len() {
            self.vals = vec![None; KEYWORDS.len()];
        }
        if let Some(slot) = self.vals.get_mut(i) {
            *slot = Some(value.to_owned());
        }
        Ok(())
    }

    /// Removes a keyword.
    pub fn remove(&mut self, keyword: &str) {
        if let Some(slot) = options::index_of(keyword).and_then(|i| self.vals.get_mut(i)) {
            *slot = None;
        }
    }

    /// The given options in libpq's table order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        KEYWORDS
            .iter()
            .zip(self.vals.iter())
            .filter_map(|(k, v)| Some((k.name, v.as_deref()?)))
    }

    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Canonical keyword/value text: keywords in libpq's table order, values quoted only when
    /// needed ([`quote_value`]). Parsing the result gives back equal options.
    pub fn render(&self) -> String {
        self.render_with(false)
    }

    /// As [`render`](Self::render) with secret values (password, sslpassword, ...) shown as
    /// `********`.
    pub fn redacted(&self) -> String {
        self.render_with(true)
    }

    fn render_with(&self, redact: bool) -> String {
        let mut out = String::new();
        for (k, v) in self.iter() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(k);
            out.push('=');
            if redact && options::keyword(k).is_some_and(|k| k.secret) {
                out.push_str("********");
            } else {
                out.push_str(&quote_value(v));
            }
        }
        out
    }
}

/// Writes a value for a keyword/value string: as is when libpq reads it back unchanged, else
/// `'...'` with `\` and `'` backslash-escaped (empty values, whitespace, quotes, backslashes).
pub fn quote_value(v: &str) -> String {
    let plain = !v.is_empty()
        && !v
            .bytes()
            .any(|b| is_c_space(b) || b == b'\'' || b == b'\\' || b == 0);
    if plain {
        return v.to_owned();
    }
    let mut s = String::with_capacity(v.len() + 2);
    s.push('\'');
    for c in v.chars() {
        if c == '\\' || c == '\'' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('\'');
    s
}

fn translate_requiressl<'a>(keyword: &'a str, value: &'a str) -> (&'a str, &'a str) {
    if keyword == "requiressl" {
        let mode = if value.starts_with('1') {
            "require"
        } else {
            "prefer"
        };
        ("sslmode", mode)
    } else {
        (keyword, value)
    }
}

/// C's `isspace` in the C locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `postgresql://` or `postgres://` prefix length (case-sensitive), else 0.
pub fn uri_prefix_len(s: &str) -> usize {
    if s.starts_with("postgresql://") {
        "postgresql://".len()
    } else if s.starts_with("postgres://") {
        "postgres://".len()
    } else {
        0
    }
}

/// Parses a libpq connection string (URI if it starts with `postgresql://` or `postgres://`,
/// else keyword/value). As C would, the text ends at the first NUL.
pub fn parse_options(conninfo: &str) -> Result<ConninfoOptions, ConninfoError> {
    let conninfo = conninfo.split('\0').next().unwrap_or("");
    if uri_prefix_len(conninfo) > 0 {
        parse_uri(conninfo)
    } else {
        parse_keyword_value(conninfo)
    }
}

fn lossy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// `conninfo_parse`.
pub fn parse_keyword_value(conninfo: &str) -> Result<ConninfoOptions, ConninfoError> {
    let b = conninfo.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut opts = ConninfoOptions::new();
    let mut i = 0;
    while at(i) != 0 {
        if is_c_space(at(i)) {
            i += 1;
            continue;
        }
        // The parameter name ends at '=' or whitespace.
        let name_start = i;
        let name_end;
        loop {
            let c = at(i);
            if c == 0 || c == b'=' {
                name_end = i;
                break;
            }
            if is_c_space(c) {
                name_end = i;
                i += 1;
                while at(i) != 0 && is_c_space(at(i)) {
                    i += 1;
                }
                break;
            }
            i += 1;
        }
        let name = lossy(b.get(name_start..name_end).unwrap_or_default().to_vec());
        if at(i) != b'=' {
            return Err(ConninfoError::MissingEquals { keyword: name });
        }
        i += 1;
        while at(i) != 0 && is_c_space(at(i)) {
            i += 1;
        }
        let mut val = Vec::new();
        if at(i) != b'\'' {
            while at(i) != 0 {
                let c = at(i);
                if is_c_space(c) {
                    i += 1;
                    break;
                }
                if c == b'\\' {
                    i += 1;
                    if at(i) != 0 {
                        val.push(at(i));
                        i += 1;
                    }
                } else {
                    val.push(c);
                    i += 1;
                }
            }
        } else {
            i += 1;
            loop {
                let c = at(i);
                if c == 0 {
                    return Err(ConninfoError::UnterminatedQuote);
                }
                if c == b'\\' {
                    i += 1;
                    if at(i) != 0 {
                        val.push(at(i));
                        i += 1;
                    }
                    continue;
                }
                if c == b'\'' {
                    i += 1;
                    break;
                }
                val.push(c);
                i += 1;
            }
        }
        opts.set(&name, &lossy(val))?;
    }
    Ok(opts)
}

/// The URI with the password (between `user:` and `@`) replaced by `********`, for messages.
pub fn redact_uri(uri: &str) -> String {
    let prefix = uri_prefix_len(uri);
    let rest = uri.get(prefix..).unwrap_or("");
    let Some(at) = rest.find(['@', '/']) else {
        return uri.to_owned();
    };
    if rest.as_bytes().get(at) != Some(&b'@') {
        return uri.to_owned();
    }
    let userinfo = rest.get(..at).unwrap_or("");
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:********{}",
            uri.get(..prefix).unwrap_or(""),
            userinfo.get(..colon).unwrap_or(""),
            rest.get(at..).unwrap_or("")
        ),
        None => uri.to_owned(),
    }
}

fn hexval(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `conninfo_uri_decode`: `%XX` escapes (no `+` → space), `%00` forbidden. `shown` is what an
/// error message echoes (the password is never echoed).
fn uri_decode(s: &[u8], shown: &str) -> Result<String, ConninfoError> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c != b'%' {
            out.push(c);
            i += 1;
            continue;
        }
        let hi = s.get(i + 1).copied().and_then(hexval);
        let lo = s.get(i + 2).copied().and_then(hexval);
        let (Some(hi), Some(lo)) = (hi, lo) else {
            return Err(ConninfoError::InvalidPercentEncoding {
                token: shown.to_owned(),
            });
        };
        let v = (hi << 4) | lo;
        if v == 0 {
            return Err(ConninfoError::ForbiddenPercentZero {
                token: shown.to_owned(),
            });
        }
        out.push(v);
        i += 3;
    }
    Ok(lossy(out))
}

fn store_decoded(
    opts: &mut ConninfoOptions,
    keyword: &str,
    raw: &[u8],
) -> Result<(), ConninfoError> {
    let shown = if keyword == "password" {
        "********".to_owned()
    } else {
        String::from_utf8_lossy(raw).into_owned()
    };
    let v = uri_decode(raw, &shown)?;
    opts.set(keyword, &v)
}

/// `conninfo_uri_parse_options`.
pub fn parse_uri(uri: &str) -> Result<ConninfoOptions, ConninfoError> {
    let b = uri.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let slice = |from: usize, to: usize| b.get(from..to).unwrap_or_default();
    let mut opts = ConninfoOptions::new();
    let start = uri_prefix_len(uri);
    let mut p = start;

    // Credentials: look ahead for '@' before any '/'.
    while at(p) != 0 && at(p) != b'@' && at(p) != b'/' {
        p += 1;
    }
    if at(p) == b'@' {
        let user_start = start;
        p = user_start;
        while at(p) != b':' && at(p) != b'@' {
            p += 1;
        }
        let user_end = p;
        if user_end > user_start {
            store_decoded(&mut opts, "user", slice(user_start, user_end))?;
        }
        if at(p) == b':' {
            let pw_start = p + 1;
            while at(p) != b'@' {
                p += 1;
            }
            if p > pw_start {
                store_decoded(&mut opts, "password", slice(pw_start, p))?;
            }
        }
        p += 1;
    } else {
        p = start;
    }

    let mut hostbuf: Vec<u8> = Vec::new();
    let mut portbuf: Vec<u8> = Vec::new();
    let mut prevchar;
    loop {
        let host_start;
        let host_end;
        if at(p) == b'[' {
            p += 1;
            host_start = p;
            while at(p) != 0 && at(p) != b']' {
                p += 1;
            }
            if at(p) == 0 {
                return Err(ConninfoError::UriUnterminatedIpv6 {
                    uri: redact_uri(uri),
                });
            }
            if p == host_start {
                return Err(ConninfoError::UriEmptyIpv6 {
                    uri: redact_uri(uri),
                });
            }
            host_end = p;
            p += 1;
            let c = at(p);
            if c != 0 && c != b':' && c != b'/' && c != b'?' && c != b',' {
                // libpq prints the byte with %c; show the whole character here.
                let character = uri.get(p..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(ConninfoError::UriUnexpectedCharacter {
                    character,
                    position: p + 1,
                    uri: redact_uri(uri),
                });
            }
        } else {
            host_start = p;
            while at(p) != 0 && !matches!(at(p), b':' | b'/' | b'?' | b',') {
                p += 1;
            }
            host_end = p;
        }
        prevchar = at(p);
        hostbuf.extend_from_slice(slice(host_start, host_end));
        if prevchar == b':' {
            p += 1;
            let port_start = p;
            while at(p) != 0 && !matches!(at(p), b'/' | b'?' | b',') {
                p += 1;
            }
            prevchar = at(p);
            portbuf.extend_from_slice(slice(port_start, p));
        }
        if prevchar != b',' {
            break;
        }
        p += 1;
        hostbuf.push(b',');
        portbuf.push(b',');
    }
    if !hostbuf.is_empty() {
        store_decoded(&mut opts, "host", &hostbuf)?;
    }
    if !portbuf.is_empty() {
        store_decoded(&mut opts, "port", &portbuf)?;
    }

    if prevchar != 0 && prevchar != b'?' {
        p += 1;
        let db_start = p;
        while at(p) != 0 && at(p) != b'?' {
            p += 1;
        }
        prevchar = at(p);
        if p > db_start {
            store_decoded(&mut opts, "dbname", slice(db_start, p))?;
        }
    }

    if prevchar != 0 {
        p += 1;
        parse_uri_params(b.get(p..).unwrap_or_default(), &mut opts)?;
    }
    Ok(opts)
}

/// `conninfo_uri_parse_params`.
fn parse_uri_params(params: &[u8], opts: &mut ConninfoOptions) -> Result<(), ConninfoError> {
    let at = |i: usize| params.get(i).copied().unwrap_or(0);
    let mut p = 0;
    while at(p) != 0 {
        let key_start = p;
        let mut key_end = None;
        let value_end;
        loop {
            let c = at(p);
            if c == b'=' {
                if key_end.is_some() {
                    let keyword = lossy(
                        params
                            .get(key_start..key_end.unwrap_or(p))
                            .unwrap_or_default()
                            .to_vec(),
                    );
                    return Err(ConninfoError::UriExtraSeparator { keyword });
                }
                key_end = Some(p);
                p += 1;
            } else if c == b'&' || c == 0 {
                value_end = p;
                if c != 0 {
                    p += 1;
                }
                break;
            } else {
                p += 1;
            }
        }
        let Some(key_end) = key_end else {
            let param = lossy(
                params
                    .get(key_start..value_end)
                    .unwrap_or_default()
                    .to_vec(),
            );
            return Err(ConninfoError::UriMissingSeparator { param });
        };
        let raw_key = params.get(key_start..key_end).unwrap_or_default();
        let raw_val = params.get(key_end + 1..value_end).unwrap_or_default();
        let keyword = uri_decode(raw_key, &String::from_utf8_lossy(raw_key))?;
        let shown_val = if keyword == "password" {
            "********".to_owned()
        } else {
            String::from_utf8_lossy(raw_val).into_owned()
        };
        let mut value = uri_decode(raw_val, &shown_val)?;
        let mut keyword = keyword;
        // "Special keyword handling for improved JDBC compatibility."
        if keyword == "ssl" && value == "true" {
            keyword = "sslmode".to_owned();
            value = "require".to_owned();
        }
        opts.set(&keyword, &value)
            .map_err(|_| ConninfoError::InvalidUriQueryParameter { keyword })?;
    }
    Ok(())
}
