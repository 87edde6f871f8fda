//! Encoding helpers. These write our own values, never peer bytes.

/// Writes `tag` (if any), a length word and the body produced by `body`, then patches the
/// length word (which counts itself but not the tag).
pub(crate) fn framed(out: &mut Vec<u8>, tag: Option<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    if let Some(tag) = tag {
        out.push(tag);
    }
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    body(out);
    let len = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
    if let Some(slot) = out.get_mut(start..start + 4) {
        slot.copy_from_slice(&len.to_be_bytes());
    }
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_i32(out: &mut Vec<u8>, v: i32) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_i16(out: &mut Vec<u8>, v: i16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// A count written as the protocol's Int16 (saturating: callers keep within the limit).
pub(crate) fn put_count16(out: &mut Vec<u8>, n: usize) {
    put_i16(out, i16::try_from(n).unwrap_or(i16::MAX));
}

/// A length written as Int32 (saturating).
pub(crate) fn put_len32(out: &mut Vec<u8>, n: usize) {
    put_i32(out, i32::try_from(n).unwrap_or(i32::MAX));
}

pub(crate) fn put_cstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s);
    out.push(0);
}
