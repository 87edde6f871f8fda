//! Entry points for the cargo-fuzz targets in `fuzz/` (and for replaying their corpora in
//! `cargo test`): the coordinator's session state machine fed an arbitrary client byte stream,
//! in memory — no sockets, one `tokio::io::duplex` pipe per input.
//!
//! The first input byte picks one of a few fixed server setups (plaintext with each
//! authentication method, hostssl-only, and a TLS server whose handshake is the real rustls
//! one: fuzz bytes after `S` are what rustls reads); the rest is what the client sends before
//! closing its side. What is checked: no panic, the session ends once the client has closed
//! (no wait on a deadline that EOF should have cut short is possible: the limits are short),
//! the server's answer stays bounded, the transcript serialises, and the credentials it records
//! never hold the password's value.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::spec::{AuthMethod, Hba, Limits, ServerSpec, SslAnswer, TlsMaterial};
use crate::Prepared;

/// The most bytes the server may send in answer to one input before it counts as unbounded.
pub const MAX_RESPONSE: usize = 1 << 20;

/// The password of every fuzzing setup (checked never to appear in a transcript).
const PASSWORD: &str = "fuzz-secret-password";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime")
    })
}

fn tls_material() -> TlsMaterial {
    let pki = pgtls_pki::Pki::now_utc();
    let root = pki.root("pgtls fuzz root").expect("root");
    let leaf = pki
        .issue(&pgtls_pki::CertSpec::server("c-demo.pgtls.test"), &root)
        .expect("leaf");
    TlsMaterial {
        chain: vec![leaf.der().clone()],
        key: leaf.key_der(),
        client_cas: Vec::new(),
        channel_binding_cert: None,
    }
}

fn setups() -> &'static [Prepared] {
    static SETUPS: OnceLock<Vec<Prepared>> = OnceLock::new();
    SETUPS.get_or_init(|| {
        let limits = Limits {
            handshake: Duration::from_millis(200),
            idle: Duration::from_millis(200),
            max_connections: 1,
            max_message_len: 64 * 1024,
        };
        let plain = |name: &str, auth: AuthMethod| {
            ServerSpec::new(name)
                .ssl_answer(SslAnswer::Refuse)
                .auth(auth)
                .password(PASSWORD)
                .limits(limits)
        };
        let specs = vec![
            plain("fuzz-scram", AuthMethod::ScramSha256),
            plain("fuzz-md5", AuthMethod::Md5),
            plain("fuzz-cleartext", AuthMethod::Password),
            plain("fuzz-trust", AuthMethod::Trust),
            plain("fuzz-hostssl", AuthMethod::ScramSha256).hba(Hba::HostSsl),
            ServerSpec::new("fuzz-tls")
                .tls(tls_material())
                .ssl_answer(SslAnswer::Accept)
                .auth(AuthMethod::ScramSha256)
                .password(PASSWORD)
                .limits(limits),
            plain("fuzz-garbage", AuthMethod::Trust).ssl_answer(SslAnswer::Garbage(vec![b'X'])),
        ];
        specs
            .into_iter()
            .map(|spec| Prepared::from_spec(spec).expect("fuzz setup"))
            .collect()
    })
}

/// Feeds `data` (selector byte, then the client's bytes) to one server session.
pub fn session(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let setups = setups();
    let prepared = setups[usize::from(selector) % setups.len()].clone();
    let input = input.to_vec();
    runtime().block_on(async move {
        let (client, server) = tokio::io::duplex(16 * 1024);
        let session =
            tokio::spawn(
                async move { crate::serve_connection(&prepared, server, "127.0.0.1").await },
            );
        let (mut rd, mut wr) = tokio::io::split(client);
        let writer = async move {
            // The server may stop reading (and drop its end) at any point: that is fine.
            let _ = wr.write_all(&input).await;
            let _ = wr.shutdown().await;
        };
        let reader = async move {
            let mut total = 0usize;
            let mut chunk = [0u8; 8192];
            loop {
                match rd.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        total += n;
                        assert!(
                            total <= MAX_RESPONSE,
                            "the server answered one input with more than {MAX_RESPONSE} bytes"
                        );
                    }
                }
            }
        };
        tokio::join!(writer, reader);
        let transcript = session.await.expect("the session task must not panic");
        serde_json::to_string(&transcript).expect("a transcript serialises");
        // The transcript echoes what the client put in its startup packet, queries and SASL
        // mechanism name (fuzz input may carry the password there); the credentials it records
        // must never carry the value.
        let exposed =
            serde_json::to_string(&transcript.credentials_exposed).expect("credentials serialise");
        assert!(
            !exposed.contains(PASSWORD),
            "a credential value reached the transcript: {exposed}"
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_on_every_setup_for_empty_truncated_and_real_inputs() {
        let ssl_request = [0u8, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
        let mut startup = vec![0u8, 0, 0, 0, 0, 3, 0, 0];
        startup.extend_from_slice(b"user\0citus\0database\0citus\0\0");
        let len = u32::try_from(startup.len()).unwrap().to_be_bytes();
        startup[..4].copy_from_slice(&len);
        for selector in 0..=u8::try_from(setups().len()).unwrap() {
            session(&[selector]);
            session(&[selector, 0, 0]);
            let mut both = vec![selector];
            both.extend_from_slice(&ssl_request);
            both.extend_from_slice(&startup);
            session(&both);
            let mut password = both.clone();
            password.extend_from_slice(b"p\0\0\0\x19fuzz-secret-password\0");
            session(&password);
        }
    }

    #[test]
    fn committed_session_fuzz_corpus_replays_without_panics() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus/coordinator_session");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fuzz/corpus/coordinator_session is committed")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "the committed corpus has seeds");
        for path in files {
            session(&std::fs::read(&path).unwrap());
        }
    }
}
