//! The SSLRequest answer, read as libpq reads it, over `tokio::io::duplex`.

use pgtls_probe::{probe_stream, FailureKind, ProbeOptions, Start};

use crate::support::{fatal, ok_and_ready, serve, settings, Srv, SSL_REQUEST};

async fn run(
    conninfo: &str,
    start: Start,
    script: Vec<Srv>,
) -> (pgtls_probe::Attempt, Vec<Vec<u8>>) {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let srv = tokio::spawn(serve(server, script));
    let s = settings(conninfo);
    let a = probe_stream(&s, &ProbeOptions::default(), client, start).await;
    let got = srv.await.unwrap();
    (a, got)
}

#[tokio::test]
async fn require_fails_on_n_without_sending_a_startup_message() {
    let (a, got) = run(
        "host=db.example user=u dbname=d sslmode=require",
        Start::SslRequest,
        vec![Srv::ReadPacket, Srv::Write(b"N".to_vec()), Srv::ReadPacket],
    )
    .await;
    let e = a.error.unwrap();
    assert_eq!(
        e.message,
        "server does not support SSL, but SSL was required"
    );
    assert_eq!(e.kind, FailureKind::Negotiation);
    assert_eq!(
        got,
        vec![SSL_REQUEST.to_vec()],
        "only the SSLRequest was sent"
    );
}

#[tokio::test]
async fn prefer_continues_in_plaintext_on_the_same_connection_after_n() {
    let (a, got) = run(
        "host=db.example user=u dbname=d application_name=app sslmode=prefer",
        Start::SslRequest,
        vec![
            Srv::ReadPacket,
            Srv::Write(b"N".to_vec()),
            Srv::ReadPacket,
            Srv::Write(ok_and_ready()),
            Srv::ReadMessage,
        ],
    )
    .await;
    assert!(a.error.is_none(), "{:?}", a.error);
    assert_eq!(a.transport, Some(pgtls_probe::AcceptedTransport::Plaintext));
    assert_eq!(got[0], SSL_REQUEST);
    // StartupMessage 3.0 with libpq's parameter order.
    let startup = &got[1];
    assert_eq!(&startup[4..8], &[0, 3, 0, 0]);
    assert_eq!(
        &startup[8..],
        b"user\0u\0database\0d\0application_name\0app\0\0"
    );
    assert_eq!(got[2], b"X\0\0\0\x04", "Terminate after ReadyForQuery");
    let n = a.conversation.negotiation.unwrap();
    assert_eq!(n.sent, "0000000804d2162f");
    assert_eq!(n.answer, "N");
}

#[tokio::test]
async fn e_answer_is_a_hard_failure_whose_text_is_not_read() {
    let mut bytes = b"E".to_vec();
    bytes.extend(fatal("XX000", "attacker controlled text"));
    let (a, _) = run(
        "host=db.example user=u sslmode=prefer",
        Start::SslRequest,
        vec![Srv::ReadPacket, Srv::Write(bytes)],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "server sent an error response during SSL exchange"
    );
}

#[tokio::test]
async fn eof_after_sslrequest_reads_as_server_closed() {
    let (a, _) = run(
        "host=db.example user=u sslmode=prefer",
        Start::SslRequest,
        vec![Srv::ReadPacket],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request."
    );
}

#[tokio::test]
async fn another_byte_is_reported_as_libpq_prints_it() {
    let (a, _) = run(
        "host=db.example user=u sslmode=require",
        Start::SslRequest,
        vec![Srv::ReadPacket, Srv::Write(b"HTTP/1.1 400".to_vec())],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "received invalid response to SSL negotiation: H"
    );
}

#[tokio::test]
async fn bytes_after_n_are_read_as_the_answer_to_the_startup_message() {
    // libpq keeps what followed the `N` in its buffer.
    let mut bytes = b"N".to_vec();
    bytes.extend(fatal(
        "28000",
        "no pg_hba.conf entry for host \"127.0.0.1\", user \"u\", database \"u\", no encryption",
    ));
    let (a, _) = run(
        "host=db.example user=u sslmode=prefer",
        Start::SslRequest,
        vec![Srv::ReadPacket, Srv::Write(bytes), Srv::ReadPacket],
    )
    .await;
    let e = a.error.unwrap();
    assert_eq!(e.kind, FailureKind::ServerAuthError);
    assert_eq!(
        e.message,
        "FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"u\", database \"u\", no encryption"
    );
    assert_eq!(e.sqlstate.as_deref(), Some("28000"));
}

#[tokio::test]
async fn a_non_authentication_first_message_is_rejected_with_libpq_text() {
    let (a, _) = run(
        "host=db.example user=u sslmode=disable",
        Start::Plaintext,
        vec![Srv::ReadPacket, Srv::Write(b"Z\0\0\0\x05I".to_vec())],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "expected authentication request from server, but received Z"
    );
}
