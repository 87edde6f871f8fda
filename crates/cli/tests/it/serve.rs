//! `pgtls serve` tests: the `listening on` line, files in --pki-dir or a temporary directory,
//! one JSON transcript per connection, a clean stop on SIGTERM/SIGINT, real psql against it.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use pgtls_coordinator::catalog::{self, SslMode};
use pgtls_coordinator::peers;

use crate::util::{pgtls, run};

/// How long any step of these tests waits for the server before failing (never hanging).
const WAIT: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    /// Stdout lines, read by a thread so that no read here can block forever.
    lines: mpsc::Receiver<String>,
    addr: std::net::SocketAddr,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = pgtls()
            .arg("serve")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pgtls serve");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if tx.send(line + "\n").is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            addr: "0.0.0.0:0".parse().unwrap(),
        };
        let first = server.next_line();
        server.addr = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .parse()
            .expect("IP:PORT");
        server
    }

    fn next_line(&mut self) -> String {
        match self.lines.recv_timeout(WAIT) {
            Ok(line) => line,
            Err(e) => {
                let _ = self.child.kill();
                panic!("no line from pgtls serve within {WAIT:?}: {e}");
            }
        }
    }

    /// Sends `signal` and waits; returns (exit code, rest of stdout, stderr).
    fn stop(mut self, signal: &str) -> (Option<i32>, String, String) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = std::time::Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("pgtls serve did not stop within {WAIT:?} after {signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The process has exited, so its pipes are closed and these reads end.
        let mut rest = String::new();
        while let Ok(line) = self.lines.recv_timeout(WAIT) {
            rest.push_str(&line);
        }
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status.code(), rest, err)
    }
}

fn ssl_request(addr: std::net::SocketAddr) -> u8 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]).unwrap();
    let mut b = [0u8; 1];
    s.read_exact(&mut b).unwrap();
    b[0]
}

#[test]
fn serve_prints_the_address_then_a_transcript_per_connection_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let mut server = Server::start(&["--scenario", "valid", "--pki-dir", pki.to_str().unwrap()]);
    assert!(server.addr.ip().is_loopback());
    for f in ["root.crt", "server.crt"] {
        assert!(pki.join(f).is_file(), "{f}");
    }
    assert_eq!(ssl_request(server.addr), b'S');
    let line = server.next_line();
    let t: serde_json::Value = serde_json::from_str(&line).expect("JSON transcript");
    assert_eq!(t["scenario"], "valid");
    assert_eq!(t["ssl_answer"], "S");
    assert_eq!(t["requests"][0], "ssl-request");
    let (code, _rest, err) = server.stop("-TERM");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("stopped"), "{err}");
    assert!(pki.join("root.crt").is_file(), "a given --pki-dir is kept");
}

#[test]
fn serve_without_pki_dir_uses_a_temporary_directory_named_on_stderr() {
    let server = Server::start(&["--scenario", "ssl-refused"]);
    assert_eq!(ssl_request(server.addr), b'N');
    let (code, rest, err) = server.stop("-INT");
    assert_eq!(code, Some(0), "{err}");
    let dir_line = err
        .lines()
        .find(|l| l.contains("temporary directory"))
        .unwrap_or_else(|| panic!("no temp dir line in {err}"));
    let path = PathBuf::from(dir_line.rsplit(' ').next().unwrap());
    assert!(!path.exists(), "the temporary directory is removed on stop");
    let t: serde_json::Value = serde_json::from_str(rest.lines().next().unwrap()).unwrap();
    assert_eq!(t["ssl_answer"], "N");
}

#[test]
fn serve_refuses_unknown_scenarios() {
    let out = run(&["serve", "--scenario", "no-such-scenario"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scenario"));
}

fn psql(psql: &Path, conninfo: &str, home: &Path) -> std::process::Output {
    peers::psql_conninfo_command(psql, conninfo, home)
        .output()
        .expect("run psql")
}

#[test]
fn real_psql_hands_its_password_to_the_ssl_stripping_attacker_in_prefer_mode() {
    let Some(psql_bin) = peers::psql_or_skip("serve psql test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let mut server = Server::start(&[
        "--scenario",
        "mitm-strip-ssl",
        "--pki-dir",
        pki.to_str().unwrap(),
    ]);
    let row = catalog::find("mitm-strip-ssl").unwrap();
    let conninfo = format!(
        "{} connect_timeout=10",
        row.client.conninfo(&pki, server.addr, SslMode::Prefer)
    );
    let out = psql(&psql_bin, &conninfo, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("SSL connection"));
    let t: serde_json::Value = serde_json::from_str(&server.next_line()).unwrap();
    assert_eq!(t["ssl_answer"], "N");
    assert_eq!(t["credentials_exposed"][0]["kind"], "cleartext");
    assert_eq!(t["credentials_exposed"][0]["to_attacker"], true);
    assert_eq!(t["credentials_exposed"][0]["matches_password"], true);
    // verify-full refuses the same attacker and sends nothing.
    let conninfo = format!(
        "{} connect_timeout=10",
        row.client.conninfo(&pki, server.addr, SslMode::VerifyFull)
    );
    let out = psql(&psql_bin, &conninfo, dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("server does not support SSL, but SSL was required"));
    let (code, rest, _) = server.stop("-TERM");
    assert_eq!(code, Some(0));
    let t: serde_json::Value = serde_json::from_str(rest.lines().next().unwrap()).unwrap();
    assert_eq!(t["credentials_exposed"].as_array().unwrap().len(), 0);
    assert!(!rest.contains(catalog::PASSWORD));
}
