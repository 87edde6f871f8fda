//! X.509 names as OpenSSL compares and hashes them.
//!
//! OpenSSL's `X509_NAME_cmp` compares a *canonical* encoding (`x509_name_canon`): every string
//! value is converted to UTF-8, leading/trailing white space removed, inner runs of white space
//! folded to one space, ASCII lower-cased, and re-tagged UTF8String; the RDN SETs are then
//! concatenated without the outer SEQUENCE. `X509_NAME_hash` (the `<hash>.0` / `<hash>.r0` file
//! names of a `c_rehash` directory, used by `sslcrldir` and `SSL_CERT_DIR`) is the first four
//! bytes of the SHA-1 of that encoding, little-endian.

use super::der::{Reader, OID, SET};

/// ASN.1 string tags that OpenSSL canonicalises (ASN1_MASK_CANON).
const UTF8: u8 = 0x0c;
const PRINTABLE: u8 = 0x13;
const T61: u8 = 0x14;
const IA5: u8 = 0x16;
const VISIBLE: u8 = 0x1a;
const UNIVERSAL: u8 = 0x1c;
const BMP: u8 = 0x1e;

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    push_len(&mut out, contents.len());
    out.extend_from_slice(contents);
    out
}

fn to_utf8(tag: u8, data: &[u8]) -> Option<String> {
    match tag {
        UTF8 => String::from_utf8(data.to_vec()).ok(),
        PRINTABLE | IA5 | VISIBLE | T61 => Some(data.iter().map(|&b| char::from(b)).collect()),
        BMP => {
            if data.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        UNIVERSAL => {
            if data.len() % 4 != 0 {
                return None;
            }
            data.chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        _ => None,
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `asn1_string_canon`: trim, fold inner white space, lower-case ASCII.
fn canon_text(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|b| !is_space(*b));
    let Some(start) = start else {
        return Vec::new();
    };
    let end = bytes.iter().rposition(|b| !is_space(*b)).unwrap_or(start);
    let mut out = Vec::with_capacity(end + 1 - start);
    let mut in_space = false;
    for &b in bytes.get(start..=end).unwrap_or_default() {
        if is_space(b) {
            if !in_space {
                out.push(b' ');
            }
            in_space = true;
        } else {
            in_space = false;
            out.push(b.to_ascii_lowercase());
        }
    }
    out
}

/// The canonical encoding of a DER `Name` (the whole SEQUENCE, header included), or `None` when
/// it does not parse. An empty name has an empty encoding.
pub(crate) fn canonical(name_der: &[u8]) -> Option<Vec<u8>> {
    let mut outer = Reader::new(name_der);
    let seq = outer.expect(super::der::SEQUENCE)?;
    let mut rdns = Reader::new(seq.contents);
    let mut out = Vec::new();
    while let Some(set) = rdns.next() {
        if set.tag != SET {
            return None;
        }
        let mut atvs = Reader::new(set.contents);
        let mut entries: Vec<Vec<u8>> = Vec::new();
        while let Some(atv) = atvs.next() {
            let mut r = Reader::new(atv.contents);
            let oid = r.expect(OID)?;
            let value = r.next()?;
            let value_enc = match to_utf8(value.tag, value.contents) {
                Some(text) => tlv(UTF8, &canon_text(&text)),
                None => value.full.to_vec(),
            };
            let mut body = oid.full.to_vec();
            body.extend_from_slice(&value_enc);
            entries.push(tlv(super::der::SEQUENCE, &body));
        }
        // DER SET OF: elements sorted by their encoding.
        entries.sort();
        out.extend_from_slice(&tlv(SET, &entries.concat()));
    }
    Some(out)
}

/// `X509_NAME_cmp() == 0`: equal canonical encodings (falls back to byte equality for names
/// that do not parse).
pub(crate) fn names_equal(a_der: &[u8], b_der: &[u8]) -> bool {
    match (canonical(a_der), canonical(b_der)) {
        (Some(a), Some(b)) => a == b,
        _ => a_der == b_der,
    }
}

/// `X509_NAME_hash_ex`: the `%08lx` file-name stem used in hashed directories.
pub(crate) fn name_hash(name_der: &[u8]) -> Option<u32> {
    let canon = canonical(name_der)?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &canon);
    let d = digest.as_ref();
    Some(u32::from_le_bytes([
        *d.first()?,
        *d.get(1)?,
        *d.get(2)?,
        *d.get(3)?,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canon_folds_space_and_case() {
        assert_eq!(canon_text("  Foo   BAR\tbaz  "), b"foo bar baz");
        assert_eq!(canon_text("   "), b"");
    }

    #[test]
    fn printable_and_utf8_names_compare_equal_after_canonicalisation() {
        // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, PrintableString "Root CA" } } }
        let printable = [
            0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x07, b'R',
            b'o', b'o', b't', b' ', b'C', b'A',
        ];
        // Same with UTF8String "root  ca "
        let utf8 = [
            0x30, 0x14, 0x31, 0x12, 0x30, 0x10, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x09, b'r',
            b'o', b'o', b't', b' ', b' ', b'c', b'a', b' ',
        ];
        assert!(names_equal(&printable, &utf8));
        assert_ne!(printable.as_slice(), utf8.as_slice());
    }
}
