//! A tiny bounded DER reader for the few structures we take apart ourselves (the outer
//! certificate/CRL envelope, SubjectPublicKeyInfo, GeneralNames, the subject's first CN).
//!
//! Peer bytes never panic here: every read goes through [`Reader`], which checks lengths before
//! slicing and refuses indefinite or oversized lengths.

/// One TLV: tag byte, the whole encoding (header included) and the contents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) full: &'a [u8],
    pub(crate) contents: &'a [u8],
}

/// A cursor over DER bytes.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next TLV, or `None` when the input is empty or malformed (single-byte tags only:
    /// X.509 never needs high tag numbers).
    pub(crate) fn next(&mut self) -> Option<Tlv<'a>> {
        let input = self.rest;
        let (&tag, after_tag) = input.split_first()?;
        if tag & 0x1f == 0x1f {
            return None;
        }
        let (&first, after_len) = after_tag.split_first()?;
        let (len, header_rest) = if first < 0x80 {
            (usize::from(first), after_len)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let bytes = after_len.get(..n)?;
            let mut len = 0usize;
            for b in bytes {
                len = (len << 8) | usize::from(*b);
            }
            (len, after_len.get(n..)?)
        };
        let contents = header_rest.get(..len)?;
        let header_len = input.len() - header_rest.len();
        let full = input.get(..header_len + len)?;
        self.rest = header_rest.get(len..)?;
        Some(Tlv {
            tag,
            full,
            contents,
        })
    }

    /// The next TLV if it has `tag`, without consuming otherwise.
    pub(crate) fn next_if(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let mut probe = self.clone();
        let tlv = probe.next()?;
        if tlv.tag == tag {
            *self = probe;
            Some(tlv)
        } else {
            None
        }
    }

    /// The next TLV, which must have `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let tlv = self.next()?;
        (tlv.tag == tag).then_some(tlv)
    }
}

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
pub(crate) const OID: u8 = 0x06;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const INTEGER: u8 = 0x02;

/// The envelope of a signed object (certificate or CRL): `SEQUENCE { tbs, algorithm, signature }`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signed<'a> {
    /// The to-be-signed part, header included (what the signature covers).
    pub(crate) tbs: Tlv<'a>,
    /// Contents of the outer AlgorithmIdentifier (OID + parameters), as webpki's ids are written.
    pub(crate) algorithm: &'a [u8],
    /// Signature bits (unused-bits byte removed).
    pub(crate) signature: &'a [u8],
}

pub(crate) fn signed(der: &[u8]) -> Option<Signed<'_>> {
    let mut outer = Reader::new(der);
    let seq = outer.expect(SEQUENCE)?;
    if !outer.is_empty() {
        return None;
    }
    let mut r = Reader::new(seq.contents);
    let tbs = r.expect(SEQUENCE)?;
    let algorithm = r.expect(SEQUENCE)?.contents;
    let bits = r.expect(BIT_STRING)?.contents;
    let (&unused, signature) = bits.split_first()?;
    if unused != 0 || !r.is_empty() {
        return None;
    }
    Some(Signed {
        tbs,
        algorithm,
        signature,
    })
}

/// SubjectPublicKeyInfo split into the algorithm's contents and the key bits.
pub(crate) fn spki(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut outer = Reader::new(der);
    let seq = outer.expect(SEQUENCE)?;
    let mut r = Reader::new(seq.contents);
    let algorithm = r.expect(SEQUENCE)?.contents;
    let bits = r.expect(BIT_STRING)?.contents;
    let (&unused, key) = bits.split_first()?;
    (unused == 0).then_some((algorithm, key))
}

/// The fields of a TBSCertificate that the host-name rules need, read without interpreting
/// anything else (so a certificate other parsers refuse still gets libpq's treatment).
#[derive(Debug, Clone, Default)]
pub(crate) struct NameFields<'a> {
    /// Raw contents of the first commonName attribute value of the subject (any string type).
    pub(crate) first_cn: Option<&'a [u8]>,
    /// `Some` when there is exactly one subjectAltName extension: its GeneralNames in order.
    pub(crate) san: Option<Vec<GeneralName<'a>>>,
}

/// The GeneralName kinds libpq looks at; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GeneralName<'a> {
    Dns(&'a [u8]),
    Ip(&'a [u8]),
    Other,
}

const CN_OID: &[u8] = &[0x55, 0x04, 0x03];
const SAN_OID: &[u8] = &[0x55, 0x1d, 0x11];

pub(crate) fn name_fields(cert_der: &[u8]) -> Option<NameFields<'_>> {
    let signed = signed(cert_der)?;
    let mut tbs = Reader::new(signed.tbs.contents);
    let _version = tbs.next_if(0xa0);
    tbs.expect(INTEGER)?; // serial
    tbs.expect(SEQUENCE)?; // signature
    tbs.expect(SEQUENCE)?; // issuer
    tbs.expect(SEQUENCE)?; // validity
    let subject = tbs.expect(SEQUENCE)?;
    tbs.expect(SEQUENCE)?; // spki
    let _issuer_uid = tbs.next_if(0x81);
    let _subject_uid = tbs.next_if(0x82);
    let extensions = tbs.next_if(0xa3);

    let mut fields = NameFields::default();
    let mut rdns = Reader::new(subject.contents);
    'rdn: while let Some(set) = rdns.next() {
        if set.tag != SET {
            return None;
        }
        let mut atvs = Reader::new(set.contents);
        while let Some(atv) = atvs.next() {
            let mut r = Reader::new(atv.contents);
            let oid = r.expect(OID)?;
            let value = r.next()?;
            if oid.contents == CN_OID {
                fields.first_cn = Some(value.contents);
                break 'rdn;
            }
        }
    }

    if let Some(exts) = extensions {
        let mut outer = Reader::new(exts.contents);
        let list = outer.expect(SEQUENCE)?;
        let mut r = Reader::new(list.contents);
        let mut sans = Vec::new();
        while let Some(ext) = r.next() {
            let mut e = Reader::new(ext.contents);
            let oid = e.expect(OID)?;
            let _critical = e.next_if(0x01);
            let value = e.expect(OCTET_STRING)?;
            if oid.contents == SAN_OID {
                sans.push(value.contents);
            }
        }
        // OpenSSL's X509_get_ext_d2i() returns nothing when the extension appears twice.
        if let [only] = sans.as_slice() {
            let mut v = Reader::new(only);
            let seq = v.expect(SEQUENCE)?;
            let mut names = Reader::new(seq.contents);
            let mut out = Vec::new();
            while let Some(gn) = names.next() {
                out.push(match gn.tag {
                    0x82 => GeneralName::Dns(gn.contents),
                    0x87 => GeneralName::Ip(gn.contents),
                    _ => GeneralName::Other,
                });
            }
            fields.san = Some(out);
        }
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_refuses_truncated_and_long_lengths() {
        assert!(Reader::new(&[0x30, 0x05, 0x01]).next().is_none());
        assert!(Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1]).next().is_none());
        assert!(Reader::new(&[0x30, 0x80]).next().is_none());
        assert!(Reader::new(&[]).next().is_none());
        let tlv = Reader::new(&[0x04, 0x81, 0x01, 0xaa]).next().unwrap();
        assert_eq!(tlv.contents, &[0xaa]);
        assert_eq!(tlv.full.len(), 4);
    }

    #[test]
    fn garbage_never_panics() {
        for len in 0..64u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37) ^ 0x30).collect();
            let _ = name_fields(&bytes);
            let _ = signed(&bytes);
            let _ = spki(&bytes);
        }
    }
}
