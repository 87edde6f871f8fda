//! Full client <-> server exchanges, with and without channel binding.

use pgtls_scram::{ChannelBinding, ScramClient, ScramServer, SCRAM_SHA_256, SCRAM_SHA_256_PLUS};
use pretty_assertions::assert_eq;

const SALT: &[u8; 16] = b"0123456789abcdef";
const CLIENT_NONCE: [u8; 18] = [0xa5; 18];
const SERVER_NONCE: [u8; 18] = [0x5a; 18];

/// Runs a whole exchange; returns the server error text or the client's, if any.
fn run(
    client_password: &str,
    cb: ChannelBinding,
    server_cb: Option<Vec<u8>>,
) -> Result<(ScramClient, ScramServer), String> {
    let mut client = ScramClient::new(client_password, CLIENT_NONCE, cb);
    let mut server =
        ScramServer::new("s3cret", SALT, 4096, SERVER_NONCE, server_cb).with_user("alice");
    let first = server
        .handle_client_first(client.mechanism(), client.client_first().as_bytes())
        .map_err(|e| format!("server: {} {}", e.sqlstate, e))?;
    let fin = client
        .handle_server_first(&first)
        .map_err(|e| format!("client: {e}"))?;
    let server_final = server
        .handle_client_final(fin.as_bytes())
        .map_err(|e| format!("server: {} {}", e.sqlstate, e))?;
    client
        .verify_server_final(&server_final)
        .map_err(|e| format!("client: {e}"))?;
    Ok((client, server))
}

#[test]
fn libpq_client_first_is_gs2_header_empty_user_and_24_char_nonce() {
    let c = ScramClient::new("pw", CLIENT_NONCE, ChannelBinding::NotSupported);
    assert_eq!(c.client_first(), "n,,n=,r=paWlpaWlpaWlpaWlpaWlpaWl");
    assert_eq!(c.nonce().as_str().len(), 24);
    let y = ScramClient::new("pw", CLIENT_NONCE, ChannelBinding::SupportedNotUsed);
    assert_eq!(y.client_first(), "y,,n=,r=paWlpaWlpaWlpaWlpaWlpaWl");
    assert_eq!(y.mechanism(), SCRAM_SHA_256);
    let p = ScramClient::new(
        "pw",
        CLIENT_NONCE,
        ChannelBinding::TlsServerEndPoint(vec![1; 32]),
    );
    assert_eq!(
        p.client_first(),
        "p=tls-server-end-point,,n=,r=paWlpaWlpaWlpaWlpaWlpaWl"
    );
    assert_eq!(p.mechanism(), SCRAM_SHA_256_PLUS);
}

#[test]
fn server_first_carries_both_nonces_salt_and_iterations() {
    let mut server = ScramServer::new("s3cret", SALT, 4096, SERVER_NONCE, None);
    let first = server
        .handle_client_first(SCRAM_SHA_256, b"n,,n=,r=abc")
        .unwrap();
    assert_eq!(
        first,
        "r=abcWlpaWlpaWlpaWlpaWlpaWlpa,s=MDEyMzQ1Njc4OWFiY2RlZg==,i=4096"
    );
}

#[test]
fn plaintext_exchange_without_channel_binding_succeeds() {
    let (_, server) = run("s3cret", ChannelBinding::NotSupported, None).unwrap();
    assert!(!server.channel_bound());
}

#[test]
fn client_final_uses_biws_for_n_and_esws_for_y() {
    let mut c = ScramClient::new("pw", "abc", ChannelBinding::NotSupported);
    let fin = c.handle_server_first("r=abcdef,s=QUJD,i=1").unwrap();
    assert!(fin.starts_with("c=biws,r=abcdef,p="), "{fin}");
    let mut c = ScramClient::new("pw", "abc", ChannelBinding::SupportedNotUsed);
    let fin = c.handle_server_first("r=abcdef,s=QUJD,i=1").unwrap();
    assert!(fin.starts_with("c=eSws,r=abcdef,p="), "{fin}");
}

#[test]
fn y_over_plaintext_is_accepted() {
    run("s3cret", ChannelBinding::SupportedNotUsed, None).unwrap();
}

#[test]
fn plus_exchange_with_matching_certificate_hash_is_channel_bound() {
    let hash = vec![0x42; 32];
    let (_, server) = run(
        "s3cret",
        ChannelBinding::TlsServerEndPoint(hash.clone()),
        Some(hash),
    )
    .unwrap();
    assert!(server.channel_bound());
}

#[test]
fn tls_server_advertises_plus_first() {
    let server = ScramServer::new("s3cret", SALT, 4096, SERVER_NONCE, Some(vec![1; 32]));
    assert_eq!(
        server.mechanisms(),
        vec!["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]
    );
    let plain = ScramServer::new("s3cret", SALT, 4096, SERVER_NONCE, None);
    assert_eq!(plain.mechanisms(), vec!["SCRAM-SHA-256"]);
}

#[test]
fn mitm_certificate_hash_fails_the_channel_binding_check() {
    // The client hashed the MITM's certificate; the real server hashes its own.
    let err = run(
        "s3cret",
        ChannelBinding::TlsServerEndPoint(vec![0x66; 32]),
        Some(vec![0x42; 32]),
    )
    .unwrap_err();
    assert_eq!(err, "server: 28000 SCRAM channel binding check failed");
}

#[test]
fn n_over_tls_is_accepted_like_postgres() {
    run("s3cret", ChannelBinding::NotSupported, Some(vec![1; 32])).unwrap();
}

#[test]
fn y_over_tls_is_the_downgrade_error() {
    let err = run(
        "s3cret",
        ChannelBinding::SupportedNotUsed,
        Some(vec![1; 32]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "server: 28000 SCRAM channel binding negotiation error: The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding."
    );
}

#[test]
fn wrong_password_fails_with_28p01_for_the_startup_user() {
    let err = run("wrong", ChannelBinding::NotSupported, None).unwrap_err();
    assert_eq!(
        err,
        "server: 28P01 password authentication failed for user \"alice\""
    );
}

#[test]
fn doomed_exchange_fails_even_with_a_plausible_proof() {
    let mut client = ScramClient::new("s3cret", CLIENT_NONCE, ChannelBinding::NotSupported);
    let mut server = ScramServer::doomed(SALT, 4096, SERVER_NONCE, None).with_user("nobody");
    let first = server
        .handle_client_first(SCRAM_SHA_256, client.client_first().as_bytes())
        .unwrap();
    let fin = client.handle_server_first(&first).unwrap();
    let err = server.handle_client_final(fin.as_bytes()).unwrap_err();
    assert!(err.is_invalid_password());
    assert_eq!(
        err.message,
        "password authentication failed for user \"nobody\""
    );
}

#[test]
fn server_signature_from_a_server_without_the_password_is_rejected() {
    // A MITM that does not know the password answers with its own verifier.
    let mut client = ScramClient::new("s3cret", CLIENT_NONCE, ChannelBinding::NotSupported);
    let mut fake = ScramServer::new("guess", SALT, 4096, SERVER_NONCE, None);
    let first = fake
        .handle_client_first(SCRAM_SHA_256, client.client_first().as_bytes())
        .unwrap();
    client.handle_server_first(&first).unwrap();
    // Sign with a server that accepts anything: use its own client's proof.
    let mut accomplice = ScramClient::new("guess", CLIENT_NONCE, ChannelBinding::NotSupported);
    let fin = accomplice.handle_server_first(&first).unwrap();
    let v = fake.handle_client_final(fin.as_bytes()).unwrap();
    assert_eq!(
        client.verify_server_final(&v).unwrap_err().to_string(),
        "incorrect server signature"
    );
}

#[test]
fn messages_out_of_order_are_invalid_state() {
    let c = ScramClient::new("pw", "abc", ChannelBinding::NotSupported);
    assert_eq!(
        c.verify_server_final("v=x").unwrap_err().to_string(),
        "invalid SCRAM exchange state"
    );
    let mut s = ScramServer::new("pw", SALT, 1, "srv", None);
    assert_eq!(
        s.handle_client_final(b"c=biws").unwrap_err().message,
        "invalid SCRAM exchange state"
    );
}
