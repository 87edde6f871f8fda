//! The probe's negotiation + authentication machine fed a *plausible* server: an SSLRequest
//! answer and a script of well-framed backend messages (AuthenticationSASL lists, SCRAM
//! server-first messages that echo the client's nonce, MD5 salts, FATALs, ReadyForQuery...)
//! mixed with raw bytes. Random bytes almost never frame an AuthenticationSASLContinue with
//! the right nonce; this target gets to the SCRAM proof on its first runs, which is where the
//! "no secret before the policy accepted the peer" assertion matters.
//!
//! It renders to the byte layout of `probe_negotiation` (5 header bytes, then the server's
//! bytes) and calls the same entry point, so `cargo fuzz fmt -s none probe_structured <file>`
//! prints the hex to save under `corpus/probe_negotiation/` as a regression.
#![no_main]

use std::fmt;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

/// base64 of the fixed nonce `[7; 18]` the fuzzing entry point gives the SCRAM client.
const CLIENT_NONCE: &str = "BwcHBwcHBwcHBwcHBwcHBwcH";

#[derive(Arbitrary)]
enum SslAnswer {
    S,
    N,
    E,
    Byte(u8),
    /// The answer and bytes in the same read (CVE-2021-23214's injected data).
    WithExtra(u8, Vec<u8>),
    /// The server closes.
    Nothing,
}

#[derive(Arbitrary)]
enum Mechanism {
    Scram,
    ScramPlus,
    OAuthBearer,
    Other(String),
}

#[derive(Arbitrary)]
struct ServerFirst {
    echo_nonce: bool,
    nonce_suffix: String,
    salt: Vec<u8>,
    /// Kept small (1..=16) so the fuzzer does not spend its time in PBKDF2.
    iterations: u8,
    extra: Option<String>,
}

#[derive(Arbitrary)]
enum Msg {
    AuthOk,
    Cleartext,
    Md5([u8; 4]),
    Sasl(Vec<Mechanism>),
    SaslContinue(ServerFirst),
    SaslContinueRaw(Vec<u8>),
    SaslFinal {
        verifier: [u8; 32],
        error: Option<String>,
    },
    SaslFinalRaw(Vec<u8>),
    AuthOther(u32, Vec<u8>),
    Error {
        fatal: bool,
        sqlstate: [u8; 5],
        message: String,
    },
    Notice(String),
    ParameterStatus(String, String),
    BackendKeyData(u32, u32),
    Ready(u8),
    NegotiateProtocolVersion(u32, Vec<String>),
    /// A frame with any tag and body.
    Frame(u8, Vec<u8>),
    /// Unframed bytes.
    Raw(Vec<u8>),
}

#[derive(Arbitrary)]
struct Input {
    mode: u8,
    start: u8,
    channel_binding: u8,
    tls_flags: u8,
    read_size: u8,
    answer: SslAnswer,
    messages: Vec<Msg>,
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend(s.bytes().filter(|&b| b != 0));
    out.push(0);
}

fn frame(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    let len = u32::try_from(body.len() + 4).unwrap_or(u32::MAX);
    out.extend(len.to_be_bytes());
    out.extend(body);
}

fn auth(out: &mut Vec<u8>, code: u32, data: &[u8]) {
    let mut body = code.to_be_bytes().to_vec();
    body.extend(data);
    frame(out, b'R', &body);
}

impl Msg {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Msg::AuthOk => auth(out, 0, b""),
            Msg::Cleartext => auth(out, 3, b""),
            Msg::Md5(salt) => auth(out, 5, salt),
            Msg::Sasl(mechs) => {
                let mut body = Vec::new();
                for m in mechs {
                    match m {
                        Mechanism::Scram => cstr(&mut body, "SCRAM-SHA-256"),
                        Mechanism::ScramPlus => cstr(&mut body, "SCRAM-SHA-256-PLUS"),
                        Mechanism::OAuthBearer => cstr(&mut body, "OAUTHBEARER"),
                        Mechanism::Other(s) => cstr(&mut body, s),
                    }
                }
                body.push(0);
                auth(out, 10, &body);
            }
            Msg::SaslContinue(f) => {
                let nonce = if f.echo_nonce { CLIENT_NONCE } else { "" };
                let mut s = format!(
                    "r={nonce}{},s={},i={}",
                    f.nonce_suffix,
                    b64(&f.salt),
                    f.iterations % 16 + 1
                );
                if let Some(e) = &f.extra {
                    s.push(',');
                    s.push_str(e);
                }
                auth(out, 11, s.as_bytes());
            }
            Msg::SaslContinueRaw(d) => auth(out, 11, d),
            Msg::SaslFinal { verifier, error } => {
                let s = match error {
                    Some(e) => format!("e={e}"),
                    None => format!("v={}", b64(verifier)),
                };
                auth(out, 12, s.as_bytes());
            }
            Msg::SaslFinalRaw(d) => auth(out, 12, d),
            Msg::AuthOther(code, d) => auth(out, *code, d),
            Msg::Error {
                fatal,
                sqlstate,
                message,
            } => {
                let mut body = Vec::new();
                let sev = if *fatal { "FATAL" } else { "ERROR" };
                for (code, v) in [(b'S', sev), (b'V', sev)] {
                    body.push(code);
                    cstr(&mut body, v);
                }
                body.push(b'C');
                let state: String = sqlstate
                    .iter()
                    .map(|b| char::from(b'0' + b % 36).to_ascii_uppercase())
                    .collect();
                cstr(&mut body, &state);
                body.push(b'M');
                cstr(&mut body, message);
                body.push(0);
                frame(out, b'E', &body);
            }
            Msg::Notice(m) => {
                let mut body = b"SNOTICE\0VNOTICE\0C00000\0M".to_vec();
                cstr(&mut body, m);
                body.push(0);
                frame(out, b'N', &body);
            }
            Msg::ParameterStatus(k, v) => {
                let mut body = Vec::new();
                cstr(&mut body, k);
                cstr(&mut body, v);
                frame(out, b'S', &body);
            }
            Msg::BackendKeyData(pid, key) => {
                let mut body = pid.to_be_bytes().to_vec();
                body.extend(key.to_be_bytes());
                frame(out, b'K', &body);
            }
            Msg::Ready(status) => frame(out, b'Z', &[*status]),
            Msg::NegotiateProtocolVersion(minor, opts) => {
                let mut body = minor.to_be_bytes().to_vec();
                let n = u32::try_from(opts.len()).unwrap_or(u32::MAX);
                body.extend(n.to_be_bytes());
                for o in opts {
                    cstr(&mut body, o);
                }
                frame(out, b'v', &body);
            }
            Msg::Frame(tag, body) => frame(out, *tag, body),
            Msg::Raw(d) => out.extend(d),
        }
    }
}

impl Input {
    /// The byte layout `pgtls_probe::fuzzing::negotiation_and_auth` reads.
    fn render(&self) -> Vec<u8> {
        let mut out = vec![
            self.mode,
            self.start,
            self.channel_binding,
            self.tls_flags,
            self.read_size,
        ];
        // start % 3 == 0 is SSLRequest: the answer comes first.
        if self.start % 3 == 0 {
            match &self.answer {
                SslAnswer::S => out.push(b'S'),
                SslAnswer::N => out.push(b'N'),
                SslAnswer::E => out.push(b'E'),
                SslAnswer::Byte(b) => out.push(*b),
                SslAnswer::WithExtra(b, extra) => {
                    out.push(*b);
                    out.extend(extra);
                }
                SslAnswer::Nothing => return out,
            }
        }
        for m in &self.messages {
            m.encode(&mut out);
        }
        out
    }
}

/// `cargo fuzz fmt` prints the bytes the entry point received, as hex.
impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.render() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

fuzz_target!(|input: Input| {
    pgtls_probe::fuzzing::negotiation_and_auth(&input.render());
});
