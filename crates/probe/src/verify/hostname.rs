//! Host name verification exactly as libpq does it for `sslmode=verify-full`
//! (`pq_verify_peer_name_matches_certificate` and friends in `fe-secure-common.c` /
//! `fe-secure-openssl.c`, PostgreSQL 15).
//!
//! The rules, in libpq's order:
//! - The host is an IP address when glibc's `inet_aton` accepts it (so `192.000.002.001`, `0x7f.1`
//!   or `127.1` are IPs, and so is `1.2.3.4 junk`: `inet_aton` stops at white space) or `inet_pton`
//!   accepts it as IPv6.
//! - Every dNSName and iPAddress SAN is examined in certificate order; the first match wins. A SAN
//!   of the host's own kind disables the CN fallback; a SAN of the other kind does not.
//! - dNSName (and CN): embedded NUL is an error; otherwise ASCII case-insensitive equality, or a
//!   wildcard `*.suffix` (at least 3 characters) where the `*` covers one label. The comparison is
//!   textual, so an IP written as a dNSName matches the same text, and nothing strips a trailing
//!   dot.
//! - iPAddress: 4 bytes compare with `inet_aton(host)`, 16 bytes with `inet_pton(AF_INET6, host)`,
//!   any other length is an error.
//! - The CN (the first one only, raw bytes of whatever string type) is checked only when no SAN of
//!   the host's kind exists.
//! - No match: `server certificate for "<first>" [(and N other name[s])] does not match host name
//!   "<host>"`, or `could not get server's host name from server certificate` when no name was
//!   examined.

use serde::Serialize;

use super::der::{self, GeneralName};

/// What the host-name check found; [`match_hostname`] reduces it to libpq's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostnameOutcome {
    /// The host compared (libpq's `host`, never `hostaddr`).
    pub host: String,
    /// Whether libpq classifies the host as an IP address (`inet_aton`/`inet_pton`).
    pub host_is_ip: bool,
    /// Names examined, in libpq's order, as libpq prints them (IP SANs in `inet_net_ntop` form).
    pub presented: Vec<String>,
    /// The name that matched, if any.
    pub matched: Option<String>,
    /// libpq's error text when the host does not match (or a name is malformed).
    pub error: Option<String>,
}

/// Checks `host` against the certificate as libpq 15 does for `verify-full`.
///
/// `Ok(())` when libpq accepts; otherwise libpq's exact message (without the trailing newline),
/// e.g. `server certificate for "a.example" (and 2 other names) does not match host name "b"`.
pub fn match_hostname(cert_der: &[u8], host: &str) -> Result<(), String> {
    let outcome = check_hostname(cert_der, host);
    match outcome.error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// The full outcome of the host-name check, for the diagnosis.
pub fn check_hostname(cert_der: &[u8], host: &str) -> HostnameOutcome {
    // libpq works on C strings: a NUL ends the host.
    let host = host.split('\0').next().unwrap_or_default();
    let host_bytes = host.as_bytes();
    let host_is_ip = inet_aton(host_bytes).is_some() || inet_pton6(host_bytes).is_some();
    let mut outcome = HostnameOutcome {
        host: host.to_owned(),
        host_is_ip,
        presented: Vec::new(),
        matched: None,
        error: None,
    };
    if host.is_empty() {
        outcome.error = Some("host name must be specified for a verified SSL connection".into());
        return outcome;
    }
    let Some(fields) = der::name_fields(cert_der) else {
        // OpenSSL would not have parsed this certificate at all; libpq has no name to show.
        outcome.error = Some("could not get server's host name from server certificate".into());
        return outcome;
    };

    let mut check_cn = true;
    let mut rc = NameMatch::No;
    if let Some(sans) = &fields.san {
        for name in sans {
            match (name, host_is_ip) {
                (GeneralName::Dns(_), false) | (GeneralName::Ip(_), true) => check_cn = false,
                _ => {}
            }
            rc = match name {
                GeneralName::Dns(bytes) => match_name(bytes, host_bytes, &mut outcome),
                GeneralName::Ip(bytes) => match_ip(bytes, host_bytes, &mut outcome),
                GeneralName::Other => continue,
            };
            if rc != NameMatch::No {
                check_cn = false;
                break;
            }
        }
    }
    if check_cn {
        if let Some(cn) = fields.first_cn {
            rc = match_name(cn, host_bytes, &mut outcome);
        }
    }
    match rc {
        NameMatch::Yes => {}
        NameMatch::Error(e) => outcome.error = Some(e),
        NameMatch::No => outcome.error = Some(mismatch_message(&outcome.presented, host)),
    }
    outcome
}

fn mismatch_message(presented: &[String], host: &str) -> String {
    match presented {
        [] => "could not get server's host name from server certificate".into(),
        [first] => {
            format!("server certificate for \"{first}\" does not match host name \"{host}\"")
        }
        [first, rest @ ..] => {
            let n = rest.len();
            let noun = if n == 1 { "name" } else { "names" };
            format!(
                "server certificate for \"{first}\" (and {n} other {noun}) does not match host name \"{host}\""
            )
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NameMatch {
    Yes,
    No,
    Error(String),
}

/// `pq_verify_peer_name_matches_certificate_name`.
fn match_name(name: &[u8], host: &[u8], outcome: &mut HostnameOutcome) -> NameMatch {
    if name.contains(&0) {
        return NameMatch::Error("SSL certificate's name contains embedded null".into());
    }
    let text = String::from_utf8_lossy(name).into_owned();
    outcome.presented.push(text.clone());
    if name.eq_ignore_ascii_case(host) || wildcard_certificate_match(name, host) {
        outcome.matched = Some(text);
        NameMatch::Yes
    } else {
        NameMatch::No
    }
}

/// libpq's `wildcard_certificate_match`, including its quirk: the test for a dot inside the part
/// the `*` covers ignores that part's last character, so `*.b.c` also matches `a..b.c`.
fn wildcard_certificate_match(pattern: &[u8], string: &[u8]) -> bool {
    let (lenpat, lenstr) = (pattern.len(), string.len());
    if lenpat < 3 || !pattern.starts_with(b"*.") || lenpat > lenstr {
        return false;
    }
    let (Some(pat_suffix), Some(str_suffix)) =
        (pattern.get(1..), string.get(lenstr - lenpat + 1..))
    else {
        return false;
    };
    if !pat_suffix.eq_ignore_ascii_case(str_suffix) {
        return false;
    }
    match string.iter().position(|&c| c == b'.') {
        Some(first_dot) => first_dot >= lenstr - lenpat,
        None => false,
    }
}

/// `pq_verify_peer_name_matches_certificate_ip`.
fn match_ip(ip: &[u8], host: &[u8], outcome: &mut HostnameOutcome) -> NameMatch {
    let matched = match ip.len() {
        4 => inet_aton(host).is_some_and(|a| a.as_slice() == ip),
        16 => inet_pton6(host).is_some_and(|a| a.as_slice() == ip),
        n => {
            return NameMatch::Error(format!(
                "certificate contains IP address with invalid length {n}"
            ))
        }
    };
    let text = inet_net_ntop(ip);
    outcome.presented.push(text.clone());
    if matched {
        outcome.matched = Some(text);
        NameMatch::Yes
    } else {
        NameMatch::No
    }
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// glibc's `strtoul(s, &end, 0)` for a string that starts with a digit: the value (saturating
/// to `None` on overflow) and the number of bytes consumed.
fn strtoul0(s: &[u8]) -> (Option<u64>, usize) {
    let (radix, start) = match s {
        [b'0', b'x' | b'X', c, ..] if c.is_ascii_hexdigit() => (16, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let mut value: Option<u64> = Some(0);
    let mut i = start;
    while let Some(d) = s.get(i).and_then(|&c| char::from(c).to_digit(radix)) {
        value = value
            .and_then(|v| v.checked_mul(u64::from(radix)))
            .and_then(|v| v.checked_add(u64::from(d)));
        i += 1;
    }
    (value, i)
}

/// glibc's `inet_aton`: `a`, `a.b`, `a.b.c`, `a.b.c.d` with C number syntax (decimal, `0` octal,
/// `0x` hex) per part, the last part filling the remaining bytes, and anything after white space
/// ignored.
pub(crate) fn inet_aton(s: &[u8]) -> Option<[u8; 4]> {
    let mut parts: Vec<u64> = Vec::with_capacity(3);
    let mut i = 0;
    let last = loop {
        let rest = s.get(i..)?;
        if !rest.first()?.is_ascii_digit() {
            return None;
        }
        let (value, used) = strtoul0(rest);
        let value = value.filter(|v| *v <= 0xffff_ffff)?;
        i += used;
        if s.get(i) == Some(&b'.') {
            if parts.len() > 2 || value > 0xff {
                return None;
            }
            parts.push(value);
            i += 1;
        } else {
            break value;
        }
    };
    if let Some(&c) = s.get(i) {
        if !is_c_space(c) {
            return None;
        }
    }
    let max = [0xffff_ffffu64, 0xff_ffff, 0xffff, 0xff];
    if last > *max.get(parts.len())? {
        return None;
    }
    let mut word = last;
    for (k, p) in parts.iter().enumerate() {
        word |= p << (24 - 8 * k);
    }
    u32::try_from(word).ok().map(u32::to_be_bytes)
}

/// glibc's `inet_pton4` (strict dotted quad, no leading zeros), used inside IPv6 addresses.
fn inet_pton4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0usize;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &c in s {
        if c.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            cur = cur * 10 + u32::from(c - b'0');
            if cur > 255 {
                return None;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            *out.get_mut(octets - 1)? = u8::try_from(cur).ok()?;
        } else if c == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return None;
        }
    }
    (octets == 4).then_some(out)
}

/// glibc's `inet_pton(AF_INET6, ...)`.
pub(crate) fn inet_pton6(s: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut src = s;
    if src.is_empty() {
        return None;
    }
    if src.first() == Some(&b':') {
        if src.get(1) != Some(&b':') {
            return None;
        }
        src = src.get(1..)?;
    }
    let mut curtok = 0usize;
    let mut xdigits = 0usize;
    let mut val: u32 = 0;
    let mut i = 0usize;
    while let Some(&ch) = src.get(i) {
        i += 1;
        if let Some(d) = char::from(ch).to_digit(16) {
            if xdigits == 4 {
                return None;
            }
            val = (val << 4) | d;
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == src.len() {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp] = (val >> 8) as u8;
            tmp[tp + 1] = (val & 0xff) as u8;
            tp += 2;
            xdigits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            let v4 = inet_pton4(src.get(curtok..)?)?;
            tmp.get_mut(tp..tp + 4)?.copy_from_slice(&v4);
            tp += 4;
            xdigits = 0;
            break;
        }
        return None;
    }
    if xdigits > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp] = (val >> 8) as u8;
        tmp[tp + 1] = (val & 0xff) as u8;
        tp += 2;
    }
    if let Some(c) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - c;
        let moved: Vec<u8> = tmp.get(c..tp)?.to_vec();
        for b in tmp.get_mut(c..)? {
            *b = 0;
        }
        tmp.get_mut(16 - n..)?.copy_from_slice(&moved);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// PostgreSQL's `pg_inet_net_ntop` for a full-length address (BIND's formatting: longest run of
/// two or more zero words compressed, `::a.b.c.d` and `::ffff:a.b.c.d` written with a dotted tail).
pub(crate) fn inet_net_ntop(ip: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(ip) {
        return format!("{}.{}.{}.{}", v4[0], v4[1], v4[2], v4[3]);
    }
    let Ok(v6) = <[u8; 16]>::try_from(ip) else {
        return String::new();
    };
    let words: Vec<u16> = v6
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let (mut cur_base, mut cur_len) = (None::<usize>, 0usize);
    for (i, w) in words.iter().enumerate() {
        if *w == 0 {
            if cur_base.is_none() {
                cur_base = Some(i);
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if let Some(b) = cur_base.take() {
            if best_base.is_none() || cur_len > best_len {
                best_base = Some(b);
                best_len = cur_len;
            }
        }
    }
    if let Some(b) = cur_base {
        if best_base.is_none() || cur_len > best_len {
            best_base = Some(b);
            best_len = cur_len;
        }
    }
    if best_len < 2 {
        best_base = None;
    }
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if let Some(b) = best_base {
            if i >= b && i < b + best_len {
                if i == b {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6
            && best_base == Some(0)
            && (best_len == 6 || (best_len == 5 && words.get(5) == Some(&0xffff)))
        {
            out.push_str(&format!("{}.{}.{}.{}", v6[12], v6[13], v6[14], v6[15]));
            return out;
        }
        out.push_str(&format!("{w:x}"));
    }
    if best_base.is_some_and(|b| b + best_len == 8) {
        out.push(':');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values below were checked against glibc (Python's socket.inet_aton/inet_pton,
    // which call it) by hand; they are written out, not computed.
    #[test]
    fn inet_aton_accepts_glibc_forms() {
        assert_eq!(inet_aton(b"192.000.002.001"), Some([192, 0, 2, 1]));
        assert_eq!(inet_aton(b"127.1"), Some([127, 0, 0, 1]));
        assert_eq!(inet_aton(b"0x7f.1"), Some([127, 0, 0, 1]));
        assert_eq!(inet_aton(b"017.0.0.1"), Some([15, 0, 0, 1]));
        assert_eq!(inet_aton(b"3232235777"), Some([192, 168, 1, 1]));
        assert_eq!(inet_aton(b"10.0.258"), Some([10, 0, 1, 2]));
        assert_eq!(inet_aton(b"1.2.3.4 trailing"), Some([1, 2, 3, 4]));
        assert_eq!(inet_aton(b"1.2.3.4\t"), Some([1, 2, 3, 4]));
        assert_eq!(inet_aton(b"0"), Some([0, 0, 0, 0]));
    }

    #[test]
    fn inet_aton_rejects_non_addresses() {
        for bad in [
            &b""[..],
            b"1.2.3.4.",
            b"1.2.3.4.5",
            b"256.1.1.1",
            b"1.2.3.256",
            b"08.1.1.1",
            b"0x",
            b"1..2",
            b"a.b.c.d",
            b" 1.2.3.4",
            b"1.2.3.4x",
            b"4294967296",
            b"1.16777216",
            b"localhost",
            b"::1",
        ] {
            assert_eq!(inet_aton(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn inet_pton6_matches_glibc() {
        let one = {
            let mut a = [0u8; 16];
            a[15] = 1;
            a
        };
        assert_eq!(inet_pton6(b"::1"), Some(one));
        assert_eq!(inet_pton6(b"0:0:0:0:0:0:0:1"), Some(one));
        assert_eq!(inet_pton6(b"::0.0.0.1"), Some(one));
        assert!(inet_pton6(b"1:2:3:4:5:6:7::").is_some());
        assert!(inet_pton6(b"::ffff:192.0.2.1").is_some());
        for bad in [
            &b""[..],
            b":",
            b":::",
            b"1::2::3",
            b"1:2:3:4:5:6:7:8::",
            b"1:",
            b":1::",
            b"12345::",
            b"::01.2.3.4",
            b"::1.2.3",
            b"fe80::1%eth0",
            b"[::1]",
            b"1.2.3.4",
        ] {
            assert_eq!(inet_pton6(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn ntop_writes_bind_style() {
        let v6 = |s: &str| inet_pton6(s.as_bytes()).unwrap();
        assert_eq!(inet_net_ntop(&v6("2001:DB8:0:0:0:0:0:1")), "2001:db8::1");
        assert_eq!(inet_net_ntop(&v6("::ffff:192.0.2.1")), "::ffff:192.0.2.1");
        assert_eq!(inet_net_ntop(&v6("::192.0.2.1")), "::192.0.2.1");
        assert_eq!(inet_net_ntop(&v6("::1")), "::1");
        assert_eq!(inet_net_ntop(&v6("::")), "::");
        assert_eq!(inet_net_ntop(&v6("1:0:2:0:0:3:0:0")), "1:0:2::3:0:0");
        assert_eq!(inet_net_ntop(&v6("1:0:0:2:0:0:3:4")), "1::2:0:0:3:4");
        assert_eq!(inet_net_ntop(&v6("1::")), "1::");
        assert_eq!(inet_net_ntop(&[10, 0, 0, 1]), "10.0.0.1");
    }

    #[test]
    fn wildcard_follows_libpq_including_its_quirk() {
        assert!(wildcard_certificate_match(
            b"*.example.com",
            b"a.example.com"
        ));
        assert!(wildcard_certificate_match(
            b"*.EXAMPLE.com",
            b"A.example.COM"
        ));
        assert!(!wildcard_certificate_match(
            b"*.example.com",
            b"example.com"
        ));
        assert!(!wildcard_certificate_match(
            b"*.example.com",
            b"a.b.example.com"
        ));
        assert!(!wildcard_certificate_match(b"*.", b"a."));
        assert!(wildcard_certificate_match(b"*.c", b"a.c"));
        assert!(!wildcard_certificate_match(
            b"f*.example.com",
            b"foo.example.com"
        ));
        assert!(!wildcard_certificate_match(
            b"*foo.example.com",
            b"afoo.example.com"
        ));
        // The off-by-one in libpq's dot test.
        assert!(wildcard_certificate_match(b"*.b.c", b"a..b.c"));
        assert!(wildcard_certificate_match(b"*.b.c", b"..b.c"));
    }
}
