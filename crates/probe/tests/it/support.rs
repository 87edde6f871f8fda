//! Helpers: settings from a conninfo with an isolated environment, and a scripted server on the
//! other end of a `tokio::io::duplex`.

use std::path::Path;

use pgtls_conninfo::{Env, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// Settings as libpq would resolve `conninfo` with HOME=`home` and no PG* variables.
pub fn settings_with_home(conninfo: &str, home: &Path) -> Settings {
    let env = Env::from_map([("HOME", home.to_str().unwrap())]).with_os_user(Some("nobody".into()));
    Settings::from_conninfo(conninfo, &env).expect("valid conninfo")
}

/// Settings with a home directory that holds nothing (no root.crt, no client certificate).
pub fn settings(conninfo: &str) -> Settings {
    settings_with_home(conninfo, Path::new("/nonexistent-pgtls-home"))
}

/// One step of a scripted server.
#[derive(Debug, Clone)]
pub enum Srv {
    /// Read a startup-style packet (length word first) and record it.
    ReadPacket,
    /// Read a typed message (tag + length) and record it.
    ReadMessage,
    /// Write these bytes in one write.
    Write(Vec<u8>),
}

/// Runs `script` on the server half; returns what the client sent, in order (each packet or
/// message whole). Stops quietly when the client goes away.
pub async fn serve(mut s: DuplexStream, script: Vec<Srv>) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    for step in script {
        match step {
            Srv::Write(b) => {
                if s.write_all(&b).await.is_err() {
                    break;
                }
            }
            Srv::ReadPacket => {
                let Ok(len) = s.read_u32().await else { break };
                let mut body = vec![0u8; (len as usize).saturating_sub(4)];
                if s.read_exact(&mut body).await.is_err() {
                    break;
                }
                let mut p = len.to_be_bytes().to_vec();
                p.extend(body);
                got.push(p);
            }
            Srv::ReadMessage => {
                let Ok(tag) = s.read_u8().await else { break };
                let Ok(len) = s.read_u32().await else { break };
                let mut body = vec![0u8; (len as usize).saturating_sub(4)];
                if s.read_exact(&mut body).await.is_err() {
                    break;
                }
                let mut p = vec![tag];
                p.extend(len.to_be_bytes());
                p.extend(body);
                got.push(p);
            }
        }
    }
    got
}

/// A backend message: tag, length, body.
pub fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(((body.len() + 4) as u32).to_be_bytes());
    v.extend(body);
    v
}

/// AuthenticationRequest with `code` and extra data.
pub fn auth(code: u32, data: &[u8]) -> Vec<u8> {
    let mut b = code.to_be_bytes().to_vec();
    b.extend(data);
    msg(b'R', &b)
}

/// AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery.
pub fn ok_and_ready() -> Vec<u8> {
    let mut v = auth(0, b"");
    v.extend(msg(b'S', b"server_version\x0015.18\x00"));
    v.extend(msg(b'K', &[0, 0, 0, 42, 0, 0, 0, 7]));
    v.extend(msg(b'Z', b"I"));
    v
}

/// A FATAL ErrorResponse as PostgreSQL sends it.
pub fn fatal(sqlstate: &str, message: &str) -> Vec<u8> {
    let body = format!("SFATAL\0VFATAL\0C{sqlstate}\0M{message}\0\0");
    msg(b'E', body.as_bytes())
}

/// The SSLRequest bytes libpq sends.
pub const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
