//! The real libpq (psql) as the oracle: a tiny plaintext mock server built from
//! `pgtls-wire` + [`ScramServer`] authenticates psql, and feeds it broken SCRAM messages to
//! check that [`ScramError`]'s texts are exactly what libpq prints.
//!
//! Runs when `psql` is on PATH; otherwise prints `SKIP:` and passes, unless
//! `PGTLS_REQUIRE_REAL_PEERS=1`, in which case it fails. (This crate cannot use
//! `pgtls_coordinator::peers`, which depends on it.)

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use pgtls_scram::{ChannelBinding, ScramError, ScramServer, SCRAM_SHA_256};
use pgtls_wire::{
    Authentication, BackendMessage, ErrorFields, FieldDescription, FrontendMessage, Limits,
    PasswordContext, StartupPacket,
};

const TIMEOUT: Duration = Duration::from_secs(10);
const PASSWORD: &str = "s3cret-for-tests";

fn psql() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("psql"))
        .find(|p| p.is_file())
}

/// `Some(psql)`, or `None` after printing SKIP (panics under PGTLS_REQUIRE_REAL_PEERS=1).
fn psql_or_skip(test: &str) -> Option<PathBuf> {
    let found = psql();
    if found.is_none() {
        if std::env::var("PGTLS_REQUIRE_REAL_PEERS").as_deref() == Ok("1") {
            panic!("{test}: psql not found and PGTLS_REQUIRE_REAL_PEERS=1");
        }
        eprintln!("SKIP: {test}: psql not found on PATH");
    }
    found
}

/// One accepted connection with a read buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    fn startup(&mut self) -> StartupPacket {
        loop {
            if let Some((p, n)) = StartupPacket::decode(&self.buf).expect("startup packet") {
                self.buf.drain(..n);
                return p;
            }
            self.fill().expect("read startup");
        }
    }

    fn frontend(&mut self, ctx: PasswordContext) -> FrontendMessage {
        loop {
            if let Some((m, n)) =
                FrontendMessage::decode(&self.buf, Limits::default(), ctx).expect("frontend")
            {
                self.buf.drain(..n);
                return m;
            }
            self.fill().expect("read frontend message");
        }
    }

    fn send(&mut self, msgs: &[BackendMessage]) {
        let mut out = Vec::new();
        for m in msgs {
            m.encode(&mut out);
        }
        self.stream.write_all(&out).expect("write");
    }

    /// Waits for the client to hang up.
    fn drain(&mut self) {
        while self.fill().is_ok() {}
    }
}

fn auth(a: Authentication) -> BackendMessage {
    BackendMessage::Authentication(a)
}

/// Starts a one-connection server running `script`, runs psql against it and returns
/// (psql exit success, stdout, stderr).
fn with_psql(psql: &PathBuf, password: &str, script: fn(&mut Conn)) -> (bool, String, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let server = thread::spawn(move || {
        let deadline = Instant::now() + TIMEOUT;
        let stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                    thread::park_timeout(Duration::from_millis(20));
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut conn = Conn {
            stream,
            buf: Vec::new(),
        };
        script(&mut conn);
    });
    let home = std::env::temp_dir().join("pgtls-scram-no-home");
    let out = Command::new(psql)
        .arg("-X")
        .arg("-w")
        .arg("-A")
        .arg("-t")
        .arg(format!(
            "host=127.0.0.1 port={port} user=alice dbname=db1 sslmode=disable gssencmode=disable connect_timeout=10"
        ))
        .arg("-c")
        .arg("select 1")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("PGPASSWORD", password)
        .stdin(Stdio::null())
        .output()
        .expect("run psql");
    server.join().expect("mock server thread");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Reads the startup packet and SASLInitialResponse; returns the client-first-message.
fn begin_sasl(conn: &mut Conn) -> String {
    let startup = conn.startup();
    assert_eq!(startup.param("user"), Some("alice"));
    conn.send(&[auth(Authentication::Sasl {
        mechanisms: vec![SCRAM_SHA_256.into()],
    })]);
    match conn.frontend(PasswordContext::SaslInitial) {
        FrontendMessage::SaslInitialResponse {
            mechanism,
            data: Some(data),
        } => {
            assert_eq!(mechanism, SCRAM_SHA_256);
            String::from_utf8(data).unwrap()
        }
        other => panic!("expected SASLInitialResponse, got {other:?}"),
    }
}

fn client_nonce(client_first: &str) -> &str {
    client_first
        .strip_prefix("n,,n=,r=")
        .expect("libpq client-first form")
}

fn server() -> ScramServer {
    ScramServer::new(PASSWORD, b"0123456789abcdef", 4096, [0x5a; 18], None).with_user("alice")
}

/// The honest server: authenticates, answers `select 1`, waits for Terminate.
fn honest(conn: &mut Conn) {
    honest_with_final_suffix(conn, "");
}

/// [`honest`], with `suffix` appended to the server-final-message.
fn honest_with_final_suffix(conn: &mut Conn, suffix: &str) {
    let first = begin_sasl(conn);
    assert_eq!(
        client_nonce(&first).len(),
        24,
        "libpq nonce is 24 base64 chars"
    );
    let mut s = server();
    let server_first = s
        .handle_client_first(SCRAM_SHA_256, first.as_bytes())
        .unwrap();
    conn.send(&[auth(Authentication::SaslContinue(
        server_first.into_bytes(),
    ))]);
    let FrontendMessage::SaslResponse(fin) = conn.frontend(PasswordContext::SaslResponse) else {
        panic!("expected SASLResponse");
    };
    match s.handle_client_final(&fin) {
        Ok(v) => {
            conn.send(&[
                auth(Authentication::SaslFinal(
                    format!("{v}{suffix}").into_bytes(),
                )),
                auth(Authentication::Ok),
                BackendMessage::ParameterStatus {
                    name: "server_version".into(),
                    value: "15.18".into(),
                },
                BackendMessage::ParameterStatus {
                    name: "client_encoding".into(),
                    value: "UTF8".into(),
                },
                BackendMessage::BackendKeyData {
                    pid: 4242,
                    key: vec![1, 2, 3, 4],
                },
                BackendMessage::ReadyForQuery(b'I'),
            ]);
            assert_eq!(
                conn.frontend(PasswordContext::Password),
                FrontendMessage::Query("select 1".into())
            );
            conn.send(&[
                BackendMessage::RowDescription(vec![FieldDescription {
                    name: "?column?".into(),
                    table_oid: 0,
                    column_id: 0,
                    type_oid: 23,
                    type_size: 4,
                    type_modifier: -1,
                    format: 0,
                }]),
                BackendMessage::DataRow(vec![Some(b"1".to_vec())]),
                BackendMessage::CommandComplete("SELECT 1".into()),
                BackendMessage::ReadyForQuery(b'I'),
            ]);
            assert_eq!(
                conn.frontend(PasswordContext::Password),
                FrontendMessage::Terminate
            );
        }
        Err(e) => {
            let fields = ErrorFields::fatal(e.sqlstate, e.message.clone());
            let fields = match e.detail {
                Some(d) => fields.with_detail(d),
                None => fields,
            };
            conn.send(&[BackendMessage::ErrorResponse(fields)]);
            conn.drain();
        }
    }
}

#[test]
fn psql_authenticates_against_scram_server_and_runs_a_query() {
    let Some(psql) = psql_or_skip("psql_authenticates_against_scram_server") else {
        return;
    };
    let (ok, stdout, stderr) = with_psql(&psql, PASSWORD, honest);
    assert!(ok, "psql failed: {stderr}");
    assert_eq!(stdout.trim(), "1");
}

#[test]
fn psql_with_wrong_password_prints_the_servers_28p01_like_error_fields_render_it() {
    let Some(psql) = psql_or_skip("psql_with_wrong_password") else {
        return;
    };
    let (ok, _, stderr) = with_psql(&psql, "not-the-password", honest);
    assert!(!ok);
    let expected = ErrorFields::fatal("28P01", "password authentication failed for user \"alice\"");
    assert!(
        stderr.contains(&format!("failed: {expected}\n")),
        "stderr: {stderr}"
    );
}

/// Sends `server_first` (with `{nonce}` replaced by the client's nonce) and waits.
fn bad_first(conn: &mut Conn, template: &str) {
    let first = begin_sasl(conn);
    let msg = template.replace("{nonce}", client_nonce(&first));
    conn.send(&[auth(Authentication::SaslContinue(msg.into_bytes()))]);
    conn.drain();
}

fn assert_psql_says(psql: &PathBuf, script: fn(&mut Conn), expected: ScramError) {
    let (ok, _, stderr) = with_psql(psql, PASSWORD, script);
    assert!(!ok, "psql should fail");
    assert!(
        stderr.trim_end().ends_with(&format!("failed: {expected}")),
        "expected libpq to print {expected:?}; stderr: {stderr}"
    );
}

#[test]
fn libpq_texts_for_broken_server_first_messages_match() {
    let Some(psql) = psql_or_skip("libpq_texts_for_broken_server_first_messages") else {
        return;
    };
    assert_psql_says(
        &psql,
        |c| bad_first(c, "r=someone-else,s=QUJD,i=4096"),
        ScramError::NonceMismatch,
    );
    assert_psql_says(
        &psql,
        |c| bad_first(c, "r={nonce}srv,s=***,i=4096"),
        ScramError::InvalidSalt,
    );
    assert_psql_says(
        &psql,
        |c| bad_first(c, "r={nonce}srv,s=QUJD,i=0"),
        ScramError::InvalidIterationCount,
    );
    assert_psql_says(
        &psql,
        |c| bad_first(c, "s=QUJD,r={nonce}srv,i=1"),
        ScramError::AttributeExpected { attr: 'r' },
    );
    assert_psql_says(
        &psql,
        |c| bad_first(c, "r={nonce}srv,sQUJD,i=1"),
        ScramError::ExpectedEquals { attr: 's' },
    );
}

/// Runs an honest first step, then sends `server_final` as AuthenticationSASLFinal.
fn bad_final(conn: &mut Conn, server_final: &str) {
    let first = begin_sasl(conn);
    let mut s = server();
    let server_first = s
        .handle_client_first(SCRAM_SHA_256, first.as_bytes())
        .unwrap();
    conn.send(&[auth(Authentication::SaslContinue(
        server_first.into_bytes(),
    ))]);
    let _ = conn.frontend(PasswordContext::SaslResponse);
    conn.send(&[auth(Authentication::SaslFinal(
        server_final.as_bytes().to_vec(),
    ))]);
    conn.drain();
}

#[test]
fn libpq_texts_for_broken_server_final_messages_match() {
    let Some(psql) = psql_or_skip("libpq_texts_for_broken_server_final_messages") else {
        return;
    };
    assert_psql_says(
        &psql,
        |c| bad_final(c, "e=invalid-proof"),
        ScramError::ServerError("invalid-proof".into()),
    );
    assert_psql_says(
        &psql,
        |c| bad_final(c, "v=QUJD"),
        ScramError::InvalidServerSignature,
    );
    assert_psql_says(
        &psql,
        |c| bad_final(c, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
        ScramError::IncorrectServerSignature,
    );
}

#[test]
fn libpq_plaintext_client_first_uses_n_and_the_client_agrees() {
    let Some(psql) = psql_or_skip("libpq_plaintext_client_first") else {
        return;
    };
    // Checked inside the script: libpq's client-first starts with `n,,n=,r=` over plaintext,
    // exactly what ScramClient produces for ChannelBinding::NotSupported.
    let (_, _, _) = with_psql(&psql, PASSWORD, |c| {
        let first = begin_sasl(c);
        let ours =
            pgtls_scram::ScramClient::new("x", client_nonce(&first), ChannelBinding::NotSupported);
        assert_eq!(ours.client_first(), first);
        c.send(&[BackendMessage::ErrorResponse(ErrorFields::fatal(
            "28000", "done",
        ))]);
        c.drain();
    });
}

#[test]
fn libpq_notes_garbage_after_server_first_and_shows_it_only_on_a_later_failure() {
    let Some(psql) = psql_or_skip("libpq_notes_garbage_after_server_first") else {
        return;
    };
    let (ok, _, stderr) = with_psql(&psql, PASSWORD, |c| {
        let first = begin_sasl(c);
        let msg = format!("r={}srv,s=QUJD,i=1,x=y", client_nonce(&first));
        c.send(&[auth(Authentication::SaslContinue(msg.into_bytes()))]);
        // libpq carries on and sends its proof.
        assert!(matches!(
            c.frontend(PasswordContext::SaslResponse),
            FrontendMessage::SaslResponse(_)
        ));
        c.send(&[BackendMessage::ErrorResponse(ErrorFields::fatal(
            "28000", "done",
        ))]);
        c.drain();
    });
    assert!(!ok);
    let mut client = pgtls_scram::ScramClient::new("x", "n", ChannelBinding::NotSupported);
    client.handle_server_first("r=nsrv,s=QUJD,i=1,x=y").unwrap();
    let pending = client.pending_messages()[0].to_string();
    let fatal = ErrorFields::fatal("28000", "done");
    assert!(
        stderr.ends_with(&format!("failed: {pending}\n{fatal}\n")),
        "stderr: {stderr}"
    );
}

#[test]
fn libpq_accepts_garbage_after_a_correct_server_signature() {
    let Some(psql) = psql_or_skip("libpq_accepts_garbage_after_a_correct_server_signature") else {
        return;
    };
    let (ok, stdout, stderr) = with_psql(&psql, PASSWORD, |c| honest_with_final_suffix(c, ",x=y"));
    assert!(ok, "psql failed: {stderr}");
    assert_eq!(stdout.trim(), "1");
}

#[test]
fn libpq_prints_error_detail_and_hint_lines_as_error_fields_render_them() {
    let Some(psql) = psql_or_skip("libpq_prints_error_detail_and_hint_lines") else {
        return;
    };
    fn fields() -> ErrorFields {
        ErrorFields::fatal("28000", "SCRAM channel binding negotiation error")
            .with_detail("The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.")
            .with_hint("A hint line.")
    }
    let (ok, _, stderr) = with_psql(&psql, PASSWORD, |c| {
        begin_sasl(c);
        c.send(&[BackendMessage::ErrorResponse(fields())]);
        c.drain();
    });
    assert!(!ok);
    assert!(
        stderr.ends_with(&format!("failed: {}", fields().libpq_text(true))),
        "stderr: {stderr}"
    );
}
