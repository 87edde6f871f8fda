//! The SCRAM-SHA-256 example exchange of RFC 7677 §3, both sides.

use pgtls_scram::{ChannelBinding, ScramClient, ScramServer, ScramVerifier};
use pretty_assertions::assert_eq;

const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST: &str =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
/// base64 "W22ZaJ0SNY7soEsUEjb6gQ==".
const SALT: [u8; 16] = [
    0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e, 0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81,
];

#[test]
fn client_produces_the_rfc_7677_messages() {
    let mut client = ScramClient::new(
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
        ChannelBinding::NotSupported,
    )
    .with_username("user");
    assert_eq!(client.client_first(), CLIENT_FIRST);
    assert_eq!(
        client.handle_server_first(SERVER_FIRST).unwrap(),
        CLIENT_FINAL
    );
    client.verify_server_final(SERVER_FINAL).unwrap();
}

#[test]
fn server_produces_the_rfc_7677_messages() {
    let mut server = ScramServer::new(
        "pencil",
        &SALT,
        4096,
        "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        None,
    );
    assert_eq!(
        server
            .handle_client_first("SCRAM-SHA-256", CLIENT_FIRST.as_bytes())
            .unwrap(),
        SERVER_FIRST
    );
    assert_eq!(
        server.handle_client_final(CLIENT_FINAL.as_bytes()).unwrap(),
        SERVER_FINAL
    );
    assert!(!server.channel_bound());
}

#[test]
fn verifier_round_trips_through_the_pg_authid_form() {
    let v = ScramVerifier::new("pencil", &SALT, 4096);
    let secret = v.to_secret();
    assert!(secret.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"));
    assert_eq!(ScramVerifier::parse(&secret), Some(v));
    assert_eq!(ScramVerifier::parse("md5abcdef"), None);
    assert_eq!(ScramVerifier::parse("SCRAM-SHA-256$0:AAAA$AAAA:AAAA"), None);
    // The Debug form never shows the keys.
    let dbg = format!("{:?}", ScramVerifier::new("pencil", &SALT, 4096));
    assert!(!dbg.contains("stored_key"), "{dbg}");
}
