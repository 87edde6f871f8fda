//! Typed backend messages.

use crate::reader::{tagged_frame, Reader};
use crate::startup::{MAX_CANCEL_KEY_LEN, MIN_CANCEL_KEY_LEN};
use crate::writer::{framed, put_count16, put_cstr, put_i16, put_i32, put_len32, put_u32};
use crate::{DecodeError, ErrorFields, Limits};

/// The payload of an AuthenticationRequest (`R`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Authentication {
    /// Code 0: AuthenticationOk.
    Ok,
    /// Code 3: AuthenticationCleartextPassword.
    CleartextPassword,
    /// Code 5: AuthenticationMD5Password with its 4-byte salt.
    Md5Password {
        /// The salt.
        salt: [u8; 4],
    },
    /// Code 10: AuthenticationSASL with the mechanisms in server order.
    Sasl {
        /// Mechanism names, e.g. `SCRAM-SHA-256-PLUS`, `SCRAM-SHA-256`. Never empty strings.
        mechanisms: Vec<String>,
    },
    /// Code 11: AuthenticationSASLContinue (SCRAM server-first-message).
    SaslContinue(Vec<u8>),
    /// Code 12: AuthenticationSASLFinal (SCRAM server-final-message).
    SaslFinal(Vec<u8>),
    /// Any other code (KerberosV5 2, GSS 7, GSSContinue 8, SSPI 9, future ones), data kept.
    /// Codes 0, 3, 5, 10, 11 and 12 never decode to this.
    Other {
        /// The authentication code.
        code: u32,
        /// The bytes after the code.
        data: Vec<u8>,
    },
}

impl Authentication {
    /// The authentication code on the wire.
    pub fn code(&self) -> u32 {
        match self {
            Self::Ok => 0,
            Self::CleartextPassword => 3,
            Self::Md5Password { .. } => 5,
            Self::Sasl { .. } => 10,
            Self::SaslContinue(_) => 11,
            Self::SaslFinal(_) => 12,
            Self::Other { code, .. } => *code,
        }
    }

    /// The message's name as PostgreSQL's documentation spells it.
    pub fn name(&self) -> &'static str {
        auth_name(self.code())
    }
}

fn auth_name(code: u32) -> &'static str {
    match code {
        0 => "AuthenticationOk",
        2 => "AuthenticationKerberosV5",
        3 => "AuthenticationCleartextPassword",
        5 => "AuthenticationMD5Password",
        7 => "AuthenticationGSS",
        8 => "AuthenticationGSSContinue",
        9 => "AuthenticationSSPI",
        10 => "AuthenticationSASL",
        11 => "AuthenticationSASLContinue",
        12 => "AuthenticationSASLFinal",
        _ => "AuthenticationRequest",
    }
}

/// One column of a RowDescription.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldDescription {
    /// Column name.
    pub name: String,
    /// OID of the table, or 0.
    pub table_oid: u32,
    /// Attribute number of the column, or 0.
    pub column_id: i16,
    /// OID of the data type.
    pub type_oid: u32,
    /// Data type size (negative for variable width).
    pub type_size: i16,
    /// Type modifier.
    pub type_modifier: i32,
    /// Format code: 0 text, 1 binary.
    pub format: i16,
}

/// A typed message from the server.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BackendMessage {
    /// `R`: AuthenticationRequest.
    Authentication(Authentication),
    /// `S`: ParameterStatus.
    ParameterStatus {
        /// Parameter name.
        name: String,
        /// Current value.
        value: String,
    },
    /// `K`: BackendKeyData (key: 4 bytes in protocol 3.0, 4..=256 bytes in 3.2).
    BackendKeyData {
        /// Backend process id.
        pid: u32,
        /// Secret key for CancelRequest.
        key: Vec<u8>,
    },
    /// `Z`: ReadyForQuery with the transaction status (`I`, `T` or `E`).
    ReadyForQuery(u8),
    /// `E`: ErrorResponse.
    ErrorResponse(ErrorFields),
    /// `N`: NoticeResponse.
    NoticeResponse(ErrorFields),
    /// `v`: NegotiateProtocolVersion.
    NegotiateProtocolVersion {
        /// Newest minor protocol version the server supports for the requested major.
        newest_minor: u32,
        /// Protocol options (`_pq_.*`) the server did not recognise.
        options: Vec<String>,
    },
    /// `T`: RowDescription.
    RowDescription(Vec<FieldDescription>),
    /// `D`: DataRow; `None` is SQL NULL.
    DataRow(Vec<Option<Vec<u8>>>),
    /// `C`: CommandComplete with its tag (e.g. `SELECT 1`).
    CommandComplete(String),
    /// `I`: EmptyQueryResponse.
    EmptyQueryResponse,
    /// Any other type byte, body kept as sent. (The tags above never decode to this.)
    Unknown {
        /// The type byte.
        tag: u8,
        /// The body after the length word.
        body: Vec<u8>,
    },
}

fn name_for(tag: u8) -> &'static str {
    match tag {
        b'R' => "AuthenticationRequest",
        b'S' => "ParameterStatus",
        b'K' => "BackendKeyData",
        b'Z' => "ReadyForQuery",
        b'E' => "ErrorResponse",
        b'N' => "NoticeResponse",
        b'v' => "NegotiateProtocolVersion",
        b'T' => "RowDescription",
        b'D' => "DataRow",
        b'C' => "CommandComplete",
        b'I' => "EmptyQueryResponse",
        _ => "backend message",
    }
}

impl BackendMessage {
    /// The type byte.
    pub fn tag(&self) -> u8 {
        match self {
            Self::Authentication(_) => b'R',
            Self::ParameterStatus { .. } => b'S',
            Self::BackendKeyData { .. } => b'K',
            Self::ReadyForQuery(_) => b'Z',
            Self::ErrorResponse(_) => b'E',
            Self::NoticeResponse(_) => b'N',
            Self::NegotiateProtocolVersion { .. } => b'v',
            Self::RowDescription(_) => b'T',
            Self::DataRow(_) => b'D',
            Self::CommandComplete(_) => b'C',
            Self::EmptyQueryResponse => b'I',
            Self::Unknown { tag, .. } => *tag,
        }
    }

    /// The message's name as PostgreSQL's documentation spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Authentication(a) => a.name(),
            other => name_for(other.tag()),
        }
    }

    /// Decodes one message from the start of `buf`.
    ///
    /// `Ok(None)`: more bytes are needed. `Ok(Some((msg, n)))`: `n` bytes were consumed.
    pub fn decode(buf: &[u8], limits: Limits) -> Result<Option<(Self, usize)>, DecodeError> {
        let Some((tag, body, total)) = tagged_frame(buf, limits.max_message_len, name_for)? else {
            return Ok(None);
        };
        let mut r = Reader::new(body, 5, name_for(tag));
        let msg = match tag {
            b'R' => {
                let code = r.u32()?;
                let mut r = Reader::new(r.rest(), 9, auth_name(code));
                Self::Authentication(decode_auth(code, &mut r)?)
            }
            b'S' => {
                let name = r.cstr()?;
                let value = r.cstr()?;
                r.expect_empty()?;
                Self::ParameterStatus { name, value }
            }
            b'K' => {
                let pid = r.u32()?;
                let key_offset = r.offset();
                let key = r.rest();
                if !(MIN_CANCEL_KEY_LEN..=MAX_CANCEL_KEY_LEN).contains(&key.len()) {
                    return Err(r.invalid(key_offset, "cancel key length", key.len() as i64));
                }
                Self::BackendKeyData {
                    pid,
                    key: key.to_vec(),
                }
            }
            b'Z' => {
                let status = r.u8()?;
                r.expect_empty()?;
                Self::ReadyForQuery(status)
            }
            b'E' => Self::ErrorResponse(ErrorFields::decode(&mut r)?),
            b'N' => Self::NoticeResponse(ErrorFields::decode(&mut r)?),
            b'v' => {
                let newest_minor = r.u32()?;
                let count_offset = r.offset();
                let count = r.i32()?;
                if count < 0 {
                    return Err(r.invalid(count_offset, "option count", count.into()));
                }
                let mut options = Vec::new();
                for _ in 0..count {
                    options.push(r.cstr()?);
                }
                r.expect_empty()?;
                Self::NegotiateProtocolVersion {
                    newest_minor,
                    options,
                }
            }
            b'T' => {
                let count = read_count(&mut r, "field count")?;
                let mut fields = Vec::new();
                for _ in 0..count {
                    fields.push(FieldDescription {
                        name: r.cstr()?,
                        table_oid: r.u32()?,
                        column_id: r.i16()?,
                        type_oid: r.u32()?,
                        type_size: r.i16()?,
                        type_modifier: r.i32()?,
                        format: r.i16()?,
                    });
                }
                r.expect_empty()?;
                Self::RowDescription(fields)
            }
            b'D' => {
                let count = read_count(&mut r, "column count")?;
                let mut values = Vec::new();
                for _ in 0..count {
                    let len_offset = r.offset();
                    let value = match r.i32()? {
                        -1 => None,
                        n if n >= 0 => Some(r.take(n as usize)?.to_vec()),
                        n => return Err(r.invalid(len_offset, "value length", n.into())),
                    };
                    values.push(value);
                }
                r.expect_empty()?;
                Self::DataRow(values)
            }
            b'C' => {
                let command = r.cstr()?;
                r.expect_empty()?;
                Self::CommandComplete(command)
            }
            b'I' => {
                r.expect_empty()?;
                Self::EmptyQueryResponse
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
    /// Values the protocol cannot carry (strings with NUL, empty mechanism names, more than
    /// 32767 columns, keys outside 4..=256 bytes, `Unknown`/`Other` with a code this decoder
    /// knows) are written as given and will not decode back to the same value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        framed(out, Some(self.tag()), |out| match self {
            Self::Authentication(auth) => {
                put_u32(out, auth.code());
                match auth {
                    Authentication::Ok | Authentication::CleartextPassword => {}
                    Authentication::Md5Password { salt } => out.extend_from_slice(salt),
                    Authentication::Sasl { mechanisms } => {
                        for m in mechanisms {
                            put_cstr(out, m.as_bytes());
                        }
                        out.push(0);
                    }
                    Authentication::SaslContinue(d)
                    | Authentication::SaslFinal(d)
                    | Authentication::Other { data: d, .. } => out.extend_from_slice(d),
                }
            }
            Self::ParameterStatus { name, value } => {
                put_cstr(out, name.as_bytes());
                put_cstr(out, value.as_bytes());
            }
            Self::BackendKeyData { pid, key } => {
                put_u32(out, *pid);
                out.extend_from_slice(key);
            }
            Self::ReadyForQuery(status) => out.push(*status),
            Self::ErrorResponse(fields) | Self::NoticeResponse(fields) => fields.encode(out),
            Self::NegotiateProtocolVersion {
                newest_minor,
                options,
            } => {
                put_u32(out, *newest_minor);
                put_len32(out, options.len());
                for o in options {
                    put_cstr(out, o.as_bytes());
                }
            }
            Self::RowDescription(fields) => {
                put_count16(out, fields.len());
                for f in fields {
                    put_cstr(out, f.name.as_bytes());
                    put_u32(out, f.table_oid);
                    put_i16(out, f.column_id);
                    put_u32(out, f.type_oid);
                    put_i16(out, f.type_size);
                    put_i32(out, f.type_modifier);
                    put_i16(out, f.format);
                }
            }
            Self::DataRow(values) => {
                put_count16(out, values.len());
                for v in values {
                    match v {
                        None => put_i32(out, -1),
                        Some(v) => {
                            put_len32(out, v.len());
                            out.extend_from_slice(v);
                        }
                    }
                }
            }
            Self::CommandComplete(command) => put_cstr(out, command.as_bytes()),
            Self::EmptyQueryResponse => {}
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

fn read_count(r: &mut Reader<'_>, what: &'static str) -> Result<i16, DecodeError> {
    let offset = r.offset();
    let count = r.i16()?;
    if count < 0 {
        return Err(r.invalid(offset, what, count.into()));
    }
    Ok(count)
}

fn decode_auth(code: u32, r: &mut Reader<'_>) -> Result<Authentication, DecodeError> {
    let auth = match code {
        0 => Authentication::Ok,
        3 => Authentication::CleartextPassword,
        5 => {
            let mut salt = [0u8; 4];
            salt.copy_from_slice(r.take(4)?);
            Authentication::Md5Password { salt }
        }
        10 => {
            let mut mechanisms = Vec::new();
            loop {
                let m = r.cstr()?;
                if m.is_empty() {
                    break;
                }
                mechanisms.push(m);
            }
            Authentication::Sasl { mechanisms }
        }
        11 => Authentication::SaslContinue(r.rest().to_vec()),
        12 => Authentication::SaslFinal(r.rest().to_vec()),
        _ => Authentication::Other {
            code,
            data: r.rest().to_vec(),
        },
    };
    r.expect_empty()?;
    Ok(auth)
}
