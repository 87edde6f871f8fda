//! ErrorResponse / NoticeResponse fields, rendered the way libpq prints them.

use std::fmt;

use crate::reader::Reader;
use crate::writer::put_cstr;
use crate::DecodeError;

/// The field codes of ErrorResponse / NoticeResponse (PostgreSQL's `PG_DIAG_*`).
pub mod field {
    /// `S`: severity, possibly localized (`FATAL`, `ERROR`, ...). libpq prints this one.
    pub const SEVERITY: u8 = b'S';
    /// `V`: severity, never localized (PostgreSQL 9.6+).
    pub const SEVERITY_NONLOCALIZED: u8 = b'V';
    /// `C`: SQLSTATE code.
    pub const SQLSTATE: u8 = b'C';
    /// `M`: primary message.
    pub const MESSAGE: u8 = b'M';
    /// `D`: detail.
    pub const DETAIL: u8 = b'D';
    /// `H`: hint.
    pub const HINT: u8 = b'H';
    /// `P`: cursor position in the query string (1-based characters).
    pub const POSITION: u8 = b'P';
    /// `p`: cursor position in an internal query.
    pub const INTERNAL_POSITION: u8 = b'p';
    /// `q`: the internal query.
    pub const INTERNAL_QUERY: u8 = b'q';
    /// `W`: context ("where").
    pub const CONTEXT: u8 = b'W';
    /// `s`: schema name.
    pub const SCHEMA: u8 = b's';
    /// `t`: table name.
    pub const TABLE: u8 = b't';
    /// `c`: column name.
    pub const COLUMN: u8 = b'c';
    /// `d`: data type name.
    pub const DATATYPE: u8 = b'd';
    /// `n`: constraint name.
    pub const CONSTRAINT: u8 = b'n';
    /// `F`: source file.
    pub const FILE: u8 = b'F';
    /// `L`: source line.
    pub const LINE: u8 = b'L';
    /// `R`: source routine.
    pub const ROUTINE: u8 = b'R';

    /// Every code PostgreSQL documents, in the order the server sends them.
    pub const ALL: [u8; 18] = [
        SEVERITY,
        SEVERITY_NONLOCALIZED,
        SQLSTATE,
        MESSAGE,
        DETAIL,
        HINT,
        POSITION,
        INTERNAL_POSITION,
        INTERNAL_QUERY,
        CONTEXT,
        SCHEMA,
        TABLE,
        COLUMN,
        DATATYPE,
        CONSTRAINT,
        FILE,
        LINE,
        ROUTINE,
    ];
}

/// The body of an ErrorResponse or NoticeResponse: (code, value) pairs in wire order.
/// Unknown codes are kept (clients must ignore them, a diagnosis may not).
///
/// `Display` is libpq's first line in default verbosity, e.g. `FATAL:  no pg_hba.conf entry ...`
/// (two spaces after the colon).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ErrorFields {
    /// The fields in the order they were sent. Codes are never 0; values contain no NUL.
    pub fields: Vec<(u8, String)>,
}

impl ErrorFields {
    /// Fields `S`, `V`, `C`, `M` as the server sends them.
    pub fn new(severity: &str, sqlstate: &str, message: impl Into<String>) -> Self {
        Self {
            fields: vec![
                (field::SEVERITY, severity.to_owned()),
                (field::SEVERITY_NONLOCALIZED, severity.to_owned()),
                (field::SQLSTATE, sqlstate.to_owned()),
                (field::MESSAGE, message.into()),
            ],
        }
    }

    /// A FATAL error: `SFATAL VFATAL C<sqlstate> M<message>`.
    pub fn fatal(sqlstate: &str, message: impl Into<String>) -> Self {
        Self::new("FATAL", sqlstate, message)
    }

    /// An ERROR.
    pub fn error(sqlstate: &str, message: impl Into<String>) -> Self {
        Self::new("ERROR", sqlstate, message)
    }

    /// Appends a field (builder style).
    pub fn with(mut self, code: u8, value: impl Into<String>) -> Self {
        self.fields.push((code, value.into()));
        self
    }

    /// Appends a `D` detail field.
    pub fn with_detail(self, detail: impl Into<String>) -> Self {
        self.with(field::DETAIL, detail)
    }

    /// Appends an `H` hint field.
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        self.with(field::HINT, hint)
    }

    /// The first value of a field (libpq keeps the first too).
    pub fn get(&self, code: u8) -> Option<&str> {
        self.fields
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, v)| v.as_str())
    }

    /// `S`: the (possibly localized) severity.
    pub fn severity(&self) -> Option<&str> {
        self.get(field::SEVERITY)
    }

    /// `V`: the non-localized severity.
    pub fn severity_nonlocalized(&self) -> Option<&str> {
        self.get(field::SEVERITY_NONLOCALIZED)
    }

    /// `C`: the SQLSTATE.
    pub fn sqlstate(&self) -> Option<&str> {
        self.get(field::SQLSTATE)
    }

    /// `M`: the primary message.
    pub fn message(&self) -> Option<&str> {
        self.get(field::MESSAGE)
    }

    /// `D`: the detail.
    pub fn detail(&self) -> Option<&str> {
        self.get(field::DETAIL)
    }

    /// `H`: the hint.
    pub fn hint(&self) -> Option<&str> {
        self.get(field::HINT)
    }

    /// `W`: the context.
    pub fn context(&self) -> Option<&str> {
        self.get(field::CONTEXT)
    }

    /// The lines libpq prints after the first one in default verbosity, without newlines:
    /// `DETAIL:  ...`, `HINT:  ...`, `QUERY:  ...` (internal query), in that order. The
    /// `CONTEXT:` line libpq adds for errors is in [`ErrorFields::libpq_text`].
    pub fn libpq_detail_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(d) = self.detail() {
            lines.push(format!("DETAIL:  {d}"));
        }
        if let Some(h) = self.hint() {
            lines.push(format!("HINT:  {h}"));
        }
        if let Some(q) = self.get(field::INTERNAL_QUERY) {
            lines.push(format!("QUERY:  {q}"));
        }
        lines
    }

    /// The whole text libpq builds in default verbosity (each line ends with `\n`): the first
    /// line, the [detail lines](ErrorFields::libpq_detail_lines), and for an ErrorResponse
    /// (`is_error`) the `CONTEXT:  ...` line. The syntax-cursor display libpq adds for a query
    /// position is not reproduced (it never occurs during startup).
    pub fn libpq_text(&self, is_error: bool) -> String {
        let mut text = format!("{self}\n");
        for line in self.libpq_detail_lines() {
            text.push_str(&line);
            text.push('\n');
        }
        if is_error {
            if let Some(c) = self.context() {
                text.push_str(&format!("CONTEXT:  {c}\n"));
            }
        }
        text
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut fields = Vec::new();
        loop {
            if r.is_empty() {
                return Err(DecodeError::MissingTerminator {
                    message: r.message(),
                    offset: r.offset(),
                });
            }
            let code = r.u8()?;
            if code == 0 {
                break;
            }
            fields.push((code, r.cstr()?));
        }
        r.expect_empty()?;
        Ok(Self { fields })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        for (code, value) in &self.fields {
            out.push(*code);
            put_cstr(out, value.as_bytes());
        }
        out.push(0);
    }
}

impl fmt::Display for ErrorFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(severity) = self.severity() {
            write!(f, "{severity}:  ")?;
        }
        if let Some(message) = self.message() {
            f.write_str(message)?;
        }
        // libpq appends the position to the message when it cannot draw a cursor.
        if let Some(pos) = self.get(field::POSITION) {
            write!(f, " at character {pos}")?;
        } else if let Some(pos) = self.get(field::INTERNAL_POSITION) {
            if self.get(field::INTERNAL_QUERY).is_none() {
                write!(f, " at character {pos}")?;
            }
        }
        Ok(())
    }
}
