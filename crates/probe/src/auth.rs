//! libpq's side of authentication (`fe-auth.c`, `fe-auth-scram.c`), sans I/O.
//!
//! An [`Authenticator`] owns the [`PeerAccepted`] proof: it cannot exist before the policy
//! accepted the peer, so nothing it emits (password, MD5 hash, SCRAM messages) can reach an
//! unaccepted peer.

use md5::{Digest, Md5};
use pgtls_conninfo::{ChannelBindingMode, RequireAuth};
use pgtls_scram::{ChannelBinding, ScramClient};
use pgtls_wire::{Authentication, FrontendMessage};
use serde::Serialize;

use crate::failure::{Failure, FailureKind};
use crate::gate::{AcceptedTransport, PeerAccepted};
use crate::Secret;

const SCRAM: &str = "SCRAM-SHA-256";
const SCRAM_PLUS: &str = "SCRAM-SHA-256-PLUS";
const NO_PASSWORD: &str = "fe_sendauth: no password supplied";

/// What the authenticator needs besides the proof of acceptance.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The startup user (for MD5).
    pub user: String,
    /// The password, if any.
    pub password: Option<Secret>,
    /// `channel_binding`.
    pub channel_binding: ChannelBindingMode,
    /// `require_auth`.
    pub require_auth: RequireAuth,
    /// `require_auth` as written (libpq quotes it in its error).
    pub require_auth_text: String,
    /// Fixed SCRAM nonce (tests and fuzzing); random when `None`.
    pub nonce: Option<[u8; 18]>,
}

/// What the client sent, as evidence (never the secret itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretSent {
    /// PasswordMessage with the cleartext password.
    CleartextPassword,
    /// PasswordMessage with the MD5 hash (replayable against this server).
    Md5Hash,
    /// SCRAM client-final-message with the proof (not replayable).
    ScramProof,
}

/// The authentication exchange as the diagnosis reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuthRecord {
    /// Authentication requests received, by name (`AuthenticationSASL`, ...).
    pub requests: Vec<String>,
    /// SASL mechanisms the server offered, in its order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sasl_mechanisms: Vec<String>,
    /// Whether SCRAM-SHA-256-PLUS was offered (`None` when no SASL request came).
    pub scram_plus_offered: Option<bool>,
    /// The mechanism libpq chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    /// The SCRAM gs2 channel-binding flag sent (`n`, `y` or `p=tls-server-end-point`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gs2_flag: Option<String>,
    /// Whether the exchange ended channel-bound (SCRAM-PLUS verified).
    pub channel_bound: bool,
    /// Secrets sent, and over which transport.
    pub secrets_sent: Vec<(SecretSent, AcceptedTransport)>,
    /// The server proved knowledge of the password (SCRAM server signature verified).
    pub server_authenticated: bool,
    /// AuthenticationOk was received.
    pub ok: bool,
}

enum Sasl {
    /// client-first sent, waiting for server-first.
    FirstSent { client: ScramClient, plus: bool },
    /// client-final (proof) sent, waiting for server-final.
    ProofSent { client: ScramClient, plus: bool },
    /// Server signature verified.
    Finished { plus: bool },
}

/// What to do after an authentication request.
#[derive(Debug)]
pub enum AuthReply {
    /// Send this message and wait for the next request.
    Send(FrontendMessage, Option<SecretSent>),
    /// Nothing to send; wait for the next request.
    Wait,
    /// AuthenticationOk passed libpq's checks: wait for ReadyForQuery.
    Done,
}

/// libpq's authentication state for one connection.
pub struct Authenticator {
    accepted: PeerAccepted,
    cfg: AuthConfig,
    /// DER of the server leaf (TLS only), for tls-server-end-point.
    leaf: Option<Vec<u8>>,
    sasl: Option<Sasl>,
    client_finished_auth: bool,
    /// Evidence for the diagnosis.
    pub record: AuthRecord,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("transport", &self.accepted.transport())
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator for a peer the policy accepted. `leaf` is the server certificate when
    /// the transport is TLS.
    pub fn new(accepted: PeerAccepted, cfg: AuthConfig, leaf: Option<Vec<u8>>) -> Self {
        Self {
            accepted,
            cfg,
            leaf,
            sasl: None,
            client_finished_auth: false,
            record: AuthRecord::default(),
        }
    }

    fn ssl_in_use(&self) -> bool {
        self.accepted.transport() == AcceptedTransport::Tls
    }

    fn fail(msg: impl Into<String>) -> Failure {
        Failure::new(FailureKind::ClientAuth, msg)
    }

    /// libpq's `check_expected_areq` (PG16 order: sslcertmode, require_auth, channel_binding).
    fn check_expected(&self, code: u32) -> Result<(), Failure> {
        let ra = &self.cfg.require_auth;
        if *ra != RequireAuth::ANY {
            let mut reason: Option<&str> = None;
            let ok = match code {
                0 => {
                    if !ra.auth_required || self.client_finished_auth {
                        true
                    } else {
                        reason = Some("server did not complete authentication");
                        false
                    }
                }
                3 | 5 | 7 | 8 | 9 | 10 | 11 | 12 => ra.allows_code(code),
                _ => false,
            };
            if !ok {
                let reason = reason.unwrap_or(match code {
                    3 => "server requested a cleartext password",
                    5 => "server requested a hashed password",
                    7 | 8 => "server requested GSSAPI authentication",
                    9 => "server requested SSPI authentication",
                    10..=12 => "server requested SASL authentication",
                    _ => "server requested an unknown authentication type",
                });
                let spec = &self.cfg.require_auth_text;
                return Err(Self::fail(format!(
                    "authentication method requirement \"{spec}\" failed: {reason}"
                )));
            }
        }
        if self.cfg.channel_binding == ChannelBindingMode::Require {
            match code {
                10..=12 => {}
                0 => {
                    let bound = matches!(self.sasl, Some(Sasl::Finished { plus: true }));
                    if !bound {
                        return Err(Self::fail(
                            "channel binding required, but server authenticated client without channel binding",
                        ));
                    }
                }
                _ => return Err(Self::fail(
                    "channel binding required but not supported by server's authentication request",
                )),
            }
        }
        Ok(())
    }

    fn password(&self) -> Result<&Secret, Failure> {
        match &self.cfg.password {
            Some(p) if !p.expose().is_empty() => Ok(p),
            _ => Err(Self::fail(NO_PASSWORD)),
        }
    }

    /// Handles one AuthenticationRequest, as libpq's `pg_fe_sendauth`.
    pub fn on_request(&mut self, req: &Authentication) -> Result<AuthReply, Failure> {
        self.record.requests.push(req.name().to_owned());
        let code = req.code();
        self.check_expected(code)?;
        match req {
            Authentication::Ok => {
                self.record.ok = true;
                Ok(AuthReply::Done)
            }
            Authentication::CleartextPassword => {
                let pw = self.password()?.expose().as_bytes().to_vec();
                self.client_finished_auth = true;
                self.note_secret(SecretSent::CleartextPassword);
                Ok(AuthReply::Send(
                    FrontendMessage::Password(pw),
                    Some(SecretSent::CleartextPassword),
                ))
            }
            Authentication::Md5Password { salt } => {
                let pw = self.password()?;
                let hashed = md5_password(pw.expose(), &self.cfg.user, salt);
                self.client_finished_auth = true;
                self.note_secret(SecretSent::Md5Hash);
                Ok(AuthReply::Send(
                    FrontendMessage::Password(hashed.into_bytes()),
                    Some(SecretSent::Md5Hash),
                ))
            }
            Authentication::Sasl { mechanisms } => self.sasl_init(mechanisms),
            Authentication::SaslContinue(data) => self.sasl_continue(data, false),
            Authentication::SaslFinal(data) => self.sasl_continue(data, true),
            Authentication::Other { code, .. } => Err(Self::fail(match code {
                2 => "Kerberos 5 authentication not supported".to_owned(),
                6 => "SCM_CRED authentication method not supported".to_owned(),
                7 | 8 => "GSSAPI authentication not supported".to_owned(),
                9 => "SSPI authentication not supported".to_owned(),
                c => format!("authentication method {c} not supported"),
            })),
        }
    }

    fn note_secret(&mut self, what: SecretSent) {
        self.record
            .secrets_sent
            .push((what, self.accepted.transport()));
    }

    fn sasl_init(&mut self, mechanisms: &[String]) -> Result<AuthReply, Failure> {
        if self.sasl.is_some() {
            return Err(Self::fail("duplicate SASL authentication request"));
        }
        self.record.sasl_mechanisms = mechanisms.to_vec();
        self.record.scram_plus_offered = Some(mechanisms.iter().any(|m| m == SCRAM_PLUS));
        if self.cfg.channel_binding == ChannelBindingMode::Require && !self.ssl_in_use() {
            return Err(Self::fail("channel binding required, but SSL not in use"));
        }
        let mut selected: Option<&str> = None;
        for m in mechanisms {
            if m == SCRAM_PLUS {
                if self.ssl_in_use() {
                    if self.cfg.channel_binding != ChannelBindingMode::Disable {
                        selected = Some(SCRAM_PLUS);
                    }
                } else {
                    return Err(Self::fail(
                        "server offered SCRAM-SHA-256-PLUS authentication over a non-SSL connection",
                    ));
                }
            } else if m == SCRAM && selected.is_none() {
                selected = Some(SCRAM);
            }
        }
        let Some(selected) = selected else {
            return Err(Self::fail(
                "none of the server's SASL authentication mechanisms are supported",
            ));
        };
        let plus = selected == SCRAM_PLUS;
        if self.cfg.channel_binding == ChannelBindingMode::Require && !plus {
            return Err(Self::fail(
                "channel binding is required, but server did not offer an authentication method that supports channel binding",
            ));
        }
        let password = self.password()?.expose().to_owned();
        let (cb, flag) = if plus {
            let leaf = self.leaf.as_deref().unwrap_or_default();
            let hash =
                pgtls_scram::tls_server_end_point(leaf).map_err(|e| Self::fail(e.to_string()))?;
            (
                ChannelBinding::TlsServerEndPoint(hash),
                "p=tls-server-end-point",
            )
        } else if self.ssl_in_use() && self.cfg.channel_binding != ChannelBindingMode::Disable {
            (ChannelBinding::SupportedNotUsed, "y")
        } else {
            (ChannelBinding::NotSupported, "n")
        };
        let nonce = match self.cfg.nonce {
            Some(n) => n,
            None => random_nonce()?,
        };
        let client = ScramClient::new(&password, nonce, cb);
        let first = client.client_first();
        self.record.mechanism = Some(selected.to_owned());
        self.record.gs2_flag = Some(flag.to_owned());
        self.sasl = Some(Sasl::FirstSent { client, plus });
        Ok(AuthReply::Send(
            FrontendMessage::SaslInitialResponse {
                mechanism: selected.to_owned(),
                data: Some(first.into_bytes()),
            },
            None,
        ))
    }

    fn sasl_continue(&mut self, data: &[u8], is_final: bool) -> Result<AuthReply, Failure> {
        let Some(state) = self.sasl.take() else {
            let which = if is_final {
                "AUTH_REQ_SASL_FIN"
            } else {
                "AUTH_REQ_SASL_CONT"
            };
            return Err(Self::fail(format!(
                "fe_sendauth: invalid authentication request from server: {which} without AUTH_REQ_SASL"
            )));
        };
        let text = String::from_utf8_lossy(data).into_owned();
        match state {
            Sasl::FirstSent { mut client, plus } => {
                let final_msg = client
                    .handle_server_first(&text)
                    .map_err(|e| Self::fail(e.to_string()))?;
                if is_final {
                    return Err(Self::fail(
                        "AuthenticationSASLFinal received from server, but SASL authentication was not completed",
                    ));
                }
                self.sasl = Some(Sasl::ProofSent { client, plus });
                self.note_secret(SecretSent::ScramProof);
                Ok(AuthReply::Send(
                    FrontendMessage::SaslResponse(final_msg.into_bytes()),
                    Some(SecretSent::ScramProof),
                ))
            }
            Sasl::ProofSent { client, plus } => {
                client
                    .verify_server_final(&text)
                    .map_err(|e| Self::fail(e.to_string()))?;
                self.record.server_authenticated = true;
                self.record.channel_bound = plus;
                self.client_finished_auth = true;
                self.sasl = Some(Sasl::Finished { plus });
                Ok(AuthReply::Wait)
            }
            Sasl::Finished { .. } => Err(Self::fail(
                "fe_sendauth: invalid authentication request from server: SASL exchange already completed",
            )),
        }
    }
}

/// `md5` + hex(md5(hex(md5(password + user)) + salt)), as libpq's `pg_md5_encrypt` twice.
pub fn md5_password(password: &str, user: &str, salt: &[u8; 4]) -> String {
    let mut h = Md5::new();
    h.update(password.as_bytes());
    h.update(user.as_bytes());
    let inner = hex(&h.finalize());
    let mut h = Md5::new();
    h.update(inner.as_bytes());
    h.update(salt);
    format!("md5{}", hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn random_nonce() -> Result<[u8; 18], Failure> {
    let mut n = [0u8; 18];
    aws_lc_rs::rand::fill(&mut n)
        .map_err(|_| Failure::new(FailureKind::ClientAuth, "could not generate nonce"))?;
    Ok(n)
}
