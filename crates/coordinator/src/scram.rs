//! The server's SCRAM exchange: `pgtls-scram`'s [`ScramServer`] plus what a transcript needs
//! (was a proof sent, did it match the password) and the one PostgreSQL behaviour it cannot
//! know about (a certificate without a tls-server-end-point hash).

use aws_lc_rs::{digest, hmac};
use base64::Engine as _;
use pgtls_scram::{ScramServer, ScramServerError, ScramVerifier, SCRAM_SHA_256_PLUS};
use pgtls_wire::ErrorFields;

use crate::conn::random_array;

/// The channel-binding data a TLS connection binds to: the hash, or why there is none (e.g.
/// `could not find digest for NID UNDEF` for Ed25519).
pub(crate) type Binding = Result<Vec<u8>, String>;

/// One server-side exchange.
pub(crate) struct Server {
    inner: ScramServer,
    verifier: ScramVerifier,
    /// Set when TLS is in use but the certificate has no hash.
    binding_error: Option<String>,
    plus_chosen: bool,
    client_first_bare: Vec<u8>,
    server_first: String,
}

/// What the client-final-message gave.
pub(crate) struct Final {
    /// `Some(matches)` when the message carried a proof; `matches` is `None` when the proof
    /// could not be checked.
    pub proof_present: Option<Option<bool>>,
    /// The server-final-message, or the FATAL to send.
    pub outcome: Result<String, ErrorFields>,
}

impl Server {
    /// `binding`: `None` over plaintext; over TLS the certificate's hash (or why it has none).
    /// `verifier`: the role's stored verifier (see `Shared::scram_verifier`).
    pub(crate) fn new(verifier: ScramVerifier, user: &str, binding: Option<Binding>) -> Server {
        let (cb_data, binding_error) = match binding {
            None => (None, None),
            Some(Ok(hash)) => (Some(hash), None),
            // TLS without a usable hash: PostgreSQL still advertises -PLUS and fails only when
            // it needs the hash. Any non-empty placeholder keeps the exchange going until then.
            Some(Err(e)) => (Some(vec![0]), Some(e)),
        };
        let nonce = random_array::<{ pgtls_scram::RAW_NONCE_LEN }>();
        Server {
            inner: ScramServer::from_verifier(verifier.clone(), nonce, cb_data).with_user(user),
            verifier,
            binding_error,
            plus_chosen: false,
            client_first_bare: Vec::new(),
            server_first: String::new(),
        }
    }

    /// SASLInitialResponse → server-first-message.
    pub(crate) fn client_first(
        &mut self,
        mechanism: &str,
        data: &[u8],
    ) -> Result<String, ErrorFields> {
        self.plus_chosen = mechanism == SCRAM_SHA_256_PLUS;
        let server_first = self
            .inner
            .handle_client_first(mechanism, data)
            .map_err(fatal)?;
        // client-first-message-bare starts after the gs2 header's second comma.
        self.client_first_bare = data
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b',')
            .nth(1)
            .and_then(|(i, _)| data.get(i + 1..))
            .unwrap_or_default()
            .to_vec();
        self.server_first = server_first.clone();
        Ok(server_first)
    }

    /// SASLResponse → server-final-message.
    pub(crate) fn client_final(&mut self, data: &[u8]) -> Final {
        let proof_present = self.check_proof(data);
        if let (true, Some(e)) = (self.plus_chosen, &self.binding_error) {
            // PostgreSQL computes the hash while reading client-final; the elog(ERROR) becomes
            // a FATAL during authentication.
            return Final {
                proof_present,
                outcome: Err(ErrorFields::fatal("XX000", e.clone())),
            };
        }
        Final {
            proof_present,
            outcome: self.inner.handle_client_final(data).map_err(fatal),
        }
    }

    /// Whether `client_final` carries a proof and whether it proves the password (checked
    /// here, independently of the channel binding PostgreSQL checks first).
    fn check_proof(&self, client_final: &[u8]) -> Option<Option<bool>> {
        let marker = b",p=";
        let at = client_final
            .windows(marker.len())
            .rposition(|w| w == marker)?;
        let without_proof = client_final.get(..at)?;
        let proof_b64 = client_final.get(at + marker.len()..)?;
        let Ok(proof) = base64::engine::general_purpose::STANDARD.decode(proof_b64) else {
            return Some(None);
        };
        if proof.len() != self.verifier.stored_key.len() || self.server_first.is_empty() {
            return Some(None);
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.verifier.stored_key);
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(&self.client_first_bare);
        ctx.update(b",");
        ctx.update(self.server_first.as_bytes());
        ctx.update(b",");
        ctx.update(without_proof);
        let signature = ctx.sign();
        let client_key: Vec<u8> = proof
            .iter()
            .zip(signature.as_ref())
            .map(|(p, s)| p ^ s)
            .collect();
        let stored = digest::digest(&digest::SHA256, &client_key);
        Some(Some(stored.as_ref() == self.verifier.stored_key.as_slice()))
    }
}

fn fatal(e: ScramServerError) -> ErrorFields {
    let fields = ErrorFields::fatal(e.sqlstate, e.message);
    match e.detail {
        Some(d) => fields.with_detail(d),
        None => fields,
    }
}

/// The binding data for a certificate, as PostgreSQL's `be_tls_get_certificate_hash` computes
/// it.
pub(crate) fn binding_for(cert_der: &[u8]) -> Binding {
    pgtls_scram::tls_server_end_point(cert_der).map_err(|e| e.to_string())
}
