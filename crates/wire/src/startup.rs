//! Packets a client sends before the typed protocol starts (no type byte), and the one-byte
//! answers to the encryption requests.

use std::fmt;

use crate::reader::{length_word, Reader};
use crate::writer::{framed, put_cstr, put_u32};
use crate::DecodeError;

/// Smallest accepted startup packet length word: the length word plus a 4-byte code.
pub const MIN_STARTUP_PACKET_LEN: usize = 8;

/// PostgreSQL's `MAX_STARTUP_PACKET_LENGTH` (10000): the largest accepted startup packet body,
/// counted, as the server counts it, after the 4-byte length word.
pub const MAX_STARTUP_PACKET_BODY_LEN: usize = 10_000;

/// Largest accepted startup packet length word (which counts itself): 10004. PostgreSQL
/// subtracts the length word's own 4 bytes before comparing with its 10000-byte limit.
pub const MAX_STARTUP_PACKET_LEN: usize = MAX_STARTUP_PACKET_BODY_LEN + 4;

/// `PG_PROTOCOL(1234, 5678)`: CancelRequest.
pub const CANCEL_REQUEST_CODE: u32 = 80_877_102;
/// `PG_PROTOCOL(1234, 5679)`: SSLRequest.
pub const SSL_REQUEST_CODE: u32 = 80_877_103;
/// `PG_PROTOCOL(1234, 5680)`: GSSENCRequest.
pub const GSSENC_REQUEST_CODE: u32 = 80_877_104;

/// Shortest cancel key (protocol 3.0 keys are exactly 4 bytes).
pub const MIN_CANCEL_KEY_LEN: usize = 4;
/// Longest cancel key the protocol allows (3.2; PostgreSQL 18 itself sends 32 bytes).
pub const MAX_CANCEL_KEY_LEN: usize = 256;

/// A protocol version, `(major << 16) | minor` as on the wire. Open: any value is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolVersion(pub u32);

impl ProtocolVersion {
    /// Protocol 3.0 (196608), what libpq sends by default.
    pub const V3_0: Self = Self::new(3, 0);
    /// Protocol 3.2 (196610), PostgreSQL 18's longer cancel keys.
    pub const V3_2: Self = Self::new(3, 2);

    /// `PG_PROTOCOL(major, minor)`.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self(((major as u32) << 16) | minor as u32)
    }

    /// The major version (high 16 bits).
    pub const fn major(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The minor version (low 16 bits).
    pub const fn minor(self) -> u16 {
        (self.0 & 0xffff) as u16
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major(), self.minor())
    }
}

/// A packet without a type byte: what a client sends first on a connection (and after an
/// encryption request was answered).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StartupPacket {
    /// SSLRequest (`00 00 00 08 04 d2 16 2f`).
    SslRequest,
    /// GSSENCRequest.
    GssEncRequest,
    /// CancelRequest: backend pid and secret key (4 bytes in 3.0, up to 256 in 3.2).
    CancelRequest {
        /// Process id of the backend to cancel.
        pid: u32,
        /// The secret key from BackendKeyData.
        key: Vec<u8>,
    },
    /// StartupMessage with protocol major version 3 (any minor).
    Startup {
        /// The requested protocol version (3.0 or 3.2 in practice).
        version: ProtocolVersion,
        /// Parameters in the order they were sent. Names are never empty.
        params: Vec<(String, String)>,
    },
    /// Any other code (e.g. protocol 2.0 or a future request), body kept as sent.
    Unknown {
        /// The first int32 after the length word.
        code: u32,
        /// Everything after the code.
        body: Vec<u8>,
    },
}

impl StartupPacket {
    /// A protocol 3.0 StartupMessage with these parameters, in order.
    pub fn startup<K: Into<String>, V: Into<String>>(
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::Startup {
            version: ProtocolVersion::V3_0,
            params: params
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The value of a StartupMessage parameter (first occurrence).
    pub fn param(&self, name: &str) -> Option<&str> {
        match self {
            Self::Startup { params, .. } => params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// The packet's name as PostgreSQL's documentation spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SslRequest => "SSLRequest",
            Self::GssEncRequest => "GSSENCRequest",
            Self::CancelRequest { .. } => "CancelRequest",
            Self::Startup { .. } => "StartupMessage",
            Self::Unknown { .. } => "startup packet",
        }
    }

    /// The code word this packet carries after its length.
    pub fn code(&self) -> u32 {
        match self {
            Self::SslRequest => SSL_REQUEST_CODE,
            Self::GssEncRequest => GSSENC_REQUEST_CODE,
            Self::CancelRequest { .. } => CANCEL_REQUEST_CODE,
            Self::Startup { version, .. } => version.0,
            Self::Unknown { code, .. } => *code,
        }
    }

    /// Decodes one packet from the start of `buf`.
    ///
    /// `Ok(None)`: more bytes are needed. `Ok(Some((packet, n)))`: `n` bytes were consumed.
    /// The length word must be within
    /// [`MIN_STARTUP_PACKET_LEN`]..=[`MAX_STARTUP_PACKET_LEN`]; this is checked as soon as it
    /// has arrived.
    pub fn decode(buf: &[u8]) -> Result<Option<(Self, usize)>, DecodeError> {
        let Some(len) = length_word(buf, 0) else {
            return Ok(None);
        };
        let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
        if !(MIN_STARTUP_PACKET_LEN..=MAX_STARTUP_PACKET_LEN).contains(&len_usize) {
            return Err(DecodeError::InvalidLength {
                message: "startup packet",
                offset: 0,
                length: len,
                min: MIN_STARTUP_PACKET_LEN,
                max: MAX_STARTUP_PACKET_LEN,
            });
        }
        let Some(packet) = buf.get(..len_usize) else {
            return Ok(None);
        };
        let mut head = Reader::new(packet.get(4..).unwrap_or_default(), 4, "startup packet");
        let code = head.u32()?;
        let body = head.rest();
        let version = ProtocolVersion(code);
        let decoded = match code {
            SSL_REQUEST_CODE => {
                Reader::new(body, 8, "SSLRequest").expect_empty()?;
                Self::SslRequest
            }
            GSSENC_REQUEST_CODE => {
                Reader::new(body, 8, "GSSENCRequest").expect_empty()?;
                Self::GssEncRequest
            }
            CANCEL_REQUEST_CODE => {
                let mut r = Reader::new(body, 8, "CancelRequest");
                let pid = r.u32()?;
                let key_offset = r.offset();
                let key = r.rest();
                if !(MIN_CANCEL_KEY_LEN..=MAX_CANCEL_KEY_LEN).contains(&key.len()) {
                    return Err(r.invalid(key_offset, "cancel key length", key.len() as i64));
                }
                Self::CancelRequest {
                    pid,
                    key: key.to_vec(),
                }
            }
            _ if version.major() == 3 => {
                let mut r = Reader::new(body, 8, "StartupMessage");
                let mut params = Vec::new();
                loop {
                    let name = r.cstr()?;
                    if name.is_empty() {
                        break;
                    }
                    let value = r.cstr()?;
                    params.push((name, value));
                }
                // PostgreSQL: "invalid startup packet layout: expected terminator as last byte".
                r.expect_empty()?;
                Self::Startup { version, params }
            }
            _ => Self::Unknown {
                code,
                body: body.to_vec(),
            },
        };
        Ok(Some((decoded, len_usize)))
    }

    /// Appends the packet's wire bytes to `out`.
    ///
    /// Values outside what the protocol can carry (parameter names that are empty or contain
    /// NUL, keys outside 4..=256 bytes) are written as given and will not decode back.
    pub fn encode(&self, out: &mut Vec<u8>) {
        framed(out, None, |out| {
            put_u32(out, self.code());
            match self {
                Self::SslRequest | Self::GssEncRequest => {}
                Self::CancelRequest { pid, key } => {
                    put_u32(out, *pid);
                    out.extend_from_slice(key);
                }
                Self::Startup { params, .. } => {
                    for (name, value) in params {
                        put_cstr(out, name.as_bytes());
                        put_cstr(out, value.as_bytes());
                    }
                    out.push(0);
                }
                Self::Unknown { body, .. } => out.extend_from_slice(body),
            }
        });
    }

    /// The packet's wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

macro_rules! one_byte_response {
    ($(#[$doc:meta])* $name:ident, $what:literal, accept = $accept:literal, $accept_str:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub u8);

        impl $name {
            #[doc = concat!("`", $accept_str, "`: the server starts ", $what, ".")]
            pub const ACCEPT: Self = Self($accept);
            /// `N`: refused; the connection continues unencrypted.
            pub const REJECT: Self = Self(b'N');
            /// `E`: the server failed before reading the request.
            pub const ERROR: Self = Self(b'E');

            /// Reads the one-byte answer: `None` if `buf` is empty, else the answer and 1.
            pub fn decode(buf: &[u8]) -> Option<(Self, usize)> {
                buf.first().map(|&b| (Self(b), 1))
            }

            /// Appends the byte to `out`.
            pub fn encode(&self, out: &mut Vec<u8>) {
                out.push(self.0);
            }

            /// Whether this is one of the three answers PostgreSQL can give.
            pub fn is_known(&self) -> bool {
                *self == Self::ACCEPT || *self == Self::REJECT || *self == Self::ERROR
            }
        }

        /// The byte as libpq would print it: the character if printable ASCII, else `\xNN`.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if self.0.is_ascii_graphic() {
                    write!(f, "{}", self.0 as char)
                } else {
                    write!(f, "\\x{:02x}", self.0)
                }
            }
        }
    };
}

one_byte_response!(
    /// The server's one-byte answer to an SSLRequest (open: any byte is kept, since an
    /// unexpected one is evidence for the diagnosis).
    SslResponse,
    "TLS",
    accept = b'S',
    "S"
);

one_byte_response!(
    /// The server's one-byte answer to a GSSENCRequest (open, like [`SslResponse`]).
    GssEncResponse,
    "GSSAPI encryption",
    accept = b'G',
    "G"
);
