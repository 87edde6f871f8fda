//! The crate's one error type.

use std::fmt;

/// Why some bytes are not a well-formed message.
///
/// Every variant names the message being decoded (`"StartupMessage"`, `"ErrorResponse"`, ...)
/// and the byte offset, counted from the start of the buffer handed to `decode` (the message's
/// first byte), at which the problem was found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The length word is outside the bounds for this message.
    InvalidLength {
        /// The message being decoded.
        message: &'static str,
        /// Offset of the length word.
        offset: usize,
        /// The length the peer announced.
        length: u32,
        /// Smallest accepted length.
        min: usize,
        /// Largest accepted length.
        max: usize,
    },
    /// A field runs past the end of the message.
    Truncated {
        /// The message being decoded.
        message: &'static str,
        /// Offset of the field.
        offset: usize,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the message.
        available: usize,
    },
    /// A string has no NUL terminator before the end of the message.
    MissingTerminator {
        /// The message being decoded.
        message: &'static str,
        /// Offset where the string starts.
        offset: usize,
    },
    /// The message has bytes after its last field.
    TrailingBytes {
        /// The message being decoded.
        message: &'static str,
        /// Offset of the first unexpected byte.
        offset: usize,
        /// How many bytes are left over.
        count: usize,
    },
    /// A string is not UTF-8.
    InvalidUtf8 {
        /// The message being decoded.
        message: &'static str,
        /// Offset where the string starts.
        offset: usize,
    },
    /// A field holds a value the protocol does not allow.
    InvalidValue {
        /// The message being decoded.
        message: &'static str,
        /// Offset of the field.
        offset: usize,
        /// Which field, and what is wrong with it.
        what: &'static str,
        /// The offending value.
        value: i64,
    },
}

impl DecodeError {
    /// The name of the message being decoded.
    pub fn message(&self) -> &'static str {
        match self {
            Self::InvalidLength { message, .. }
            | Self::Truncated { message, .. }
            | Self::MissingTerminator { message, .. }
            | Self::TrailingBytes { message, .. }
            | Self::InvalidUtf8 { message, .. }
            | Self::InvalidValue { message, .. } => message,
        }
    }

    /// The offset of the problem, from the message's first byte.
    pub fn offset(&self) -> usize {
        match self {
            Self::InvalidLength { offset, .. }
            | Self::Truncated { offset, .. }
            | Self::MissingTerminator { offset, .. }
            | Self::TrailingBytes { offset, .. }
            | Self::InvalidUtf8 { offset, .. }
            | Self::InvalidValue { offset, .. } => *offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed {} at offset {}: ",
            self.message(),
            self.offset()
        )?;
        match self {
            Self::InvalidLength {
                length, min, max, ..
            } => write!(f, "invalid length {length} (expected {min}..={max})"),
            Self::Truncated {
                needed, available, ..
            } => write!(f, "field needs {needed} bytes but only {available} remain"),
            Self::MissingTerminator { .. } => f.write_str("string has no NUL terminator"),
            Self::TrailingBytes { count, .. } => write!(f, "{count} trailing bytes"),
            Self::InvalidUtf8 { .. } => f.write_str("string is not valid utf-8"),
            Self::InvalidValue { what, value, .. } => write!(f, "invalid {what}: {value}"),
        }
    }
}

impl std::error::Error for DecodeError {}
