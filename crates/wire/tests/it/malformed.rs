//! Malformed input: every error names the message and the offset.

use pgtls_wire::{
    BackendMessage, DecodeError, FrontendMessage, Limits, PasswordContext, StartupPacket,
    MAX_STARTUP_PACKET_LEN,
};
use pretty_assertions::assert_eq;

fn startup_err(bytes: &[u8]) -> DecodeError {
    StartupPacket::decode(bytes).expect_err("should be malformed")
}

fn backend_err(bytes: &[u8]) -> DecodeError {
    BackendMessage::decode(bytes, Limits::default()).expect_err("should be malformed")
}

fn frontend_err(bytes: &[u8], ctx: PasswordContext) -> DecodeError {
    FrontendMessage::decode(bytes, Limits::default(), ctx).expect_err("should be malformed")
}

#[test]
fn startup_length_below_8_is_rejected_before_the_body_arrives() {
    let err = startup_err(b"\0\0\0\x07");
    assert_eq!(
        err,
        DecodeError::InvalidLength {
            message: "startup packet",
            offset: 0,
            length: 7,
            min: 8,
            max: 10_004
        }
    );
    assert_eq!(
        err.to_string(),
        "malformed startup packet at offset 0: invalid length 7 (expected 8..=10004)"
    );
}

#[test]
fn startup_length_above_postgres_limit_is_rejected() {
    // PostgreSQL compares the length minus its own 4 bytes with 10000.
    assert!(matches!(
        startup_err(b"\0\0\x27\x15"),
        DecodeError::InvalidLength { length: 10_005, .. }
    ));
    assert!(matches!(
        startup_err(b"\xff\xff\xff\xff"),
        DecodeError::InvalidLength { .. }
    ));
    // A TLS ClientHello sent where a length is expected (direct SSL to a pre-17 server).
    assert!(matches!(
        startup_err(b"\x16\x03\x01\x02\x00\x01"),
        DecodeError::InvalidLength { .. }
    ));
}

#[test]
fn startup_packet_of_exactly_the_maximum_is_accepted() {
    assert_eq!(MAX_STARTUP_PACKET_LEN, 10_004);
    let mut bytes = (MAX_STARTUP_PACKET_LEN as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(&[0, 3, 0, 0]);
    bytes.extend_from_slice(b"options\0");
    let value_len = MAX_STARTUP_PACKET_LEN - bytes.len() - 2;
    bytes.extend(std::iter::repeat_n(b'x', value_len));
    bytes.extend_from_slice(b"\0\0");
    assert_eq!(bytes.len(), MAX_STARTUP_PACKET_LEN);
    let (packet, n) = StartupPacket::decode(&bytes).unwrap().unwrap();
    assert_eq!(n, MAX_STARTUP_PACKET_LEN);
    assert_eq!(packet.param("options").map(str::len), Some(value_len));
}

#[test]
fn ssl_request_with_trailing_bytes_names_sslrequest() {
    let err = startup_err(b"\0\0\0\x0c\x04\xd2\x16\x2fjunk");
    assert_eq!(
        err,
        DecodeError::TrailingBytes {
            message: "SSLRequest",
            offset: 8,
            count: 4
        }
    );
    assert_eq!(
        err.to_string(),
        "malformed SSLRequest at offset 8: 4 trailing bytes"
    );
}

#[test]
fn gssenc_request_with_trailing_bytes_is_rejected() {
    assert_eq!(
        startup_err(b"\0\0\0\x09\x04\xd2\x16\x30x").message(),
        "GSSENCRequest"
    );
}

#[test]
fn startup_message_without_final_terminator_is_rejected() {
    let bytes = b"\0\0\0\x13\0\x03\0\0user\0alice\0";
    assert_eq!(
        startup_err(bytes),
        DecodeError::MissingTerminator {
            message: "StartupMessage",
            offset: 19
        }
    );
}

#[test]
fn startup_message_with_no_parameters_and_no_terminator_is_rejected() {
    assert_eq!(
        startup_err(b"\0\0\0\x08\0\x03\0\0"),
        DecodeError::MissingTerminator {
            message: "StartupMessage",
            offset: 8
        }
    );
}

#[test]
fn startup_message_with_name_but_no_value_is_rejected() {
    let err = startup_err(b"\0\0\0\x0e\0\x03\0\0user\0x");
    assert_eq!(
        err,
        DecodeError::MissingTerminator {
            message: "StartupMessage",
            offset: 13
        }
    );
}

#[test]
fn startup_message_with_bytes_after_terminator_is_rejected() {
    // PostgreSQL: "invalid startup packet layout: expected terminator as last byte".
    assert_eq!(
        startup_err(b"\0\0\0\x12\0\x03\0\0user\0a\0\0xx"),
        DecodeError::TrailingBytes {
            message: "StartupMessage",
            offset: 16,
            count: 2
        }
    );
}

#[test]
fn startup_message_with_invalid_utf8_is_rejected() {
    assert_eq!(
        startup_err(b"\0\0\0\x0f\0\x03\0\0user\0\xff\0\0"),
        DecodeError::InvalidUtf8 {
            message: "StartupMessage",
            offset: 13
        }
    );
}

#[test]
fn cancel_request_key_shorter_than_4_is_rejected() {
    assert_eq!(
        startup_err(b"\0\0\0\x0f\x04\xd2\x16\x2e\0\0\0\x01abc"),
        DecodeError::InvalidValue {
            message: "CancelRequest",
            offset: 12,
            what: "cancel key length",
            value: 3
        }
    );
}

#[test]
fn cancel_request_key_longer_than_256_is_rejected() {
    let mut bytes = (12u32 + 257).to_be_bytes().to_vec();
    bytes.extend_from_slice(b"\x04\xd2\x16\x2e\0\0\0\x01");
    bytes.extend(std::iter::repeat_n(0, 257));
    assert!(matches!(
        startup_err(&bytes),
        DecodeError::InvalidValue { value: 257, .. }
    ));
}

#[test]
fn cancel_request_without_pid_is_truncated() {
    assert_eq!(
        startup_err(b"\0\0\0\x0a\x04\xd2\x16\x2e\0\0"),
        DecodeError::Truncated {
            message: "CancelRequest",
            offset: 8,
            needed: 4,
            available: 2
        }
    );
}

#[test]
fn backend_length_below_4_is_rejected() {
    assert_eq!(
        backend_err(b"Z\0\0\0\x03"),
        DecodeError::InvalidLength {
            message: "ReadyForQuery",
            offset: 1,
            length: 3,
            min: 4,
            max: 1 << 20
        }
    );
}

#[test]
fn oversized_backend_message_is_rejected_from_its_header() {
    // 1 MiB + 1 announced; only the header is present.
    assert!(matches!(
        backend_err(b"E\x00\x10\x00\x01"),
        DecodeError::InvalidLength {
            message: "ErrorResponse",
            length: 0x10_0001,
            ..
        }
    ));
    // The limit is configurable.
    let err = BackendMessage::decode(b"S\0\0\0\x40", Limits::new(32)).unwrap_err();
    assert!(matches!(err, DecodeError::InvalidLength { max: 32, .. }));
    let err = FrontendMessage::decode(b"p\0\0\0\x40", Limits::new(32), PasswordContext::Password)
        .unwrap_err();
    assert_eq!(err.message(), "PasswordMessage");
}

#[test]
fn error_response_without_final_nul_is_rejected() {
    assert_eq!(
        backend_err(b"E\0\0\0\x0bSFATAL\0"),
        DecodeError::MissingTerminator {
            message: "ErrorResponse",
            offset: 12
        }
    );
}

#[test]
fn error_response_field_without_nul_is_rejected() {
    assert_eq!(
        backend_err(b"E\0\0\0\x0aSFATAL"),
        DecodeError::MissingTerminator {
            message: "ErrorResponse",
            offset: 6
        }
    );
}

#[test]
fn error_response_with_bytes_after_terminator_is_rejected() {
    assert_eq!(
        backend_err(b"N\0\0\0\x09Sx\0\0z"),
        DecodeError::TrailingBytes {
            message: "NoticeResponse",
            offset: 9,
            count: 1
        }
    );
}

#[test]
fn authentication_ok_with_trailing_bytes_is_rejected() {
    assert_eq!(
        backend_err(b"R\0\0\0\x09\0\0\0\0\x01"),
        DecodeError::TrailingBytes {
            message: "AuthenticationOk",
            offset: 9,
            count: 1
        }
    );
}

#[test]
fn md5_request_with_short_salt_is_truncated() {
    assert!(matches!(
        backend_err(b"R\0\0\0\x0b\0\0\0\x05abc"),
        DecodeError::Truncated {
            message: "AuthenticationMD5Password",
            offset: 9,
            ..
        }
    ));
}

#[test]
fn authentication_without_code_is_truncated() {
    assert!(matches!(
        backend_err(b"R\0\0\0\x06\0\0"),
        DecodeError::Truncated {
            message: "AuthenticationRequest",
            offset: 5,
            ..
        }
    ));
}

#[test]
fn sasl_mechanism_list_without_terminator_is_rejected() {
    assert_eq!(
        backend_err(b"R\0\0\0\x16\0\0\0\x0aSCRAM-SHA-256\0"),
        DecodeError::MissingTerminator {
            message: "AuthenticationSASL",
            offset: 23
        }
    );
}

#[test]
fn ready_for_query_must_be_one_byte() {
    assert!(matches!(
        backend_err(b"Z\0\0\0\x04"),
        DecodeError::Truncated {
            message: "ReadyForQuery",
            ..
        }
    ));
    assert!(matches!(
        backend_err(b"Z\0\0\0\x06II"),
        DecodeError::TrailingBytes {
            message: "ReadyForQuery",
            offset: 6,
            count: 1
        }
    ));
}

#[test]
fn backend_key_data_with_short_key_is_rejected() {
    assert_eq!(
        backend_err(b"K\0\0\0\x0a\0\0\0\x01ab"),
        DecodeError::InvalidValue {
            message: "BackendKeyData",
            offset: 9,
            what: "cancel key length",
            value: 2
        }
    );
}

#[test]
fn negotiate_protocol_version_counts_are_checked() {
    assert!(matches!(
        backend_err(b"v\0\0\0\x0c\0\0\0\0\xff\xff\xff\xff"),
        DecodeError::InvalidValue {
            message: "NegotiateProtocolVersion",
            offset: 9,
            value: -1,
            ..
        }
    ));
    // Announces 1000 options but carries one: fails without allocating for 1000.
    assert!(matches!(
        backend_err(b"v\0\0\0\x0e\0\0\0\0\0\0\x03\xe8a\0"),
        DecodeError::MissingTerminator {
            message: "NegotiateProtocolVersion",
            offset: 15
        }
    ));
}

#[test]
fn row_description_negative_count_and_truncated_field_are_rejected() {
    assert!(matches!(
        backend_err(b"T\0\0\0\x06\xff\xff"),
        DecodeError::InvalidValue {
            message: "RowDescription",
            ..
        }
    ));
    assert!(matches!(
        backend_err(b"T\0\0\0\x0a\0\x01a\0\0\0"),
        DecodeError::Truncated {
            message: "RowDescription",
            offset: 9,
            ..
        }
    ));
}

#[test]
fn data_row_bad_value_lengths_are_rejected() {
    assert!(matches!(
        backend_err(b"D\0\0\0\x0a\0\x01\xff\xff\xff\xfe"),
        DecodeError::InvalidValue {
            message: "DataRow",
            offset: 7,
            value: -2,
            ..
        }
    ));
    assert!(matches!(
        backend_err(b"D\0\0\0\x0b\0\x01\0\0\0\x05x"),
        DecodeError::Truncated {
            message: "DataRow",
            offset: 11,
            needed: 5,
            available: 1
        }
    ));
    assert!(matches!(
        backend_err(b"D\0\0\0\x0c\0\x01\0\0\0\x01xy"),
        DecodeError::TrailingBytes {
            message: "DataRow",
            ..
        }
    ));
}

#[test]
fn command_complete_and_empty_query_reject_extra_bytes() {
    assert!(matches!(
        backend_err(b"C\0\0\0\x08ab\0c"),
        DecodeError::TrailingBytes {
            message: "CommandComplete",
            offset: 8,
            count: 1
        }
    ));
    assert!(matches!(
        backend_err(b"I\0\0\0\x05x"),
        DecodeError::TrailingBytes {
            message: "EmptyQueryResponse",
            ..
        }
    ));
}

#[test]
fn password_without_nul_is_rejected() {
    assert_eq!(
        frontend_err(b"p\0\0\0\x0asecret", PasswordContext::Password),
        DecodeError::MissingTerminator {
            message: "PasswordMessage",
            offset: 5
        }
    );
}

#[test]
fn sasl_initial_response_lengths_are_checked() {
    assert!(matches!(
        frontend_err(
            b"p\0\0\0\x0cM\0\xff\xff\xff\xfe\0\0",
            PasswordContext::SaslInitial
        ),
        DecodeError::InvalidValue {
            message: "SASLInitialResponse",
            offset: 7,
            value: -2,
            ..
        }
    ));
    assert!(matches!(
        frontend_err(b"p\0\0\0\x0cM\0\0\0\0\x09ab", PasswordContext::SaslInitial),
        DecodeError::Truncated {
            message: "SASLInitialResponse",
            offset: 11,
            ..
        }
    ));
    assert!(matches!(
        frontend_err(b"p\0\0\0\x0cM\0\0\0\0\x01ab", PasswordContext::SaslInitial),
        DecodeError::TrailingBytes {
            message: "SASLInitialResponse",
            offset: 12,
            count: 1
        }
    ));
}

#[test]
fn query_with_invalid_utf8_or_trailing_bytes_is_rejected() {
    assert!(matches!(
        frontend_err(b"Q\0\0\0\x06\xc3\0", PasswordContext::Password),
        DecodeError::InvalidUtf8 {
            message: "Query",
            offset: 5
        }
    ));
    assert!(matches!(
        frontend_err(b"Q\0\0\0\x07a\0b", PasswordContext::Password),
        DecodeError::TrailingBytes {
            message: "Query",
            ..
        }
    ));
}

#[test]
fn terminate_with_body_is_rejected() {
    assert!(matches!(
        frontend_err(b"X\0\0\0\x05x", PasswordContext::Password),
        DecodeError::TrailingBytes {
            message: "Terminate",
            offset: 5,
            count: 1
        }
    ));
}
