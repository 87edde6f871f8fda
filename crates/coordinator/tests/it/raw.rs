//! Every catalog row served and exercised by the raw tokio client (no libpq): plaintext
//! startup, SSLRequest + whatever the answer allows, and direct TLS. What the server should do
//! is derived here, by a few lines of test code, from the row's server behaviour data.

use pgtls_coordinator::catalog::{self, RolePassword, Scenario, PASSWORD};
use pgtls_coordinator::spec::{AuthMethod, DirectTls, Hba, SslAnswer};
use pgtls_coordinator::transcript::{CredentialKind, Transport};
use pgtls_coordinator::{Prepared, Transcript};
use pgtls_wire::{BackendMessage, Limits};

use crate::support::{self, Conn, Ending, TlsOptions};

/// What the server should answer after a StartupMessage, from the behaviour data.
fn expected_ending(row: &Scenario, tls: bool, with_client_cert: bool) -> Ending {
    let b = &row.server;
    let hba = |enc: &str| {
        Ending::Fatal(
            "28000".into(),
            format!(
                "no pg_hba.conf entry for host \"127.0.0.1\", user \"citus\", database \"citus\", {enc}"
            ),
        )
    };
    match (b.hba, tls) {
        (Hba::HostSsl, false) => return hba("no encryption"),
        (Hba::HostNoSsl, true) => return hba("SSL encryption"),
        _ => {}
    }
    if (b.require_client_cert || b.auth == AuthMethod::Cert) && !(tls && with_client_cert) {
        return Ending::Fatal(
            "28000".into(),
            "connection requires a valid client certificate".into(),
        );
    }
    let password_ok =
        row.client.password.as_deref() == Some(PASSWORD) && b.password == RolePassword::Scenario;
    match b.auth {
        AuthMethod::Trust | AuthMethod::Cert => Ending::Ready,
        AuthMethod::Password | AuthMethod::Md5 | AuthMethod::ScramSha256 => {
            if b.auth == AuthMethod::ScramSha256 && tls && b.relay_channel_binding {
                Ending::Fatal("28000".into(), "SCRAM channel binding check failed".into())
            } else if password_ok {
                Ending::Ready
            } else {
                Ending::Fatal(
                    "28P01".into(),
                    "password authentication failed for user \"citus\"".into(),
                )
            }
        }
    }
}

fn tls_options(row: &Scenario, dir: &std::path::Path) -> TlsOptions {
    let host = &row.client.host;
    let sni = host
        .parse::<std::net::IpAddr>()
        .is_err()
        .then(|| host.clone());
    let client_cert = match (row.client.param("sslcert"), row.client.param("sslkey")) {
        (Some(c), Some(k)) => Some(support::load_client_cert(dir, c, k)),
        _ => None,
    };
    TlsOptions {
        sni,
        alpn: vec![b"postgresql".to_vec()],
        client_cert,
    }
}

/// Runs the three kinds of connection against one row; returns problems found.
async fn exercise(row: &'static Scenario) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("{}: {what}", row.name));
        }
    };
    let prepared = Prepared::scenario(row, None).expect("prepare");
    let dir = prepared.pki_dir().unwrap().to_path_buf();
    let coord = prepared.start().await.expect("start");
    let addr = coord.addr();
    let has_tls = row.pki.tls;
    let with_cert = row.client.param("sslcert").is_some();
    let password = row.client.password.as_deref();

    // 1. Plaintext StartupMessage.
    let mut conn = Conn::new(Box::new(support::connect(addr).await));
    let got = conn.login("citus", "citus", password, None).await;
    let want = expected_ending(row, false, false);
    check(
        got == want,
        format!("plaintext: got {got:?}, want {want:?}"),
    );
    drop(conn);

    // 2. SSLRequest.
    let mut tcp = support::connect(addr).await;
    let answer = support::ssl_request(&mut tcp).await;
    match (&row.server.ssl_answer, has_tls) {
        (SslAnswer::Accept, true) | (SslAnswer::AcceptWithInjected(_), true) => {
            check(
                answer == Some(b'S'),
                format!("SSL answer {answer:?}, want S"),
            );
            if let SslAnswer::AcceptWithInjected(injected) = &row.server.ssl_answer {
                let mut extra = vec![0u8; injected.len()];
                use tokio::io::AsyncReadExt;
                tcp.read_exact(&mut extra).await.expect("injected bytes");
                check(&extra == injected, "injected bytes differ".into());
            }
            match support::tls(tcp, tls_options(row, &dir)).await {
                Ok((io, seen)) => {
                    let mut conn = Conn::new(io);
                    let got = conn
                        .login("citus", "citus", password, seen.chain.first())
                        .await;
                    let want = expected_ending(row, true, with_cert);
                    check(got == want, format!("TLS: got {got:?}, want {want:?}"));
                    let expected_len = 1
                        + row.pki.intermediates.len()
                            * usize::from(row.pki.order != pgtls_pki::ChainOrder::LeafOnly)
                            * usize::from(
                                row.pki.anchor != pgtls_coordinator::recipe::Anchor::SelfSigned,
                            )
                        + usize::from(row.pki.send_root);
                    check(
                        seen.chain.len() == expected_len,
                        format!(
                            "served {} certificates, want {expected_len}",
                            seen.chain.len()
                        ),
                    );
                }
                Err(e) => check(false, format!("TLS handshake failed: {e}")),
            }
        }
        (SslAnswer::Accept | SslAnswer::Refuse, _) | (SslAnswer::AcceptWithInjected(_), false) => {
            check(
                answer == Some(b'N'),
                format!("SSL answer {answer:?}, want N"),
            );
            let mut conn = Conn::new(Box::new(tcp));
            let got = conn.login("citus", "citus", password, None).await;
            let want = expected_ending(row, false, false);
            check(got == want, format!("after N: got {got:?}, want {want:?}"));
        }
        (SslAnswer::Error, _) => {
            check(
                answer == Some(b'E'),
                format!("SSL answer {answer:?}, want E"),
            );
            let mut rest = vec![b'E'];
            rest.extend(support::read_to_eof(&mut tcp).await);
            match BackendMessage::decode(&rest, Limits::default()) {
                Ok(Some((BackendMessage::ErrorResponse(f), n))) => {
                    check(n == rest.len(), "bytes after the ErrorResponse".into());
                    check(f.sqlstate() == Some("53300"), format!("E carries {f}"));
                }
                other => check(false, format!("E is not an ErrorResponse: {other:?}")),
            }
        }
        (SslAnswer::Close, _) => {
            check(answer.is_none(), format!("SSL answer {answer:?}, want EOF"));
        }
        (SslAnswer::Garbage(bytes), _) => {
            let mut got = answer.into_iter().collect::<Vec<u8>>();
            got.extend(support::read_to_eof(&mut tcp).await);
            check(&got == bytes, format!("garbage answer {got:?}"));
        }
    }

    // 3. Direct TLS (ClientHello first, ALPN postgresql).
    if has_tls {
        let tcp = support::connect(addr).await;
        let result = support::tls(tcp, tls_options(row, &dir)).await;
        match (row.server.direct_tls, result) {
            (DirectTls::Accept, Ok((io, seen))) => {
                let mut conn = Conn::new(io);
                let got = conn
                    .login("citus", "citus", password, seen.chain.first())
                    .await;
                let want = expected_ending(row, true, with_cert);
                check(
                    got == want,
                    format!("direct TLS: got {got:?}, want {want:?}"),
                );
            }
            (DirectTls::Accept, Err(e)) => check(false, format!("direct TLS failed: {e}")),
            (DirectTls::Reject, Ok(_)) => {
                check(false, "direct TLS accepted by a pre-17 server".into())
            }
            (DirectTls::Reject, Err(_)) => {}
        }
    }

    // The transcripts say what happened, truthfully and without the password.
    let transcripts = coord.shutdown().await;
    let expected_count = if has_tls { 3 } else { 2 };
    check(
        transcripts.len() == expected_count,
        format!("{} transcripts, want {expected_count}", transcripts.len()),
    );
    for t in &transcripts {
        check_transcript(row, t, &mut problems);
    }
    problems
}

fn check_transcript(row: &Scenario, t: &Transcript, problems: &mut Vec<String>) {
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(format!(
                "{} (connection {}): {what}",
                row.name, t.connection
            ));
        }
    };
    let json = t.to_json_line();
    let hex: String = PASSWORD.bytes().map(|b| format!("{b:02x}")).collect();
    check(
        !json.contains(PASSWORD) && !json.contains(&hex),
        "the password value is in the transcript".into(),
    );
    for c in &t.credentials_exposed {
        check(
            c.to_attacker == row.server.attacker,
            format!("to_attacker {}", c.to_attacker),
        );
        let kind = match row.server.auth {
            AuthMethod::Password => CredentialKind::Cleartext,
            AuthMethod::Md5 => CredentialKind::Md5,
            _ => CredentialKind::ScramProof,
        };
        check(c.kind == kind, format!("credential kind {:?}", c.kind));
        check(c.transport == t.transport(), "credential transport".into());
        let right = row.server.password == RolePassword::Scenario
            && row.client.password.as_deref() == Some(PASSWORD);
        check(
            c.matches_password == Some(right),
            format!("matches_password {:?}", c.matches_password),
        );
    }
    if t.ready {
        check(t.auth.ok, "ready without auth".into());
        check(
            t.queries == ["select 1"],
            format!("queries {:?}", t.queries),
        );
        if row.server.auth.uses_password() {
            check(t.password_exposed(), "ready without a credential".into());
        }
    }
    if let Some(tls) = t.tls.as_ref().filter(|tls| tls.established) {
        check(
            tls.alpn.as_deref() == Some("postgresql"),
            format!("ALPN {:?}", tls.alpn),
        );
        let host_is_ip = row.client.host.parse::<std::net::IpAddr>().is_ok();
        let want_sni = (!host_is_ip).then(|| row.client.host.to_ascii_lowercase());
        check(tls.sni == want_sni, format!("SNI {:?}", tls.sni));
        if t.auth.mechanism_chosen.as_deref() == Some("SCRAM-SHA-256-PLUS") {
            check(
                t.auth.channel_binding.as_deref() == Some("tls-server-end-point"),
                "PLUS without tls-server-end-point".into(),
            );
        }
        check(t.transport() == Transport::Tls, "transport".into());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_is_served_as_its_behaviour_says() {
    let mut problems = Vec::new();
    for row in catalog::all() {
        problems.extend(exercise(row).await);
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
