//! Entry points for fuzz targets (and for replaying their corpora in tests). They must never
//! panic; a panic is a bug.

use crate::SCRAM_SHA_256_PLUS;
use crate::{tls_server_end_point, ChannelBinding, ScramClient, ScramServer, SCRAM_SHA_256};

const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
const MAX_ITERATIONS: u32 = 16;

fn client(cb: ChannelBinding) -> ScramClient {
    ScramClient::new("pencil", CLIENT_NONCE, cb).with_max_iterations(MAX_ITERATIONS)
}

/// Feeds `data` to a client as the server-first-message, raw and behind a valid nonce
/// prefix; when accepted, also feeds it as the server-final-message.
pub fn server_first(data: &[u8]) {
    let mut prefixed = format!("r={CLIENT_NONCE}").into_bytes();
    prefixed.extend_from_slice(data);
    for input in [data, &prefixed] {
        for cb in [
            ChannelBinding::NotSupported,
            ChannelBinding::SupportedNotUsed,
            ChannelBinding::TlsServerEndPoint(vec![1; 32]),
        ] {
            let mut c = client(cb);
            if let Ok(fin) = c.handle_server_first_bytes(input) {
                assert!(fin.starts_with("c="), "client-final: {fin}");
                let _ = c.verify_server_final_bytes(data);
            }
        }
    }
    let _ = tls_server_end_point(data);
}

/// Runs a client through a valid server-first-message, then feeds `data` (raw and behind
/// `v=`) as the server-final-message.
pub fn server_final(data: &[u8]) {
    let mut prefixed = b"v=".to_vec();
    prefixed.extend_from_slice(data);
    for input in [data, &prefixed] {
        let mut c = client(ChannelBinding::NotSupported);
        let first = format!("r={CLIENT_NONCE}srv,s=QSXCR+Q6sek8bf92,i=1");
        if c.handle_server_first(&first).is_ok() {
            let _ = c.verify_server_final_bytes(input);
        }
    }
}

/// Feeds `data` to servers (plaintext and TLS) as the client-first-message for both
/// mechanisms, then as the client-final-message after a valid first step.
pub fn client_messages(data: &[u8]) {
    for cb_data in [None, Some(vec![2u8; 32])] {
        for mechanism in [SCRAM_SHA_256, SCRAM_SHA_256_PLUS, "bogus"] {
            let mut s = server(cb_data.clone());
            if let Ok(first) = s.handle_client_first(mechanism, data) {
                assert!(first.starts_with("r="), "server-first: {first}");
                let _ = s.handle_client_final(data);
            }
        }
        for first in [
            "n,,n=,r=abc",
            "y,,n=,r=abc",
            "p=tls-server-end-point,,n=,r=abc",
        ] {
            let mechanism = if first.starts_with('p') {
                SCRAM_SHA_256_PLUS
            } else {
                SCRAM_SHA_256
            };
            let mut s = server(cb_data.clone());
            if s.handle_client_first(mechanism, first.as_bytes()).is_ok() {
                let _ = s.handle_client_final(data);
                let mut s = server(cb_data.clone());
                let _ = s.handle_client_first(mechanism, first.as_bytes());
                let mut prefixed = b"c=biws,r=abcsrv,".to_vec();
                prefixed.extend_from_slice(data);
                let _ = s.handle_client_final(&prefixed);
            }
        }
    }
}

fn server(cb_data: Option<Vec<u8>>) -> ScramServer {
    ScramServer::new("pencil", b"salt", 1, "srv", cb_data)
}
