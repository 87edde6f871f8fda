//! Library API: instances, shutdown, plain specs, duplex streams, and the negotiation details
//! a scenario row does not show (second SSLRequest, GSSENCRequest, CancelRequest, pipelined
//! data, direct TLS without ALPN, client alerts).

use std::sync::Arc;

use pgtls_coordinator::catalog::{self, PASSWORD};
use pgtls_coordinator::spec::{AuthMethod, Hba, ServerSpec, SslAnswer, TlsMaterial};
use pgtls_coordinator::transcript::{CloseReason, CredentialKind, Request, Transport};
use pgtls_coordinator::{serve_connection, Prepared};
use pgtls_pki::{CertSpec, ChainOrder, Pki};
use pgtls_wire::{BackendMessage, StartupPacket};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{self, Conn, Ending, TlsOptions, SSL_REQUEST};

fn generated_tls(host: &str) -> TlsMaterial {
    let pki = Pki::now_utc();
    let root = pki.root("api test root").unwrap();
    let leaf = pki.issue(&CertSpec::server(host), &root).unwrap();
    let chain = leaf.chain(&[], ChainOrder::LeafFirst);
    TlsMaterial {
        chain: chain.ders(),
        key: chain.key_der(),
        client_cas: Vec::new(),
        channel_binding_cert: None,
    }
}

fn tls_opts() -> TlsOptions {
    TlsOptions {
        sni: Some("c-demo.pgtls.test".into()),
        alpn: vec![b"postgresql".to_vec()],
        client_cert: None,
    }
}

#[tokio::test]
async fn one_prepared_scenario_runs_many_independent_instances() {
    let prepared = Prepared::scenario_named("auth-trust", None).unwrap();
    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(prepared.start().await.unwrap());
    }
    let addrs: std::collections::BTreeSet<_> = instances.iter().map(|c| c.addr()).collect();
    assert_eq!(addrs.len(), 3, "each instance has its own port");
    for (i, coord) in instances.iter().enumerate() {
        for _ in 0..=i {
            let mut conn = Conn::new(Box::new(support::connect(coord.addr()).await));
            assert_eq!(
                conn.login("citus", "citus", None, None).await,
                Ending::Ready
            );
        }
    }
    for (i, coord) in instances.into_iter().enumerate() {
        let transcripts = coord.shutdown().await;
        assert_eq!(transcripts.len(), i + 1);
        assert!(transcripts
            .iter()
            .all(|t| t.ready && t.scenario == "auth-trust"));
    }
}

#[tokio::test]
async fn shutdown_stops_listening_and_ends_idle_connections() {
    let prepared = Prepared::scenario_named("valid", None).unwrap();
    let coord = prepared.start().await.unwrap();
    let addr = coord.addr();
    // A client that asks for TLS, gets `S`, and then stalls.
    let mut idle = support::connect(addr).await;
    assert_eq!(support::ssl_request(&mut idle).await, Some(b'S'));
    let transcripts = coord.shutdown().await;
    assert_eq!(transcripts.len(), 1);
    assert_eq!(transcripts[0].close, CloseReason::Shutdown);
    assert!(support::read_to_eof(&mut idle).await.is_empty());
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening"
    );
}

#[tokio::test]
async fn next_transcript_arrives_when_a_connection_ends() {
    let prepared = Prepared::scenario_named("auth-trust", None).unwrap();
    let mut coord = prepared.start().await.unwrap();
    let mut conn = Conn::new(Box::new(support::connect(coord.addr()).await));
    assert_eq!(
        conn.login("citus", "citus", None, None).await,
        Ending::Ready
    );
    drop(conn);
    let t = coord.next_transcript().await.unwrap();
    assert!(t.ready);
    assert_eq!(t.close, CloseReason::Terminated);
    assert_eq!(t.startup_params[0], ("user".to_owned(), "citus".to_owned()));
    assert!(coord.try_next_transcript().is_none());
}

#[tokio::test]
async fn a_plain_spec_serves_without_the_catalog() {
    let spec = ServerSpec::new("plaintext-cleartext")
        .ssl_answer(SslAnswer::Refuse)
        .auth(AuthMethod::Password)
        .password("hunter2")
        .attacker(true);
    let prepared = Prepared::from_spec(spec).unwrap();
    assert!(prepared.pki_dir().is_none());
    let coord = prepared.start().await.unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    assert_eq!(support::ssl_request(&mut tcp).await, Some(b'N'));
    let mut conn = Conn::new(Box::new(tcp));
    assert_eq!(
        conn.login("mallory", "db", Some("hunter2"), None).await,
        Ending::Ready
    );
    let t = coord.shutdown().await.remove(0);
    assert_eq!(t.ssl_answer.as_deref(), Some("N"));
    let c = &t.credentials_exposed[0];
    assert_eq!(
        (c.kind, c.transport, c.to_attacker, c.matches_password),
        (
            CredentialKind::Cleartext,
            Transport::Plaintext,
            true,
            Some(true)
        )
    );
    assert!(!t.to_json_line().contains("hunter2"));
}

#[tokio::test]
async fn a_spec_with_a_generated_chain_and_hba_policy_serves_tls() {
    let spec = ServerSpec::new("generated")
        .tls(generated_tls("c-demo.pgtls.test"))
        .hba(Hba::HostSsl)
        .auth(AuthMethod::ScramSha256)
        .password(PASSWORD);
    let coord = Prepared::from_spec(spec).unwrap().start().await.unwrap();
    // Plaintext is refused with PostgreSQL's text.
    let mut plain = Conn::new(Box::new(support::connect(coord.addr()).await));
    assert_eq!(
        plain.login("citus", "app", Some(PASSWORD), None).await,
        Ending::Fatal(
            "28000".into(),
            "no pg_hba.conf entry for host \"127.0.0.1\", user \"citus\", database \"app\", no encryption".into()
        )
    );
    // TLS with SCRAM-SHA-256-PLUS works.
    let mut tcp = support::connect(coord.addr()).await;
    assert_eq!(support::ssl_request(&mut tcp).await, Some(b'S'));
    let (io, seen) = support::tls(tcp, tls_opts()).await.unwrap();
    let mut conn = Conn::new(io);
    assert_eq!(
        conn.login("citus", "app", Some(PASSWORD), seen.chain.first())
            .await,
        Ending::Ready
    );
    let transcripts = coord.shutdown().await;
    let tls = transcripts.iter().find(|t| t.ready).unwrap();
    assert_eq!(
        tls.auth.mechanism_chosen.as_deref(),
        Some("SCRAM-SHA-256-PLUS")
    );
    assert_eq!(
        tls.auth.channel_binding.as_deref(),
        Some("tls-server-end-point")
    );
    assert_eq!(
        tls.auth.mechanisms_offered,
        ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]
    );
}

#[tokio::test]
async fn serve_connection_runs_over_a_duplex_pipe() {
    let prepared = Prepared::from_spec(ServerSpec::new("duplex")).unwrap();
    let (client, server) = tokio::io::duplex(64 * 1024);
    let task = tokio::spawn(async move { serve_connection(&prepared, server, "10.0.0.7").await });
    let mut conn = Conn::new(Box::new(client));
    assert_eq!(
        conn.login("citus", "citus", None, None).await,
        Ending::Ready
    );
    drop(conn);
    let t = task.await.unwrap();
    assert!(t.ready);
    assert_eq!(t.peer, "10.0.0.7");
}

#[tokio::test]
async fn data_pipelined_after_ssl_request_gets_a_fatal_inside_tls() {
    // CVE-2021-23214: bytes that arrived before the handshake must not be trusted.
    let spec = ServerSpec::new("pipelined").tls(generated_tls("c-demo.pgtls.test"));
    let prepared = Prepared::from_spec(spec).unwrap();
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let mut first = SSL_REQUEST.to_vec();
    first.extend(StartupPacket::startup([("user", "citus")]).to_bytes());
    client.write_all(&first).await.unwrap(); // all in the pipe before the server reads
    let task = tokio::spawn(async move { serve_connection(&prepared, server, "127.0.0.1").await });
    assert_eq!(client.read_u8().await.unwrap(), b'S');
    let (io, _) = support::tls(client, tls_opts()).await.unwrap();
    let mut conn = Conn::new(io);
    match conn.recv().await {
        Some(BackendMessage::ErrorResponse(f)) => {
            assert_eq!(f.sqlstate(), Some("08P01"));
            assert_eq!(
                f.message(),
                Some("received unencrypted data after SSL request")
            );
            assert!(f.detail().unwrap().contains("man-in-the-middle"));
        }
        other => panic!("want ErrorResponse, got {other:?}"),
    }
    let t = task.await.unwrap();
    assert_eq!(t.pipelined_after_ssl_request.len, first.len() - 8);
    assert!(t.tls.as_ref().unwrap().established);
}

#[tokio::test]
async fn a_second_ssl_request_is_an_unsupported_protocol() {
    let coord = Prepared::scenario_named("ssl-refused", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    assert_eq!(support::ssl_request(&mut tcp).await, Some(b'N'));
    tcp.write_all(&SSL_REQUEST).await.unwrap();
    let mut conn = Conn::new(Box::new(tcp));
    match conn.recv().await {
        Some(BackendMessage::ErrorResponse(f)) => assert_eq!(
            f.message(),
            Some("unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0")
        ),
        other => panic!("want ErrorResponse, got {other:?}"),
    }
    let t = coord.shutdown().await.remove(0);
    assert_eq!(t.requests, [Request::SslRequest, Request::SslRequest]);
}

#[tokio::test]
async fn gssenc_request_gets_n_and_the_connection_goes_on() {
    let coord = Prepared::scenario_named("valid", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    tcp.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30])
        .await
        .unwrap();
    assert_eq!(tcp.read_u8().await.unwrap(), b'N');
    assert_eq!(support::ssl_request(&mut tcp).await, Some(b'S'));
    let (io, seen) = support::tls(tcp, tls_opts()).await.unwrap();
    let mut conn = Conn::new(io);
    assert_eq!(
        conn.login("citus", "citus", Some(PASSWORD), seen.chain.first())
            .await,
        Ending::Ready
    );
    let t = coord.shutdown().await.remove(0);
    assert_eq!(t.gssenc_answer.as_deref(), Some("N"));
    assert_eq!(
        t.requests,
        [
            Request::GssEncRequest,
            Request::SslRequest,
            Request::Startup
        ]
    );
}

#[tokio::test]
async fn cancel_request_is_recorded_and_closed() {
    let coord = Prepared::scenario_named("valid", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    let cancel = StartupPacket::CancelRequest {
        pid: 4242,
        key: vec![1, 2, 3, 4],
    };
    tcp.write_all(&cancel.to_bytes()).await.unwrap();
    assert!(support::read_to_eof(&mut tcp).await.is_empty());
    let t = coord.shutdown().await.remove(0);
    assert_eq!(t.requests, [Request::CancelRequest { pid: 4242 }]);
    assert_eq!(t.close, CloseReason::Cancel);
}

#[tokio::test]
async fn direct_tls_needs_alpn_postgresql() {
    let coord = Prepared::scenario_named("valid", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    // No ALPN: the handshake completes, then the server closes without a word.
    let tcp = support::connect(coord.addr()).await;
    let (mut io, _) = support::tls(
        tcp,
        TlsOptions {
            alpn: vec![],
            ..tls_opts()
        },
    )
    .await
    .unwrap();
    let mut rest = Vec::new();
    let _ = io.read_to_end(&mut rest).await;
    assert!(rest.is_empty());
    // Another protocol: the handshake fails (no_application_protocol).
    let tcp = support::connect(coord.addr()).await;
    let wrong = support::tls(
        tcp,
        TlsOptions {
            alpn: vec![b"http/1.1".to_vec()],
            ..tls_opts()
        },
    )
    .await;
    assert!(wrong.is_err());
    let transcripts = coord.shutdown().await;
    assert_eq!(transcripts.len(), 2);
    assert!(transcripts
        .iter()
        .all(|t| t.requests == [Request::DirectTls]));
    let failed = transcripts
        .iter()
        .find(|t| !t.tls.as_ref().unwrap().established)
        .unwrap();
    assert!(failed.tls.as_ref().unwrap().error.is_some());
}

#[tokio::test]
async fn the_alert_of_a_client_that_refuses_our_certificate_is_recorded() {
    let prepared = Prepared::scenario_named("untrusted-root", None).unwrap();
    let root_pem = std::fs::read(prepared.pki_dir().unwrap().join("root.crt")).unwrap();
    let coord = prepared.start().await.unwrap();
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(&root_pem) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let mut tcp = support::connect(coord.addr()).await;
    assert_eq!(support::ssl_request(&mut tcp).await, Some(b'S'));
    let name = rustls::pki_types::ServerName::try_from("c-demo.pgtls.test").unwrap();
    let result = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await;
    assert!(
        result.is_err(),
        "a verifying client refuses the foreign chain"
    );
    let t = coord.shutdown().await.remove(0);
    let tls = t.tls.unwrap();
    assert!(!tls.established);
    assert_eq!(tls.client_alert.as_deref(), Some("UnknownCA"));
    assert_eq!(tls.sni.as_deref(), Some("c-demo.pgtls.test"));
    assert_eq!(t.close, CloseReason::TlsFailed);
}

#[tokio::test]
async fn protocol_3_2_and_unknown_options_get_negotiate_protocol_version() {
    let coord = Prepared::scenario_named("auth-trust", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    let startup = StartupPacket::Startup {
        version: pgtls_wire::ProtocolVersion::V3_2,
        params: vec![
            ("user".into(), "citus".into()),
            ("_pq_.future_option".into(), "1".into()),
        ],
    };
    tcp.write_all(&startup.to_bytes()).await.unwrap();
    let mut conn = Conn::new(Box::new(tcp));
    match conn.recv().await {
        Some(BackendMessage::NegotiateProtocolVersion {
            newest_minor,
            options,
        }) => {
            assert_eq!(newest_minor, 0);
            assert_eq!(options, ["_pq_.future_option"]);
        }
        other => panic!("want NegotiateProtocolVersion, got {other:?}"),
    }
    drop(conn);
    let t = coord.shutdown().await.remove(0);
    assert_eq!(t.protocol.as_deref(), Some("3.2"));
}

#[tokio::test]
async fn startup_without_user_is_refused() {
    let coord = Prepared::scenario_named("auth-trust", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    tcp.write_all(&StartupPacket::startup([("database", "x")]).to_bytes())
        .await
        .unwrap();
    let mut conn = Conn::new(Box::new(tcp));
    match conn.recv().await {
        Some(BackendMessage::ErrorResponse(f)) => assert_eq!(
            f.message(),
            Some("no PostgreSQL user name specified in startup packet")
        ),
        other => panic!("want ErrorResponse, got {other:?}"),
    }
    drop(coord);
}

#[tokio::test]
async fn md5_and_cleartext_credentials_are_recorded_with_their_transport() {
    let coord = Prepared::scenario_named("auth-md5", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut conn = Conn::new(Box::new(support::connect(coord.addr()).await));
    assert_eq!(
        conn.login("citus", "citus", Some("wrong"), None).await,
        Ending::Fatal(
            "28P01".into(),
            "password authentication failed for user \"citus\"".into()
        )
    );
    let t = coord.shutdown().await.remove(0);
    let c = &t.credentials_exposed[0];
    assert_eq!(
        (c.kind, c.transport, c.to_attacker, c.matches_password),
        (
            CredentialKind::Md5,
            Transport::Plaintext,
            false,
            Some(false)
        )
    );
    let _ = catalog::find("auth-md5").unwrap();
}
