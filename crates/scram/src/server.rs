//! The server side, as PostgreSQL's `auth-scram.c` does it.

use crate::attr::{read_attr_value, sanitize_char, sanitize_str, AttrError, Cursor};
use crate::client::Nonce;
use crate::crypto::{ct_eq, hmac, sha256};
use crate::error::{
    FEATURE_NOT_SUPPORTED, INVALID_AUTHORIZATION, INVALID_PASSWORD, PROTOCOL_VIOLATION,
};
use crate::{b64, ScramServerError, ScramVerifier, KEY_LEN, SCRAM_SHA_256, SCRAM_SHA_256_PLUS};

enum ServerState {
    Initial,
    SaltSent {
        cbind_flag: u8,
        channel_binding_in_use: bool,
        client_nonce: Vec<u8>,
        client_first_bare: Vec<u8>,
        server_first: String,
    },
    Finished,
}

/// The server side of one SCRAM exchange, with PostgreSQL's checks and errors.
pub struct ScramServer {
    verifier: ScramVerifier,
    doomed: bool,
    server_nonce: Nonce,
    cb_data: Option<Vec<u8>>,
    user: Option<String>,
    state: ServerState,
    bound: bool,
}

impl std::fmt::Debug for ScramServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramServer")
            .field("verifier", &self.verifier)
            .field("doomed", &self.doomed)
            .field("server_nonce", &self.server_nonce)
            .field("tls", &self.cb_data.is_some())
            .finish_non_exhaustive()
    }
}

impl ScramServer {
    /// A server that knows `password` (derived with `salt` and `iterations`, PostgreSQL's
    /// defaults being 16 random bytes and [`crate::DEFAULT_ITERATIONS`]).
    ///
    /// `cb_data` is the tls-server-end-point hash of the certificate the server presented
    /// ([`crate::tls_server_end_point`]) when the connection uses TLS, `None` over plaintext.
    /// As in PostgreSQL, TLS means the server supports channel binding: it should advertise
    /// [`ScramServer::mechanisms`], accepts `-PLUS`, and rejects a `y` flag as a downgrade.
    pub fn new(
        password: &str,
        salt: &[u8],
        iterations: u32,
        server_nonce: impl Into<Nonce>,
        cb_data: Option<Vec<u8>>,
    ) -> Self {
        Self::from_verifier(
            ScramVerifier::new(password, salt, iterations),
            server_nonce,
            cb_data,
        )
    }

    /// A server holding a stored verifier.
    pub fn from_verifier(
        verifier: ScramVerifier,
        server_nonce: impl Into<Nonce>,
        cb_data: Option<Vec<u8>>,
    ) -> Self {
        Self {
            verifier,
            doomed: false,
            server_nonce: server_nonce.into(),
            cb_data,
            user: None,
            state: ServerState::Initial,
            bound: false,
        }
    }

    /// PostgreSQL's mock exchange for a user without a SCRAM secret: it runs normally and
    /// fails at the end with `28P01`, whatever the client sends.
    pub fn doomed(
        salt: &[u8],
        iterations: u32,
        server_nonce: impl Into<Nonce>,
        cb_data: Option<Vec<u8>>,
    ) -> Self {
        let mut server = Self::from_verifier(
            ScramVerifier {
                iterations,
                salt: salt.to_vec(),
                stored_key: [0; KEY_LEN],
                server_key: [0; KEY_LEN],
            },
            server_nonce,
            cb_data,
        );
        server.doomed = true;
        server
    }

    /// The startup user, for the `password authentication failed for user "<u>"` message.
    pub fn with_user(mut self, user: &str) -> Self {
        self.user = Some(user.to_owned());
        self
    }

    /// The mechanisms PostgreSQL advertises in AuthenticationSASL: `SCRAM-SHA-256-PLUS`
    /// first when the connection uses TLS, then `SCRAM-SHA-256`.
    pub fn mechanisms(&self) -> Vec<&'static str> {
        if self.cb_data.is_some() {
            vec![SCRAM_SHA_256_PLUS, SCRAM_SHA_256]
        } else {
            vec![SCRAM_SHA_256]
        }
    }

    /// Whether the exchange completed with channel binding.
    pub fn channel_bound(&self) -> bool {
        matches!(self.state, ServerState::Finished) && self.bound
    }

    /// Reads the SASLInitialResponse (selected mechanism and client-first-message) and
    /// returns the server-first-message (`r=<client nonce><server nonce>,s=<salt>,i=<iter>`).
    pub fn handle_client_first(
        &mut self,
        mechanism: &str,
        input: &[u8],
    ) -> Result<String, ScramServerError> {
        if !matches!(self.state, ServerState::Initial) {
            return Err(ScramServerError::new(
                PROTOCOL_VIOLATION,
                "invalid SCRAM exchange state",
            ));
        }
        let channel_binding_in_use = if mechanism == SCRAM_SHA_256_PLUS && self.cb_data.is_some() {
            true
        } else if mechanism == SCRAM_SHA_256 {
            false
        } else {
            return Err(ScramServerError::new(
                PROTOCOL_VIOLATION,
                "client selected an invalid SASL authentication mechanism",
            ));
        };
        check_input(input)?;
        let ssl_in_use = self.cb_data.is_some();

        let mut p = Cursor::new(input);
        let cbind_flag = p.peek();
        match cbind_flag {
            b'n' | b'y' => {
                if channel_binding_in_use {
                    return Err(ScramServerError::malformed(
                        "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.",
                    ));
                }
                if cbind_flag == b'y' && ssl_in_use {
                    return Err(ScramServerError::new(
                        INVALID_AUTHORIZATION,
                        "SCRAM channel binding negotiation error",
                    )
                    .with_detail(
                        "The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.",
                    ));
                }
                p.bump();
                if p.peek() != b',' {
                    return Err(ScramServerError::malformed(format!(
                        "Comma expected, but found character \"{}\".",
                        sanitize_char(p.peek())
                    )));
                }
                p.bump();
            }
            b'p' => {
                if !channel_binding_in_use {
                    return Err(ScramServerError::malformed(
                        "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.",
                    ));
                }
                let cb_type = server_attr(&mut p, b'p')?;
                if cb_type != b"tls-server-end-point" {
                    return Err(ScramServerError::new(
                        PROTOCOL_VIOLATION,
                        format!(
                            "unsupported SCRAM channel-binding type \"{}\"",
                            sanitize_str(cb_type)
                        ),
                    ));
                }
            }
            other => {
                return Err(ScramServerError::malformed(format!(
                    "Unexpected channel-binding flag \"{}\".",
                    sanitize_char(other)
                )));
            }
        }

        if p.peek() == b'a' {
            return Err(ScramServerError::new(
                FEATURE_NOT_SUPPORTED,
                "client uses authorization identity, but it is not supported",
            ));
        }
        if p.peek() != b',' {
            return Err(ScramServerError::malformed(format!(
                "Unexpected attribute \"{}\" in client-first-message.",
                sanitize_char(p.peek())
            )));
        }
        p.bump();
        let client_first_bare = p.rest().to_vec();
        if p.peek() == b'm' {
            return Err(ScramServerError::new(
                FEATURE_NOT_SUPPORTED,
                "client requires an unsupported SCRAM extension",
            ));
        }
        let username = server_attr(&mut p, b'n')?;
        let client_nonce = server_attr(&mut p, b'r')?;
        if !client_nonce
            .iter()
            .all(|&c| (0x21..=0x7e).contains(&c) && c != b',')
        {
            return Err(ScramServerError::new(
                PROTOCOL_VIOLATION,
                "non-printable characters in SCRAM nonce",
            ));
        }
        while !p.at_end() {
            read_any_attr(&mut p)?;
        }
        if self.user.is_none() {
            self.user = Some(String::from_utf8_lossy(username).into_owned());
        }

        let server_first = format!(
            "r={}{},s={},i={}",
            String::from_utf8_lossy(client_nonce),
            self.server_nonce.as_str(),
            b64::encode(&self.verifier.salt),
            self.verifier.iterations
        );
        self.state = ServerState::SaltSent {
            cbind_flag,
            channel_binding_in_use,
            client_nonce: client_nonce.to_vec(),
            client_first_bare,
            server_first: server_first.clone(),
        };
        Ok(server_first)
    }

    /// Reads the SASLResponse (client-final-message) and returns the server-final-message
    /// (`v=<server signature>`), after which the server sends AuthenticationOk.
    ///
    /// A wrong proof (or a doomed exchange) gives `28P01 password authentication failed for
    /// user "<u>"`, which PostgreSQL sends instead of any SASL output.
    pub fn handle_client_final(&mut self, input: &[u8]) -> Result<String, ScramServerError> {
        let ServerState::SaltSent {
            cbind_flag,
            channel_binding_in_use,
            client_nonce,
            client_first_bare,
            server_first,
        } = std::mem::replace(&mut self.state, ServerState::Finished)
        else {
            self.state = ServerState::Finished;
            return Err(ScramServerError::new(
                PROTOCOL_VIOLATION,
                "invalid SCRAM exchange state",
            ));
        };
        check_input(input)?;
        let mut p = Cursor::new(input);

        let channel_binding = server_attr(&mut p, b'c')?;
        match (&self.cb_data, channel_binding_in_use) {
            (Some(cb_data), true) => {
                let mut expected = b"p=tls-server-end-point,,".to_vec();
                expected.extend_from_slice(cb_data);
                if channel_binding != b64::encode(&expected).as_bytes() {
                    return Err(ScramServerError::new(
                        INVALID_AUTHORIZATION,
                        "SCRAM channel binding check failed",
                    ));
                }
            }
            _ => {
                let ok = (channel_binding == b"biws" && cbind_flag == b'n')
                    || (channel_binding == b"eSws" && cbind_flag == b'y');
                if !ok {
                    return Err(ScramServerError::new(
                        PROTOCOL_VIOLATION,
                        "unexpected SCRAM channel-binding attribute in client-final-message",
                    ));
                }
            }
        }

        let final_nonce = server_attr(&mut p, b'r')?;
        // Skip extensions up to the proof, remembering where the proof attribute starts.
        let (proof_start, proof) = loop {
            let start = p.pos().saturating_sub(1);
            let (attr, value) = read_any_attr(&mut p)?;
            if attr == b'p' {
                break (start, value);
            }
        };
        let proof: [u8; KEY_LEN] = b64::decode_pg(proof)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| {
                ScramServerError::malformed("Malformed proof in client-final-message.")
            })?;
        if !p.at_end() {
            return Err(ScramServerError::malformed(
                "Garbage found at the end of client-final-message.",
            ));
        }
        let without_proof = input.get(..proof_start).unwrap_or_default();

        let mut expected_nonce = client_nonce.clone();
        expected_nonce.extend_from_slice(self.server_nonce.as_str().as_bytes());
        if final_nonce != expected_nonce.as_slice() {
            return Err(
                ScramServerError::new(PROTOCOL_VIOLATION, "invalid SCRAM response")
                    .with_detail("Nonce does not match."),
            );
        }

        let auth: [&[u8]; 5] = [
            &client_first_bare,
            b",",
            server_first.as_bytes(),
            b",",
            without_proof,
        ];
        let client_signature = hmac(&self.verifier.stored_key, &auth);
        let mut client_key = [0u8; KEY_LEN];
        for (k, (p, s)) in client_key
            .iter_mut()
            .zip(proof.iter().zip(&client_signature))
        {
            *k = p ^ s;
        }
        if !ct_eq(&sha256(&client_key), &self.verifier.stored_key) || self.doomed {
            return Err(ScramServerError::new(
                INVALID_PASSWORD,
                format!(
                    "password authentication failed for user \"{}\"",
                    self.user.as_deref().unwrap_or_default()
                ),
            ));
        }
        self.bound = channel_binding_in_use;
        let server_signature = hmac(&self.verifier.server_key, &auth);
        Ok(format!("v={}", b64::encode(&server_signature)))
    }
}

/// PostgreSQL's checks on every SCRAM message.
fn check_input(input: &[u8]) -> Result<(), ScramServerError> {
    if input.is_empty() {
        return Err(ScramServerError::malformed("The message is empty."));
    }
    if input.contains(&0) {
        return Err(ScramServerError::malformed(
            "Message length does not match input length.",
        ));
    }
    Ok(())
}

fn server_attr<'a>(p: &mut Cursor<'a>, attr: u8) -> Result<&'a [u8], ScramServerError> {
    read_attr_value(p, attr).map_err(|e| match e {
        AttrError::Expected(found) => ScramServerError::malformed(format!(
            "Expected attribute \"{}\" but found \"{}\".",
            attr as char,
            sanitize_char(found)
        )),
        AttrError::NoEquals => ScramServerError::malformed(format!(
            "Expected character \"=\" for attribute \"{}\".",
            attr as char
        )),
    })
}

/// `read_any_attr`: any `ALPHA=value`.
fn read_any_attr<'a>(p: &mut Cursor<'a>) -> Result<(u8, &'a [u8]), ScramServerError> {
    let attr = p.peek();
    if p.at_end() {
        return Err(ScramServerError::malformed(
            "Attribute expected, but found end of string.",
        ));
    }
    if !attr.is_ascii_alphabetic() {
        return Err(ScramServerError::malformed(format!(
            "Attribute expected, but found invalid character \"{}\".",
            sanitize_char(attr)
        )));
    }
    p.bump();
    if p.peek() != b'=' {
        return Err(ScramServerError::malformed(format!(
            "Expected character \"=\" for attribute \"{}\".",
            attr as char
        )));
    }
    p.bump();
    Ok((attr, p.value()))
}
