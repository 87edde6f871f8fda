//! SCRAM-SHA-256 key derivation (RFC 5802 / RFC 7677) and the stored verifier.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{b64, KEY_LEN};

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA-256 over the concatenation of `parts`.
pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; KEY_LEN] {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

pub(crate) fn sha256(data: &[u8]) -> [u8; KEY_LEN] {
    Sha256::digest(data).into()
}

/// SaltedPassword := Hi(Normalize(password), salt, i).
pub(crate) fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

pub(crate) fn client_key(salted: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    hmac(salted, &[b"Client Key"])
}

pub(crate) fn server_key(salted: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    hmac(salted, &[b"Server Key"])
}

/// SASLprep's ASCII fast path (PostgreSQL returns pure-ASCII input unchanged); other
/// passwords are used as their UTF-8 bytes.
pub(crate) fn prepare_password(password: &str) -> &[u8] {
    password.as_bytes()
}

/// Constant-time equality for keys and signatures.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A stored SCRAM-SHA-256 secret, as in `pg_authid.rolpassword`.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramVerifier {
    /// Iteration count.
    pub iterations: u32,
    /// Raw salt bytes.
    pub salt: Vec<u8>,
    /// StoredKey = H(ClientKey).
    pub stored_key: [u8; KEY_LEN],
    /// ServerKey = HMAC(SaltedPassword, "Server Key").
    pub server_key: [u8; KEY_LEN],
}

impl std::fmt::Debug for ScramVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys are password-equivalent for a server: keep them out of logs.
        f.debug_struct("ScramVerifier")
            .field("iterations", &self.iterations)
            .field("salt", &b64::encode(&self.salt))
            .finish_non_exhaustive()
    }
}

impl ScramVerifier {
    /// Derives the verifier of `password` with this salt and iteration count (PostgreSQL's
    /// defaults: a 16-byte random salt and [`crate::DEFAULT_ITERATIONS`]).
    pub fn new(password: &str, salt: &[u8], iterations: u32) -> Self {
        let salted = salted_password(prepare_password(password), salt, iterations);
        Self {
            iterations,
            salt: salt.to_vec(),
            stored_key: sha256(&client_key(&salted)),
            server_key: server_key(&salted),
        }
    }

    /// The `pg_authid` form: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
    pub fn to_secret(&self) -> String {
        format!(
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            b64::encode(&self.salt),
            b64::encode(&self.stored_key),
            b64::encode(&self.server_key)
        )
    }

    /// Parses the `pg_authid` form; `None` if it is not a valid SCRAM-SHA-256 secret.
    pub fn parse(secret: &str) -> Option<Self> {
        let rest = secret.strip_prefix("SCRAM-SHA-256$")?;
        let (iterations, rest) = rest.split_once(':')?;
        let (salt, keys) = rest.split_once('$')?;
        let (stored, server) = keys.split_once(':')?;
        Some(Self {
            iterations: iterations.parse().ok().filter(|&i| i > 0)?,
            salt: b64::decode_pg(salt.as_bytes())?,
            stored_key: b64::decode_pg(stored.as_bytes())?.try_into().ok()?,
            server_key: b64::decode_pg(server.as_bytes())?.try_into().ok()?,
        })
    }
}
