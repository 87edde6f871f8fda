//! A tiny DER writer for certificates that only the host-name rules look at: any CN (raw bytes,
//! several CNs), any subjectAltName entries (including IP addresses of odd lengths and names
//! with NUL). The signature is a placeholder: nothing here is meant to verify.

pub enum Name<'a> {
    Dns(&'a [u8]),
    Ip(&'a [u8]),
    Email(&'a [u8]),
}

fn len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
}

pub fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    len(&mut out, contents.len());
    out.extend_from_slice(contents);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A subject with one RDN per CN (UTF8String), in order.
fn subject(cns: &[&[u8]]) -> Vec<u8> {
    let rdns: Vec<Vec<u8>> = cns
        .iter()
        .map(|cn| {
            let atv = seq(&[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x0c, cn)]);
            tlv(0x31, &atv)
        })
        .collect();
    seq(&rdns)
}

/// DER certificate with these CNs and (when `sans` is `Some`) a subjectAltName extension.
pub fn cert(cns: &[&[u8]], sans: Option<&[Name<'_>]>) -> Vec<u8> {
    let alg = seq(&[tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])]);
    let issuer = subject(&[b"test issuer"]);
    let validity = seq(&[tlv(0x17, b"250101000000Z"), tlv(0x17, b"350101000000Z")]);
    let spki = seq(&[
        seq(&[
            tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
        ]),
        tlv(0x03, &[0, 4, 1, 2, 3]),
    ]);
    let mut tbs_parts = vec![
        tlv(0xa0, &tlv(0x02, &[2])),
        tlv(0x02, &[1]),
        alg.clone(),
        issuer,
        validity,
        subject(cns),
        spki,
    ];
    if let Some(sans) = sans {
        let names: Vec<Vec<u8>> = sans
            .iter()
            .map(|n| match n {
                Name::Dns(d) => tlv(0x82, d),
                Name::Ip(i) => tlv(0x87, i),
                Name::Email(e) => tlv(0x81, e),
            })
            .collect();
        let ext = seq(&[tlv(0x06, &[0x55, 0x1d, 0x11]), tlv(0x04, &seq(&names))]);
        tbs_parts.push(tlv(0xa3, &seq(&[ext])));
    }
    seq(&[seq(&tbs_parts), alg, tlv(0x03, &[0, 0x30, 0])])
}
