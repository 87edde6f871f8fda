//! A bounds-checked cursor over one message's bytes (after rustls's `codec::Reader`).

use crate::DecodeError;

/// Reads fields from one complete message; every read is checked, nothing panics.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` from the start of the message, for error reports.
    base: usize,
    message: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], base: usize, message: &'static str) -> Self {
        Self {
            buf,
            pos: 0,
            base,
            message,
        }
    }

    pub(crate) fn message(&self) -> &'static str {
        self.message
    }

    /// Offset of the next byte from the start of the message.
    pub(crate) fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.buf.get(self.pos..end))
            .ok_or(DecodeError::Truncated {
                message: self.message,
                offset: self.offset(),
                needed: n,
                available: self.remaining(),
            })?;
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    pub(crate) fn i16(&mut self) -> Result<i16, DecodeError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// The bytes of a NUL-terminated string, without the NUL (which is consumed).
    pub(crate) fn cstr_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        let Some(len) = rest.iter().position(|&b| b == 0) else {
            return Err(DecodeError::MissingTerminator {
                message: self.message,
                offset: self.offset(),
            });
        };
        let s = self.take(len)?;
        self.take(1)?;
        Ok(s)
    }

    /// A NUL-terminated UTF-8 string.
    pub(crate) fn cstr(&mut self) -> Result<String, DecodeError> {
        let offset = self.offset();
        let bytes = self.cstr_bytes()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::InvalidUtf8 {
            message: self.message,
            offset,
        })
    }

    /// Everything left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        rest
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte was consumed.
    pub(crate) fn expect_empty(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes {
                message: self.message,
                offset: self.offset(),
                count: self.remaining(),
            })
        }
    }

    pub(crate) fn invalid(&self, offset: usize, what: &'static str, value: i64) -> DecodeError {
        DecodeError::InvalidValue {
            message: self.message,
            offset,
            what,
            value,
        }
    }
}

/// Reads the 4-byte big-endian length word at `offset`, if it has fully arrived.
pub(crate) fn length_word(buf: &[u8], offset: usize) -> Option<u32> {
    let end = offset.checked_add(4)?;
    let bytes: [u8; 4] = buf.get(offset..end)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

/// A complete tagged message: (tag, body, bytes consumed).
pub(crate) type Frame<'a> = (u8, &'a [u8], usize);

/// One complete tagged message at the start of `buf`.
///
/// `Ok(None)` until the whole message has arrived; the length word is checked against
/// `4..=max_len` as soon as it is readable. `name` maps the tag to the message name used in
/// errors.
pub(crate) fn tagged_frame(
    buf: &[u8],
    max_len: usize,
    name: impl Fn(u8) -> &'static str,
) -> Result<Option<Frame<'_>>, DecodeError> {
    let Some(&tag) = buf.first() else {
        return Ok(None);
    };
    let Some(len) = length_word(buf, 1) else {
        return Ok(None);
    };
    let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
    if len_usize < 4 || len_usize > max_len {
        return Err(DecodeError::InvalidLength {
            message: name(tag),
            offset: 1,
            length: len,
            min: 4,
            max: max_len,
        });
    }
    let total = len_usize.saturating_add(1);
    let Some(body) = buf.get(5..total) else {
        return Ok(None);
    };
    Ok(Some((tag, body, total)))
}
