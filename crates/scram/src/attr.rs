//! A cursor over a SCRAM message that behaves like the C parsers in libpq and PostgreSQL
//! (`read_attr_value`, `read_any_attr`), including their treatment of the end of the string.

/// The message bytes and a position; reading past the end yields NUL, as in C.
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// The current byte, NUL at the end.
    pub(crate) fn peek(&self) -> u8 {
        self.buf.get(self.pos).copied().unwrap_or(0)
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn bump(&mut self) {
        if !self.at_end() {
            self.pos += 1;
        }
    }

    /// Everything from the current position.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// The value up to the next `,` (consumed) or the end. Call after `attr=` was checked.
    pub(crate) fn value(&mut self) -> &'a [u8] {
        let rest = self.rest();
        let len = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
        let value = rest.get(..len).unwrap_or_default();
        self.pos += len;
        if !self.at_end() {
            self.pos += 1; // the comma
        }
        value
    }
}

/// Why `read_attr_value` failed.
pub(crate) enum AttrError {
    /// The attribute letter was not the expected one; carries the byte found (0 at the end).
    Expected(u8),
    /// No `=` after the letter.
    NoEquals,
}

/// `read_attr_value(&input, attr)`.
pub(crate) fn read_attr_value<'a>(c: &mut Cursor<'a>, attr: u8) -> Result<&'a [u8], AttrError> {
    let found = c.peek();
    if found != attr {
        return Err(AttrError::Expected(found));
    }
    c.bump();
    if c.peek() != b'=' {
        return Err(AttrError::NoEquals);
    }
    c.bump();
    Ok(c.value())
}

/// PostgreSQL's `sanitize_char`: `'c'` for printable ASCII, else `0xNN`.
pub(crate) fn sanitize_char(c: u8) -> String {
    if (0x21..=0x7e).contains(&c) {
        format!("'{}'", c as char)
    } else {
        format!("0x{c:02x}")
    }
}

/// PostgreSQL's `sanitize_str`: non-printable bytes become `?`, truncated to 30 characters.
pub(crate) fn sanitize_str(s: &[u8]) -> String {
    s.iter()
        .take(30)
        .map(|&c| {
            if (0x21..=0x7e).contains(&c) {
                c as char
            } else {
                '?'
            }
        })
        .collect()
}
