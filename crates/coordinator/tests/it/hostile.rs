//! Hostile input: malformed startup packets, absurd lengths, pipelined bytes, slow partial
//! writes and many connections. After each barrage the same instance still serves a normal
//! client.

use std::time::Duration;

use pgtls_coordinator::spec::{AuthMethod, Limits, ServerSpec};
use pgtls_coordinator::transcript::CloseReason;
use pgtls_coordinator::{Coordinator, Prepared};
use pgtls_wire::{BackendMessage, FrontendMessage, StartupPacket};
use tokio::io::AsyncWriteExt;

use crate::support::{self, Conn, Ending, SSL_REQUEST};

async fn still_serves(coord: &Coordinator) {
    let mut conn = Conn::new(Box::new(support::connect(coord.addr()).await));
    assert_eq!(
        conn.login("citus", "citus", None, None).await,
        Ending::Ready
    );
}

/// Sends `bytes`, then reads whatever the server says until it closes.
async fn send_and_drain(coord: &Coordinator, bytes: &[u8]) -> Vec<u8> {
    let mut tcp = support::connect(coord.addr()).await;
    let _ = tcp.write_all(bytes).await;
    let _ = tcp.shutdown().await;
    support::read_to_eof(&mut tcp).await
}

fn trust_spec(limits: Limits) -> ServerSpec {
    ServerSpec::new("hostile")
        .auth(AuthMethod::Trust)
        .limits(limits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_startup_packets_end_only_their_connection() {
    let coord = Prepared::scenario_named("auth-trust", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut huge_len = vec![0x7f, 0xff, 0xff, 0xff];
    huge_len.extend([0u8; 60]);
    let mut missing_terminator = StartupPacket::startup([("user", "citus")]).to_bytes();
    missing_terminator.pop();
    let len = u32::try_from(missing_terminator.len()).unwrap();
    missing_terminator[..4].copy_from_slice(&len.to_be_bytes());
    let mut bad_utf8 = vec![0, 0, 0, 0, 0, 3, 0, 0];
    bad_utf8.extend(b"user\0\xff\xfe\0\0");
    let len = u32::try_from(bad_utf8.len()).unwrap();
    bad_utf8[..4].copy_from_slice(&len.to_be_bytes());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("length below 8", vec![0, 0, 0, 4]),
        ("length zero", vec![0, 0, 0, 0, 1, 2, 3, 4]),
        ("length 0x7fffffff", huge_len),
        ("length 10005", {
            let mut v = 10_005u32.to_be_bytes().to_vec();
            v.extend(vec![b'a'; 64]);
            v
        }),
        ("unknown code", vec![0, 0, 0, 8, 0x12, 0x34, 0x56, 0x78]),
        (
            "SSLRequest code with a body",
            vec![0, 0, 0, 12, 0x04, 0xd2, 0x16, 0x2f, 1, 2, 3, 4],
        ),
        ("missing terminator", missing_terminator),
        ("invalid UTF-8 parameter", bad_utf8),
        (
            "HTTP request",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        (
            "TLS record garbage",
            vec![0x16, 0x03, 0x01, 0xff, 0xff, 0, 0, 0],
        ),
        ("partial length word", vec![0, 0]),
        ("nothing", vec![]),
    ];
    for (what, bytes) in &cases {
        let answer = send_and_drain(&coord, bytes).await;
        if let Ok(Some((msg, _))) = BackendMessage::decode(&answer, pgtls_wire::Limits::default()) {
            assert!(
                matches!(msg, BackendMessage::ErrorResponse(_)),
                "{what}: unexpected answer {msg:?}"
            );
        }
        still_serves(&coord).await;
    }
    let transcripts = coord.shutdown().await;
    assert_eq!(transcripts.len(), cases.len() * 2);
    for t in transcripts.iter().filter(|t| !t.ready) {
        assert!(
            !matches!(t.close, CloseReason::Open | CloseReason::Terminated),
            "{:?}",
            t.close
        );
    }
}

#[tokio::test]
async fn oversized_messages_after_startup_are_refused() {
    let coord = Prepared::scenario_named("auth-cleartext", None)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    tcp.write_all(&StartupPacket::startup([("user", "citus")]).to_bytes())
        .await
        .unwrap();
    // A PasswordMessage announcing 100 MB.
    tcp.write_all(&[b'p', 0x06, 0, 0, 0]).await.unwrap();
    let answer = support::read_to_eof(&mut tcp).await;
    let mut conn_bytes = answer.as_slice();
    let mut saw_fatal = false;
    while let Ok(Some((msg, n))) = BackendMessage::decode(conn_bytes, pgtls_wire::Limits::default())
    {
        if let BackendMessage::ErrorResponse(f) = msg {
            assert_eq!(f.sqlstate(), Some("08P01"));
            saw_fatal = true;
        }
        conn_bytes = &conn_bytes[n..];
    }
    assert!(saw_fatal, "the server refuses the oversized message");
    let t = coord.shutdown().await.remove(0);
    assert!(
        matches!(t.close, CloseReason::ProtocolViolation { .. }),
        "{:?}",
        t.close
    );
    assert!(t.credentials_exposed.is_empty());
}

#[tokio::test]
async fn pipelined_startup_query_and_terminate_are_all_answered() {
    let coord = Prepared::from_spec(trust_spec(Limits::default()))
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut bytes = StartupPacket::startup([("user", "citus")]).to_bytes();
    bytes.extend(FrontendMessage::Query("select 1".into()).to_bytes());
    bytes.extend(FrontendMessage::Query(String::new()).to_bytes());
    bytes.extend(FrontendMessage::Terminate.to_bytes());
    let answer = send_and_drain(&coord, &bytes).await;
    let mut rest = answer.as_slice();
    let mut ready = 0;
    while let Ok(Some((msg, n))) = BackendMessage::decode(rest, pgtls_wire::Limits::default()) {
        if matches!(msg, BackendMessage::ReadyForQuery(_)) {
            ready += 1;
        }
        rest = &rest[n..];
    }
    assert_eq!(
        ready, 3,
        "after auth, after the query, after the empty query"
    );
    let t = coord.shutdown().await.remove(0);
    assert_eq!(t.close, CloseReason::Terminated);
    assert_eq!(t.queries, ["select 1", ""]);
}

#[tokio::test]
async fn slow_partial_writes_are_served() {
    let coord = Prepared::from_spec(trust_spec(Limits::default()))
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    // One byte at a time: SSLRequest (answered N: no TLS), then the StartupMessage.
    for b in &SSL_REQUEST {
        tcp.write_all(&[*b]).await.unwrap();
        tcp.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut answer = [0u8; 1];
    tokio::io::AsyncReadExt::read_exact(&mut tcp, &mut answer)
        .await
        .unwrap();
    assert_eq!(answer[0], b'N');
    let startup = StartupPacket::startup([("user", "citus")]).to_bytes();
    for chunk in startup.chunks(3) {
        tcp.write_all(chunk).await.unwrap();
        tcp.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut conn = Conn::new(Box::new(tcp));
    loop {
        match conn.recv().await {
            Some(BackendMessage::ReadyForQuery(_)) => break,
            Some(_) => {}
            None => panic!("closed before ReadyForQuery"),
        }
    }
    drop(conn);
    coord.shutdown().await;
}

#[tokio::test]
async fn a_client_that_stalls_is_cut_off_by_the_handshake_deadline() {
    let limits = Limits {
        handshake: Duration::from_millis(200),
        ..Limits::default()
    };
    let coord = Prepared::from_spec(trust_spec(limits))
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut tcp = support::connect(coord.addr()).await;
    tcp.write_all(&[0, 0, 0, 40, 0, 3, 0, 0]).await.unwrap(); // half a StartupMessage
    assert!(support::read_to_eof(&mut tcp).await.is_empty());
    still_serves(&coord).await;
    let transcripts = coord.shutdown().await;
    assert!(transcripts.iter().any(
        |t| matches!(&t.close, CloseReason::Timeout { during } if during == "startup packet")
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_connections_beyond_the_cap_wait_and_are_then_served() {
    let limits = Limits {
        handshake: Duration::from_millis(300),
        max_connections: 8,
        ..Limits::default()
    };
    let coord = Prepared::from_spec(trust_spec(limits))
        .unwrap()
        .start()
        .await
        .unwrap();
    // 40 clients that connect and say nothing, holding every slot until the deadline.
    let mut idle = Vec::new();
    for _ in 0..40 {
        idle.push(support::connect(coord.addr()).await);
    }
    // 40 clients that send garbage and leave.
    let mut tasks = Vec::new();
    for i in 0..40u8 {
        let addr = coord.addr();
        tasks.push(tokio::spawn(async move {
            let mut tcp = support::connect(addr).await;
            let _ = tcp.write_all(&[i, 0xff, i, 0xee, 0, 0, 0, 0]).await;
            let _ = support::read_to_eof(&mut tcp).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // A real client is served once the cap frees up.
    still_serves(&coord).await;
    drop(idle);
    let transcripts = coord.shutdown().await;
    assert_eq!(transcripts.len(), 81);
    assert_eq!(transcripts.iter().filter(|t| t.ready).count(), 1);
}
