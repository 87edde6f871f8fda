//! Base64 as PostgreSQL's `pg_b64_encode` / `pg_b64_decode` do it.

use base64::Engine as _;

/// Standard padded base64 (identical to `pg_b64_encode`).
pub(crate) fn encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `pg_b64_decode`: standard alphabet, padding required (length a multiple of 4), whitespace
/// rejected, `=` only as the third or fourth character of a group, unused trailing bits
/// ignored. `None` where PostgreSQL returns -1. An empty input decodes to no bytes.
pub(crate) fn decode_pg(src: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut buf: u32 = 0;
    let mut pos = 0;
    let mut end = 0; // 0: no padding seen; 1: "xx=="; 2: "xxx="
    for &c in src {
        let b = if c == b'=' {
            if end == 0 {
                end = match pos {
                    2 => 1,
                    3 => 2,
                    _ => return None,
                };
            }
            0
        } else {
            u32::from(value(c)?)
        };
        buf = (buf << 6) | b;
        pos += 1;
        if pos == 4 {
            out.push((buf >> 16) as u8);
            if end == 0 || end > 1 {
                out.push((buf >> 8) as u8);
            }
            if end == 0 || end > 2 {
                out.push(buf as u8);
            }
            buf = 0;
            pos = 0;
        }
    }
    if pos != 0 {
        return None;
    }
    Some(out)
}

fn value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_postgres() {
        assert_eq!(decode_pg(b"biws").as_deref(), Some(&b"n,,"[..]));
        assert_eq!(decode_pg(b"").as_deref(), Some(&b""[..]));
        assert_eq!(decode_pg(b"QQ==").as_deref(), Some(&b"A"[..]));
        assert_eq!(decode_pg(b"QUI=").as_deref(), Some(&b"AB"[..]));
        assert_eq!(decode_pg(b"QQ"), None); // missing padding
        assert_eq!(decode_pg(b"Q==="), None); // '=' in second position
        assert_eq!(decode_pg(b"QU I="), None); // whitespace
        assert_eq!(decode_pg(b"QR=="), Some(b"A".to_vec())); // trailing bits ignored
    }
}
