//! Authentication as libpq does it: what is sent, and libpq's refusals.

use pgtls_probe::auth::SecretSent;
use pgtls_probe::{probe_stream, AcceptedTransport, ProbeOptions, Start};

use crate::support::{auth, ok_and_ready, serve, settings, Srv};

async fn plaintext(conninfo: &str, script: Vec<Srv>) -> (pgtls_probe::Attempt, Vec<Vec<u8>>) {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let srv = tokio::spawn(serve(server, script));
    let s = settings(conninfo);
    let a = probe_stream(&s, &ProbeOptions::default(), client, Start::Plaintext).await;
    (a, srv.await.unwrap())
}

#[tokio::test]
async fn md5_sends_the_double_hash_libpq_computes() {
    let (a, got) = plaintext(
        "host=h user=u password=pw sslmode=disable",
        vec![
            Srv::ReadPacket,
            Srv::Write(auth(5, &[1, 2, 3, 4])),
            Srv::ReadMessage,
            Srv::Write(ok_and_ready()),
            Srv::ReadMessage,
        ],
    )
    .await;
    assert!(a.error.is_none(), "{:?}", a.error);
    // md5(md5("pw" + "u") hex + salt) computed independently (Python hashlib).
    let mut expected = b"p\0\0\0\x28".to_vec();
    expected.extend(b"md50803a98a0618b75c8f9a50f280cad373\0");
    assert_eq!(got[1], expected);
    assert_eq!(
        a.conversation.auth.secrets_sent,
        vec![(SecretSent::Md5Hash, AcceptedTransport::Plaintext)]
    );
}

#[tokio::test]
async fn cleartext_request_without_password_fails_like_libpq() {
    let (a, got) = plaintext(
        "host=h user=u sslmode=disable",
        vec![Srv::ReadPacket, Srv::Write(auth(3, b"")), Srv::ReadMessage],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "fe_sendauth: no password supplied"
    );
    assert_eq!(got.len(), 1, "nothing after the startup packet");
}

#[tokio::test]
async fn channel_binding_require_refuses_md5_before_sending_anything() {
    let (a, got) = plaintext(
        "host=h user=u password=pw sslmode=disable channel_binding=require",
        vec![
            Srv::ReadPacket,
            Srv::Write(auth(5, &[1, 2, 3, 4])),
            Srv::ReadMessage,
        ],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "channel binding required but not supported by server's authentication request"
    );
    assert_eq!(got.len(), 1);
}

#[tokio::test]
async fn channel_binding_require_refuses_trust() {
    let (a, _) = plaintext(
        "host=h user=u password=pw sslmode=disable channel_binding=require",
        vec![Srv::ReadPacket, Srv::Write(ok_and_ready())],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "channel binding required, but server authenticated client without channel binding"
    );
}

#[tokio::test]
async fn channel_binding_require_over_plaintext_fails_at_sasl() {
    let (a, _) = plaintext(
        "host=h user=u password=pw sslmode=disable channel_binding=require",
        vec![Srv::ReadPacket, Srv::Write(auth(10, b"SCRAM-SHA-256\0\0"))],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "channel binding required, but SSL not in use"
    );
}

#[tokio::test]
async fn scram_plus_offered_over_plaintext_is_refused() {
    let (a, _) = plaintext(
        "host=h user=u password=pw sslmode=disable",
        vec![
            Srv::ReadPacket,
            Srv::Write(auth(10, b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0")),
        ],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "server offered SCRAM-SHA-256-PLUS authentication over a non-SSL connection"
    );
}

#[tokio::test]
async fn unknown_sasl_mechanisms_are_refused() {
    let (a, _) = plaintext(
        "host=h user=u password=pw sslmode=disable",
        vec![Srv::ReadPacket, Srv::Write(auth(10, b"OAUTHBEARER\0\0"))],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "none of the server's SASL authentication mechanisms are supported"
    );
}

#[tokio::test]
async fn scram_over_plaintext_sends_the_n_gs2_header_with_an_empty_user() {
    let (a, got) = plaintext(
        "host=h user=u password=pw sslmode=disable",
        vec![
            Srv::ReadPacket,
            Srv::Write(auth(10, b"SCRAM-SHA-256\0\0")),
            Srv::ReadMessage,
        ],
    )
    .await;
    let first = &got[1];
    let body = &first[5..];
    assert!(body.starts_with(b"SCRAM-SHA-256\0"), "{body:?}");
    let data = &body[b"SCRAM-SHA-256\0".len() + 4..];
    assert!(
        data.starts_with(b"n,,n=,r="),
        "{}",
        String::from_utf8_lossy(data)
    );
    assert_eq!(data.len(), b"n,,n=,r=".len() + 24, "24-character nonce");
    assert_eq!(a.conversation.auth.gs2_flag.as_deref(), Some("n"));
}

#[tokio::test]
async fn require_auth_refuses_a_cleartext_request() {
    let (a, got) = plaintext(
        "host=h user=u password=pw sslmode=disable require_auth=scram-sha-256",
        vec![Srv::ReadPacket, Srv::Write(auth(3, b"")), Srv::ReadMessage],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "authentication method requirement \"scram-sha-256\" failed: server requested a cleartext password"
    );
    assert_eq!(got.len(), 1);
}

#[tokio::test]
async fn require_auth_refuses_trust_unless_none_is_allowed() {
    let (a, _) = plaintext(
        "host=h user=u password=pw sslmode=disable require_auth=md5",
        vec![Srv::ReadPacket, Srv::Write(ok_and_ready())],
    )
    .await;
    assert_eq!(
        a.error.unwrap().message,
        "authentication method requirement \"md5\" failed: server did not complete authentication"
    );
    let (a, _) = plaintext(
        "host=h user=u password=pw sslmode=disable require_auth=md5,none",
        vec![
            Srv::ReadPacket,
            Srv::Write(ok_and_ready()),
            Srv::ReadMessage,
        ],
    )
    .await;
    assert!(a.error.is_none(), "{:?}", a.error);
}
