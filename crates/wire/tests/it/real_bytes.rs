//! Bytes captured from (or written exactly like) real psql / PostgreSQL traffic.

use pgtls_wire::{
    Authentication, BackendMessage, ErrorFields, FrontendMessage, Limits, PasswordContext,
    ProtocolVersion, SslResponse, StartupPacket,
};
use pretty_assertions::assert_eq;

use crate::hex;

#[test]
fn psql_ssl_request_decodes_and_reencodes() {
    let bytes = hex("00 00 00 08 04 d2 16 2f");
    let (packet, n) = StartupPacket::decode(&bytes).unwrap().unwrap();
    assert_eq!(packet, StartupPacket::SslRequest);
    assert_eq!(n, 8);
    assert_eq!(packet.to_bytes(), bytes);
}

#[test]
fn gssenc_request_is_code_80877104() {
    let bytes = hex("00 00 00 08 04 d2 16 30");
    let (packet, _) = StartupPacket::decode(&bytes).unwrap().unwrap();
    assert_eq!(packet, StartupPacket::GssEncRequest);
    assert_eq!(packet.to_bytes(), bytes);
}

/// psql 15: `psql "host=... user=alice dbname=db1"` sends exactly these parameters.
const PSQL15_STARTUP: &[u8] =
    b"\x00\x00\x00\x37\x00\x03\x00\x00user\0alice\0database\0db1\0application_name\0psql\0\0";

#[test]
fn psql15_startup_message_keeps_params_in_order() {
    let (packet, n) = StartupPacket::decode(PSQL15_STARTUP).unwrap().unwrap();
    assert_eq!(n, 55);
    assert_eq!(
        packet,
        StartupPacket::Startup {
            version: ProtocolVersion::V3_0,
            params: vec![
                ("user".into(), "alice".into()),
                ("database".into(), "db1".into()),
                ("application_name".into(), "psql".into()),
            ],
        }
    );
    assert_eq!(packet.param("database"), Some("db1"));
    assert_eq!(packet.to_bytes(), PSQL15_STARTUP);
}

#[test]
fn startup_constructor_builds_psql15_bytes() {
    let packet = StartupPacket::startup([
        ("user", "alice"),
        ("database", "db1"),
        ("application_name", "psql"),
    ]);
    assert_eq!(packet.to_bytes(), PSQL15_STARTUP);
}

#[test]
fn protocol_3_2_startup_is_a_startup_message() {
    let bytes = b"\x00\x00\x00\x12\x00\x03\x00\x02user\0bob\0\0";
    let (packet, _) = StartupPacket::decode(bytes).unwrap().unwrap();
    assert_eq!(
        packet,
        StartupPacket::Startup {
            version: ProtocolVersion::V3_2,
            params: vec![("user".into(), "bob".into())],
        }
    );
    assert_eq!(ProtocolVersion::V3_2.0, 196_610);
    assert_eq!(ProtocolVersion::V3_2.to_string(), "3.2");
    assert_eq!(packet.to_bytes(), bytes);
}

#[test]
fn cancel_request_with_4_byte_key() {
    let bytes = hex("00 00 00 10 04 d2 16 2e 00 00 30 39 de ad be ef");
    let (packet, n) = StartupPacket::decode(&bytes).unwrap().unwrap();
    assert_eq!(n, 16);
    assert_eq!(
        packet,
        StartupPacket::CancelRequest {
            pid: 12345,
            key: vec![0xde, 0xad, 0xbe, 0xef]
        }
    );
    assert_eq!(packet.to_bytes(), bytes);
}

#[test]
fn cancel_request_with_pg18_32_byte_key() {
    let mut bytes = hex("00 00 00 2c 04 d2 16 2e 00 00 00 07");
    bytes.extend(1..=32u8);
    let (packet, n) = StartupPacket::decode(&bytes).unwrap().unwrap();
    assert_eq!(n, 44);
    assert_eq!(
        packet,
        StartupPacket::CancelRequest {
            pid: 7,
            key: (1..=32).collect()
        }
    );
    assert_eq!(packet.to_bytes(), bytes);
}

#[test]
fn cancel_request_with_256_byte_key_is_the_maximum() {
    let mut bytes = hex("00 00 01 0c 04 d2 16 2e 00 00 00 07");
    bytes.extend(std::iter::repeat_n(0xaa, 256));
    let (packet, _) = StartupPacket::decode(&bytes).unwrap().unwrap();
    assert!(matches!(packet, StartupPacket::CancelRequest { ref key, .. } if key.len() == 256));
}

#[test]
fn protocol_2_startup_is_kept_as_unknown() {
    let bytes = hex("00 00 00 0c 00 02 00 00 61 62 63 64");
    let (packet, _) = StartupPacket::decode(&bytes).unwrap().unwrap();
    assert_eq!(
        packet,
        StartupPacket::Unknown {
            code: 0x0002_0000,
            body: b"abcd".to_vec()
        }
    );
    assert_eq!(packet.to_bytes(), bytes);
}

#[test]
fn ssl_responses_are_open_newtypes() {
    assert_eq!(SslResponse::decode(b"S"), Some((SslResponse::ACCEPT, 1)));
    assert_eq!(SslResponse::decode(b"N..."), Some((SslResponse::REJECT, 1)));
    assert_eq!(SslResponse::decode(b""), None);
    let odd = SslResponse(b'H');
    assert!(!odd.is_known());
    assert!(SslResponse::ERROR.is_known());
    assert_eq!(odd.to_string(), "H");
    assert_eq!(SslResponse(0x16).to_string(), "\\x16");
    assert_eq!(pgtls_wire::GssEncResponse::ACCEPT.0, b'G');
}

/// A real PostgreSQL 15 hba rejection as sent on the wire (S V C M F L R fields).
fn pg15_hba_fatal_body() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(b"SFATAL\0VFATAL\0C28000\0");
    body.extend_from_slice(
        b"Mno pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", database \"trustdb\", no encryption\0",
    );
    body.extend_from_slice(b"Fauth.c\0L542\0RClientAuthentication\0\0");
    body
}

#[test]
fn pg_fatal_error_response_renders_like_libpq() {
    let body = pg15_hba_fatal_body();
    let mut bytes = vec![b'E'];
    bytes.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
    bytes.extend_from_slice(&body);
    let (msg, n) = BackendMessage::decode(&bytes, Limits::default())
        .unwrap()
        .unwrap();
    assert_eq!(n, bytes.len());
    let BackendMessage::ErrorResponse(fields) = &msg else {
        panic!("expected ErrorResponse, got {msg:?}");
    };
    assert_eq!(fields.severity(), Some("FATAL"));
    assert_eq!(fields.severity_nonlocalized(), Some("FATAL"));
    assert_eq!(fields.sqlstate(), Some("28000"));
    assert_eq!(fields.get(b'R'), Some("ClientAuthentication"));
    assert_eq!(
        fields.to_string(),
        "FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", database \"trustdb\", no encryption"
    );
    assert_eq!(msg.to_bytes(), bytes);
}

#[test]
fn minimal_mock_fatal_matches_the_documented_bytes() {
    let fields = ErrorFields::fatal("28000", "x");
    let msg = BackendMessage::ErrorResponse(fields);
    assert_eq!(
        msg.to_bytes(),
        b"E\x00\x00\x00\x1dSFATAL\0VFATAL\0C28000\0Mx\0\0".to_vec()
    );
}

#[test]
fn authentication_sasl_lists_plus_first() {
    let bytes = b"R\x00\x00\x00\x2a\x00\x00\x00\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0";
    let (msg, n) = BackendMessage::decode(bytes, Limits::default())
        .unwrap()
        .unwrap();
    assert_eq!(n, bytes.len());
    assert_eq!(
        msg,
        BackendMessage::Authentication(Authentication::Sasl {
            mechanisms: vec!["SCRAM-SHA-256-PLUS".into(), "SCRAM-SHA-256".into()]
        })
    );
    assert_eq!(msg.name(), "AuthenticationSASL");
    assert_eq!(msg.to_bytes(), bytes);
}

#[test]
fn libpq_sasl_initial_response_with_client_first() {
    let first = b"n,,n=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    let mut bytes = b"p\x00\x00\x00\x00SCRAM-SHA-256\0".to_vec();
    bytes.extend_from_slice(&(first.len() as u32).to_be_bytes());
    bytes.extend_from_slice(first);
    let len = (bytes.len() - 1) as u32;
    bytes[1..5].copy_from_slice(&len.to_be_bytes());
    let (msg, _) = FrontendMessage::decode(&bytes, Limits::default(), PasswordContext::SaslInitial)
        .unwrap()
        .unwrap();
    assert_eq!(
        msg,
        FrontendMessage::SaslInitialResponse {
            mechanism: "SCRAM-SHA-256".into(),
            data: Some(first.to_vec())
        }
    );
    assert_eq!(msg.to_bytes(), bytes);
}

#[test]
fn post_auth_sequence_decodes_back_to_back() {
    // AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery in one read.
    let mut bytes = b"R\x00\x00\x00\x08\x00\x00\x00\x00".to_vec();
    bytes.extend_from_slice(b"S\x00\x00\x00\x19server_version\x0015.18\x00");
    bytes.extend_from_slice(b"K\x00\x00\x00\x0c\x00\x00\x04\xd2\x01\x02\x03\x04");
    bytes.extend_from_slice(b"Z\x00\x00\x00\x05I");
    let mut rest = &bytes[..];
    let mut got = Vec::new();
    while let Some((msg, n)) = BackendMessage::decode(rest, Limits::default()).unwrap() {
        got.push(msg);
        rest = &rest[n..];
    }
    assert!(rest.is_empty());
    assert_eq!(
        got,
        vec![
            BackendMessage::Authentication(Authentication::Ok),
            BackendMessage::ParameterStatus {
                name: "server_version".into(),
                value: "15.18".into()
            },
            BackendMessage::BackendKeyData {
                pid: 1234,
                key: vec![1, 2, 3, 4]
            },
            BackendMessage::ReadyForQuery(b'I'),
        ]
    );
}
