//! The client side, as libpq's `fe-auth-scram.c` does it.

use crate::attr::{read_attr_value, AttrError, Cursor};
use crate::crypto::{
    client_key, ct_eq, hmac, prepare_password, salted_password, server_key, sha256,
};
use crate::{b64, ScramError, KEY_LEN, RAW_NONCE_LEN, SCRAM_SHA_256, SCRAM_SHA_256_PLUS};

/// The client's channel binding choice, i.e. its gs2 header.
#[derive(Clone, PartialEq, Eq)]
pub enum ChannelBinding {
    /// `n,,`: the client does not support channel binding (or `channel_binding=disable`, or
    /// no TLS).
    NotSupported,
    /// `y,,`: the client supports channel binding but thinks the server does not (TLS, and
    /// the server did not offer SCRAM-SHA-256-PLUS).
    SupportedNotUsed,
    /// `p=tls-server-end-point,,`: SCRAM-SHA-256-PLUS bound to this certificate hash (see
    /// [`crate::tls_server_end_point`]).
    TlsServerEndPoint(Vec<u8>),
}

impl std::fmt::Debug for ChannelBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotSupported => f.write_str("NotSupported"),
            Self::SupportedNotUsed => f.write_str("SupportedNotUsed"),
            Self::TlsServerEndPoint(h) => write!(f, "TlsServerEndPoint({})", b64::encode(h)),
        }
    }
}

impl ChannelBinding {
    /// The gs2 header: `n,,`, `y,,` or `p=tls-server-end-point,,`.
    pub fn gs2_header(&self) -> &'static str {
        match self {
            Self::NotSupported => "n,,",
            Self::SupportedNotUsed => "y,,",
            Self::TlsServerEndPoint(_) => "p=tls-server-end-point,,",
        }
    }

    /// The mechanism this choice goes with.
    pub fn mechanism(&self) -> &'static str {
        match self {
            Self::TlsServerEndPoint(_) => SCRAM_SHA_256_PLUS,
            _ => SCRAM_SHA_256,
        }
    }

    /// The `c=` value of the client-final-message: base64 of the gs2 header and, for PLUS,
    /// the certificate hash (`biws` for `n,,`, `eSws` for `y,,`).
    pub fn cbind_attribute(&self) -> String {
        let mut input = self.gs2_header().as_bytes().to_vec();
        if let Self::TlsServerEndPoint(hash) = self {
            input.extend_from_slice(hash);
        }
        b64::encode(&input)
    }
}

/// A SCRAM nonce (printable, no comma). Build it from 18 random bytes (libpq's way: base64,
/// 24 characters) or from a string (test vectors).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nonce(String);

impl Nonce {
    /// The nonce text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<[u8; RAW_NONCE_LEN]> for Nonce {
    fn from(raw: [u8; RAW_NONCE_LEN]) -> Self {
        Self(b64::encode(&raw))
    }
}

impl From<&str> for Nonce {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for Nonce {
    fn from(s: String) -> Self {
        Self(s)
    }
}

enum ClientState {
    Initial,
    ProofSent {
        expected_server_signature: [u8; KEY_LEN],
    },
}

/// The client side of one SCRAM exchange, exactly as libpq runs it.
///
/// ```
/// use pgtls_scram::{ChannelBinding, ScramClient};
/// let client = ScramClient::new("pencil", [7u8; 18], ChannelBinding::NotSupported);
/// assert_eq!(client.client_first(), "n,,n=,r=BwcHBwcHBwcHBwcHBwcHBwcH");
/// ```
pub struct ScramClient {
    password: Vec<u8>,
    nonce: Nonce,
    username: String,
    cb: ChannelBinding,
    max_iterations: u32,
    state: ClientState,
    pending: Vec<ScramError>,
}

impl std::fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramClient")
            .field("nonce", &self.nonce)
            .field("cb", &self.cb)
            .finish_non_exhaustive()
    }
}

impl ScramClient {
    /// The default for [`ScramClient::with_max_iterations`]: far above any real server's
    /// setting, low enough that a hostile server cannot make the client spin for minutes.
    pub const DEFAULT_MAX_ITERATIONS: u32 = 1_000_000;

    /// A client for `password` with this nonce and channel binding choice.
    pub fn new(password: &str, nonce: impl Into<Nonce>, cb: ChannelBinding) -> Self {
        Self {
            password: prepare_password(password).to_vec(),
            nonce: nonce.into(),
            username: String::new(),
            cb,
            max_iterations: Self::DEFAULT_MAX_ITERATIONS,
            state: ClientState::Initial,
            pending: Vec::new(),
        }
    }

    /// Sends `n=<username>` instead of libpq's empty `n=` (for RFC test vectors; PostgreSQL
    /// ignores it and uses the startup user).
    pub fn with_username(mut self, username: &str) -> Self {
        self.username = username.to_owned();
        self
    }

    /// Refuses server-first-messages asking for more than `max` iterations.
    pub fn with_max_iterations(mut self, max: u32) -> Self {
        self.max_iterations = max;
        self
    }

    /// The SASL mechanism to select: `SCRAM-SHA-256-PLUS` with channel binding, else
    /// `SCRAM-SHA-256`.
    pub fn mechanism(&self) -> &'static str {
        self.cb.mechanism()
    }

    /// The nonce this client sends.
    pub fn nonce(&self) -> &Nonce {
        &self.nonce
    }

    /// The channel binding choice.
    pub fn channel_binding(&self) -> &ChannelBinding {
        &self.cb
    }

    fn client_first_bare(&self) -> String {
        format!("n={},r={}", self.username, self.nonce.0)
    }

    /// The client-first-message: gs2 header + `n=,r=<nonce>`.
    pub fn client_first(&self) -> String {
        format!("{}{}", self.cb.gs2_header(), self.client_first_bare())
    }

    /// Messages libpq appended to its error buffer without failing: trailing attributes after
    /// `i=` in the server-first-message (`malformed SCRAM message (garbage at end of
    /// server-first-message)`). libpq then continues the exchange; the message is shown only
    /// if the connection fails later, before that failure's own text.
    pub fn pending_messages(&self) -> &[ScramError] {
        &self.pending
    }

    /// Reads the server-first-message (`r=...,s=...,i=...`) and returns the
    /// client-final-message (`c=...,r=...,p=<proof>`).
    ///
    /// Trailing attributes do not fail the step, as in libpq: see
    /// [`ScramClient::pending_messages`].
    pub fn handle_server_first(&mut self, server_first: &str) -> Result<String, ScramError> {
        self.handle_server_first_bytes(server_first.as_bytes())
    }

    /// [`ScramClient::handle_server_first`] on the raw AuthenticationSASLContinue data.
    pub fn handle_server_first_bytes(&mut self, input: &[u8]) -> Result<String, ScramError> {
        if !matches!(self.state, ClientState::Initial) {
            return Err(ScramError::InvalidState);
        }
        check_input(input)?;
        let mut c = Cursor::new(input);
        let nonce = attr(&mut c, b'r')?;
        if !nonce.starts_with(self.nonce.0.as_bytes()) {
            return Err(ScramError::NonceMismatch);
        }
        let salt = b64::decode_pg(attr(&mut c, b's')?).ok_or(ScramError::InvalidSalt)?;
        let iterations = parse_iterations(attr(&mut c, b'i')?)?;
        if !c.at_end() {
            // libpq appends this message but carries on (observed with libpq 15.18).
            self.pending.push(ScramError::GarbageAfterServerFirst);
        }
        if iterations > self.max_iterations {
            return Err(ScramError::TooManyIterations {
                iterations,
                max: self.max_iterations,
            });
        }

        // The nonce is printable ASCII in every message that gets here with a sane server;
        // libpq copies bytes, so do we.
        let nonce = String::from_utf8_lossy(nonce);
        let without_proof = format!("c={},r={}", self.cb.cbind_attribute(), nonce);
        let salted = salted_password(&self.password, &salt, iterations);
        let client_key = client_key(&salted);
        let stored_key = sha256(&client_key);
        let first_bare = self.client_first_bare();
        let auth: [&[u8]; 5] = [
            first_bare.as_bytes(),
            b",",
            input,
            b",",
            without_proof.as_bytes(),
        ];
        let client_signature = hmac(&stored_key, &auth);
        let mut proof = [0u8; KEY_LEN];
        for (p, (k, s)) in proof
            .iter_mut()
            .zip(client_key.iter().zip(&client_signature))
        {
            *p = k ^ s;
        }
        let expected_server_signature = hmac(&server_key(&salted), &auth);
        self.state = ClientState::ProofSent {
            expected_server_signature,
        };
        Ok(format!("{without_proof},p={}", b64::encode(&proof)))
    }

    /// Checks the server-final-message (`v=<signature>` or `e=<error>`).
    ///
    /// On failure the error includes, like libpq's message buffer, the
    /// [pending messages](ScramClient::pending_messages) and a `garbage at end of
    /// server-final-message` note before the failure itself ([`ScramError::Several`] when
    /// there is more than one). Trailing attributes after a correct `v=` do not fail, as in
    /// libpq.
    pub fn verify_server_final(&self, server_final: &str) -> Result<(), ScramError> {
        self.verify_server_final_bytes(server_final.as_bytes())
    }

    /// [`ScramClient::verify_server_final`] on the raw AuthenticationSASLFinal data.
    pub fn verify_server_final_bytes(&self, input: &[u8]) -> Result<(), ScramError> {
        let ClientState::ProofSent {
            expected_server_signature,
        } = &self.state
        else {
            return Err(ScramError::InvalidState);
        };
        let mut messages = self.pending.clone();
        let outcome = check_server_final(input, expected_server_signature, &mut messages);
        match outcome {
            Ok(()) => Ok(()),
            Err(e) => {
                messages.push(e);
                Err(ScramError::from_messages(messages))
            }
        }
    }
}

fn check_server_final(
    input: &[u8],
    expected_server_signature: &[u8; KEY_LEN],
    messages: &mut Vec<ScramError>,
) -> Result<(), ScramError> {
    check_input(input)?;
    let mut c = Cursor::new(input);
    if c.peek() == b'e' {
        let e = attr(&mut c, b'e')?;
        return Err(ScramError::ServerError(
            String::from_utf8_lossy(e).into_owned(),
        ));
    }
    let v = attr(&mut c, b'v')?;
    if !c.at_end() {
        // Appended, not fatal (libpq 15.18).
        messages.push(ScramError::GarbageAfterServerFinal);
    }
    let signature = b64::decode_pg(v)
        .filter(|s| s.len() == KEY_LEN)
        .ok_or(ScramError::InvalidServerSignature)?;
    if !ct_eq(&signature, expected_server_signature) {
        return Err(ScramError::IncorrectServerSignature);
    }
    Ok(())
}

/// libpq's checks on every server message after the first step.
fn check_input(input: &[u8]) -> Result<(), ScramError> {
    if input.is_empty() {
        return Err(ScramError::EmptyMessage);
    }
    if input.contains(&0) {
        return Err(ScramError::LengthMismatch);
    }
    Ok(())
}

fn attr<'a>(c: &mut Cursor<'a>, attr: u8) -> Result<&'a [u8], ScramError> {
    read_attr_value(c, attr).map_err(|e| match e {
        AttrError::Expected(_) => ScramError::AttributeExpected { attr: attr as char },
        AttrError::NoEquals => ScramError::ExpectedEquals { attr: attr as char },
    })
}

/// libpq: `strtol(s, &end, 10)` into an `int`; the whole value must be consumed and >= 1.
fn parse_iterations(s: &[u8]) -> Result<u32, ScramError> {
    // strtol skips leading whitespace and accepts a sign.
    let mut i = 0;
    while s.get(i).is_some_and(|c| b" \t\n\x0b\x0c\r".contains(c)) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = s.get(i..).unwrap_or_default();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        // Either trailing garbage, or no digits at all (strtol then leaves endptr at the
        // start, which is not the end unless the string is empty; an empty value gives 0).
        return Err(ScramError::InvalidIterationCount);
    }
    // strtol saturates at LONG_MAX; the result is then truncated to a C int.
    let mut value: i64 = 0;
    for d in digits {
        value = value.saturating_mul(10).saturating_add(i64::from(d - b'0'));
    }
    if negative {
        value = -value;
    }
    let as_int = value as i32;
    u32::try_from(as_int)
        .ok()
        .filter(|&n| n >= 1)
        .ok_or(ScramError::InvalidIterationCount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iteration_count_parses_like_strtol_into_int() {
        assert_eq!(parse_iterations(b"4096"), Ok(4096));
        assert_eq!(parse_iterations(b" +4096"), Ok(4096));
        assert_eq!(
            parse_iterations(b""),
            Err(ScramError::InvalidIterationCount)
        );
        assert_eq!(
            parse_iterations(b"0"),
            Err(ScramError::InvalidIterationCount)
        );
        assert_eq!(
            parse_iterations(b"-1"),
            Err(ScramError::InvalidIterationCount)
        );
        assert_eq!(
            parse_iterations(b"12x"),
            Err(ScramError::InvalidIterationCount)
        );
        // 2^32 + 1 truncates to 1 in a 32-bit int.
        assert_eq!(parse_iterations(b"4294967297"), Ok(1));
        // LONG_MAX truncates to -1.
        assert_eq!(
            parse_iterations(b"99999999999999999999999"),
            Err(ScramError::InvalidIterationCount)
        );
    }
}
