//! The floor: a rustls client and server handshaking through in-memory buffers, no sockets, no
//! runtime, one thread.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, ConnectionCommon, ServerConfig, ServerConnection};

/// One full handshake between a fresh client and server connection.
///
/// Records move through the reused `buf` until neither side is handshaking. Returns the bytes
/// moved in each direction (client→server, server→client).
pub fn handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    name: &ServerName<'static>,
    buf: &mut Vec<u8>,
) -> Result<(usize, usize), rustls::Error> {
    let mut c = ClientConnection::new(client.clone(), name.clone())?;
    let mut s = ServerConnection::new(server.clone())?;
    let (mut up, mut down) = (0, 0);
    while c.is_handshaking() || s.is_handshaking() {
        let sent_up = pump(&mut c, &mut s, buf)?;
        let sent_down = pump(&mut s, &mut c, buf)?;
        if sent_up == 0 && sent_down == 0 {
            return Err(rustls::Error::General("in-memory handshake stalled".into()));
        }
        up += sent_up;
        down += sent_down;
    }
    Ok((up, down))
}

fn io_err(e: std::io::Error) -> rustls::Error {
    rustls::Error::General(format!("in-memory transfer: {e}"))
}

/// Moves everything `from` wants to send into `to`, letting `to` process it as it goes.
fn pump<A, B>(
    from: &mut ConnectionCommon<A>,
    to: &mut ConnectionCommon<B>,
    buf: &mut Vec<u8>,
) -> Result<usize, rustls::Error> {
    let mut moved = 0;
    while from.wants_write() {
        buf.clear();
        from.write_tls(buf).map_err(io_err)?;
        moved += buf.len();
        let mut rd: &[u8] = buf;
        while !rd.is_empty() {
            to.read_tls(&mut rd).map_err(io_err)?;
            to.process_new_packets()?;
        }
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{self, ClientVerify, Fixture};
    use rustls::HandshakeKind;

    fn kind_of_next(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) -> HandshakeKind {
        let name = fixture::server_name();
        let mut c = ClientConnection::new(client.clone(), name).unwrap();
        let mut s = ServerConnection::new(server.clone()).unwrap();
        let mut buf = Vec::new();
        while c.is_handshaking() || s.is_handshaking() {
            pump(&mut c, &mut s, &mut buf).unwrap();
            pump(&mut s, &mut c, &mut buf).unwrap();
        }
        c.handshake_kind().unwrap()
    }

    #[test]
    fn the_floor_never_resumes_and_the_resumed_variant_does() {
        let fx = Fixture::new(pgtls_pki::KeyType::EcdsaP256, 0).unwrap();
        let tls13 = &[&rustls::version::TLS13];
        let client = fixture::client_config(&fx, tls13, ClientVerify::Full);
        let server = fixture::server_config(&fx, tls13);
        for _ in 0..3 {
            assert_eq!(kind_of_next(&client, &server), HandshakeKind::Full);
        }
        let (client, server) = fixture::resuming_configs(&fx);
        assert_eq!(kind_of_next(&client, &server), HandshakeKind::Full);
        for _ in 0..3 {
            assert_eq!(kind_of_next(&client, &server), HandshakeKind::Resumed);
        }
    }

    #[test]
    fn handshake_moves_bytes_both_ways_for_every_key_type() {
        for key in pgtls_pki::KeyType::ALL {
            let fx = Fixture::new(key, 2).unwrap();
            let tls13 = &[&rustls::version::TLS13];
            for verify in [ClientVerify::Full, ClientVerify::SignatureOnly] {
                let client = fixture::client_config(&fx, tls13, verify);
                let server = fixture::server_config(&fx, tls13);
                let (up, down) =
                    handshake(&client, &server, &fixture::server_name(), &mut Vec::new()).unwrap();
                assert!(up > 0 && down > up, "{key}: {up} up, {down} down");
            }
        }
    }
}
