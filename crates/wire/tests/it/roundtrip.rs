//! `encode(decode(x)) == x` on hand-written bytes, one test per message kind.

use pgtls_wire::{
    Authentication, BackendMessage, ErrorFields, FieldDescription, FrontendMessage, Limits,
    PasswordContext, StartupPacket,
};
use pretty_assertions::assert_eq;

fn backend(bytes: &[u8]) -> BackendMessage {
    let (msg, n) = BackendMessage::decode(bytes, Limits::default())
        .unwrap()
        .unwrap();
    assert_eq!(n, bytes.len());
    assert_eq!(msg.to_bytes(), bytes, "re-encoding {msg:?}");
    msg
}

fn frontend(bytes: &[u8], ctx: PasswordContext) -> FrontendMessage {
    let (msg, n) = FrontendMessage::decode(bytes, Limits::default(), ctx)
        .unwrap()
        .unwrap();
    assert_eq!(n, bytes.len());
    assert_eq!(msg.to_bytes(), bytes, "re-encoding {msg:?}");
    msg
}

fn startup(bytes: &[u8]) -> StartupPacket {
    let (p, n) = StartupPacket::decode(bytes).unwrap().unwrap();
    assert_eq!(n, bytes.len());
    assert_eq!(p.to_bytes(), bytes, "re-encoding {p:?}");
    p
}

#[test]
fn startup_kinds_round_trip() {
    assert_eq!(
        startup(b"\0\0\0\x08\x04\xd2\x16\x2f"),
        StartupPacket::SslRequest
    );
    assert_eq!(
        startup(b"\0\0\0\x08\x04\xd2\x16\x30"),
        StartupPacket::GssEncRequest
    );
    assert!(matches!(
        startup(b"\0\0\0\x10\x04\xd2\x16\x2e\0\0\0\x01abcd"),
        StartupPacket::CancelRequest { pid: 1, .. }
    ));
    assert_eq!(
        startup(b"\0\0\0\x09\0\x03\0\0\0"),
        StartupPacket::Startup {
            version: pgtls_wire::ProtocolVersion::V3_0,
            params: vec![]
        }
    );
    assert!(matches!(
        startup(b"\0\0\0\x08\x12\x34\x56\x78"),
        StartupPacket::Unknown {
            code: 0x1234_5678,
            ..
        }
    ));
}

#[test]
fn password_message_round_trips() {
    assert_eq!(
        frontend(b"p\0\0\0\x0bsecret\0", PasswordContext::Password),
        FrontendMessage::Password(b"secret".to_vec())
    );
}

#[test]
fn sasl_initial_response_without_data_is_length_minus_one() {
    assert_eq!(
        frontend(
            b"p\0\0\0\x0ePLAIN\0\xff\xff\xff\xff",
            PasswordContext::SaslInitial
        ),
        FrontendMessage::SaslInitialResponse {
            mechanism: "PLAIN".into(),
            data: None
        }
    );
}

#[test]
fn sasl_initial_response_with_empty_data_is_length_zero() {
    assert_eq!(
        frontend(b"p\0\0\0\x0ePLAIN\0\0\0\0\0", PasswordContext::SaslInitial),
        FrontendMessage::SaslInitialResponse {
            mechanism: "PLAIN".into(),
            data: Some(vec![])
        }
    );
}

#[test]
fn sasl_response_round_trips() {
    assert_eq!(
        frontend(b"p\0\0\0\x08c=bi", PasswordContext::SaslResponse),
        FrontendMessage::SaslResponse(b"c=bi".to_vec())
    );
}

#[test]
fn query_terminate_and_unknown_frontend_round_trip() {
    assert_eq!(
        frontend(b"Q\0\0\0\x0dSELECT 1\0", PasswordContext::Password),
        FrontendMessage::Query("SELECT 1".into())
    );
    assert_eq!(
        frontend(b"X\0\0\0\x04", PasswordContext::Password),
        FrontendMessage::Terminate
    );
    assert_eq!(
        frontend(b"S\0\0\0\x04", PasswordContext::Password),
        FrontendMessage::Unknown {
            tag: b'S',
            body: vec![]
        }
    );
}

#[test]
fn authentication_kinds_round_trip() {
    assert_eq!(
        backend(b"R\0\0\0\x08\0\0\0\0"),
        BackendMessage::Authentication(Authentication::Ok)
    );
    assert_eq!(
        backend(b"R\0\0\0\x08\0\0\0\x03"),
        BackendMessage::Authentication(Authentication::CleartextPassword)
    );
    assert_eq!(
        backend(b"R\0\0\0\x0c\0\0\0\x05\x01\x02\x03\x04"),
        BackendMessage::Authentication(Authentication::Md5Password { salt: [1, 2, 3, 4] })
    );
    assert_eq!(
        backend(b"R\0\0\0\x0b\0\0\0\x0br=x"),
        BackendMessage::Authentication(Authentication::SaslContinue(b"r=x".to_vec()))
    );
    assert_eq!(
        backend(b"R\0\0\0\x0b\0\0\0\x0cv=x"),
        BackendMessage::Authentication(Authentication::SaslFinal(b"v=x".to_vec()))
    );
    assert_eq!(
        backend(b"R\0\0\0\x08\0\0\0\x07"),
        BackendMessage::Authentication(Authentication::Other {
            code: 7,
            data: vec![]
        })
    );
}

#[test]
fn session_messages_round_trip() {
    assert_eq!(
        backend(b"S\0\0\0\x19client_encoding\0UTF8\0"),
        BackendMessage::ParameterStatus {
            name: "client_encoding".into(),
            value: "UTF8".into()
        }
    );
    assert_eq!(
        backend(b"Z\0\0\0\x05T"),
        BackendMessage::ReadyForQuery(b'T')
    );
    assert_eq!(
        backend(b"v\0\0\0\x15\0\0\0\x00\0\0\0\x01_pq_.foo\0"),
        BackendMessage::NegotiateProtocolVersion {
            newest_minor: 0,
            options: vec!["_pq_.foo".into()]
        }
    );
    assert_eq!(
        backend(b"C\0\0\0\x0dSELECT 1\0"),
        BackendMessage::CommandComplete("SELECT 1".into())
    );
    assert_eq!(backend(b"I\0\0\0\x04"), BackendMessage::EmptyQueryResponse);
    assert_eq!(
        backend(b"A\0\0\0\x06hi"),
        BackendMessage::Unknown {
            tag: b'A',
            body: b"hi".to_vec()
        }
    );
}

#[test]
fn notice_response_round_trips() {
    assert_eq!(
        backend(b"N\0\0\0\x15SWARNING\0Mhello\0\0"),
        BackendMessage::NoticeResponse(ErrorFields {
            fields: vec![(b'S', "WARNING".into()), (b'M', "hello".into())]
        })
    );
}

#[test]
fn select_one_row_description_and_data_row_round_trip() {
    // RowDescription for `SELECT 1` (column "?column?", int4 oid 23, size 4, typmod -1, text).
    let mut t = b"T\0\0\0\x21\0\x01?column?\0".to_vec();
    t.extend_from_slice(b"\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\0");
    assert_eq!(
        backend(&t),
        BackendMessage::RowDescription(vec![FieldDescription {
            name: "?column?".into(),
            table_oid: 0,
            column_id: 0,
            type_oid: 23,
            type_size: 4,
            type_modifier: -1,
            format: 0,
        }])
    );
    assert_eq!(
        backend(b"D\0\0\0\x0f\0\x02\0\0\0\x011\xff\xff\xff\xff"),
        BackendMessage::DataRow(vec![Some(b"1".to_vec()), None])
    );
}
