//! Typed frontend messages (after the StartupMessage).

use crate::reader::{tagged_frame, Reader};
use crate::writer::{framed, put_cstr, put_len32};
use crate::{DecodeError, Limits};

/// Which message a `p` is: the type byte is shared, so the decoder needs to know which
/// authentication request the server made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PasswordContext {
    /// After AuthenticationCleartextPassword / MD5Password: a PasswordMessage.
    Password,
    /// After AuthenticationSASL: a SASLInitialResponse.
    SaslInitial,
    /// After AuthenticationSASLContinue: a SASLResponse.
    SaslResponse,
}

/// A typed message from the client.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FrontendMessage {
    /// PasswordMessage `p`: the password (cleartext or `md5...`), without its NUL.
    Password(Vec<u8>),
    /// SASLInitialResponse `p`: the chosen mechanism and the client-first-message, if any
    /// (length -1 on the wire means none).
    SaslInitialResponse {
        /// Mechanism name, e.g. `SCRAM-SHA-256-PLUS`.
        mechanism: String,
        /// The initial response (SCRAM client-first-message).
        data: Option<Vec<u8>>,
    },
    /// SASLResponse `p`: mechanism data (SCRAM client-final-message).
    SaslResponse(Vec<u8>),
    /// Query `Q`.
    Query(String),
    /// Terminate `X`.
    Terminate,
    /// Any other type byte, body kept as sent. (`p`, `Q` and `X` never decode to this.)
    Unknown {
        /// The type byte.
        tag: u8,
        /// The body after the length word.
        body: Vec<u8>,
    },
}

fn name_for(tag: u8, ctx: PasswordContext) -> &'static str {
    match (tag, ctx) {
        (b'p', PasswordContext::Password) => "PasswordMessage",
        (b'p', PasswordContext::SaslInitial) => "SASLInitialResponse",
        (b'p', PasswordContext::SaslResponse) => "SASLResponse",
        (b'Q', _) => "Query",
        (b'X', _) => "Terminate",
        _ => "frontend message",
    }
}

impl FrontendMessage {
    /// The type byte.
    pub fn tag(&self) -> u8 {
        match self {
            Self::Password(_) | Self::SaslInitialResponse { .. } | Self::SaslResponse(_) => b'p',
            Self::Query(_) => b'Q',
            Self::Terminate => b'X',
            Self::Unknown { tag, .. } => *tag,
        }
    }

    /// The message's name as PostgreSQL's documentation spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Password(_) => "PasswordMessage",
            Self::SaslInitialResponse { .. } => "SASLInitialResponse",
            Self::SaslResponse(_) => "SASLResponse",
            Self::Query(_) => "Query",
            Self::Terminate => "Terminate",
            Self::Unknown { .. } => "frontend message",
        }
    }

    /// Decodes one message from the start of `buf`; `ctx` says how to read a `p`.
    ///
    /// `Ok(None)`: more bytes are needed. `Ok(Some((msg, n)))`: `n` bytes were consumed.
    pub fn decode(
        buf: &[u8],
        limits: Limits,
        ctx: PasswordContext,
    ) -> Result<Option<(Self, usize)>, DecodeError> {
        let Some((tag, body, total)) =
            tagged_frame(buf, limits.max_message_len, |t| name_for(t, ctx))?
        else {
            return Ok(None);
        };
        let mut r = Reader::new(body, 5, name_for(tag, ctx));
        let msg = match (tag, ctx) {
            (b'p', PasswordContext::Password) => {
                let password = r.cstr_bytes()?.to_vec();
                r.expect_empty()?;
                Self::Password(password)
            }
            (b'p', PasswordContext::SaslInitial) => {
                let mechanism = r.cstr()?;
                let len_offset = r.offset();
                let len = r.i32()?;
                let data = match len {
                    -1 => None,
                    n if n >= 0 => Some(r.take(n as usize)?.to_vec()),
                    n => return Err(r.invalid(len_offset, "initial response length", n.into())),
                };
                r.expect_empty()?;
                Self::SaslInitialResponse { mechanism, data }
            }
            (b'p', PasswordContext::SaslResponse) => Self::SaslResponse(r.rest().to_vec()),
            (b'Q', _) => {
                let query = r.cstr()?;
                r.expect_empty()?;
                Self::Query(query)
            }
            (b'X', _) => {
                r.expect_empty()?;
                Self::Terminate
            }
            _ => Self::Unknown {
                tag,
                body: r.rest().to_vec(),
            },
        };
        Ok(Some((msg, total)))
    }

    /// Appends the message's wire bytes to `out`.
    ///
    /// Strings containing NUL, and `Unknown` with a tag this decoder knows, are written as
    /// given and will not decode back to the same value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        framed(out, Some(self.tag()), |out| match self {
            Self::Password(p) => put_cstr(out, p),
            Self::SaslInitialResponse { mechanism, data } => {
                put_cstr(out, mechanism.as_bytes());
                match data {
                    None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                    Some(d) => {
                        put_len32(out, d.len());
                        out.extend_from_slice(d);
                    }
                }
            }
            Self::SaslResponse(d) => out.extend_from_slice(d),
            Self::Query(q) => put_cstr(out, q.as_bytes()),
            Self::Terminate => {}
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        });
    }

    /// The message's wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}
